#pragma once
// Internal to the importer: evaluation of the small constant tensors that ONNX shape arithmetic
// computes (Shape -> Gather -> Concat -> Reshape, ...), one node at a time. The folding pass
// (onnx_shape_folding.h) feeds it the graph's known values and stores what it returns.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onnx {
class NodeProto;
class TensorProto;
class TypeProto;
}  // namespace onnx

namespace cadenza {

/// Shape arithmetic works on a handful of numbers; anything larger is data, not a shape.
inline constexpr int64_t kMaxFoldedElements = 1024;
/// onnx::TensorProto::INT64 (the .cc checks that they agree).
inline constexpr int32_t kOnnxInt64 = 7;

/// A small constant tensor: integers (any integer type, bool) or floating point.
struct ConstantValue {
  int32_t type = kOnnxInt64;    // an onnx::TensorProto::DataType
  std::vector<int64_t> dims;
  std::vector<int64_t> ints;    // when !floating
  std::vector<double> floats;   // when floating
  bool floating = false;

  size_t size() const { return floating ? floats.size() : ints.size(); }
  double At(size_t i) const { return floating ? floats[i] : static_cast<double>(ints[i]); }
  int64_t IntAt(size_t i) const { return floating ? static_cast<int64_t>(floats[i]) : ints[i]; }
};

/// The element count of a tensor of shape `dims`; kMaxFoldedElements + 1 when it is larger or a
/// dim is negative.
int64_t ConstantElementCount(const std::vector<int64_t>& dims);

/// A tensor's values (little-endian raw_data or the typed field, per data_type); nullopt when
/// external, of a type other than int, bool, float or double, larger than kMaxFoldedElements,
/// or inconsistent with its dims.
std::optional<ConstantValue> ConstantFromTensor(const onnx::TensorProto& t);

/// `value` as an initializer named `name` (float16 and bfloat16 never occur: not read).
onnx::TensorProto ConstantToTensor(const ConstantValue& value, const std::string& name);

/// Numpy broadcasting of two shapes; nullopt when they do not broadcast.
std::optional<std::vector<int64_t>> BroadcastShapes(const std::vector<int64_t>& a,
                                                    const std::vector<int64_t>& b);

/// A fully known shape from a value's type; nullopt when not a tensor or a dim is not a number.
std::optional<std::vector<int64_t>> KnownShape(const onnx::TypeProto& type);

/// What the evaluator of one node sees.
struct FoldContext {
  const onnx::NodeProto& node;
  std::vector<const ConstantValue*> inputs;          // null where not known
  std::vector<const std::vector<int64_t>*> shapes;   // fully known input shapes, or null
  int opset = 0;                                     // of the default domain

  const ConstantValue* In(size_t i) const { return i < inputs.size() ? inputs[i] : nullptr; }
  /// Whether the node names an input at `i` (an optional input may be "").
  bool Present(size_t i) const;
};

/// Computes a node's single output from its inputs; nullopt when it cannot (an input missing or
/// of the wrong kind, an attribute out of range). May throw on malformed shape code.
using ConstantEvaluator = std::optional<ConstantValue> (*)(const FoldContext&);

/// The evaluator of a default-domain operator, or null when shape arithmetic has none for it.
ConstantEvaluator FindConstantEvaluator(std::string_view op_type);

}  // namespace cadenza
