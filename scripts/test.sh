#!/usr/bin/env bash
# The test suite, from a fresh clone: installs missing packages, builds the ci preset (warnings
# are errors; tests and benchmarks are built) in build/ci and runs every test with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset ci >/dev/null
cmake --build --preset ci --parallel "$(nproc)"
ctest --preset ci --parallel "$(nproc)"
