#include "importer/onnx_conv.h"

#include <algorithm>
#include <numeric>

#include "analyzer/error.h"
#include "analyzer/polyphase.h"
#include "importer/checked_math.h"

namespace cadenza {

namespace {

using checked::MacAdd;
using checked::MacMul;

// A convolution lowers to at most this many analyzer layers. Real models need a handful (a
// strided ConvTranspose one per output phase); a huge kernel over a huge input would otherwise
// ask for billions of border layers.
constexpr int64_t kMaxLayersPerNode = 4096;

[[noreturn]] void TooManyLayers(int64_t needed) {
  throw InputError("the convolution lowers to " + std::to_string(needed) +
                   " or more analyzer layers; at most " + std::to_string(kMaxLayersPerNode) +
                   " are supported");
}

// Transposed convolution along one axis: input h times tap r lands on output h*s + r*d. Taps
// r = r0 (mod s/g) all land on one output phase (mod s); inside it they are d/g apart in h, so
// the inputs split into d/g classes h = c (mod d/g). Each (phase, class) pair is a full
// correlation of L class inputs with T taps: L*T products, no inserted zero. Its outputs with
// all min(L, T) products form one ordinary convolution (when L >= T) or single outputs; the
// 2*(min-1) border outputs with t < min products are single outputs of t taps, so that no
// product with a border zero is counted either.
std::vector<AxisPiece> TransposedAxis(int64_t in, int64_t k, int64_t s, int64_t d) {
  const int64_t g = std::gcd(s, d);
  std::vector<AxisPiece> pieces;
  for (auto [taps, phases] : SplitEvenly(k, s / g)) {
    for (auto [len, classes] : SplitEvenly(in, d / g)) {
      const int64_t n = phases * classes;
      const int64_t a = std::min(len, taps);
      if (len >= taps) {
        pieces.push_back({len - taps + 1, taps, 1, len, n});
      } else {
        pieces.push_back({1, len, 1, len, MacMul(taps - len + 1, n)});
      }
      if (a - 1 > kMaxLayersPerNode) TooManyLayers(a - 1);
      for (int64_t t = 1; t < a; ++t) pieces.push_back({1, t, 1, t, MacMul(2, n)});
    }
  }
  return pieces;
}

void CheckGeometry(const ConvGeometry& g) {
  const size_t n = g.input.size();
  CADENZA_CHECK(n >= 1 && g.kernel.size() == n && g.strides.size() == n &&
                g.dilations.size() == n);
  CADENZA_CHECK(g.transposed || (g.pads_begin.size() == n && g.pads_end.size() == n));
  CADENZA_CHECK(g.batch >= 1 && g.group >= 1 && g.in_channels % g.group == 0 &&
                g.out_channels % g.group == 0);
}

}  // namespace

std::vector<int64_t> ConvOutputExtents(const ConvGeometry& g) {
  CheckGeometry(g);
  std::vector<int64_t> out;
  for (size_t i = 0; i < g.input.size(); ++i) {
    const int64_t padded = MacAdd(MacAdd(g.input[i], g.pads_begin[i]), g.pads_end[i]);
    const int64_t reach = MacAdd(MacMul(g.dilations[i], g.kernel[i] - 1), 1);
    if (reach > padded) {
      throw InputError("kernel extent " + std::to_string(reach) + " on spatial axis " +
                       std::to_string(i) + " exceeds the padded input extent " +
                       std::to_string(padded));
    }
    out.push_back((padded - reach) / g.strides[i] + 1);
  }
  return out;
}

int64_t ConvMacs(const ConvGeometry& g) {
  CheckGeometry(g);
  int64_t macs = g.batch;
  if (g.transposed) {
    macs = MacMul(MacMul(macs, g.in_channels), g.out_channels / g.group);
    for (int64_t e : g.input) macs = MacMul(macs, e);
  } else {
    macs = MacMul(MacMul(macs, g.out_channels), g.in_channels / g.group);
    for (int64_t e : ConvOutputExtents(g)) macs = MacMul(macs, e);
  }
  for (int64_t k : g.kernel) macs = MacMul(macs, k);
  return macs;
}

std::vector<Layer> LowerConv(const ConvGeometry& g, const std::string& name,
                             const std::string& op_type) {
  CheckGeometry(g);
  const size_t n = g.input.size();
  const std::vector<int64_t> out = g.transposed ? std::vector<int64_t>() : ConvOutputExtents(g);
  // A forward axis is one piece with its dilation: the layer keeps the dilation, and
  // ForCostModel splits it into undilated phases for the model that has none. A transposed axis
  // is split here, since no layer shape states a transposed conv's products.
  std::vector<std::vector<AxisPiece>> axes;
  for (size_t i = 0; i < n; ++i) {
    if (g.transposed) {
      axes.push_back(
          MergeAxisPieces(TransposedAxis(g.input[i], g.kernel[i], g.strides[i], g.dilations[i])));
    } else {
      const int64_t padded = g.input[i] + g.pads_begin[i] + g.pads_end[i];
      // A one-tap axis has no gaps to skip: dilation 1 states the same products.
      const int64_t dilation = g.kernel[i] == 1 ? 1 : g.dilations[i];
      axes.push_back({{out[i], g.kernel[i], g.strides[i], padded, 1, dilation}});
    }
  }
  // The last two axes become Y/R and X/S; a 1-D conv gets Y = R = 1. Axes before them (3-D and
  // up) multiply the instances: every (output or input position, tap) pair along them is one
  // copy of the 2-D problem.
  if (n == 1) axes.insert(axes.begin(), std::vector<AxisPiece>{AxisPiece{}});
  int64_t outer = 1;
  for (size_t i = 0; i + 2 < axes.size(); ++i) {
    int64_t axis_macs = 0;
    for (const AxisPiece& p : axes[i]) axis_macs = MacAdd(axis_macs, p.Macs());
    outer = MacMul(outer, axis_macs);
  }

  Layer base;
  base.name = name;
  base.op_type = op_type;
  PerDim<int64_t>& size = base.shape.size;
  size[Dim::kN] = g.batch;
  if (g.group == 1) {
    base.kind = g.transposed ? OpKind::kTransposedConv : OpKind::kConv;
    size[Dim::kK] = g.out_channels;
    size[Dim::kC] = g.in_channels;
  } else if (g.group == g.in_channels && g.group == g.out_channels) {
    base.kind = OpKind::kDepthwiseConv;
    size[Dim::kC] = g.in_channels;
  } else {
    base.kind = OpKind::kGroupedConv;
    size[Dim::kG] = g.group;
    size[Dim::kK] = g.out_channels / g.group;
    size[Dim::kC] = g.in_channels / g.group;
  }

  const std::vector<AxisPiece>& ys = axes[axes.size() - 2];
  const std::vector<AxisPiece>& xs = axes.back();
  const int64_t count = MacMul(static_cast<int64_t>(ys.size()), static_cast<int64_t>(xs.size()));
  if (count > kMaxLayersPerNode) TooManyLayers(count);
  const std::vector<Layer> layers = PieceLayers(base, ys, xs, outer);
  int64_t total = 0;
  for (const Layer& layer : layers) total = MacAdd(total, layer.exact_macs);
  CADENZA_CHECK(total == ConvMacs(g));
  return layers;
}

}  // namespace cadenza
