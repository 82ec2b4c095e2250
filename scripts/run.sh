#!/usr/bin/env bash
# The main job, from a fresh clone: installs missing packages, builds the release preset, searches
# the best dataflow for every layer of the bundled ResNet-50 on Cadenza's default accelerator
# (models/hw/default.textproto) and writes the review report: out/resnet50.html, with the same
# data in out/resnet50.json and out/resnet50.csv.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh --no-browser
cmake --preset release >/dev/null
cmake --build --preset release --parallel "$(nproc)"

mkdir -p out
build/release/cli/cadenza search models/resnet50.onnx \
  -o out/resnet50.html \
  --json out/resnet50.json \
  --csv out/resnet50.csv
echo "report: $(pwd)/out/resnet50.html"
