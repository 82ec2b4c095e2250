// The bundled torchvision models: layer counts and total MACs against figures known
// independently (published totals; the PyTorch module-hook counts of models/export_models.py).

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "analyzer/polyphase.h"
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

// DeepLabV3's dilated convs (three depthwise 5x5 with dilation 2 in the backbone, the ASPP's
// 3x3 with dilations 12, 24 and 36) are one layer each as imported; the MAESTRO-compatible
// model gets their undilated phases, with the same MACs.
TEST(OnnxModelsTest, DeepLabV3DilatedConvsUnderEachModel) {
  const OnnxImport m = ImportOnnx(ModelPath("deeplabv3_mobilenet_v3_large"));
  ASSERT_EQ(m.network.layers.size(), 70u);
  std::map<std::string, const Layer*> dilated;
  for (const Layer& l : m.network.layers) {
    if (l.shape.dilation_y > 1 || l.shape.dilation_x > 1) dilated[l.name] = &l;
  }
  ASSERT_EQ(dilated.size(), 6u);
  const std::string aspp = "/classifier/classifier.0/convs.";
  const Layer& d36 = *dilated.at(aspp + "3/convs.3.0/Conv");
  EXPECT_EQ(d36.shape.dilation_y, 36);
  EXPECT_EQ(d36.shape.size[Dim::kY], 14 + 2 * 36);
  EXPECT_EQ(d36.shape.size[Dim::kR], 3);
  EXPECT_EQ(d36.instances, 1);
  EXPECT_EQ(OutputRows(d36.shape), 14);
  EXPECT_EQ(d36.exact_macs, 433'520'640);
  const Layer& dw = *dilated.at("/backbone/backbone.13/block/block.1/block.1.0/Conv");
  EXPECT_EQ(dw.kind, OpKind::kDepthwiseConv);
  EXPECT_EQ(dw.shape.dilation_x, 2);
  EXPECT_EQ(dw.shape.size[Dim::kX], 22);

  const Network exact = ForCostModel(m.network, CostModelKind::kExact);
  EXPECT_EQ(exact.layers.size(), 70u);

  const Network maestro = ForCostModel(m.network, CostModelKind::kMaestro);
  EXPECT_EQ(maestro.layers.size(), 73u);
  int64_t total = 0;
  std::map<std::string, std::vector<std::pair<std::string, int64_t>>> phases;
  for (const Layer& l : maestro.layers) {
    total += l.exact_macs;
    EXPECT_EQ(l.shape.dilation_y, 1) << l.name;
    EXPECT_EQ(l.shape.dilation_x, 1) << l.name;
    const std::string node = l.name.substr(0, l.name.find("/phase"));
    if (dilated.count(node) > 0) {
      phases[node].emplace_back("Y" + std::to_string(l.shape.size[Dim::kY]) + " X" +
                                    std::to_string(l.shape.size[Dim::kX]),
                                l.instances);
    }
  }
  EXPECT_EQ(total, m.total_macs);
  using Phases = std::vector<std::pair<std::string, int64_t>>;
  // Dilation 12 on 14 outputs: 12 phases per axis, 2 of 2 outputs and 10 of 1.
  EXPECT_EQ(phases[aspp + "1/convs.1.0/Conv"],
            (Phases{{"Y3 X3", 100}, {"Y3 X4", 20}, {"Y4 X3", 20}, {"Y4 X4", 4}}));
  // Dilations 24 and 36 exceed the 14 outputs: every output is a phase of its own.
  EXPECT_EQ(phases[aspp + "2/convs.2.0/Conv"], (Phases{{"Y3 X3", 196}}));
  EXPECT_EQ(phases[aspp + "3/convs.3.0/Conv"], (Phases{{"Y3 X3", 196}}));
  for (int block : {13, 14, 15}) {
    EXPECT_EQ(phases["/backbone/backbone." + std::to_string(block) + "/block/block.1/block.1.0/Conv"],
              (Phases{{"Y11 X11", 4}}));
  }
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
