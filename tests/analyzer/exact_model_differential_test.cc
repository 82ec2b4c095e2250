// The exact model against the brute-force simulator on random layers and mappings: every field
// of ExactCounts, legality (missing and extra MACs), and which inputs are refused. The cases are
// drawn from fixed seeds, so a failure reproduces; its message prints the layer and the mapping.
//
// Covered: CONV with and without batch, DSCONV, GEMM, TRCONV and NGCONV; strides 1-3 and
// dilation 1-2; 1-3 cluster levels; Y'/X' directives; tiles smaller than the filter, edge tiles,
// overlapping and gapped offsets (extra and missing MACs); the multicast and reduction switches.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "analyzer/error.h"
#include "analyzer/exact_cost_model.h"
#include "analyzer/exact_model.h"
#include "importer/maestro_reader.h"
#include "simulator/simulator.h"

namespace cadenza {
namespace {

// Sanitizer builds run the simulator ~10x slower; they run a prefix of the same cases.
#if defined(__SANITIZE_ADDRESS__)
constexpr int kCasesPerSeed = 50;
#else
constexpr int kCasesPerSeed = 500;
#endif
constexpr uint32_t kSeeds[] = {1, 2, 3, 4, 5, 6};

// The seeds of this run: kSeeds, or FIRST-LAST from CADENZA_DIFFERENTIAL_SEEDS for a longer run
// than CI's (e.g. 100-2099: a million cases, about two minutes).
std::vector<uint32_t> RunSeeds() {
  const char* env = std::getenv("CADENZA_DIFFERENTIAL_SEEDS");
  if (env == nullptr || *env == '\0') return {std::begin(kSeeds), std::end(kSeeds)};
  unsigned first = 0, last = 0;
  if (std::sscanf(env, "%u-%u", &first, &last) != 2 || last < first) {
    ADD_FAILURE() << "CADENZA_DIFFERENTIAL_SEEDS must be FIRST-LAST, not '" << env << "'";
    return {std::begin(kSeeds), std::end(kSeeds)};
  }
  std::vector<uint32_t> seeds;
  for (unsigned s = first; s <= last; ++s) seeds.push_back(s);
  return seeds;
}

struct Case {
  Layer layer;
  Mapping mapping;
  Hardware hw;
  bool multicast = true;
  bool reduction = true;
};

class Gen {
 public:
  explicit Gen(uint32_t seed) : rng_(seed) {}

  int64_t Uniform(int64_t lo, int64_t hi) {  // inclusive
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }
  bool Chance(int percent) { return Uniform(0, 99) < percent; }

  // Every third case is a "long" one: larger extents under partitioning tiles, so that many top
  // steps repeat and the exact model's classes (and their read-back conditions) are exercised.
  Case Next() {
    Case c;
    const bool long_case = Chance(33);
    const int64_t grow = long_case ? 2 : 1;
    Layer& l = c.layer;
    l.name = "random";
    const int kind = static_cast<int>(Uniform(0, 4));
    l.kind = kind == 0   ? OpKind::kConv
             : kind == 1 ? OpKind::kDepthwiseConv
             : kind == 2 ? OpKind::kGemm
             : kind == 3 ? OpKind::kTransposedConv
                         : OpKind::kGroupedConv;
    PerDim<int64_t>& sz = l.shape.size;
    // Extents of the dimensions a directive may name, by Dim (Y'/X' use the output extents).
    std::vector<Dim> dims;
    if (l.kind == OpKind::kGemm) {
      sz[Dim::kM] = Uniform(1, 7 * grow);
      sz[Dim::kN] = Uniform(1, 4 * grow);
      sz[Dim::kK] = Uniform(1, 4 * grow);
      dims = {Dim::kM, Dim::kN, Dim::kK};
    } else {
      if (Chance(35)) sz[Dim::kN] = Uniform(1, 2);
      if (l.kind == OpKind::kGroupedConv) sz[Dim::kG] = Uniform(1, 3);
      sz[Dim::kK] = l.kind == OpKind::kDepthwiseConv ? Uniform(1, 2) : Uniform(1, 4 * grow);
      sz[Dim::kC] = Uniform(1, 3 * grow);
      sz[Dim::kR] = Uniform(1, 3);
      sz[Dim::kS] = Uniform(1, 3);
      l.shape.stride_y = Chance(50) ? 1 : Uniform(2, 3);
      l.shape.stride_x = Chance(50) ? 1 : Uniform(2, 3);
      if (Chance(20)) l.shape.dilation_y = 2;
      if (Chance(20)) l.shape.dilation_x = 2;
      sz[Dim::kY] = (sz[Dim::kR] - 1) * l.shape.dilation_y + 1 + Uniform(0, 8 * grow);
      sz[Dim::kX] = (sz[Dim::kS] - 1) * l.shape.dilation_x + 1 + Uniform(0, 5 * grow);
      dims = {Dim::kN, Dim::kK, Dim::kC, Dim::kR, Dim::kS, Dim::kY, Dim::kX};
      if (l.kind == OpKind::kGroupedConv) dims.push_back(Dim::kG);
    }
    l.exact_macs = ExactMacs(l.kind, l.shape);

    // 1-3 cluster levels; the PEs are a multiple of the product of the cluster sizes.
    const int levels = static_cast<int>(Uniform(1, long_case ? 2 : 3));
    int64_t product = 1;
    for (int lv = 0; lv < levels; ++lv) {
      if (lv > 0) {
        Directive cl;
        cl.kind = DirectiveKind::kCluster;
        cl.size = Uniform(1, 4);
        product *= cl.size;
        c.mapping.Add(cl);
      }
      AddLevel(l, dims, long_case, &c.mapping);
    }
    c.hw.num_pes = product * Uniform(1, 5);
    c.hw.noc_bw = Uniform(1, 8);
    c.hw.offchip_bw = Uniform(1, 8);
    c.hw.simd_lanes = Uniform(1, 3);
    c.multicast = Chance(70);
    c.reduction = Chance(70);
    return c;
  }

 private:
  int64_t Extent(const Layer& l, Dim d, bool out) const {
    const int64_t v = l.shape.size[d] > 0 ? l.shape.size[d] : 1;
    if (!out) return v;
    const bool rows = d == Dim::kY;
    const int64_t taps = l.shape.size[rows ? Dim::kR : Dim::kS];
    const int64_t dil = rows ? l.shape.dilation_y : l.shape.dilation_x;
    const int64_t stride = rows ? l.shape.stride_y : l.shape.stride_x;
    return (v - (taps - 1) * dil - 1) / stride + 1;
  }

  // One level: 1-4 distinct dimensions in random order, at least one SpatialMap (rarely none, or
  // a dimension named twice: both implementations must refuse those).
  void AddLevel(const Layer& l, std::vector<Dim> dims, bool long_case, Mapping* m) {
    std::shuffle(dims.begin(), dims.end(), rng_);
    const int64_t most = std::min<int64_t>(long_case ? 6 : 4, static_cast<int64_t>(dims.size()));
    const size_t count = static_cast<size_t>(Uniform(long_case ? std::min<int64_t>(3, most) : 1, most));
    const bool malformed = Chance(2);
    bool any_spatial = false;
    for (size_t i = 0; i < count; ++i) {
      Directive d;
      d.dim = dims[i];
      d.kind = Chance(long_case ? 25 : 45) ? DirectiveKind::kSpatialMap : DirectiveKind::kTemporalMap;
      if (i + 1 == count && !any_spatial && !malformed) d.kind = DirectiveKind::kSpatialMap;
      any_spatial |= d.kind == DirectiveKind::kSpatialMap;
      d.output_coord = l.kind != OpKind::kGemm && (d.dim == Dim::kY || d.dim == Dim::kX) && Chance(40);
      const int64_t ext = Extent(l, d.dim, d.output_coord);
      // Sizes from 1 (smaller than the filter) to past the extent (edge tiles), offsets mostly
      // the size (a partition), else overlapping or leaving gaps.
      d.size = Chance(15) ? ext : Uniform(1, long_case ? std::max<int64_t>(1, ext / 3) : ext + 1);
      const int r = static_cast<int>(Uniform(0, long_case ? 6 : 9));
      d.offset = r < 6 ? d.size : r < 8 ? Uniform(1, d.size) : Uniform(1, d.size + 2);
      m->Add(d);
      if (malformed && i == 0 && Chance(50)) m->Add(d);  // the same dimension twice
    }
  }

  std::mt19937 rng_;
};

std::vector<std::pair<std::string, int64_t>> Fields(const ExactCounts& r) {
  return {{"legal", r.legal ? 1 : 0},
          {"missing_macs", r.missing_macs},
          {"extra_macs", r.extra_macs},
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
          {"l1_max.input", r.l1_max[Tensor::kInput]},
          {"l1_max.weight", r.l1_max[Tensor::kFilter]},
          {"l1_max.output", r.l1_max[Tensor::kOutput]},
          {"l2_max.input", r.l2_max[Tensor::kInput]},
          {"l2_max.weight", r.l2_max[Tensor::kFilter]},
          {"l2_max.output", r.l2_max[Tensor::kOutput]},
          {"dram_reads.input", r.dram_reads[Tensor::kInput]},
          {"dram_reads.weight", r.dram_reads[Tensor::kFilter]},
          {"dram_reads.output", r.dram_reads[Tensor::kOutput]},
          {"dram_writes", r.dram_writes}};
}


std::string Describe(const Case& c) {
  const LayerShape& s = c.layer.shape;
  std::string out = std::string(OpKindName(c.layer.kind)) + " {";
  for (Dim d : {Dim::kN, Dim::kG, Dim::kK, Dim::kC, Dim::kR, Dim::kS, Dim::kY, Dim::kX, Dim::kM}) {
    if (s.size[d] > 0) out += " " + std::string(DimName(d)) + ": " + std::to_string(s.size[d]);
  }
  out += " } stride " + std::to_string(s.stride_y) + "x" + std::to_string(s.stride_x) +
         " dilation " + std::to_string(s.dilation_y) + "x" + std::to_string(s.dilation_x) +
         "; PEs " + std::to_string(c.hw.num_pes) + " lanes " + std::to_string(c.hw.simd_lanes) +
         " noc " + std::to_string(c.hw.noc_bw) + " offchip " + std::to_string(c.hw.offchip_bw) +
         (c.multicast ? "" : " no-multicast") + (c.reduction ? "" : " no-reduction") + "\n" +
         ToString(c.mapping, "  ");
  return out;
}

struct Tally {
  int cases = 0, legal = 0, illegal = 0, refused = 0;
  int64_t top_steps = 0, class_top_steps = 0, window_top_steps = 0, block_top_steps = 0, steps = 0,
          class_steps = 0, block_steps = 0;
  int multilevel = 0, strided = 0, dilated = 0;
  int per_kind[5] = {};
  int bound_known = 0;  // legal cases whose DRAM traffic LowerBound computed in closed form
  int tile_known = 0;   // legal cases whose first PE tile LowerBound found
  int pe_known = 0;     // legal cases whose per-PE touched elements LowerBound counted
};

// The search's bound of a legal mapping: its DRAM counts equal the walk's when it knows them, and
// its runtime and touched elements never exceed what the machine does. Returns false (after
// reporting) on a difference.
bool CheckBound(const Case& c, const ExactCounts& exact, Tally* tally) {
  const ExactModel model_of_case(c.layer, c.hw, {c.multicast, c.reduction});
  const ExactModel::Bound b = model_of_case.LowerBound(c.mapping);
  // The quick bound (the search's first) is the whole one without its per-PE part: no field
  // above the whole bound's.
  const ExactModel::Bound quick = model_of_case.QuickLowerBound(c.mapping);
  EXPECT_FALSE(quick.pe_known) << Describe(c);
  EXPECT_LE(quick.runtime_cycles, b.runtime_cycles) << Describe(c);
  EXPECT_LE(quick.onchip_cycles, b.onchip_cycles) << Describe(c);
  EXPECT_EQ(quick.dram_known, b.dram_known) << Describe(c);
  EXPECT_EQ(quick.dram_reads, b.dram_reads) << Describe(c);
  EXPECT_EQ(quick.dram_writes, b.dram_writes) << Describe(c);
  EXPECT_EQ(quick.touched, b.touched) << Describe(c);
  EXPECT_EQ(quick.l1_tile, b.l1_tile) << Describe(c);
  EXPECT_EQ(quick.l2_tile, b.l2_tile) << Describe(c);
  EXPECT_LE(b.runtime_cycles, exact.runtime_cycles) << Describe(c);
  EXPECT_LE(b.onchip_cycles, exact.onchip_cycles) << Describe(c);
  for (Tensor t : kAllTensors) {
    EXPECT_LE(b.l1_tile[t], exact.l1_max[t]) << Describe(c);
    EXPECT_LE(b.l2_tile[t], exact.l2_max[t]) << Describe(c);
  }
  tally->tile_known += b.l1_tile[Tensor::kOutput] > 0;
  if (b.pe_known) {
    for (Tensor t : kAllTensors) EXPECT_EQ(b.pe_tile_most[t], exact.l1_max[t]) << Describe(c);
  }
  if (b.pe_known) {
    ++tally->pe_known;
    for (Tensor t : {Tensor::kInput, Tensor::kFilter}) {
      EXPECT_LE(b.pe_touched[t], exact.ingress_unicast[t]) << Describe(c);
      EXPECT_LE(b.pe_most[t], exact.ingress[t]) << Describe(c);
      // The closed form of the PEs' tile deltas is the walk's unicast count, not only below it.
      EXPECT_EQ(b.pe_entering[t], exact.ingress_unicast[t]) << "tensor " << static_cast<int>(t) << "\n" << Describe(c);
      EXPECT_LE(b.pe_apart[t], exact.ingress[t]) << "tensor " << static_cast<int>(t) << "\n" << Describe(c);
    }
    EXPECT_EQ(b.pe_entering[Tensor::kOutput], exact.egress_unicast) << Describe(c);
    EXPECT_LE(b.pe_touched[Tensor::kOutput], exact.egress_unicast) << Describe(c);
    EXPECT_LE(b.pe_most[Tensor::kOutput], exact.egress) << Describe(c);
    EXPECT_LE(b.pe_apart[Tensor::kOutput], exact.egress) << Describe(c);
    EXPECT_LE(b.readbacks, exact.ingress[Tensor::kOutput]) << Describe(c);
    EXPECT_LE(b.readbacks_unicast, exact.ingress_unicast[Tensor::kOutput]) << Describe(c);
  }
  if (b.dram_known) {
    ++tally->bound_known;
    for (Tensor t : kAllTensors) {
      EXPECT_EQ(b.dram_reads[t], exact.dram_reads[t])
          << "tensor " << static_cast<int>(t) << "\n" << Describe(c);
    }
    EXPECT_EQ(b.dram_writes, exact.dram_writes) << Describe(c);
    for (Tensor t : {Tensor::kInput, Tensor::kFilter}) {
      EXPECT_LE(b.touched[t], exact.ingress[t]) << Describe(c);
    }
    EXPECT_LE(b.touched[Tensor::kOutput], exact.egress) << Describe(c);
  }
  // The search's bound (the counts priced as Evaluate prices them) is below the result, with
  // either switch.
  Hardware hw = c.hw;
  hw.multicast = c.multicast;
  hw.spatial_reduction = c.reduction;
  const ExactCostModel model(c.layer, hw);
  const std::optional<LayerCostModel::Bound> cost_bound = model.LowerBound(c.mapping);
  const std::optional<LayerCostModel::Bound> quick_cost = model.QuickLowerBound(c.mapping);
  const CostResult cost = model.Evaluate(c.mapping);
  EXPECT_TRUE(cost_bound.has_value()) << Describe(c);
  if (cost_bound && quick_cost) {
    EXPECT_LE(quick_cost->runtime_cycles, cost_bound->runtime_cycles) << Describe(c);
    EXPECT_LE(quick_cost->energy_pj, cost_bound->energy_pj) << Describe(c);
    for (Tensor t : kAllTensors) {
      EXPECT_LE(quick_cost->l1[t], cost_bound->l1[t]) << Describe(c);
      EXPECT_LE(quick_cost->l2[t], cost_bound->l2[t]) << Describe(c);
    }
  } else {
    EXPECT_EQ(quick_cost.has_value(), cost_bound.has_value()) << Describe(c);
  }
  if (cost_bound && cost.ok()) {
    EXPECT_LE(cost_bound->runtime_cycles, cost.runtime_cycles) << Describe(c);
    EXPECT_LE(cost_bound->energy_pj, cost.total_energy_pj()) << Describe(c);
    for (Tensor t : kAllTensors) {
      EXPECT_LE(cost_bound->l1[t], cost.l1_size_per_tensor[t]) << Describe(c);
      EXPECT_LE(cost_bound->l2[t], cost.l2_size_per_tensor[t]) << Describe(c);
    }
  }
  return !::testing::Test::HasFailure();
}

// Runs one case through both; returns false (after reporting) on the first difference.
bool CheckCase(const Case& c, Tally* tally) {
  SimulatorOptions so;
  so.multicast = c.multicast;
  so.reduction = c.reduction;
  SimulationResult sim;
  bool sim_refused = false;
  try {
    sim = Simulate(c.layer, c.mapping, c.hw, so);
  } catch (const InputError&) {
    sim_refused = true;
  }
  ExactCounts exact;
  bool exact_refused = false;
  try {
    exact = ExactModel(c.layer, c.hw, {c.multicast, c.reduction}).Evaluate(c.mapping);
  } catch (const InputError&) {
    exact_refused = true;
  }
  ++tally->cases;
  if (sim_refused != exact_refused) {
    ADD_FAILURE() << (sim_refused ? "only the simulator" : "only the exact model")
                  << " refuses\n" << Describe(c);
    return false;
  }
  if (sim_refused) {
    ++tally->refused;
    return true;
  }
  ++(sim.legal ? tally->legal : tally->illegal);
  tally->top_steps += exact.top_steps;
  tally->class_top_steps += exact.class_top_steps;
  tally->window_top_steps += exact.window_top_steps;
  tally->block_top_steps += exact.block_top_steps;
  tally->steps += exact.steps;
  tally->class_steps += exact.class_steps;
  tally->block_steps += exact.block_steps;
  const auto want = Fields(sim);
  ExactCounts got_counts = exact;
  const auto got = Fields(got_counts);
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i] != got[i]) {
      ADD_FAILURE() << want[i].first << ": simulator " << want[i].second << ", exact model "
                    << got[i].second << "\n" << Describe(c);
      return false;
    }
  }
  // The per-tensor maxima the simulator does not report must still add up to its buffer needs.
  int64_t l1 = 0, l2 = 0;
  for (Tensor t : kAllTensors) {
    l1 += 2 * exact.l1_max[t];
    l2 += 2 * exact.l2_max[t];
  }
  EXPECT_EQ(l1, exact.l1_elements);
  EXPECT_EQ(l2, exact.l2_elements);
  return !exact.legal || CheckBound(c, exact, tally);
}

TEST(ExactModelDifferential, EqualsSimulatorOnRandomCases) {
  Tally tally;
  const std::vector<uint32_t> seeds = RunSeeds();
  for (uint32_t seed : seeds) {
    Gen gen(seed);
    for (int i = 0; i < kCasesPerSeed; ++i) {
      const Case c = gen.Next();
      ++tally.per_kind[static_cast<int>(c.layer.kind)];
      tally.multilevel += std::count_if(c.mapping.begin(), c.mapping.end(), [](const Directive& d) {
                            return d.kind == DirectiveKind::kCluster;
                          }) > 0;
      tally.strided += c.layer.shape.stride_y > 1 || c.layer.shape.stride_x > 1;
      tally.dilated += c.layer.shape.dilation_y > 1 || c.layer.shape.dilation_x > 1;
      ASSERT_TRUE(CheckCase(c, &tally)) << "seed " << seed << ", case " << i;
    }
  }
  // The draw reaches every class it is meant to cover (a generator bug cannot pass silently).
  EXPECT_EQ(tally.cases, kCasesPerSeed * static_cast<int>(seeds.size()));
  for (int k = 0; k < 5; ++k) EXPECT_GT(tally.per_kind[k], tally.cases / 10) << "kind " << k;
  EXPECT_GT(tally.legal, tally.cases / 20);
  EXPECT_GT(tally.illegal, tally.cases / 20);
  EXPECT_GT(tally.refused, 0);
  EXPECT_GT(tally.bound_known, tally.legal / 4);
  EXPECT_GT(tally.tile_known, tally.legal / 2);
  EXPECT_GT(tally.pe_known, tally.legal / 2);
  EXPECT_GT(tally.multilevel, tally.cases / 3);
  EXPECT_GT(tally.strided, tally.cases / 5);
  EXPECT_GT(tally.dilated, tally.cases / 20);
  // Most top steps of the long cases are not walked, so what replaces the walk is what is
  // compared: classes and whole blocks of outer level-0 loops (translates of the block before),
  // each for a good share. Blocks take many of the steps classes took before they existed.
  EXPECT_GT(tally.class_top_steps + tally.block_top_steps, tally.top_steps / 2);
  EXPECT_GT(tally.class_top_steps, tally.top_steps / 5);
  EXPECT_GT(tally.block_top_steps, tally.top_steps / 20);
  // Classes whose PEs last worked several top steps back (edge tiles) are among them, in some
  // tens of cases per thousand (EdgeTileWindowClassesEqualSimulator covers them on purpose).
  EXPECT_GT(tally.window_top_steps, tally.cases / 20);
  // Walked top steps take many of their global steps from the step before (RowRecord), so both
  // that path and the full walk of a global step are compared.
  EXPECT_GT(tally.class_steps, tally.steps / 20);
  EXPECT_LT(tally.class_steps, tally.steps / 2);
  RecordProperty("cases", tally.cases);
  std::printf("%d cases: %d legal, %d illegal, %d refused by both; %lld of %lld top steps from "
              "classes (%lld with a deeper window), %lld in blocks of outer loops; %lld of %lld "
              "global steps from the step before, %lld in blocks of level-1 loops; DRAM traffic "
              "of %d legal cases in closed form, the first PE tile of %d, per-PE tiles of %d\n",
              tally.cases, tally.legal, tally.illegal, tally.refused,
              static_cast<long long>(tally.class_top_steps),
              static_cast<long long>(tally.top_steps),
              static_cast<long long>(tally.window_top_steps),
              static_cast<long long>(tally.block_top_steps), static_cast<long long>(tally.class_steps),
              static_cast<long long>(tally.steps), static_cast<long long>(tally.block_steps),
              tally.bound_known, tally.tile_known, tally.pe_known);
}

// Output-stationary mappings (the built-in yxp family's form) whose column tile leaves an edge
// tile: the edge step keeps most PEs idle, so the next full step's PEs last worked two top steps
// before. Its counts come from classes over a window of top steps; they must still equal the
// simulator's, on strided and dilated layers, with and without multicast.
TEST(ExactModelDifferential, EdgeTileWindowClassesEqualSimulator) {
  int64_t window_top_steps = 0;
  Tally tally;
  for (int xt : {3, 4, 5}) {
    for (int stride : {1, 2}) {
      for (int dilation : {1, 2}) {
        // Dilation is not part of the .m format: the layer gets it after parsing, the tiles
        // (in input rows) are written for the dilated window.
        const int window = (3 - 1) * dilation + 1;
        const std::string w = std::to_string(window), s = std::to_string(stride);
        const std::string text =
            "Network n {\n Layer L {\n  Type: CONV\n  Stride { X: " + s + ", Y: " + s +
            " }\n  Dimensions { K: 4, C: 3, R: 3, S: 3, Y: 19, X: 19 }\n  Dataflow {\n"
            "   TemporalMap(2,2) K;\n   TemporalMap(2,2) C;\n"
            "   SpatialMap(" + w + "," + s + ") Y;\n"
            "   TemporalMap(" + std::to_string((xt - 1) * stride + window) + "," +
            std::to_string(xt * stride) + ") X;\n"
            "   TemporalMap(Sz(R),Sz(R)) R;\n   TemporalMap(Sz(S),Sz(S)) S;\n"
            "   Cluster(" + std::to_string(xt) + ", P);\n"
            "   SpatialMap(" + w + "," + s + ") X;\n"
            "   TemporalMap(Sz(R),Sz(R)) R;\n   TemporalMap(Sz(S),Sz(S)) S;\n  }\n }\n}\n";
        MaestroModel model;
        try {
          model = ParseMaestroModel(text, "edge.m");
        } catch (const InputError& e) {
          FAIL() << e.what() << "\n" << text;
        }
        for (bool multicast : {true, false}) {
          Case c;
          c.layer = model.network.layers[0];
          c.layer.shape.dilation_y = c.layer.shape.dilation_x = dilation;
          c.mapping = model.mappings[0];
          c.hw.num_pes = 4 * xt + 1;
          c.hw.noc_bw = 3;
          c.hw.offchip_bw = 2;
          c.multicast = multicast;
          ASSERT_TRUE(CheckCase(c, &tally)) << text;
          window_top_steps +=
              ExactModel(c.layer, c.hw, {c.multicast, c.reduction}).Evaluate(c.mapping).window_top_steps;
        }
      }
    }
  }
  EXPECT_EQ(tally.legal, tally.cases);
  EXPECT_GT(tally.window_top_steps, tally.top_steps / 20);
  EXPECT_EQ(window_top_steps, tally.window_top_steps);
}

// Blocks of an outer loop in which no sub-unit is busy (an edge position of the output-column
// loop that owns no output: X = 7 with 3-column windows at stride 3 leaves column 6 alone) hold
// no top step. The machine's last top step is the one before them, so the outputs of that step
// are written to DRAM when the next busy step starts, and read back by the next fold of C.
TEST(ExactModelDifferential, IdleEdgeBlocksKeepTheLastTopStep) {
  Tally tally;
  for (int k : {3, 4}) {
    for (int x : {6, 7, 8}) {
      for (int stride : {1, 3}) {
        const std::string text =
            "Network n {\n Layer L {\n  Type: CONV\n  Stride { X: " + std::to_string(stride) +
            ", Y: 1 }\n  Dimensions { N: 1, K: " + std::to_string(k) +
            ", C: 2, R: 1, S: 3, Y: 2, X: " + std::to_string(x) +
            " }\n  Dataflow {\n   SpatialMap(1,1) C;\n   TemporalMap(1,1) X';\n"
            "   TemporalMap(1,1) K;\n   TemporalMap(1,1) Y';\n  }\n }\n}\n";
        MaestroModel model;
        try {
          model = ParseMaestroModel(text, "idle.m");
        } catch (const InputError& e) {
          FAIL() << e.what() << "\n" << text;
        }
        Case c;
        c.layer = model.network.layers[0];
        c.mapping = model.mappings[0];
        c.hw.num_pes = 1;
        c.hw.noc_bw = 5;
        c.hw.offchip_bw = 6;
        ASSERT_TRUE(CheckCase(c, &tally)) << text;
        // Every output of the first C fold is read back by the second.
        const ExactCounts exact = ExactModel(c.layer, c.hw).Evaluate(c.mapping);
        const int64_t out_x = (x - 3) / stride + 1;
        EXPECT_EQ(exact.dram_reads[Tensor::kOutput], k * 2 * out_x) << text;
      }
    }
  }
  EXPECT_EQ(tally.legal, tally.cases);
  EXPECT_GT(tally.block_top_steps, 0);
}

}  // namespace
// Weight-stationary nests (the built-in kcp family's form) with several outer level-0 loops of
// many iterations: most top steps come from whole blocks of an outer loop taken as translates of
// the block before. With C outside the output loops every block after the first reads its
// partial sums back; with C inside none does. Batch, strides and dilation move the blocks.
TEST(ExactModelDifferential, OuterLoopBlocksEqualSimulator) {
  Tally tally;
  for (bool c_outside : {true, false}) {
    for (int stride : {1, 2}) {
      for (int dilation : {1, 2}) {
        const int window = (3 - 1) * dilation + 1;
        const std::string w = std::to_string(window), s = std::to_string(stride);
        const std::string two_cols = std::to_string(stride + window), two_step = std::to_string(2 * stride);
        const std::string c_loop = "   TemporalMap(2,2) C;\n";
        const std::string text =
            "Network n {\n Layer L {\n  Type: CONV\n  Stride { X: " + s + ", Y: " + s +
            " }\n  Dimensions { N: 2, K: 6, C: 6, R: 3, S: 3, Y: 13, X: 13 }\n  Dataflow {\n"
            "   TemporalMap(1,1) N;\n   SpatialMap(1,1) K;\n" + (c_outside ? c_loop : "") +
            "   TemporalMap(Sz(R),Sz(R)) R;\n   TemporalMap(Sz(S),Sz(S)) S;\n"
            "   TemporalMap(" + w + "," + s + ") Y;\n"
            "   TemporalMap(" + two_cols + "," + two_step + ") X;\n" + (c_outside ? "" : c_loop) +
            "   Cluster(2, P);\n   SpatialMap(1,1) C;\n"
            "   TemporalMap(" + w + "," + s + ") Y;\n   TemporalMap(" + w + "," + s + ") X;\n"
            "   TemporalMap(Sz(R),Sz(R)) R;\n   TemporalMap(Sz(S),Sz(S)) S;\n  }\n }\n}\n";
        MaestroModel model;
        try {
          model = ParseMaestroModel(text, "blocks.m");
        } catch (const InputError& e) {
          FAIL() << e.what() << "\n" << text;
        }
        for (bool multicast : {true, false}) {
          Case c;
          c.layer = model.network.layers[0];
          c.layer.shape.dilation_y = c.layer.shape.dilation_x = dilation;
          c.mapping = model.mappings[0];
          c.hw.num_pes = 5;  // two clusters of two PEs: K in 3 folds
          c.hw.noc_bw = 2;
          c.hw.offchip_bw = 3;
          c.multicast = multicast;
          c.reduction = !multicast;
          ASSERT_TRUE(CheckCase(c, &tally)) << text;
        }
      }
    }
  }
  EXPECT_EQ(tally.legal, tally.cases);
  EXPECT_GT(tally.block_top_steps, tally.top_steps / 2);
}

// The search's whole-plane choices: one level-0 step spans the output plane, so each top step
// is walked, and most of its global steps come from whole blocks of the level-1 row loop.
TEST(ExactModelDifferential, WalkedTopStepBlocksEqualSimulator) {
  Tally tally;
  for (int stride : {1, 2}) {
    for (int dilation : {1, 2}) {
      for (int n : {1, 2}) {
        const int window = (3 - 1) * dilation + 1;
        const std::string w = std::to_string(window), s = std::to_string(stride);
        const std::string text =
            "Network n {\n Layer L {\n  Type: CONV\n  Stride { X: " + s + ", Y: " + s +
            " }\n  Dimensions { N: " + std::to_string(n) +
            ", K: 4, C: 4, R: 3, S: 3, Y: 15, X: 11 }\n  Dataflow {\n"
            "   SpatialMap(1,1) K;\n   TemporalMap(2,2) C;\n"
            "   TemporalMap(Sz(N),Sz(N)) N;\n"
            "   TemporalMap(Sz(R),Sz(R)) R;\n   TemporalMap(Sz(S),Sz(S)) S;\n"
            "   TemporalMap(Sz(Y),Sz(Y)) Y;\n   TemporalMap(Sz(X),Sz(X)) X;\n"
            "   Cluster(2, P);\n   SpatialMap(1,1) C;\n   TemporalMap(1,1) N;\n"
            "   TemporalMap(" + w + "," + s + ") Y;\n   TemporalMap(" + w + "," + s + ") X;\n"
            "   TemporalMap(Sz(R),Sz(R)) R;\n   TemporalMap(Sz(S),Sz(S)) S;\n  }\n }\n}\n";
        MaestroModel model;
        try {
          model = ParseMaestroModel(text, "plane.m");
        } catch (const InputError& e) {
          FAIL() << e.what() << "\n" << text;
        }
        for (bool multicast : {true, false}) {
          Case c;
          c.layer = model.network.layers[0];
          c.layer.shape.dilation_y = c.layer.shape.dilation_x = dilation;
          c.mapping = model.mappings[0];
          c.hw.num_pes = 8;  // four clusters of two PEs: K in one fold
          c.hw.noc_bw = 2;
          c.hw.offchip_bw = 3;
          c.multicast = multicast;
          c.reduction = !multicast;
          ASSERT_TRUE(CheckCase(c, &tally)) << text;
        }
      }
    }
  }
  EXPECT_EQ(tally.legal, tally.cases);
  EXPECT_GT(tally.block_steps, tally.steps / 2);
}

}  // namespace cadenza
