// The constant evaluator of shape arithmetic (onnx_constant_eval.h): the int and float tensors
// of a few elements that Shape, Gather, Concat, Slice, arithmetic and the like compute.

#include "importer/onnx_constant_eval.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <unordered_map>
#include <onnx/onnx_pb.h>

#include "importer/checked_math.h"

namespace cadenza {

static_assert(kOnnxInt64 == onnx::TensorProto::INT64);

namespace {

bool IsFloatType(int32_t type) {
  return type == onnx::TensorProto::FLOAT || type == onnx::TensorProto::DOUBLE ||
         type == onnx::TensorProto::FLOAT16 || type == onnx::TensorProto::BFLOAT16;
}

bool IsIntType(int32_t type) {
  switch (type) {
    case onnx::TensorProto::INT8: case onnx::TensorProto::INT16:
    case onnx::TensorProto::INT32: case onnx::TensorProto::INT64:
    case onnx::TensorProto::UINT8: case onnx::TensorProto::UINT16:
    case onnx::TensorProto::UINT32: case onnx::TensorProto::UINT64:
    case onnx::TensorProto::BOOL:
      return true;
    default:
      return false;
  }
}

ConstantValue IntValue(std::vector<int64_t> dims, std::vector<int64_t> ints) {
  ConstantValue v;
  v.dims = std::move(dims);
  v.ints = std::move(ints);
  return v;
}

}  // namespace

int64_t ConstantElementCount(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0 || (d > 0 && n > kMaxFoldedElements / d)) return kMaxFoldedElements + 1;
    n *= d;
  }
  return n;
}

// Reads a tensor's values: little-endian raw_data or the typed field, per data_type.
std::optional<ConstantValue> ConstantFromTensor(const onnx::TensorProto& t) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL) return std::nullopt;
  ConstantValue v;
  v.type = t.data_type();
  v.dims.assign(t.dims().begin(), t.dims().end());
  const int64_t n = ConstantElementCount(v.dims);
  if (n > kMaxFoldedElements) return std::nullopt;
  v.floating = IsFloatType(v.type);
  if (!v.floating && !IsIntType(v.type)) return std::nullopt;
  if (v.type == onnx::TensorProto::FLOAT16 || v.type == onnx::TensorProto::BFLOAT16) {
    return std::nullopt;
  }
  if (t.has_raw_data()) {
    const std::string& raw = t.raw_data();
    size_t width = 0;
    switch (v.type) {
      case onnx::TensorProto::INT8: case onnx::TensorProto::UINT8:
      case onnx::TensorProto::BOOL: width = 1; break;
      case onnx::TensorProto::INT16: case onnx::TensorProto::UINT16: width = 2; break;
      case onnx::TensorProto::INT32: case onnx::TensorProto::UINT32:
      case onnx::TensorProto::FLOAT: width = 4; break;
      default: width = 8; break;
    }
    if (raw.size() != static_cast<size_t>(n) * width) return std::nullopt;
    for (int64_t i = 0; i < n; ++i) {
      const char* p = raw.data() + i * static_cast<int64_t>(width);
      switch (v.type) {
        case onnx::TensorProto::FLOAT: { float f; std::memcpy(&f, p, 4); v.floats.push_back(f); break; }
        case onnx::TensorProto::DOUBLE: { double d; std::memcpy(&d, p, 8); v.floats.push_back(d); break; }
        case onnx::TensorProto::INT8: v.ints.push_back(static_cast<int8_t>(*p)); break;
        case onnx::TensorProto::UINT8: case onnx::TensorProto::BOOL:
          v.ints.push_back(static_cast<uint8_t>(*p)); break;
        case onnx::TensorProto::INT16: { int16_t x; std::memcpy(&x, p, 2); v.ints.push_back(x); break; }
        case onnx::TensorProto::UINT16: { uint16_t x; std::memcpy(&x, p, 2); v.ints.push_back(x); break; }
        case onnx::TensorProto::INT32: { int32_t x; std::memcpy(&x, p, 4); v.ints.push_back(x); break; }
        case onnx::TensorProto::UINT32: { uint32_t x; std::memcpy(&x, p, 4); v.ints.push_back(x); break; }
        default: { int64_t x; std::memcpy(&x, p, 8); v.ints.push_back(x); break; }
      }
    }
    return v;
  }
  switch (v.type) {
    case onnx::TensorProto::FLOAT: v.floats.assign(t.float_data().begin(), t.float_data().end()); break;
    case onnx::TensorProto::DOUBLE: v.floats.assign(t.double_data().begin(), t.double_data().end()); break;
    case onnx::TensorProto::INT64: v.ints.assign(t.int64_data().begin(), t.int64_data().end()); break;
    case onnx::TensorProto::UINT32: case onnx::TensorProto::UINT64:
      v.ints.assign(t.uint64_data().begin(), t.uint64_data().end()); break;
    default: v.ints.assign(t.int32_data().begin(), t.int32_data().end()); break;
  }
  if (static_cast<int64_t>(v.size()) != n) return std::nullopt;
  return v;
}

onnx::TensorProto ConstantToTensor(const ConstantValue& v, const std::string& name) {
  onnx::TensorProto t;
  t.set_name(name);
  for (int64_t d : v.dims) t.add_dims(d);
  if (v.floating) {
    t.set_data_type(v.type == onnx::TensorProto::DOUBLE ? onnx::TensorProto::DOUBLE
                                                        : onnx::TensorProto::FLOAT);
    for (double f : v.floats) {
      if (t.data_type() == onnx::TensorProto::DOUBLE) {
        t.add_double_data(f);
      } else {
        t.add_float_data(static_cast<float>(f));
      }
    }
    return t;
  }
  t.set_data_type(v.type);
  for (int64_t x : v.ints) {
    if (v.type == onnx::TensorProto::INT64) {
      t.add_int64_data(x);
    } else if (v.type == onnx::TensorProto::UINT32 || v.type == onnx::TensorProto::UINT64) {
      t.add_uint64_data(static_cast<uint64_t>(x));
    } else {
      t.add_int32_data(static_cast<int32_t>(x));
    }
  }
  return t;
}

std::optional<std::vector<int64_t>> BroadcastShapes(const std::vector<int64_t>& a,
                                                    const std::vector<int64_t>& b) {
  const size_t rank = std::max(a.size(), b.size());
  std::vector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i + a.size() >= rank ? a[i + a.size() - rank] : 1;
    const int64_t db = i + b.size() >= rank ? b[i + b.size() - rank] : 1;
    if (da != db && da != 1 && db != 1) return std::nullopt;
    out[i] = std::max(da, db);
  }
  return out;
}

std::optional<std::vector<int64_t>> KnownShape(const onnx::TypeProto& type) {
  if (!type.has_tensor_type() || !type.tensor_type().has_shape()) return std::nullopt;
  std::vector<int64_t> dims;
  for (const onnx::TensorShapeProto::Dimension& d : type.tensor_type().shape().dim()) {
    if (!d.has_dim_value()) return std::nullopt;
    dims.push_back(d.dim_value());
  }
  return dims;
}

bool FoldContext::Present(size_t i) const {
  return i < static_cast<size_t>(node.input_size()) && !node.input(static_cast<int>(i)).empty();
}

namespace {

const onnx::AttributeProto* FindAttribute(const onnx::NodeProto& node, std::string_view name) {
  for (const onnx::AttributeProto& a : node.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

int64_t IntAttribute(const onnx::NodeProto& node, std::string_view name, int64_t fallback) {
  const onnx::AttributeProto* a = FindAttribute(node, name);
  return a != nullptr ? a->i() : fallback;
}

std::optional<std::vector<int64_t>> IntsAttribute(const onnx::NodeProto& node,
                                                  std::string_view name) {
  const onnx::AttributeProto* a = FindAttribute(node, name);
  if (a == nullptr) return std::nullopt;
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

// Axis in [0, rank) from a possibly negative one, or nullopt when out of range.
std::optional<int64_t> NormalizeAxis(int64_t axis, int64_t rank) {
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return std::nullopt;
  return axis;
}

// Flat index into `in` (broadcast to `out`) of the flat output index `flat`.
size_t BroadcastIndex(size_t flat, const std::vector<int64_t>& out,
                      const std::vector<int64_t>& in) {
  size_t index = 0, stride = 1;
  for (size_t i = out.size(); i-- > 0;) {
    const size_t coord = flat % static_cast<size_t>(out[i]);
    flat /= static_cast<size_t>(out[i]);
    const size_t j = i + in.size();
    if (j < out.size()) continue;
    const int64_t extent = in[j - out.size()];
    if (extent != 1) index += coord * stride;
    stride *= static_cast<size_t>(extent);
  }
  return index;
}

// Element-wise over broadcast inputs; `f` maps doubles (or int64s) to the output.
std::optional<ConstantValue> Elementwise(const std::vector<const ConstantValue*>& in, bool float_out, bool bool_out,
                   const std::function<double(const std::vector<double>&)>& ff,
                   const std::function<std::optional<int64_t>(const std::vector<int64_t>&)>& fi) {
  std::vector<int64_t> dims;
  for (const ConstantValue* v : in) {
    if (v == nullptr) return std::nullopt;
    auto b = BroadcastShapes(dims, v->dims);
    if (!b) return std::nullopt;
    dims = *b;
  }
  const int64_t n = ConstantElementCount(dims);
  if (n > kMaxFoldedElements) return std::nullopt;
  ConstantValue out;
  out.dims = dims;
  out.floating = float_out;
  out.type = bool_out ? onnx::TensorProto::BOOL : in[0]->type;
  for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
    if (float_out || (bool_out && std::any_of(in.begin(), in.end(),
                                              [](const ConstantValue* v) { return v->floating; }))) {
      std::vector<double> args;
      for (const ConstantValue* v : in) args.push_back(v->At(BroadcastIndex(i, dims, v->dims)));
      const double r = ff(args);
      if (float_out) {
        out.floats.push_back(r);
      } else {
        out.ints.push_back(static_cast<int64_t>(r));
      }
    } else {
      std::vector<int64_t> args;
      for (const ConstantValue* v : in) args.push_back(v->ints[BroadcastIndex(i, dims, v->dims)]);
      const std::optional<int64_t> r = fi(args);
      if (!r) return std::nullopt;
      out.ints.push_back(*r);
    }
  }
  return out;
}

bool AnyFloat(const FoldContext& c) {
  return std::any_of(c.inputs.begin(), c.inputs.end(),
                     [](const ConstantValue* v) { return v != nullptr && v->floating; });
}

std::optional<ConstantValue> Arithmetic(const FoldContext& c) {
  const std::string& op = c.node.op_type();
  std::vector<const ConstantValue*> in(c.inputs.begin(), c.inputs.end());
  if (in.empty()) return std::nullopt;
  const bool floating = AnyFloat(c);
  auto ff = [&op](const std::vector<double>& a) -> double {
    if (op == "Add") return a[0] + a[1];
    if (op == "Sub") return a[0] - a[1];
    if (op == "Mul") return a[0] * a[1];
    if (op == "Div") return a[0] / a[1];
    if (op == "Pow") return std::pow(a[0], a[1]);
    if (op == "Mod") return std::fmod(a[0], a[1]);
    if (op == "Min") return *std::min_element(a.begin(), a.end());
    if (op == "Max") return *std::max_element(a.begin(), a.end());
    if (op == "Neg") return -a[0];
    if (op == "Abs") return std::fabs(a[0]);
    if (op == "Floor") return std::floor(a[0]);
    if (op == "Ceil") return std::ceil(a[0]);
    if (op == "Sqrt") return std::sqrt(a[0]);
    if (op == "Reciprocal") return 1.0 / a[0];
    return 0;
  };
  const bool fmod = IntAttribute(c.node, "fmod", 0) != 0;
  auto fi = [&op, fmod](const std::vector<int64_t>& a) -> std::optional<int64_t> {
    if (op == "Add") return checked::TryAdd(a[0], a[1]);
    if (op == "Sub") return checked::TrySub(a[0], a[1]);
    if (op == "Mul") return checked::TryMul(a[0], a[1]);
    int64_t r = 0;
    if (op == "Div" || op == "Mod") {
      if (a[1] == 0) return std::nullopt;
      if (op == "Div") return a[0] / a[1];
      r = a[0] % a[1];
      if (!fmod && r != 0 && ((r < 0) != (a[1] < 0))) r += a[1];  // sign of the divisor
      return r;
    }
    if (op == "Min") return *std::min_element(a.begin(), a.end());
    if (op == "Max") return *std::max_element(a.begin(), a.end());
    if (op == "Neg") return -a[0];
    if (op == "Abs") return a[0] < 0 ? -a[0] : a[0];
    if (op == "Floor" || op == "Ceil") return a[0];
    return std::nullopt;
  };
  return Elementwise(in, floating, false, ff, fi);
}

std::optional<ConstantValue> Comparison(const FoldContext& c) {
  const std::string& op = c.node.op_type();
  auto ff = [&op](const std::vector<double>& a) -> double {
    if (op == "Equal") return a[0] == a[1];
    if (op == "Less") return a[0] < a[1];
    if (op == "Greater") return a[0] > a[1];
    if (op == "LessOrEqual") return a[0] <= a[1];
    if (op == "GreaterOrEqual") return a[0] >= a[1];
    if (op == "And") return a[0] != 0 && a[1] != 0;
    if (op == "Or") return a[0] != 0 || a[1] != 0;
    if (op == "Xor") return (a[0] != 0) != (a[1] != 0);
    if (op == "Not") return a[0] == 0;
    return 0;
  };
  auto fi = [&ff](const std::vector<int64_t>& a) -> std::optional<int64_t> {
    std::vector<double> d(a.begin(), a.end());
    return static_cast<int64_t>(ff(d));
  };
  std::vector<const ConstantValue*> in(c.inputs.begin(), c.inputs.end());
  return Elementwise(in, false, true, ff, fi);
}

std::optional<ConstantValue> Where(const FoldContext& c) {
  if (c.In(0) == nullptr || c.In(1) == nullptr || c.In(2) == nullptr) return std::nullopt;
  const bool floating = c.In(1)->floating || c.In(2)->floating;
  std::optional<ConstantValue> out = Elementwise(
      {c.In(0), c.In(1), c.In(2)}, floating, false,
      [](const std::vector<double>& a) { return a[0] != 0 ? a[1] : a[2]; },
      [](const std::vector<int64_t>& a) -> std::optional<int64_t> {
        return a[0] != 0 ? a[1] : a[2];
      });
  if (out) out->type = c.In(1)->type;
  return out;
}

std::optional<ConstantValue> Cast(const FoldContext& c) {
  const ConstantValue* in = c.In(0);
  if (in == nullptr) return std::nullopt;
  const int32_t to = static_cast<int32_t>(IntAttribute(c.node, "to", 0));
  ConstantValue out;
  out.dims = in->dims;
  out.type = to;
  if (IsFloatType(to)) {
    out.floating = true;
    for (size_t i = 0; i < in->size(); ++i) out.floats.push_back(in->At(i));
  } else if (IsIntType(to)) {
    for (size_t i = 0; i < in->size(); ++i) {
      out.ints.push_back(to == onnx::TensorProto::BOOL ? in->At(i) != 0 : in->IntAt(i));
    }
  } else {
    return std::nullopt;
  }
  return out;
}

std::optional<ConstantValue> ShapeOf(const FoldContext& c) {
  if (c.shapes.empty() || c.shapes[0] == nullptr) return std::nullopt;
  const std::vector<int64_t>& shape = *c.shapes[0];
  const int64_t rank = static_cast<int64_t>(shape.size());
  if (c.node.op_type() == "Size") return IntValue({}, {ConstantElementCount(shape)});
  int64_t start = IntAttribute(c.node, "start", 0);
  int64_t end = IntAttribute(c.node, "end", rank);
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, start, rank);
  std::vector<int64_t> dims(shape.begin() + start, shape.begin() + end);
  const int64_t n = static_cast<int64_t>(dims.size());
  return IntValue({n}, dims);
}

// Values of an optional int list given as attribute (old opsets) or as input `index`.
std::optional<std::vector<int64_t>> IntsFrom(const FoldContext& c, std::string_view attribute,
                                             size_t index, bool* present) {
  if (auto attr = IntsAttribute(c.node, attribute)) {
    *present = true;
    return attr;
  }
  *present = c.Present(index);
  if (!*present) return std::vector<int64_t>();
  const ConstantValue* v = c.In(index);
  if (v == nullptr || v->floating) return std::nullopt;
  return v->ints;
}

std::optional<ConstantValue> Unsqueeze(const FoldContext& c) {
  const ConstantValue* in = c.In(0);
  bool present = false;
  auto axes = IntsFrom(c, "axes", 1, &present);
  if (in == nullptr || !axes) return std::nullopt;
  const int64_t rank = static_cast<int64_t>(in->dims.size() + axes->size());
  std::vector<bool> inserted(static_cast<size_t>(rank), false);
  for (int64_t a : *axes) {
    auto axis = NormalizeAxis(a, rank);
    if (!axis || inserted[static_cast<size_t>(*axis)]) return std::nullopt;
    inserted[static_cast<size_t>(*axis)] = true;
  }
  ConstantValue out = *in;
  out.dims.clear();
  size_t next = 0;
  for (int64_t i = 0; i < rank; ++i) {
    out.dims.push_back(inserted[static_cast<size_t>(i)] ? 1 : in->dims[next++]);
  }
  return out;
}

std::optional<ConstantValue> Squeeze(const FoldContext& c) {
  const ConstantValue* in = c.In(0);
  bool present = false;
  auto axes = IntsFrom(c, "axes", 1, &present);
  if (in == nullptr || !axes) return std::nullopt;
  const int64_t rank = static_cast<int64_t>(in->dims.size());
  std::vector<bool> drop(static_cast<size_t>(rank), false);
  for (int64_t a : *axes) {
    auto axis = NormalizeAxis(a, rank);
    if (!axis || in->dims[static_cast<size_t>(*axis)] != 1) return std::nullopt;
    drop[static_cast<size_t>(*axis)] = true;
  }
  ConstantValue out = *in;
  out.dims.clear();
  for (int64_t i = 0; i < rank; ++i) {
    const int64_t d = in->dims[static_cast<size_t>(i)];
    if (!(present ? drop[static_cast<size_t>(i)] : d == 1)) out.dims.push_back(d);
  }
  return out;
}

// Row-major strides of a shape.
std::vector<int64_t> Strides(const std::vector<int64_t>& dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (size_t i = dims.size(); i-- > 1;) s[i - 1] = s[i] * dims[i];
  return s;
}

// Copies element `from` of `in` to the end of `out`.
void PushElement(const ConstantValue& in, size_t from, ConstantValue* out) {
  if (in.floating) {
    out->floats.push_back(in.floats[from]);
  } else {
    out->ints.push_back(in.ints[from]);
  }
}

std::optional<ConstantValue> Gather(const FoldContext& c) {
  const ConstantValue* data = c.In(0);
  const ConstantValue* indices = c.In(1);
  if (data == nullptr || indices == nullptr || indices->floating || data->dims.empty()) {
    return std::nullopt;
  }
  const int64_t rank = static_cast<int64_t>(data->dims.size());
  auto axis = NormalizeAxis(IntAttribute(c.node, "axis", 0), rank);
  if (!axis) return std::nullopt;
  const size_t ax = static_cast<size_t>(*axis);
  ConstantValue out;
  out.type = data->type;
  out.floating = data->floating;
  out.dims.assign(data->dims.begin(), data->dims.begin() + *axis);
  out.dims.insert(out.dims.end(), indices->dims.begin(), indices->dims.end());
  out.dims.insert(out.dims.end(), data->dims.begin() + *axis + 1, data->dims.end());
  if (ConstantElementCount(out.dims) > kMaxFoldedElements) return std::nullopt;
  const std::vector<int64_t> strides = Strides(data->dims);
  int64_t outer = 1;
  for (size_t i = 0; i < ax; ++i) outer *= data->dims[i];
  const int64_t extent = data->dims[ax];
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t index : indices->ints) {
      if (index < 0) index += extent;
      if (index < 0 || index >= extent) return std::nullopt;
      const int64_t base = o * extent * strides[ax] + index * strides[ax];
      for (int64_t inner = 0; inner < strides[ax]; ++inner) {
        PushElement(*data, static_cast<size_t>(base + inner), &out);
      }
    }
  }
  return out;
}

std::optional<ConstantValue> Concat(const FoldContext& c) {
  if (c.inputs.empty()) return std::nullopt;
  for (const ConstantValue* v : c.inputs) {
    if (v == nullptr || v->dims.size() != c.inputs[0]->dims.size()) return std::nullopt;
  }
  const int64_t rank = static_cast<int64_t>(c.inputs[0]->dims.size());
  auto axis = NormalizeAxis(IntAttribute(c.node, "axis", 0), rank);
  if (!axis) return std::nullopt;
  const size_t ax = static_cast<size_t>(*axis);
  ConstantValue out;
  out.type = c.inputs[0]->type;
  out.floating = AnyFloat(c);
  out.dims = c.inputs[0]->dims;
  out.dims[ax] = 0;
  for (const ConstantValue* v : c.inputs) out.dims[ax] += v->dims[ax];
  if (ConstantElementCount(out.dims) > kMaxFoldedElements) return std::nullopt;
  int64_t outer = 1;
  for (size_t i = 0; i < ax; ++i) outer *= out.dims[i];
  for (int64_t o = 0; o < outer; ++o) {
    for (const ConstantValue* v : c.inputs) {
      const int64_t block = Strides(v->dims)[ax] * v->dims[ax];
      for (int64_t i = 0; i < block; ++i) {
        const size_t from = static_cast<size_t>(o * block + i);
        if (out.floating) {
          out.floats.push_back(v->At(from));
        } else {
          out.ints.push_back(v->ints[from]);
        }
      }
    }
  }
  return out;
}

std::optional<ConstantValue> Slice(const FoldContext& c) {
  const ConstantValue* data = c.In(0);
  if (data == nullptr) return std::nullopt;
  bool present = false;
  auto starts = IntsFrom(c, "starts", 1, &present);
  auto ends = IntsFrom(c, "ends", 2, &present);
  auto axes = IntsFrom(c, "axes", 3, &present);
  if (!starts || !ends || !axes || starts->size() != ends->size()) return std::nullopt;
  std::optional<std::vector<int64_t>> steps = std::vector<int64_t>(starts->size(), 1);
  if (c.opset >= 10 && c.Present(4)) {
    if (c.In(4) == nullptr || c.In(4)->floating) return std::nullopt;
    steps = c.In(4)->ints;
  }
  if (!present) {
    axes->clear();
    for (size_t i = 0; i < starts->size(); ++i) axes->push_back(static_cast<int64_t>(i));
  }
  const int64_t rank = static_cast<int64_t>(data->dims.size());
  if (axes->size() != starts->size() || steps->size() != starts->size()) return std::nullopt;
  std::vector<int64_t> begin(static_cast<size_t>(rank), 0), step(static_cast<size_t>(rank), 1);
  std::vector<int64_t> count = data->dims;
  for (size_t i = 0; i < axes->size(); ++i) {
    auto axis = NormalizeAxis((*axes)[i], rank);
    if (!axis || (*steps)[i] == 0) return std::nullopt;
    const size_t a = static_cast<size_t>(*axis);
    const int64_t dim = data->dims[a], s = (*steps)[i];
    int64_t b = (*starts)[i], e = (*ends)[i];
    if (b < 0) b += dim;
    if (e < 0) e += dim;
    if (s > 0) {
      b = std::clamp<int64_t>(b, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      count[a] = e > b ? (e - b + s - 1) / s : 0;
    } else {
      b = std::clamp<int64_t>(b, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      count[a] = b > e ? (b - e - s - 1) / -s : 0;
    }
    begin[a] = b;
    step[a] = s;
  }
  ConstantValue out;
  out.type = data->type;
  out.floating = data->floating;
  out.dims = count;
  const int64_t n = ConstantElementCount(count);
  if (n > kMaxFoldedElements) return std::nullopt;
  const std::vector<int64_t> strides = Strides(data->dims);
  for (int64_t flat = 0; flat < n; ++flat) {
    int64_t rest = flat, from = 0;
    for (size_t i = count.size(); i-- > 0;) {
      const int64_t coord = rest % count[i];
      rest /= count[i];
      from += (begin[i] + coord * step[i]) * strides[i];
    }
    PushElement(*data, static_cast<size_t>(from), &out);
  }
  return out;
}

std::optional<ConstantValue> Range(const FoldContext& c) {
  const ConstantValue* start = c.In(0);
  const ConstantValue* limit = c.In(1);
  const ConstantValue* delta = c.In(2);
  if (start == nullptr || limit == nullptr || delta == nullptr) return std::nullopt;
  if (start->size() != 1 || limit->size() != 1 || delta->size() != 1 || delta->At(0) == 0) {
    return std::nullopt;
  }
  const double n = std::max(0.0, std::ceil((limit->At(0) - start->At(0)) / delta->At(0)));
  if (n > static_cast<double>(kMaxFoldedElements)) return std::nullopt;
  ConstantValue out;
  out.type = start->type;
  out.floating = start->floating;
  out.dims = {static_cast<int64_t>(n)};
  for (int64_t i = 0; i < static_cast<int64_t>(n); ++i) {
    if (out.floating) {
      out.floats.push_back(start->At(0) + static_cast<double>(i) * delta->At(0));
    } else {
      out.ints.push_back(start->ints[0] + i * delta->ints[0]);
    }
  }
  return out;
}

// Reshape's target: 0 copies the input dim (unless allowzero), -1 takes what is left.
std::optional<std::vector<int64_t>> ReshapeTarget(const std::vector<int64_t>& in,
                                                  const std::vector<int64_t>& target,
                                                  bool allow_zero) {
  std::vector<int64_t> out = target;
  int64_t known = 1;
  int infer = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == 0 && !allow_zero) {
      if (i >= in.size()) return std::nullopt;
      out[i] = in[i];
    }
    if (out[i] == -1) {
      if (infer >= 0) return std::nullopt;
      infer = static_cast<int>(i);
    } else if (out[i] < 0) {
      return std::nullopt;
    } else {
      known *= out[i];
    }
  }
  const int64_t total = ConstantElementCount(in);
  if (infer >= 0) {
    if (known == 0 || total % known != 0) return std::nullopt;
    out[static_cast<size_t>(infer)] = total / known;
  } else if (known != total) {
    return std::nullopt;
  }
  return out;
}

std::optional<ConstantValue> Reshape(const FoldContext& c) {
  const ConstantValue* data = c.In(0);
  const ConstantValue* shape = c.In(1);
  if (data == nullptr || shape == nullptr || shape->floating) return std::nullopt;
  auto dims = ReshapeTarget(data->dims, shape->ints, IntAttribute(c.node, "allowzero", 0) != 0);
  if (!dims) return std::nullopt;
  ConstantValue out = *data;
  out.dims = *dims;
  return out;
}

std::optional<ConstantValue> ConstantOfShape(const FoldContext& c) {
  const ConstantValue* shape = c.In(0);
  if (shape == nullptr || shape->floating || ConstantElementCount(shape->ints) > kMaxFoldedElements) {
    return std::nullopt;
  }
  ConstantValue fill;
  fill.type = onnx::TensorProto::FLOAT;
  fill.floating = true;
  fill.floats = {0.0};
  if (const onnx::AttributeProto* a = FindAttribute(c.node, "value")) {
    auto v = ConstantFromTensor(a->t());
    if (!v || v->size() != 1) return std::nullopt;
    fill = *v;
  }
  ConstantValue out = fill;
  out.dims = shape->ints;
  out.ints.assign(fill.floating ? 0 : static_cast<size_t>(ConstantElementCount(shape->ints)),
                  fill.floating ? 0 : fill.ints[0]);
  out.floats.assign(fill.floating ? static_cast<size_t>(ConstantElementCount(shape->ints)) : 0,
                    fill.floating ? fill.floats[0] : 0.0);
  return out;
}

std::optional<ConstantValue> Expand(const FoldContext& c) {
  const ConstantValue* data = c.In(0);
  const ConstantValue* shape = c.In(1);
  if (data == nullptr || shape == nullptr || shape->floating) return std::nullopt;
  auto dims = BroadcastShapes(data->dims, shape->ints);
  if (!dims || ConstantElementCount(*dims) > kMaxFoldedElements) return std::nullopt;
  ConstantValue out;
  out.type = data->type;
  out.floating = data->floating;
  out.dims = *dims;
  for (size_t i = 0; i < static_cast<size_t>(ConstantElementCount(*dims)); ++i) {
    PushElement(*data, BroadcastIndex(i, *dims, data->dims), &out);
  }
  return out;
}

std::optional<ConstantValue> Transpose(const FoldContext& c) {
  const ConstantValue* in = c.In(0);
  if (in == nullptr) return std::nullopt;
  const size_t rank = in->dims.size();
  std::vector<int64_t> perm(rank);
  for (size_t i = 0; i < rank; ++i) perm[i] = static_cast<int64_t>(rank - 1 - i);
  if (auto attr = IntsAttribute(c.node, "perm")) perm = *attr;
  if (perm.size() != rank) return std::nullopt;
  ConstantValue out;
  out.type = in->type;
  out.floating = in->floating;
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(rank)) return std::nullopt;
    out.dims.push_back(in->dims[static_cast<size_t>(p)]);
  }
  const std::vector<int64_t> in_strides = Strides(in->dims);
  const int64_t n = ConstantElementCount(out.dims);
  for (int64_t flat = 0; flat < n; ++flat) {
    int64_t rest = flat, from = 0;
    for (size_t i = rank; i-- > 0;) {
      from += (rest % out.dims[i]) * in_strides[static_cast<size_t>(perm[i])];
      rest /= out.dims[i];
    }
    PushElement(*in, static_cast<size_t>(from), &out);
  }
  return out;
}

// ReduceProd/Sum/Min/Max over a tensor of rank <= 1 (the only case shape code uses).
std::optional<ConstantValue> Reduce(const FoldContext& c) {
  const ConstantValue* in = c.In(0);
  if (in == nullptr || in->dims.size() > 1) return std::nullopt;
  const std::string& op = c.node.op_type();
  double acc = op == "ReduceProd" ? 1 : 0;
  for (size_t i = 0; i < in->size(); ++i) {
    const double x = in->At(i);
    if (op == "ReduceProd") acc *= x;
    if (op == "ReduceSum") acc += x;
    if (op == "ReduceMin") acc = i == 0 ? x : std::min(acc, x);
    if (op == "ReduceMax") acc = i == 0 ? x : std::max(acc, x);
  }
  ConstantValue out;
  out.type = in->type;
  out.floating = in->floating;
  if (IntAttribute(c.node, "keepdims", 1) != 0 && !in->dims.empty()) out.dims = {1};
  if (out.floating) {
    out.floats = {acc};
  } else {
    out.ints = {static_cast<int64_t>(acc)};
  }
  return out;
}

std::optional<ConstantValue> Identity(const FoldContext& c) {
  if (c.In(0) == nullptr) return std::nullopt;
  return *c.In(0);
}

std::optional<ConstantValue> ConstantNode(const FoldContext& c) {
  for (const onnx::AttributeProto& a : c.node.attribute()) {
    if (a.name() == "value") return ConstantFromTensor(a.t());
    if (a.name() == "value_int") return IntValue({}, {a.i()});
    if (a.name() == "value_ints") {
      return IntValue({a.ints_size()}, std::vector<int64_t>(a.ints().begin(), a.ints().end()));
    }
    if (a.name() == "value_float" || a.name() == "value_floats") {
      ConstantValue v;
      v.type = onnx::TensorProto::FLOAT;
      v.floating = true;
      if (a.name() == "value_float") {
        v.floats = {a.f()};
      } else {
        v.dims = {a.floats_size()};
        v.floats.assign(a.floats().begin(), a.floats().end());
      }
      return v;
    }
  }
  return std::nullopt;
}

}  // namespace

ConstantEvaluator FindConstantEvaluator(std::string_view op_type) {
  static const auto* table = new std::unordered_map<std::string_view, ConstantEvaluator>{
      {"Constant", ConstantNode}, {"Identity", Identity},   {"Shape", ShapeOf},
      {"Size", ShapeOf},          {"Gather", Gather},       {"Unsqueeze", Unsqueeze},
      {"Squeeze", Squeeze},       {"Concat", Concat},       {"Slice", Slice},
      {"Cast", Cast},             {"Range", Range},         {"Reshape", Reshape},
      {"ConstantOfShape", ConstantOfShape},                 {"Expand", Expand},
      {"Transpose", Transpose},
      {"Where", Where},           {"Add", Arithmetic},      {"Sub", Arithmetic},
      {"Mul", Arithmetic},        {"Div", Arithmetic},      {"Mod", Arithmetic},
      {"Pow", Arithmetic},        {"Min", Arithmetic},      {"Max", Arithmetic},
      {"Neg", Arithmetic},        {"Abs", Arithmetic},      {"Floor", Arithmetic},
      {"Ceil", Arithmetic},       {"Sqrt", Arithmetic},     {"Reciprocal", Arithmetic},
      {"Equal", Comparison},      {"Less", Comparison},     {"Greater", Comparison},
      {"LessOrEqual", Comparison}, {"GreaterOrEqual", Comparison}, {"And", Comparison},
      {"Or", Comparison},         {"Xor", Comparison},      {"Not", Comparison},
      {"ReduceProd", Reduce},     {"ReduceSum", Reduce},    {"ReduceMin", Reduce},
      {"ReduceMax", Reduce},
  };
  const auto it = table->find(op_type);
  return it == table->end() ? nullptr : it->second;
}

}  // namespace cadenza
