#include "analyzer/cost_model.h"

#include "analyzer/exact_cost_model.h"

#include <gtest/gtest.h>

#include <limits>

#include "analyzer/analyzer.h"
#include "analyzer/error.h"

namespace cadenza {
namespace {

Layer Conv() {
  Layer l;
  l.name = "conv";
  l.kind = OpKind::kConv;
  l.shape.size[Dim::kK] = 4;
  l.shape.size[Dim::kC] = 2;
  l.shape.size[Dim::kR] = l.shape.size[Dim::kS] = 3;
  l.shape.size[Dim::kY] = l.shape.size[Dim::kX] = 6;
  l.exact_macs = ExactMacs(l.kind, l.shape);
  return l;
}

Mapping KcpMapping() {
  Mapping m;
  m.Add({.kind = DirectiveKind::kSpatialMap, .dim = Dim::kK, .size = 1, .offset = 1});
  m.Add({.kind = DirectiveKind::kTemporalMap, .dim = Dim::kC, .size = 1, .offset = 1});
  m.Add({.kind = DirectiveKind::kTemporalMap, .dim = Dim::kR, .size = 3, .offset = 3});
  m.Add({.kind = DirectiveKind::kTemporalMap, .dim = Dim::kS, .size = 3, .offset = 3});
  m.Add({.kind = DirectiveKind::kTemporalMap, .dim = Dim::kY, .size = 3, .offset = 1});
  m.Add({.kind = DirectiveKind::kTemporalMap, .dim = Dim::kX, .size = 3, .offset = 1});
  return m;
}

TEST(CostModelTest, NamesRoundTrip) {
  for (CostModelKind k : {CostModelKind::kMaestro, CostModelKind::kExact}) {
    EXPECT_EQ(CostModelFromName(CostModelName(k)), k);
  }
  EXPECT_EQ(CostModelName(CostModelKind::kMaestro), "maestro");
  EXPECT_EQ(CostModelName(CostModelKind::kExact), "exact");
  EXPECT_EQ(CostModelFromName("Maestro"), std::nullopt);
  EXPECT_EQ(CostModelFromName(""), std::nullopt);
}

// The factory's MAESTRO model is the Analyzer, number for number, limits included.
TEST(CostModelTest, MaestroModelIsTheAnalyzer) {
  Hardware hw;
  hw.num_pes = 4;
  hw.noc_bw = 8;
  hw.l1_size = 10;  // too small for the tiles: CheckLimits must say so through the interface
  const std::unique_ptr<LayerCostModel> model =
      MakeLayerCostModel(CostModelKind::kMaestro, Conv(), hw);
  const Analyzer analyzer(Conv(), hw);
  CostResult a = model->Evaluate(KcpMapping());
  CostResult b = analyzer.Evaluate(KcpMapping());
  ASSERT_TRUE(a.ok()) << InfeasibleName(a.infeasible);
  EXPECT_TRUE(a == b);
  EXPECT_EQ(model->layer().name, "conv");
  model->CheckLimits(&a);
  analyzer.CheckLimits(&b);
  EXPECT_EQ(a.infeasible, Infeasible::kL1Overflow);
  EXPECT_EQ(b.infeasible, Infeasible::kL1Overflow);
}

TEST(CostModelTest, ExactKindIsTheExactModel) {
  const std::unique_ptr<LayerCostModel> model =
      MakeLayerCostModel(CostModelKind::kExact, Conv(), Hardware{});
  EXPECT_NE(dynamic_cast<const ExactCostModel*>(model.get()), nullptr);
}

TEST(CostModelTest, BufferBytesWeighsEachTensorAndSaturates) {
  EXPECT_EQ(BufferBytes({{3, 5, 7}}, {{1, 2, 4}}), 3 + 10 + 28);
  const int64_t big = std::numeric_limits<int64_t>::max() / 2 + 1;
  EXPECT_EQ(BufferBytes({{big, 0, 0}}, {{2, 1, 1}}), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(BufferBytes({{big, big, 0}}, {{1, 1, 1}}), std::numeric_limits<int64_t>::max());
}

TEST(CostModelTest, CheckCapacityComparesBytesWithTheCapacities) {
  Hardware hw;
  hw.l1_size = 100;
  hw.l2_size = 1000;
  hw.bytes_per_element = {{1, 2, 4}};
  EXPECT_EQ(CheckCapacity({{10, 10, 10}}, {{100, 100, 100}}, hw), Infeasible::kNone);  // 70, 700
  EXPECT_EQ(CheckCapacity({{10, 10, 15}}, {{100, 100, 100}}, hw), Infeasible::kNone);  // 90
  EXPECT_EQ(CheckCapacity({{10, 10, 20}}, {{100, 100, 100}}, hw), Infeasible::kL1Overflow);  // 110
  EXPECT_EQ(CheckCapacity({{10, 10, 10}}, {{100, 100, 200}}, hw), Infeasible::kL2Overflow);
  EXPECT_EQ(CheckCapacity({{100, 0, 0}}, {{1000, 0, 0}}, hw), Infeasible::kNone);  // equal fits
}

}  // namespace
}  // namespace cadenza
