// ForCostModel: a dilated layer as each cost model takes it. The exact model gets it as it is;
// the MAESTRO-compatible model gets undilated phases that do the same products and skip none.

#include "analyzer/polyphase.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <string>

#include "analyzer/analyzer.h"
#include "analyzer/error.h"

namespace cadenza {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// A 1-D conv on X: `padded` input positions, `k` taps `d` apart, stride `s`.
Layer Conv1D(const std::string& name, int64_t padded, int64_t k, int64_t s, int64_t d) {
  Layer l;
  l.name = name;
  l.op_type = "Conv";
  l.kind = OpKind::kConv;
  l.shape.size[Dim::kN] = l.shape.size[Dim::kK] = l.shape.size[Dim::kC] = 1;
  l.shape.size[Dim::kY] = l.shape.size[Dim::kR] = 1;
  l.shape.size[Dim::kX] = padded;
  l.shape.size[Dim::kS] = k;
  l.shape.stride_x = s;
  l.shape.dilation_x = d;
  l.exact_macs = ExactMacs(l.kind, l.shape);
  return l;
}

// A 2-D conv with `channels` in and out, `taps` x `taps` taps `d` apart, on `padded` x `padded`.
Layer Conv2D(const std::string& name, int64_t channels, int64_t padded, int64_t taps, int64_t d) {
  Layer l;
  l.name = name;
  l.op_type = "Conv";
  l.kind = OpKind::kConv;
  l.shape.size[Dim::kN] = 1;
  l.shape.size[Dim::kK] = l.shape.size[Dim::kC] = channels;
  l.shape.size[Dim::kY] = l.shape.size[Dim::kX] = padded;
  l.shape.size[Dim::kR] = l.shape.size[Dim::kS] = taps;
  l.shape.dilation_y = l.shape.dilation_x = d;
  l.exact_macs = ExactMacs(l.kind, l.shape);
  return l;
}

int64_t TotalMacs(const Network& network) {
  int64_t total = 0;
  for (const Layer& l : network.layers) total += l.exact_macs;
  return total;
}

Network OneLayer(const Layer& layer) {
  Network net;
  net.name = "n";
  net.layers.push_back(layer);
  return net;
}

TEST(PolyphaseTest, ExactModelGetsTheNetworkAsItIs) {
  Network net = OneLayer(Conv2D("aspp", 8, 62, 3, 24));
  net.warnings.push_back("w");
  const Network exact = ForCostModel(net, CostModelKind::kExact);
  ASSERT_EQ(exact.layers.size(), 1u);
  EXPECT_EQ(exact.layers[0].name, "aspp");
  EXPECT_EQ(exact.layers[0].shape, net.layers[0].shape);
  EXPECT_EQ(exact.layers[0].shape.dilation_y, 24);
  EXPECT_EQ(exact.layers[0].instances, 1);
  EXPECT_EQ(exact.warnings, net.warnings);
}

TEST(PolyphaseTest, MaestroModelGetsUndilatedPhasesInPlace) {
  // 3x3, dilation 2 on 20 x 20 padded (16 x 16 outputs): the even and odd rows and columns are
  // 4 instances of an ordinary 3x3 conv on 10 x 10 (8 x 8 outputs each).
  Network net;
  net.name = "n";
  net.source_path = "n.onnx";
  net.warnings = {"a warning"};
  net.not_analysed.push_back({"loop", "Loop", -1, "control flow"});
  net.layers.push_back(Conv2D("before", 4, 8, 3, 1));
  net.layers.push_back(Conv2D("dilated", 4, 20, 3, 2));
  net.layers.push_back(Conv2D("after", 4, 6, 1, 1));
  const Network maestro = ForCostModel(net, CostModelKind::kMaestro);
  ASSERT_EQ(maestro.layers.size(), 3u);
  EXPECT_EQ(maestro.layers[0].name, "before");
  EXPECT_EQ(maestro.layers[0].shape, net.layers[0].shape);
  EXPECT_EQ(maestro.layers[2].name, "after");
  EXPECT_EQ(maestro.layers[2].shape, net.layers[2].shape);
  const Layer& phases = maestro.layers[1];
  EXPECT_EQ(phases.name, "dilated");
  EXPECT_EQ(phases.shape.size[Dim::kY], 10);
  EXPECT_EQ(phases.shape.size[Dim::kX], 10);
  EXPECT_EQ(phases.shape.size[Dim::kR], 3);
  EXPECT_EQ(phases.shape.dilation_y, 1);
  EXPECT_EQ(phases.shape.dilation_x, 1);
  EXPECT_EQ(phases.shape.size[Dim::kK], 4);
  EXPECT_EQ(phases.instances, 4);
  EXPECT_EQ(phases.exact_macs, net.layers[1].exact_macs);
  EXPECT_EQ(phases.exact_macs, 4 * 4 * 16 * 16 * 9);
  EXPECT_EQ(TotalMacs(maestro), TotalMacs(net));
  EXPECT_EQ(maestro.name, "n");
  EXPECT_EQ(maestro.source_path, "n.onnx");
  EXPECT_EQ(maestro.warnings, net.warnings);
  ASSERT_EQ(maestro.not_analysed.size(), 1u);
  EXPECT_EQ(maestro.not_analysed[0].name, "loop");
}

TEST(PolyphaseTest, PhasesAreLeftAsTheyAre) {
  // The phases have no dilation, so a second pass changes nothing.
  const Network once =
      ForCostModel(OneLayer(Conv2D("d", 2, 13, 3, 3)), CostModelKind::kMaestro);
  const Network twice = ForCostModel(once, CostModelKind::kMaestro);
  ASSERT_EQ(once.layers.size(), 4u);
  ASSERT_EQ(twice.layers.size(), once.layers.size());
  for (size_t i = 0; i < once.layers.size(); ++i) {
    EXPECT_EQ(twice.layers[i].name, once.layers[i].name);
    EXPECT_EQ(twice.layers[i].shape, once.layers[i].shape);
    EXPECT_EQ(twice.layers[i].instances, once.layers[i].instances);
  }
}

TEST(PolyphaseTest, PhasesOfTwoLengthsGetTheirOwnNames) {
  // 7 outputs, dilation 3: phases of 3, 2 and 2 outputs; the two of 2 are one layer, and
  // come first, since they do more of the MACs (12 of 21).
  const Layer d = Conv1D("d", 13, 3, 1, 3);
  ASSERT_EQ(OutputCols(d.shape), 7);
  const Network maestro = ForCostModel(OneLayer(d), CostModelKind::kMaestro);
  ASSERT_EQ(maestro.layers.size(), 2u);
  EXPECT_EQ(maestro.layers[0].name, "d/phase0");
  EXPECT_EQ(maestro.layers[1].name, "d/phase1");
  EXPECT_EQ(OutputCols(maestro.layers[0].shape), 2);
  EXPECT_EQ(maestro.layers[0].instances, 2);
  EXPECT_EQ(OutputCols(maestro.layers[1].shape), 3);
  EXPECT_EQ(maestro.layers[1].instances, 1);
  EXPECT_EQ(TotalMacs(maestro), 21);
}

TEST(PolyphaseTest, StrideAndDilationShareTheirGcd) {
  // Stride 2, dilation 4 (g = 2): 2 phases, each an ordinary conv of stride 1. 20 positions,
  // taps span 9: 6 outputs, 3 per phase, each reading (3 - 1) * 1 + 3 = 5 positions.
  const Layer d = Conv1D("d", 20, 3, 2, 4);
  ASSERT_EQ(OutputCols(d.shape), 6);
  const Network maestro = ForCostModel(OneLayer(d), CostModelKind::kMaestro);
  ASSERT_EQ(maestro.layers.size(), 1u);
  EXPECT_EQ(maestro.layers[0].shape.stride_x, 1);
  EXPECT_EQ(maestro.layers[0].shape.size[Dim::kX], 5);
  EXPECT_EQ(maestro.layers[0].instances, 2);
  EXPECT_EQ(maestro.layers[0].exact_macs, 18);
}

TEST(PolyphaseTest, InstancesOfTheDilatedLayerMultiplyThePhases) {
  // A 3-D conv's leading axis makes instances; each instance splits into the same phases.
  Layer d = Conv2D("c3", 2, 20, 3, 2);
  d.instances = 6;
  d.exact_macs = ExactMacs(d.kind, d.shape) * 6;
  const Network maestro = ForCostModel(OneLayer(d), CostModelKind::kMaestro);
  ASSERT_EQ(maestro.layers.size(), 1u);
  EXPECT_EQ(maestro.layers[0].instances, 6 * 4);
  EXPECT_EQ(maestro.layers[0].exact_macs, d.exact_macs);
}

// Every output of a 1-D conv reads k taps: the histogram (taps -> outputs) of the phases.
std::map<int64_t, int64_t> TapsHistogram(const Network& net) {
  std::map<int64_t, int64_t> histogram;
  for (const Layer& l : net.layers) {
    EXPECT_EQ(l.shape.size[Dim::kY], 1);
    EXPECT_EQ(l.shape.size[Dim::kR], 1);
    histogram[l.shape.size[Dim::kS]] += l.instances * OutputCols(l.shape);
  }
  return histogram;
}

TEST(PolyphaseTest, ForwardPhasesMatchBruteForceOnEveryGeometry) {
  for (int64_t padded = 1; padded <= 16; ++padded) {
    for (int64_t k = 1; k <= 4; ++k) {
      for (int64_t s = 1; s <= 3; ++s) {
        for (int64_t d = 1; d <= 4; ++d) {
          if ((k - 1) * d + 1 > padded) continue;
          SCOPED_TRACE("padded=" + std::to_string(padded) + " k=" + std::to_string(k) +
                       " s=" + std::to_string(s) + " d=" + std::to_string(d));
          const int64_t outputs = ((padded - (k - 1) * d - 1) / s) + 1;
          const Network maestro =
              ForCostModel(OneLayer(Conv1D("f", padded, k, s, d)), CostModelKind::kMaestro);
          // Every output keeps its k products: none counted twice, none lost.
          EXPECT_EQ(TapsHistogram(maestro), (std::map<int64_t, int64_t>{{k, outputs}}));
          // Phases read disjoint subsequences of the padded input, so never more than it.
          int64_t read = 0;
          for (const Layer& l : maestro.layers) {
            read += l.instances * l.shape.size[Dim::kX];
            EXPECT_EQ(l.shape.dilation_x, 1);
            EXPECT_EQ(l.exact_macs, ExactMacs(l.kind, l.shape) * l.instances);
          }
          EXPECT_LE(read, padded);
          EXPECT_EQ(TotalMacs(maestro), outputs * k);
          EXPECT_LE(maestro.layers.size(), 2u);
        }
      }
    }
  }
}

TEST(PolyphaseTest, RandomLayersOfEveryConvKindKeepTheirMacs) {
  std::mt19937_64 rng(20261206);
  auto pick = [&rng](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  const OpKind kinds[] = {OpKind::kConv, OpKind::kDepthwiseConv, OpKind::kGroupedConv};
  for (int trial = 0; trial < 500; ++trial) {
    Layer l;
    l.name = "r";
    l.kind = kinds[trial % 3];
    LayerShape& s = l.shape;
    s.size[Dim::kN] = pick(1, 3);
    s.size[Dim::kC] = pick(1, 4);
    if (l.kind != OpKind::kDepthwiseConv) s.size[Dim::kK] = pick(1, 4);
    if (l.kind == OpKind::kGroupedConv) s.size[Dim::kG] = pick(2, 3);
    s.size[Dim::kR] = pick(1, 5);
    s.size[Dim::kS] = pick(1, 5);
    s.stride_y = pick(1, 4);
    s.stride_x = pick(1, 4);
    s.dilation_y = pick(1, 5);
    s.dilation_x = pick(1, 5);
    s.size[Dim::kY] = (s.size[Dim::kR] - 1) * s.dilation_y + 1 + pick(0, 20);
    s.size[Dim::kX] = (s.size[Dim::kS] - 1) * s.dilation_x + 1 + pick(0, 20);
    l.instances = pick(1, 3);
    l.exact_macs = ExactMacs(l.kind, s) * l.instances;
    SCOPED_TRACE("trial " + std::to_string(trial));
    const Network maestro = ForCostModel(OneLayer(l), CostModelKind::kMaestro);
    ASSERT_GE(maestro.layers.size(), 1u);
    EXPECT_LE(maestro.layers.size(), 4u);
    EXPECT_EQ(TotalMacs(maestro), l.exact_macs);
    int64_t outputs = 0;
    for (const Layer& p : maestro.layers) {
      EXPECT_EQ(p.kind, l.kind);
      EXPECT_EQ(p.shape.size[Dim::kN], s.size[Dim::kN]);
      EXPECT_EQ(p.shape.size[Dim::kK], s.size[Dim::kK]);
      EXPECT_EQ(p.shape.size[Dim::kC], s.size[Dim::kC]);
      EXPECT_EQ(p.shape.size[Dim::kG], s.size[Dim::kG]);
      EXPECT_EQ(p.shape.size[Dim::kR], s.size[Dim::kR]);
      EXPECT_EQ(p.shape.size[Dim::kS], s.size[Dim::kS]);
      EXPECT_EQ(p.shape.dilation_y, 1);
      EXPECT_EQ(p.shape.dilation_x, 1);
      EXPECT_EQ(p.exact_macs, ExactMacs(p.kind, p.shape) * p.instances);
      outputs += OutputRows(p.shape) * OutputCols(p.shape) * p.instances;
    }
    // Every output position is in exactly one phase.
    EXPECT_EQ(outputs, OutputRows(s) * OutputCols(s) * l.instances);
  }
}

TEST(PolyphaseTest, MaestroModelTakesThePhasesNotTheDilatedLayer) {
  // Its walk has no dilation: given the layer itself it would count other products, so it
  // refuses it, and the phases are what it evaluates.
  Hardware hw;
  hw.num_pes = 4;
  const Layer dilated = Conv2D("dilated", 4, 20, 3, 2);
  EXPECT_THAT([&] { MakeLayerCostModel(CostModelKind::kMaestro, dilated, hw); },
              ThrowsMessage<InputError>(HasSubstr("the MAESTRO-compatible model has no dilation")));
  const Network maestro = ForCostModel(OneLayer(dilated), CostModelKind::kMaestro);
  for (const Layer& phase : maestro.layers) {
    EXPECT_NO_THROW(MakeLayerCostModel(CostModelKind::kMaestro, phase, hw));
  }
  EXPECT_NO_THROW(MakeLayerCostModel(CostModelKind::kExact, dilated, hw));
}

}  // namespace
}  // namespace cadenza
