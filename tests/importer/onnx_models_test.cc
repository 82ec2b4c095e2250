// The bundled torchvision models: layer counts and total MACs against figures known
// independently (published totals; the PyTorch module-hook counts of models/export_models.py).

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <string>

#include "importer/onnx_importer.h"
#include "tests/support/files.h"
#include "tests/support/paths.h"

namespace cadenza {
namespace {

namespace fs = std::filesystem;

std::string ModelPath(const std::string& name) {
  return test::SourcePath("models/" + name + ".onnx");
}

std::map<OpKind, int> KindCounts(const OnnxImport& m) {
  std::map<OpKind, int> counts;
  for (const Layer& l : m.network.layers) ++counts[l.kind];
  return counts;
}

struct Expected {
  const char* model;
  size_t mac_nodes;
  int64_t macs;             // PyTorch module hooks (+ ViT's attention matmuls), batch 1
  double published_gmacs;   // the figure usually quoted for the model at 224x224
};

constexpr Expected kModels[] = {
    {"resnet50", 54, 4'089'184'256, 4.09},
    {"mobilenet_v2", 53, 300'774'272, 0.30},
    {"vgg16", 16, 15'470'264'320, 15.5},
    {"vit_b_16", 74, 17'563'828'224, 17.6},
    {"dcgan_generator", 5, 104'628'224, 0.1046},
    {"deeplabv3_mobilenet_v3_large", 70, 1'882'169'120, 1.88},
};

TEST(OnnxModelsTest, LayerCountsAndTotalMacs) {
  for (const Expected& e : kModels) {
    SCOPED_TRACE(e.model);
    const OnnxImport m = ImportOnnx(ModelPath(e.model));
    EXPECT_EQ(m.nodes.size(), e.mac_nodes);
    EXPECT_EQ(m.total_macs, e.macs);
    EXPECT_NEAR(static_cast<double>(m.total_macs) / 1e9, e.published_gmacs,
                0.01 * e.published_gmacs);
    EXPECT_TRUE(m.skipped.empty());
    EXPECT_TRUE(m.network.warnings.empty()) << m.network.warnings.front();
    EXPECT_EQ(m.opset, 13);
  }
}

TEST(OnnxModelsTest, KindsPerModel) {
  const OnnxImport resnet = ImportOnnx(ModelPath("resnet50"));
  EXPECT_EQ(KindCounts(resnet), (std::map<OpKind, int>{{OpKind::kConv, 53}, {OpKind::kGemm, 1}}));
  const OnnxImport mobilenet = ImportOnnx(ModelPath("mobilenet_v2"));
  EXPECT_EQ(KindCounts(mobilenet),
            (std::map<OpKind, int>{
                {OpKind::kConv, 35}, {OpKind::kDepthwiseConv, 17}, {OpKind::kGemm, 1}}));
  const OnnxImport vit = ImportOnnx(ModelPath("vit_b_16"));
  int attention = 0;
  for (const Layer& l : vit.network.layers) {
    if (l.kind == OpKind::kGemm && l.instances == 12) ++attention;  // one per head
  }
  EXPECT_EQ(attention, 24);  // Q.K^T and scores.V in each of 12 blocks
  const OnnxImport dcgan = ImportOnnx(ModelPath("dcgan_generator"));
  for (const Layer& l : dcgan.network.layers) EXPECT_EQ(l.kind, OpKind::kTransposedConv);
  EXPECT_EQ(dcgan.network.layers.size(), 17u);  // 1 for the 1x1 stem, then 4 pieces x 4
}

TEST(OnnxModelsTest, BatchScalesEveryLayer) {
  ImportOptions options;
  options.batch_size = 4;
  for (const char* name : {"resnet50", "vit_b_16", "mobilenet_v2"}) {
    SCOPED_TRACE(name);
    const OnnxImport one = ImportOnnx(ModelPath(name));
    const OnnxImport four = ImportOnnx(ModelPath(name), options);
    EXPECT_EQ(four.total_macs, 4 * one.total_macs);
    EXPECT_EQ(four.nodes.size(), one.nodes.size());
  }
}

TEST(OnnxModelsTest, GraphOnlyFileImportsWithoutItsExternalData) {
  const test::TempDir dir;
  fs::copy_file(ModelPath("resnet50"), dir.path() / "resnet50.onnx");
  ASSERT_FALSE(fs::exists(dir.path() / "resnet50.onnx.data"));
  const OnnxImport m = ImportOnnx(dir.Path("resnet50.onnx"));
  EXPECT_EQ(m.total_macs, 4'089'184'256);
}

}  // namespace
}  // namespace cadenza
