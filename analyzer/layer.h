#pragma once
// What a MAC layer is, independent of where it came from (ONNX node or MAESTRO `.m` layer).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/dims.h"

namespace cadenza {

/// The layer kinds of the cost model; each fixes which dims couple to which tensor.
enum class OpKind : uint8_t {
  kConv,            // CONV: input C,Y,X; filter K,C,R,S; output K,Y,X (N first when present)
  kDepthwiseConv,   // DSCONV: input C,Y,X; filter C,R,S; output C,Y,X
  kGroupedConv,     // NGCONV: input G,C,Y,X; filter G,K,C,R,S; output G,K,C,Y,X
  kTransposedConv,  // TRCONV: modelled exactly like CONV (MAESTRO does the same)
  kGemm,            // GEMM: input M,K; filter K,N; output M,N (reduction over K)
};
/// "CONV", "DSCONV", "NGCONV", "TRCONV", "GEMM" (the `.m` keywords).
std::string_view OpKindName(OpKind kind);

/// Sizes and strides of one layer. A size of 0 means the layer does not have that dimension
/// (e.g. N not declared, or M of a CONV); declared sizes are >= 1.
struct LayerShape {
  PerDim<int64_t> size{};
  int64_t stride_y = 1;
  int64_t stride_x = 1;
  // Distance between filter taps in input rows / columns (ONNX `dilations`); 1 is a dense
  // filter. The MAESTRO-compatible model has no dilation: ForCostModel (analyzer/polyphase.h)
  // decomposes dilated layers for it; the exact model and the simulator take them as they are.
  int64_t dilation_y = 1;
  int64_t dilation_x = 1;
  friend bool operator==(const LayerShape&, const LayerShape&) = default;
  friend auto operator<=>(const LayerShape&, const LayerShape&) = default;
};

/// One layer the analyzer can evaluate.
struct Layer {
  std::string name;     // unique within its network; the ONNX node name or the `.m` layer name
  std::string op_type;  // the source's word for it: "Conv", "MatMul", ... or the `.m` Type
  OpKind kind = OpKind::kConv;
  LayerShape shape;
  // Identical copies of this shape that run one after another (e.g. the G groups of a grouped
  // ONNX Conv, or the phases of a strided ConvTranspose); totals multiply by it. >= 1.
  int64_t instances = 1;
  // The layer's true multiply-accumulate count (all instances), independent of any mapping.
  int64_t exact_macs = 0;
};

/// A source node that does or may do MACs but is not among the layers (an op the reader has
/// no rule for, a node inside a control-flow body, shapes that could not be settled).
struct NotAnalysedNode {
  std::string name;     // the source's node name (unique within the import)
  std::string op_type;  // "Conv", "com.microsoft:Attention", ...
  // Its MAC count by the reader's conventions when the shapes give it (a node inside a loop
  // body: one execution of the body), else -1.
  int64_t macs = -1;
  std::string reason;  // why it is left out, for people
};

/// A whole network: its layers in execution order.
struct Network {
  std::string name;
  std::string source_path;
  std::vector<Layer> layers;
  std::vector<std::string> warnings;  // things the reader noticed but could work around
  std::vector<NotAnalysedNode> not_analysed;  // MAC work missing from `layers`, in source order
};

/// Output rows/cols of a CONV-like layer: (Y - (R-1)*dilation - 1) / stride + 1, or 0 if the
/// filter does not fit.
int64_t OutputRows(const LayerShape& shape);
int64_t OutputCols(const LayerShape& shape);

/// The true MAC count of one instance of a layer of this kind and shape (strides respected).
/// Throws InputError if the count overflows int64.
int64_t ExactMacs(OpKind kind, const LayerShape& shape);

}  // namespace cadenza
