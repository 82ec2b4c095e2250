// `cadenza layers` end to end: formats, exit codes, messages. Skipped when the binary has not
// been built (this test program does not depend on it).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#ifndef ONNX_ML
#define ONNX_ML 1
#endif
#ifndef ONNX_NAMESPACE
#define ONNX_NAMESPACE onnx
#endif
#include <onnx/defs/parser.h>
#include <onnx/onnx_pb.h>

namespace cadenza {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class OnnxCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(CADENZA_BINARY)) GTEST_SKIP() << "build the cadenza target first";
    dir_ = fs::temp_directory_path() / ("cadenza_cli_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  CliRun Cadenza(const std::string& args) {
    const fs::path out = dir_ / "stdout", err = dir_ / "stderr";
    const std::string command = std::string(CADENZA_BINARY) + " layers " + args + " >" +
                                out.string() + " 2>" + err.string();
    const int status = std::system(command.c_str());
    CliRun run;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.out = ReadFile(out);
    run.err = ReadFile(err);
    return run;
  }

  std::string Model(const std::string& name) {
    return std::string(CADENZA_SOURCE_DIR) + "/models/" + name + ".onnx";
  }

  // Writes a model given in ONNX text syntax to the temporary directory.
  std::string WriteText(const std::string& name, const char* text) {
    onnx::ModelProto model;
    EXPECT_TRUE(onnx::OnnxParser::Parse(model, text).IsOK());
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << model.SerializeAsString();
    return path.string();
  }

  fs::path dir_;
};

TEST_F(OnnxCliTest, JsonHasTheLayersAndTheTotal) {
  const CliRun run = Cadenza(Model("resnet50") + " --format json");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("\"layers\": ["));
  EXPECT_THAT(run.out, HasSubstr("{\"name\": \"/conv1/Conv\", \"op_type\": \"Conv\""));
  EXPECT_THAT(run.out, HasSubstr("\"macs\": 118013952"));
  EXPECT_THAT(run.out, HasSubstr("\"total_macs\": 4089184256"));
  EXPECT_THAT(run.out, HasSubstr("\"other_ops\": {\"Add\": 16"));
  EXPECT_EQ(run.err, "");
}

TEST_F(OnnxCliTest, TableAndCsv) {
  const CliRun table = Cadenza(Model("mobilenet_v2") + " --batch 2");
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_THAT(table.out, HasSubstr("batch 2"));
  EXPECT_THAT(table.out, HasSubstr("DSCONV"));
  EXPECT_THAT(table.out, HasSubstr("53 MAC nodes, 53 analyzer layers, 601,548,544 MACs"));
  EXPECT_THAT(table.out, HasSubstr("other ops: Add 10, Clip 35"));

  const CliRun csv = Cadenza(Model("dcgan_generator") + " --format csv");
  EXPECT_EQ(csv.exit_code, 0);
  EXPECT_THAT(csv.out, StartsWith("node_index,node,op_type,layer,kind,N,K,C,Y,X,R,S,M,G,"));
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 1 + 17);
}

TEST_F(OnnxCliTest, OutputFile) {
  const fs::path out = dir_ / "layers.json";
  const CliRun run = Cadenza(Model("vgg16") + " --format json -o " + out.string());
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(ReadFile(out), HasSubstr("\"total_macs\": 15470264320"));
}

TEST_F(OnnxCliTest, BadFilesExitOneNamingTheFile) {
  const std::string missing = (dir_ / "missing.onnx").string();
  CliRun run = Cadenza(missing);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, StartsWith("cadenza: error: " + missing + ": cannot open"));

  const std::string text = (dir_ / "text.onnx").string();
  std::ofstream(text) << "not a model\n";
  run = Cadenza(text);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr(text + ": not an ONNX model"));
  EXPECT_EQ(run.out, "");

  const std::string cut = (dir_ / "cut.onnx").string();
  const std::string bytes = ReadFile(Model("resnet50"));
  std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 3);
  run = Cadenza(cut + " --format json");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("truncated"));
  EXPECT_EQ(run.out, "");
}

TEST_F(OnnxCliTest, UnresolvedIsAnErrorOrWithSkipUnresolvedAWarning) {
  const std::string path = WriteText("sym.onnx", R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[N, 3, H, W] x, float[8, 3, 3, 3] w, float[2, 2] a) => (float[N, 8, P, Q] y,
                                                                  float[2, 2] z) {
      y = Conv (x, w)
      z = MatMul (a, a)
    })");
  CliRun run = Cadenza(path);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr(path + ": node 'Conv_0' (Conv)"));

  run = Cadenza(path + " --skip-unresolved");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_THAT(run.err, HasSubstr("cadenza: warning: " + path + ": 1 MAC node(s) have unresolved"));
  EXPECT_THAT(run.out, HasSubstr("unresolved"));
  EXPECT_THAT(run.out, HasSubstr("1 MAC nodes, 1 analyzer layers, 8 MACs"));

  run = Cadenza(path + " --dim H=6 --dim W=6 --format json");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("\"output\": [1, 8, 4, 4]"));
}

TEST_F(OnnxCliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Cadenza("").exit_code, 2);
  EXPECT_EQ(Cadenza(Model("vgg16") + " --format xml").exit_code, 2);
  EXPECT_EQ(Cadenza(Model("vgg16") + " --batch 0").exit_code, 2);
  EXPECT_EQ(Cadenza(Model("vgg16") + " --input x").exit_code, 2);
  EXPECT_EQ(Cadenza(Model("vgg16") + " --bogus").exit_code, 2);
  const CliRun help = Cadenza("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--skip-unresolved"));
}

}  // namespace
}  // namespace cadenza
