#!/usr/bin/env bash
# Self-test of check_layering.sh: a clean fake tree passes, and each kind of violation, planted
# alone in a copy of it, fails with a message naming the file, the line and the include.
# Usage: check_layering_test.sh PATH/TO/check_layering.sh
set -uo pipefail

checker=${1:?usage: check_layering_test.sh CHECK_LAYERING_SH}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

make_clean_tree() {  # dir
  local t=$1
  mkdir -p "$t"/{analyzer,importer,search,report,simulator,cli,tests/cli,tests/importer,tests/simulator,tests/support}
  printf '#pragma once\n#include <cstdint>\n#include <vector>\n' >"$t/analyzer/dims.h"
  printf '#include "analyzer/dims.h"\n#include <string>\n' >"$t/analyzer/dims.cc"
  printf '#include "analyzer/dims.h"\n#include <onnx/onnx_pb.h>\n#include <google/protobuf/message.h>\n' \
    >"$t/importer/onnx_importer.cc"
  printf '#pragma once\n#include "analyzer/dims.h"\n' >"$t/importer/onnx_importer.h"
  printf '#include "search/search.h"\n#include <omp.h>\n' >"$t/search/search.cc"
  printf '#pragma once\n#include "analyzer/dims.h"\n' >"$t/search/search.h"
  printf '#include "search/search.h"\n#include "analyzer/dims.h"\n#include <nlohmann/json.hpp>\n' >"$t/report/report.cc"
  printf '#include "cli/commands.h"\n#include <cxxopts.hpp>\n#include "report/report.h"\n#include <unistd.h>\n' \
    >"$t/cli/commands.cc"
  printf '#pragma once\n' >"$t/cli/commands.h"
  printf '#pragma once\n#include "analyzer/layer.h"\n#include <vector>\n' >"$t/simulator/simulator.h"
  printf '#include "simulator/simulator.h"\n#include "analyzer/error.h"\n#include <memory>\n' \
    >"$t/simulator/simulator.cc"
  printf '#include "simulator/simulator.h"\n' >"$t/cli/cmd_simulate.cc"
  mkdir -p "$t/python"
  printf '#include <nanobind/nanobind.h>\n#include "report/report.h"\n#include "importer/onnx_importer.h"\n' \
    >"$t/python/core.cc"
  printf '#include "simulator/simulator.h"\n#include "importer/onnx_importer.h"\n' \
    >"$t/tests/simulator/simulator_test.cc"
  printf '#include "cli/atomic_file.h"\n#include <gtest/gtest.h>\n#include "tests/support/process.h"\n' \
    >"$t/tests/cli/atomic_file_test.cc"
  printf '#include "importer/onnx_importer.h"\n#include <onnx/defs/parser.h>\n#include "tests/support/files.h"\n' \
    >"$t/tests/importer/onnx_test.cc"
  printf '#pragma once\n#include <string>\n' >"$t/tests/support/process.h"
  printf '#include "tests/support/process.h"\n#include <gtest/gtest.h>\n#include <unistd.h>\n' \
    >"$t/tests/support/process.cc"
}

expect_pass() {
  local name=$1 tree=$2 out
  if ! out=$(bash "$checker" "$tree" 2>&1); then
    echo "FAIL: $name: the checker rejected a clean tree:"
    echo "$out"
    failures=$((failures + 1))
  fi
}

# expect_fail NAME FILE LINE_CONTENT EXPECTED_MESSAGE_PART
expect_fail() {
  local name=$1 file=$2 include=$3 want=$4
  local tree="$work/$name"
  make_clean_tree "$tree"
  mkdir -p "$(dirname "$tree/$file")"
  printf '// planted\n%s\n' "$include" >>"$tree/$file"
  local out rc
  out=$(bash "$checker" "$tree" 2>&1)
  rc=$?
  if [[ $rc -eq 0 ]]; then
    echo "FAIL: $name: the checker accepted $file including $include"
    failures=$((failures + 1))
    return
  fi
  local spec=${include#*include}
  spec=${spec#"${spec%%[![:space:]]*}"}
  for part in "$file:" "$spec" "$want"; do
    if [[ $out != *"$part"* ]]; then
      echo "FAIL: $name: message lacks '$part':"
      echo "$out"
      failures=$((failures + 1))
      return
    fi
  done
}

make_clean_tree "$work/clean"
expect_pass clean "$work/clean"

expect_fail analyzer_includes_importer analyzer/dims.cc '#include "importer/onnx_importer.h"' \
  "analyzer/ may include only analyzer/"
expect_fail analyzer_includes_system analyzer/dims.h '#include <unistd.h>' \
  "only the C++ standard library"
expect_fail importer_includes_search importer/maestro_reader.cc '#include "search/search.h"' \
  "importer/ may include only"
expect_fail search_includes_report search/search.cc '#include "report/report.h"' \
  "search/ may include only"
expect_fail report_includes_importer report/report.cc '#include "importer/onnx_importer.h"' \
  "report/ may include only"
expect_fail report_includes_cli report/report.cc '#include "cli/atomic_file.h"' \
  "nothing outside cli/ includes cli/"
expect_fail test_includes_cli tests/importer/onnx_test.cc '#include "cli/commands.h"' \
  "nothing outside cli/ includes cli/"
expect_fail onnx_in_importer_header importer/onnx_importer.h '#include <onnx/onnx_pb.h>' \
  "importer/*.cc only"
expect_fail protobuf_in_cli cli/commands.cc '#include <google/protobuf/message.h>' \
  "importer/*.cc only"
expect_fail omp_in_analyzer analyzer/dims.cc '#include <omp.h>' "search/*.cc only"
expect_fail omp_in_search_header search/search.h '#include <omp.h>' "search/*.cc only"
expect_fail nlohmann_in_search search/search.cc '#include <nlohmann/json.hpp>' "report/*.cc only"
expect_fail nlohmann_in_report_header report/report.h '#include <nlohmann/json.hpp>' "report/*.cc only"
expect_fail nlohmann_in_search_test tests/search/search_test.cc '#include <nlohmann/json.hpp>' \
  "report/*.cc only"
expect_fail cxxopts_in_report report/report.cc '#include <cxxopts.hpp>' "cli/ only"
expect_fail relative_include importer/maestro_reader.cc '#include "maestro_reader.h"' \
  "from the repository root"
expect_fail angle_project_include report/report.cc '#include <analyzer/dims.h>' \
  "with quotes"
expect_fail source_includes_test_support report/report.cc '#include "tests/support/files.h"' \
  "only tests/ includes tests/support/"
expect_fail cli_includes_test_support cli/commands.cc '#include "tests/support/process.h"' \
  "only tests/ includes tests/support/"
expect_fail test_includes_other_test_file tests/importer/onnx_test.cc \
  '#include "tests/cli/cli_helpers.h"' "tests/ may include only tests/support/"
expect_fail test_support_includes_module tests/support/process.cc '#include "analyzer/dims.h"' \
  "tests/support/ may include only tests/support/"
expect_fail angle_test_support_include tests/cli/atomic_file_test.cc \
  '#include <tests/support/process.h>' "with quotes"
expect_fail nanobind_in_report report/report.cc '#include <nanobind/nanobind.h>' \
  "nanobind belongs in python/ only"
expect_fail python_includes_cli python/core.cc '#include "cli/run_support.h"' \
  "nothing outside cli/ includes cli/"
expect_fail python_includes_simulator python/core.cc '#include "simulator/simulator.h"' \
  "python/ may include only analyzer/, importer/, search/, report/"
expect_fail simulator_includes_importer simulator/simulator.cc '#include "importer/maestro_reader.h"' \
  "simulator/ may include only analyzer/, simulator/"
expect_fail simulator_includes_system simulator/simulator.h '#include <unistd.h>' \
  "simulator/ may include only the C++ standard library"
expect_fail search_includes_simulator search/search.cc '#include "simulator/simulator.h"' \
  "search/ may include only"
expect_fail report_includes_simulator report/report.cc '#include "simulator/simulator.h"' \
  "report/ may include only"
expect_fail importer_includes_simulator importer/onnx_importer.h '#include "simulator/simulator.h"' \
  "importer/ may include only"
expect_fail simulator_includes_cli simulator/simulator.cc '#include "cli/atomic_file.h"' \
  "nothing outside cli/ includes cli/"
expect_fail spaced_directive analyzer/dims.cc '  #  include "report/report.h"' \
  "analyzer/ may include only"

if [[ $failures -gt 0 ]]; then
  echo "check_layering_test: $failures failure(s)"
  exit 1
fi
echo "check_layering_test: all cases behave"
