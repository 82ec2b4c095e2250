// `cadenza layers` end to end: formats, exit codes, messages.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/support/cadenza_run.h"
#include "tests/support/files.h"
#include "tests/support/paths.h"

namespace cadenza::test {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

std::string Model(const std::string& name) { return SourcePath("models/" + name + ".onnx"); }

// A Conv with symbolic N, H and W and a 2x2 MatMul (tests/data/good/make_good_onnx.py).
const std::string kSymbolic = SourcePath("tests/data/good/symbolic_conv.onnx");

class LayersCommandTest : public ::testing::Test {
 protected:
  RunResult Layers(std::vector<std::string> args) {
    args.insert(args.begin(), "layers");
    return RunCadenza(args);
  }

  TempDir dir_;
};

TEST_F(LayersCommandTest, JsonHasTheLayersAndTheTotal) {
  const RunResult run = Layers({Model("resnet50"), "--format", "json"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("\"layers\": ["));
  EXPECT_THAT(run.out, HasSubstr("{\n      \"name\": \"/conv1/Conv\",\n      \"op_type\": \"Conv\""));
  EXPECT_THAT(run.out, HasSubstr("\"macs\": 118013952"));
  EXPECT_THAT(run.out, HasSubstr("\"total_macs\": 4089184256"));
  EXPECT_THAT(run.out, HasSubstr("\"other_ops\": {\n    \"Add\": 16"));
  EXPECT_EQ(run.err, "");
}

TEST_F(LayersCommandTest, TableAndCsv) {
  const RunResult table = Layers({Model("mobilenet_v2"), "--batch", "2"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("batch 2"));
  EXPECT_THAT(table.out, HasSubstr("DSCONV"));
  EXPECT_THAT(table.out, HasSubstr("53 MAC nodes, 53 analyzer layers, 601,548,544 MACs"));
  EXPECT_THAT(table.out, HasSubstr("other ops: Add 10, Clip 35"));

  const RunResult csv = Layers({Model("dcgan_generator"), "--format", "csv"});
  EXPECT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_THAT(csv.out, StartsWith("node_index,node,op_type,layer,kind,N,K,C,Y,X,R,S,M,G,"));
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 1 + 17);
}

TEST_F(LayersCommandTest, OutputFile) {
  const std::string out = dir_.Path("layers.json");
  const RunResult run = Layers({Model("vgg16"), "--format", "json", "-o", out});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(ReadFile(out), HasSubstr("\"total_macs\": 15470264320"));
  EXPECT_THAT(dir_.Files(), ::testing::ElementsAre("layers.json"));
}

TEST_F(LayersCommandTest, BadFilesExitOneNamingTheFile) {
  const std::string missing = dir_.Path("missing.onnx");
  RunResult run = Layers({missing});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, StartsWith("cadenza: error: " + missing + ": cannot open"));

  const std::string text = dir_.Write("text.onnx", "not a model\n");
  run = Layers({text});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr(text + ": not an ONNX model"));
  EXPECT_EQ(run.out, "");

  const std::string bytes = ReadFile(Model("resnet50"));
  const std::string cut = dir_.Write("cut.onnx", bytes.substr(0, bytes.size() / 3));
  run = Layers({cut, "--format", "json"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("cadenza: error: " + cut + ": "));
  EXPECT_THAT(run.err, HasSubstr("truncated"));
  EXPECT_EQ(run.out, "");
}

TEST_F(LayersCommandTest, UnresolvedIsAnErrorOrWithSkipUnresolvedAWarning) {
  RunResult run = Layers({kSymbolic});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr(kSymbolic + ": node 'Conv_0' (Conv)"));

  run = Layers({kSymbolic, "--skip-unresolved"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err,
              HasSubstr("cadenza: warning: " + kSymbolic + ": 1 MAC node(s) have unresolved"));
  EXPECT_THAT(run.out, HasSubstr("unresolved"));
  EXPECT_THAT(run.out, HasSubstr("1 MAC nodes, 1 analyzer layers, 8 MACs"));

  run = Layers({kSymbolic, "--dim", "H=6", "--dim", "W=6", "--format", "json"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("\"output\": [\n        1,\n        8,\n        4,\n        4\n      ]"));
}

TEST_F(LayersCommandTest, UsageErrorsExitTwo) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{}, "layers: MODEL.onnx is required"},
      {{Model("vgg16"), "--format", "xml"}, "layers: --format must be table, json or csv, not 'xml'"},
      {{Model("vgg16"), "--batch", "0"}, "layers: --batch must be at least 1"},
      {{Model("vgg16"), "--input", "x"}, "layers: --input expects NAME=D1xD2x..., got 'x'"},
      {{Model("vgg16"), "--bogus"}, "layers: unknown option '--bogus'"},
  };
  for (const Case& c : cases) {
    const RunResult run = Layers(c.args);
    EXPECT_EQ(run.exit_code, 2) << c.message;
    EXPECT_EQ(run.err,
              "cadenza: usage error: " + c.message + "\nTry 'cadenza layers --help'.\n");
    EXPECT_THAT(run.out, IsEmpty()) << c.message;
  }
  const RunResult help = Layers({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--skip-unresolved"));
}

}  // namespace
}  // namespace cadenza::test
