#include "search/templates.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <optional>
#include <sstream>
#include <string_view>
#include <unordered_map>

#include "analyzer/diagnostics.h"
#include "analyzer/error.h"
#include "analyzer/input_file.h"

namespace cadenza {

// ---------------------------------------------------------------------------------------------
// Expressions

bool TemplateExpr::Push(Instr instr) {
  if (size_ == kCapacity) return false;
  program_[static_cast<size_t>(size_++)] = instr;
  return true;
}

bool TemplateExpr::Uses(int index) const {
  for (int i = 0; i < size_; ++i) {
    const Instr& in = program_[static_cast<size_t>(i)];
    if (in.op == Op::kParam && in.value == index) return true;
  }
  return false;
}

bool TemplateExpr::Evaluate(const ExprContext& c, int64_t* value) const {
  // Left uninitialised: every slot is written before it is read (reads are below `top`), and
  // instantiation evaluates tens of expressions per candidate.
  std::array<int64_t, kCapacity> stack;
  int top = 0;
  for (int i = 0; i < size_; ++i) {
    const Instr& in = program_[static_cast<size_t>(i)];
    int64_t v = 0;
    switch (in.op) {
      case Op::kLiteral: v = in.value; break;
      case Op::kParam: v = (*c.params)[static_cast<size_t>(in.value)]; break;
      case Op::kPes: v = c.num_pes; break;
      case Op::kSize: v = c.shape->size[static_cast<Dim>(in.value)]; break;
      case Op::kOut:
        v = static_cast<Dim>(in.value) == Dim::kY ? OutputRows(*c.shape) : OutputCols(*c.shape);
        break;
      case Op::kStride:
        v = static_cast<Dim>(in.value) == Dim::kY ? c.shape->stride_y : c.shape->stride_x;
        break;
      case Op::kDilation:
        v = static_cast<Dim>(in.value) == Dim::kY ? c.shape->dilation_y : c.shape->dilation_x;
        break;
      case Op::kWindow: {
        const bool rows = static_cast<Dim>(in.value) == Dim::kY;
        const int64_t taps = c.shape->size[rows ? Dim::kR : Dim::kS];
        const int64_t dilation = rows ? c.shape->dilation_y : c.shape->dilation_x;
        if (__builtin_mul_overflow(taps - 1, dilation, &v) || __builtin_add_overflow(v, 1, &v)) {
          return false;
        }
        break;
      }
      case Op::kAdd:
      case Op::kSub:
      case Op::kMul:
      case Op::kDiv: {
        if (top < 2) return false;
        const int64_t b = stack[static_cast<size_t>(--top)];
        const int64_t a = stack[static_cast<size_t>(--top)];
        bool overflow = false;
        if (in.op == Op::kAdd) overflow = __builtin_add_overflow(a, b, &v);
        if (in.op == Op::kSub) overflow = __builtin_sub_overflow(a, b, &v);
        if (in.op == Op::kMul) overflow = __builtin_mul_overflow(a, b, &v);
        if (in.op == Op::kDiv) {
          // INT64_MIN / -1 overflows (and traps on x86) like a division by zero.
          if (b == 0 || (b == -1 && a == std::numeric_limits<int64_t>::min())) return false;
          v = a / b;
        }
        if (overflow) return false;
        break;
      }
    }
    stack[static_cast<size_t>(top++)] = v;
  }
  if (top != 1) return false;
  *value = stack[0];
  return true;
}

// ---------------------------------------------------------------------------------------------
// Divisors. An expression may be any 64-bit number, so trial division up to its square root
// (3e9 steps for a large prime) is too slow: numbers are factored by Pollard's rho with a
// deterministic Miller-Rabin test, and the divisors built from the prime factors.

namespace {

__extension__ using Uint128 = unsigned __int128;

uint64_t MulMod(uint64_t a, uint64_t b, uint64_t m) {
  return static_cast<uint64_t>(static_cast<Uint128>(a) * b % m);
}

uint64_t PowMod(uint64_t base, uint64_t exponent, uint64_t m) {
  uint64_t result = 1;
  base %= m;
  for (; exponent > 0; exponent >>= 1) {
    if (exponent & 1) result = MulMod(result, base, m);
    base = MulMod(base, base, m);
  }
  return result;
}

// Exact for every 64-bit n with these bases.
bool IsPrime(uint64_t n) {
  constexpr uint64_t kBases[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
  if (n < 2) return false;
  for (uint64_t p : kBases) {
    if (n % p == 0) return n == p;
  }
  uint64_t d = n - 1;
  int twos = 0;
  for (; (d & 1) == 0; d >>= 1) ++twos;
  for (uint64_t a : kBases) {
    uint64_t x = PowMod(a, d, n);
    if (x == 1 || x == n - 1) continue;
    bool composite = true;
    for (int r = 1; r < twos && composite; ++r) {
      x = MulMod(x, x, n);
      composite = x != n - 1;
    }
    if (composite) return false;
  }
  return true;
}

// A factor 1 < f < n of a composite n that has no prime factor below 1000.
uint64_t RhoFactor(uint64_t n) {
  for (uint64_t c = 1;; ++c) {
    auto next = [n, c](uint64_t v) { return (MulMod(v, v, n) + c) % n; };
    uint64_t x = 2, y = 2, d = 1;
    while (d == 1) {
      x = next(x);
      y = next(next(y));
      d = std::gcd(x > y ? x - y : y - x, n);
    }
    if (d != n) return d;
  }
}

void AppendPrimeFactors(uint64_t n, std::vector<uint64_t>* primes) {
  if (n == 1) return;
  if (IsPrime(n)) {
    primes->push_back(n);
    return;
  }
  const uint64_t f = RhoFactor(n);
  AppendPrimeFactors(f, primes);
  AppendPrimeFactors(n / f, primes);
}

// Every divisor of n >= 1, ascending (at most 103,680 for a 64-bit n).
std::vector<int64_t> Divisors(int64_t n) {
  std::vector<uint64_t> primes;
  auto m = static_cast<uint64_t>(n);
  for (uint64_t p = 2; p < 1000 && p * p <= m; ++p) {
    for (; m % p == 0; m /= p) primes.push_back(p);
  }
  AppendPrimeFactors(m, &primes);
  std::sort(primes.begin(), primes.end());
  std::vector<int64_t> divisors = {1};
  for (size_t i = 0; i < primes.size();) {
    size_t j = i;
    while (j < primes.size() && primes[j] == primes[i]) ++j;
    const size_t before = divisors.size();
    int64_t power = 1;
    for (size_t k = i; k < j; ++k) {
      power *= static_cast<int64_t>(primes[i]);
      for (size_t d = 0; d < before; ++d) divisors.push_back(divisors[d] * power);
    }
    i = j;
  }
  std::sort(divisors.begin(), divisors.end());
  return divisors;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Parameters, instantiation

std::vector<int64_t> TemplateParam::Values(const ExprContext& c, size_t limit) const {
  std::vector<int64_t> arg(args.size());
  for (size_t i = 0; i < args.size(); ++i) {
    if (!args[i].Evaluate(c, &arg[i])) return {};
  }
  int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  if (has_max && !max.Evaluate(c, &hi)) return {};
  if (has_min && !min.Evaluate(c, &lo)) return {};
  lo = std::max<int64_t>(lo, 1);  // sizes, offsets and cluster sizes are >= 1
  std::vector<int64_t> out;
  auto add = [&](int64_t v) {
    if (v >= lo && v <= hi && out.size() < limit) out.push_back(v);
  };
  switch (domain) {
    case Domain::kDivisors:
      if (arg[0] < 1) break;
      for (int64_t d : Divisors(arg[0])) {
        if (d > hi || out.size() >= limit) break;
        add(d);
      }
      break;
    case Domain::kPowersOfTwo:
      for (int64_t v = 1; v > 0 && v <= arg[1]; v *= 2) {
        if (v >= arg[0]) add(v);
        if (v > std::numeric_limits<int64_t>::max() / 2) break;
      }
      break;
    case Domain::kRange: {
      const int64_t step = arg.size() > 2 ? arg[2] : 1;
      if (step < 1) return {};
      // Start at the first value >= lo, so that a high `min` does not walk up from a low start.
      __extension__ using Int128 = __int128;
      const Int128 first =
          arg[0] >= lo ? arg[0] : arg[0] + (Int128{lo} - arg[0] + step - 1) / step * step;
      if (first > arg[1]) break;
      for (auto v = static_cast<int64_t>(first); v <= arg[1] && v <= hi && out.size() < limit;
           v += step) {
        add(v);
        if (v > std::numeric_limits<int64_t>::max() - step) break;
      }
      break;
    }
    case Domain::kTiles:
      // Every power of two below E, then E itself: a tile of a whole dimension, and the
      // power-of-two tiles of it whether or not they divide it (the last step is partial).
      for (int64_t v = 1; v > 0 && v < arg[0]; v *= 2) {
        add(v);
        if (v > std::numeric_limits<int64_t>::max() / 2) break;
      }
      // A dimension the layer does not have (size 0, e.g. N of a MAESTRO layer that declares
      // no batch) has the one tile 1; Instantiate leaves out its batch directive.
      add(std::max<int64_t>(arg[0], 1));
      break;
    case Domain::kValues:
      for (int64_t v : arg) add(v);
      std::sort(out.begin(), out.end());
      out.erase(std::unique(out.begin(), out.end()), out.end());
      break;
  }
  return out;
}

bool DataflowTemplate::AppliesTo(OpKind kind) const {
  for (OpKind k : kinds) {
    if (k == kind) return true;
    // A transposed convolution is modelled exactly like a convolution.
    if (k == OpKind::kConv && kind == OpKind::kTransposedConv) return true;
  }
  return false;
}

bool DataflowTemplate::Instantiate(const ExprContext& c, Mapping* out) const {
  *out = Mapping{};
  for (const TemplateDirective& td : directives) {
    // The batch is optional in a convolution (a MAESTRO layer may declare no N): a template's
    // batch tile then has nothing to tile, and a directive on N would name a dimension no
    // tensor has. GEMM's N is a matrix dimension every GEMM has.
    if (td.kind != DirectiveKind::kCluster && td.dim == Dim::kN &&
        c.shape->size[Dim::kN] == 0 && c.shape->size[Dim::kM] == 0) {
      continue;
    }
    Directive d{.kind = td.kind, .dim = td.dim, .output_coord = td.output_coord};
    if (!td.size.Evaluate(c, &d.size) || d.size < 1) return false;
    if (td.kind != DirectiveKind::kCluster && (!td.offset.Evaluate(c, &d.offset) || d.offset < 1)) {
      return false;
    }
    if (out->size() == Mapping::kCapacity) return false;
    out->Add(d);
  }
  return true;
}

std::vector<NamedParam> DataflowTemplate::Named(const ParamValues& values) const {
  std::vector<NamedParam> named;
  for (size_t i = 0; i < params.size(); ++i) named.push_back({params[i].name, values[i]});
  return named;
}

// ---------------------------------------------------------------------------------------------
// The template file parser

namespace {

// The functions of the layer's shape an expression may call, by name.
std::optional<TemplateExpr::Op> ShapeFunction(std::string_view name) {
  if (name == "Sz") return TemplateExpr::Op::kSize;
  if (name == "Out") return TemplateExpr::Op::kOut;
  if (name == "Stride") return TemplateExpr::Op::kStride;
  if (name == "Dilation") return TemplateExpr::Op::kDilation;
  if (name == "Window") return TemplateExpr::Op::kWindow;
  return std::nullopt;
}

struct Token {
  enum Kind { kIdent, kNumber, kString, kPunct, kEnd } kind = kEnd;
  std::string text;
  size_t offset = 0;  // of its first byte in the file
  int line = 1;
};

class Parser {
 public:
  Parser(std::string_view text, const std::string& path) : text_(text), path_(path) { Lex(); }

  bool AtEnd() const { return Peek().kind == Token::kEnd; }
  DataflowTemplate ParseTemplate();

 private:
  [[noreturn]] void Fail(const Token& at, const std::string& message) const {
    throw InputError(LocatedMessage(path_, text_, at.offset, message));
  }

  void Lex() {
    int line = 1;
    size_t i = 0;
    auto advance = [&](size_t n) {
      for (size_t k = 0; k < n && i < text_.size(); ++k, ++i) {
        if (text_[i] == '\n') ++line;
      }
    };
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") advance(3);
    while (i < text_.size()) {
      const char ch = text_[i];
      if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
        advance(1);
        continue;
      }
      if (text_.substr(i, 2) == "//" || ch == '#') {
        while (i < text_.size() && text_[i] != '\n') advance(1);
        continue;
      }
      Token t;
      t.line = line;
      t.offset = i;
      const size_t start = i;
      if (std::isalpha(static_cast<unsigned char>(ch)) || ch == '_') {
        while (i < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[i])) || text_[i] == '_')) advance(1);
        if (i < text_.size() && text_[i] == '\'') advance(1);  // Y', X'
        t.kind = Token::kIdent;
        t.text = std::string(text_.substr(start, i - start));
      } else if (std::isdigit(static_cast<unsigned char>(ch))) {
        while (i < text_.size() && std::isdigit(static_cast<unsigned char>(text_[i]))) advance(1);
        t.kind = Token::kNumber;
        t.text = std::string(text_.substr(start, i - start));
      } else if (ch == '"') {
        advance(1);
        while (i < text_.size() && text_[i] != '"' && text_[i] != '\n') advance(1);
        if (i >= text_.size() || text_[i] != '"') Fail(t, "unterminated string");
        t.kind = Token::kString;
        t.text = std::string(text_.substr(start + 1, i - start - 1));
        advance(1);
      } else if (std::string_view("{}(),;:+-*/").find(ch) != std::string_view::npos) {
        t.kind = Token::kPunct;
        t.text = std::string(1, ch);
        advance(1);
      } else {
        Fail(t, std::string("unexpected character '") +
                    (std::isprint(static_cast<unsigned char>(ch)) ? std::string(1, ch)
                                                                  : std::string("\\x?")) + "'");
      }
      tokens_.push_back(std::move(t));
    }
    Token end;
    end.line = line;
    end.offset = text_.size();
    tokens_.push_back(end);
  }

  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& Next() {
    const Token& t = Peek();
    if (pos_ < tokens_.size() - 1) ++pos_;
    return t;
  }
  bool Accept(std::string_view text) {
    if (Peek().kind != Token::kString && Peek().text == text) {
      Next();
      return true;
    }
    return false;
  }
  void Expect(std::string_view text) {
    if (!Accept(text)) {
      Fail(Peek(), "expected '" + std::string(text) + "' but found " + Describe(Peek()));
    }
  }
  static std::string Describe(const Token& t) {
    if (t.kind == Token::kEnd) return "the end of the file";
    if (t.kind == Token::kString) return "a string";
    return "'" + t.text + "'";
  }
  const Token& ExpectIdent(const std::string& what) {
    if (Peek().kind != Token::kIdent) Fail(Peek(), "expected " + what + " but found " + Describe(Peek()));
    return Next();
  }

  Dim ExpectDim(bool allow_prime, bool* primed) {
    const Token& t = ExpectIdent("a dimension (N K C Y X R S M G)");
    std::string name = t.text;
    *primed = !name.empty() && name.back() == '\'';
    if (*primed) name.pop_back();
    const std::optional<Dim> d = DimFromName(name);
    if (!d || (*primed && (!allow_prime || (*d != Dim::kY && *d != Dim::kX)))) {
      static constexpr std::string_view kNames[] = {"N", "K", "C", "Y", "X", "R", "S", "M", "G", "Y'", "X'"};
      Fail(t, "unknown dimension '" + t.text + "'" + DidYouMean(t.text, kNames));
    }
    return *d;
  }

  // expr := term (('+'|'-') term)* ; term := factor (('*'|'/') factor)*
  void ParseExpr(TemplateExpr* e, const std::vector<std::string>& params, size_t start) {
    ParseTerm(e, params);
    while (Peek().kind == Token::kPunct && (Peek().text == "+" || Peek().text == "-")) {
      const bool add = Next().text == "+";
      ParseTerm(e, params);
      Emit(e, {add ? TemplateExpr::Op::kAdd : TemplateExpr::Op::kSub, 0});
    }
    e->text = Span(start);
  }
  void ParseTerm(TemplateExpr* e, const std::vector<std::string>& params) {
    ParseFactor(e, params);
    while (Peek().kind == Token::kPunct && (Peek().text == "*" || Peek().text == "/")) {
      const bool mul = Next().text == "*";
      ParseFactor(e, params);
      Emit(e, {mul ? TemplateExpr::Op::kMul : TemplateExpr::Op::kDiv, 0});
    }
  }
  void ParseFactor(TemplateExpr* e, const std::vector<std::string>& params) {
    const Token& t = Peek();
    if (t.kind == Token::kNumber) {
      Next();
      int64_t v = 0;
      for (char ch : t.text) {
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, ch - '0', &v)) {
          Fail(t, "number too large");
        }
      }
      Emit(e, {TemplateExpr::Op::kLiteral, v});
      return;
    }
    if (Accept("(")) {
      // Every level recurses; a bound keeps the stack small (no expression needs many).
      if (++depth_ > kMaxNesting) {
        Fail(t, "parentheses nested more than " + std::to_string(kMaxNesting) + " deep");
      }
      ParseSub(e, params);
      Expect(")");
      --depth_;
      return;
    }
    if (t.kind != Token::kIdent) Fail(t, "expected a number, a parameter, PEs, Sz(D), Out(D), Stride(D), Dilation(D) or Window(D) but found " + Describe(t));
    Next();
    if (t.text == "PEs") {
      Emit(e, {TemplateExpr::Op::kPes, 0});
      return;
    }
    if (const std::optional<TemplateExpr::Op> op = ShapeFunction(t.text)) {
      Expect("(");
      const Token& dt = Peek();
      bool primed = false;
      const Dim d = ExpectDim(false, &primed);
      if (*op != TemplateExpr::Op::kSize && d != Dim::kY && d != Dim::kX) {
        Fail(dt, t.text + "() takes Y or X");
      }
      Expect(")");
      Emit(e, {*op, static_cast<int64_t>(d)});
      return;
    }
    for (size_t i = 0; i < params.size(); ++i) {
      if (params[i] == t.text) {
        Emit(e, {TemplateExpr::Op::kParam, static_cast<int64_t>(i)});
        return;
      }
    }
    std::vector<std::string_view> known(params.begin(), params.end());
    known.push_back("PEs");
    known.push_back("Sz");
    Fail(t, "unknown name '" + t.text + "' (not a parameter declared before this point)" +
                DidYouMean(t.text, known));
  }
  void ParseSub(TemplateExpr* e, const std::vector<std::string>& params) {
    // A parenthesised sub-expression: same grammar, no text capture.
    ParseTerm(e, params);
    while (Peek().kind == Token::kPunct && (Peek().text == "+" || Peek().text == "-")) {
      const bool add = Next().text == "+";
      ParseTerm(e, params);
      Emit(e, {add ? TemplateExpr::Op::kAdd : TemplateExpr::Op::kSub, 0});
    }
  }
  void Emit(TemplateExpr* e, TemplateExpr::Instr instr) {
    if (!e->Push(instr)) Fail(Peek(), "expression too long");
  }
  std::string Span(size_t start_token) const {
    std::string s;
    for (size_t i = start_token; i < pos_; ++i) s += tokens_[i].text;
    return s;
  }

  TemplateExpr Expr(const std::vector<std::string>& params) {
    TemplateExpr e;
    const size_t start = pos_;
    ParseExpr(&e, params, start);
    return e;
  }

  static constexpr int kMaxNesting = TemplateExpr::kCapacity;

  std::string_view text_;
  std::string path_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
};

constexpr std::string_view kItemKeywords[] = {"Description", "Kinds", "Param", "Dataflow"};
constexpr std::string_view kDirectiveKeywords[] = {"SpatialMap", "TemporalMap", "Cluster"};
constexpr std::string_view kDomainKeywords[] = {"divisors", "pow2", "range", "values", "tiles"};
constexpr std::string_view kKindNames[] = {"CONV", "DSCONV", "GEMM", "NGCONV", "TRCONV"};
constexpr OpKind kKinds[] = {OpKind::kConv, OpKind::kDepthwiseConv, OpKind::kGemm,
                             OpKind::kGroupedConv, OpKind::kTransposedConv};

DataflowTemplate Parser::ParseTemplate() {
  DataflowTemplate t;
  const Token& kw = Peek();
  if (!Accept("Template")) {
    static constexpr std::string_view kTop[] = {"Template"};
    Fail(kw, "expected 'Template' but found " + Describe(kw) +
                 (kw.kind == Token::kIdent ? DidYouMean(kw.text, kTop) : ""));
  }
  t.source = path_ + ":" + std::to_string(kw.line);
  t.name = ExpectIdent("a template name").text;
  Expect("{");
  std::vector<std::string> names;
  bool has_dataflow = false;
  while (!Accept("}")) {
    const Token& item = Peek();
    if (item.kind == Token::kEnd) Fail(item, "the template '" + t.name + "' is not closed with '}'");
    if (Accept("Description")) {
      Accept(":");
      if (Peek().kind != Token::kString) Fail(Peek(), "expected a quoted description");
      t.description = Next().text;
      Accept(";");
    } else if (Accept("Kinds")) {
      Accept(":");
      // A keyword ends the list: a missing ';' must not make "Param" a layer kind.
      while (Peek().kind == Token::kIdent &&
             std::find(std::begin(kItemKeywords), std::end(kItemKeywords), Peek().text) ==
                 std::end(kItemKeywords)) {
        const Token& k = Next();
        const auto it = std::find(std::begin(kKindNames), std::end(kKindNames), k.text);
        if (it == std::end(kKindNames)) Fail(k, "unknown layer kind '" + k.text + "'" + DidYouMean(k.text, kKindNames));
        t.kinds.push_back(kKinds[it - std::begin(kKindNames)]);
      }
      if (t.kinds.empty()) Fail(item, "Kinds needs at least one layer kind");
      if (Peek().kind == Token::kIdent) {
        Fail(Peek(), "expected ';' after the layer kinds but found " + Describe(Peek()));
      }
      Accept(";");
    } else if (Accept("Param")) {
      const Token& n = ExpectIdent("a parameter name");
      if (std::find(names.begin(), names.end(), n.text) != names.end()) Fail(n, "parameter '" + n.text + "' is declared twice");
      if (n.text == "PEs" || ShapeFunction(n.text)) Fail(n, "'" + n.text + "' is a reserved name");
      if (names.size() == kMaxWrittenTemplateParams) Fail(n, "a template has at most " + std::to_string(kMaxWrittenTemplateParams) + " parameters");
      TemplateParam p;
      p.name = n.text;
      Accept(":");
      const Token& d = ExpectIdent("a domain: divisors(E), pow2(LO, HI), range(LO, HI[, STEP]), values(...) or tiles(E)");
      const auto it = std::find(std::begin(kDomainKeywords), std::end(kDomainKeywords), d.text);
      if (it == std::end(kDomainKeywords)) Fail(d, "unknown domain '" + d.text + "'" + DidYouMean(d.text, kDomainKeywords));
      p.domain = static_cast<TemplateParam::Domain>(it - std::begin(kDomainKeywords));
      Expect("(");
      p.args.push_back(Expr(names));
      while (Accept(",")) p.args.push_back(Expr(names));
      Expect(")");
      const bool one_arg = p.domain == TemplateParam::Domain::kDivisors || p.domain == TemplateParam::Domain::kTiles;
      const size_t want_min = one_arg || p.domain == TemplateParam::Domain::kValues ? 1 : 2;
      const size_t want_max = one_arg ? 1 : p.domain == TemplateParam::Domain::kPowersOfTwo ? 2 : p.domain == TemplateParam::Domain::kRange ? 3 : 64;
      if (p.args.size() < want_min || p.args.size() > want_max) Fail(d, "wrong number of arguments for " + d.text + "()");
      while (Peek().text == "max" || Peek().text == "min") {
        const bool is_max = Next().text == "max";
        (is_max ? p.has_max : p.has_min) = true;
        (is_max ? p.max : p.min) = Expr(names);
      }
      Expect(";");
      names.push_back(p.name);
      t.params.push_back(std::move(p));
    } else if (Accept("Dataflow")) {
      if (has_dataflow) Fail(item, "a template has one Dataflow block");
      has_dataflow = true;
      Expect("{");
      while (!Accept("}")) {
        const Token& dk = Peek();
        if (dk.kind == Token::kEnd) Fail(dk, "the Dataflow block is not closed with '}'");
        TemplateDirective td;
        if (Accept("Cluster")) {
          td.kind = DirectiveKind::kCluster;
          Expect("(");
          td.size = Expr(names);
          if (Accept(",")) ExpectIdent("P or L");
          Expect(")");
        } else if (Peek().text == "SpatialMap" || Peek().text == "TemporalMap") {
          td.kind = Next().text == "SpatialMap" ? DirectiveKind::kSpatialMap : DirectiveKind::kTemporalMap;
          Expect("(");
          td.size = Expr(names);
          Expect(",");
          td.offset = Expr(names);
          Expect(")");
          td.dim = ExpectDim(true, &td.output_coord);
        } else {
          Fail(dk, "expected SpatialMap, TemporalMap or Cluster but found " + Describe(dk) +
                       (dk.kind == Token::kIdent ? DidYouMean(dk.text, kDirectiveKeywords) : ""));
        }
        Expect(";");
        t.directives.push_back(std::move(td));
      }
      if (t.directives.empty()) Fail(item, "the Dataflow block is empty");
      if (t.directives.size() > static_cast<size_t>(Mapping::kCapacity)) Fail(item, "too many directives");
    } else {
      Fail(item, "expected Description, Kinds, Param, Dataflow or '}' but found " + Describe(item) +
                     (item.kind == Token::kIdent ? DidYouMean(item.text, kItemKeywords) : ""));
    }
  }
  if (t.kinds.empty()) Fail(kw, "template '" + t.name + "' has no Kinds line");
  if (!has_dataflow) Fail(kw, "template '" + t.name + "' has no Dataflow block");
  return t;
}

}  // namespace

DataflowTemplate GroupedForm(const DataflowTemplate& conv_form) {
  CADENZA_CHECK(conv_form.params.size() < static_cast<size_t>(kMaxTemplateParams));
  DataflowTemplate grouped = conv_form;
  grouped.kinds = {OpKind::kGroupedConv};
  grouped.description += " (grouped convolutions: the same inside each group, TG groups at a time)";
  grouped.source += " (its grouped form)";
  const int64_t index = static_cast<int64_t>(grouped.params.size());
  TemplateParam group_tile;
  group_tile.name = "TG";
  group_tile.domain = TemplateParam::Domain::kTiles;
  TemplateExpr groups;
  groups.Push({TemplateExpr::Op::kSize, static_cast<int64_t>(Dim::kG)});
  groups.text = "Sz(G)";
  group_tile.args.push_back(groups);
  group_tile.has_max = true;
  group_tile.max.Push({TemplateExpr::Op::kLiteral, kMaxGroupTile});
  group_tile.max.text = std::to_string(kMaxGroupTile);
  grouped.params.push_back(group_tile);
  TemplateDirective by_group;
  by_group.kind = DirectiveKind::kTemporalMap;
  by_group.dim = Dim::kG;
  by_group.size.Push({TemplateExpr::Op::kParam, index});
  by_group.size.text = "TG";
  by_group.offset = by_group.size;
  grouped.directives.insert(grouped.directives.begin(), by_group);
  return grouped;
}

TemplateLibrary TemplateLibrary::Parse(std::string_view text, const std::string& path) {
  Parser parser(text, path);
  TemplateLibrary library;
  while (!parser.AtEnd()) library.templates_.push_back(parser.ParseTemplate());
  if (library.templates_.empty()) {
    throw InputError(path + ": no templates in the file");
  }
  // Each family's grouped form follows its last form, so the search's order stays the file's.
  std::vector<DataflowTemplate> with_grouped;
  const std::vector<DataflowTemplate>& forms = library.templates_;
  for (size_t i = 0; i < forms.size(); ++i) {
    with_grouped.push_back(forms[i]);
    const std::string& family = forms[i].name;
    const bool last_of_family =
        std::none_of(forms.begin() + static_cast<std::ptrdiff_t>(i) + 1, forms.end(),
                     [&](const DataflowTemplate& t) { return t.name == family; });
    if (!last_of_family) continue;
    auto form_for = [&](OpKind kind) {
      return std::find_if(forms.begin(), forms.end(), [&](const DataflowTemplate& t) {
        return t.name == family && t.AppliesTo(kind);
      });
    };
    const auto conv = form_for(OpKind::kConv);
    if (conv == forms.end() || form_for(OpKind::kGroupedConv) != forms.end()) continue;
    with_grouped.push_back(GroupedForm(*conv));
  }
  library.templates_ = std::move(with_grouped);
  return library;
}

TemplateLibrary TemplateLibrary::Read(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw InputError(path + ": a directory, not a template file");
  }
  return Parse(ReadInputFile(path), path);
}

const TemplateLibrary& TemplateLibrary::Builtin() {
  static const TemplateLibrary library = Parse(BuiltinText(), "<built-in templates>");
  return library;
}

void TemplateLibrary::Append(const TemplateLibrary& other) {
  // A family's forms come from one library: a template named like an existing family would
  // silently join it (and change its baseline), which no user means by adding a template.
  for (const DataflowTemplate& t : other.templates_) {
    const auto same = std::find_if(templates_.begin(), templates_.end(),
                                   [&](const DataflowTemplate& e) { return e.name == t.name; });
    if (same != templates_.end()) {
      throw InputError(t.source + ": template '" + t.name + "': a family of that name is already "
                       "defined (" + same->source + "); give the template its own name");
    }
  }
  templates_.insert(templates_.end(), other.templates_.begin(), other.templates_.end());
}

std::vector<std::string> TemplateLibrary::Families() const {
  std::vector<std::string> names;
  for (const DataflowTemplate& t : templates_) {
    if (std::find(names.begin(), names.end(), t.name) == names.end()) names.push_back(t.name);
  }
  return names;
}

}  // namespace cadenza
