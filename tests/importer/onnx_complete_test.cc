// Model forms that used to import incomplete: recurrent layers, model-local functions, Einsum
// chains, weights in external-data Constant nodes, and the record of what is not analysed.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

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

namespace cadenza {
namespace {

using ::testing::HasSubstr;

OnnxImport Import(const std::string& text, const ImportOptions& options = {}) {
  return ImportOnnxText(text, "test.onnx", options);
}

std::string ImportError(const std::string& text) {
  try {
    Import(text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

onnx::ModelProto Parse(const std::string& text) {
  onnx::ModelProto model;
  const onnx::Status status = onnx::OnnxParser::Parse(model, text.c_str());
  EXPECT_TRUE(status.IsOK()) << status.ErrorMessage();
  return model;
}

OnnxImport ImportModel(const onnx::ModelProto& model, const ImportOptions& options = {}) {
  return ImportOnnxBytes(model.SerializeAsString(), "test.onnx", options);
}

void ExpectGemm(const Layer& layer, const std::string& name, int64_t m, int64_t n, int64_t k,
                int64_t instances) {
  EXPECT_EQ(layer.name, name);
  EXPECT_EQ(layer.kind, OpKind::kGemm) << name;
  EXPECT_EQ(layer.shape.size[Dim::kM], m) << name;
  EXPECT_EQ(layer.shape.size[Dim::kN], n) << name;
  EXPECT_EQ(layer.shape.size[Dim::kK], k) << name;
  EXPECT_EQ(layer.instances, instances) << name;
  EXPECT_EQ(layer.exact_macs, m * n * k * instances) << name;
}

// ---- Recurrent layers: D * T * B * gates * H * (I + H) MACs (the PyTorch convention). ----

TEST(OnnxRecurrentTest, ForwardLstmIsAnInputGemmAndPerStepRecurrentGemms) {
  const OnnxImport m = Import(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[5, 1, 8] x, float[1, 64, 8] w, float[1, 64, 16] r) => (float[5, 1, 1, 16] y) {
      y = LSTM <hidden_size = 16> (x, w, r)
    })");
  ASSERT_EQ(m.nodes.size(), 1u);
  EXPECT_TRUE(m.skipped.empty());
  EXPECT_TRUE(m.network.not_analysed.empty());
  EXPECT_EQ(m.nodes[0].macs, 1 * 5 * 1 * 64 * (8 + 16));
  EXPECT_EQ(m.nodes[0].output_shape, (std::vector<int64_t>{5, 1, 1, 16}));
  ASSERT_EQ(m.network.layers.size(), 2u);
  ExpectGemm(m.network.layers[0], "LSTM_0/forward/input", 5, 64, 8, 1);
  ExpectGemm(m.network.layers[1], "LSTM_0/forward/recurrent", 1, 64, 16, 5);
  EXPECT_EQ(m.network.layers[0].op_type, "LSTM");
  EXPECT_EQ(m.total_macs, 7680);
}

TEST(OnnxRecurrentTest, BidirectionalGruWithResetAfterSplitsTheRecurrentGemm) {
  // linear_before_reset = 0: the h gate multiplies R_h by (r (.) H_{t-1}), so it waits for the
  // step's reset gate: two recurrent GEMMs per direction and step. Biases, initial state and
  // sequence_lens add no MACs.
  const OnnxImport m = Import(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[4, 2, 3] x, float[2, 15, 3] w, float[2, 15, 5] r, float[2, 30] b, int32[2] lens,
       float[2, 2, 5] h0) => (float[4, 2, 2, 5] y) {
      y = GRU <hidden_size = 5, direction = "bidirectional"> (x, w, r, b, lens, h0)
    })");
  ASSERT_EQ(m.nodes.size(), 1u);
  EXPECT_EQ(m.nodes[0].macs, 2 * 4 * 2 * 15 * (3 + 5));
  EXPECT_THAT(m.nodes[0].detail, HasSubstr("linear_before_reset=0"));
  EXPECT_THAT(m.nodes[0].detail, HasSubstr("sequence_lens"));
  ASSERT_EQ(m.network.layers.size(), 6u);
  ExpectGemm(m.network.layers[0], "GRU_0/forward/input", 8, 15, 3, 1);
  ExpectGemm(m.network.layers[1], "GRU_0/forward/recurrent_zr", 2, 10, 5, 4);
  ExpectGemm(m.network.layers[2], "GRU_0/forward/recurrent_h", 2, 5, 5, 4);
  ExpectGemm(m.network.layers[3], "GRU_0/reverse/input", 8, 15, 3, 1);
  ExpectGemm(m.network.layers[4], "GRU_0/reverse/recurrent_zr", 2, 10, 5, 4);
  ExpectGemm(m.network.layers[5], "GRU_0/reverse/recurrent_h", 2, 5, 5, 4);
  int64_t sum = 0;
  for (const Layer& l : m.network.layers) sum += l.exact_macs;
  EXPECT_EQ(sum, m.nodes[0].macs);
}

TEST(OnnxRecurrentTest, ReverseGruWithLinearBeforeResetHasOneRecurrentGemm) {
  const OnnxImport m = Import(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[6, 1, 4] x, float[1, 9, 4] w, float[1, 9, 3] r) => (float[6, 1, 1, 3] y) {
      y = GRU <hidden_size = 3, direction = "reverse", linear_before_reset = 1> (x, w, r)
    })");
  ASSERT_EQ(m.network.layers.size(), 2u);
  ExpectGemm(m.network.layers[0], "GRU_0/reverse/input", 6, 9, 4, 1);
  ExpectGemm(m.network.layers[1], "GRU_0/reverse/recurrent", 1, 9, 3, 6);
  EXPECT_EQ(m.total_macs, 6 * 1 * 9 * (4 + 3));
}

TEST(OnnxRecurrentTest, BatchFirstRnnReadsSeqAndBatchFromTheLayout) {
  const OnnxImport m = Import(R"(
    <ir_version: 8, opset_import: ["" : 14]>
    g (float[2, 3, 4] x, float[1, 6, 4] w, float[1, 6, 6] r, float[1, 12] b)
        => (float[2, 3, 1, 6] y) {
      y = RNN <hidden_size = 6, layout = 1> (x, w, r, b)
    })");
  ASSERT_EQ(m.network.layers.size(), 2u);
  ExpectGemm(m.network.layers[0], "RNN_0/forward/input", 6, 6, 4, 1);
  ExpectGemm(m.network.layers[1], "RNN_0/forward/recurrent", 2, 6, 6, 3);
  EXPECT_EQ(m.nodes[0].output_shape, (std::vector<int64_t>{2, 3, 1, 6}));
  EXPECT_EQ(m.total_macs, 3 * 2 * 6 * (4 + 6));
}

TEST(OnnxRecurrentTest, WeightsThatDoNotMatchTheDirectionAreAnError) {
  // Shape inference accepts the node; the rule checks W against direction and hidden size.
  const std::string error = ImportError(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[5, 1, 8] x, float[1, 64, 8] w, float[1, 64, 16] r) => (float[5, 2, 1, 16] y) {
      y = LSTM <hidden_size = 16, direction = "bidirectional"> (x, w, r)
    })");
  EXPECT_THAT(error, HasSubstr("test.onnx: node 'LSTM_0' (LSTM)"));
  EXPECT_THAT(error, HasSubstr("needs W [2, 64, 8]"));
}

// A two-layer bidirectional nn.LSTM exported by PyTorch (tests/data/good/make_lstm.py): the
// importer's count is the PyTorch-convention count the script states.
TEST(OnnxRecurrentTest, TorchExportedLstmCountsAsPyTorchDoes) {
  const OnnxImport m =
      ImportOnnx(std::string(CADENZA_SOURCE_DIR) + "/tests/data/good/lstm_small.onnx");
  ASSERT_EQ(m.nodes.size(), 2u);
  EXPECT_TRUE(m.network.not_analysed.empty());
  EXPECT_EQ(m.nodes[0].op_type, "LSTM");
  EXPECT_EQ(m.nodes[0].macs, 2 * 7 * 3 * 80 * (12 + 20));
  EXPECT_EQ(m.nodes[1].macs, 2 * 7 * 3 * 80 * (40 + 20));
  EXPECT_EQ(m.total_macs, 309120);
  ASSERT_EQ(m.network.layers.size(), 8u);
  ExpectGemm(m.network.layers[0], m.nodes[0].name + "/forward/input", 21, 80, 12, 1);
  ExpectGemm(m.network.layers[1], m.nodes[0].name + "/forward/recurrent", 3, 80, 20, 7);
  ExpectGemm(m.network.layers[6], m.nodes[1].name + "/reverse/input", 21, 80, 40, 1);
}

// ---- Model-local functions ----

// A main graph calling `Outer` (domain __main__), which calls `ResBlock` twice; ResBlock's
// second Conv takes its pads from the call's attribute "p" (an attribute reference).
onnx::ModelProto FunctionModel() {
  onnx::ModelProto model = Parse(R"(
    <ir_version: 8, opset_import: ["" : 13, "__main__" : 1]>
    g (float[1, 4, 8, 8] x, float[4, 4, 3, 3] w1, float[4, 4, 3, 3] w2) => (float[1, 4, 8, 8] y) {
      y = Outer (x, w1, w2)
    })");
  onnx::NodeProto* call = model.mutable_graph()->mutable_node(0);
  call->set_domain("__main__");
  call->set_name("Outer_0");
  onnx::AttributeProto* p = call->add_attribute();
  p->set_name("p");
  p->set_type(onnx::AttributeProto::INTS);
  for (int i = 0; i < 4; ++i) p->add_ints(1);

  const onnx::ModelProto res_body = Parse(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    f (float[1, 4, 8, 8] x, float[4, 4, 3, 3] w1, float[4, 4, 3, 3] w2) => (float[1, 4, 8, 8] y) {
      a = Conv <pads = [1, 1, 1, 1]> (x, w1)
      b = Relu (a)
      c = Conv (b, w2)
      y = Add (c, x)
    })");
  onnx::FunctionProto* res = model.add_functions();
  res->set_name("ResBlock");
  res->set_domain("__main__");
  for (const char* n : {"x", "w1", "w2"}) res->add_input(n);
  res->add_output("y");
  res->add_attribute("p");
  *res->add_opset_import() = res_body.opset_import(0);
  for (const onnx::NodeProto& n : res_body.graph().node()) *res->add_node() = n;
  res->mutable_node(0)->set_name("/conv1/Conv");
  res->mutable_node(2)->set_name("/conv2/Conv");
  onnx::AttributeProto* ref = res->mutable_node(2)->add_attribute();
  ref->set_name("pads");
  ref->set_type(onnx::AttributeProto::INTS);
  ref->set_ref_attr_name("p");

  onnx::FunctionProto* outer = model.add_functions();
  outer->set_name("Outer");
  outer->set_domain("__main__");
  for (const char* n : {"x", "w1", "w2"}) outer->add_input(n);
  outer->add_output("y");
  outer->add_attribute("p");
  *outer->add_opset_import() = res_body.opset_import(0);
  onnx::OperatorSetIdProto* main_domain = outer->add_opset_import();
  main_domain->set_domain("__main__");
  main_domain->set_version(1);
  for (const char* out : {"t", "y"}) {
    onnx::NodeProto* n = outer->add_node();
    n->set_op_type("ResBlock");
    n->set_domain("__main__");
    n->set_name(out == std::string("t") ? "ResBlock_0" : "ResBlock_1");
    n->add_input(out == std::string("t") ? "x" : "t");
    n->add_input("w1");
    n->add_input("w2");
    n->add_output(out);
    onnx::AttributeProto* pass = n->add_attribute();
    pass->set_name("p");
    pass->set_type(onnx::AttributeProto::INTS);
    pass->set_ref_attr_name("p");
  }
  return model;
}

TEST(OnnxFunctionTest, NestedModelLocalFunctionsAreInlinedWithTheirOrigin) {
  const OnnxImport m = ImportModel(FunctionModel());
  ASSERT_EQ(m.nodes.size(), 4u);
  EXPECT_EQ(m.nodes[0].name, "Outer_0/ResBlock_0/conv1/Conv");
  EXPECT_EQ(m.nodes[1].name, "Outer_0/ResBlock_0/conv2/Conv");
  EXPECT_EQ(m.nodes[2].name, "Outer_0/ResBlock_1/conv1/Conv");
  EXPECT_EQ(m.nodes[3].name, "Outer_0/ResBlock_1/conv2/Conv");
  for (const OnnxNodeInfo& n : m.nodes) {
    // The referenced pads [1, 1, 1, 1] keep 8 x 8: 4 * 64 * 4 * 9 MACs per conv.
    EXPECT_EQ(n.output_shape, (std::vector<int64_t>{1, 4, 8, 8})) << n.name;
    EXPECT_EQ(n.macs, 9216) << n.name;
  }
  EXPECT_EQ(m.total_macs, 4 * 9216);
  EXPECT_TRUE(m.skipped.empty());
  EXPECT_EQ(m.other_ops.count("__main__:Outer"), 0u);
  EXPECT_EQ(m.other_ops.at("Add"), 2);
}

// PyTorch 1.13 with export_modules_as_functions (tests/data/good/make_functions.py): both
// residual blocks are calls of one function `__main__:Res`, each passing its own weights.
TEST(OnnxFunctionTest, TorchExportWithModulesAsFunctionsImportsEveryConv) {
  const OnnxImport m =
      ImportOnnx(std::string(CADENZA_SOURCE_DIR) + "/tests/data/good/resblocks_functions.onnx");
  ASSERT_EQ(m.nodes.size(), 6u);
  EXPECT_EQ(m.nodes[0].name, "/stem/Conv");
  EXPECT_EQ(m.nodes[1].name, "/b1/Res/Conv_0");
  EXPECT_EQ(m.nodes[2].name, "/b1/Res/Conv_2");
  EXPECT_EQ(m.nodes[3].name, "/b2/Res/Conv_0");
  EXPECT_EQ(m.nodes[4].name, "/b2/Res/Conv_2");
  EXPECT_EQ(m.nodes[5].name, "/fc/Gemm");
  for (int i = 1; i <= 4; ++i) EXPECT_EQ(m.nodes[static_cast<size_t>(i)].macs, 147456);
  EXPECT_EQ(m.total_macs, 645200);
  EXPECT_TRUE(m.network.not_analysed.empty());
  EXPECT_EQ(m.other_ops.count("__main__:Res"), 0u);
}

TEST(OnnxFunctionTest, AnAbsentReferencedAttributeLeavesTheDefault) {
  // The call gives no "p": conv2 takes the default pads (none) and shrinks each block by 2.
  // The residual Add becomes an Identity so that the shrinking blocks still fit together.
  onnx::ModelProto model = FunctionModel();
  model.mutable_graph()->mutable_node(0)->clear_attribute();
  model.mutable_graph()->mutable_output(0)->mutable_type()->mutable_tensor_type()->clear_shape();
  onnx::NodeProto* add = model.mutable_functions(0)->mutable_node(3);
  add->set_op_type("Identity");
  add->mutable_input()->RemoveLast();
  const OnnxImport m = ImportModel(model);
  ASSERT_EQ(m.nodes.size(), 4u);
  EXPECT_EQ(m.nodes[0].macs, 4 * 64 * 36);  // 8 x 8, padded
  EXPECT_EQ(m.nodes[1].output_shape, (std::vector<int64_t>{1, 4, 6, 6}));
  EXPECT_EQ(m.nodes[1].macs, 4 * 36 * 36);
  EXPECT_EQ(m.nodes[2].macs, 4 * 36 * 36);  // 6 x 6, padded
  EXPECT_EQ(m.nodes[3].output_shape, (std::vector<int64_t>{1, 4, 4, 4}));
}

TEST(OnnxFunctionTest, AFunctionThatCallsItselfIsAnError) {
  onnx::ModelProto model = FunctionModel();
  onnx::FunctionProto* res = model.mutable_functions(0);
  res->mutable_node(1)->set_op_type("ResBlock");
  res->mutable_node(1)->set_domain("__main__");
  *res->mutable_node(1)->add_input() = "w1";
  *res->mutable_node(1)->add_input() = "w2";
  try {
    ImportModel(model);
    FAIL() << "expected an error";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("calls itself"));
    EXPECT_THAT(e.what(), HasSubstr("__main__:ResBlock"));
  }
}

// ---- Einsum shapes ----

TEST(OnnxEinsumShapeTest, AttentionWrittenWithEinsumResolvesDownstream) {
  const OnnxImport m = Import(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[2, 4, 6, 8] q, float[2, 4, 6, 8] k, float[2, 4, 6, 8] v, float[8, 5] w)
        => (float[a, b, c, d] y) {
      s = Einsum <equation = "bhid,bhjd->bhij"> (q, k)
      p = Softmax <axis = -1> (s)
      o = Einsum <equation = "bhij, bhjd -> bhid"> (p, v)
      y = MatMul (o, w)
    })");
  ASSERT_EQ(m.nodes.size(), 3u);
  EXPECT_EQ(m.nodes[0].output_shape, (std::vector<int64_t>{2, 4, 6, 6}));
  EXPECT_EQ(m.nodes[1].input_shapes[0], (std::vector<int64_t>{2, 4, 6, 6}));
  EXPECT_EQ(m.nodes[1].output_shape, (std::vector<int64_t>{2, 4, 6, 8}));
  EXPECT_EQ(m.nodes[2].input_shapes[0], (std::vector<int64_t>{2, 4, 6, 8}));
  EXPECT_EQ(m.nodes[0].macs, 2 * 4 * 6 * 6 * 8);
  EXPECT_EQ(m.nodes[1].macs, 2 * 4 * 6 * 6 * 8);
  EXPECT_EQ(m.nodes[2].macs, 2 * 4 * 6 * 8 * 5);
}

TEST(OnnxEinsumShapeTest, ImplicitOutputAndEllipsisBroadcast) {
  const OnnxImport m = Import(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[3, 1, 5, 7] a, float[4, 7, 2] b, float[2, 9] w) => (float[x, y, z, t] out) {
      s = Einsum <equation = "...ij,...jk"> (a, b)
      out = MatMul (s, w)
    })");
  ASSERT_EQ(m.nodes.size(), 2u);
  EXPECT_EQ(m.nodes[0].output_shape, (std::vector<int64_t>{3, 4, 5, 2}));
  EXPECT_EQ(m.nodes[1].input_shapes[0], (std::vector<int64_t>{3, 4, 5, 2}));
  EXPECT_EQ(m.nodes[1].macs, 3 * 4 * 5 * 2 * 9);
}

// ---- Weights in external-data Constant nodes ----

// A Constant node of shape `dims` whose data is in the (absent) file `location`.
onnx::NodeProto ExternalConstant(const std::string& output, const std::vector<int64_t>& dims,
                                 const std::string& location) {
  onnx::NodeProto constant;
  constant.set_op_type("Constant");
  constant.add_output(output);
  onnx::AttributeProto* value = constant.add_attribute();
  value->set_name("value");
  value->set_type(onnx::AttributeProto::TENSOR);
  onnx::TensorProto* t = value->mutable_t();
  t->set_name(output);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  t->set_data_location(onnx::TensorProto::EXTERNAL);
  onnx::StringStringEntryProto* e = t->add_external_data();
  e->set_key("location");
  e->set_value(location);
  return constant;
}

TEST(OnnxExternalConstantTest, ConstantsInsideControlFlowBodiesAreStubbedToo) {
  onnx::ModelProto model = Parse(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (bool cond, float[1, 2, 4, 4] x) => (float[1, 3, 2, 2] y) {
      y = If (cond) <
        then_branch = then_g () => (float[1, 3, 2, 2] a) { a = Conv (x, w) },
        else_branch = else_g () => (float[1, 3, 2, 2] b) { b = Conv (x, w) }
      >
    })");
  for (int branch = 0; branch < 2; ++branch) {
    onnx::GraphProto* body =
        model.mutable_graph()->mutable_node(0)->mutable_attribute(branch)->mutable_g();
    *body->add_node() = ExternalConstant("w", {3, 2, 3, 3}, "weights.bin");
    body->mutable_node()->SwapElements(0, 1);
  }
  const OnnxImport m = ImportModel(model);
  ASSERT_EQ(m.network.not_analysed.size(), 2u);
  EXPECT_EQ(m.network.not_analysed[0].macs, 216);
  EXPECT_EQ(m.network.not_analysed[1].macs, 216);
  ASSERT_EQ(m.network.warnings.size(), 2u);
  EXPECT_THAT(m.network.warnings[0], HasSubstr("2 Constant node(s)"));
}

TEST(OnnxExternalConstantTest, ConstantsWithAbsentExternalDataImportFromTheirDims) {
  onnx::ModelProto model = Parse(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[1, 3, 8, 8] x) => (float[1, 4, 6, 6] y) {
      y = Conv (x, w)
    })");
  onnx::NodeProto constant;
  constant.set_op_type("Constant");
  constant.set_name("conv_weight");
  constant.add_output("w");
  onnx::AttributeProto* value = constant.add_attribute();
  value->set_name("value");
  value->set_type(onnx::AttributeProto::TENSOR);
  onnx::TensorProto* t = value->mutable_t();
  t->set_name("w");
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : {4, 3, 3, 3}) t->add_dims(d);
  t->set_data_location(onnx::TensorProto::EXTERNAL);
  for (auto [key, val] : {std::pair{"location", "model.pdiparams"}, std::pair{"offset", "0"},
                          std::pair{"length", "432"}}) {
    onnx::StringStringEntryProto* e = t->add_external_data();
    e->set_key(key);
    e->set_value(val);
  }
  onnx::GraphProto* graph = model.mutable_graph();
  *graph->add_node() = constant;
  graph->mutable_node()->SwapElements(0, 1);

  const OnnxImport m = ImportModel(model);
  ASSERT_EQ(m.nodes.size(), 1u);
  EXPECT_EQ(m.nodes[0].input_shapes[1], (std::vector<int64_t>{4, 3, 3, 3}));
  EXPECT_EQ(m.total_macs, 4 * 36 * 27);
  ASSERT_EQ(m.network.warnings.size(), 1u);
  EXPECT_THAT(m.network.warnings[0], HasSubstr("1 Constant node(s)"));
  EXPECT_THAT(m.network.warnings[0], HasSubstr("'model.pdiparams'"));
  EXPECT_THAT(m.network.warnings[0], HasSubstr("not read"));
}

// ---- What is not analysed ----

TEST(OnnxNotAnalysedTest, NetworkRecordsSkippedNodesWithTheirMacs) {
  onnx::ModelProto model = Parse(R"(
    <ir_version: 8, opset_import: ["" : 13, "com.microsoft" : 1]>
    g (bool cond, float[1, 2, 4, 4] x, float[3, 2, 3, 3] w, float[1, 2, 4, 4] u)
        => (float[1, 3, 2, 2] y, float[1, 2, 4, 4] z) {
      y = If (cond) <
        then_branch = then_g () => (float[1, 3, 2, 2] a) { a = Conv (x, w) },
        else_branch = else_g () => (float[1, 3, 2, 2] b) {
          c = Conv (x, w)
          b = Relu (c)
        }
      >
      z = FusedConv (u, w)
    })");
  model.mutable_graph()->mutable_node(1)->set_domain("com.microsoft");
  const OnnxImport m = ImportModel(model);
  EXPECT_TRUE(m.network.layers.empty());
  ASSERT_EQ(m.network.not_analysed.size(), 3u);
  const NotAnalysedNode& then_conv = m.network.not_analysed[0];
  EXPECT_EQ(then_conv.op_type, "Conv");
  EXPECT_EQ(then_conv.macs, 3 * 4 * 2 * 9);  // N K Y' X' x C R S
  EXPECT_THAT(then_conv.reason, HasSubstr("control flow"));
  EXPECT_EQ(m.network.not_analysed[1].name, "If_0/else_branch/Conv_0");
  EXPECT_EQ(m.network.not_analysed[1].macs, 216);
  EXPECT_EQ(m.network.not_analysed[2].op_type, "com.microsoft:FusedConv");
  EXPECT_EQ(m.network.not_analysed[2].macs, -1);
  EXPECT_THAT(m.network.not_analysed[2].reason, HasSubstr("unsupported"));
  ASSERT_EQ(m.skipped.size(), 3u);
  EXPECT_EQ(m.skipped[0].macs, 216);
}

TEST(OnnxNotAnalysedTest, UnresolvedNodesAreRecordedWithoutMacs) {
  ImportOptions options;
  options.skip_unresolved = true;
  const OnnxImport m = Import(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[1, 3, 8, 8] x, float[4, 3, 3, 3] w, int64[4] shape) => (float[1, 4, 6, 6] y) {
      r = Reshape (x, shape)
      y = Conv (r, w)
    })", options);
  ASSERT_EQ(m.network.not_analysed.size(), 1u);
  EXPECT_EQ(m.network.not_analysed[0].op_type, "Conv");
  EXPECT_EQ(m.network.not_analysed[0].macs, -1);
  EXPECT_THAT(m.network.not_analysed[0].reason, HasSubstr("unresolved"));
}

}  // namespace
}  // namespace cadenza
