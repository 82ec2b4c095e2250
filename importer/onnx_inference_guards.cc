// ONNX 1.12's shape inference made safe and complete for the ops that need it
// (onnx_inference_guards.h).

#include "importer/onnx_inference_guards.h"

#include <cctype>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>
#include <onnx/defs/schema.h>
#include <onnx/defs/shape_inference.h>
#include <onnx/onnx_pb.h>

#include "importer/onnx_constant_eval.h"

namespace cadenza {

namespace {

// ONNX 1.12's inference functions trust operands and attributes that a model may get wrong,
// and then index past the end of arrays or divide by zero: convTransposeShapeInference reads a
// kernel extent per spatial axis of the input from a weight of lower rank (segfault), and
// convPoolShapeInference divides by a stride of 0 (SIGFPE). The registry given to InferShapes
// wraps the inference of such ops with the checks they lack; a failed check is an ordinary
// node-level inference error (the node's output shape stays unknown, and the importer reports
// the node).
std::string Listed(const google::protobuf::RepeatedField<int64_t>& values) {
  std::string text = "[";
  for (int i = 0; i < values.size(); ++i) text += (i ? ", " : "") + std::to_string(values[i]);
  return text + "]";
}

// Per-axis attributes of convolutions and pooling: positive (pads: not negative), and one per
// spatial axis of the input (pads: two) when the input's rank is known.
void CheckAxisAttributes(const onnx::InferenceContext& ctx) {
  const int rank = onnx::hasInputShape(ctx, 0)
                       ? ctx.getInputType(0)->tensor_type().shape().dim_size()
                       : -1;
  for (const char* name : {"kernel_shape", "strides", "dilations", "pads", "output_padding"}) {
    const onnx::AttributeProto* a = ctx.getAttribute(name);
    if (a == nullptr) continue;
    const bool pads = std::string_view(name) == "pads";
    const bool may_be_zero = pads || std::string_view(name) == "output_padding";
    for (int64_t v : a->ints()) {
      if (v < (may_be_zero ? 0 : 1)) {
        fail_shape_inference(name, " ", Listed(a->ints()), " must be >= ", may_be_zero ? 0 : 1);
      }
    }
    if (rank >= 2 && a->ints_size() != (pads ? 2 : 1) * (rank - 2)) {
      fail_shape_inference(name, " ", Listed(a->ints()), " has ", a->ints_size(),
                           " entries for an input of rank ", rank);
    }
  }
}

// A convolution's input and weight (at `x` and `w`) have the same rank, at least 3.
void CheckConvRanks(const onnx::InferenceContext& ctx, size_t x, size_t w) {
  CheckAxisAttributes(ctx);
  if (!onnx::hasInputShape(ctx, x) || !onnx::hasInputShape(ctx, w)) return;
  const int x_rank = ctx.getInputType(x)->tensor_type().shape().dim_size();
  const int w_rank = ctx.getInputType(w)->tensor_type().shape().dim_size();
  if (x_rank < 3) {
    fail_shape_inference("input has rank ", x_rank, "; a convolution needs at least 3");
  }
  if (w_rank != x_rank) {
    fail_shape_inference("weight has rank ", w_rank, " but input has rank ", x_rank);
  }
}

// Gemm's A and B are matrices: ONNX 1.12 reads a B of lower rank's extents past its end
// (segfault).
void CheckGemmRanks(const onnx::InferenceContext& ctx) {
  for (size_t i = 0; i < 2; ++i) {
    if (!onnx::hasInputShape(ctx, i)) continue;
    const int rank = ctx.getInputType(i)->tensor_type().shape().dim_size();
    if (rank != 2) {
      fail_shape_inference(i == 0 ? "A" : "B", " has rank ", rank, "; a Gemm needs matrices");
    }
  }
}

// Einsum's output extents (ONNX 1.12 infers only its rank, and every node after an Einsum
// loses its shape): each output subscript takes its extent from the operands (numpy
// broadcasting of 1s), the ellipsis the broadcast of the operands' ellipsis dims; an implicit
// output is the ellipsis, then the subscripts used once, in alphabetical order. Any operand
// shape not fully known, or an equation that does not fit the shapes, leaves the output as
// ONNX left it.
std::optional<std::vector<int64_t>> EinsumOutputShape(std::string equation,
                                                      const std::vector<std::vector<int64_t>>& in) {
  equation.erase(std::remove(equation.begin(), equation.end(), ' '), equation.end());
  const size_t arrow = equation.find("->");
  const std::string lhs = equation.substr(0, arrow);
  std::vector<std::string> terms;
  for (size_t start = 0;;) {
    const size_t comma = lhs.find(',', start);
    terms.push_back(lhs.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (terms.size() != in.size()) return std::nullopt;
  // A term with "..." replaced by '.', checked to use letters only.
  auto normalize = [](std::string term) -> std::optional<std::string> {
    const size_t dots = term.find("...");
    if (dots != std::string::npos) term.replace(dots, 3, ".");
    for (char c : term) {
      if (c != '.' && !std::isalpha(static_cast<unsigned char>(c))) return std::nullopt;
    }
    if (std::count(term.begin(), term.end(), '.') > 1) return std::nullopt;
    return term;
  };
  std::unordered_map<char, int64_t> extents;
  std::unordered_map<char, int> uses;
  std::vector<int64_t> ellipsis;
  bool any_ellipsis = false;
  for (size_t t = 0; t < terms.size(); ++t) {
    const std::optional<std::string> term = normalize(terms[t]);
    if (!term) return std::nullopt;
    const bool has_ellipsis = term->find('.') != std::string::npos;
    const size_t named = term->size() - (has_ellipsis ? 1 : 0);
    const std::vector<int64_t>& shape = in[t];
    if (shape.size() < named || (!has_ellipsis && shape.size() != named)) return std::nullopt;
    size_t dim = 0;
    for (char c : *term) {
      if (c == '.') {
        const size_t rank = shape.size() - named;
        const std::vector<int64_t> mine(shape.begin() + static_cast<std::ptrdiff_t>(dim),
                                        shape.begin() + static_cast<std::ptrdiff_t>(dim + rank));
        auto merged = BroadcastShapes(ellipsis, mine);
        if (!merged) return std::nullopt;
        ellipsis = *merged;
        any_ellipsis = true;
        dim += rank;
        continue;
      }
      const int64_t extent = shape[dim++];
      ++uses[c];
      auto [it, inserted] = extents.try_emplace(c, extent);
      if (inserted || it->second == extent) continue;
      if (it->second != 1 && extent != 1) return std::nullopt;
      it->second = std::max(it->second, extent);
    }
  }
  std::string out;
  if (arrow != std::string::npos) {
    const std::optional<std::string> term = normalize(equation.substr(arrow + 2));
    if (!term) return std::nullopt;
    out = *term;
  } else {
    if (any_ellipsis) out = ".";
    std::vector<char> once;
    for (auto [c, n] : uses) {
      if (n == 1) once.push_back(c);
    }
    std::sort(once.begin(), once.end());
    out.append(once.begin(), once.end());
  }
  std::vector<int64_t> dims;
  for (char c : out) {
    if (c == '.') {
      dims.insert(dims.end(), ellipsis.begin(), ellipsis.end());
      continue;
    }
    auto it = extents.find(c);
    if (it == extents.end()) return std::nullopt;
    dims.push_back(it->second);
  }
  return dims;
}

// Runs after ONNX's own Einsum inference: fills in the output extents it leaves open. Also
// when that inference failed: ONNX 1.12 rejects ellipsis dims that broadcast ([3, 1] against
// [4]), which numpy and the operator definition allow. Returns whether it set the shape.
bool CompleteEinsum(onnx::InferenceContext& ctx) {
  const onnx::AttributeProto* equation = ctx.getAttribute("equation");
  if (equation == nullptr || ctx.getNumOutputs() < 1 || ctx.getNumInputs() < 1) return false;
  std::vector<std::vector<int64_t>> shapes;
  for (size_t i = 0; i < ctx.getNumInputs(); ++i) {
    const onnx::TypeProto* type = ctx.getInputType(i);
    std::optional<std::vector<int64_t>> known =
        type != nullptr ? KnownShape(*type) : std::nullopt;
    if (!known) return false;
    shapes.push_back(std::move(*known));
  }
  const std::optional<std::vector<int64_t>> dims = EinsumOutputShape(equation->s(), shapes);
  if (!dims) return false;
  onnx::TypeProto_Tensor* out = ctx.getOutputType(0)->mutable_tensor_type();
  if (out->has_shape() && out->shape().dim_size() != static_cast<int>(dims->size())) return false;
  if (out->elem_type() == onnx::TensorProto::UNDEFINED) {
    out->set_elem_type(ctx.getInputType(0)->tensor_type().elem_type());
  }
  out->mutable_shape()->clear_dim();
  for (int64_t d : *dims) out->mutable_shape()->add_dim()->set_dim_value(d);
  return true;
}

using Guard = void (*)(const onnx::InferenceContext&);
using Completer = bool (*)(onnx::InferenceContext&);

Completer FindCompleter(const std::string& op_type) {
  return op_type == "Einsum" ? CompleteEinsum : nullptr;
}

Guard FindGuard(const std::string& op_type) {
  static const std::unordered_map<std::string_view, Guard> kGuards = {
      {"Conv", [](const onnx::InferenceContext& c) { CheckConvRanks(c, 0, 1); }},
      {"ConvInteger", [](const onnx::InferenceContext& c) { CheckConvRanks(c, 0, 1); }},
      {"ConvTranspose", [](const onnx::InferenceContext& c) { CheckConvRanks(c, 0, 1); }},
      {"QLinearConv", [](const onnx::InferenceContext& c) { CheckConvRanks(c, 0, 3); }},
      {"AveragePool", CheckAxisAttributes},
      {"MaxPool", CheckAxisAttributes},
      {"LpPool", CheckAxisAttributes},
      {"Gemm", CheckGemmRanks},
  };
  const auto it = kGuards.find(op_type);
  return it == kGuards.end() ? nullptr : it->second;
}

class GuardedRegistry final : public onnx::ISchemaRegistry {
 public:
  const onnx::OpSchema* GetSchema(const std::string& key, const int max_inclusive_version,
                                  const std::string& domain) const override {
    const onnx::OpSchema* schema =
        onnx::OpSchemaRegistry::Schema(key, max_inclusive_version, domain);
    const bool standard = schema != nullptr && (domain.empty() || domain == onnx::ONNX_DOMAIN);
    const Guard guard = standard ? FindGuard(key) : nullptr;
    const Completer completer = standard ? FindCompleter(key) : nullptr;
    if (guard == nullptr && completer == nullptr) return schema;
    const std::lock_guard<std::mutex> lock(mutex_);
    std::unique_ptr<onnx::OpSchema>& guarded = guarded_[schema];
    if (!guarded) {
      guarded = std::make_unique<onnx::OpSchema>(*schema);
      guarded->TypeAndShapeInferenceFunction(
          [guard, completer, original = schema->GetTypeAndShapeInferenceFunction()](
              onnx::InferenceContext& ctx) {
            if (guard != nullptr) guard(ctx);
            if (completer == nullptr) {
              if (original) original(ctx);
              return;
            }
            try {
              if (original) original(ctx);
            } catch (const onnx::InferenceError&) {
              // What the failed inference wrote so far is not to be trusted.
              ctx.getOutputType(0)->mutable_tensor_type()->clear_shape();
              if (!completer(ctx)) throw;
              return;
            }
            completer(ctx);
          });
    }
    return guarded.get();
  }

 private:
  mutable std::mutex mutex_;
  mutable std::unordered_map<const onnx::OpSchema*, std::unique_ptr<onnx::OpSchema>> guarded_;
};

}  // namespace

onnx::ISchemaRegistry* GuardedSchemaRegistry() {
  static GuardedRegistry registry;
  return &registry;
}

}  // namespace cadenza
