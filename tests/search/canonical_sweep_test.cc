// The built-in templates against the brute-force sweep of the canonical dataflows
// (search/canonical_sweep.h), and the batch tile every CONV and DSCONV form has.

#include "search/canonical_sweep.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "analyzer/analyzer.h"
#include "importer/hardware_config.h"
#include "importer/onnx_importer.h"
#include "tests/support/process.h"

namespace cadenza {
namespace {

Layer Conv(std::string name, int64_t n, int64_t k, int64_t c, int64_t r, int64_t y,
           int64_t stride = 1) {
  Layer l;
  l.name = std::move(name);
  l.kind = OpKind::kConv;
  l.shape.size[Dim::kN] = n;
  l.shape.size[Dim::kK] = k;
  l.shape.size[Dim::kC] = c;
  l.shape.size[Dim::kR] = l.shape.size[Dim::kS] = r;
  l.shape.size[Dim::kY] = l.shape.size[Dim::kX] = y;
  l.shape.stride_y = l.shape.stride_x = stride;
  l.exact_macs = ExactMacs(l.kind, l.shape);
  return l;
}

Layer Depthwise(std::string name, int64_t n, int64_t c, int64_t y, int64_t stride) {
  Layer l = Conv(std::move(name), n, 0, c, 3, y, stride);
  l.kind = OpKind::kDepthwiseConv;
  l.exact_macs = ExactMacs(l.kind, l.shape);
  return l;
}

Layer Gemm(std::string name, int64_t m, int64_t n, int64_t k) {
  Layer l;
  l.name = std::move(name);
  l.kind = OpKind::kGemm;
  l.shape.size[Dim::kM] = m;
  l.shape.size[Dim::kN] = n;
  l.shape.size[Dim::kK] = k;
  l.exact_macs = ExactMacs(l.kind, l.shape);
  return l;
}

// The 256-PE, NoC-32 accelerator of the MAESTRO reference runs.
Hardware Accel256() {
  return ReadHardwareFile(std::string(CADENZA_SOURCE_DIR) + "/models/hw/accel256.m");
}

std::string Describe(const SweepComparison& c) {
  std::string s = "search " + c.search_family + " " + std::to_string(c.search_objective) +
                  ", sweep " + c.sweep_family + " " + std::to_string(c.sweep_objective) + " (";
  for (const NamedParam& p : c.sweep_params) s += " " + p.name + "=" + std::to_string(p.value);
  return s + " )";
}

void ExpectNoHoles(const Network& net, const Hardware& hw, CostModelKind model,
                   Objective objective) {
  SearchOptions options;
  options.model = model;
  options.objective = objective;
  options.threads = 2;
  const SweepReport r = CompareWithSweep(net, hw, TemplateLibrary::Builtin(), options);
  ASSERT_EQ(r.layers.size(), net.layers.size());
  for (const SweepComparison& c : r.layers) {
    SCOPED_TRACE(net.layers[static_cast<size_t>(c.layer_index)].name + " under " +
                 std::string(CostModelName(model)) + ", " + std::string(ObjectiveName(objective)));
    // The sweep is no straw man: it maps every layer...
    EXPECT_TRUE(c.sweep_found);
    EXPECT_GT(c.sweep_candidates, 0);
    // ...and the search does at least as well on each.
    EXPECT_FALSE(c.hole()) << Describe(c);
  }
}

// Small layers of every kind the importer gives MobileNetV2 (a 3-channel strided first conv,
// depthwise with stride 1 and 2, pointwise, a classifier GEMM) and a batched conv.
Network SmallLayers() {
  Network n;
  n.name = "small";
  n.layers = {Conv("first", 1, 16, 3, 3, 14, 2), Depthwise("dw", 1, 16, 8, 1),
              Depthwise("dw_s2", 1, 32, 9, 2),    Conv("pw", 1, 32, 16, 1, 6),
              Gemm("fc", 1, 50, 64),              Conv("batched", 4, 16, 8, 3, 6)};
  return n;
}

TEST(CanonicalSweepTest, NoHolesOnSmallLayersUnderTheMaestroModel) {
  for (Objective objective : {Objective::kLatency, Objective::kEdp}) {
    ExpectNoHoles(SmallLayers(), Accel256(), CostModelKind::kMaestro, objective);
  }
}

// The exact model's sweeps are the slow part (tens of seconds, ten times that under the
// sanitizers): sanitizer builds check one layer of each kind, which is what they are there for
// (memory errors in the same code paths), and the ci build checks them all.
Network SmallLayersForTheExactModel() {
  if (!test::kSanitizedBuild) return SmallLayers();
  Network n = SmallLayers();
  n.layers = {n.layers[0], n.layers[2], n.layers[4]};  // strided conv, strided depthwise, GEMM
  return n;
}

TEST(CanonicalSweepTest, NoHolesOnSmallLayersUnderTheExactModelForLatency) {
  ExpectNoHoles(SmallLayersForTheExactModel(), Accel256(), CostModelKind::kExact,
                Objective::kLatency);
}

TEST(CanonicalSweepTest, NoHolesOnSmallLayersUnderTheExactModelForEdp) {
  ExpectNoHoles(SmallLayersForTheExactModel(), Accel256(), CostModelKind::kExact,
                Objective::kEdp);
}

// The MobileNetV2 layers where the sweep used to beat the search on this hardware: the first
// conv, two depthwise layers (112x112 and 7x7 outputs) and the classifier.
TEST(CanonicalSweepTest, NoHolesOnMobileNetV2Layers) {
  const Network full =
      ImportOnnx(std::string(CADENZA_SOURCE_DIR) + "/models/mobilenet_v2.onnx").network;
  ASSERT_EQ(full.layers.size(), 53u);
  Network net;
  net.name = "mobilenet_v2 (part)";
  for (int i : {0, 1, 40, 52}) net.layers.push_back(full.layers[static_cast<size_t>(i)]);
  for (Objective objective : {Objective::kLatency, Objective::kEdp}) {
    ExpectNoHoles(net, Accel256(), CostModelKind::kMaestro, objective);
  }
}

TEST(CanonicalSweepTest, SweepIsTheCanonicalFamilies) {
  EXPECT_EQ(CanonicalSweepLibrary().Families(),
            (std::vector<std::string>{"kcp", "yrp", "yxp", "xp", "cp"}));
}

TEST(TilesDomainTest, PowersOfTwoBelowThenTheWhole) {
  const TemplateLibrary lib = TemplateLibrary::Parse(R"(
    Template t { Kinds CONV; Param A tiles(Sz(N)); Param B tiles(12) max 9;
      Dataflow { TemporalMap(A,A) N; TemporalMap(B,B) K; } })",
                                                     "t.tmpl");
  const auto& params = lib.templates()[0].params;
  LayerShape shape;
  ParamValues values{};
  for (auto [n, want] : std::vector<std::pair<int64_t, std::vector<int64_t>>>{
           {1, {1}}, {2, {1, 2}}, {6, {1, 2, 4, 6}}, {8, {1, 2, 4, 8}}}) {
    shape.size[Dim::kN] = n;
    EXPECT_EQ(params[0].Values({&shape, 16, &values}), want) << n;
  }
  EXPECT_EQ(params[1].Values({&shape, 16, &values}), (std::vector<int64_t>{1, 2, 4, 8}));
}

// Every CONV and DSCONV form tiles the batch: TB takes 1, the batch, and the powers of two
// between; for one image it has the single value 1, so the space does not grow.
TEST(BatchTileTest, EveryConvFormTilesTheBatch) {
  for (const DataflowTemplate& t : TemplateLibrary::Builtin().templates()) {
    if (!t.AppliesTo(OpKind::kConv) && !t.AppliesTo(OpKind::kDepthwiseConv)) continue;
    SCOPED_TRACE(t.name + " " + t.source);
    const auto tb = std::find_if(t.params.begin(), t.params.end(),
                                 [](const TemplateParam& p) { return p.name == "TB"; });
    ASSERT_NE(tb, t.params.end());
    ASSERT_EQ(t.directives.front().dim, Dim::kN);
    LayerShape shape = Conv("c", 1, 8, 8, 3, 10).shape;
    ParamValues values{};
    EXPECT_EQ(tb->Values({&shape, 256, &values}), (std::vector<int64_t>{1}));
    shape.size[Dim::kN] = 8;
    EXPECT_EQ(tb->Values({&shape, 256, &values}), (std::vector<int64_t>{1, 2, 4, 8}));
  }
}

// A batch of 4 gives each family 3 times the candidates of one image (batch tiles 1, 2, 4), and
// legal choices under both models that execute every MAC of the batch.
TEST(BatchTileTest, BatchedLayerHasLegalCandidatesThatTileTheBatch) {
  Network one, four;
  one.layers = {Conv("c", 1, 8, 8, 3, 6)};
  four.layers = {Conv("c", 4, 8, 8, 3, 6)};
  Hardware hw = Accel256();
  hw.l1_size = Hardware::kUnlimited;
  for (CostModelKind model : {CostModelKind::kMaestro, CostModelKind::kExact}) {
    SCOPED_TRACE(std::string(CostModelName(model)));
    SearchOptions options;
    options.model = model;
    options.threads = 2;
    options.max_candidates_per_template = std::numeric_limits<int64_t>::max();
    const SearchResult a = SearchNetwork(one, hw, TemplateLibrary::Builtin(), options);
    const SearchResult b = SearchNetwork(four, hw, TemplateLibrary::Builtin(), options);
    // TB = 1, 2, 4 (the candidates the bound skipped are candidates too)
    EXPECT_EQ(b.candidates_evaluated + b.candidates_skipped,
              3 * (a.candidates_evaluated + a.candidates_skipped));
    ASSERT_TRUE(b.layers[0].found);
    EXPECT_EQ(b.layers[0].cost.macs, four.layers[0].exact_macs);
    for (const FamilyBest& f : b.layers[0].families) EXPECT_TRUE(f.found) << f.family;
  }
}

}  // namespace
}  // namespace cadenza
