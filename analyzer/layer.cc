#include "analyzer/layer.h"

#include "analyzer/error.h"

namespace cadenza {

std::string_view OpKindName(OpKind kind) {
  switch (kind) {
    case OpKind::kConv: return "CONV";
    case OpKind::kDepthwiseConv: return "DSCONV";
    case OpKind::kGroupedConv: return "NGCONV";
    case OpKind::kTransposedConv: return "TRCONV";
    case OpKind::kGemm: return "GEMM";
  }
  return "?";
}

namespace {
int64_t OutputExtent(int64_t input, int64_t filter, int64_t stride) {
  if (filter < 1) filter = 1;
  if (input < filter || stride < 1) return 0;
  return (input - filter) / stride + 1;
}

int64_t Present(int64_t size) { return size > 0 ? size : 1; }

// The input rows (columns) a dilated filter of `taps` taps spans: (taps - 1) * dilation + 1.
int64_t DilatedExtent(int64_t taps, int64_t dilation) {
  if (taps <= 0 || dilation <= 1) return taps;
  int64_t span = 0;
  if (__builtin_mul_overflow(taps - 1, dilation, &span) || span == INT64_MAX) {
    throw InputError("the layer's dilated filter extent overflows 64 bits");
  }
  return span + 1;
}

int64_t CheckedProduct(std::initializer_list<int64_t> factors) {
  int64_t product = 1;
  for (int64_t f : factors) {
    if (__builtin_mul_overflow(product, f, &product)) {
      throw InputError("the layer's MAC count overflows 64 bits");
    }
  }
  return product;
}
}  // namespace

int64_t OutputRows(const LayerShape& s) {
  return OutputExtent(s.size[Dim::kY], DilatedExtent(s.size[Dim::kR], s.dilation_y), s.stride_y);
}
int64_t OutputCols(const LayerShape& s) {
  return OutputExtent(s.size[Dim::kX], DilatedExtent(s.size[Dim::kS], s.dilation_x), s.stride_x);
}

int64_t ExactMacs(OpKind kind, const LayerShape& s) {
  const PerDim<int64_t>& d = s.size;
  switch (kind) {
    case OpKind::kGemm:
      return CheckedProduct({Present(d[Dim::kM]), Present(d[Dim::kN]), Present(d[Dim::kK])});
    case OpKind::kDepthwiseConv:
      return CheckedProduct({Present(d[Dim::kN]), Present(d[Dim::kC]), OutputRows(s),
                             OutputCols(s), Present(d[Dim::kR]), Present(d[Dim::kS])});
    case OpKind::kGroupedConv:
      return CheckedProduct({Present(d[Dim::kN]), Present(d[Dim::kG]), Present(d[Dim::kK]),
                             Present(d[Dim::kC]), OutputRows(s), OutputCols(s),
                             Present(d[Dim::kR]), Present(d[Dim::kS])});
    case OpKind::kConv:
    case OpKind::kTransposedConv:
      return CheckedProduct({Present(d[Dim::kN]), Present(d[Dim::kK]), Present(d[Dim::kC]),
                             OutputRows(s), OutputCols(s), Present(d[Dim::kR]),
                             Present(d[Dim::kS])});
  }
  return 0;
}

}  // namespace cadenza
