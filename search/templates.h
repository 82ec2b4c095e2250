#pragma once
// Dataflow templates: mappings in MAESTRO's directive language whose sizes are expressions over
// parameters (tile and cluster sizes) with per-layer domains. A template instantiated with one
// value per parameter is a concrete Mapping the analyzer evaluates.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/layer.h"
#include "analyzer/mapping.h"

namespace cadenza {

/// Parameters a written template may declare; a derived grouped form adds its group tile
/// (GroupedForm), so a candidate carries one more.
inline constexpr int kMaxWrittenTemplateParams = 6;
inline constexpr int kMaxTemplateParams = kMaxWrittenTemplateParams + 1;

/// Values a template's parameters take for one candidate, in declaration order.
using ParamValues = std::array<int64_t, kMaxTemplateParams>;

/// A template parameter's name and value, e.g. {"TK", 4}.
struct NamedParam {
  std::string name;
  int64_t value = 0;
  friend bool operator==(const NamedParam&, const NamedParam&) = default;
};

/// What an expression may refer to: the layer, the hardware and the parameters bound so far.
struct ExprContext {
  const LayerShape* shape = nullptr;
  int64_t num_pes = 1;
  const ParamValues* params = nullptr;
};

/// An integer expression: literals, parameters, `PEs`, `Sz(D)` (the layer's size of D),
/// `Out(Y)`/`Out(X)` (output rows/cols with stride), `Stride(Y)`/`Stride(X)`,
/// `Dilation(Y)`/`Dilation(X)` (distance between filter taps), `Window(Y)`/`Window(X)` (the
/// input rows/cols one output reads: (Sz(R) - 1) * Dilation(Y) + 1, Sz(R) when undilated),
/// combined with + - * / (integer division) and parentheses. Compiled to a small fixed-size
/// postfix program.
class TemplateExpr {
 public:
  enum class Op : uint8_t {
    kLiteral, kParam, kPes, kSize, kOut, kStride, kDilation, kWindow, kAdd, kSub, kMul, kDiv
  };
  struct Instr {
    Op op = Op::kLiteral;
    int64_t value = 0;  // literal, parameter index, or Dim
  };
  static constexpr int kCapacity = 32;

  /// Appends an instruction; returns false when the program is full.
  bool Push(Instr instr);
  /// Evaluates the expression. Returns false on division by zero or overflow.
  bool Evaluate(const ExprContext& context, int64_t* value) const;
  /// Whether the expression reads parameter `index`.
  bool Uses(int index) const;
  std::string text;  // as written, for messages and reports

 private:
  std::array<Instr, kCapacity> program_{};
  int size_ = 0;
};

/// How a parameter's candidate values are generated for a layer; bounds are expressions.
struct TemplateParam {
  enum class Domain : uint8_t { kDivisors, kPowersOfTwo, kRange, kValues, kTiles };
  std::string name;
  Domain domain = Domain::kValues;
  std::vector<TemplateExpr> args;  // divisors(E) | pow2(LO, HI) | range(LO, HI[, STEP]) | values(...)
                                   // | tiles(E) (powers of two below E, then E)
  bool has_max = false, has_min = false;
  TemplateExpr max, min;           // optional filters: `max E`, `min E`

  /// The parameter's values for this layer, ascending, given the earlier parameters' values in
  /// context. At most `limit` values. Empty when the domain is empty.
  std::vector<int64_t> Values(const ExprContext& context, size_t limit = 4096) const;
};

/// A directive whose size and offset are expressions.
struct TemplateDirective {
  DirectiveKind kind = DirectiveKind::kTemporalMap;
  Dim dim = Dim::kN;
  bool output_coord = false;
  TemplateExpr size, offset;
};

/// A named dataflow with parameters. Several templates may share a name (one form per layer
/// kind); the search treats a name as one dataflow family.
struct DataflowTemplate {
  std::string name;
  std::string description;
  std::vector<OpKind> kinds;  // layer kinds this form applies to
  std::vector<TemplateParam> params;
  std::vector<TemplateDirective> directives;
  std::string source;         // "file:line" where it was defined

  bool AppliesTo(OpKind kind) const;
  /// The concrete mapping for `params` on a layer. Returns false if a size or offset evaluates
  /// below 1 or overflows. A directive on N is left out for a layer without N (a convolution
  /// that declares no batch).
  bool Instantiate(const ExprContext& context, Mapping* out) const;
  /// The template's parameters with `values`, in declaration order (writers render them).
  std::vector<NamedParam> Named(const ParamValues& values) const;
};

/// The NGCONV form of a CONV form: the same dataflow inside each group, with the groups taken
/// `TG` at a time by an outermost `TemporalMap(TG,TG) G` (TG over tiles(Sz(G)), at most
/// kMaxGroupTile). A grouped convolution is G independent convolutions of K and C channels, so
/// the CONV form's directives, which name the per-group K and C, map each of them unchanged.
inline constexpr int64_t kMaxGroupTile = 4;
DataflowTemplate GroupedForm(const DataflowTemplate& conv_form);

/// A list of templates, in the order the search tries them.
class TemplateLibrary {
 public:
  /// The built-in library: NVDLA-like KC-P, Eyeriss-like YR-P, ShiDianNao-like YX-P, X-P, C-P
  /// and TPU-like weight-stationary families, each with CONV, DSCONV and GEMM forms.
  static const TemplateLibrary& Builtin();
  /// The built-in library's source text (the template file syntax; see docs/templates.md).
  static std::string_view BuiltinText();

  /// Parses a template file; `path` is used in messages. Throws InputError
  /// "path:line:col: message" with the line and a caret. A family with a CONV form and no
  /// NGCONV form gets a grouped form derived from it (GroupedForm), so that every family can map
  /// grouped convolutions.
  static TemplateLibrary Parse(std::string_view text, const std::string& path);
  /// Reads and parses a template file. Throws InputError naming `path` when it cannot be read
  /// (a directory included).
  static TemplateLibrary Read(const std::string& path);

  /// Appends `other`'s templates after this library's. Throws InputError naming the template's
  /// file and line when `other` has a family this library already has: a user's "kcp" never
  /// joins the built-in one.
  void Append(const TemplateLibrary& other);

  const std::vector<DataflowTemplate>& templates() const { return templates_; }
  /// Distinct template names, in first-appearance order.
  std::vector<std::string> Families() const;

 private:
  std::vector<DataflowTemplate> templates_;
};

}  // namespace cadenza
