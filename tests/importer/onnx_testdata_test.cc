// The Conv/ConvTranspose/Gemm/MatMul node models of ONNX's own test suite (Debian package
// libonnx-testdata): the importer's output shapes must be the reference outputs' shapes, and
// its MAC counts what those shapes give.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#ifndef ONNX_ML
#define ONNX_ML 1
#endif
#ifndef ONNX_NAMESPACE
#define ONNX_NAMESPACE onnx
#endif
#include <onnx/onnx_pb.h>

#include "importer/onnx_importer.h"

namespace cadenza {
namespace {

namespace fs = std::filesystem;

const fs::path kNodeTests = "/usr/share/libonnx-testdata/data/node";

int64_t Product(const std::vector<int64_t>& v, size_t from = 0) {
  return std::accumulate(v.begin() + static_cast<std::ptrdiff_t>(from), v.end(), int64_t{1},
                         std::multiplies<>());
}

std::vector<int64_t> ReferenceOutputDims(const fs::path& test) {
  std::ifstream in(test / "test_data_set_0" / "output_0.pb", std::ios::binary);
  onnx::TensorProto tensor;
  EXPECT_TRUE(tensor.ParseFromIstream(&in)) << test;
  return {tensor.dims().begin(), tensor.dims().end()};
}

// MACs by the counting conventions, from the reference output and the operand shapes alone.
int64_t ReferenceMacs(const OnnxNodeInfo& node, const std::vector<int64_t>& out) {
  const std::vector<int64_t>& a = node.input_shapes.at(0);
  const std::vector<int64_t>& b = node.input_shapes.at(1);
  if (node.op_type == "ConvTranspose") return Product(a) * Product(b, 1);  // N*C*In * K/g*k
  if (node.op_type.find("Conv") != std::string::npos) return Product(out) * Product(b, 1);
  if (node.op_type == "Gemm") return Product(out) * (Product(a) / out.at(0));
  return Product(out) * a.back();  // MatMul forms and matmul Einsums
}

void CheckNodeTest(const std::string& name) {
  SCOPED_TRACE(name);
  const fs::path dir = kNodeTests / name;
  ASSERT_TRUE(fs::exists(dir / "model.onnx"));
  const OnnxImport model = ImportOnnx((dir / "model.onnx").string());
  ASSERT_EQ(model.nodes.size(), 1u);
  const OnnxNodeInfo& node = model.nodes[0];
  const std::vector<int64_t> out = ReferenceOutputDims(dir);
  EXPECT_EQ(node.output_shape, out);
  EXPECT_EQ(node.macs, ReferenceMacs(node, out));
  EXPECT_EQ(model.total_macs, node.macs);
  int64_t layer_macs = 0;
  for (int i : node.layer_indices) {
    const Layer& l = model.network.layers.at(static_cast<size_t>(i));
    EXPECT_EQ(l.exact_macs, ExactMacs(l.kind, l.shape) * l.instances);
    layer_macs += l.exact_macs;
  }
  EXPECT_EQ(layer_macs, node.macs);
}

class OnnxTestdataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::is_directory(kNodeTests)) {
      GTEST_SKIP() << kNodeTests << " is absent (Debian package libonnx-testdata)";
    }
  }
  // Node tests whose name starts with one of `prefixes`.
  static std::vector<std::string> Tests(std::initializer_list<std::string_view> prefixes) {
    std::vector<std::string> names;
    for (const fs::directory_entry& e : fs::directory_iterator(kNodeTests)) {
      const std::string name = e.path().filename().string();
      for (std::string_view p : prefixes) {
        if (name.rfind(p, 0) == 0) names.push_back(name);
      }
    }
    std::sort(names.begin(), names.end());
    return names;
  }
};

TEST_F(OnnxTestdataTest, Conv) {
  const auto names = Tests({"test_basic_conv", "test_conv_", "test_convinteger", "test_qlinearconv"});
  EXPECT_GE(names.size(), 9u);
  for (const std::string& name : names) CheckNodeTest(name);
}

TEST_F(OnnxTestdataTest, ConvTranspose) {
  const auto names = Tests({"test_convtranspose"});
  EXPECT_GE(names.size(), 10u);  // 1-D, 3-D, dilations, pads, output_shape, auto_pad, ...
  for (const std::string& name : names) CheckNodeTest(name);
}

TEST_F(OnnxTestdataTest, Gemm) {
  const auto names = Tests({"test_gemm"});
  EXPECT_GE(names.size(), 10u);
  for (const std::string& name : names) CheckNodeTest(name);
}

TEST_F(OnnxTestdataTest, MatMul) {
  const auto names = Tests({"test_matmul", "test_qlinearmatmul", "test_einsum_batch_matmul",
                            "test_einsum_inner_prod"});
  EXPECT_GE(names.size(), 8u);
  for (const std::string& name : names) CheckNodeTest(name);
}

// ONNX's recurrent node tests (some output only Y_h [D, B, H]): the count is
// D x T x B x gates x H x (I + H), from X [T, B, I] (batchwise: [B, T, I]), W and R.
TEST_F(OnnxTestdataTest, Recurrent) {
  const auto names = Tests({"test_lstm_", "test_gru_", "test_rnn_", "test_simple_rnn_"});
  EXPECT_GE(names.size(), 12u);
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    const OnnxImport model = ImportOnnx((kNodeTests / name / "model.onnx").string());
    ASSERT_EQ(model.nodes.size(), 1u);
    const OnnxNodeInfo& node = model.nodes[0];
    const std::vector<int64_t>& x = node.input_shapes.at(0);
    const std::vector<int64_t>& w = node.input_shapes.at(1);
    const std::vector<int64_t>& r = node.input_shapes.at(2);
    const int64_t seq_batch = x[0] * x[1];
    EXPECT_EQ(node.macs, seq_batch * w[0] * w[1] * (w[2] + r[2]));
    const std::vector<int64_t> out = ReferenceOutputDims(kNodeTests / name);
    EXPECT_EQ(out.back(), r[2]);  // Y or Y_h ends in H
    int64_t layer_macs = 0;
    for (int i : node.layer_indices) {
      layer_macs += model.network.layers.at(static_cast<size_t>(i)).exact_macs;
    }
    EXPECT_EQ(layer_macs, node.macs);
  }
}

TEST_F(OnnxTestdataTest, EinsumsThatAreNotMatmulsAreListedAsSkipped) {
  for (const char* name :
       {"test_einsum_batch_diagonal", "test_einsum_sum", "test_einsum_transpose"}) {
    SCOPED_TRACE(name);
    const OnnxImport model = ImportOnnx((kNodeTests / name / "model.onnx").string());
    EXPECT_TRUE(model.nodes.empty());
    ASSERT_EQ(model.skipped.size(), 1u);
    EXPECT_EQ(model.skipped[0].why, SkippedNode::Why::kUnsupported);
  }
}

}  // namespace
}  // namespace cadenza
