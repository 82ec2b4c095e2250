#!/usr/bin/env bash
# Checks the include rules of the architecture (STYLE.md section 2) on every source file:
#   analyzer/  the C++ standard library and analyzer/ only
#   importer/  analyzer/, importer/           search/  analyzer/, search/
#   report/    analyzer/, search/, report/    cli/     anything; nothing else includes cli/
#   simulator/ the C++ standard library, analyzer/ and simulator/ only; only cli/ (and tests)
#              include it
#   python/    analyzer/, importer/, search/, report/ (the Python bindings: a front end like cli/)
#   ONNX/protobuf headers only in importer/*.cc, nanobind only in python/, <omp.h> only in search/*.cc, nlohmann/json only
#   in report/*.cc, cxxopts only in cli/. Project headers are included with quotes, from the repository root.
# Tests may include any module but cli/ (only tests/cli/ may), ONNX only from tests/importer/,
# OpenMP only from tests/search/, nlohmann/json only from tests/report/ and tests/cli/ (which
# read back the JSON documents the binary writes), cxxopts not at all.
# tests/support/ is the test-helper library: only tests/ includes it ("tests/support/x.h"), no
# other tests/ header is included from anywhere, and tests/support/ itself includes no module.
#
# Usage: check_layering.sh REPO_ROOT
# Prints one line per violation ("path:line: #include ...: reason") and exits 1 if any.
set -euo pipefail

root=${1:?usage: check_layering.sh REPO_ROOT}
cd "$root"

# The C++20 standard library (and the C library in its <cxxx> form).
std_headers=" algorithm any array atomic barrier bit bitset cassert cctype cerrno cfenv cfloat
 charconv chrono cinttypes climits clocale cmath codecvt compare complex concepts
 condition_variable coroutine csetjmp csignal cstdarg cstddef cstdint cstdio cstdlib cstring
 ctime cuchar cwchar cwctype deque exception execution expected filesystem format
 forward_list fstream functional future initializer_list iomanip ios iosfwd iostream istream
 iterator latch limits list locale map memory memory_resource mutex new numbers numeric
 optional ostream queue random ranges ratio regex scoped_allocator semaphore set
 shared_mutex source_location span sstream stack stdexcept stop_token streambuf string
 string_view syncstream system_error thread tuple type_traits typeindex typeinfo
 unordered_map unordered_set utility valarray variant vector version"
std_headers=" $(echo $std_headers) "

include_re='^[[:space:]]*#[[:space:]]*include[[:space:]]*([<"][^>"]*[>"])'
violations=0
report() {  # file line include reason
  printf '%s:%s: #include %s: %s\n' "$1" "$2" "$3" "$4" >&2
  violations=$((violations + 1))
}

# Modules each module (or a test directory of it) may include from the project.
allowed_modules() {
  case "$1" in
    analyzer) echo "analyzer" ;;
    importer) echo "analyzer importer" ;;
    search) echo "analyzer search" ;;
    report) echo "analyzer search report" ;;
    simulator) echo "analyzer simulator" ;;
    cli) echo "analyzer importer search report simulator cli" ;;
    python) echo "analyzer importer search report" ;;
  esac
}

check_file() {  # path
  local file=$1 top module kind lineno line spec target
  top=${file%%/*}
  if [[ $top == tests ]]; then
    module=${file#tests/}
    module=${module%%/*}
    kind=test
  else
    module=$top
    kind=source
  fi
  local allowed=" analyzer importer search report simulator "
  [[ $kind == source || $module == cli ]] && allowed=" $(allowed_modules "$module") "
  # Every suite links tests/support, so it may not pull in a module (and its link dependencies).
  [[ $kind == test && $module == support ]] && allowed=" "
  while IFS= read -r entry; do
    lineno=${entry%%:*}
    line=${entry#*:}
    [[ $line =~ $include_re ]] || continue
    spec=${BASH_REMATCH[1]}
    target=${spec:1:${#spec}-2}
    case "$target" in
      onnx/* | google/protobuf/*)
        if [[ $kind == source && ! ( $module == importer && $file == *.cc ) ]] ||
           [[ $kind == test && $module != importer ]]; then
          report "$file" "$lineno" "$spec" "ONNX/protobuf headers belong in importer/*.cc only"
        fi
        continue ;;
      omp.h)
        if [[ $kind == source && ! ( $module == search && $file == *.cc ) ]] ||
           [[ $kind == test && $module != search ]]; then
          report "$file" "$lineno" "$spec" "OpenMP belongs in search/*.cc only"
        fi
        continue ;;
      nlohmann/*)
        if [[ $kind == source && ! ( $module == report && $file == *.cc ) ]] ||
           [[ $kind == test && $module != report && $module != cli ]]; then
          report "$file" "$lineno" "$spec" "nlohmann/json belongs in report/*.cc only"
        fi
        continue ;;
      nanobind/*)
        if [[ $module != python || $kind == test ]]; then
          report "$file" "$lineno" "$spec" "nanobind belongs in python/ only"
        fi
        continue ;;
      cxxopts.hpp | cxxopts/*)
        if [[ $module != cli || $kind == test ]]; then
          report "$file" "$lineno" "$spec" "cxxopts belongs in cli/ only"
        fi
        continue ;;
    esac
    local first=${target%%/*}
    if [[ $target == tests/* ]]; then
      if [[ $spec == \<* ]]; then
        report "$file" "$lineno" "$spec" "include project headers with quotes"
      elif [[ $kind != test ]]; then
        report "$file" "$lineno" "$spec" "only tests/ includes tests/support/"
      elif [[ $target != tests/support/* ]]; then
        report "$file" "$lineno" "$spec" "tests/ may include only tests/support/ of tests/"
      fi
      continue
    fi
    if [[ $target == */* && " analyzer importer search report simulator cli " == *" $first "* ]]; then
      if [[ $spec == \<* ]]; then
        report "$file" "$lineno" "$spec" "include project headers with quotes"
      elif [[ $first == cli && $module != cli ]]; then
        report "$file" "$lineno" "$spec" "nothing outside cli/ includes cli/"
      elif [[ $kind == test && $module == support ]]; then
        report "$file" "$lineno" "$spec" "tests/support/ may include only tests/support/ and the standard and system libraries"
      elif [[ $allowed != *" $first "* ]]; then
        report "$file" "$lineno" "$spec" "$module/ may include only $(allowed_modules "$module" | sed -E 's#([a-z]+)#\1/#g; s# #, #g') and the standard library"
      fi
      continue
    fi
    if [[ $spec == \"* ]]; then
      report "$file" "$lineno" "$spec" "project headers are included from the repository root (\"module/file.h\")"
      continue
    fi
    if [[ ( $module == analyzer || $module == simulator ) && $kind == source &&
          $std_headers != *" $target "* ]]; then
      report "$file" "$lineno" "$spec" "$module/ may include only the C++ standard library and $(allowed_modules "$module" | sed -E 's#([a-z]+)#\1/#g; s# #, #g')"
    fi
  done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' "$file" || true)
}

files=()
for dir in analyzer importer search report simulator cli python tests; do
  [[ -d $dir ]] || continue
  while IFS= read -r -d '' f; do files+=("$f"); done < <(
    find "$dir" -type f \( -name '*.h' -o -name '*.hpp' -o -name '*.cc' -o -name '*.cpp' \
         -o -name '*.inc' \) -not -path 'tests/data/*' -print0 | sort -z)
done
for f in "${files[@]}"; do check_file "$f"; done

if [[ $violations -gt 0 ]]; then
  echo "check_layering: $violations include(s) break the module layering (STYLE.md section 2)" >&2
  exit 1
fi
echo "check_layering: ${#files[@]} files follow the module layering"
