#pragma once
// One rule per ONNX MAC op: a node's attributes and operand shapes -> OnnxNodeInfo + layers.
// Free of ONNX types, so the rules can be read and tested without the library.

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzer/layer.h"
#include "importer/onnx_importer.h"

namespace cadenza {

/// A tensor's shape as shape inference left it.
struct ValueShape {
  bool has_rank = false;
  std::vector<int64_t> dims;          // -1 where the dim is not a number
  std::vector<std::string> symbols;   // the dim's symbolic name, or ""; same length as dims
  /// Rank known and every dim a number.
  bool Known() const;
  /// "[batch, 3, 224, 224]", "[?, 64]", or "(unknown rank)".
  std::string ToString() const;
};

/// One attribute's value; only the field of its type is set.
struct AttrValue {
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::vector<int64_t> ints;
};

/// What a rule sees of a node.
struct NodeView {
  std::string name;  // unique within the import; generated when the model has none
  std::string op_type;
  std::vector<std::string> inputs;  // value names; "" for an omitted optional input
  std::vector<ValueShape> input_shapes;
  std::vector<ValueShape> output_shapes;
  std::map<std::string, AttrValue> attributes;

  bool Has(std::string_view attribute) const;
  int64_t Int(std::string_view attribute, int64_t fallback) const;
  std::string Str(std::string_view attribute, std::string_view fallback) const;
  /// The attribute's ints, or `fallback` when absent.
  std::vector<int64_t> Ints(std::string_view attribute, std::vector<int64_t> fallback) const;
};

/// A needed operand shape is not known; the message says which, `value` names the tensor.
class UnresolvedShape : public std::runtime_error {
 public:
  UnresolvedShape(std::string value_name, const std::string& message)
      : std::runtime_error(message), value(std::move(value_name)) {}
  std::string value;
};
/// A variant of a MAC op that the importer does not model; the message is the reason.
class UnsupportedNode : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A rule's result: the node as the model states it and the layers it became (names set,
/// exact_macs summing to info.macs). info.layer_indices is left for the caller.
struct ExtractedNode {
  OnnxNodeInfo info;
  std::vector<Layer> layers;
};

/// Whether `op_type` of the default ONNX domain has a rule.
bool IsMacOp(std::string_view op_type);
/// Why a MAC-doing op without a rule is left out, or "" for ops that do no MACs.
std::string_view UnsupportedMacOpReason(std::string_view op_type);

/// Applies the op's rule. REQUIRES: IsMacOp(node.op_type).
/// Throws InputError when the node is inconsistent (the message does not name the node; the
/// caller adds that), UnresolvedShape when a needed shape is unknown, UnsupportedNode for a
/// variant it does not model.
ExtractedNode ExtractMacNode(const NodeView& node);

}  // namespace cadenza
