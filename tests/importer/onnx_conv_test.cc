// Convolution lowering checked against brute-force enumeration of every product.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "analyzer/error.h"
#include "importer/onnx_conv.h"

namespace cadenza {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

ConvGeometry Geometry1D(bool transposed, int64_t in, int64_t k, int64_t s, int64_t d,
                        int64_t pb = 0, int64_t pe = 0) {
  ConvGeometry g;
  g.transposed = transposed;
  g.input = {in};
  g.kernel = {k};
  g.strides = {s};
  g.dilations = {d};
  g.pads_begin = {pb};
  g.pads_end = {pe};
  return g;
}

int64_t Sum(const std::vector<Layer>& layers) {
  int64_t total = 0;
  for (const Layer& l : layers) total += l.exact_macs;
  return total;
}

// How many outputs receive each number of products, from the layers (a 1-D conv lives on X).
std::map<int64_t, int64_t> TapsHistogram(const std::vector<Layer>& layers) {
  std::map<int64_t, int64_t> histogram;
  for (const Layer& l : layers) {
    EXPECT_EQ(l.shape.size[Dim::kY], 1);
    EXPECT_EQ(l.shape.size[Dim::kR], 1);
    histogram[l.shape.size[Dim::kS]] += l.instances * OutputCols(l.shape);
  }
  return histogram;
}

TEST(OnnxConvTest, PlainConvIsOneLayerWithPaddingFoldedIn) {
  ConvGeometry g;
  g.batch = 2;
  g.in_channels = 3;
  g.out_channels = 64;
  g.input = {224, 224};
  g.kernel = {7, 7};
  g.strides = {2, 2};
  g.dilations = {1, 1};
  g.pads_begin = {3, 3};
  g.pads_end = {3, 3};
  const std::vector<Layer> layers = LowerConv(g, "conv1", "Conv");
  ASSERT_EQ(layers.size(), 1u);
  const Layer& l = layers[0];
  EXPECT_EQ(l.name, "conv1");
  EXPECT_EQ(l.kind, OpKind::kConv);
  EXPECT_EQ(l.shape.size[Dim::kN], 2);
  EXPECT_EQ(l.shape.size[Dim::kK], 64);
  EXPECT_EQ(l.shape.size[Dim::kC], 3);
  EXPECT_EQ(l.shape.size[Dim::kY], 230);
  EXPECT_EQ(l.shape.size[Dim::kX], 230);
  EXPECT_EQ(l.shape.size[Dim::kR], 7);
  EXPECT_EQ(l.shape.stride_y, 2);
  EXPECT_EQ(l.instances, 1);
  EXPECT_EQ(l.exact_macs, 2 * 118'013'952);
  EXPECT_EQ(ConvOutputExtents(g), (std::vector<int64_t>{112, 112}));
}

TEST(OnnxConvTest, GroupsChooseTheKind) {
  ConvGeometry g;
  g.input = {8, 8};
  g.kernel = {3, 3};
  g.strides = {1, 1};
  g.dilations = {1, 1};
  g.pads_begin = {1, 1};
  g.pads_end = {1, 1};
  g.in_channels = g.out_channels = g.group = 32;
  std::vector<Layer> layers = LowerConv(g, "dw", "Conv");
  EXPECT_EQ(layers[0].kind, OpKind::kDepthwiseConv);
  EXPECT_EQ(layers[0].shape.size[Dim::kC], 32);
  EXPECT_EQ(layers[0].shape.size[Dim::kK], 0);
  EXPECT_EQ(layers[0].exact_macs, 32 * 64 * 9);

  g.out_channels = 64;  // depthwise with channel multiplier 2
  layers = LowerConv(g, "dw2", "Conv");
  EXPECT_EQ(layers[0].kind, OpKind::kGroupedConv);
  EXPECT_EQ(layers[0].shape.size[Dim::kG], 32);
  EXPECT_EQ(layers[0].shape.size[Dim::kK], 2);
  EXPECT_EQ(layers[0].shape.size[Dim::kC], 1);
  EXPECT_EQ(layers[0].exact_macs, 64 * 64 * 9);

  g.group = 4;
  layers = LowerConv(g, "g4", "Conv");
  EXPECT_EQ(layers[0].kind, OpKind::kGroupedConv);
  EXPECT_EQ(layers[0].shape.size[Dim::kG], 4);
  EXPECT_EQ(layers[0].shape.size[Dim::kK], 16);
  EXPECT_EQ(layers[0].shape.size[Dim::kC], 8);
  EXPECT_EQ(layers[0].exact_macs, ConvMacs(g));
}

TEST(OnnxConvTest, DilatedConvIsOneLayerWithItsDilation) {
  // 16 outputs, 3 taps, dilation 2, pads 2: the layer as ONNX states it, over the 20 padded
  // positions, and its true MAC count. The undilated phases are ForCostModel's business
  // (tests/analyzer/polyphase_test.cc).
  ConvGeometry g = Geometry1D(false, 16, 3, 1, 2, 2, 2);
  const std::vector<Layer> layers = LowerConv(g, "d", "Conv");
  ASSERT_EQ(layers.size(), 1u);
  const Layer& l = layers[0];
  EXPECT_EQ(l.name, "d");
  EXPECT_EQ(l.shape.size[Dim::kX], 20);
  EXPECT_EQ(l.shape.size[Dim::kS], 3);
  EXPECT_EQ(l.shape.stride_x, 1);
  EXPECT_EQ(l.shape.dilation_x, 2);
  EXPECT_EQ(l.shape.dilation_y, 1);
  EXPECT_EQ(l.instances, 1);
  EXPECT_EQ(OutputCols(l.shape), 16);
  EXPECT_EQ(l.exact_macs, 16 * 3);
  EXPECT_EQ(l.exact_macs, ConvMacs(g));
}

TEST(OnnxConvTest, DilatedTwoDimensionalConvKeepsEveryDimension) {
  // A strided, dilated, grouped 2-D conv with a batch: one NGCONV layer whose dims, strides
  // and dilations are the node's, whatever the phases would be.
  ConvGeometry g;
  g.batch = 3;
  g.in_channels = 8;
  g.out_channels = 12;
  g.group = 2;
  g.input = {17, 13};
  g.kernel = {3, 2};
  g.strides = {2, 1};
  g.dilations = {4, 3};
  g.pads_begin = {1, 0};
  g.pads_end = {2, 1};
  const std::vector<Layer> layers = LowerConv(g, "g", "Conv");
  ASSERT_EQ(layers.size(), 1u);
  const Layer& l = layers[0];
  EXPECT_EQ(l.kind, OpKind::kGroupedConv);
  EXPECT_EQ(l.shape.size[Dim::kN], 3);
  EXPECT_EQ(l.shape.size[Dim::kG], 2);
  EXPECT_EQ(l.shape.size[Dim::kK], 6);
  EXPECT_EQ(l.shape.size[Dim::kC], 4);
  EXPECT_EQ(l.shape.size[Dim::kY], 20);
  EXPECT_EQ(l.shape.size[Dim::kX], 14);
  EXPECT_EQ(l.shape.size[Dim::kR], 3);
  EXPECT_EQ(l.shape.size[Dim::kS], 2);
  EXPECT_EQ(l.shape.stride_y, 2);
  EXPECT_EQ(l.shape.stride_x, 1);
  EXPECT_EQ(l.shape.dilation_y, 4);
  EXPECT_EQ(l.shape.dilation_x, 3);
  EXPECT_EQ(l.instances, 1);
  // (20 - 9) / 2 + 1 = 6 rows, 14 - 3 - 1 + 1 = 11 columns.
  EXPECT_EQ(ConvOutputExtents(g), (std::vector<int64_t>{6, 11}));
  EXPECT_EQ(OutputRows(l.shape), 6);
  EXPECT_EQ(OutputCols(l.shape), 11);
  EXPECT_EQ(l.exact_macs, 3 * 12 * 6 * 11 * 4 * 3 * 2);
  EXPECT_EQ(l.exact_macs, ConvMacs(g));
}

TEST(OnnxConvTest, OneTapAxisDropsItsDilation) {
  // A one-tap axis has no gap to skip: dilation 1 states the same products, and the layer
  // then needs no decomposition on that axis.
  ConvGeometry g;
  g.input = {9, 9};
  g.kernel = {1, 3};
  g.strides = {1, 1};
  g.dilations = {5, 2};
  g.pads_begin = {0, 0};
  g.pads_end = {0, 0};
  const std::vector<Layer> layers = LowerConv(g, "p", "Conv");
  ASSERT_EQ(layers.size(), 1u);
  EXPECT_EQ(layers[0].shape.dilation_y, 1);
  EXPECT_EQ(layers[0].shape.dilation_x, 2);
  EXPECT_EQ(layers[0].exact_macs, 9 * 5 * 3);
}

TEST(OnnxConvTest, DcganUpsamplingCountsNoZero) {
  // ConvTranspose k=4, s=2, p=1 on 4x4: per axis and phase, 3 outputs with 2 taps and 2
  // border outputs with 1 tap; 2-D is their cross product, 4 distinct shapes.
  ConvGeometry g;
  g.transposed = true;
  g.in_channels = 8;
  g.out_channels = 3;
  g.input = {4, 4};
  g.kernel = {4, 4};
  g.strides = {2, 2};
  g.dilations = {1, 1};
  const std::vector<Layer> layers = LowerConv(g, "up", "ConvTranspose");
  ASSERT_EQ(layers.size(), 4u);
  EXPECT_EQ(layers[0].kind, OpKind::kTransposedConv);
  EXPECT_EQ(layers[0].shape.size[Dim::kY], 4);
  EXPECT_EQ(layers[0].shape.size[Dim::kR], 2);
  EXPECT_EQ(layers[0].shape.stride_y, 1);
  EXPECT_EQ(layers[0].instances, 4);
  EXPECT_EQ(layers[3].shape.size[Dim::kY], 1);
  EXPECT_EQ(layers[3].instances, 16);
  EXPECT_EQ(Sum(layers), 8 * 16 * 3 * 16);  // C_in * In * K_out * kernel
  EXPECT_EQ(ConvMacs(g), Sum(layers));
}

TEST(OnnxConvTest, ThreeDimensionalConvRepeatsTheTwoDimensionalOne) {
  ConvGeometry g;
  g.in_channels = 2;
  g.out_channels = 4;
  g.input = {8, 16, 16};
  g.kernel = {3, 3, 3};
  g.strides = {1, 1, 1};
  g.dilations = {1, 1, 1};
  g.pads_begin = {0, 1, 1};
  g.pads_end = {0, 1, 1};
  const std::vector<Layer> layers = LowerConv(g, "c3", "Conv");
  ASSERT_EQ(layers.size(), 1u);
  EXPECT_EQ(layers[0].instances, 6 * 3);  // output depth x kernel depth
  EXPECT_EQ(layers[0].shape.size[Dim::kY], 18);
  EXPECT_EQ(layers[0].exact_macs, 4 * 6 * 16 * 16 * 2 * 27);
}

TEST(OnnxConvTest, KernelLargerThanInputIsAnError) {
  // Dilation 3 stretches the 3-tap kernel over 7 elements of a 4-element input.
  EXPECT_THAT([] { LowerConv(Geometry1D(false, 4, 3, 1, 3), "x", "Conv"); },
              ThrowsMessage<InputError>(HasSubstr(
                  "kernel extent 7 on spatial axis 0 exceeds the padded input extent 4")));
}

// Every product of a 1-D transposed conv, brute force: products per output position.
std::map<int64_t, int64_t> TransposedHistogram(int64_t in, int64_t k, int64_t s, int64_t d) {
  std::map<int64_t, int64_t> per_output;
  for (int64_t h = 0; h < in; ++h) {
    for (int64_t r = 0; r < k; ++r) ++per_output[h * s + r * d];
  }
  std::map<int64_t, int64_t> histogram;
  for (auto [position, products] : per_output) ++histogram[products];
  return histogram;
}

TEST(OnnxConvTest, TransposedPiecesMatchBruteForceOnEveryGeometry) {
  for (int64_t in = 1; in <= 9; ++in) {
    for (int64_t k = 1; k <= 6; ++k) {
      for (int64_t s = 1; s <= 4; ++s) {
        for (int64_t d = 1; d <= 4; ++d) {
          SCOPED_TRACE("in=" + std::to_string(in) + " k=" + std::to_string(k) +
                       " s=" + std::to_string(s) + " d=" + std::to_string(d));
          const std::vector<Layer> layers = LowerConv(Geometry1D(true, in, k, s, d), "t", "T");
          // The same outputs receive the same number of products: no zero counted, none lost.
          EXPECT_EQ(TapsHistogram(layers), TransposedHistogram(in, k, s, d));
          EXPECT_EQ(Sum(layers), in * k);
          for (const Layer& l : layers) {
            EXPECT_EQ(l.exact_macs, ExactMacs(l.kind, l.shape) * l.instances);
          }
        }
      }
    }
  }
}

TEST(OnnxConvTest, ForwardConvIsOneLayerOnEveryGeometry) {
  for (int64_t in = 1; in <= 12; ++in) {
    for (int64_t k = 1; k <= 4; ++k) {
      for (int64_t s = 1; s <= 3; ++s) {
        for (int64_t d = 1; d <= 4; ++d) {
          for (int64_t pad = 0; pad <= 2; ++pad) {
            ConvGeometry g = Geometry1D(false, in, k, s, d, pad, pad);
            const int64_t padded = in + 2 * pad;
            if ((k - 1) * d + 1 > padded) continue;
            SCOPED_TRACE("in=" + std::to_string(in) + " k=" + std::to_string(k) +
                         " s=" + std::to_string(s) + " d=" + std::to_string(d));
            const int64_t outputs = ((padded - (k - 1) * d - 1) / s) + 1;
            const std::vector<Layer> layers = LowerConv(g, "f", "Conv");
            ASSERT_EQ(layers.size(), 1u);
            EXPECT_EQ(layers[0].shape.size[Dim::kX], padded);
            EXPECT_EQ(layers[0].shape.dilation_x, k == 1 ? 1 : d);
            EXPECT_EQ(TapsHistogram(layers), (std::map<int64_t, int64_t>{{k, outputs}}));
            EXPECT_EQ(Sum(layers), outputs * k);
          }
        }
      }
    }
  }
}

TEST(OnnxConvTest, RandomTwoDimensionalGeometriesSumToTheConvention) {
  std::mt19937_64 rng(20240521);
  auto pick = [&rng](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  for (int trial = 0; trial < 500; ++trial) {
    ConvGeometry g;
    g.transposed = trial % 2 == 1;
    g.batch = pick(1, 3);
    g.group = pick(1, 3);
    g.in_channels = g.group * pick(1, 3);
    g.out_channels = g.group * pick(1, 3);
    for (int axis = 0; axis < 2; ++axis) {
      g.input.push_back(pick(1, 20));
      g.kernel.push_back(pick(1, 5));
      g.strides.push_back(pick(1, 4));
      g.dilations.push_back(pick(1, 3));
      g.pads_begin.push_back(pick(0, 3));
      g.pads_end.push_back(pick(0, 3));
    }
    if (!g.transposed) {
      bool fits = true;
      for (int axis = 0; axis < 2; ++axis) {
        fits &= (g.kernel[axis] - 1) * g.dilations[axis] + 1 <=
                g.input[axis] + g.pads_begin[axis] + g.pads_end[axis];
      }
      if (!fits) continue;
    }
    const std::vector<Layer> layers = LowerConv(g, "r", "Conv");
    EXPECT_EQ(Sum(layers), ConvMacs(g));
    for (const Layer& l : layers) {
      EXPECT_EQ(l.exact_macs, ExactMacs(l.kind, l.shape) * l.instances);
      EXPECT_GE(l.instances, 1);
    }
    if (g.transposed) {
      for (const Layer& l : layers) EXPECT_EQ(l.shape.dilation_y * l.shape.dilation_x, 1);
    } else {
      // A forward conv is one layer that keeps the node's dilation (1 on a one-tap axis).
      ASSERT_EQ(layers.size(), 1u);
      EXPECT_EQ(layers[0].shape.dilation_y, g.kernel[0] == 1 ? 1 : g.dilations[0]);
      EXPECT_EQ(layers[0].shape.dilation_x, g.kernel[1] == 1 ? 1 : g.dilations[1]);
    }
  }
}

}  // namespace
}  // namespace cadenza
