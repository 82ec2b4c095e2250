#!/usr/bin/env bash
# The install test (ctest label `install`): installs the already-built tree into a scratch
# prefix, builds the outside project beside this script against it with find_package(Cadenza),
# runs it, and runs the installed binary on commands that need its ONNX module
# (lib/cadenza/cadenza_onnx.so, found relative to bin/cadenza) and one that does not. Also checks
# that a binary without its module says so clearly.
#   run.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR SOURCE_DIR}
source=${2:?usage: run.sh BUILD_DIR SOURCE_DIR}

scratch=$(mktemp -d /tmp/cadenza-install-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
prefix=$scratch/prefix

fail() { echo "install test: error: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >"$scratch/install.log" ||
  { cat "$scratch/install.log" >&2; fail "cmake --install failed"; }
for f in bin/cadenza lib/cadenza/cadenza_onnx.so lib/libcadenza_analyzer.a \
         lib/libcadenza_importer.a lib/libcadenza_search.a lib/libcadenza_report.a \
         include/cadenza/analyzer/analyzer.h include/cadenza/importer/maestro_reader.h \
         include/cadenza/search/search.h include/cadenza/report/report.h \
         lib/cmake/Cadenza/CadenzaConfig.cmake lib/cmake/Cadenza/CadenzaConfigVersion.cmake \
         lib/cmake/Cadenza/CadenzaTargets.cmake; do
  [[ -e $prefix/$f ]] || fail "$f was not installed"
done
# Internal pieces stay out of the package.
for f in include/cadenza/importer/onnx_module_api.h include/cadenza/report/report_html_internal.h \
         include/cadenza/cli lib/libcadenza_cli.a; do
  [[ ! -e $prefix/$f ]] || fail "$f was installed but is internal"
done

# Every installed header compiles on its own terms: it includes only installed headers.
for h in $(cd "$prefix/include/cadenza" && find . -name '*.h' | sort); do
  echo "#include \"${h#./}\""
done >"$scratch/all_headers.cc"
c++ -std=c++20 -fsyntax-only -I"$prefix/include/cadenza" "$scratch/all_headers.cc" ||
  fail "the installed headers do not compile with only include/cadenza on the include path"

# The outside project, with the installed package only (no path into the source or build tree).
cmake -S "$source/tests/install" -B "$scratch/consumer" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_TYPE=Release >"$scratch/configure.log" 2>&1 ||
  { cat "$scratch/configure.log" >&2; fail "configuring the outside project failed"; }
cmake --build "$scratch/consumer" >"$scratch/build.log" 2>&1 ||
  { cat "$scratch/build.log" >&2; fail "building the outside project failed"; }
"$scratch/consumer/consumer" || fail "the outside project's checks failed"

# The installed binary: eval of .m files (no module), layers of an ONNX model (the module).
"$prefix/bin/cadenza" eval --mapping "$source/tests/data/maestro/single/r50_res2b_2a_1x1__cp.m" \
  --hw "$source/tests/data/maestro/hw/hw256_bw32.m" >"$scratch/eval.txt" ||
  fail "installed cadenza eval failed"
"$prefix/bin/cadenza" layers "$source/models/resnet50.onnx" --format csv >"$scratch/layers.csv" ||
  fail "installed cadenza layers failed (is lib/cadenza/cadenza_onnx.so found?)"
rows=$(($(wc -l <"$scratch/layers.csv") - 1))
[[ $rows -eq 54 ]] || fail "installed cadenza layers listed $rows ResNet-50 layers, expected 54"

# search: the module's ONNX importer and default hardware; the report's model digest (libmd)
# must be the file's SHA-256.
"$prefix/bin/cadenza" search "$source/models/dcgan_generator.onnx" -o "$scratch/report.html" \
  --json "$scratch/report.json" >/dev/null || fail "installed cadenza search failed"
digest=$(sha256sum "$source/models/dcgan_generator.onnx" | cut -d' ' -f1)
grep -q "\"sha256\": \"$digest\"" "$scratch/report.json" ||
  fail "the report's sha256 is not the model's ($digest)"

# Without its module the binary still evaluates .m files, and says what is missing otherwise.
mkdir "$scratch/alone"
cp "$prefix/bin/cadenza" "$scratch/alone/"
"$scratch/alone/cadenza" eval --mapping "$source/tests/data/maestro/single/r50_res2b_2a_1x1__cp.m" \
  --hw "$source/tests/data/maestro/hw/hw256_bw32.m" >/dev/null ||
  fail "cadenza eval needs the ONNX module, which it should not"
set +e
"$scratch/alone/cadenza" layers "$source/models/resnet50.onnx" >/dev/null 2>"$scratch/alone.err"
code=$?
set -e
[[ $code -eq 3 ]] || fail "cadenza layers without its module exited $code, expected 3"
grep -q "cannot load cadenza_onnx.so" "$scratch/alone.err" ||
  { cat "$scratch/alone.err" >&2; fail "no clear message when the module is missing"; }

echo "install test: package installed, outside project built and passed, installed binary works"
