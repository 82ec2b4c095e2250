// `--emit-maestro OUT.m` (search and dse): the chosen mapping of every layer as a `.m` network
// that `cadenza eval --mapping OUT.m` on the same hardware evaluates to the search's own figures,
// layer by layer, under the cost model the search used.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/cadenza_run.h"
#include "tests/support/files.h"
#include "tests/support/paths.h"

namespace cadenza::test {
namespace {

using Json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const std::string kSmallHw = SourcePath("tests/data/maestro/hw/hw256_bw32.m");

// Two CONV layers of one shape (searched once), a strided one and an FC layer.
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
  Layer strided {
    Type: CONV
    Stride { X: 2, Y: 2 }
    Dimensions { K: 8, C: 16, R: 3, S: 3, Y: 11, X: 11 }
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

Json ParseJson(const std::string& path) { return Json::parse(ReadFile(path)); }

// Every layer of the search report against the eval of the emitted file: the same layers in the
// same order, the same dims, and the same runtime and energy (eval gives one instance's).
void ExpectSameFigures(const Json& search, const Json& eval) {
  const Json& searched = search.at("layers");
  const Json& evaluated = eval.at("layers");
  ASSERT_EQ(evaluated.size(), searched.size());
  for (size_t i = 0; i < searched.size(); ++i) {
    const Json& s = searched[i];
    const Json& e = evaluated[i];
    SCOPED_TRACE("layer " + s.at("name").get<std::string>());
    ASSERT_TRUE(s.at("found").get<bool>());
    ASSERT_TRUE(e.at("error").is_null()) << e.at("error");
    EXPECT_EQ(e.at("dims"), s.at("dims"));
    EXPECT_EQ(e.at("stride"), s.at("stride"));
    const int64_t instances = e.at("instances").get<int64_t>();
    EXPECT_EQ(instances, s.at("instances").get<int64_t>());
    EXPECT_EQ(e.at("runtime_cycles").get<int64_t>() * instances,
              s.at("runtime_cycles").get<int64_t>());
    EXPECT_DOUBLE_EQ(e.at("total_energy_pj").get<double>() * static_cast<double>(instances),
                     s.at("energy_pj").get<double>());
    EXPECT_EQ(e.at("exact_macs").get<int64_t>(), s.at("exact_macs").get<int64_t>());
  }
  EXPECT_EQ(eval.at("total").at("runtime_cycles").get<int64_t>(),
            search.at("total").at("runtime_cycles").get<int64_t>());
}

class EmitMaestroTest : public ::testing::Test {
 protected:
  TempDir dir_;
};

// The search's default model (exact) is the one the file names, and eval under it gives the
// search's figures.
TEST_F(EmitMaestroTest, EvalOfTheEmittedNetworkGivesTheSearchsFigures) {
  const std::string net = dir_.Write("small.m", kNetwork);
  const std::string out = dir_.Path("chosen.m");
  const RunResult search = RunCadenza({"search", net, "--hw", kSmallHw, "--max-candidates", "500",
                                       "--json", dir_.Path("search.json"), "--emit-maestro", out});
  ASSERT_EQ(search.exit_code, 0) << search.err;
  EXPECT_THAT(search.out, HasSubstr("wrote " + out));
  const std::string text = ReadFile(out);
  EXPECT_THAT(text, StartsWith("// The mapping chosen for every layer by cadenza "));
  EXPECT_THAT(text, HasSubstr("// Evaluate it: cadenza eval --mapping THIS.m --hw " + kSmallHw +
                              " --model exact\n"));
  EXPECT_THAT(text, HasSubstr("  Layer strided {\n    Type: CONV\n    Stride { X: 2, Y: 2 }\n"));
  // The FC layer is the GEMM it is searched as.
  EXPECT_THAT(text, HasSubstr("  Layer fc {\n    Type: GEMM\n    Dimensions { N: 32, K: 64, M: 1 }"));

  const RunResult eval = RunCadenza({"eval", "--mapping", out, "--hw", kSmallHw, "--model",
                                     "exact", "--json", dir_.Path("eval.json")});
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  ExpectSameFigures(ParseJson(dir_.Path("search.json")), ParseJson(dir_.Path("eval.json")));
}

// An ONNX model: layer names with '/', GEMM layers that run once per time step (Instances),
// under both cost models.
TEST_F(EmitMaestroTest, OnnxNamesAndInstancesRoundTripUnderBothModels) {
  const std::string model = SourcePath("tests/data/good/lstm_small.onnx");
  for (const std::string cost_model : {"maestro", "exact"}) {
    SCOPED_TRACE(cost_model);
    const std::string out = dir_.Path("lstm_" + cost_model + ".m");
    const std::string json = dir_.Path("search_" + cost_model + ".json");
    const RunResult search = RunCadenza({"search", model, "--model", cost_model,
                                         "--max-candidates", "200", "--json", json,
                                         "--emit-maestro", out});
    ASSERT_EQ(search.exit_code, 0) << search.err;
    const std::string text = ReadFile(out);
    EXPECT_THAT(text, HasSubstr("    Instances: "));
    EXPECT_THAT(text, HasSubstr("--model " + cost_model + "\n"));
    const std::string eval_json = dir_.Path("eval_" + cost_model + ".json");
    const RunResult eval = RunCadenza({"eval", "--mapping", out, "--model", cost_model,
                                       "--json", eval_json});
    ASSERT_EQ(eval.exit_code, 0) << eval.err;
    ExpectSameFigures(ParseJson(json), ParseJson(eval_json));
  }
}

// Under the exact model a dilated conv is one layer, written with Cadenza's Dilation block;
// under the MAESTRO-compatible model it is searched, and written, as its undilated phases.
TEST_F(EmitMaestroTest, DilatedLayersRoundTripUnderBothModels) {
  const std::string model = SourcePath("tests/data/good/dilated_conv.onnx");
  for (const std::string cost_model : {"exact", "maestro"}) {
    SCOPED_TRACE(cost_model);
    const std::string out = dir_.Path("dilated_" + cost_model + ".m");
    const std::string json = dir_.Path("search_" + cost_model + ".json");
    const RunResult search = RunCadenza({"search", model, "--model", cost_model,
                                         "--max-candidates", "100", "--json", json,
                                         "--emit-maestro", out});
    ASSERT_EQ(search.exit_code, 0) << search.err;
    const std::string text = ReadFile(out);
    if (cost_model == "exact") {
      EXPECT_THAT(text, HasSubstr("    Dilation { X: 2, Y: 2 }\n"));
    } else {
      EXPECT_THAT(text, Not(HasSubstr("Dilation")));
    }
    const std::string eval_json = dir_.Path("eval_" + cost_model + ".json");
    const RunResult eval = RunCadenza({"eval", "--mapping", out, "--model", cost_model,
                                       "--json", eval_json});
    ASSERT_EQ(eval.exit_code, 0) << eval.err;
    const Json searched = ParseJson(json);
    const Json evaluated = ParseJson(eval_json);
    ExpectSameFigures(searched, evaluated);
    // The search report's layers carry their dilation (the exact model: 2 and 3).
    std::vector<int64_t> dilations;
    for (const Json& l : searched.at("layers")) dilations.push_back(l.at("dilation").at("y"));
    if (cost_model == "exact") {
      EXPECT_EQ(dilations, (std::vector<int64_t>{2, 3}));
    } else {
      EXPECT_THAT(dilations, ::testing::Each(1));
    }
  }
  // The MAESTRO-compatible model has no dilation: the exact search's file is refused by it,
  // naming the layer, rather than evaluated as another layer.
  const RunResult refused = RunCadenza({"eval", "--mapping", dir_.Path("dilated_exact.m"),
                                        "--model", "maestro"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("the MAESTRO-compatible model has no dilation"));
}

// The chosen design of a sweep: its hardware is in the file's comments, as a configuration that
// eval reads back, and eval of the file on it gives the chosen design's per-layer figures.
TEST_F(EmitMaestroTest, DseEmitsTheChosenDesignsMappingsAndHardware) {
  const std::string net = dir_.Write("small.m", kNetwork);
  const std::string out = dir_.Path("chosen.m");
  const RunResult dse = RunCadenza({"dse", net, "--sweep",
                                    SourcePath("tests/data/good/dse_sweep_small.textproto"),
                                    "--max-candidates", "300", "--json", dir_.Path("dse.json"),
                                    "--emit-maestro", out});
  ASSERT_EQ(dse.exit_code, 0) << dse.err;
  const std::string text = ReadFile(out);
  EXPECT_THAT(text, HasSubstr("// The chosen design's hardware (save these lines as "
                              "HW.textproto):\n"));
  std::string hw_text;
  bool in_hardware = false;
  for (const std::string& line : Lines(text)) {
    if (line.find("(save these lines as HW.textproto)") != std::string::npos) {
      in_hardware = true;
    } else if (in_hardware && line.rfind("//   ", 0) == 0) {
      hw_text += line.substr(5) + "\n";
    } else if (in_hardware) {
      break;
    }
  }
  const std::string hw = dir_.Write("HW.textproto", hw_text);
  // The DSE's default model (exact) is the one the file names.
  EXPECT_THAT(text, HasSubstr("--model exact\n"));
  const RunResult eval = RunCadenza({"eval", "--mapping", out, "--hw", hw, "--model", "exact",
                                     "--json", dir_.Path("eval.json")});
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  // The DSE report's chosen design gives runtime and energy (nJ) per layer.
  const Json chosen = ParseJson(dir_.Path("dse.json")).at("chosen");
  const Json evaluated = ParseJson(dir_.Path("eval.json")).at("layers");
  ASSERT_EQ(evaluated.size(), chosen.at("layers").size());
  for (size_t i = 0; i < evaluated.size(); ++i) {
    const Json& c = chosen.at("layers")[i];
    const Json& e = evaluated[i];
    SCOPED_TRACE("layer " + c.at("name").get<std::string>());
    ASSERT_TRUE(e.at("error").is_null()) << e.at("error");
    const int64_t instances = e.at("instances").get<int64_t>();
    EXPECT_EQ(instances, c.at("instances").get<int64_t>());
    EXPECT_EQ(e.at("runtime_cycles").get<int64_t>() * instances,
              c.at("runtime_cycles").get<int64_t>());
    EXPECT_DOUBLE_EQ(e.at("total_energy_pj").get<double>() * static_cast<double>(instances) / 1000,
                     c.at("energy_nj").get<double>());
  }
}

// The file is one of the run's outputs: checked with the others before the work starts.
TEST_F(EmitMaestroTest, ItIsCheckedLikeTheOtherOutputs) {
  const std::string net = dir_.Write("small.m", kNetwork);
  const RunResult same = RunCadenza({"search", net, "--json", dir_.Path("a"), "--emit-maestro",
                                     dir_.Path("a")});
  EXPECT_EQ(same.exit_code, 2);
  EXPECT_THAT(same.err, HasSubstr("--json and --emit-maestro name the same file"));
  const RunResult over = RunCadenza({"search", net, "--emit-maestro", net});
  EXPECT_EQ(over.exit_code, 2);
  EXPECT_THAT(over.err, HasSubstr("--emit-maestro '" + net + "' would overwrite the model"));
  const RunResult to_stdout = RunCadenza({"search", net, "--max-candidates", "200",
                                          "--emit-maestro", "-"});
  ASSERT_EQ(to_stdout.exit_code, 0) << to_stdout.err;
  EXPECT_THAT(to_stdout.out, StartsWith("// The mapping chosen for every layer"));
  EXPECT_THAT(to_stdout.err, HasSubstr("search took"));  // the summary moves to stderr
}

}  // namespace
}  // namespace cadenza::test
