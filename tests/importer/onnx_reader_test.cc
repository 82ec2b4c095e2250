// Reading model files: weights skipped yet shapes kept, external data never opened, and every
// kind of bad file rejected with the file (and node) named.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#ifndef ONNX_ML
#define ONNX_ML 1
#endif
#ifndef ONNX_NAMESPACE
#define ONNX_NAMESPACE onnx
#endif
#include <onnx/defs/parser.h>
#include <onnx/onnx_pb.h>

#include "analyzer/error.h"
#include "importer/onnx_importer.h"
#include "tests/support/files.h"
#include "tests/support/paths.h"

namespace cadenza {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using test::TempDir;

onnx::ModelProto Parse(const char* text) {
  onnx::ModelProto model;
  const onnx::Status status = onnx::OnnxParser::Parse(model, text);
  EXPECT_TRUE(status.IsOK()) << status.ErrorMessage();
  return model;
}

// A conv whose weight (64 x 16 x 3 x 3 floats, 36 KiB) is an initializer, and a Reshape whose
// target shape is a small initializer that shape inference needs.
onnx::ModelProto ModelWithWeights() {
  onnx::ModelProto model = Parse(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[1, 16, 8, 8] x) => (float[1, 4096] y) {
      c = Conv <pads = [1, 1, 1, 1]> (x, w)
      y = Reshape (c, shape)
    })");
  onnx::TensorProto* w = model.mutable_graph()->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : {64, 16, 3, 3}) w->add_dims(d);
  w->set_raw_data(std::string(64 * 16 * 9 * 4, '\x01'));
  onnx::TensorProto* shape = model.mutable_graph()->add_initializer();
  shape->set_name("shape");
  shape->set_data_type(onnx::TensorProto::INT64);
  shape->add_dims(2);
  shape->add_int64_data(1);
  shape->add_int64_data(-1);
  return model;
}

std::string ImportError(std::string_view bytes, const std::string& name = "bad.onnx") {
  try {
    ImportOnnxBytes(bytes, name);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(OnnxReaderTest, WeightsAreSkippedButTheirShapesAndSmallConstantsKept) {
  const std::string bytes = ModelWithWeights().SerializeAsString();
  const OnnxImport m = ImportOnnxBytes(bytes, "weights.onnx");
  ASSERT_EQ(m.nodes.size(), 1u);
  EXPECT_EQ(m.nodes[0].input_shapes[1], (std::vector<int64_t>{64, 16, 3, 3}));
  EXPECT_EQ(m.nodes[0].macs, 64 * 64 * 16 * 9);
  EXPECT_EQ(m.other_ops.at("Reshape"), 1);
}

TEST(OnnxReaderTest, ExternalDataIsNeverOpened) {
  onnx::ModelProto model = ModelWithWeights();
  onnx::TensorProto* w = model.mutable_graph()->mutable_initializer(0);
  w->clear_raw_data();
  w->set_data_location(onnx::TensorProto::EXTERNAL);
  onnx::StringStringEntryProto* location = w->add_external_data();
  location->set_key("location");
  location->set_value("missing.onnx.data");
  TempDir dir;
  const std::string path = dir.Write("external.onnx", model.SerializeAsString());
  const OnnxImport m = ImportOnnx(path);
  EXPECT_EQ(m.nodes.at(0).macs, 64 * 64 * 16 * 9);
  EXPECT_EQ(m.network.source_path, path);
}

TEST(OnnxReaderTest, FileAndBytesAgree) {
  TempDir dir;
  const std::string bytes = ModelWithWeights().SerializeAsString();
  const OnnxImport from_file = ImportOnnx(dir.Write("m.onnx", bytes));
  const OnnxImport from_bytes = ImportOnnxBytes(bytes, "m.onnx");
  EXPECT_EQ(from_file.total_macs, from_bytes.total_macs);
  EXPECT_EQ(from_file.network.layers.size(), from_bytes.network.layers.size());
}

TEST(OnnxReaderTest, EmptyMissingAndDirectory) {
  EXPECT_THAT(ImportError(""), HasSubstr("bad.onnx: the file is empty"));
  const TempDir dir;
  const std::string missing = dir.Path("nope.onnx");
  EXPECT_THAT([&] { ImportOnnx(missing); },
              ThrowsMessage<InputError>(HasSubstr(missing + ": cannot open")));
  EXPECT_THAT([&] { ImportOnnx(dir.path().string()); },
              ThrowsMessage<InputError>(
                  AllOf(HasSubstr(dir.path().string() + ": "), HasSubstr("Is a directory"))));
}

TEST(OnnxReaderTest, NotOnnx) {
  EXPECT_THAT(ImportError("hello, I am a text file\n"),
              HasSubstr("bad.onnx: not an ONNX model: invalid protobuf data near byte 3"));
  EXPECT_THAT(ImportError(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16)),
              HasSubstr("not an ONNX model"));
  // A serialized tensor is a valid protobuf message, but not a model.
  onnx::TensorProto tensor;
  tensor.set_name("t");
  tensor.add_dims(3);
  tensor.set_data_type(onnx::TensorProto::FLOAT);
  EXPECT_THAT(ImportError(tensor.SerializeAsString()),
              HasSubstr("bad.onnx: not an ONNX model: the model's fields do not parse as ONNX "
                        "protobuf"));
}

TEST(OnnxReaderTest, EveryTruncationIsAnError) {
  const std::string bytes = ModelWithWeights().SerializeAsString();
  for (size_t cut = 1; cut < bytes.size(); cut += cut < 400 ? 1 : 997) {
    SCOPED_TRACE("cut at " + std::to_string(cut) + " of " + std::to_string(bytes.size()));
    EXPECT_THAT(ImportError(std::string_view(bytes).substr(0, cut)), HasSubstr("bad.onnx: "));
  }
}

TEST(OnnxReaderTest, TruncatedBundledModelSaysSo) {
  const std::string bytes = test::ReadFile(test::SourcePath("models/resnet50.onnx"));
  ASSERT_GT(bytes.size(), 1000u);
  const std::string error = ImportError(std::string_view(bytes).substr(0, bytes.size() / 2));
  EXPECT_THAT(error, HasSubstr("ends early"));
  EXPECT_THAT(error, HasSubstr("truncated"));
}

TEST(OnnxReaderTest, CycleNamesItsNodes) {
  const std::string bytes = Parse(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[4] x) => (float[4] y) {
      a = Add (x, b)
      b = Relu (a)
      y = Relu (b)
    })").SerializeAsString();
  EXPECT_THAT(ImportError(bytes, "cycle.onnx"),
              HasSubstr("cycle.onnx: node 'Add_0' (Add): the graph has a cycle: 'Relu_1' -> "
                        "'Add_0' -> 'Relu_1'"));
}

TEST(OnnxReaderTest, ConvWeightUnknownOrInconsistent) {
  const char* unknown = R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[1, 3, 8, 8] x, float[8, 3, 3, 3] w0, int64[4] s) => (float[1, 8, 6, 6] y) {
      w = Reshape (w0, s)
      y = Conv (x, w)
    })";
  const std::string error = ImportError(Parse(unknown).SerializeAsString(), "u.onnx");
  EXPECT_THAT(error, HasSubstr("u.onnx: node 'Conv_1' (Conv): the shape of the weight 'w'"));
  EXPECT_THAT(error, HasSubstr("stopped at node 'Reshape_0' (Reshape)"));
  ImportOptions skip;
  skip.skip_unresolved = true;
  const OnnxImport m = ImportOnnxBytes(Parse(unknown).SerializeAsString(), "u.onnx", skip);
  ASSERT_EQ(m.skipped.size(), 1u);
  EXPECT_EQ(m.skipped[0].why, SkippedNode::Why::kUnresolved);

  const char* inconsistent = R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[1, 3, 8, 8] x, float[8, 5, 3, 3] w) => (float[1, 8, 6, 6] y) {
      y = Conv (x, w)
    })";
  EXPECT_THAT(ImportError(Parse(inconsistent).SerializeAsString(), "i.onnx"),
              HasSubstr("i.onnx: node 'Conv_0' (Conv): weight [8, 5, 3, 3] expects 5 input "
                        "channels but input [1, 3, 8, 8] has 3"));
  // Inconsistent stays an error even when unresolved nodes may be skipped.
  EXPECT_THAT([&] { ImportOnnxBytes(Parse(inconsistent).SerializeAsString(), "i.onnx", skip); },
              ThrowsMessage<InputError>(
                  HasSubstr("i.onnx: node 'Conv_0' (Conv): weight [8, 5, 3, 3] expects 5 input "
                            "channels but input [1, 3, 8, 8] has 3")));
}

TEST(OnnxReaderTest, InputsAndOutputsMayLeaveTheirShapeToInference) {
  onnx::ModelProto model = Parse(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[1, 3, 8, 8] x, float[4, 3, 3, 3] w) => (float[1, 4, 6, 6] y) {
      y = Conv (x, w)
    })");
  model.mutable_graph()->mutable_output(0)->mutable_type()->mutable_tensor_type()->clear_shape();
  const OnnxImport m = ImportOnnxBytes(model.SerializeAsString(), "noshape.onnx");
  EXPECT_EQ(m.nodes.at(0).output_shape, (std::vector<int64_t>{1, 4, 6, 6}));
}

TEST(OnnxReaderTest, NegativeDeclaredDimIsAnError) {
  onnx::ModelProto model = Parse(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[1, 3, 8, 8] x, float[4, 3, 3, 3] w) => (float[1, 4, 6, 6] y) {
      y = Conv (x, w)
    })");
  model.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()
      ->mutable_shape()->mutable_dim(2)->set_dim_value(-8);
  EXPECT_THAT(ImportError(model.SerializeAsString(), "neg.onnx"),
              HasSubstr("neg.onnx: graph input 'x' declares dim 2 as -8"));
}

TEST(OnnxReaderTest, RunTimeShapesAreExplained) {
  const std::string bytes = Parse(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[1, 3, 8, 8] x, int64[2] shape, float[192, 10] w) => (float[1, 10] y) {
      r = Reshape (x, shape)
      y = MatMul (r, w)
    })").SerializeAsString();
  EXPECT_THAT(ImportError(bytes, "rt.onnx"),
              HasSubstr("rt.onnx: node 'MatMul_1' (MatMul): the shape of the operand A 'r' is "
                        "(unknown rank): ONNX shape inference stopped at node 'Reshape_0' "
                        "(Reshape): its output shape depends on the values of its input "
                        "'shape', which are only known at run time"));
}

TEST(OnnxReaderTest, MacCountOverflow) {
  const std::string bytes = Parse(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[4000000000, 4000000000] a, float[4000000000, 4000000000] b)
      => (float[4000000000, 4000000000] y) {
      y = MatMul (a, b)
    })").SerializeAsString();
  EXPECT_THAT(ImportError(bytes, "big.onnx"),
              HasSubstr("big.onnx: node 'MatMul_0' (MatMul): the MAC count overflows 64 bits"));
}

TEST(OnnxReaderTest, OpsetNewerThanTheLibrary) {
  const std::string bytes = Parse(R"(
    <ir_version: 8, opset_import: ["" : 99]>
    g (float[2, 2] a) => (float[2, 2] y) { y = MatMul (a, a) })").SerializeAsString();
  EXPECT_THAT(ImportError(bytes), HasSubstr("opset 99"));
}

TEST(OnnxReaderTest, OldOpsetsWithWeightsAsInputs) {
  // IR 3 / opset 7: initializers are also listed as graph inputs.
  onnx::ModelProto model = Parse(R"(
    <ir_version: 3, opset_import: ["" : 7]>
    g (float[1, 16, 8, 8] x, float[64, 16, 3, 3] w) => (float[1, 64, 8, 8] y) {
      y = Conv <pads = [1, 1, 1, 1]> (x, w)
    })");
  onnx::TensorProto* w = model.mutable_graph()->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : {64, 16, 3, 3}) w->add_dims(d);
  w->set_raw_data(std::string(64 * 16 * 9 * 4, '\0'));
  const OnnxImport m = ImportOnnxBytes(model.SerializeAsString(), "old.onnx");
  EXPECT_EQ(m.opset, 7);
  EXPECT_EQ(m.total_macs, 64 * 64 * 16 * 9);
}

}  // namespace
}  // namespace cadenza
