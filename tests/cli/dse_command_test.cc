// `cadenza dse` as a user runs it: the files it writes, its summary, a result that does not
// depend on the thread count, and how it refuses bad options (exit 2) and bad input (exit 1).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/cadenza_run.h"
#include "tests/support/files.h"
#include "tests/support/paths.h"

namespace cadenza::test {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

// 12 points: PEs 16, 32, 64 x L1 8, 512 x L2 16 KiB, 64 KiB.
const std::string kSweep = SourcePath("tests/data/good/dse_sweep_small.textproto");

// The JSON without the lines that record when and how it was made.
std::string WithoutRunLines(const std::string& json) {
  std::istringstream in(json);
  std::string kept;
  for (std::string line; std::getline(in, line);) {
    if (line.find("\"date\": ") != std::string::npos ||
        line.find("\"explore_seconds\": ") != std::string::npos ||
        line.find("\"command_line\": ") != std::string::npos) {
      continue;
    }
    kept += line + "\n";
  }
  return kept;
}

// Two CONV layers of one shape, a pointwise one and an FC layer. The dataflows are there because
// the format needs them (conv_b inherits conv_a's); the exploration does not use them.
constexpr const char* kNetwork = R"(Network small {
  Layer conv_a {
    Type: CONV
    Dimensions { K: 16, C: 8, R: 3, S: 3, Y: 10, X: 10 }
    Dataflow {
      SpatialMap(1,1) K;
      TemporalMap(1,1) C;
      TemporalMap(Sz(R),1) Y;
      TemporalMap(Sz(S),1) X;
      TemporalMap(Sz(R),Sz(R)) R;
      TemporalMap(Sz(S),Sz(S)) S;
    }
  }
  Layer conv_b {
    Type: CONV
    Dimensions { K: 16, C: 8, R: 3, S: 3, Y: 10, X: 10 }
  }
  Layer pointwise {
    Type: CONV
    Dimensions { K: 32, C: 16, R: 1, S: 1, Y: 8, X: 8 }
    Dataflow {
      SpatialMap(1,1) K;
      TemporalMap(1,1) C;
      TemporalMap(Sz(R),1) Y;
      TemporalMap(Sz(S),1) X;
      TemporalMap(Sz(R),Sz(R)) R;
      TemporalMap(Sz(S),Sz(S)) S;
    }
  }
  Layer fc {
    Type: FC
    Dimensions { N: 1, K: 32, C: 64 }
    Dataflow {
      SpatialMap(1,1) K;
      TemporalMap(1,1) C;
      TemporalMap(1,1) N;
    }
  }
}
)";

class DseCommandTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_.Write("small.m", kNetwork); }

  RunResult Run(const std::vector<std::string>& args) { return RunCadenza(args); }
  std::string Network() const { return dir_.Path("small.m"); }
  std::string Path(const std::string& name) const { return dir_.Path(name); }

  TempDir dir_;
};

// --latency-slack bounds each layer's choice inside every design point (README, "Search"): on a
// one-point sweep, minimising energy alone takes some layer far past its fastest mapping; with
// 5% of slack every layer stays within 5% of the cycles --objective latency gets, for no less
// energy than the unbounded choice.
TEST_F(DseCommandTest, LatencySlackKeepsEveryLayerNearItsFastest) {
  const std::string sweep = dir_.Write("one.textproto", R"(
base { num_pes: 64 simd_lanes: 1 l1_bytes: 512 l2_bytes: 16384 noc { bandwidth: 16 } offchip_bandwidth: 8 }
num_pes { values: [64] }
)");
  auto chosen = [&](const std::vector<std::string>& extra, const std::string& name) {
    std::vector<std::string> args = {"dse", Network(), "--sweep", sweep, "--max-candidates",
                                     "300", "--json", Path(name)};
    args.insert(args.end(), extra.begin(), extra.end());
    const RunResult o = Run(args);
    EXPECT_EQ(o.exit_code, 0) << o.err;
    return std::make_pair(o.out, nlohmann::json::parse(ReadFile(Path(name))));
  };
  const auto [fastest_out, fastest] = chosen({"--objective", "latency"}, "latency.json");
  const auto [energy_out, energy] = chosen({"--objective", "energy"}, "energy.json");
  const auto [slack_out, slack] =
      chosen({"--objective", "energy", "--latency-slack", "5%"}, "slack.json");
  EXPECT_TRUE(energy.at("latency_slack").is_null());
  EXPECT_DOUBLE_EQ(slack.at("latency_slack").get<double>(), 0.05);
  EXPECT_THAT(slack_out, HasSubstr("objective energy, latency within 5% of each layer's fastest"));

  const nlohmann::json& layers = fastest.at("chosen").at("layers");
  ASSERT_EQ(layers.size(), 4u);
  bool energy_goes_past = false;
  for (size_t i = 0; i < layers.size(); ++i) {
    const double fast = layers[i].at("runtime_cycles").get<double>();
    const double bounded = slack.at("chosen").at("layers")[i].at("runtime_cycles").get<double>();
    const double unbounded = energy.at("chosen").at("layers")[i].at("runtime_cycles").get<double>();
    EXPECT_LE(bounded, 1.05 * fast) << layers[i].at("name");
    energy_goes_past = energy_goes_past || unbounded > 1.05 * fast;
  }
  EXPECT_TRUE(energy_goes_past);
  EXPECT_GE(slack.at("chosen").at("total").at("energy_pj").get<double>(),
            energy.at("chosen").at("total").at("energy_pj").get<double>());
  EXPECT_LT(slack.at("chosen").at("total").at("runtime_cycles").get<int64_t>(),
            energy.at("chosen").at("total").at("runtime_cycles").get<int64_t>());
}

TEST_F(DseCommandTest, WritesTheSummaryAndEveryFile) {
  const RunResult o = Run({"dse", Network(), "--sweep", kSweep, "--max-candidates", "300",
                         "-o", Path("dse.html"), "--json", Path("dse.json"), "--csv",
                         Path("dse.csv")});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("small: 4 layers (3 distinct), 12 design points, objective edp"));
  EXPECT_THAT(o.out, HasSubstr("3 evaluation groups"));
  EXPECT_THAT(o.out, ContainsRegex("feasible: [0-9]+ of 12; Pareto front"));
  EXPECT_THAT(o.out, ContainsRegex("chosen design \\(#[0-9]+, lowest edp\\): pes="));
  EXPECT_THAT(o.out, HasSubstr("Pareto front, by cycles"));
  EXPECT_THAT(o.out, ContainsRegex("explored 12 design points in .* points/s\\)"));
  EXPECT_THAT(o.out, HasSubstr("wrote " + Path("dse.html")));
  // Progress goes to a terminal only.
  EXPECT_THAT(o.err, Not(HasSubstr("exploring")));

  const std::string json = ReadFile(Path("dse.json"));
  EXPECT_THAT(json, HasSubstr("\"schema_version\": 2"));
  EXPECT_THAT(json, HasSubstr("\"points\": 12"));
  EXPECT_EQ(CountOf(json, "\"label\": "), 13u);  // twelve points and the chosen design
  EXPECT_THAT(json, HasSubstr("\"evaluation_groups\": 3"));
  EXPECT_THAT(json, ContainsRegex("\"sha256\": \"[0-9a-f]{64}\""));

  const std::string csv = ReadFile(Path("dse.csv"));
  EXPECT_EQ(CountOf(csv, "\n"), 13u);

  const std::string html = ReadFile(Path("dse.html"));
  EXPECT_THAT(html, HasSubstr("id=\"pareto-table\""));
  EXPECT_THAT(html, HasSubstr("id=\"layer-table\""));
  EXPECT_EQ(CountOf(html, "<tr data-index="), CountOf(json, "\"pareto\": true"));
  EXPECT_GT(CountOf(json, "\"pareto\": true"), 0u);
}

// An L1 of 8 bytes per PE leaves some layer without a mapping: those points are infeasible with
// the reason, and the chosen design is one of the others.
TEST_F(DseCommandTest, PointsWithoutAMappingAreInfeasibleWithTheReason) {
  const RunResult o = Run({"dse", Network(), "--sweep", kSweep, "--max-candidates", "300",
                         "--json", Path("dse.json")});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, ContainsRegex("infeasible: [0-9]+ points?: [0-9]+ layers? (has|have) no "
                                   "mapping that fits this hardware"));
  EXPECT_THAT(o.out, ContainsRegex("chosen design \\(#[0-9]+, lowest edp\\): pes=[0-9]+ simd=1 "
                                   "l1=512 "));
}

TEST_F(DseCommandTest, SameJsonForOneAndTwoThreads) {
  const RunResult one = Run({"dse", Network(), "--sweep", kSweep, "--max-candidates", "300",
                           "--threads", "1", "--json", Path("one.json")});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const RunResult two = Run({"dse", Network(), "--sweep", kSweep, "--max-candidates", "300",
                           "--threads", "2", "--json", Path("two.json")});
  ASSERT_EQ(two.exit_code, 0) << two.err;
  const std::string a = WithoutRunLines(ReadFile(Path("one.json")));
  const std::string b = WithoutRunLines(ReadFile(Path("two.json")));
  EXPECT_GT(a.size(), 1000u);
  EXPECT_EQ(a, b);
}

TEST_F(DseCommandTest, BudgetsRuleOutPointsAndNoFeasiblePointExitsOne) {
  const RunResult o = Run({"dse", Network(), "--sweep", kSweep, "--max-candidates", "300",
                         "--area-budget", "1", "--json", Path("dse.json"), "-o",
                         Path("dse.html")});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.out, HasSubstr("feasible: 0 of 12"));
  EXPECT_THAT(o.out, ContainsRegex("infeasible: [0-9]+ points: area over budget"));
  EXPECT_THAT(o.err, HasSubstr("cadenza: error: no design point of " + kSweep + " is feasible"));
  // The report is still written, and says so.
  const std::string json = ReadFile(Path("dse.json"));
  EXPECT_THAT(json, HasSubstr("\"best\": null"));
  EXPECT_THAT(json, HasSubstr("\"chosen\": null"));
  EXPECT_THAT(json, HasSubstr("\"area_um2\": 1,"));
  EXPECT_THAT(ReadFile(Path("dse.html")), HasSubstr("No design point is feasible"));
}

TEST_F(DseCommandTest, MissingSweepFileExitsOneNamingItAndWritesNothing) {
  const std::string missing = Path("no-such-sweep.textproto");
  const RunResult o = Run({"dse", Network(), "--sweep", missing, "--json", Path("dse.json")});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("cadenza: error: " + missing));
  EXPECT_THAT(o.out, IsEmpty());
  EXPECT_FALSE(fs::exists(Path("dse.json")));
}

TEST_F(DseCommandTest, BadSweepFileExitsOneWithItsLine) {
  WriteFile(Path("bad.textproto"), "base { num_pes: 16 }\nnum_pes { values: [16, 16] }\n");
  const RunResult o = Run({"dse", Network(), "--sweep", Path("bad.textproto")});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, StartsWith("cadenza: error: " + Path("bad.textproto") +
                                ":2:24: num_pes lists 16 twice"));
  EXPECT_THAT(o.out, IsEmpty());
}

TEST_F(DseCommandTest, UsageErrorsExitTwo) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"dse", Network(), "--sweep", kSweep, "--objective", "speed"},
       "unknown objective 'speed'; use latency, energy or edp"},
      {{"dse", Network()}, "--sweep SWEEP is required"},
      {{"dse", "--sweep", kSweep}, "a model file is required"},
      {{"dse", Network(), "--sweep", kSweep, "--area-budget", "-5"},
       "--area-budget must be a positive number"},
      {{"dse", Network(), "--sweep", kSweep, "--power-budget", "0"},
       "--power-budget must be a positive number"},
      {{"dse", Network(), "--sweep", kSweep, "--max-candidates", "0"},
       "--max-candidates must be at least 1"},
      {{"dse", Network(), "--sweep", kSweep, "--batch", "2"}, "--batch applies to ONNX models only"},
      {{"dse", Network(), "--sweep", kSweep, "--json", Path("a.json"), "--csv", Path("a.json")},
       "--json and --csv name the same file '" + Path("a.json") + "'"},
      {{"dse", Network(), "--sweep", kSweep, "--json", kSweep},
       "--json '" + kSweep + "' would overwrite the sweep file"},
      {{"dse", Network(), "other.onnx", "--sweep", kSweep},
       "unexpected argument 'other.onnx'; several models in one exploration: cadenza-dse "
       "(docs/dse.md)"},
  };
  for (const Case& c : cases) {
    const RunResult o = Run(c.args);
    EXPECT_EQ(o.exit_code, 2) << c.message;
    EXPECT_EQ(o.err, "cadenza: usage error: dse: " + c.message + "\nTry 'cadenza dse --help'.\n");
    EXPECT_THAT(o.out, IsEmpty()) << c.message;
  }
  EXPECT_THAT(dir_.Files(), ::testing::ElementsAre("small.m"));
}

TEST_F(DseCommandTest, IsListedAndHasHelp) {
  EXPECT_THAT(Run({"--help"}).out, HasSubstr("  dse "));
  const RunResult o = Run({"dse", "--help"});
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_THAT(o.out, AllOf(HasSubstr("--sweep"), HasSubstr("--area-budget"),
                           HasSubstr("--power-budget"), HasSubstr("--max-candidates")));
}

}  // namespace
}  // namespace cadenza::test
