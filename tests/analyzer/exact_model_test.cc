// The exact model against the brute-force simulator's reference counts (tests/data/exact-model
// and tests/data/exact-model-kinds: every field of every case), plus hand-derived cases and
// invariants.

#include "analyzer/exact_model.h"

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/error.h"
#include "importer/maestro_reader.h"
#include "tests/support/exact_reference.h"
#include "tests/support/files.h"

namespace cadenza {
namespace {

struct Case {
  std::string id;
  Layer layer;
  Mapping mapping;
  Hardware hw;
  std::map<std::string, int64_t> expected;
};

std::vector<Case> LoadSet(const std::string& set) {
  std::vector<Case> cases;
  for (const test::ExactReferenceRun& run : test::ExactReferenceRuns(set)) {
    Case c;
    c.id = run.id;
    const MaestroModel model = ReadMaestroModel(run.CasePath());
    c.layer = model.network.layers.at(0);
    c.mapping = model.mappings.at(0);
    c.hw = ReadMaestroHardware(run.HwPath());
    c.hw.simd_lanes = run.simd_lanes;
    c.expected = test::FlattenJsonIntegers(test::ReadFile(run.ExpectedPath()));
    cases.push_back(std::move(c));
  }
  return cases;
}

std::map<std::string, int64_t> Fields(const ExactCounts& r) {
  if (!r.legal) return {{"legal", 0}, {"missing_macs", r.missing_macs}, {"extra_macs", r.extra_macs}};
  return {{"legal", 1},
          {"macs", r.macs},
          {"runtime_cycles", r.runtime_cycles},
          {"onchip_cycles", r.onchip_cycles},
          {"steps", r.steps},
          {"top_steps", r.top_steps},
          {"ingress.input", r.ingress[Tensor::kInput]},
          {"ingress.weight", r.ingress[Tensor::kFilter]},
          {"ingress.output", r.ingress[Tensor::kOutput]},
          {"ingress_unicast.input", r.ingress_unicast[Tensor::kInput]},
          {"ingress_unicast.weight", r.ingress_unicast[Tensor::kFilter]},
          {"ingress_unicast.output", r.ingress_unicast[Tensor::kOutput]},
          {"egress", r.egress},
          {"egress_unicast", r.egress_unicast},
          {"l1_elements", r.l1_elements},
          {"l2_elements", r.l2_elements},
          {"dram_reads.input", r.dram_reads[Tensor::kInput]},
          {"dram_reads.weight", r.dram_reads[Tensor::kFilter]},
          {"dram_reads.output", r.dram_reads[Tensor::kOutput]},
          {"dram_writes", r.dram_writes}};
}

void CheckSet(const std::string& set, size_t expected_cases) {
  const std::vector<Case> cases = LoadSet(set);
  ASSERT_EQ(cases.size(), expected_cases);
  int legal = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(set + "/" + c.id);
    const ExactModel model(c.layer, c.hw);
    const ExactCounts r = model.Evaluate(c.mapping);
    // A legal case has 20 fields, an illegal one 3: a misread file cannot pass as equal.
    ASSERT_EQ(c.expected.size(), c.expected.at("legal") ? 20U : 3U);
    EXPECT_EQ(Fields(r), c.expected);
    if (r.legal) {
      ++legal;
      // Invariants of a legal mapping.
      EXPECT_EQ(r.macs, c.layer.exact_macs);
      for (Tensor t : kAllTensors) EXPECT_LE(r.ingress[t], r.ingress_unicast[t]);
      EXPECT_LE(r.egress, r.egress_unicast);
      EXPECT_LE(r.onchip_cycles, r.runtime_cycles);
      EXPECT_LE(r.top_steps, r.steps);
      EXPECT_GE(r.l2_elements, r.l1_elements / 2);
    }
  }
  EXPECT_GT(legal, 0);
}

TEST(ExactModel, EqualsSimulatorOnConvReference) { CheckSet("exact-model", 300); }

TEST(ExactModel, EqualsSimulatorOnBatchDsconvGemmReference) {
  CheckSet("exact-model-kinds", 120);
}

Layer ConvLayer(int64_t k, int64_t c, int64_t r, int64_t s, int64_t y, int64_t x) {
  Layer layer;
  layer.name = "hand";
  layer.kind = OpKind::kConv;
  layer.shape.size[Dim::kK] = k;
  layer.shape.size[Dim::kC] = c;
  layer.shape.size[Dim::kR] = r;
  layer.shape.size[Dim::kS] = s;
  layer.shape.size[Dim::kY] = y;
  layer.shape.size[Dim::kX] = x;
  layer.exact_macs = ExactMacs(layer.kind, layer.shape);
  return layer;
}

Directive Dir(DirectiveKind kind, Dim dim, int64_t size, int64_t offset, bool out = false) {
  Directive d;
  d.kind = kind;
  d.dim = dim;
  d.size = size;
  d.offset = offset;
  d.output_coord = out;
  return d;
}

Hardware Hw(int64_t pes, int64_t noc, int64_t offchip) {
  Hardware hw;
  hw.num_pes = pes;
  hw.noc_bw = noc;
  hw.offchip_bw = offchip;
  return hw;
}

// Four PEs each take one output channel of a 1x1 layer with one input element: one step.
TEST(ExactModel, HandDerivedOneStepKParallel) {
  Mapping m;
  m.Add(Dir(DirectiveKind::kSpatialMap, Dim::kK, 1, 1));
  const Layer layer = ConvLayer(4, 1, 1, 1, 1, 1);
  const ExactCounts r = ExactModel(layer, Hw(4, 1, 1)).Evaluate(m);
  ASSERT_TRUE(r.legal);
  EXPECT_EQ(r.macs, 4);
  EXPECT_EQ(r.steps, 1);
  EXPECT_EQ(r.top_steps, 1);
  EXPECT_EQ(r.ingress[Tensor::kInput], 1);          // one element, multicast to all four
  EXPECT_EQ(r.ingress_unicast[Tensor::kInput], 4);
  EXPECT_EQ(r.ingress[Tensor::kFilter], 4);
  EXPECT_EQ(r.ingress_unicast[Tensor::kFilter], 4);
  EXPECT_EQ(r.ingress[Tensor::kOutput], 0);
  EXPECT_EQ(r.egress, 4);                            // the final flush only
  EXPECT_EQ(r.egress_unicast, 4);
  EXPECT_EQ(r.l1_elements, 2 * (1 + 1 + 1));
  EXPECT_EQ(r.l2_elements, 2 * (1 + 4 + 4));
  EXPECT_EQ(r.dram_reads[Tensor::kInput], 1);
  EXPECT_EQ(r.dram_reads[Tensor::kFilter], 4);
  EXPECT_EQ(r.dram_reads[Tensor::kOutput], 0);
  EXPECT_EQ(r.dram_writes, 4);
  // Step: ceil(5 / 1) + 1 MAC = 6; top step: 5 DRAM reads + 6; flush 4 to L2, 4 to DRAM.
  EXPECT_EQ(r.onchip_cycles, 6 + 4);
  EXPECT_EQ(r.runtime_cycles, 5 + 6 + 4 + 4);
  // Without multicast the input goes to each PE separately: the step takes 8 + 1.
  const ExactCounts u = ExactModel(layer, Hw(4, 1, 1), {false, true}).Evaluate(m);
  EXPECT_EQ(u.onchip_cycles, 9 + 4);
  EXPECT_EQ(u.runtime_cycles, 5 + 9 + 4 + 4);
  EXPECT_EQ(u.ingress, r.ingress);
}

// SpatialMap(1,2) K over K = 4 leaves k = 1 and 3 unexecuted; SpatialMap(2,1) runs k = 1, 2 twice.
TEST(ExactModel, HandDerivedCoverage) {
  const Layer layer = ConvLayer(4, 3, 1, 1, 1, 1);
  Mapping gaps;
  gaps.Add(Dir(DirectiveKind::kSpatialMap, Dim::kK, 1, 2));
  const ExactCounts a = ExactModel(layer, Hw(4, 8, 8)).Evaluate(gaps);
  EXPECT_FALSE(a.legal);
  EXPECT_EQ(a.missing_macs, 2 * 3);
  EXPECT_EQ(a.extra_macs, 0);
  Mapping overlaps;
  overlaps.Add(Dir(DirectiveKind::kSpatialMap, Dim::kK, 2, 1));
  const ExactCounts b = ExactModel(layer, Hw(4, 8, 8)).Evaluate(overlaps);
  EXPECT_FALSE(b.legal);
  EXPECT_EQ(b.missing_macs, 0);
  EXPECT_EQ(b.extra_macs, 2 * 3);
}

// Dilation 2, R = 2 over 5 rows: 3 output rows, PE j reads rows j and j + 2.
TEST(ExactModel, HandDerivedDilation) {
  Layer layer = ConvLayer(1, 1, 2, 1, 5, 1);
  layer.shape.dilation_y = 2;
  layer.exact_macs = ExactMacs(layer.kind, layer.shape);
  ASSERT_EQ(layer.exact_macs, 6);
  Mapping m;
  m.Add(Dir(DirectiveKind::kSpatialMap, Dim::kY, 1, 1, /*out=*/true));
  const ExactCounts r = ExactModel(layer, Hw(3, 64, 64)).Evaluate(m);
  ASSERT_TRUE(r.legal);
  EXPECT_EQ(r.macs, 6);
  EXPECT_EQ(r.ingress[Tensor::kInput], 5);
  EXPECT_EQ(r.ingress_unicast[Tensor::kInput], 6);
  EXPECT_EQ(r.ingress[Tensor::kFilter], 2);
  EXPECT_EQ(r.ingress_unicast[Tensor::kFilter], 6);
  EXPECT_EQ(r.l1_elements, 2 * (2 + 2 + 1));
  EXPECT_EQ(r.dram_reads[Tensor::kInput], 5);
}

// Row stationary on 64 PEs: two output rows across clusters of three PEs, one filter row per PE,
// so only 6 PEs ever work and each runs 8 of the 48 MACs. The search's bound counts the PEs a
// level's SpatialMaps can reach (two clusters of three), not the 64 PEs of the hardware.
TEST(ExactModel, LowerBoundCountsOnlyThePesThatCanWork) {
  const Layer layer = ConvLayer(8, 1, 3, 1, 4, 1);
  ASSERT_EQ(layer.exact_macs, 48);
  Mapping m;
  m.Add(Dir(DirectiveKind::kSpatialMap, Dim::kY, 1, 1, /*out=*/true));
  m.Add(Dir(DirectiveKind::kTemporalMap, Dim::kK, 1, 1));
  m.Add(Dir(DirectiveKind::kTemporalMap, Dim::kR, 3, 3));
  m.Add(Directive{.kind = DirectiveKind::kCluster, .size = 3});
  m.Add(Dir(DirectiveKind::kSpatialMap, Dim::kY, 1, 1));
  m.Add(Dir(DirectiveKind::kSpatialMap, Dim::kR, 1, 1));
  const ExactModel model(layer, Hw(64, 64, 64));
  const ExactCounts r = model.Evaluate(m);
  ASSERT_TRUE(r.legal);
  const ExactModel::Bound b = model.LowerBound(m);
  EXPECT_FALSE(b.pe_known);  // two SpatialMaps in the cluster: no per-PE product
  EXPECT_GE(b.runtime_cycles, 48 / 6);
  EXPECT_LE(b.runtime_cycles, r.runtime_cycles);
}

// An output channel per PE; input channels, then output rows, one per step.
Mapping ChannelPerPeThenInputChannelsThenRows() {
  Mapping m;
  m.Add(Dir(DirectiveKind::kSpatialMap, Dim::kK, 1, 1));
  m.Add(Dir(DirectiveKind::kTemporalMap, Dim::kC, 1, 1));
  m.Add(Dir(DirectiveKind::kTemporalMap, Dim::kY, 1, 1, /*out=*/true));
  return m;
}

// One PE, two input channels outermost and two output rows inside: each output row enters,
// leaves, and enters again for the second channel (a read-back). The bound's closed form of the
// tile deltas counts exactly these entries, which the outputs touched (2 rows) undercount.
TEST(ExactModel, LowerBoundCountsWhatEntersThePeAgain) {
  const Layer layer = ConvLayer(1, 2, 1, 1, 2, 1);
  const Mapping m = ChannelPerPeThenInputChannelsThenRows();
  const ExactModel model(layer, Hw(1, 64, 64));
  const ExactCounts r = model.Evaluate(m);
  ASSERT_TRUE(r.legal);
  EXPECT_EQ(r.steps, 4);  // (c0, y0) (c0, y1) (c1, y0) (c1, y1)
  EXPECT_EQ(r.ingress_unicast[Tensor::kInput], 4);
  EXPECT_EQ(r.ingress_unicast[Tensor::kFilter], 2);
  EXPECT_EQ(r.egress_unicast, 4);
  EXPECT_EQ(r.ingress_unicast[Tensor::kOutput], 2);  // both rows, read back for c1
  const ExactModel::Bound b = model.LowerBound(m);
  ASSERT_TRUE(b.pe_known);
  EXPECT_EQ(b.pe_touched[Tensor::kOutput], 2);
  EXPECT_EQ(b.pe_entering[Tensor::kInput], 4);
  EXPECT_EQ(b.pe_entering[Tensor::kFilter], 2);
  EXPECT_EQ(b.pe_entering[Tensor::kOutput], 4);
  EXPECT_EQ(b.readbacks_unicast, 2);
  EXPECT_EQ(b.readbacks, 2);  // one PE, its own set
}

// The bound keeps each axis's series between calls, by the axis's directives: mappings that
// share some axes' loops (and the same loops at another level) get the bound a fresh model
// computes, whatever was bounded before.
TEST(ExactModel, LowerBoundIsTheSameFromAModelThatBoundedOthers) {
  const Layer layer = ConvLayer(8, 6, 3, 3, 10, 10);
  std::vector<Mapping> mappings;
  for (int64_t tk : {1, 2, 4}) {
    for (int64_t tc : {1, 2, 3}) {
      for (int64_t cl : {1, 2, 4}) {
        for (int64_t ty : {1, 3}) {
          for (bool swapped : {false, true}) {
            const Dim outer = swapped ? Dim::kC : Dim::kK, inner = swapped ? Dim::kK : Dim::kC;
            Mapping m;
            m.Add(Dir(DirectiveKind::kSpatialMap, outer, tk, tk));
            m.Add(Dir(DirectiveKind::kTemporalMap, inner, tc, tc));
            m.Add(Dir(DirectiveKind::kTemporalMap, Dim::kY, ty, ty, /*out=*/true));
            m.Add(Directive{.kind = DirectiveKind::kCluster, .size = cl});
            m.Add(Dir(DirectiveKind::kSpatialMap, inner, 1, 1));
            m.Add(Dir(DirectiveKind::kTemporalMap, Dim::kY, 1, 1, /*out=*/true));
            mappings.push_back(m);
          }
        }
      }
    }
  }
  const ExactModel shared(layer, Hw(16, 8, 4));
  int per_pe = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (const Mapping& m : mappings) {
      const ExactModel::Bound fresh = ExactModel(layer, Hw(16, 8, 4)).LowerBound(m);
      EXPECT_TRUE(shared.LowerBound(m) == fresh) << ToString(m, "  ");
      per_pe += fresh.pe_known;
    }
  }
  EXPECT_GT(per_pe, 0);
}

// Four PEs take an output channel each: the first top step's outer tile holds four weights
// and four outputs, all of the L2 need, where the first PE's tile holds one of each. The bound
// of the L2 need (which lets the search skip candidates that overflow L2) counts all four.
TEST(ExactModel, LowerBoundOfL2CountsEverySubUnitOfTheFirstTopStep) {
  const Layer layer = ConvLayer(8, 2, 1, 1, 4, 1);
  const Mapping m = ChannelPerPeThenInputChannelsThenRows();
  const ExactModel model(layer, Hw(4, 64, 64));
  const ExactCounts r = model.Evaluate(m);
  ASSERT_TRUE(r.legal);
  const ExactModel::Bound b = model.LowerBound(m);
  EXPECT_EQ(b.l1_tile[Tensor::kFilter], 1);
  for (Tensor t : kAllTensors) EXPECT_EQ(b.l2_tile[t], r.l2_max[t]) << static_cast<int>(t);
  EXPECT_EQ(b.l2_tile[Tensor::kFilter], 4);
  EXPECT_EQ(b.l2_tile[Tensor::kOutput], 4);
}

// HandDerivedOneStepKParallel's run (19 cycles): the bound counts the first top step's whole
// outer tile read from DRAM (1 input, 4 weights: 5 cycles) before the on-chip time, and the last
// outer tile's 4 outputs written to DRAM after it (4). On chip, the one step's transfers to the
// four PEs, which step together (5, outlasting its MAC), and the flush of their outputs (4): 18
// in all; the step's MAC after its transfers is the one cycle it leaves out.
TEST(ExactModel, LowerBoundOfRuntimeCountsTheFirstReadsAndTheLastWrites) {
  Mapping m;
  m.Add(Dir(DirectiveKind::kSpatialMap, Dim::kK, 1, 1));
  const ExactModel model(ConvLayer(4, 1, 1, 1, 1, 1), Hw(4, 1, 1));
  const ExactCounts r = model.Evaluate(m);
  ASSERT_TRUE(r.legal);
  const ExactModel::Bound b = model.LowerBound(m);
  ASSERT_TRUE(b.dram_known);
  EXPECT_EQ(b.onchip_cycles, 5 + 4);
  EXPECT_EQ(b.runtime_cycles, 5 + 5 + 4 + 4);
  EXPECT_LE(b.runtime_cycles, r.runtime_cycles);
}

// One PE, two input channels outermost and two output rows inside, a NoC of one element per
// cycle: its four steps take 3 (two elements in, then a MAC), 1, 3 (a new input and weight, and
// a read-back) and 2 cycles, and the flush 1: 10 on chip. The bound takes the PE's steps by the
// loop that advanced before them: the first max(1 MAC, 2 in) = 2; the two after a row advanced
// max(2 MACs, 2 in, 2 out) = 2; the one after a channel advanced max(1, 2 in, 1 out) = 2; the
// flush 1: 7, where the MACs plus the first tiles give 4 + 2.
TEST(ExactModel, LowerBoundOfOnChipCyclesTakesEachLoopsStepsApart) {
  const Layer layer = ConvLayer(1, 2, 1, 1, 2, 1);
  const Mapping m = ChannelPerPeThenInputChannelsThenRows();
  const ExactModel model(layer, Hw(1, 1, 64));
  const ExactCounts r = model.Evaluate(m);
  ASSERT_TRUE(r.legal);
  EXPECT_EQ(r.onchip_cycles, 10);
  const ExactModel::Bound b = model.LowerBound(m);
  ASSERT_TRUE(b.pe_known);
  EXPECT_EQ(b.onchip_cycles, 7);
}

// Four PEs take an output channel each over two input channels, on a NoC of one element per
// cycle. Each step sends one input (multicast) and four different weights: 6 cycles for the
// first (5 in, then a MAC), 5 for the second, and 4 for the flush of the four outputs: 15. The
// PEs step together and their weights are apart, so the bound adds their transfers: 5 for the
// first step, 5 after the channel advanced, 4 for the flush: 14; one PE's alone would give 5.
TEST(ExactModel, LowerBoundOfOnChipCyclesAddsThePesThatStepTogether) {
  Mapping m;
  m.Add(Dir(DirectiveKind::kSpatialMap, Dim::kK, 1, 1));
  m.Add(Dir(DirectiveKind::kTemporalMap, Dim::kC, 1, 1));
  const ExactModel model(ConvLayer(4, 2, 1, 1, 1, 1), Hw(4, 1, 64));
  const ExactCounts r = model.Evaluate(m);
  ASSERT_TRUE(r.legal);
  EXPECT_EQ(r.onchip_cycles, 15);
  const ExactModel::Bound b = model.LowerBound(m);
  ASSERT_TRUE(b.pe_known);
  EXPECT_EQ(b.onchip_cycles, 14);
}

TEST(ExactModel, MalformedMappingsThrow) {
  const Layer layer = ConvLayer(4, 4, 1, 1, 4, 4);
  const ExactModel model(layer, Hw(4, 8, 8));
  Mapping no_spatial;
  no_spatial.Add(Dir(DirectiveKind::kTemporalMap, Dim::kK, 1, 1));
  EXPECT_THROW(model.Evaluate(no_spatial), InputError);
  Mapping too_many_clusters;
  too_many_clusters.Add(Dir(DirectiveKind::kSpatialMap, Dim::kK, 1, 1));
  Directive cluster;
  cluster.kind = DirectiveKind::kCluster;
  cluster.size = 8;
  too_many_clusters.Add(cluster);
  too_many_clusters.Add(Dir(DirectiveKind::kSpatialMap, Dim::kC, 1, 1));
  EXPECT_THROW(model.Evaluate(too_many_clusters), InputError);
  Mapping twice;
  twice.Add(Dir(DirectiveKind::kSpatialMap, Dim::kY, 1, 1));
  twice.Add(Dir(DirectiveKind::kTemporalMap, Dim::kY, 1, 1, /*out=*/true));
  EXPECT_THROW(model.Evaluate(twice), InputError);
  Layer gemm;
  gemm.kind = OpKind::kGemm;
  gemm.shape.size[Dim::kM] = 4;
  gemm.shape.size[Dim::kN] = 4;
  gemm.shape.size[Dim::kK] = 4;
  Mapping on_c;
  on_c.Add(Dir(DirectiveKind::kSpatialMap, Dim::kC, 1, 1));
  EXPECT_THROW(ExactModel(gemm, Hw(4, 8, 8)).Evaluate(on_c), InputError);
}

// Coordinates are 32-bit inside the model: a layer that could leave that range is refused by
// name, not counted wrongly.
TEST(ExactModel, RefusesExtentsBeyondItsCoordinateRange) {
  Layer gemm;
  gemm.name = "huge";
  gemm.kind = OpKind::kGemm;
  gemm.shape.size[Dim::kM] = int64_t{1} << 30;
  gemm.shape.size[Dim::kN] = 4;
  gemm.shape.size[Dim::kK] = 4;
  try {
    ExactModel model(gemm, Hw(4, 8, 8));
    FAIL() << "an M of 2^30 was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'huge'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("2^30"), std::string::npos) << e.what();
  }
  gemm.shape.size[Dim::kM] = (int64_t{1} << 30) - 1;
  EXPECT_NO_THROW(ExactModel(gemm, Hw(4, 8, 8)));
}

}  // namespace
}  // namespace cadenza
