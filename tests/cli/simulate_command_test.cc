// `cadenza simulate` run as a user would: the printed counts, the JSON against a reference case
// of tests/data/exact-model, the switches, and the exit code and message of an illegal mapping
// (no output file).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/cadenza_run.h"
#include "tests/support/files.h"
#include "tests/support/paths.h"

namespace cadenza::test {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

const std::string kCases = SourcePath("tests/data/exact-model") + "/";

std::string WithoutSpace(std::string text) {
  text.erase(std::remove_if(text.begin(), text.end(),
                            [](unsigned char c) { return std::isspace(c) != 0; }),
             text.end());
  return text;
}

// The object after `"key":` in whitespace-free JSON, braces balanced.
std::string ObjectAt(const std::string& json, const std::string& key) {
  const size_t at = json.find("\"" + key + "\":{");
  if (at == std::string::npos) return "";
  const size_t begin = at + key.size() + 3;
  int depth = 0;
  for (size_t i = begin; i < json.size(); ++i) {
    if (json[i] == '{') ++depth;
    if (json[i] == '}' && --depth == 0) return json.substr(begin, i - begin + 1);
  }
  return "";
}

class SimulateCommandTest : public ::testing::Test {
 protected:
  RunResult Run(const std::vector<std::string>& args) { return RunCadenza(args); }

  // The arguments of reference case `id` (its SIMD width from runs.csv is passed by the caller).
  static std::vector<std::string> CaseArgs(const std::string& id) {
    return {"simulate", "--mapping", kCases + "inputs/cases/" + id + ".m", "--hw",
            kCases + "inputs/hw/" + id + ".m"};
  }

  std::string Path(const std::string& name) const { return dir_.Path(name); }

  TempDir dir_;
};

TEST_F(SimulateCommandTest, PrintsTheCountsPerLayer) {
  std::vector<std::string> args = CaseArgs("e000");
  args.insert(args.end(), {"--simd-lanes", "1"});
  const RunResult o = Run(args);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.err, IsEmpty());
  // tests/data/exact-model/expected/e000.json
  EXPECT_THAT(o.out, AllOf(HasSubstr("layer e000 (CONV)"), HasSubstr("3276"),
                           HasSubstr("1798 cycles (on-chip 1769)"),
                           HasSubstr("126 global, 126 top"),
                           HasSubstr("input 1764, weight 182, output 234")));
}

TEST_F(SimulateCommandTest, JsonHoldsTheReferenceCounts) {
  const std::string json = Path("e003.json");
  std::vector<std::string> args = CaseArgs("e003");
  args.insert(args.end(), {"--simd-lanes", "2", "--json", json});
  const RunResult o = Run(args);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("wrote " + json));
  const std::string doc = WithoutSpace(ReadFile(json));
  EXPECT_THAT(doc, AllOf(StartsWith("{\"tool\":\"cadenza\""), HasSubstr("\"command\":\"simulate\""),
                         HasSubstr("\"name\":\"e003\""), HasSubstr("\"multicast\":true"),
                         HasSubstr("\"reduction\":true")));
  // The hardware in the search report's form (report/hardware_json.h).
  EXPECT_THAT(doc, HasSubstr("\"hardware\":{\"num_pes\":39,\"simd_lanes\":2,\"l1_bytes\":2048,"
                             "\"l2_bytes\":1000000,\"noc_bw_per_cycle\":13,"));
  EXPECT_THAT(doc, HasSubstr("\"access_energy_pj\":{\"mac\":"));
  // The "exact" object is the reference file, field for field and in its order.
  EXPECT_EQ(ObjectAt(doc, "exact"), WithoutSpace(ReadFile(kCases + "expected/e003.json")));
}

// abstract_sim.py --no-multicast on e205 (4 lanes): runtime 455, on-chip 450 (329 and 324 with
// multicast).
TEST_F(SimulateCommandTest, NoMulticastChangesTheRuntime) {
  const std::string json = Path("e205.json");
  std::vector<std::string> args = CaseArgs("e205");
  args.insert(args.end(), {"--simd-lanes", "4", "--no-multicast", "--json", json});
  const RunResult o = Run(args);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const std::string doc = WithoutSpace(ReadFile(json));
  EXPECT_THAT(doc, AllOf(HasSubstr("\"multicast\":false"), HasSubstr("\"runtime_cycles\":455"),
                         HasSubstr("\"onchip_cycles\":450")));
}

TEST_F(SimulateCommandTest, IllegalMappingExitsOneWithoutOutput) {
  const std::string json = Path("e001.json");
  std::vector<std::string> args = CaseArgs("e001");
  args.insert(args.end(), {"--simd-lanes", "2", "--json", json});
  const RunResult o = Run(args);
  EXPECT_EQ(o.exit_code, 1);
  // tests/data/exact-model/expected/e001.json: 36 missing, 0 extra.
  EXPECT_THAT(o.err, HasSubstr("cadenza: error: " + kCases + "inputs/cases/e001.m: layer 'e001': "
                               "coverage: 36 MACs missing, 0 extra"));
  EXPECT_FALSE(fs::exists(json));
  EXPECT_THAT(dir_.Files(), IsEmpty());
}

TEST_F(SimulateCommandTest, UsageErrors) {
  EXPECT_EQ(Run({"simulate", "--hw", kCases + "inputs/hw/e000.m"}).exit_code, 2);
  std::vector<std::string> args = CaseArgs("e000");
  args.insert(args.end(), {"--simd-lanes", "0"});
  EXPECT_EQ(Run(args).exit_code, 2);
  const RunResult help = Run({"--help"});
  EXPECT_THAT(help.out, HasSubstr("simulate"));
  const RunResult sub = Run({"simulate", "--help"});
  EXPECT_EQ(sub.exit_code, 0);
  EXPECT_THAT(sub.out, AllOf(HasSubstr("--no-multicast"), HasSubstr("--no-reduction"),
                             HasSubstr("--json"), HasSubstr("--simd-lanes")));
}

}  // namespace
}  // namespace cadenza::test
