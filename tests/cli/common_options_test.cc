// The options search, dse, layers and eval share (cli/common_options.h), as a user types them:
// model shape flags on every command that reads ONNX, --model, option typos, --strict and the
// report of MAC nodes that were not analysed.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/cadenza_run.h"
#include "tests/support/files.h"
#include "tests/support/paths.h"

namespace cadenza::test {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

// A Conv with symbolic N, H and W and a 2x2 MatMul (tests/data/good/make_good_onnx.py).
const std::string kSymbolic = SourcePath("tests/data/good/symbolic_conv.onnx");
// A Conv of 864 MACs and one of 216 inside an If, which the importer does not analyse.
const std::string kConvInIf = SourcePath("tests/data/good/conv_in_if.onnx");
const std::string kSweep = SourcePath("tests/data/good/dse_sweep_small.textproto");
const std::string kHw256 = SourcePath("tests/data/maestro/hw/hw256_bw32.m");

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

class CommonOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_.Write("one.m", kNetwork); }
  std::string Path(const std::string& name) const { return dir_.Path(name); }

  TempDir dir_;
};

// ---- Model shape ----

TEST_F(CommonOptionsTest, SearchBindsASymbolicDimWithDim) {
  const RunResult bound =
      RunCadenza({"search", kSymbolic, "--dim", "H=8", "--dim", "W=8", "--threads", "1",
                  "--max-candidates", "200", "--json", Path("r.json")});
  ASSERT_EQ(bound.exit_code, 0) << bound.err;
  EXPECT_THAT(bound.out, HasSubstr("symbolic_conv: 2 layers"));
  // 8 output channels x 6x6 outputs x 3x3x3 weights, and the MatMul's 8.
  EXPECT_THAT(ReadFile(Path("r.json")), HasSubstr("\"exact_macs\": " + std::to_string(8 * 36 * 27 + 8)));

  const RunResult unbound = RunCadenza({"search", kSymbolic});
  EXPECT_EQ(unbound.exit_code, 1);
  EXPECT_THAT(unbound.err, AllOf(HasSubstr("'H'"), HasSubstr("--dim NAME=N")));
}

TEST_F(CommonOptionsTest, SearchTakesInputShapesAndBatch) {
  const RunResult o = RunCadenza({"search", kSymbolic, "--input", "x=2x3x5x5", "--threads", "1",
                                  "--max-candidates", "200", "--json", Path("r.json")});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  // Batch 2, 3x3 outputs: 2 * 8 * 9 * 27 MACs, and the MatMul's 8.
  EXPECT_THAT(ReadFile(Path("r.json")), HasSubstr("\"exact_macs\": " + std::to_string(2 * 8 * 9 * 27 + 8)));
}

TEST_F(CommonOptionsTest, DseAndLayersTakeTheSameShapeOptions) {
  const RunResult dse = RunCadenza({"dse", kSymbolic, "--sweep", kSweep, "--dim", "H=6", "--dim",
                                    "W=6", "--max-candidates", "100", "--threads", "1"});
  EXPECT_EQ(dse.exit_code, 0) << dse.err;
  const RunResult layers = RunCadenza({"layers", kSymbolic, "--dim", "H=6", "--dim", "W=6",
                                       "--batch", "3"});
  EXPECT_EQ(layers.exit_code, 0) << layers.err;
  EXPECT_THAT(layers.out, HasSubstr("N3 K8 C3 Y6 X6 R3 S3"));
}

TEST_F(CommonOptionsTest, ShapeOptionsAreCheckedAlikeEverywhere) {
  for (const std::string command : {"search", "dse", "layers"}) {
    std::vector<std::string> args = {command, kSymbolic, "--dim", "H"};
    if (command == "dse") args.insert(args.end(), {"--sweep", kSweep});
    const RunResult o = RunCadenza(args);
    EXPECT_EQ(o.exit_code, 2) << command;
    EXPECT_THAT(o.err, HasSubstr(command + ": --dim expects NAME=VALUE, got 'H'"));
  }
  const RunResult m = RunCadenza({"dse", Path("one.m"), "--sweep", kSweep, "--dim", "H=2"});
  EXPECT_EQ(m.exit_code, 2);
  EXPECT_THAT(m.err, HasSubstr("dse: --dim applies to ONNX models only"));
  const RunResult input = RunCadenza({"search", Path("one.m"), "--input", "x=1x2"});
  EXPECT_EQ(input.exit_code, 2);
  EXPECT_THAT(input.err, HasSubstr("search: --input applies to ONNX models only"));
}

TEST_F(CommonOptionsTest, EvalSendsAnOnnxModelToSearch) {
  const RunResult o = RunCadenza({"eval", "--mapping", kSymbolic, "--hw", kHw256});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_THAT(o.err, HasSubstr("eval: '" + kSymbolic + "' is an ONNX model, which gives no "
                               "dataflows to evaluate; 'cadenza search' finds them"));
}

// ---- --model ----

// search and dse default to the exact model, eval to the MAESTRO-compatible one (it reproduces
// the original tool); --model chooses either, and the JSON names it.
TEST_F(CommonOptionsTest, ModelNamesTheCostModelInTheJson) {
  const RunResult search = RunCadenza({"search", "--model", "maestro", Path("one.m"),
                                       "--max-candidates", "100", "--json", Path("s.json")});
  ASSERT_EQ(search.exit_code, 0) << search.err;
  EXPECT_THAT(ReadFile(Path("s.json")), HasSubstr("\"cost_model\": \"maestro\""));
  const RunResult by_default = RunCadenza({"search", Path("one.m"), "--max-candidates", "100",
                                           "--json", Path("s2.json")});
  ASSERT_EQ(by_default.exit_code, 0) << by_default.err;
  EXPECT_THAT(ReadFile(Path("s2.json")), HasSubstr("\"cost_model\": \"exact\""));

  const RunResult dse = RunCadenza({"dse", Path("one.m"), "--sweep", kSweep, "--max-candidates",
                                    "100", "--json", Path("d.json")});
  ASSERT_EQ(dse.exit_code, 0) << dse.err;
  EXPECT_THAT(ReadFile(Path("d.json")), HasSubstr("\"cost_model\": \"exact\""));
  const RunResult dse_maestro = RunCadenza({"dse", Path("one.m"), "--sweep", kSweep, "--model",
                                            "maestro", "--max-candidates", "100", "--json",
                                            Path("d2.json")});
  ASSERT_EQ(dse_maestro.exit_code, 0) << dse_maestro.err;
  EXPECT_THAT(ReadFile(Path("d2.json")), HasSubstr("\"cost_model\": \"maestro\""));

  const RunResult eval =
      RunCadenza({"eval", "--mapping", Path("one.m"), "--hw", kHw256, "--json", Path("e.json")});
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  EXPECT_THAT(ReadFile(Path("e.json")), HasSubstr("\"cost_model\": \"maestro\""));
}

TEST_F(CommonOptionsTest, ExactModelRunsOnEveryCommandAndIsNamed) {
  const std::vector<std::vector<std::string>> runs = {
      {"eval", "--mapping", Path("one.m"), "--hw", kHw256, "--model", "exact", "--json",
       Path("e.json")},
      {"search", Path("one.m"), "--model", "exact", "--max-candidates", "100", "--json",
       Path("s.json")},
      {"dse", Path("one.m"), "--sweep", kSweep, "--model", "exact", "--max-candidates", "100",
       "--json", Path("d.json")},
  };
  for (const std::vector<std::string>& args : runs) {
    const RunResult o = RunCadenza(args);
    ASSERT_EQ(o.exit_code, 0) << args[0] << ": " << o.err;
    EXPECT_THAT(ReadFile(args.back()), HasSubstr("\"cost_model\": \"exact\"")) << args[0];
  }
}

// --compare-models adds the chosen mappings under both models to the review, and only then.
TEST_F(CommonOptionsTest, CompareModelsAddsTheComparison) {
  const RunResult with = RunCadenza({"search", Path("one.m"), "--max-candidates", "100",
                                     "--compare-models", "--json", Path("c.json")});
  ASSERT_EQ(with.exit_code, 0) << with.err;
  EXPECT_THAT(ReadFile(Path("c.json")), AllOf(HasSubstr("\"model_comparison\""),
                                              HasSubstr("\"exact_runtime_cycles\"")));
  EXPECT_THAT(with.out, HasSubstr("the MAESTRO-compatible model gives these mappings"));
  const RunResult without =
      RunCadenza({"search", Path("one.m"), "--max-candidates", "100", "--json", Path("n.json")});
  ASSERT_EQ(without.exit_code, 0) << without.err;
  EXPECT_THAT(ReadFile(Path("n.json")), Not(HasSubstr("\"model_comparison\"")));
}

TEST_F(CommonOptionsTest, UnknownModelListsTheValidOnes) {
  for (const std::string command : {"eval", "search", "dse"}) {
    std::vector<std::string> args = {command, "--model", "exat"};
    if (command == "eval") {
      args.insert(args.end(), {"--mapping", Path("one.m"), "--hw", kHw256});
    } else {
      args.push_back(Path("one.m"));
      if (command == "dse") args.insert(args.end(), {"--sweep", kSweep});
    }
    const RunResult o = RunCadenza(args);
    EXPECT_EQ(o.exit_code, 2) << command;
    EXPECT_THAT(o.err, HasSubstr(command + ": --model: unknown cost model 'exat' (use maestro "
                                           "or exact); did you mean 'exact'?"));
  }
}

// ---- Option typos ----

TEST_F(CommonOptionsTest, OptionTyposSuggestTheNearestOption) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"search", Path("one.m"), "--objectve", "edp"},
       "search: unknown option '--objectve'; did you mean '--objective'?"},
      {{"dse", Path("one.m"), "--sweeps", kSweep}, "dse: unknown option '--sweeps'; did you mean '--sweep'?"},
      {{"eval", "--maping", Path("one.m")}, "eval: unknown option '--maping'; did you mean '--mapping'?"},
      {{"layers", kSymbolic, "--dims=H=2"}, "layers: unknown option '--dims'; did you mean '--dim'?"},
      {{"simulate", "--jsn", "x"}, "simulate: unknown option '--jsn'; did you mean '--json'?"},
      {{"diff", "a.json", "b.json", "--ouput", "x"},
       "diff: unknown option '--ouput'; did you mean '--output'?"},
      {{"diff", "a.json"}, "diff: needs two review JSON files (A.json B.json), got 1"},
      {{"diff", "a.json", "b.json", "c.json"}, "diff: unexpected argument 'c.json'"},
      {{"search", Path("one.m"), "--zzzzzz"}, "search: unknown option '--zzzzzz'"},
      {{"search", Path("one.m"), "-q"}, "search: unknown option '-q'"},
      // An option's value that looks like an option is not the one at fault.
      {{"search", Path("one.m"), "--threads", "-1", "--objectve", "edp"},
       "search: unknown option '--objectve'; did you mean '--objective'?"},
  };
  for (const Case& c : cases) {
    const RunResult o = RunCadenza(c.args);
    EXPECT_EQ(o.exit_code, 2) << c.message;
    EXPECT_THAT(o.err, StartsWith("cadenza: usage error: " + c.message + "\n")) << c.message;
  }
}

// ---- Nodes not analysed, --strict ----

TEST_F(CommonOptionsTest, SummaryAndHtmlSayWhatIsNotAnalysedAndItsShare) {
  const RunResult o = RunCadenza({"search", kConvInIf, "--max-candidates", "200", "-o",
                                  Path("r.html")});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const std::string line =
      "1 MAC node not analysed, 20.0% of the model's MACs: then_conv (Conv)";
  // The second line of the summary, right under the title.
  EXPECT_THAT(o.out, StartsWith("conv_in_if: 1 layer on 256 PEs, objective edp\nwarning: " +
                                line + "\n"));
  EXPECT_THAT(ReadFile(Path("r.html")),
              HasSubstr("id=\"not-analysed\">1 MAC node not analysed, 20.0% of the "
                        "model&#39;s MACs: then_conv (Conv)"));
}

TEST_F(CommonOptionsTest, NodesWithoutAMacCountAreNamedWithoutAShare) {
  const RunResult o = RunCadenza({"search", kSymbolic, "--skip-unresolved", "--max-candidates",
                                  "100"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("\nwarning: 1 MAC node not analysed (MAC count unknown): "
                               "Conv_0 (Conv)\n"));
}

TEST_F(CommonOptionsTest, DseSaysWhatIsNotAnalysedFirst) {
  const RunResult o = RunCadenza({"dse", kConvInIf, "--sweep", kSweep, "--max-candidates", "100",
                                  "--json", Path("d.json")});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const std::string line =
      "1 MAC node not analysed, 20.0% of the model's MACs: then_conv (Conv)";
  EXPECT_THAT(o.out, StartsWith("warning: " + line + "\nconv_in_if: "));
  EXPECT_THAT(ReadFile(Path("d.json")), HasSubstr("\"" + line + "\""));
}

TEST_F(CommonOptionsTest, StrictMakesNodesNotAnalysedAnError) {
  for (const std::string command : {"search", "dse"}) {
    std::vector<std::string> args = {command, kConvInIf, "--strict", "--json", Path("r.json")};
    if (command == "dse") args.insert(args.end(), {"--sweep", kSweep});
    const RunResult o = RunCadenza(args);
    EXPECT_EQ(o.exit_code, 1) << command;
    EXPECT_THAT(o.err, HasSubstr("cadenza: error: " + kConvInIf +
                                 ": 1 MAC node not analysed, 20.0% of the model's MACs: "
                                 "then_conv (Conv); --strict makes this an error"))
        << command;
    EXPECT_THAT(o.out, IsEmpty()) << command;
  }
  EXPECT_EQ(dir_.Files(), std::vector<std::string>{"one.m"});
  // A model with every MAC node analysed passes.
  const RunResult whole = RunCadenza({"search", kSymbolic, "--dim", "H=4", "--dim", "W=4",
                                      "--strict", "--max-candidates", "100"});
  EXPECT_EQ(whole.exit_code, 0) << whole.err;
}

}  // namespace
}  // namespace cadenza::test
