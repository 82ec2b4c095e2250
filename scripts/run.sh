#!/usr/bin/env bash
# The main job, from a fresh clone: installs missing packages, builds the release preset and
# evaluates the bundled VGG-16 network (one dataflow per layer) on the bundled 256-PE
# accelerator with the MAESTRO-compatible cost model, writing out/vgg16.csv and out/vgg16.json.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --parallel "$(nproc)"

mkdir -p out
build/release/cli/cadenza eval \
  --mapping models/maestro/vgg16_kcp.m \
  --hw models/hw/accel256.m \
  --csv out/vgg16.csv \
  --json out/vgg16.json
