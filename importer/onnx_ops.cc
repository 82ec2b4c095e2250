#include "importer/onnx_ops.h"

#include <algorithm>
#include <array>
#include <set>

#include "analyzer/error.h"
#include "importer/checked_math.h"
#include "importer/onnx_conv.h"

namespace cadenza {

bool ValueShape::Known() const {
  return has_rank && std::all_of(dims.begin(), dims.end(), [](int64_t d) { return d >= 0; });
}

std::string ValueShape::ToString() const {
  if (!has_rank) return "(unknown rank)";
  std::string out = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i > 0) out += ", ";
    if (dims[i] >= 0) {
      out += std::to_string(dims[i]);
    } else {
      out += i < symbols.size() && !symbols[i].empty() ? symbols[i] : "?";
    }
  }
  return out + "]";
}

bool NodeView::Has(std::string_view attribute) const {
  return attributes.find(std::string(attribute)) != attributes.end();
}

int64_t NodeView::Int(std::string_view attribute, int64_t fallback) const {
  auto it = attributes.find(std::string(attribute));
  return it == attributes.end() ? fallback : it->second.i;
}

std::string NodeView::Str(std::string_view attribute, std::string_view fallback) const {
  auto it = attributes.find(std::string(attribute));
  return it == attributes.end() ? std::string(fallback) : it->second.s;
}

std::vector<int64_t> NodeView::Ints(std::string_view attribute,
                                    std::vector<int64_t> fallback) const {
  auto it = attributes.find(std::string(attribute));
  return it == attributes.end() ? fallback : it->second.ints;
}

namespace {

using checked::ExtentAdd;
using checked::ExtentMul;
using checked::ExtentSub;
using checked::MacMul;

int64_t Product(const std::vector<int64_t>& v) {
  int64_t p = 1;
  for (int64_t x : v) p = MacMul(p, x);
  return p;
}

std::string Join(const std::vector<int64_t>& v, const char* sep = ", ") {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + std::to_string(v[i]);
  return out;
}

std::string Bracket(const std::vector<int64_t>& v) { return "[" + Join(v) + "]"; }

// The operand at `index` with every dim known, or UnresolvedShape naming it.
const std::vector<int64_t>& KnownOperand(const NodeView& node, size_t index, const char* role) {
  if (index >= node.inputs.size() || node.inputs[index].empty()) {
    throw InputError(std::string("the ") + role + " operand (input " + std::to_string(index) +
                     ") is missing");
  }
  const ValueShape& shape = node.input_shapes[index];
  if (!shape.Known()) {
    throw UnresolvedShape(node.inputs[index], std::string("the shape of the ") + role + " '" +
                                                  node.inputs[index] + "' is " +
                                                  shape.ToString());
  }
  for (int64_t d : shape.dims) {
    if (d == 0) {
      throw UnsupportedNode(std::string("the ") + role + " '" + node.inputs[index] +
                            "' is empty " + shape.ToString() + ": no MACs to model");
    }
  }
  return shape.dims;
}

// Per-axis attribute of a convolution, checked for length and lower bound.
std::vector<int64_t> AxisAttribute(const NodeView& node, const char* attribute, size_t axes,
                                   int64_t fallback, int64_t minimum) {
  std::vector<int64_t> v = node.Ints(attribute, std::vector<int64_t>(axes, fallback));
  if (v.size() != axes) {
    throw InputError(std::string(attribute) + " has " + std::to_string(v.size()) +
                     " entries for " + std::to_string(axes) + " spatial axes");
  }
  for (int64_t x : v) {
    if (x < minimum) {
      throw InputError(std::string(attribute) + " " + Bracket(v) + " must be >= " +
                       std::to_string(minimum));
    }
  }
  return v;
}

// Conv, ConvInteger, QLinearConv, ConvTranspose.
ExtractedNode ExtractConvLike(const NodeView& node, size_t x_index, size_t w_index,
                              bool transposed) {
  const std::vector<int64_t>& w = KnownOperand(node, w_index, "weight");
  const std::vector<int64_t>& x = KnownOperand(node, x_index, "input");
  if (x.size() < 3) {
    throw InputError("input " + Bracket(x) + " has rank " + std::to_string(x.size()) +
                     "; a convolution needs N, C and at least one spatial axis");
  }
  if (w.size() != x.size()) {
    throw InputError("weight " + Bracket(w) + " has rank " + std::to_string(w.size()) +
                     " but input " + Bracket(x) + " has rank " + std::to_string(x.size()));
  }
  const size_t axes = x.size() - 2;
  ConvGeometry g;
  g.transposed = transposed;
  g.batch = x[0];
  g.group = node.Int("group", 1);
  if (g.group < 1) throw InputError("group " + std::to_string(g.group) + " must be >= 1");
  g.input.assign(x.begin() + 2, x.end());
  g.kernel.assign(w.begin() + 2, w.end());
  if (node.Has("kernel_shape") && node.Ints("kernel_shape", {}) != g.kernel) {
    throw InputError("kernel_shape " + Bracket(node.Ints("kernel_shape", {})) +
                     " disagrees with weight " + Bracket(w));
  }
  g.strides = AxisAttribute(node, "strides", axes, 1, 1);
  g.dilations = AxisAttribute(node, "dilations", axes, 1, 1);
  const std::string groups_text = g.group == 1 ? "" : " x group " + std::to_string(g.group);
  if (transposed) {
    g.in_channels = x[1];
    if (w[0] != x[1]) {
      throw InputError("weight " + Bracket(w) + " expects " + std::to_string(w[0]) +
                       " input channels but input " + Bracket(x) + " has " +
                       std::to_string(x[1]));
    }
    g.out_channels = MacMul(w[1], g.group);
  } else {
    g.in_channels = x[1];
    g.out_channels = w[0];
    if (MacMul(w[1], g.group) != x[1]) {
      throw InputError("weight " + Bracket(w) + " expects " + std::to_string(w[1]) +
                       groups_text + " input channels but input " + Bracket(x) + " has " +
                       std::to_string(x[1]));
    }
  }
  if (g.in_channels % g.group != 0 || g.out_channels % g.group != 0) {
    throw InputError("group " + std::to_string(g.group) + " does not divide " +
                     std::to_string(g.in_channels) + " input and " +
                     std::to_string(g.out_channels) + " output channels");
  }

  // Padding: explicit, or derived from auto_pad as the ONNX operator definitions say.
  const std::string auto_pad = node.Str("auto_pad", "NOTSET");
  std::vector<int64_t> pads = AxisAttribute(node, "pads", 2 * axes, 0, 0);
  std::vector<int64_t> output_padding;
  std::vector<int64_t> out_spatial(axes);
  if (transposed) output_padding = AxisAttribute(node, "output_padding", axes, 0, 0);
  const std::vector<int64_t> output_shape_attr = node.Ints("output_shape", {});
  if (transposed && !output_shape_attr.empty() && output_shape_attr.size() != axes &&
      output_shape_attr.size() != axes + 2) {
    throw InputError("output_shape " + Bracket(output_shape_attr) + " does not have " +
                     std::to_string(axes) + " spatial entries");
  }
  for (size_t i = 0; i < axes; ++i) {
    const int64_t reach = ExtentAdd(ExtentMul(g.dilations[i], g.kernel[i] - 1), 1);
    if (!transposed) {
      if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
        const int64_t out = (g.input[i] - 1) / g.strides[i] + 1;  // ceil(input / stride)
        const int64_t total = std::max<int64_t>(
            0, ExtentSub(ExtentAdd(ExtentMul(out - 1, g.strides[i]), reach), g.input[i]));
        const int64_t small = total / 2;
        pads[i] = auto_pad == "SAME_UPPER" ? small : total - small;
        pads[i + axes] = total - pads[i];
      } else if (auto_pad == "VALID") {
        pads[i] = pads[i + axes] = 0;
      } else if (auto_pad != "NOTSET") {
        throw InputError("unknown auto_pad '" + auto_pad + "'");
      }
      continue;
    }
    // ConvTranspose: the products do not depend on the padding, only the output extent does.
    const int64_t full = ExtentAdd(
        ExtentAdd(ExtentMul(g.strides[i], g.input[i] - 1), output_padding[i]), reach);
    int64_t out = 0;
    if (!output_shape_attr.empty()) {
      out = output_shape_attr[output_shape_attr.size() - axes + i];
    } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      out = ExtentMul(g.input[i], g.strides[i]);
    } else if (auto_pad == "VALID" || auto_pad == "NOTSET") {
      if (auto_pad == "VALID") pads[i] = pads[i + axes] = 0;
      out = ExtentSub(ExtentSub(full, pads[i]), pads[i + axes]);
    } else {
      throw InputError("unknown auto_pad '" + auto_pad + "'");
    }
    if (out < 1) {
      throw InputError("output extent " + std::to_string(out) + " on spatial axis " +
                       std::to_string(i) + " is not positive");
    }
    if (!output_shape_attr.empty() || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      const int64_t total = full - out;  // both >= 1: no overflow
      const int64_t half = total / 2;
      const bool upper = auto_pad == "SAME_UPPER";
      pads[i] = upper ? half : total - half;
      pads[i + axes] = upper ? total - half : half;
    }
    out_spatial[i] = out;
  }
  if (!transposed) {
    g.pads_begin.assign(pads.begin(), pads.begin() + static_cast<std::ptrdiff_t>(axes));
    g.pads_end.assign(pads.begin() + static_cast<std::ptrdiff_t>(axes), pads.end());
    out_spatial = ConvOutputExtents(g);
  }

  ExtractedNode result;
  OnnxNodeInfo& info = result.info;
  info.input_shapes = {x, w};
  info.output_shape = {x[0], g.out_channels};
  info.output_shape.insert(info.output_shape.end(), out_spatial.begin(), out_spatial.end());
  if (node.output_shapes.size() > 0 && node.output_shapes[0].Known() &&
      node.output_shapes[0].dims != info.output_shape) {
    throw InputError("the attributes give output " + Bracket(info.output_shape) +
                     " but the model's shapes say " + node.output_shapes[0].ToString());
  }
  info.kernel = g.kernel;
  info.strides = g.strides;
  info.dilations = g.dilations;
  info.pads = pads;
  info.output_padding = output_padding;
  info.group = g.group;
  if (auto_pad != "NOTSET") info.detail = "auto_pad=" + auto_pad;
  if (axes > 2) {
    info.detail += std::string(info.detail.empty() ? "" : ", ") +
                   "leading spatial axes as instances";
  }
  info.macs = ConvMacs(g);
  result.layers = LowerConv(g, node.name, node.op_type);
  return result;
}

ExtractedNode ExtractConv(const NodeView& node) { return ExtractConvLike(node, 0, 1, false); }
ExtractedNode ExtractQLinearConv(const NodeView& node) {
  return ExtractConvLike(node, 0, 3, false);
}
ExtractedNode ExtractConvTranspose(const NodeView& node) {
  return ExtractConvLike(node, 0, 1, true);
}

Layer GemmLayer(const NodeView& node, int64_t m, int64_t n, int64_t k, int64_t instances) {
  Layer layer;
  layer.name = node.name;
  layer.op_type = node.op_type;
  layer.kind = OpKind::kGemm;
  layer.shape.size[Dim::kM] = m;
  layer.shape.size[Dim::kN] = n;
  layer.shape.size[Dim::kK] = k;
  layer.instances = instances;
  layer.exact_macs = MacMul(ExactMacs(layer.kind, layer.shape), instances);
  return layer;
}

ExtractedNode ExtractGemm(const NodeView& node) {
  const std::vector<int64_t>& a = KnownOperand(node, 0, "operand A");
  const std::vector<int64_t>& b = KnownOperand(node, 1, "operand B");
  if (a.size() != 2 || b.size() != 2) {
    throw InputError("Gemm needs 2-D operands; A is " + Bracket(a) + ", B is " + Bracket(b));
  }
  const int64_t trans_a = node.Int("transA", 0);
  const int64_t trans_b = node.Int("transB", 0);
  const int64_t m = trans_a ? a[1] : a[0];
  const int64_t k = trans_a ? a[0] : a[1];
  const int64_t k_b = trans_b ? b[1] : b[0];
  const int64_t n = trans_b ? b[0] : b[1];
  if (k != k_b) {
    throw InputError("A " + Bracket(a) + (trans_a ? " (transposed)" : "") + " has K = " +
                     std::to_string(k) + " but B " + Bracket(b) +
                     (trans_b ? " (transposed)" : "") + " has K = " + std::to_string(k_b));
  }
  ExtractedNode result;
  result.info.input_shapes = {a, b};
  result.info.output_shape = {m, n};
  result.info.detail = "transA=" + std::to_string(trans_a) + ", transB=" + std::to_string(trans_b);
  result.info.macs = MacMul(MacMul(m, n), k);
  result.layers.push_back(GemmLayer(node, m, n, k, 1));
  return result;
}

// A batched matrix product as one GEMM layer. `batch` and `b_batch` are aligned (B's extent
// per batch dim, 1 where B is broadcast). The dims along which B is broadcast fold into M: those
// rows all multiply the same B. The remaining batch becomes instances.
ExtractedNode BatchedGemm(const NodeView& node, const std::vector<int64_t>& batch,
                          const std::vector<int64_t>& b_batch, int64_t m, int64_t n, int64_t k) {
  int64_t folded = 1;
  int64_t instances = 1;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (b_batch[i] == 1) {
      folded = MacMul(folded, batch[i]);
    } else {
      instances = MacMul(instances, batch[i]);
    }
  }
  ExtractedNode result;
  if (folded > 1) result.info.detail = "batch " + std::to_string(folded) + " folded into M";
  if (instances > 1) {
    result.info.detail += std::string(result.info.detail.empty() ? "" : ", ") + "batch " +
                          std::to_string(instances) + " as instances";
  }
  result.info.macs = MacMul(MacMul(MacMul(Product(batch), m), n), k);
  result.layers.push_back(GemmLayer(node, MacMul(folded, m), n, k, instances));
  return result;
}

// Numpy broadcasting of two batch shapes, right-aligned; `b_aligned` gets B's extents.
std::vector<int64_t> BroadcastBatch(const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                                    std::vector<int64_t>* b_aligned) {
  const size_t rank = std::max(a.size(), b.size());
  std::vector<int64_t> out(rank);
  b_aligned->assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i + a.size() >= rank ? a[i + a.size() - rank] : 1;
    const int64_t db = i + b.size() >= rank ? b[i + b.size() - rank] : 1;
    if (da != db && da != 1 && db != 1) {
      throw InputError("batch dims " + Bracket(a) + " and " + Bracket(b) + " do not broadcast");
    }
    out[i] = std::max(da, db);
    (*b_aligned)[i] = db;
  }
  return out;
}

// MatMul, MatMulInteger, QLinearMatMul: numpy matmul semantics.
ExtractedNode ExtractMatMulLike(const NodeView& node, size_t a_index, size_t b_index) {
  const std::vector<int64_t>& a = KnownOperand(node, a_index, "operand A");
  const std::vector<int64_t>& b = KnownOperand(node, b_index, "operand B");
  if (a.empty() || b.empty()) {
    throw InputError("MatMul operands must have rank >= 1; A is " + Bracket(a) + ", B is " +
                     Bracket(b));
  }
  const bool a_vector = a.size() == 1;
  const bool b_vector = b.size() == 1;
  const int64_t m = a_vector ? 1 : a[a.size() - 2];
  const int64_t k = a.back();
  const int64_t k_b = b_vector ? b[0] : b[b.size() - 2];
  const int64_t n = b_vector ? 1 : b.back();
  if (k != k_b) {
    throw InputError("A " + Bracket(a) + " has K = " + std::to_string(k) + " but B " +
                     Bracket(b) + " has K = " + std::to_string(k_b));
  }
  const std::vector<int64_t> a_batch(a.begin(), a.end() - (a_vector ? 1 : 2));
  const std::vector<int64_t> b_batch(b.begin(), b.end() - (b_vector ? 1 : 2));
  std::vector<int64_t> b_aligned;
  const std::vector<int64_t> batch = BroadcastBatch(a_batch, b_batch, &b_aligned);
  ExtractedNode result = BatchedGemm(node, batch, b_aligned, m, n, k);
  result.info.input_shapes = {a, b};
  result.info.output_shape = batch;
  if (!a_vector) result.info.output_shape.push_back(m);
  if (!b_vector) result.info.output_shape.push_back(n);
  return result;
}

ExtractedNode ExtractMatMul(const NodeView& node) { return ExtractMatMulLike(node, 0, 1); }
ExtractedNode ExtractQLinearMatMul(const NodeView& node) {
  return ExtractMatMulLike(node, 0, 3);
}

// One Einsum operand: its subscripts, "." standing for the whole ellipsis.
struct EinsumTerm {
  std::string letters;   // in order, with '.' once where "..." was
  bool has_ellipsis = false;
};

EinsumTerm ParseEinsumTerm(const std::string& text, const std::string& equation) {
  EinsumTerm term;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.') {
      if (term.has_ellipsis || text.compare(i, 3, "...") != 0) {
        throw InputError("equation '" + equation + "' has a malformed ellipsis");
      }
      term.has_ellipsis = true;
      term.letters += '.';
      i += 2;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      term.letters += c;
    } else {
      throw InputError("equation '" + equation + "' has the character '" + std::string(1, c) +
                       "'");
    }
  }
  return term;
}

// Each subscript's extent in one operand, and the operand's ellipsis dims.
std::map<char, int64_t> BindEinsumTerm(const EinsumTerm& term, const std::vector<int64_t>& shape,
                                       const std::string& equation,
                                       std::vector<int64_t>* ellipsis) {
  const size_t named = term.letters.size() - (term.has_ellipsis ? 1 : 0);
  if (shape.size() < named || (!term.has_ellipsis && shape.size() != named)) {
    throw InputError("equation '" + equation + "' gives an operand " +
                     std::to_string(named) + " subscripts but its shape is " + Bracket(shape));
  }
  const size_t ellipsis_rank = shape.size() - named;
  std::map<char, int64_t> extents;
  size_t dim = 0;
  for (char c : term.letters) {
    if (c == '.') {
      ellipsis->assign(shape.begin() + static_cast<std::ptrdiff_t>(dim),
                       shape.begin() + static_cast<std::ptrdiff_t>(dim + ellipsis_rank));
      dim += ellipsis_rank;
    } else {
      extents[c] = shape[dim++];
    }
  }
  return extents;
}

// Einsum whose equation is a (batched) matrix product: two operands; every subscript is a
// batch (both inputs and the output), M (A and output), N (B and output) or K (both inputs,
// summed). Diagonals, single-operand sums and more operands are not matmuls.
ExtractedNode ExtractEinsum(const NodeView& node) {
  std::string equation;
  for (char c : node.Str("equation", "")) {
    if (c != ' ') equation += c;
  }
  const size_t arrow = equation.find("->");
  const std::string lhs = equation.substr(0, arrow);
  std::vector<std::string> operands;
  for (size_t start = 0;;) {
    const size_t comma = lhs.find(',', start);
    operands.push_back(lhs.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (operands.size() != 2 || node.inputs.size() != 2) {
    throw UnsupportedNode("Einsum '" + equation + "' has " + std::to_string(operands.size()) +
                          " operand(s); only two-operand matrix products are modelled");
  }
  const EinsumTerm a_term = ParseEinsumTerm(operands[0], equation);
  const EinsumTerm b_term = ParseEinsumTerm(operands[1], equation);
  EinsumTerm out_term;
  if (arrow != std::string::npos) {
    out_term = ParseEinsumTerm(equation.substr(arrow + 2), equation);
  } else {
    // Implicit output: the ellipsis, then the subscripts used once, alphabetically.
    std::map<char, int> uses;
    for (char c : a_term.letters + b_term.letters) {
      if (c != '.') ++uses[c];
    }
    if (a_term.has_ellipsis || b_term.has_ellipsis) out_term = {".", true};
    for (auto [c, count] : uses) {
      if (count == 1) out_term.letters += c;
    }
  }
  for (const EinsumTerm* t : std::array<const EinsumTerm*, 3>{&a_term, &b_term, &out_term}) {
    std::set<char> seen;
    for (char c : t->letters) {
      if (!seen.insert(c).second) {
        throw UnsupportedNode("Einsum '" + equation + "' repeats subscript '" +
                              std::string(1, c) + "' in one term (a diagonal), not a matmul");
      }
    }
  }
  const std::vector<int64_t>& a = KnownOperand(node, 0, "operand A");
  const std::vector<int64_t>& b = KnownOperand(node, 1, "operand B");
  std::vector<int64_t> a_ellipsis, b_ellipsis;
  const std::map<char, int64_t> a_extents = BindEinsumTerm(a_term, a, equation, &a_ellipsis);
  const std::map<char, int64_t> b_extents = BindEinsumTerm(b_term, b, equation, &b_ellipsis);
  if ((a_term.has_ellipsis || b_term.has_ellipsis) && !out_term.has_ellipsis) {
    throw UnsupportedNode("Einsum '" + equation +
                          "' sums over its ellipsis dims, not a matmul");
  }

  // Subscripts in both operands may broadcast (extent 1 in one of them), as in numpy.
  std::map<char, int64_t> extents = a_extents;
  for (auto [c, extent] : b_extents) {
    auto [it, inserted] = extents.try_emplace(c, extent);
    if (inserted || it->second == extent) continue;
    if (it->second != 1 && extent != 1) {
      throw InputError("equation '" + equation + "': subscript '" + std::string(1, c) +
                       "' is " + std::to_string(it->second) + " in A and " +
                       std::to_string(extent) + " in B");
    }
    it->second = std::max(it->second, extent);
  }
  std::vector<int64_t> batch, b_batch;
  int64_t m = 1, n = 1, k = 1;
  for (auto [c, extent] : extents) {
    const bool in_a = a_extents.count(c) > 0;
    const bool in_b = b_extents.count(c) > 0;
    const bool in_out = out_term.letters.find(c) != std::string::npos;
    if (in_a && in_b && in_out) {
      batch.push_back(extent);
      b_batch.push_back(b_extents.at(c));
    } else if (in_a && in_b) {
      k = MacMul(k, extent);
    } else if (in_out && in_a) {
      m = MacMul(m, extent);
    } else if (in_out) {
      n = MacMul(n, extent);
    } else {
      throw UnsupportedNode("Einsum '" + equation + "' sums subscript '" + std::string(1, c) +
                            "' over one operand only, not a matmul");
    }
  }
  for (char c : out_term.letters) {
    if (c != '.' && extents.count(c) == 0) {
      throw InputError("equation '" + equation + "': output subscript '" + std::string(1, c) +
                       "' is in no operand");
    }
  }
  std::vector<int64_t> b_aligned;
  const std::vector<int64_t> ellipsis = BroadcastBatch(a_ellipsis, b_ellipsis, &b_aligned);
  batch.insert(batch.begin(), ellipsis.begin(), ellipsis.end());
  b_batch.insert(b_batch.begin(), b_aligned.begin(), b_aligned.end());

  ExtractedNode result = BatchedGemm(node, batch, b_batch, m, n, k);
  result.info.input_shapes = {a, b};
  for (char c : out_term.letters) {
    if (c == '.') {
      result.info.output_shape.insert(result.info.output_shape.end(), ellipsis.begin(),
                                      ellipsis.end());
    } else {
      result.info.output_shape.push_back(extents.at(c));
    }
  }
  result.info.detail = "equation " + equation +
                       (result.info.detail.empty() ? "" : ", " + result.info.detail);
  return result;
}

// LSTM, GRU, RNN: per direction, the input projection of every time step at once (one GEMM,
// M = seq * batch: X_t does not depend on the recurrence) and the recurrent projection
// H_{t-1} * R^T, one M = batch GEMM per step (instances = seq: step t needs step t-1's output).
// GRU with linear_before_reset = 0 multiplies R_h by (r (.) H_{t-1}), which needs the step's
// reset gate first: its recurrent GEMM is two, the z/r gates then the h gate.
// Biases, peepholes and the gate non-linearities are element-wise: no MACs.
ExtractedNode ExtractRecurrent(const NodeView& node) {
  const int64_t gates = node.op_type == "LSTM" ? 4 : node.op_type == "GRU" ? 3 : 1;
  const std::vector<int64_t>& x = KnownOperand(node, 0, "input X");
  const std::vector<int64_t>& w = KnownOperand(node, 1, "weight W");
  const std::vector<int64_t>& r = KnownOperand(node, 2, "recurrence weight R");
  if (x.size() != 3 || w.size() != 3 || r.size() != 3) {
    throw InputError("X " + Bracket(x) + ", W " + Bracket(w) + " and R " + Bracket(r) +
                     " must all have rank 3");
  }
  const int64_t layout = node.Int("layout", 0);
  if (layout != 0 && layout != 1) {
    throw InputError("layout " + std::to_string(layout) + " must be 0 or 1");
  }
  const int64_t seq = layout == 0 ? x[0] : x[1];
  const int64_t batch = layout == 0 ? x[1] : x[0];
  const int64_t input = x[2];
  const std::string direction = node.Str("direction", "forward");
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional") {
    throw InputError("unknown direction '" + direction + "'");
  }
  const int64_t directions = direction == "bidirectional" ? 2 : 1;
  const int64_t hidden = r[2];
  if (node.Has("hidden_size") && node.Int("hidden_size", 0) != hidden) {
    throw InputError("hidden_size " + std::to_string(node.Int("hidden_size", 0)) +
                     " disagrees with R " + Bracket(r));
  }
  const std::vector<int64_t> w_expected = {directions, MacMul(gates, hidden), input};
  const std::vector<int64_t> r_expected = {directions, MacMul(gates, hidden), hidden};
  if (w != w_expected || r != r_expected) {
    throw InputError(direction + " " + node.op_type + " with " + std::to_string(gates) +
                     " gate(s), input " + std::to_string(input) + " and hidden " +
                     std::to_string(hidden) + " needs W " + Bracket(w_expected) + " and R " +
                     Bracket(r_expected) + "; the model has W " + Bracket(w) + " and R " +
                     Bracket(r));
  }
  const bool split_reset = node.op_type == "GRU" && node.Int("linear_before_reset", 0) == 0;

  ExtractedNode result;
  OnnxNodeInfo& info = result.info;
  info.input_shapes = {x, w, r};
  info.output_shape = layout == 0 ? std::vector<int64_t>{seq, directions, batch, hidden}
                                  : std::vector<int64_t>{batch, seq, directions, hidden};
  info.detail = "direction=" + direction + ", seq " + std::to_string(seq) + ", batch " +
                std::to_string(batch) + ", hidden " + std::to_string(hidden) + ", " +
                std::to_string(gates) + " gate(s)";
  if (node.op_type == "GRU") {
    info.detail += split_reset ? ", linear_before_reset=0" : ", linear_before_reset=1";
  }
  if (node.inputs.size() > 4 && !node.inputs[4].empty()) {
    info.detail += ", sequence_lens ignored (full length counted)";
  }
  const int64_t gate_rows = MacMul(gates, hidden);
  info.macs = MacMul(MacMul(MacMul(MacMul(directions, seq), batch), gate_rows),
                         ExtentAdd(input, hidden));
  for (int64_t d = 0; d < directions; ++d) {
    const std::string prefix =
        node.name + "/" + (direction == "reverse" || d == 1 ? "reverse" : "forward") + "/";
    NodeView named = node;
    named.name = prefix + "input";
    result.layers.push_back(GemmLayer(named, MacMul(seq, batch), gate_rows, input, 1));
    if (split_reset) {
      named.name = prefix + "recurrent_zr";
      result.layers.push_back(GemmLayer(named, batch, 2 * hidden, hidden, seq));
      named.name = prefix + "recurrent_h";
      result.layers.push_back(GemmLayer(named, batch, hidden, hidden, seq));
    } else {
      named.name = prefix + "recurrent";
      result.layers.push_back(GemmLayer(named, batch, gate_rows, hidden, seq));
    }
  }
  return result;
}

struct OpRule {
  std::string_view op_type;
  ExtractedNode (*extract)(const NodeView&);
};

constexpr std::array<OpRule, 12> kRules = {{
    {"Conv", ExtractConv},
    {"ConvInteger", ExtractConv},
    {"QLinearConv", ExtractQLinearConv},  // x, x_scale, x_zero_point, w, ...
    {"ConvTranspose", ExtractConvTranspose},
    {"Gemm", ExtractGemm},
    {"MatMul", ExtractMatMul},
    {"MatMulInteger", ExtractMatMul},
    {"QLinearMatMul", ExtractQLinearMatMul},  // a, a_scale, a_zero_point, b, ...
    {"Einsum", ExtractEinsum},
    {"LSTM", ExtractRecurrent},
    {"GRU", ExtractRecurrent},
    {"RNN", ExtractRecurrent},
}};

const OpRule* FindRule(std::string_view op_type) {
  for (const OpRule& rule : kRules) {
    if (rule.op_type == op_type) return &rule;
  }
  return nullptr;
}

}  // namespace

bool IsMacOp(std::string_view op_type) { return FindRule(op_type) != nullptr; }

std::string_view UnsupportedMacOpReason(std::string_view op_type) {
  if (op_type == "DeformConv") return "deformable convolution is not modelled";
  return "";
}

ExtractedNode ExtractMacNode(const NodeView& node) {
  const OpRule* rule = FindRule(node.op_type);
  CADENZA_CHECK(rule != nullptr);
  ExtractedNode result = rule->extract(node);
  result.info.name = node.name;
  result.info.op_type = node.op_type;
  int64_t sum = 0;
  for (const Layer& layer : result.layers) sum += layer.exact_macs;
  CADENZA_CHECK(sum == result.info.macs);
  return result;
}

}  // namespace cadenza
