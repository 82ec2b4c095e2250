#pragma once
// ONNX model -> the analyzer's Network: every multiply-accumulate node with exact dimensions.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/layer.h"

namespace cadenza {

/// How to settle what the model leaves open.
struct ImportOptions {
  // Value for symbolic batch dims: the first dim of each graph input when it is symbolic, and
  // any symbolic dim whose name contains "batch". A fixed batch in the model is kept. >= 1.
  int64_t batch_size = 1;
  // Values for other symbolic dims by name (e.g. {"sequence", 128}); they take precedence over
  // batch_size. Each value >= 1.
  std::map<std::string, int64_t> dim_values;
  // Full shapes for graph inputs by name; they replace the model's declared shape.
  std::map<std::string, std::vector<int64_t>> input_shapes;
  // false: a MAC node whose shapes cannot be settled is an error. true: it is listed in
  // OnnxImport::skipped (kUnresolved) with a warning, and the rest of the model still imports.
  bool skip_unresolved = false;
};

/// One ONNX MAC node as the model states it, and the analyzer layers it became.
struct OnnxNodeInfo {
  std::string name;     // the ONNX node name; "<op_type>_<index>" when the model gives none
  std::string op_type;  // "Conv", "QLinearMatMul", ...
  int node_index = 0;   // position among the main graph's nodes
  // Shapes of the operands that do MACs (Conv: X, W; Gemm/MatMul: A, B; Einsum: both inputs)
  // and of output 0, as ONNX shape inference settled them.
  std::vector<std::vector<int64_t>> input_shapes;
  std::vector<int64_t> output_shape;
  // Convolutions only (empty otherwise); one entry per spatial axis unless said otherwise.
  std::vector<int64_t> kernel, strides, dilations, output_padding;
  std::vector<int64_t> pads;  // begin of each axis, then end of each axis (ONNX order)
  int64_t group = 1;
  std::string detail;  // op-specific facts: "transB=1", "batch 12 as instances", the equation
  std::vector<int> layer_indices;  // into OnnxImport::network.layers, in order
  int64_t macs = 0;                // by the conventions of docs/onnx-import.md
};

/// A node that does or may do MACs but is not in the network, and why.
struct SkippedNode {
  enum class Why : uint8_t {
    kUnsupported,  // an op variant the importer cannot model (e.g. a non-matmul Einsum)
    kControlFlow,  // inside an If/Loop/Scan body
    kUnresolved,   // shapes could not be settled (only with ImportOptions::skip_unresolved)
  };
  std::string name;
  std::string op_type;
  Why why = Why::kUnsupported;
  std::string reason;
  // The node's MAC count when its shapes give it (inside a control-flow body: one execution
  // of the body), else -1. Network::not_analysed carries the same records.
  int64_t macs = -1;
};
/// "unsupported", "control flow", "unresolved".
std::string_view SkipReasonName(SkippedNode::Why why);

/// Everything `ImportOnnx` learned about a model.
struct OnnxImport {
  Network network;                 // the MAC layers, in graph order; warnings included
  std::vector<OnnxNodeInfo> nodes;  // one per MAC node, in graph order
  std::map<std::string, int64_t> other_ops;  // op type ("domain:Op" off ai.onnx) -> count
  std::vector<SkippedNode> skipped;
  int64_t total_macs = 0;  // sum of nodes[i].macs
  int64_t ir_version = 0;
  int64_t opset = 0;  // of the default (ai.onnx) domain
  std::string producer;  // "pytorch 1.13.1"
};

/// Reads the ONNX model at `path`, inlines its model-local functions, runs ONNX's checker and
/// shape inference (with data propagation, folding of constant shape arithmetic and Einsum
/// output shapes) and returns every Conv, ConvTranspose, Gemm, MatMul, their quantized forms,
/// matmul-like Einsum and LSTM/GRU/RNN of the main graph, in graph order. MAC nodes left out
/// are in `skipped` and `network.not_analysed`.
/// Weight values are never read, so external data files (initializers or Constant nodes) need
/// not be present.
/// Throws InputError naming the file (and the node, when one is at fault) when the file is not
/// a usable ONNX model: unreadable, empty, truncated, cyclic, inconsistent, a MAC count that
/// overflows 64 bits, or shapes that cannot be settled (unless options.skip_unresolved).
OnnxImport ImportOnnx(const std::string& path, const ImportOptions& options = {});

/// The same for a serialized ModelProto held in memory; `name_for_errors` stands for the path.
OnnxImport ImportOnnxBytes(std::string_view bytes, const std::string& name_for_errors,
                           const ImportOptions& options = {});

/// The same for a model written in ONNX's text syntax (onnx/defs/parser.h), e.g.
///   <ir_version: 8, opset_import: ["" : 13]>
///   g (float[1, 3, 8, 8] x, float[4, 3, 3, 3] w) => (float[1, 4, 6, 6] y) { y = Conv(x, w) }
/// Throws InputError when the text does not parse.
OnnxImport ImportOnnxText(std::string_view text, const std::string& name_for_errors,
                          const ImportOptions& options = {});

}  // namespace cadenza
