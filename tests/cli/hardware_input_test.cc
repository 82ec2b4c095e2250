// Every command reads a hardware file the same way (cli/common_options.h, LoadHardware): Cadenza's
// text format or a MAESTRO hardware .m file, with the same meaning (the SIMD width a file sets)
// and the same warnings about a result (a NoC need above the capacity) in search and eval.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/cadenza_run.h"
#include "tests/support/files.h"
#include "tests/support/paths.h"

namespace cadenza::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kDefaultHw = SourcePath("models/hw/default.textproto");

// One CONV layer whose dataflow sends 16 filter elements (one per PE) every step.
constexpr const char* kNetwork = R"(Network one {
  Layer conv {
    Type: CONV
    Dimensions { K: 16, C: 4, R: 3, S: 3, Y: 10, X: 10 }
    Dataflow {
      SpatialMap(1,1) K;
      TemporalMap(1,1) C;
      TemporalMap(Sz(R),1) Y;
      TemporalMap(Sz(S),1) X;
      TemporalMap(Sz(R),Sz(R)) R;
      TemporalMap(Sz(S),Sz(S)) S;
    }
  }
}
)";

class HardwareInputTest : public ::testing::Test {
 protected:
  void SetUp() override { net_ = dir_.Write("net.m", kNetwork); }
  TempDir dir_;
  std::string net_;
};

TEST_F(HardwareInputTest, EvalReadsTheTextFormat) {
  const RunResult o = RunCadenza({"eval", "--mapping", net_, "--hw", kDefaultHw,
                                  "--json", dir_.Path("out.json")});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("one on 256 PEs x 1 SIMD lane;"));
  const std::string json = ReadFile(dir_.Path("out.json"));
  EXPECT_THAT(json, HasSubstr("\"hardware_file\": \"" + kDefaultHw + "\""));
  EXPECT_THAT(json, HasSubstr("\"l1_bytes\": 1024"));
}

// Without --hw, eval takes the built-in hardware, as search does.
TEST_F(HardwareInputTest, EvalWithoutHwTakesTheBuiltInPreset) {
  const RunResult with = RunCadenza({"eval", "--mapping", net_, "--hw", kDefaultHw});
  const RunResult without = RunCadenza({"eval", "--mapping", net_});
  ASSERT_EQ(without.exit_code, 0) << without.err;
  EXPECT_EQ(without.out, with.out);
}

// A MAESTRO hardware file's num_simd_lanes means the same to eval, simulate and search.
TEST_F(HardwareInputTest, SimdLanesOfAMaestroFileAreHonouredEverywhere) {
  const std::string hw = dir_.Write("simd2.m", "num_pes: 64\nnum_simd_lanes: 2\n");
  const RunResult eval = RunCadenza({"eval", "--mapping", net_, "--hw", hw});
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  EXPECT_THAT(eval.out, HasSubstr("one on 64 PEs x 2 SIMD lanes;"));
  EXPECT_THAT(eval.out, Not(HasSubstr("x 1 SIMD lane")));
  // --simd-lanes still overrides the file.
  const RunResult four = RunCadenza({"eval", "--mapping", net_, "--hw", hw, "--simd-lanes", "4"});
  ASSERT_EQ(four.exit_code, 0) << four.err;
  EXPECT_THAT(four.out, HasSubstr("one on 64 PEs x 4 SIMD lanes;"));

  const RunResult simulate = RunCadenza({"simulate", "--mapping", net_, "--hw", hw, "--json",
                                         dir_.Path("sim.json")});
  ASSERT_EQ(simulate.exit_code, 0) << simulate.err;
  EXPECT_THAT(ReadFile(dir_.Path("sim.json")), HasSubstr("\"simd_lanes\": 2"));

  const RunResult search = RunCadenza({"search", net_, "--hw", hw, "--max-candidates", "200",
                                       "--json", dir_.Path("search.json")});
  ASSERT_EQ(search.exit_code, 0) << search.err;
  EXPECT_THAT(ReadFile(dir_.Path("search.json")), HasSubstr("\"simd_lanes\": 2"));
}

// A NoC need above the capacity: eval says so, as search does for its choices.
TEST_F(HardwareInputTest, EvalWarnsWhenTheNocNeedExceedsTheCapacity) {
  const std::string hw = dir_.Write("narrow.textproto", "num_pes: 64\nnoc { bandwidth: 2 }\n");
  const RunResult eval = RunCadenza({"eval", "--mapping", net_, "--hw", hw, "--json",
                                     dir_.Path("eval.json")});
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  EXPECT_THAT(eval.err, HasSubstr("cadenza: warning: " + net_ + ":2: layer 'conv': peak NoC "
                                  "bandwidth need "));
  EXPECT_THAT(eval.err, HasSubstr(" elements/cycle exceeds the 2 available (a soft limit on this "
                                  "hardware)"));
  EXPECT_THAT(ReadFile(dir_.Path("eval.json")), HasSubstr("exceeds the 2 available"));
  // The search words it the same (report/layer_warnings.h; tests/golden/report_small.json holds
  // one), but finds a mapping within 2 elements/cycle here, so it has nothing to say.
}

TEST_F(HardwareInputTest, SimulateReadsTheTextFormat) {
  const std::string hw = dir_.Write("hw.textproto", "num_pes: 16\nsimd_lanes: 1\n"
                                                    "noc { bandwidth: 8 }\n");
  const RunResult o = RunCadenza({"simulate", "--mapping", net_, "--hw", hw, "--json",
                                  dir_.Path("sim.json")});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("layer conv (CONV)"));
  const std::string json = ReadFile(dir_.Path("sim.json"));
  EXPECT_THAT(json, HasSubstr("\"num_pes\": 16"));
  EXPECT_THAT(json, HasSubstr("\"noc_bw_per_cycle\": 8"));
  EXPECT_THAT(json, HasSubstr("\"legal\": true"));
}

// One hardware written in each format means the same to every command: eval's table and
// simulate's counts do not depend on the format.
TEST_F(HardwareInputTest, EveryFormatMeansTheSameToEveryCommand) {
  const std::vector<std::string> files = {
      dir_.Write("hw.m", "num_pes: 64\nl1_size_cstr: 512\nl2_size_cstr: 65536\nnoc_bw_cstr: 8\n"
                         "offchip_bw_cstr: 4\nnum_simd_lanes: 2\n"),
      dir_.Write("hw.textproto", "num_pes: 64 simd_lanes: 2 l1_bytes: 512 l2_bytes: 65536\n"
                                 "noc { bandwidth: 8 } offchip_bandwidth: 4\n"),
      dir_.Write("hw.json", R"({"num_pes": 64, "simdLanes": 2, "l1_bytes": 512, "l2_bytes": 65536,
                                "noc": {"bandwidth": 8}, "offchip_bandwidth": 4})"),
  };
  std::vector<std::string> eval_out, simulate_out;
  for (const std::string& hw : files) {
    const RunResult eval = RunCadenza({"eval", "--mapping", net_, "--hw", hw});
    ASSERT_EQ(eval.exit_code, 0) << hw << ": " << eval.err;
    EXPECT_THAT(eval.out, HasSubstr("one on 64 PEs x 2 SIMD lanes;")) << hw;
    EXPECT_THAT(eval.err, HasSubstr("exceeds the 8 available")) << hw;
    eval_out.push_back(eval.out);
    const RunResult simulate = RunCadenza({"simulate", "--mapping", net_, "--hw", hw});
    ASSERT_EQ(simulate.exit_code, 0) << hw << ": " << simulate.err;
    simulate_out.push_back(simulate.out);
  }
  EXPECT_EQ(eval_out[1], eval_out[0]);
  EXPECT_EQ(eval_out[2], eval_out[0]);
  EXPECT_EQ(simulate_out[1], simulate_out[0]);
  EXPECT_EQ(simulate_out[2], simulate_out[0]);
}

// A bad file is reported by the one reader, naming the file and line, in every command.
TEST_F(HardwareInputTest, ABadTextFormatFileIsOneErrorEverywhere) {
  const std::string hw = dir_.Write("bad.textproto", "num_pes: 16\nnum_pe: 3\n");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"eval", "--mapping", net_, "--hw", hw},
        std::vector<std::string>{"simulate", "--mapping", net_, "--hw", hw},
        std::vector<std::string>{"search", net_, "--hw", hw}}) {
    const RunResult o = RunCadenza(args);
    EXPECT_EQ(o.exit_code, 1) << args[0];
    EXPECT_THAT(o.err, HasSubstr("cadenza: error: " + hw + ":2:")) << args[0];
  }
}

}  // namespace
}  // namespace cadenza::test
