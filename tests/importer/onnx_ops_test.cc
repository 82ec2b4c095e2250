// Per-op rules of the ONNX importer, on models written in ONNX's text syntax.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

// The ONNX target's definitions, which do not reach this test program.
#ifndef ONNX_ML
#define ONNX_ML 1
#endif
#ifndef ONNX_NAMESPACE
#define ONNX_NAMESPACE onnx
#endif
#include <onnx/defs/parser.h>
#include <onnx/onnx_pb.h>

#include "analyzer/error.h"
#include "analyzer/polyphase.h"
#include "importer/onnx_importer.h"

namespace cadenza {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

OnnxImport Import(const std::string& text, const ImportOptions& options = {}) {
  return ImportOnnxText(text, "test.onnx", options);
}

// The message of the InputError that importing `text` throws ("" if none).
std::string ImportError(const std::string& text, const ImportOptions& options = {}) {
  try {
    Import(text, options);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// ONNX 1.12's text syntax has no node names: they are set here, by first output, and the
// model goes in serialized.
OnnxImport ImportNamed(const std::string& text, const std::map<std::string, std::string>& names,
                       const ImportOptions& options = {}) {
  onnx::ModelProto model;
  const onnx::Status status = onnx::OnnxParser::Parse(model, text.c_str());
  EXPECT_TRUE(status.IsOK()) << status.ErrorMessage();
  auto name = [&names](onnx::NodeProto* node) {
    if (node->output_size() > 0 && names.count(node->output(0)) > 0) {
      node->set_name(names.at(node->output(0)));
    }
  };
  for (onnx::NodeProto& node : *model.mutable_graph()->mutable_node()) {
    name(&node);
    for (onnx::AttributeProto& a : *node.mutable_attribute()) {
      if (a.has_g()) {
        for (onnx::NodeProto& inner : *a.mutable_g()->mutable_node()) name(&inner);
      }
    }
  }
  return ImportOnnxBytes(model.SerializeAsString(), "test.onnx", options);
}

std::string ImportNamedError(const std::string& text,
                             const std::map<std::string, std::string>& names,
                             const ImportOptions& options = {}) {
  try {
    ImportNamed(text, names, options);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// An exporter's default graph name says nothing about the model; the file's stem does.
TEST(OnnxNetworkNameTest, ExporterDefaultGraphNamesGiveWayToTheFileStem) {
  auto name_of = [](const std::string& graph, const std::string& path) {
    const std::string text = R"(
      <ir_version: 8, opset_import: ["" : 13]>
      )" + graph + R"( (float[1, 8] x, float[8, 4] w) => (float[1, 4] y) {
        y = MatMul (x, w)
      })";
    return ImportOnnxText(text, path).network.name;
  };
  EXPECT_EQ(name_of("torch_jit", "models/resnet50.onnx"), "resnet50");
  EXPECT_EQ(name_of("main_graph", "/tmp/my.model.onnx"), "my.model");
  EXPECT_EQ(name_of("tiny_mlp", "models/resnet50.onnx"), "tiny_mlp");
}

const Layer& OnlyLayer(const OnnxImport& model) {
  EXPECT_EQ(model.nodes.size(), 1u);
  EXPECT_EQ(model.network.layers.size(), 1u);
  return model.network.layers.at(0);
}

// Every layer's exact_macs is its shape's count times its instances, and they sum to the node.
void ExpectConsistent(const OnnxImport& model) {
  int64_t total = 0;
  for (const OnnxNodeInfo& node : model.nodes) {
    int64_t sum = 0;
    for (int i : node.layer_indices) {
      const Layer& l = model.network.layers.at(static_cast<size_t>(i));
      EXPECT_EQ(l.exact_macs, ExactMacs(l.kind, l.shape) * l.instances) << l.name;
      sum += l.exact_macs;
    }
    EXPECT_EQ(sum, node.macs) << node.name;
    total += node.macs;
  }
  EXPECT_EQ(total, model.total_macs);
}

TEST(OnnxOpsTest, DenseConvFoldsPaddingIntoTheInput) {
  const OnnxImport m = Import(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[1, 3, 224, 224] x, float[64, 3, 7, 7] w) => (float[1, 64, 112, 112] y) {
      y = Conv <strides = [2, 2], pads = [3, 3, 3, 3]> (x, w)
    })");
  const Layer& l = OnlyLayer(m);
  EXPECT_EQ(l.kind, OpKind::kConv);
  EXPECT_EQ(l.op_type, "Conv");
  EXPECT_EQ(l.shape.size[Dim::kN], 1);
  EXPECT_EQ(l.shape.size[Dim::kK], 64);
  EXPECT_EQ(l.shape.size[Dim::kC], 3);
  EXPECT_EQ(l.shape.size[Dim::kY], 230);
  EXPECT_EQ(l.shape.size[Dim::kX], 230);
  EXPECT_EQ(l.shape.size[Dim::kR], 7);
  EXPECT_EQ(l.shape.size[Dim::kS], 7);
  EXPECT_EQ(l.shape.stride_y, 2);
  EXPECT_EQ(l.exact_macs, 118'013'952);
  const OnnxNodeInfo& n = m.nodes[0];
  EXPECT_EQ(n.name, "Conv_0");  // generated: the node has no name
  EXPECT_EQ(n.output_shape, (std::vector<int64_t>{1, 64, 112, 112}));
  EXPECT_EQ(n.pads, (std::vector<int64_t>{3, 3, 3, 3}));
  EXPECT_EQ(m.total_macs, 118'013'952);
}

TEST(OnnxOpsTest, GroupedDepthwiseAndChannelMultiplier) {
  const OnnxImport m = Import(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[1, 32, 56, 56] x, float[32, 1, 3, 3] wd, float[64, 1, 3, 3] wm,
       float[128, 16, 3, 3] wg) => (float[1, 32, 56, 56] a, float[1, 64, 56, 56] b,
                                    float[1, 128, 56, 56] c) {
      a = Conv <group = 32, pads = [1, 1, 1, 1]> (x, wd)
      b = Conv <group = 32, pads = [1, 1, 1, 1]> (x, wm)
      x2 = Concat <axis = 1> (x, x)
      c = Conv <group = 4, pads = [1, 1, 1, 1]> (x2, wg)
    })");
  ASSERT_EQ(m.network.layers.size(), 3u);
  const Layer& dw = m.network.layers[0];
  EXPECT_EQ(dw.kind, OpKind::kDepthwiseConv);
  EXPECT_EQ(dw.shape.size[Dim::kC], 32);
  EXPECT_EQ(dw.shape.size[Dim::kK], 0);
  EXPECT_EQ(dw.exact_macs, 32 * 56 * 56 * 9);
  const Layer& mult = m.network.layers[1];
  EXPECT_EQ(mult.kind, OpKind::kGroupedConv);
  EXPECT_EQ(mult.shape.size[Dim::kG], 32);
  EXPECT_EQ(mult.shape.size[Dim::kK], 2);
  EXPECT_EQ(mult.shape.size[Dim::kC], 1);
  const Layer& grouped = m.network.layers[2];
  EXPECT_EQ(grouped.kind, OpKind::kGroupedConv);
  EXPECT_EQ(grouped.shape.size[Dim::kG], 4);
  EXPECT_EQ(grouped.shape.size[Dim::kK], 32);
  EXPECT_EQ(grouped.shape.size[Dim::kC], 16);
  EXPECT_EQ(grouped.exact_macs, 128LL * 56 * 56 * 16 * 9);
  EXPECT_EQ(m.other_ops.at("Concat"), 1);
  ExpectConsistent(m);
}

TEST(OnnxOpsTest, AutoPadSameAndValid) {
  const OnnxImport m = Import(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[1, 1, 6, 6] x, float[1, 1, 3, 3] w) => (float[1, 1, 3, 3] u, float[1, 1, 3, 3] l,
                                                     float[1, 1, 2, 2] v) {
      u = Conv <auto_pad = "SAME_UPPER", strides = [2, 2]> (x, w)
      l = Conv <auto_pad = "SAME_LOWER", strides = [2, 2]> (x, w)
      v = Conv <auto_pad = "VALID", strides = [2, 2]> (x, w)
    })");
  ASSERT_EQ(m.nodes.size(), 3u);
  // Total padding (3 - 1) * 2 + 3 - 6 = 1: SAME_UPPER puts it at the end, SAME_LOWER first.
  EXPECT_EQ(m.nodes[0].pads, (std::vector<int64_t>{0, 0, 1, 1}));
  EXPECT_EQ(m.nodes[1].pads, (std::vector<int64_t>{1, 1, 0, 0}));
  EXPECT_EQ(m.nodes[2].pads, (std::vector<int64_t>{0, 0, 0, 0}));
  EXPECT_EQ(m.network.layers[0].shape.size[Dim::kY], 7);
  EXPECT_EQ(m.nodes[0].macs, 9 * 9);
  EXPECT_EQ(m.nodes[2].output_shape, (std::vector<int64_t>{1, 1, 2, 2}));
  EXPECT_EQ(m.nodes[2].macs, 4 * 9);
}

TEST(OnnxOpsTest, AsymmetricPadsAndDilation) {
  const OnnxImport m = Import(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[1, 4, 16, 16] x, float[8, 4, 3, 3] w) => (float[1, 8, 16, 14] y,
                                                       float[1, 8, 16, 16] z) {
      y = Conv <pads = [0, 1, 2, 1]> (x, w)
      z = Conv <dilations = [2, 2], pads = [2, 2, 2, 2]> (x, w)
    })");
  ASSERT_EQ(m.nodes.size(), 2u);
  const Layer& asym = m.network.layers[0];
  EXPECT_EQ(asym.shape.size[Dim::kY], 18);
  EXPECT_EQ(asym.shape.size[Dim::kX], 18);
  EXPECT_EQ(m.nodes[0].output_shape, (std::vector<int64_t>{1, 8, 16, 16}));
  // The dilated conv is one layer as the node states it: 20 padded positions, 3 taps 2 apart,
  // 16 outputs, and the node's MAC count.
  ASSERT_EQ(m.nodes[1].layer_indices.size(), 1u);
  const Layer& dilated = m.network.layers[1];
  EXPECT_EQ(dilated.shape.size[Dim::kY], 20);
  EXPECT_EQ(dilated.shape.size[Dim::kX], 20);
  EXPECT_EQ(dilated.shape.size[Dim::kR], 3);
  EXPECT_EQ(dilated.shape.dilation_y, 2);
  EXPECT_EQ(dilated.shape.dilation_x, 2);
  EXPECT_EQ(OutputRows(dilated.shape), 16);
  EXPECT_EQ(dilated.instances, 1);
  EXPECT_EQ(m.nodes[1].dilations, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(m.nodes[1].macs, 8 * 16 * 16 * 4 * 9);
  EXPECT_EQ(dilated.exact_macs, m.nodes[1].macs);
  ExpectConsistent(m);
  // The MAESTRO-compatible model gets 2 x 2 phases of 8 x 8 outputs, each an ordinary 3x3 conv
  // over every other position (10 of them); no skipped position is multiplied.
  const Network maestro = ForCostModel(m.network, CostModelKind::kMaestro);
  ASSERT_EQ(maestro.layers.size(), 2u);
  EXPECT_EQ(maestro.layers[0].name, asym.name);
  EXPECT_EQ(maestro.layers[0].shape, asym.shape);
  const Layer& phases = maestro.layers[1];
  EXPECT_EQ(phases.name, dilated.name);
  EXPECT_EQ(phases.shape.size[Dim::kY], 10);
  EXPECT_EQ(phases.shape.size[Dim::kX], 10);
  EXPECT_EQ(phases.shape.dilation_y, 1);
  EXPECT_EQ(phases.instances, 4);
  EXPECT_EQ(phases.exact_macs, dilated.exact_macs);
}

TEST(OnnxOpsTest, OneAndThreeDimensionalConv) {
  const OnnxImport m = Import(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[2, 4, 100] x, float[8, 4, 5] w, float[1, 2, 8, 16, 16] v,
       float[4, 2, 3, 3, 3] k) => (float[2, 8, 96] y, float[1, 4, 6, 14, 14] z) {
      y = Conv (x, w)
      z = Conv (v, k)
    })");
  ASSERT_EQ(m.network.layers.size(), 2u);
  const Layer& one = m.network.layers[0];
  EXPECT_EQ(one.shape.size[Dim::kY], 1);
  EXPECT_EQ(one.shape.size[Dim::kR], 1);
  EXPECT_EQ(one.shape.size[Dim::kX], 100);
  EXPECT_EQ(one.shape.size[Dim::kS], 5);
  EXPECT_EQ(one.shape.size[Dim::kN], 2);
  EXPECT_EQ(m.nodes[0].macs, 2 * 8 * 96 * 4 * 5);
  const Layer& three = m.network.layers[1];
  EXPECT_EQ(three.instances, 6 * 3);
  EXPECT_EQ(m.nodes[1].macs, 4LL * 6 * 14 * 14 * 2 * 27);
  ExpectConsistent(m);
}

TEST(OnnxOpsTest, ConvTransposeStridesPadsOutputPaddingAndGroups) {
  const OnnxImport m = Import(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[1, 8, 4, 4] x, float[8, 3, 4, 4] w, float[8, 3, 3, 3] w3,
       float[8, 2, 3, 3] wg) => (float[1, 3, 8, 8] a, float[1, 3, 8, 8] b,
                                 float[1, 3, 10, 10] c, float[1, 8, 9, 9] d) {
      a = ConvTranspose <strides = [2, 2], pads = [1, 1, 1, 1]> (x, w)
      b = ConvTranspose <strides = [2, 2], pads = [1, 1, 1, 1], output_padding = [1, 1]> (x, w3)
      c = ConvTranspose <strides = [2, 2], output_shape = [10, 10]> (x, w3)
      d = ConvTranspose <strides = [2, 2], group = 4> (x, wg)
    })");
  ASSERT_EQ(m.nodes.size(), 4u);
  EXPECT_EQ(m.nodes[0].output_shape, (std::vector<int64_t>{1, 3, 8, 8}));
  EXPECT_EQ(m.nodes[0].macs, 8 * 16 * 3 * 16);  // N * C_in * In * K_out * kernel
  EXPECT_EQ(m.nodes[0].layer_indices.size(), 4u);
  EXPECT_EQ(m.network.layers[0].kind, OpKind::kTransposedConv);
  EXPECT_EQ(m.network.layers[0].name, "ConvTranspose_0/phase0");
  EXPECT_EQ(m.nodes[1].output_shape, (std::vector<int64_t>{1, 3, 8, 8}));
  EXPECT_EQ(m.nodes[1].output_padding, (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(m.nodes[1].macs, 8 * 16 * 3 * 9);
  EXPECT_EQ(m.nodes[2].output_shape, (std::vector<int64_t>{1, 3, 10, 10}));
  EXPECT_EQ(m.nodes[2].macs, 8 * 16 * 3 * 9);
  EXPECT_EQ(m.nodes[3].output_shape, (std::vector<int64_t>{1, 8, 9, 9}));
  EXPECT_EQ(m.network.layers[static_cast<size_t>(m.nodes[3].layer_indices[0])].kind,
            OpKind::kGroupedConv);
  EXPECT_EQ(m.nodes[3].macs, 8 * 16 * 2 * 9);
  ExpectConsistent(m);
}

TEST(OnnxOpsTest, GemmTransposes) {
  const OnnxImport m = Import(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[64, 32] a, float[16, 64] b, float[16] c) => (float[32, 16] y) {
      y = Gemm <transA = 1, transB = 1> (a, b, c)
    })");
  const Layer& l = OnlyLayer(m);
  EXPECT_EQ(l.kind, OpKind::kGemm);
  EXPECT_EQ(l.shape.size[Dim::kM], 32);
  EXPECT_EQ(l.shape.size[Dim::kN], 16);
  EXPECT_EQ(l.shape.size[Dim::kK], 64);
  EXPECT_EQ(m.nodes[0].macs, 32 * 16 * 64);
  EXPECT_EQ(m.nodes[0].detail, "transA=1, transB=1");
}

TEST(OnnxOpsTest, MatMulVectorsAndBatches) {
  const OnnxImport m = Import(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[8] v, float[8, 4] b, float[3, 8] a, float[4, 197, 768] x, float[768, 3072] w,
       float[2, 12, 197, 64] q, float[2, 12, 64, 197] k, float[5, 1, 3, 4] p,
       float[6, 4, 2] r) => (float[4] y1, float[3] y2, float[4, 197, 3072] y3,
                             float[2, 12, 197, 197] y4, float[5, 6, 3, 2] y5) {
      y1 = MatMul (v, b)
      y2 = MatMul (a, v)
      y3 = MatMul (x, w)
      y4 = MatMul (q, k)
      y5 = MatMul (p, r)
    })");
  ASSERT_EQ(m.network.layers.size(), 5u);
  const auto& L = m.network.layers;
  EXPECT_EQ(L[0].shape.size[Dim::kM], 1);
  EXPECT_EQ(L[0].shape.size[Dim::kN], 4);
  EXPECT_EQ(m.nodes[0].output_shape, std::vector<int64_t>{4});
  EXPECT_EQ(L[1].shape.size[Dim::kN], 1);
  EXPECT_EQ(m.nodes[1].output_shape, std::vector<int64_t>{3});
  // B without batch dims: the batch folds into M.
  EXPECT_EQ(L[2].shape.size[Dim::kM], 4 * 197);
  EXPECT_EQ(L[2].instances, 1);
  EXPECT_EQ(m.nodes[2].detail, "batch 4 folded into M");
  // Attention scores: batch x heads as instances.
  EXPECT_EQ(L[3].shape.size[Dim::kM], 197);
  EXPECT_EQ(L[3].shape.size[Dim::kN], 197);
  EXPECT_EQ(L[3].shape.size[Dim::kK], 64);
  EXPECT_EQ(L[3].instances, 24);
  // Broadcast batch [5, 1] x [6]: B is broadcast along the 5 (fold), not along the 6.
  EXPECT_EQ(L[4].shape.size[Dim::kM], 15);
  EXPECT_EQ(L[4].instances, 6);
  EXPECT_EQ(m.nodes[4].output_shape, (std::vector<int64_t>{5, 6, 3, 2}));
  EXPECT_EQ(m.nodes[4].macs, 5 * 6 * 3 * 2 * 4);
  ExpectConsistent(m);
}

TEST(OnnxOpsTest, QuantizedForms) {
  const OnnxImport m = Import(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (uint8[1, 4, 8, 8] x, uint8[6, 4, 3, 3] w, uint8 xz, uint8 wz, float xs, float ws,
       float ys, uint8 yz, uint8[16, 32] a, uint8[32, 8] b)
      => (int32[1, 6, 6, 6] c1, uint8[1, 6, 6, 6] c2, int32[16, 8] m1, uint8[16, 8] m2) {
      c1 = ConvInteger (x, w, xz, wz)
      c2 = QLinearConv (x, xs, xz, w, ws, wz, ys, yz)
      m1 = MatMulInteger (a, b, xz, wz)
      m2 = QLinearMatMul (a, xs, xz, b, ws, wz, ys, yz)
    })");
  ASSERT_EQ(m.nodes.size(), 4u);
  EXPECT_EQ(m.nodes[0].macs, 6 * 36 * 4 * 9);
  EXPECT_EQ(m.nodes[1].macs, 6 * 36 * 4 * 9);
  EXPECT_EQ(m.nodes[1].input_shapes[1], (std::vector<int64_t>{6, 4, 3, 3}));
  EXPECT_EQ(m.nodes[2].macs, 16 * 8 * 32);
  EXPECT_EQ(m.nodes[3].macs, 16 * 8 * 32);
  ExpectConsistent(m);
}

TEST(OnnxOpsTest, EinsumMatmulsAndOthers) {
  const OnnxImport m = Import(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[2, 12, 197, 64] q, float[2, 12, 197, 64] k, float[3, 5] a, float[5, 7] b,
       float[4, 3, 5] e, float[4, 4] s)
      => (float[2, 12, 197, 197] y1, float[3, 7] y2, float[4, 3, 7] y3, float[4] y4) {
      y1 = Einsum <equation = "bhid,bhjd->bhij"> (q, k)
      y2 = Einsum <equation = "ij,jk"> (a, b)
      y3 = Einsum <equation = "...ij,jk->...ik"> (e, b)
      y4 = Einsum <equation = "ii->i"> (s)
    })");
  ASSERT_EQ(m.nodes.size(), 3u);
  const auto& L = m.network.layers;
  EXPECT_EQ(L[0].shape.size[Dim::kM], 197);
  EXPECT_EQ(L[0].shape.size[Dim::kN], 197);
  EXPECT_EQ(L[0].shape.size[Dim::kK], 64);
  EXPECT_EQ(L[0].instances, 24);
  EXPECT_EQ(m.nodes[0].output_shape, (std::vector<int64_t>{2, 12, 197, 197}));
  EXPECT_EQ(m.nodes[1].macs, 3 * 7 * 5);
  EXPECT_EQ(L[2].shape.size[Dim::kM], 12);  // the ellipsis batch folds: b has none
  EXPECT_EQ(m.nodes[2].output_shape, (std::vector<int64_t>{4, 3, 7}));
  ASSERT_EQ(m.skipped.size(), 1u);
  EXPECT_EQ(m.skipped[0].op_type, "Einsum");
  EXPECT_EQ(m.skipped[0].why, SkippedNode::Why::kUnsupported);
  EXPECT_THAT(m.skipped[0].reason, HasSubstr("1 operand"));
  ExpectConsistent(m);
}

TEST(OnnxOpsTest, ShapeArithmeticIsFoldedSoReshapesSettle) {
  // The Reshape targets come from Shape -> Gather -> Unsqueeze -> Concat and from arithmetic
  // on them (Mul, Div), which ONNX 1.12 alone leaves unknown.
  const char* text = R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[N, 3, 8, 8] x, float[16, 3, 3, 3] w, float[512, 10] fc) => (float[M, 10] y) {
      c = Conv <pads = [1, 1, 1, 1]> (x, w)
      s = Shape (c)
      i0 = Constant <value = int64 {0}> ()
      n = Gather <axis = 0> (s, i0)
      ax = Constant <value = int64[1] {0}> ()
      n1 = Unsqueeze (n, ax)
      two = Constant <value = int64[1] {2}> ()
      n2 = Mul (n1, two)
      c4 = Constant <value = int64[1] {1024}> ()
      k = Div (c4, two)
      t = Concat <axis = 0> (n2, k)
      h = Reshape (c, t)
      y = MatMul (h, fc)
    })";
  ImportOptions options;
  options.batch_size = 3;
  const OnnxImport m = Import(text, options);
  ASSERT_EQ(m.nodes.size(), 2u);
  EXPECT_EQ(m.nodes[1].input_shapes[0], (std::vector<int64_t>{6, 512}));
  EXPECT_EQ(m.nodes[1].macs, 6 * 512 * 10);
  EXPECT_EQ(m.other_ops.at("Mul"), 1);  // folded nodes are still counted
}

TEST(OnnxOpsTest, FoldedValuesReplaceTheirEarlierSymbolicShapes) {
  // The first round leaves m as [?, ?] (its Reshape target is arithmetic). Once folded, the
  // Softmax, which no folding touches, must see m's real shape, or the MatMul stays unknown.
  // The pads go through Transpose, as in Swin Transformer's window padding.
  const OnnxImport m = Import(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[1, 4, 6, 6] x, float[8, 6, 3, 3] w, float[4, 3] b) => (float[2, 3] y,
                                                                  float[1, 8, 4, 6] z) {
      v = Constant <value = int64[8] {0, 0, 0, 0, 0, 0, 2, 2}> ()
      c8 = Constant <value = int64[1] {8}> ()
      c4 = Constant <value = int64[1] {4}> ()
      half = Div (c8, c4)
      minus = Constant <value = int64[1] {-1}> ()
      shp = Concat <axis = 0> (half, minus)
      m = Reshape (v, shp)
      f = Cast <to = 1> (m)
      sm = Softmax (f)
      y = MatMul (sm, b)
      t = Transpose <perm = [1, 0]> (m)
      flat = Reshape (t, minus)
      p = Pad (x, flat)
      z = Conv (p, w)
    })");
  ASSERT_EQ(m.nodes.size(), 2u);
  EXPECT_EQ(m.nodes[0].input_shapes[0], (std::vector<int64_t>{2, 4}));
  // pads [0, 0, 0, 0, 0, 2, 0, 2] after the transpose: C and W grow by 2 at the end.
  EXPECT_EQ(m.nodes[1].input_shapes[0], (std::vector<int64_t>{1, 6, 6, 8}));
  EXPECT_EQ(m.nodes[1].output_shape, (std::vector<int64_t>{1, 8, 4, 6}));
}

TEST(OnnxOpsTest, ReshapeChainWithBatchBinding) {
  const char* text = R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[batch, 3, 8, 8] x, float[16, 3, 3, 3] w, float[1024, 10] fc) => (float[batch, 10] y) {
      c = Conv <pads = [1, 1, 1, 1]> (x, w)
      s = Shape (c)
      i0 = Constant <value = int64 {0}> ()
      n = Gather <axis = 0> (s, i0)
      ax = Constant <value = int64[1] {0}> ()
      n1 = Unsqueeze (n, ax)
      m1 = Constant <value = int64[1] {-1}> ()
      t = Concat <axis = 0> (n1, m1)
      f = Reshape (c, t)
      y = MatMul (f, fc)
    })";
  ImportOptions options;
  options.batch_size = 3;
  const OnnxImport m = Import(text, options);
  ASSERT_EQ(m.nodes.size(), 2u);
  EXPECT_EQ(m.nodes[0].input_shapes[0], (std::vector<int64_t>{3, 3, 8, 8}));
  EXPECT_EQ(m.nodes[1].input_shapes[0], (std::vector<int64_t>{3, 1024}));
  EXPECT_EQ(m.network.layers[1].shape.size[Dim::kM], 3);
  EXPECT_EQ(m.other_ops.at("Reshape"), 1);
  EXPECT_EQ(m.other_ops.at("Shape"), 1);
  EXPECT_EQ(m.other_ops.at("Constant"), 3);
}

TEST(OnnxOpsTest, NamesAreKeptGeneratedAndMadeUnique) {
  const OnnxImport m = ImportNamed(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[2, 4] a, float[4, 4] b) => (float[2, 4] y) {
      t1 = MatMul (a, b)
      t2 = MatMul (t1, b)
      y = MatMul (t2, b)
    })", {{"t1", "mm"}, {"t2", "mm"}});
  ASSERT_EQ(m.nodes.size(), 3u);
  EXPECT_EQ(m.nodes[0].name, "mm");
  EXPECT_EQ(m.nodes[1].name, "mm#2");
  EXPECT_EQ(m.nodes[2].name, "MatMul_2");
  EXPECT_EQ(m.nodes[2].node_index, 2);
  EXPECT_EQ(m.network.layers[1].name, "mm#2");
}

TEST(OnnxOpsTest, WeightsThroughIdentityAndConstantNodes) {
  const OnnxImport m = Import(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[1, 2, 4, 4] x) => (float[3, 3] y) <float[1, 2, 2, 2] w0 = {1, 2, 3, 4, 5, 6, 7, 8}> {
      w = Identity (w0)
      c = Constant <value = float[2, 2] {1, 0, 0, 1}> ()
      z = Conv (x, w)
      z2 = Reshape (z, sh)
      sh = Constant <value = int64[2] {3, 3}> ()
      y = MatMul (z2, c2)
      c2 = Constant <value = float[3, 3] {1, 0, 0, 0, 1, 0, 0, 0, 1}> ()
    })");
  ASSERT_EQ(m.nodes.size(), 2u);
  EXPECT_EQ(m.nodes[0].input_shapes[1], (std::vector<int64_t>{1, 2, 2, 2}));
  EXPECT_EQ(m.nodes[1].macs, 27);
  ASSERT_EQ(m.network.warnings.size(), 1u);
  EXPECT_THAT(m.network.warnings[0], HasSubstr("topological order"));
}

TEST(OnnxOpsTest, ControlFlowBodiesAreSkipped) {
  const OnnxImport m = ImportNamed(R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (bool cond, float[1, 2, 4, 4] x, float[3, 2, 3, 3] w) => (float[1, 3, 2, 2] y) {
      y = If (cond) <
        then_branch = then_g () => (float[1, 3, 2, 2] a) { a = Conv (x, w) },
        else_branch = else_g () => (float[1, 3, 2, 2] b) {
          c = Conv (x, w)
          b = Relu (c)
        }
      >
    })", {{"a", "inner"}});
  EXPECT_TRUE(m.nodes.empty());
  ASSERT_EQ(m.skipped.size(), 2u);
  EXPECT_EQ(m.skipped[0].name, "inner");
  EXPECT_EQ(m.skipped[0].why, SkippedNode::Why::kControlFlow);
  EXPECT_THAT(m.skipped[0].reason, HasSubstr("then_branch"));
  EXPECT_EQ(m.skipped[1].name, "If_0/else_branch/Conv_0");
  EXPECT_EQ(m.other_ops.at("If"), 1);
  EXPECT_EQ(m.other_ops.count("Relu"), 0u);
}

TEST(OnnxOpsTest, SymbolicDimsAreBoundOrReported) {
  const char* text = R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[N, 3, H, W] x, float[8, 3, 3, 3] w) => (float[N, 8, H2, W2] y) {
      y = Conv (x, w)
    })";
  const std::string error = ImportNamedError(text, {{"y", "stem"}});
  EXPECT_THAT(error, HasSubstr("test.onnx: node 'stem' (Conv)"));
  EXPECT_THAT(error, HasSubstr("'H', 'W'"));
  EXPECT_THAT(error, HasSubstr("--dim"));

  ImportOptions skip;
  skip.skip_unresolved = true;
  const OnnxImport skipped = Import(text, skip);
  EXPECT_TRUE(skipped.nodes.empty());
  ASSERT_EQ(skipped.skipped.size(), 1u);
  EXPECT_EQ(skipped.skipped[0].why, SkippedNode::Why::kUnresolved);
  // The CLI puts the file's name in front (tests/cli/layers_command_test.cc).
  EXPECT_THAT(skipped.network.warnings,
              ElementsAre("1 MAC node(s) have unresolved shapes; their MACs are not in the total"));

  ImportOptions bound;
  bound.batch_size = 2;
  bound.dim_values = {{"H", 10}, {"W", 12}};
  const OnnxImport m = Import(text, bound);
  ASSERT_EQ(m.nodes.size(), 1u);
  EXPECT_EQ(m.nodes[0].output_shape, (std::vector<int64_t>{2, 8, 8, 10}));

  ImportOptions shaped;
  shaped.input_shapes = {{"x", {1, 3, 5, 5}}};
  EXPECT_EQ(Import(text, shaped).nodes[0].output_shape, (std::vector<int64_t>{1, 8, 3, 3}));
  shaped.input_shapes = {{"nope", {1}}};
  EXPECT_THAT(ImportError(text, shaped), HasSubstr("no graph input named 'nope'"));
}

}  // namespace
}  // namespace cadenza
