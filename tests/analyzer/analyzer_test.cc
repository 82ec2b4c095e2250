#include "analyzer/analyzer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <thread>

#include "analyzer/error.h"

namespace cadenza {
namespace {

using ::testing::HasSubstr;
using ::testing::StrEq;
using ::testing::ThrowsMessage;

Directive S(int64_t size, int64_t offset, Dim d) {
  return {.kind = DirectiveKind::kSpatialMap, .dim = d, .size = size, .offset = offset};
}
Directive T(int64_t size, int64_t offset, Dim d) {
  return {.kind = DirectiveKind::kTemporalMap, .dim = d, .size = size, .offset = offset};
}
Directive Cl(int64_t size) { return {.kind = DirectiveKind::kCluster, .size = size}; }

Mapping Map(std::initializer_list<Directive> ds) {
  Mapping m;
  for (const Directive& d : ds) m.Add(d);
  return m;
}

Layer Conv(int64_t k, int64_t c, int64_t r, int64_t s, int64_t y, int64_t x, int64_t stride = 1) {
  Layer l;
  l.name = "conv";
  l.kind = OpKind::kConv;
  l.shape.size[Dim::kK] = k;
  l.shape.size[Dim::kC] = c;
  l.shape.size[Dim::kR] = r;
  l.shape.size[Dim::kS] = s;
  l.shape.size[Dim::kY] = y;
  l.shape.size[Dim::kX] = x;
  l.shape.stride_y = l.shape.stride_x = stride;
  l.exact_macs = ExactMacs(l.kind, l.shape);
  return l;
}

Layer Gemm(int64_t m, int64_t n, int64_t k) {
  Layer l;
  l.name = "gemm";
  l.kind = OpKind::kGemm;
  l.shape.size[Dim::kM] = m;
  l.shape.size[Dim::kN] = n;
  l.shape.size[Dim::kK] = k;
  l.exact_macs = ExactMacs(l.kind, l.shape);
  return l;
}

Hardware Hw(int64_t pes, int64_t noc_bw = Hardware::kUnlimited,
            int64_t offchip_bw = Hardware::kUnlimited) {
  Hardware hw;
  hw.num_pes = pes;
  hw.noc_bw = noc_bw;
  hw.offchip_bw = offchip_bw;
  return hw;
}

using enum Dim;

// One PE, K = 2 output channels of a 1x1 conv on a 1x1 input, `SpatialMap(1,1) K` and NoC of
// one element per cycle. By hand (docs/cost-model.md 3.5-3.7): K has an Init and one Steady state.
// Case 0 (all Init): input 1 + filter 1 element in, NoC delay 1 + 2 - 1 = 2, compute 1,
//   so 3 cycles (fetch and compute do not overlap in the first step).
// Case 1 (K advances): the input is reused (0 in), 1 filter element in, 1 output out:
//   max(1, 1, 1) = 1 cycle. Total 4 cycles, 2 MACs.
TEST(AnalyzerTest, OnePeTwoOutputChannelsByHand) {
  const Analyzer a(Conv(2, 1, 1, 1, 1, 1), Hw(1, 1));
  const CostResult r = a.Evaluate(Map({S(1, 1, kK)}));
  ASSERT_TRUE(r.ok()) << InfeasibleName(r.infeasible);
  EXPECT_EQ(r.runtime_cycles, 4);
  EXPECT_EQ(r.macs, 2);
  EXPECT_EQ(r.accesses[Tensor::kInput].l2_read, 1);
  EXPECT_EQ(r.accesses[Tensor::kFilter].l2_read, 2);
  EXPECT_EQ(r.accesses[Tensor::kOutput].l2_write, 2);
  EXPECT_EQ(r.accesses[Tensor::kInput].l2_write, 1);   // whole input tensor
  EXPECT_EQ(r.accesses[Tensor::kFilter].l2_write, 2);  // whole filter tensor
  EXPECT_EQ(r.l2_size_elements, 6);                    // 2 x (1 + 1 + 1), double-buffered
  EXPECT_EQ(r.l1_size_elements, 6);
  EXPECT_EQ(r.noc_bw_peak_per_cycle, 2);
  EXPECT_EQ(r.ingress_cycles.min, 1);
  EXPECT_EQ(r.ingress_cycles.max, 2);
  EXPECT_EQ(r.compute_cycles.max, 1);
  EXPECT_DOUBLE_EQ(r.throughput_macs_per_cycle, 0.5);
}

// The worked example of docs/cost-model.md (3.10): ResNet-50 res2b 1x1 (K=64, C=256, 56x56)
// under the C-P input-stationary dataflow on 256 PEs, NoC 32, off-chip 16.
TEST(AnalyzerTest, ChannelParallelWorkedExample) {
  const Analyzer a(Conv(64, 256, 1, 1, 56, 56), Hw(256, 32, 16));
  const CostResult r = a.Evaluate(
      Map({S(1, 1, kC), T(1, 1, kY), T(1, 1, kX), T(1, 1, kR), T(1, 1, kS), T(1, 1, kK)}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.runtime_cycles, 200'704 * 32);  // the off-chip term: trunc(trunc(1024/16)/2)
  EXPECT_EQ(r.macs, 64LL * 256 * 56 * 56);
  EXPECT_DOUBLE_EQ(r.throughput_macs_per_cycle, 8);
  EXPECT_EQ(r.l1_size_elements, 6);
  EXPECT_EQ(r.l2_size_elements, 512 + 512 + 2);
  EXPECT_EQ(r.noc_bw_peak_per_cycle, 512);
  EXPECT_EQ(r.accesses[Tensor::kFilter].l2_read, 197'569LL * 256);
}

// Two cluster levels on a tiny layer: K over 2 clusters, C over the 2 PEs of each cluster.
TEST(AnalyzerTest, TwoLevelClusterCountsEveryMac) {
  const Layer layer = Conv(2, 2, 3, 3, 3, 3);  // one output pixel per channel
  const Analyzer a(layer, Hw(4));
  const CostResult r = a.Evaluate(Map({S(1, 1, kK), T(2, 2, kC), Cl(2), S(1, 1, kC)}));
  ASSERT_TRUE(r.ok()) << InfeasibleName(r.infeasible);
  EXPECT_EQ(r.macs, 2 * 2 * 3 * 3);
  EXPECT_EQ(r.macs, layer.exact_macs);
  EXPECT_EQ(r.l1_size_elements, 2 * (3 * 3 + 3 * 3 + 3 * 3));  // one channel of each tensor
  EXPECT_LE(r.throughput_macs_per_cycle, 4.0);
}

TEST(AnalyzerTest, GemmCanonicalDataflowsCountEveryMac) {
  const Hardware hw = Hw(64, 16, 8);
  for (const Layer& layer : {Gemm(64, 64, 64), Gemm(8, 256, 128), Gemm(1, 100, 64)}) {
    const Analyzer a(layer, hw);
    const Mapping mappings[] = {
        Map({S(1, 1, kK), T(1, 1, kM), T(1, 1, kN)}),                               // C-P
        Map({T(1, 1, kM), T(1, 1, kK), S(1, 1, kN)}),                               // X-P
        Map({S(1, 1, kN), T(8, 8, kK), T(1, 1, kM), Cl(8), S(1, 1, kK), T(1, 1, kM)}),  // KC-P
    };
    for (const Mapping& m : mappings) {
      const CostResult r = a.Evaluate(m);
      ASSERT_TRUE(r.ok()) << ToString(m);
      EXPECT_EQ(r.macs, layer.exact_macs) << ToString(m);
      EXPECT_EQ(r.accesses[Tensor::kInput].l2_write, layer.shape.size[kM] * layer.shape.size[kK]);
      EXPECT_EQ(r.accesses[Tensor::kFilter].l2_write, layer.shape.size[kK] * layer.shape.size[kN]);
      EXPECT_EQ(r.accesses[Tensor::kOutput].l2_read, layer.shape.size[kM] * layer.shape.size[kN]);
      EXPECT_LE(r.throughput_macs_per_cycle, static_cast<double>(hw.num_pes));
    }
  }
}

// Invariant: on unstrided layers, a mapping whose tiles divide their dimensions evenly and whose
// spatial dimension fills the array counts exactly the layer's MACs, at any number of levels.
TEST(AnalyzerTest, DividingTilesCountExactMacsOnUnstridedLayers) {
  int checked = 0;
  for (int64_t k : {4, 8, 16}) {
    for (int64_t c : {2, 4, 8}) {
      for (int64_t r : {1, 3}) {
        const Layer layer = Conv(k, c, r, r, 8 + r - 1, 8 + r - 1);
        for (int64_t pes : {2, 4}) {
          const Analyzer a(layer, Hw(pes, 8, 4));
          for (int64_t ct : {1, 2}) {
            for (int64_t yt : {1, 2, 4}) {
              const Mapping mappings[] = {
                  Map({S(1, 1, kK), T(ct, ct, kC), T(r, r, kR), T(r, r, kS),
                       T(yt + r - 1, yt, kY), T(r, 1, kX)}),
                  Map({S(1, 1, kC), T(yt + r - 1, yt, kY), T(r, 1, kX), T(1, 1, kK)}),
                  Map({S(1, 1, kK), T(ct, ct, kC), T(r, 1, kY), Cl(2), S(1, 1, kC),
                       T(r, 1, kY)}),
                  Map({T(1, 1, kK), S(r, 1, kY), T(r, 1, kX), Cl(2), T(1, 1, kC),
                       S(r, 1, kX)}),
              };
              for (const Mapping& m : mappings) {
                const CostResult res = a.Evaluate(m);
                if (res.infeasible == Infeasible::kClusterExceedsPEs) continue;
                ASSERT_TRUE(res.ok()) << ToString(m) << InfeasibleName(res.infeasible);
                EXPECT_EQ(res.macs, layer.exact_macs) << ToString(m);
                ++checked;
              }
            }
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 300);
}

TEST(AnalyzerTest, MoreThanThreeClusterLevelsAreAllowed) {
  const Layer layer = Conv(4, 4, 1, 1, 4, 4);
  const Analyzer a(layer, Hw(16));
  const CostResult r = a.Evaluate(Map({S(1, 1, kK), Cl(2), S(1, 1, kC), Cl(2), S(1, 1, kY),
                                       Cl(2), S(1, 1, kX), Cl(2), S(1, 1, kK)}));
  ASSERT_TRUE(r.ok()) << InfeasibleName(r.infeasible);
  EXPECT_EQ(r.macs, layer.exact_macs);
}

TEST(AnalyzerTest, ClusterLargerThanArrayIsRejectedAtItsDirective) {
  const Analyzer a(Conv(8, 8, 1, 1, 4, 4), Hw(16));
  const CostResult r = a.Evaluate(Map({S(1, 1, kK), Cl(4), S(1, 1, kC), Cl(8), S(1, 1, kY)}));
  EXPECT_EQ(r.infeasible, Infeasible::kClusterExceedsPEs);
  EXPECT_EQ(r.infeasible_directive, 3);
}

TEST(AnalyzerTest, LevelWithoutSpatialMapIsRejected) {
  const Analyzer a(Conv(8, 8, 1, 1, 4, 4), Hw(16));
  EXPECT_EQ(a.Evaluate(Map({T(1, 1, kK)})).infeasible, Infeasible::kBadStructure);
  EXPECT_EQ(a.Evaluate(Map({S(1, 1, kK), Cl(4), T(1, 1, kC)})).infeasible,
            Infeasible::kBadStructure);
  EXPECT_EQ(a.Evaluate(Map({S(1, 1, kK), S(1, 1, kC), S(1, 1, kY)})).infeasible,
            Infeasible::kBadStructure);
}

TEST(AnalyzerTest, DimensionTheLayerLacksIsRejected) {
  const Analyzer a(Conv(8, 8, 1, 1, 4, 4), Hw(16));
  const CostResult r = a.Evaluate(Map({S(1, 1, kK), T(1, 1, kM)}));
  EXPECT_EQ(r.infeasible, Infeasible::kBadStructure);
  EXPECT_EQ(r.infeasible_directive, 1);
}

TEST(AnalyzerTest, PartialTemporalMapOnFilterIsRejected) {
  const Analyzer a(Conv(8, 8, 3, 3, 6, 6), Hw(16));
  const CostResult r = a.Evaluate(Map({S(1, 1, kK), T(1, 1, kR)}));
  EXPECT_EQ(r.infeasible, Infeasible::kBadStructure);
  EXPECT_EQ(r.infeasible_directive, 1);
}

// A 10-wide X tile on a 9-wide input (the YX-P tile on ResNet res5 3x3 layers): the original
// prints runtime 0 and NaN throughput; we reject it.
TEST(AnalyzerTest, TileWiderThanInputGivesNoPartialSums) {
  const Analyzer a(Conv(512, 512, 3, 3, 9, 9), Hw(256, 32, 16));
  const CostResult r = a.Evaluate(Map({T(1, 1, kK), T(1, 1, kC), S(3, 1, kY), T(10, 8, kX),
                                       T(3, 3, kR), T(3, 3, kS), Cl(8), S(3, 1, kX),
                                       T(3, 3, kR), T(3, 3, kS)}));
  EXPECT_EQ(r.infeasible, Infeasible::kZeroPartialSums);
}

TEST(AnalyzerTest, CapacityLimitsAreCheckedSeparately) {
  Hardware hw = Hw(1, 1);
  hw.l1_size = 5;
  const Analyzer a(Conv(2, 1, 1, 1, 1, 1), hw);
  CostResult r = a.Evaluate(Map({S(1, 1, kK)}));
  ASSERT_TRUE(r.ok());  // the MAESTRO-compatible statistics exist ...
  a.CheckLimits(&r);    // ... but the mapping needs 6 elements of L1
  EXPECT_EQ(r.infeasible, Infeasible::kL1Overflow);
}

TEST(AnalyzerTest, EvaluateIsThreadSafeAndDeterministic) {
  const Analyzer a(Conv(64, 64, 3, 3, 30, 30), Hw(64, 16, 8));
  const Mapping m = Map({S(1, 1, kK), T(16, 16, kC), T(3, 3, kR), T(3, 3, kS), T(3, 1, kY),
                         T(3, 1, kX), Cl(16), S(1, 1, kC), T(3, 1, kY), T(3, 1, kX)});
  const CostResult expected = a.Evaluate(m);
  ASSERT_TRUE(expected.ok());
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const CostResult r = a.Evaluate(m);
        if (r.runtime_cycles != expected.runtime_cycles || r.energy_nj != expected.energy_nj) {
          ++mismatches[static_cast<size_t>(t)];
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int n : mismatches) EXPECT_EQ(n, 0);
}

TEST(AnalyzerTest, LayerMissingADimensionIsAnInputError) {
  Layer l = Conv(8, 8, 3, 3, 6, 6);
  l.shape.size[kR] = 0;
  EXPECT_THAT([&] { Analyzer(l, Hw(4)); },
              ThrowsMessage<InputError>(StrEq("layer 'conv' (CONV) needs dimension R >= 1")));
}

TEST(AnalyzerTest, LayerWhoseMacCountOverflowsIsAnInputError) {
  Layer l = Conv(1, 1, 1, 1, 1, 1);
  l.shape.size[kK] = l.shape.size[kC] = 1 << 22;
  l.shape.size[kY] = l.shape.size[kX] = 1 << 11;  // 2^66 MACs
  EXPECT_THAT([&] { Analyzer(l, Hw(4)); },
              ThrowsMessage<InputError>(HasSubstr("the layer's MAC count overflows 64 bits")));
}

// Near the 64-bit limit the counts are checked rather than wrapped: the evaluation either
// succeeds with the exact MAC count or reports the overflow.
TEST(AnalyzerTest, HugeLayerNeverWrapsCounts) {
  const Layer l = Conv(1 << 20, 1 << 20, 1, 1, 1 << 10, 1 << 11);  // 2^61 MACs
  const Analyzer a(l, Hw(16));
  for (const Mapping& m : {Map({S(1, 1, kC), T(1, 1, kK)}), Map({S(1, 1, kK), T(1024, 1024, kC)}),
                           Map({S(1, 1, kK), Cl(4), S(1, 1, kC)})}) {
    const CostResult r = a.Evaluate(m);
    if (r.ok()) {
      EXPECT_EQ(r.macs, l.exact_macs);
      EXPECT_GT(r.runtime_cycles, 0);
    } else {
      EXPECT_EQ(r.infeasible, Infeasible::kCountOverflow);
    }
  }
}

TEST(ExactMacsTest, RespectsStride) {
  // ResNet-50 conv1: 7x7/2 on a 230x230 padded input -> 112x112 outputs.
  EXPECT_EQ(ExactMacs(OpKind::kConv, Conv(64, 3, 7, 7, 230, 230, 2).shape),
            64LL * 3 * 7 * 7 * 112 * 112);
}

}  // namespace
}  // namespace cadenza
