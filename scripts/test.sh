#!/usr/bin/env bash
# The test suite, from a fresh clone: installs missing packages, builds the ci preset (warnings
# are errors; tests and benchmarks are built) in build/ci and runs every test with ctest, then
# installs the Python package into build/venv and runs its tests (scripts/test-python.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
# With ccache (when installed), the Python package's build reuses these objects.
if command -v ccache >/dev/null 2>&1; then
  export CMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER:-ccache}
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD} CCACHE_NOHASHDIR=1
fi
cmake --preset ci >/dev/null
cmake --build --preset ci --parallel "$(nproc)"
ctest --preset ci --parallel "$(nproc)"
bash scripts/test-python.sh
