// The simulator against the Python reference simulator's counts on all 420 reference cases
// (tests/data/exact-model: 300 CONV; tests/data/exact-model-kinds: 120 CONV with batch, DSCONV
// and GEMM): every field of every legal case integer for integer, and the missing/extra MAC
// counts of every illegal one.

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "analyzer/dims.h"
#include "importer/maestro_reader.h"
#include "simulator/simulator.h"
#include "tests/support/exact_reference.h"
#include "tests/support/files.h"

namespace cadenza {
namespace {

// ------------------------------------------------------------------------------------------------
// The reference cases and a flattening of their JSON

using ReferenceCase = test::ExactReferenceRun;

/// Every run of both sets, in runs.csv order.
std::vector<ReferenceCase> LoadReferenceCases() {
  std::vector<ReferenceCase> cases = test::ExactReferenceRuns("exact-model");
  for (ReferenceCase& c : test::ExactReferenceRuns("exact-model-kinds")) cases.push_back(std::move(c));
  return cases;
}

/// The result in the reference's form: every field for a legal mapping, only the coverage
/// counts for an illegal one.
std::map<std::string, int64_t> ReferenceFields(const SimulationResult& r) {
  if (!r.legal) {
    return {{"legal", 0}, {"missing_macs", r.missing_macs}, {"extra_macs", r.extra_macs}};
  }
  std::map<std::string, int64_t> f = {
      {"legal", 1},
      {"macs", r.macs},
      {"runtime_cycles", r.runtime_cycles},
      {"onchip_cycles", r.onchip_cycles},
      {"steps", r.steps},
      {"top_steps", r.top_steps},
      {"egress", r.egress},
      {"egress_unicast", r.egress_unicast},
      {"l1_elements", r.l1_elements},
      {"l2_elements", r.l2_elements},
      {"dram_writes", r.dram_writes},
  };
  const std::pair<const char*, Tensor> tensors[] = {
      {"input", Tensor::kInput}, {"weight", Tensor::kFilter}, {"output", Tensor::kOutput}};
  for (const auto& [name, t] : tensors) {
    f[std::string("ingress.") + name] = r.ingress[t];
    f[std::string("ingress_unicast.") + name] = r.ingress_unicast[t];
    f[std::string("dram_reads.") + name] = r.dram_reads[t];
  }
  return f;
}

// ------------------------------------------------------------------------------------------------

const std::vector<ReferenceCase>& Cases() {
  static const std::vector<ReferenceCase> cases = LoadReferenceCases();
  return cases;
}

TEST(ReferenceSet, HoldsEveryCase) {
  int conv = 0, kinds = 0, legal = 0;
  for (const ReferenceCase& c : Cases()) {
    (c.set == "exact-model" ? conv : kinds) += 1;
    legal += test::FlattenJsonIntegers(test::ReadFile(c.ExpectedPath())).at("legal") == 1 ? 1 : 0;
  }
  EXPECT_EQ(conv, 300);
  EXPECT_EQ(kinds, 120);
  EXPECT_EQ(legal, 210 + 84);  // the READMEs' tallies
}

class ReferenceCaseTest : public ::testing::TestWithParam<ReferenceCase> {};

TEST_P(ReferenceCaseTest, EqualsTheReferenceSimulator) {
  const ReferenceCase& c = GetParam();
  const MaestroModel model = ReadMaestroModel(c.CasePath());
  ASSERT_EQ(model.network.layers.size(), 1u);
  Hardware hw = ReadMaestroHardware(c.HwPath());
  hw.simd_lanes = c.simd_lanes;
  const SimulationResult r = Simulate(model.network.layers[0], model.mappings[0], hw);
  EXPECT_EQ(ReferenceFields(r), test::FlattenJsonIntegers(test::ReadFile(c.ExpectedPath())));
  // The MAC count of a legal run is the layer's, by any route.
  if (r.legal) {
    EXPECT_EQ(r.macs, model.network.layers[0].exact_macs);
  }
}

INSTANTIATE_TEST_SUITE_P(All, ReferenceCaseTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<ReferenceCase>& param_info) {
                           return param_info.param.id;
                         });


// ------------------------------------------------------------------------------------------------
// Dilation against the reference: on the axes with stride 1, a reference layer of extent Y equals
// the layer of extent 2Y - 1 with stride 2 and dilation 2, which reads only the even rows (row 2i
// stands for row i). Output y' reads rows 2y' + 2r = 2(y' + r). A Y' directive keeps its (m, o);
// a written Y directive (m, o) becomes (2m - 1, 2o), which the section 3.2 rewrite leaves alone
// when m < R, o = m - R + 1 or m >= Y (others are skipped). Every count must be the reference's:
// this ties the dilated window ownership and normalisation to the Python's numbers.

// The dilated twin of `model`'s layer and mapping on each stride-1 axis, or false.
bool DilatedTwin(MaestroModel* model) {
  Layer& layer = model->network.layers[0];
  if (layer.kind == OpKind::kGemm) return false;
  LayerShape& s = layer.shape;
  const bool rows = s.stride_y == 1, cols = s.stride_x == 1;
  if (!rows && !cols) return false;
  Mapping twin;
  for (Directive d : model->mappings[0]) {
    const bool on_rows = d.kind != DirectiveKind::kCluster && d.dim == Dim::kY && rows;
    const bool on_cols = d.kind != DirectiveKind::kCluster && d.dim == Dim::kX && cols;
    if ((on_rows || on_cols) && !d.output_coord) {
      const int64_t taps = s.size[on_rows ? Dim::kR : Dim::kS];
      const int64_t extent = s.size[on_rows ? Dim::kY : Dim::kX];
      if (!(d.size < taps || d.offset == d.size - taps + 1 || d.size >= extent)) return false;
      d.size = 2 * d.size - 1;
      d.offset = 2 * d.offset;
    }
    twin.Add(d);
  }
  if (rows) {
    s.size[Dim::kY] = 2 * s.size[Dim::kY] - 1;
    s.stride_y = s.dilation_y = 2;
  }
  if (cols) {
    s.size[Dim::kX] = 2 * s.size[Dim::kX] - 1;
    s.stride_x = s.dilation_x = 2;
  }
  model->mappings[0] = twin;
  return true;
}

TEST(ReferenceDilation, DilatedTwinsEqualTheReference) {
  int twins = 0, legal = 0;
  for (const ReferenceCase& c : Cases()) {
    MaestroModel model = ReadMaestroModel(c.CasePath());
    const LayerShape before = model.network.layers[0].shape;
    if (!DilatedTwin(&model)) continue;
    SCOPED_TRACE(c.id);
    ++twins;
    Hardware hw = ReadMaestroHardware(c.HwPath());
    hw.simd_lanes = c.simd_lanes;
    const Layer& layer = model.network.layers[0];
    ASSERT_EQ(OutputRows(layer.shape), OutputRows(before));
    ASSERT_EQ(OutputCols(layer.shape), OutputCols(before));
    const auto expected = test::FlattenJsonIntegers(test::ReadFile(c.ExpectedPath()));
    EXPECT_EQ(ReferenceFields(Simulate(layer, model.mappings[0], hw)), expected);
    legal += expected.at("legal") == 1 ? 1 : 0;
  }
  // Most stride-1 cases qualify; both kinds of outcome are among them.
  EXPECT_GT(twins, 150);
  EXPECT_GT(legal, 80);
  EXPECT_GT(twins - legal, 30);
}

// Dilated reference cases, (dy, dx) as given, against a second implementation of the same rules
// (the Python reference simulator with dilation added as docs/simulator.md states it:
// rows y'*sy + r*dy, the dilated span in the section 3.2 normalisation and in window ownership).
// That implementation agreed with this one on all 1,198 dilated variants (dy, dx) in
// {(2,1), (1,2), (2,2), (3,2)} of the reference cases whose filter still fits; these are some of
// them, multi-level and with R, S > 1.
struct DilatedCase {
  const char* set;
  const char* id;
  int64_t dy, dx;
  const char* expected;
};

TEST(ReferenceDilation, DilatedCasesEqualASecondImplementation) {
  const DilatedCase cases[] = {
      {"exact-model", "e100", 2, 3,
       "{\"legal\":true,\"macs\":216,\"runtime_cycles\":278,\"onchip_cycles\":218,"
       "\"steps\":36,\"top_steps\":36,\"ingress\":{\"input\":108,\"weight\":72,"
       "\"output\":48},\"ingress_unicast\":{\"input\":108,\"weight\":72,\"output\":48},"
       "\"egress\":72,\"egress_unicast\":72,\"l1_elements\":22,\"l2_elements\":22,"
       "\"dram_reads\":{\"input\":108,\"weight\":72,\"output\":48},\"dram_writes\":72}"},
      {"exact-model", "e133", 2, 3,
       "{\"legal\":true,\"macs\":45,\"runtime_cycles\":87,\"onchip_cycles\":63,\"steps\":2,"
       "\"top_steps\":2,\"ingress\":{\"input\":45,\"weight\":15,\"output\":0},"
       "\"ingress_unicast\":{\"input\":45,\"weight\":15,\"output\":0},\"egress\":3,"
       "\"egress_unicast\":15,\"l1_elements\":22,\"l2_elements\":94,"
       "\"dram_reads\":{\"input\":45,\"weight\":15,\"output\":0},\"dram_writes\":3}"},
      {"exact-model", "e139", 2, 3,
       "{\"legal\":true,\"macs\":80,\"runtime_cycles\":72,\"onchip_cycles\":56,\"steps\":1,"
       "\"top_steps\":1,\"ingress\":{\"input\":12,\"weight\":40,\"output\":0},"
       "\"ingress_unicast\":{\"input\":12,\"weight\":40,\"output\":0},\"egress\":10,"
       "\"egress_unicast\":20,\"l1_elements\":72,\"l2_elements\":124,"
       "\"dram_reads\":{\"input\":12,\"weight\":40,\"output\":0},\"dram_writes\":10}"},
      {"exact-model", "e156", 2, 3,
       "{\"legal\":true,\"macs\":224,\"runtime_cycles\":167,\"onchip_cycles\":96,"
       "\"steps\":2,\"top_steps\":2,\"ingress\":{\"input\":168,\"weight\":16,\"output\":0},"
       "\"ingress_unicast\":{\"input\":168,\"weight\":16,\"output\":0},\"egress\":14,"
       "\"egress_unicast\":28,\"l1_elements\":128,\"l2_elements\":240,"
       "\"dram_reads\":{\"input\":168,\"weight\":16,\"output\":0},\"dram_writes\":14}"},
      {"exact-model", "e172", 2, 3,
       "{\"legal\":true,\"macs\":2268,\"runtime_cycles\":1374,\"onchip_cycles\":804,"
       "\"steps\":1,\"top_steps\":1,\"ingress\":{\"input\":108,\"weight\":378,\"output\":0},"
       "\"ingress_unicast\":{\"input\":162,\"weight\":1512,\"output\":0},\"egress\":84,"
       "\"egress_unicast\":84,\"l1_elements\":920,\"l2_elements\":1140,"
       "\"dram_reads\":{\"input\":108,\"weight\":378,\"output\":0},\"dram_writes\":84}"},
      {"exact-model", "e219", 2, 2,
       "{\"legal\":true,\"macs\":192,\"runtime_cycles\":69,\"onchip_cycles\":66,"
       "\"steps\":48,\"top_steps\":48,\"ingress\":{\"input\":64,\"weight\":192,"
       "\"output\":45},\"ingress_unicast\":{\"input\":64,\"weight\":192,\"output\":45},"
       "\"egress\":48,\"egress_unicast\":48,\"l1_elements\":18,\"l2_elements\":18,"
       "\"dram_reads\":{\"input\":64,\"weight\":192,\"output\":45},\"dram_writes\":48}"},
      {"exact-model-kinds", "k002", 2, 2,
       "{\"legal\":true,\"macs\":432,\"runtime_cycles\":288,\"onchip_cycles\":277,"
       "\"steps\":8,\"top_steps\":2,\"ingress\":{\"input\":224,\"weight\":36,\"output\":0},"
       "\"ingress_unicast\":{\"input\":256,\"weight\":72,\"output\":0},\"egress\":48,"
       "\"egress_unicast\":48,\"l1_elements\":98,\"l2_elements\":204,"
       "\"dram_reads\":{\"input\":80,\"weight\":18,\"output\":0},\"dram_writes\":48}"},
      {"exact-model", "e003", 3, 2,
       "{\"legal\":false,\"missing_macs\":13608,\"extra_macs\":0}"},
      {"exact-model", "e058", 3, 2,
       "{\"legal\":false,\"missing_macs\":2880,\"extra_macs\":0}"},
  };
  for (const DilatedCase& d : cases) {
    SCOPED_TRACE(d.id);
    const ReferenceCase* c = nullptr;
    for (const ReferenceCase& r : Cases()) {
      if (r.id == d.id) c = &r;
    }
    ASSERT_NE(c, nullptr);
    MaestroModel model = ReadMaestroModel(c->CasePath());
    Layer& layer = model.network.layers[0];
    layer.shape.dilation_y = d.dy;
    layer.shape.dilation_x = d.dx;
    Hardware hw = ReadMaestroHardware(c->HwPath());
    hw.simd_lanes = c->simd_lanes;
    const SimulationResult r = Simulate(layer, model.mappings[0], hw);
    EXPECT_EQ(ReferenceFields(r), test::FlattenJsonIntegers(d.expected));
    if (r.legal) {
      EXPECT_EQ(r.macs, ExactMacs(layer.kind, layer.shape));
    }
  }
}

// ------------------------------------------------------------------------------------------------
// NGCONV against the reference: a CONV with batch N and the NGCONV with G = N groups (directives
// on N moved to G) run the same MACs over the same inputs and outputs; only the weights differ
// (one set per group instead of one shared set). So every count that does not involve weights
// is the reference's, and the weight counts are at least the reference's.

TEST(ReferenceGrouped, GroupsAsBatchEqualTheReferenceOutsideTheWeights) {
  int grouped = 0;
  for (const ReferenceCase& c : Cases()) {
    MaestroModel model = ReadMaestroModel(c.CasePath());
    Layer& layer = model.network.layers[0];
    if (layer.kind != OpKind::kConv || layer.shape.size[Dim::kN] < 2) continue;
    SCOPED_TRACE(c.id);
    ++grouped;
    layer.kind = OpKind::kGroupedConv;
    layer.shape.size[Dim::kG] = layer.shape.size[Dim::kN];
    layer.shape.size[Dim::kN] = 0;
    Mapping moved;
    for (Directive d : model.mappings[0]) {
      if (d.kind != DirectiveKind::kCluster && d.dim == Dim::kN) d.dim = Dim::kG;
      moved.Add(d);
    }
    Hardware hw = ReadMaestroHardware(c.HwPath());
    hw.simd_lanes = c.simd_lanes;
    const SimulationResult r = Simulate(layer, moved, hw);
    std::map<std::string, int64_t> got = ReferenceFields(r);
    std::map<std::string, int64_t> expected = test::FlattenJsonIntegers(test::ReadFile(c.ExpectedPath()));
    for (const char* key : {"ingress.weight", "ingress_unicast.weight", "dram_reads.weight"}) {
      if (expected.count(key) == 0) continue;
      EXPECT_GE(got.at(key), expected.at(key)) << key;
      got.erase(key);
      expected.erase(key);
    }
    // Runtime and buffer sizes include weight traffic and weight tiles.
    for (const char* key : {"runtime_cycles", "onchip_cycles", "l1_elements", "l2_elements"}) {
      if (expected.count(key) == 0) continue;
      EXPECT_GE(got.at(key), expected.at(key)) << key;
      got.erase(key);
      expected.erase(key);
    }
    EXPECT_EQ(got, expected);
  }
  EXPECT_EQ(grouped, 40);  // the CONV-with-batch cases of exact-model-kinds
}

}  // namespace
}  // namespace cadenza
