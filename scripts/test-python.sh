#!/usr/bin/env bash
# The Python package's tests (python/tests), run by scripts/test.sh after the C++ tests:
#  1. a virtual environment in build/venv made from Debian's interpreter, /usr/bin/python3, with
#     --system-site-packages so that Debian's python3-onnx, python3-torch and python3-pandas are
#     visible to the tests; pytest, mypy, dask[distributed] (the sharded DSE's tests run on a
#     Dask LocalCluster, docs/dse.md) and optuna (the DSE's TPE sampler) come from PyPI into it;
#  2. `pip install .` into it: the build requirements of pyproject.toml (scikit-build-core,
#     nanobind) are installed, pinned, into the venv itself and the build runs without pip's
#     isolated build environment: that environment is a new temporary directory each time, so
#     nanobind's sources would change paths and make (and ccache) would compile them and the
#     module again on every run. CMake builds only the module, the cadenza command and its ONNX
#     module (pyproject.toml), in build/python;
#  3. pytest python/tests, against the installed package.
# The build uses the ci preset's compiler flags and, when ccache is installed, ccache, so the
# libraries the ci build just compiled are cache hits and only the module itself is compiled.
# Every step runs with build/venv/bin/python (never the python3 on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."

venv=build/venv
python=$venv/bin/python
if [[ ! -x $python ]]; then
  /usr/bin/python3 -m venv --system-site-packages "$venv"
fi
pip=("$python" -m pip --disable-pip-version-check -q)
"${pip[@]}" install "pytest==9.2.0" "mypy==2.4.1" "dask[distributed]==2026.8.0" "optuna==5.0.0" \
  "tqdm==4.70.1" "nbclient==0.11.0" "nbformat==5.11.1" "ipykernel==7.4.0" \
  "scikit-build-core==1.1.2" "nanobind==3.1.0"

if command -v ccache >/dev/null 2>&1; then
  export CMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER:-ccache}
  # The same relative paths in build/ci and build/python (both two levels down) hash the same.
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD} CCACHE_NOHASHDIR=1
fi
# The ci preset's compiler, generator (and no dependence on Ninja), on every core.
# scikit-build-core would otherwise take Python's recorded compiler (x86_64-linux-gnu-g++: the
# same compiler under another name, which ccache hashes as another).
export CXX=${CXX:-c++} CMAKE_GENERATOR="Unix Makefiles"
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}
# The ci preset's build type and flags (CMakePresets.json), and warnings as errors.
"${pip[@]}" install . --no-build-isolation \
  --config-settings=build-dir=build/python \
  --config-settings=cmake.build-type=RelWithDebInfo \
  "--config-settings=cmake.define.CMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" \
  --config-settings=cmake.define.CADENZA_WERROR=ON

"$python" -m pytest -q python/tests
