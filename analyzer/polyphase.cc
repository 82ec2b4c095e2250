#include "analyzer/polyphase.h"

#include <algorithm>
#include <numeric>
#include <string>
#include <tuple>

#include "analyzer/error.h"

namespace cadenza {

namespace {

int64_t MacMul(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) throw InputError("the MAC count overflows 64 bits");
  return r;
}

auto Key(const AxisPiece& p) { return std::tie(p.outputs, p.taps, p.stride, p.input, p.dilation); }

}  // namespace

int64_t AxisPiece::Macs() const { return MacMul(MacMul(outputs, taps), count); }

std::vector<std::pair<int64_t, int64_t>> SplitEvenly(int64_t total, int64_t parts) {
  std::vector<std::pair<int64_t, int64_t>> out;
  const int64_t big = total / parts + (total % parts != 0 ? 1 : 0);
  const int64_t n_big = total % parts != 0 ? total % parts : parts;
  if (big > 0) out.emplace_back(big, n_big);
  if (big - 1 > 0 && parts - n_big > 0) out.emplace_back(big - 1, parts - n_big);
  return out;
}

// Dilation d with stride s touches input o*s + r*d; the outputs o = q (mod d/g), g = gcd(s, d),
// all read the subsequence in[q*s + t*d], on which they form an ordinary convolution with
// stride s/g. So a dilated axis is d/g undilated phases of at most two lengths, and no skipped
// position is ever multiplied.
std::vector<AxisPiece> UndilatedForwardAxis(int64_t padded, int64_t k, int64_t s, int64_t d,
                                            int64_t outputs) {
  if (d == 1 || k == 1) return {{outputs, k, s, padded, 1, 1}};
  const int64_t g = std::gcd(s, d);
  const int64_t phase_stride = s / g;
  std::vector<AxisPiece> pieces;
  for (auto [n, count] : SplitEvenly(outputs, d / g)) {
    pieces.push_back({n, k, phase_stride, (n - 1) * phase_stride + k, count, 1});
  }
  return pieces;
}

std::vector<AxisPiece> MergeAxisPieces(std::vector<AxisPiece> pieces) {
  std::sort(pieces.begin(), pieces.end(),
            [](const AxisPiece& a, const AxisPiece& b) { return Key(a) < Key(b); });
  std::vector<AxisPiece> merged;
  for (const AxisPiece& p : pieces) {
    if (!merged.empty() && Key(merged.back()) == Key(p)) {
      int64_t sum = 0;
      if (__builtin_add_overflow(merged.back().count, p.count, &sum)) {
        throw InputError("the MAC count overflows 64 bits");
      }
      merged.back().count = sum;
    } else {
      merged.push_back(p);
    }
  }
  std::stable_sort(merged.begin(), merged.end(), [](const AxisPiece& a, const AxisPiece& b) {
    return a.Macs() > b.Macs();
  });
  return merged;
}

std::vector<Layer> PieceLayers(const Layer& base, const std::vector<AxisPiece>& rows,
                               const std::vector<AxisPiece>& columns, int64_t outer) {
  std::vector<Layer> layers;
  for (const AxisPiece& y : rows) {
    for (const AxisPiece& x : columns) {
      Layer layer = base;
      LayerShape& shape = layer.shape;
      shape.size[Dim::kY] = y.input;
      shape.size[Dim::kR] = y.taps;
      shape.stride_y = y.stride;
      shape.dilation_y = y.dilation;
      shape.size[Dim::kX] = x.input;
      shape.size[Dim::kS] = x.taps;
      shape.stride_x = x.stride;
      shape.dilation_x = x.dilation;
      CADENZA_CHECK(OutputRows(shape) == y.outputs && OutputCols(shape) == x.outputs);
      layer.instances = MacMul(MacMul(y.count, x.count), outer);
      layer.exact_macs = MacMul(ExactMacs(layer.kind, shape), layer.instances);
      layers.push_back(std::move(layer));
    }
  }
  if (layers.size() > 1) {
    for (size_t i = 0; i < layers.size(); ++i) {
      layers[i].name = base.name + "/phase" + std::to_string(i);
    }
  }
  return layers;
}

Network ForCostModel(const Network& network, CostModelKind kind) {
  if (kind == CostModelKind::kExact) return network;
  Network out = network;
  out.layers.clear();
  for (const Layer& layer : network.layers) {
    const LayerShape& s = layer.shape;
    if (s.dilation_y <= 1 && s.dilation_x <= 1) {
      out.layers.push_back(layer);
      continue;
    }
    const std::vector<AxisPiece> rows = MergeAxisPieces(UndilatedForwardAxis(
        s.size[Dim::kY], s.size[Dim::kR], s.stride_y, s.dilation_y, OutputRows(s)));
    const std::vector<AxisPiece> columns = MergeAxisPieces(UndilatedForwardAxis(
        s.size[Dim::kX], s.size[Dim::kS], s.stride_x, s.dilation_x, OutputCols(s)));
    const int64_t expected = MacMul(ExactMacs(layer.kind, s), layer.instances);
    std::vector<Layer> phases = PieceLayers(layer, rows, columns, layer.instances);
    int64_t total = 0;
    for (const Layer& phase : phases) total += phase.exact_macs;  // each <= expected: no overflow
    CADENZA_CHECK(total == expected);
    for (Layer& phase : phases) out.layers.push_back(std::move(phase));
  }
  return out;
}

}  // namespace cadenza
