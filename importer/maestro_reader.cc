#include "importer/maestro_reader.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <utility>

#include "analyzer/diagnostics.h"
#include "analyzer/error.h"
#include "analyzer/input_file.h"
#include "importer/checked_math.h"

namespace cadenza {

namespace {

// Sizes, offsets, strides and hardware values above this are rejected: no real layer comes close,
// and the bound keeps every product the reader forms far from int64 overflow.
constexpr int64_t kMaxValue = int64_t{1} << 40;
constexpr std::string_view kMaxValueText = "2^40 = 1099511627776";

// ------------------------------------------------------------------------------------------------
// Source text and located errors

// The text of one file plus its path; formats ninja-style "path:line:col: message" errors.
class Source {
 public:
  Source(std::string_view text, const std::string& path) : text_(text), path_(path) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);  // UTF-8 byte order mark
  }

  std::string_view text() const { return text_; }
  const std::string& path() const { return path_; }

  /// Throws InputError for the character at byte `offset`: position, message, line, caret.
  [[noreturn]] void Fail(size_t offset, const std::string& message) const {
    throw InputError(LocatedMessage(path_, text_, offset, message));
  }

 private:
  std::string_view text_;
  const std::string& path_;
};

// ------------------------------------------------------------------------------------------------
// Tokens. The original tokenizer splits on space, tab, ',', '-', '>', '(', ')', ':' and ';'; we
// also split around '{' and '}' (the original needs spaces there), treat CR and other whitespace
// as space, and start a comment at any "//" (the original only at the start of a token).

enum class TokenKind : uint8_t { kWord, kOpenBrace, kCloseBrace, kEnd };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string_view text;
  size_t offset = 0;
  int line = 1;
};

bool IsSeparator(char c) {
  switch (c) {
    case ' ':
    case '\t':
    case '\r':
    case '\v':
    case '\f':
    case '\n':
    case ',':
    case '-':
    case '>':
    case '(':
    case ')':
    case ':':
    case ';':
    case '{':
    case '}': return true;
    default: return false;
  }
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
 public:
  explicit Lexer(const Source& source) : source_(source), text_(source.text()) {}

  const Token& Peek() {
    if (!peeked_) {
      peeked_ = Scan();
    }
    return *peeked_;
  }

  Token Next() {
    Token t = Peek();
    peeked_.reset();
    return t;
  }

 private:
  Token Scan() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        if (line_ < std::numeric_limits<int>::max()) ++line_;
        ++pos_;
      } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (c == '{' || c == '}') {
        Token t{c == '{' ? TokenKind::kOpenBrace : TokenKind::kCloseBrace, text_.substr(pos_, 1),
                pos_, line_};
        ++pos_;
        Remember(t);
        return t;
      } else if (c == '-' && pos_ + 1 < text_.size() && IsDigit(text_[pos_ + 1]) &&
                 (pos_ == 0 || IsSeparator(text_[pos_ - 1]))) {
        // '-' is a separator, so "-3" would silently read as 3.
        source_.Fail(pos_, "negative numbers are not allowed here");
      } else if (IsSeparator(c)) {
        ++pos_;
      } else {
        const size_t start = pos_;
        while (pos_ < text_.size() && !IsSeparator(text_[pos_]) &&
               !(text_[pos_] == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/')) {
          ++pos_;
        }
        Token t{TokenKind::kWord, text_.substr(start, pos_ - start), start, line_};
        Remember(t);
        return t;
      }
    }
    // End of input sits just after the last token, so "unterminated" errors point at real text.
    return Token{TokenKind::kEnd, {}, last_end_, last_line_};
  }

  void Remember(const Token& t) {
    last_end_ = t.offset + t.text.size();
    last_line_ = t.line;
  }

  const Source& source_;
  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  size_t last_end_ = 0;
  int last_line_ = 1;
  std::optional<Token> peeked_;
};

std::string Describe(const Token& t) {
  switch (t.kind) {
    case TokenKind::kWord: return QuoteToken(t.text);
    case TokenKind::kOpenBrace: return "'{'";
    case TokenKind::kCloseBrace: return "'}'";
    case TokenKind::kEnd: return "the end of the file";
  }
  return "?";
}

bool IsInteger(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit);
}

// The value of an all-digit word; `what` names it in the error when it exceeds kMaxValue.
int64_t ParseInteger(const Source& source, const Token& t, std::string_view what) {
  int64_t value = 0;
  for (char c : t.text) {
    value = value * 10 + (c - '0');
    if (value > kMaxValue) {
      source.Fail(t.offset, std::string(what) + " " + QuoteToken(t.text) +
                                " is too large (the limit is " + std::string(kMaxValueText) + ")");
    }
  }
  return value;
}

// ------------------------------------------------------------------------------------------------
// Keywords, for "did you mean" (analyzer/diagnostics.h).

constexpr std::array<std::string_view, 13> kKeywords = {
    "Layer",   "Network", "Type",     "Dimensions", "Dataflow",  "SpatialMap", "TemporalMap",
    "Cluster", "Stride",  "Constant", "Sz",         "Dilation", "Instances"};

bool IsKeyword(std::string_view word) {
  return std::find(kKeywords.begin(), kKeywords.end(), word) != kKeywords.end();
}

// Suggestions come from the keywords valid where the word stands, else from all keywords.
template <typename Range>
std::string KeywordHint(std::string_view word, const Range& expected) {
  std::string hint = DidYouMean(word, expected);
  return hint.empty() ? DidYouMean(word, kKeywords) : hint;
}

// ------------------------------------------------------------------------------------------------
// Dimension names of `.m` files: the nine Dims plus Y' and X' (output rows and columns).

struct DimSpelling {
  std::string_view name;
  Dim dim;
  bool output;
};
constexpr std::array<DimSpelling, 11> kDimNames = {{{"N", Dim::kN, false},
                                                    {"K", Dim::kK, false},
                                                    {"C", Dim::kC, false},
                                                    {"Y", Dim::kY, false},
                                                    {"X", Dim::kX, false},
                                                    {"R", Dim::kR, false},
                                                    {"S", Dim::kS, false},
                                                    {"M", Dim::kM, false},
                                                    {"G", Dim::kG, false},
                                                    {"Y'", Dim::kY, true},
                                                    {"X'", Dim::kX, true}}};

constexpr size_t kIndexK = 1, kIndexY = 3, kIndexX = 4, kIndexR = 5, kIndexS = 6, kIndexM = 7,
                 kIndexOutY = 9, kIndexOutX = 10;
static_assert(kDimNames[kIndexK].name == "K" && kDimNames[kIndexY].name == "Y" &&
              kDimNames[kIndexX].name == "X" && kDimNames[kIndexR].name == "R" &&
              kDimNames[kIndexS].name == "S" && kDimNames[kIndexM].name == "M" &&
              kDimNames[kIndexOutY].name == "Y'" && kDimNames[kIndexOutX].name == "X'");

constexpr std::optional<size_t> FindDimName(std::string_view name) {
  for (size_t i = 0; i < kDimNames.size(); ++i) {
    if (kDimNames[i].name == name) return i;
  }
  return std::nullopt;
}

std::array<std::string_view, 11> DimNameList() {
  std::array<std::string_view, 11> names{};
  for (size_t i = 0; i < kDimNames.size(); ++i) names[i] = kDimNames[i].name;
  return names;
}

// ------------------------------------------------------------------------------------------------
// Layer types.

struct LayerType {
  std::string_view name;
  OpKind kind;
  bool mac;  // false: a type the original tokenizes but cannot analyse
};
constexpr std::array<LayerType, 9> kLayerTypes = {{{"CONV", OpKind::kConv, true},
                                                   {"DSCONV", OpKind::kDepthwiseConv, true},
                                                   {"NGCONV", OpKind::kGroupedConv, true},
                                                   {"TRCONV", OpKind::kTransposedConv, true},
                                                   {"GEMM", OpKind::kGemm, true},
                                                   {"FC", OpKind::kGemm, true},
                                                   {"POOL", OpKind::kConv, false},
                                                   {"LSTM", OpKind::kConv, false},
                                                   {"RESIDUAL_IDENTITY", OpKind::kConv, false}}};

// Which dimensions a layer of each kind may declare, in kDimNames order.
using DimSet = std::array<bool, kDimNames.size()>;

constexpr DimSet MakeDimSet(std::initializer_list<std::string_view> names) {
  DimSet set{};
  for (std::string_view name : names) set[*FindDimName(name)] = true;
  return set;
}

constexpr DimSet kConvDims = MakeDimSet({"N", "K", "C", "Y", "X", "R", "S", "Y'", "X'"});
constexpr DimSet kGroupedDims = MakeDimSet({"N", "G", "K", "C", "Y", "X", "R", "S", "Y'", "X'"});
constexpr DimSet kGemmDims = MakeDimSet({"M", "N", "K"});
constexpr DimSet kFcConvDims = MakeDimSet({"N", "K", "C"});  // FC written with CONV names

std::string ListDims(const DimSet& set) {
  std::string out;
  for (size_t i = 0; i < set.size(); ++i) {
    if (!set[i]) continue;
    if (!out.empty()) out += ", ";
    out += kDimNames[i].name;
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// The network parser. A layer is first read as written (RawLayer), then checked and resolved as a
// whole, so Type, Stride, Dimensions and Dataflow may come in any order.

// A size, offset or cluster size as written: an integer, a constant, or Sz(dim).
struct ValueExpr {
  Token first;               // the integer, the constant, or "Sz"
  std::optional<Token> dim;  // Sz's dimension
  int64_t value = 0;         // integer or constant value (unused for Sz)
};

struct RawDirective {
  DirectiveKind kind = DirectiveKind::kTemporalMap;
  Token keyword;
  ValueExpr size;
  ValueExpr offset;  // unused for Cluster
  Token dim;         // unused for Cluster
};

struct RawLayer {
  Token keyword;
  Token name;
  std::optional<Token> type;
  std::optional<Token> stride_keyword;
  std::optional<Token> dilation_keyword;   // Cadenza's extension
  std::optional<Token> instances_keyword;  // Cadenza's extension
  std::optional<Token> dimensions_keyword;
  std::optional<Token> dataflow_keyword;
  std::array<std::optional<Token>, kDimNames.size()> dim_tokens{};
  std::array<int64_t, kDimNames.size()> dim_values{};
  int64_t stride_y = 1;
  int64_t stride_x = 1;
  int64_t dilation_y = 1;
  int64_t dilation_x = 1;
  int64_t instances = 1;
  std::vector<RawDirective> directives;
};

class ModelParser {
 public:
  explicit ModelParser(const Source& source) : source_(source), lexer_(source) {}

  MaestroModel Parse() {
    model_.network.source_path = source_.path();
    if (lexer_.Peek().kind == TokenKind::kEnd) {
      throw InputError(source_.path() + ": the file is empty (expected a Network block)");
    }
    bool saw_network = false;
    for (;;) {
      const Token t = lexer_.Next();
      if (t.kind == TokenKind::kEnd) break;
      if (t.kind == TokenKind::kWord && t.text == "Constant") {
        ParseConstant();
      } else if (t.kind == TokenKind::kWord && t.text == "Network") {
        ParseNetwork(saw_network);
        saw_network = true;
      } else {
        constexpr std::array<std::string_view, 2> kExpected = {"Network", "Constant"};
        std::string hint = t.kind == TokenKind::kWord ? KeywordHint(t.text, kExpected) : "";
        Fail(t, "expected 'Network' or 'Constant', found " + Describe(t) + hint);
      }
    }
    if (!saw_network) {
      throw InputError(source_.path() +
                       ": no Network block (expected 'Network NAME { Layer ... }')");
    }
    if (model_.network.name.empty()) {
      model_.network.name = std::filesystem::path(source_.path()).stem().string();
    }
    return std::move(model_);
  }

 private:
  [[noreturn]] void Fail(const Token& t, const std::string& message) const {
    source_.Fail(t.offset, message);
  }

  Token Expect(TokenKind kind, std::string_view what) {
    Token t = lexer_.Next();
    if (t.kind != kind) Fail(t, "expected " + std::string(what) + ", found " + Describe(t));
    return t;
  }

  // A word that names something (a constant, network or layer); keywords and braces are refused.
  Token ExpectName(std::string_view what) {
    Token t = lexer_.Next();
    if (t.kind != TokenKind::kWord || IsKeyword(t.text)) {
      Fail(t, "expected " + std::string(what) + ", found " + Describe(t));
    }
    return t;
  }

  void ParseConstant() {
    const Token name = ExpectName("a constant name after 'Constant'");
    if (IsInteger(name.text)) Fail(name, "a constant name must not be a number");
    const int64_t value = ParseNumber("the value of constant " + QuoteToken(name.text));
    const auto [it, inserted] = constants_.try_emplace(std::string(name.text), name.line, value);
    if (!inserted && it->second.second != value) {
      Fail(name, "constant " + QuoteToken(name.text) + " is already defined as " +
                     std::to_string(it->second.second) + " at line " +
                     std::to_string(it->second.first));
    }
  }

  void ParseNetwork(bool saw_network) {
    Token t = lexer_.Next();
    if (t.kind == TokenKind::kWord) {
      if (IsKeyword(t.text)) Fail(t, "expected a network name or '{', found " + Describe(t));
      if (!saw_network) {
        model_.network.name = std::string(t.text);
      } else if (t.text != model_.network.name) {
        model_.network.warnings.push_back(source_.path() + ":" + std::to_string(t.line) +
                                          ": the layers of network " + QuoteToken(t.text) +
                                          " are added to network " + QuoteToken(model_.network.name));
      }
      t = lexer_.Next();
    }
    if (t.kind != TokenKind::kOpenBrace) {
      Fail(t, "expected '{' to open the Network block, found " + Describe(t));
    }
    const Token open = t;
    for (;;) {
      t = lexer_.Next();
      if (t.kind == TokenKind::kCloseBrace) break;
      if (t.kind == TokenKind::kEnd) {
        Fail(t, "unexpected end of file: the Network block opened at line " +
                    std::to_string(open.line) + " is not closed (missing '}')");
      }
      if (t.kind == TokenKind::kWord && t.text == "Layer") {
        ParseLayer(t);
      } else if (t.kind == TokenKind::kWord && t.text == "Constant") {
        ParseConstant();  // the original allows constants only outside Network; harmless here
      } else {
        constexpr std::array<std::string_view, 2> kExpected = {"Layer", "Constant"};
        std::string hint = t.kind == TokenKind::kWord ? KeywordHint(t.text, kExpected) : "";
        Fail(t, "expected 'Layer' or '}' in the Network block, found " + Describe(t) + hint);
      }
    }
    if (model_.network.layers.empty()) Fail(t, "the network has no layers");
  }

  void ParseLayer(const Token& keyword) {
    RawLayer layer;
    layer.keyword = keyword;
    layer.name = ExpectName("a layer name after 'Layer'");
    const Token open =
        Expect(TokenKind::kOpenBrace, "'{' after the layer name " + QuoteToken(layer.name.text));
    for (;;) {
      const Token t = lexer_.Next();
      if (t.kind == TokenKind::kCloseBrace) break;
      if (t.kind == TokenKind::kEnd) {
        Fail(t, "unexpected end of file: layer " + QuoteToken(layer.name.text) + " opened at line " +
                    std::to_string(open.line) + " is not closed (missing '}')");
      }
      if (t.kind == TokenKind::kWord && t.text == "Type") {
        CheckOnce(layer.type ? &*layer.type : nullptr, t);
        layer.type = Expect(TokenKind::kWord, "a layer type after 'Type'");
      } else if (t.kind == TokenKind::kWord && t.text == "Stride") {
        CheckOnce(layer.stride_keyword ? &*layer.stride_keyword : nullptr, t);
        layer.stride_keyword = t;
        ParseYx(t, &layer.stride_y, &layer.stride_x);
      } else if (t.kind == TokenKind::kWord && t.text == "Dilation") {
        CheckOnce(layer.dilation_keyword ? &*layer.dilation_keyword : nullptr, t);
        layer.dilation_keyword = t;
        ParseYx(t, &layer.dilation_y, &layer.dilation_x);
      } else if (t.kind == TokenKind::kWord && t.text == "Instances") {
        CheckOnce(layer.instances_keyword ? &*layer.instances_keyword : nullptr, t);
        layer.instances_keyword = t;
        layer.instances = ParseNumber("a number of instances");
        if (layer.instances < 1) Fail(t, "the number of instances must be at least 1");
      } else if (t.kind == TokenKind::kWord && t.text == "Dimensions") {
        CheckOnce(layer.dimensions_keyword ? &*layer.dimensions_keyword : nullptr, t);
        layer.dimensions_keyword = t;
        ParseDimensions(&layer);
      } else if (t.kind == TokenKind::kWord && t.text == "Dataflow") {
        CheckOnce(layer.dataflow_keyword ? &*layer.dataflow_keyword : nullptr, t);
        layer.dataflow_keyword = t;
        ParseDataflow(&layer);
      } else {
        constexpr std::array<std::string_view, 6> kExpected = {
            "Type", "Stride", "Dimensions", "Dataflow", "Dilation", "Instances"};
        std::string hint = t.kind == TokenKind::kWord ? KeywordHint(t.text, kExpected) : "";
        if (t.kind == TokenKind::kWord && t.text == "Layer") {
          hint = " (is the '}' of layer " + QuoteToken(layer.name.text) + " missing?)";
        }
        Fail(t, "expected Type, Stride, Dimensions, Dataflow, Dilation, Instances or '}' in layer " +
                    QuoteToken(layer.name.text) + ", found " + Describe(t) + hint);
      }
    }
    FinishLayer(layer);
  }

  void CheckOnce(const Token* previous, const Token& t) const {
    if (previous) {
      Fail(t, "layer has a second " + std::string(t.text) + " (the first is at line " +
                  std::to_string(previous->line) + ")");
    }
  }

  // An integer or a constant: dimension sizes, strides and (through ParseValue) directive values.
  int64_t NumberOrConstant(const Token& t, const std::string& expected) const {
    if (t.kind == TokenKind::kWord) {
      if (IsInteger(t.text)) return ParseInteger(source_, t, "integer");
      if (const auto it = constants_.find(t.text); it != constants_.end()) return it->second.second;
      if (IsConstantLike(t.text) && !IsDigit(t.text[0]) && !FindDimName(t.text) &&
          !IsKeyword(t.text)) {
        Fail(t, "unknown constant " + QuoteToken(t.text) + ConstantHint(t.text));
      }
    }
    Fail(t, "expected " + expected + ", found " + Describe(t));
  }

  int64_t ParseNumber(std::string_view what) {
    return NumberOrConstant(lexer_.Next(), std::string(what) + " (an integer or a constant)");
  }

  static bool IsConstantLike(std::string_view word) {
    return std::all_of(word.begin(), word.end(), [](char c) {
      return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || IsDigit(c) || c == '_';
    });
  }

  std::string ConstantHint(std::string_view word) const {
    std::vector<std::string_view> names;
    for (const auto& [name, line_value] : constants_) names.push_back(name);
    names.push_back("Sz");
    std::string hint = DidYouMean(word, names);
    if (hint.empty() && constants_.empty()) {
      hint = " (no constants are defined; write 'Constant NAME value;' first)";
    }
    return hint;
  }

  // A Stride or Dilation block: `{ Y: 2, X: 2 }`, either axis optional.
  void ParseYx(const Token& keyword, int64_t* y, int64_t* x) {
    const std::string block(keyword.text);
    std::string what = block;
    what[0] = static_cast<char>(what[0] - 'A' + 'a');  // "stride", "dilation"
    Expect(TokenKind::kOpenBrace, "'{' after '" + block + "'");
    bool seen_y = false;
    bool seen_x = false;
    for (;;) {
      const Token t = lexer_.Next();
      if (t.kind == TokenKind::kCloseBrace) return;
      if (t.kind != TokenKind::kWord || (t.text != "X" && t.text != "Y")) {
        constexpr std::array<std::string_view, 2> kExpected = {"X", "Y"};
        std::string hint = t.kind == TokenKind::kWord ? DidYouMean(t.text, kExpected) : "";
        Fail(t, "expected X, Y or '}' in the " + block + " block, found " + Describe(t) + hint);
      }
      bool& seen = t.text == "Y" ? seen_y : seen_x;
      if (seen) Fail(t, what + " " + std::string(t.text) + " is given twice");
      seen = true;
      const int64_t value = ParseNumber("a " + what);
      if (value < 1) Fail(t, what + " " + std::string(t.text) + " must be at least 1");
      *(t.text == "Y" ? y : x) = value;
    }
  }

  void ParseDimensions(RawLayer* layer) {
    Expect(TokenKind::kOpenBrace, "'{' after 'Dimensions'");
    for (;;) {
      const Token t = lexer_.Next();
      if (t.kind == TokenKind::kCloseBrace) return;
      if (t.kind != TokenKind::kWord) {
        Fail(t, "expected a dimension name or '}' in the Dimensions block, found " + Describe(t));
      }
      const std::optional<size_t> index = FindDimName(t.text);
      if (!index) Fail(t, "unknown dimension " + QuoteToken(t.text) + DidYouMean(t.text, DimNameList()));
      if (const auto& previous = layer->dim_tokens[*index]) {
        Fail(t, "dimension " + std::string(t.text) + " is declared twice (first at line " +
                    std::to_string(previous->line) + ")");
      }
      const int64_t size = ParseNumber("the size of dimension " + std::string(t.text));
      if (size < 1) Fail(t, "dimension " + std::string(t.text) + " must be at least 1");
      layer->dim_tokens[*index] = t;
      layer->dim_values[*index] = size;
    }
  }

  void ParseDataflow(RawLayer* layer) {
    Expect(TokenKind::kOpenBrace, "'{' after 'Dataflow'");
    for (;;) {
      const Token t = lexer_.Next();
      if (t.kind == TokenKind::kCloseBrace) return;
      RawDirective d;
      d.keyword = t;
      if (t.kind == TokenKind::kWord && (t.text == "SpatialMap" || t.text == "TemporalMap")) {
        d.kind = t.text == "SpatialMap" ? DirectiveKind::kSpatialMap : DirectiveKind::kTemporalMap;
        d.size = ParseValue(t.text, "size");
        d.offset = ParseValue(t.text, "offset");
        d.dim = lexer_.Next();
        if (d.dim.kind != TokenKind::kWord || IsKeyword(d.dim.text)) {
          Fail(d.dim,
               "expected the dimension of " + std::string(t.text) + ", found " + Describe(d.dim));
        }
      } else if (t.kind == TokenKind::kWord && t.text == "Cluster") {
        d.kind = DirectiveKind::kCluster;
        d.size = ParseValue(t.text, "size");
        // The cluster type (P physical, L logical) is optional and the model ignores it.
        const Token& next = lexer_.Peek();
        if (next.kind == TokenKind::kWord && (next.text == "P" || next.text == "L")) lexer_.Next();
      } else if (t.kind == TokenKind::kEnd) {
        Fail(t, "unexpected end of file: the Dataflow block of layer " + QuoteToken(layer->name.text) +
                    " is not closed (missing '}')");
      } else {
        constexpr std::array<std::string_view, 3> kExpected = {"SpatialMap", "TemporalMap",
                                                               "Cluster"};
        std::string hint = t.kind == TokenKind::kWord ? KeywordHint(t.text, kExpected) : "";
        Fail(t, "expected SpatialMap, TemporalMap, Cluster or '}' in the Dataflow block, found " +
                    Describe(t) + hint);
      }
      layer->directives.push_back(d);
    }
  }

  ValueExpr ParseValue(std::string_view directive, std::string_view what) {
    ValueExpr v;
    v.first = lexer_.Next();
    if (v.first.kind == TokenKind::kWord && v.first.text == "Sz") {
      v.dim = lexer_.Next();
      if (v.dim->kind != TokenKind::kWord) {
        Fail(*v.dim, "expected a dimension name after 'Sz', found " + Describe(*v.dim));
      }
      return v;
    }
    v.value =
        NumberOrConstant(v.first, "the " + std::string(what) + " of " + std::string(directive) +
                                      " (an integer, a constant or Sz(dim))");
    return v;
  }

  // --- Resolution of one layer ---

  // Sizes by dimension name (kDimNames order), after Y/X and Y'/X' were derived from each other.
  struct LayerSizes {
    std::array<int64_t, kDimNames.size()> size{};
    std::array<bool, kDimNames.size()> present{};
  };

  // Y = Y' + R - 1 when only Y' is declared, Y' = Y - R + 1 otherwise: the stride plays no part,
  // as in the original's dimension table (docs/cost-model.md 2.4).
  LayerSizes DeriveSizes(const RawLayer& layer, bool conv_like) const {
    LayerSizes s;
    for (size_t i = 0; i < kDimNames.size(); ++i) {
      s.size[i] = layer.dim_values[i];
      s.present[i] = layer.dim_tokens[i].has_value();
    }
    if (!conv_like) return s;
    auto derive = [&](size_t in, size_t filter, size_t out, int64_t dilation) {
      // The input rows one output reads: (R - 1) * dilation + 1.
      const int64_t window = s.present[filter] ? (s.size[filter] - 1) * dilation + 1 : 1;
      const std::string in_name(kDimNames[in].name);
      const std::string filter_name(kDimNames[filter].name);
      const std::string out_name(kDimNames[out].name);
      if (s.present[out] && !s.present[in]) {
        s.size[in] = s.size[out] + window - 1;  // both <= 2^40: no overflow
        if (s.size[in] > kMaxValue) {
          Fail(*layer.dim_tokens[out], in_name + " = " + out_name + " + " + filter_name +
                                           " - 1 = " + std::to_string(s.size[in]) +
                                           " is too large (the limit is " +
                                           std::string(kMaxValueText) + ")");
        }
        s.present[in] = true;
      } else if (s.present[in] && !s.present[out]) {
        s.size[out] = s.size[in] - window + 1;  // may be < 1; only Sz() of it is then an error
        s.present[out] = true;
      } else if (s.present[in] && s.present[out] && s.size[out] != s.size[in] - window + 1) {
        Fail(*layer.dim_tokens[out],
             out_name + " = " + std::to_string(s.size[out]) + " disagrees with " + in_name + " - " +
                 filter_name + " + 1 = " + std::to_string(s.size[in] - window + 1) + " (" +
                 out_name + " is derived without the stride); declare only one of " + in_name +
                 " and " + out_name);
      }
    };
    derive(kIndexY, kIndexR, kIndexOutY, layer.dilation_y);
    derive(kIndexX, kIndexS, kIndexOutX, layer.dilation_x);
    return s;
  }

  int64_t Resolve(const RawLayer& layer, const LayerSizes& sizes, const ValueExpr& v,
                  const RawDirective& d, std::string_view what) const {
    if (!v.dim) return v.value;
    const Token& dim = *v.dim;
    const std::optional<size_t> index = FindDimName(dim.text);
    if (!index) {
      Fail(dim, "unknown dimension " + QuoteToken(dim.text) + DidYouMean(dim.text, DimNameList()));
    }
    if (!sizes.present[*index]) {
      Fail(dim, "Sz(" + std::string(dim.text) + "): layer " + QuoteToken(layer.name.text) +
                    " does not declare " + std::string(dim.text) + " (it declares " +
                    ListDeclared(layer) + ")");
    }
    const int64_t size = sizes.size[*index];
    if (size < 1) {
      Fail(dim, "Sz(" + std::string(dim.text) + ") = " + std::to_string(size) +
                    " is not positive, but the " + std::string(what) + " of " +
                    std::string(d.keyword.text) + " must be at least 1");
    }
    return size;
  }

  void FinishLayer(const RawLayer& layer) {
    if (const auto it = layer_index_.find(layer.name.text); it != layer_index_.end()) {
      Fail(layer.name, "duplicate layer name " + QuoteToken(layer.name.text) + " (first at line " +
                           std::to_string(model_.layer_lines[it->second]) + ")");
    }
    if (!layer.type) {
      Fail(layer.name, "layer " + QuoteToken(layer.name.text) +
                           " has no Type (CONV, DSCONV, NGCONV, TRCONV, GEMM or FC)");
    }
    const Token& type_token = *layer.type;
    const LayerType* type = nullptr;
    for (const LayerType& candidate : kLayerTypes) {
      if (candidate.name == type_token.text) type = &candidate;
    }
    if (!type) {
      std::array<std::string_view, kLayerTypes.size()> names{};
      for (size_t i = 0; i < kLayerTypes.size(); ++i) names[i] = kLayerTypes[i].name;
      Fail(type_token,
           "unknown layer type " + QuoteToken(type_token.text) + DidYouMean(type_token.text, names));
    }
    if (!type->mac) {
      Fail(type_token, "layer type " + std::string(type->name) +
                           " is not a MAC layer; Cadenza models CONV, DSCONV, NGCONV, TRCONV, GEMM "
                           "and FC layers");
    }
    if (!layer.dimensions_keyword) {
      Fail(layer.name, "layer " + QuoteToken(layer.name.text) + " has no Dimensions block");
    }

    const OpKind kind = type->kind;
    const bool is_fc = type->name == "FC";
    const bool conv_like = kind != OpKind::kGemm;
    // FC is read as a GEMM. With the GEMM names M, N, K it is one; otherwise its names are CONV's:
    // N batch, K outputs, C inputs, and it becomes M = N (or 1), K = C, N = K.
    const bool fc_conv_names = is_fc && !layer.dim_tokens[kIndexM];
    const DimSet& allowed = fc_conv_names                  ? kFcConvDims
                            : kind == OpKind::kGroupedConv ? kGroupedDims
                            : kind == OpKind::kGemm        ? kGemmDims
                                                           : kConvDims;
    for (size_t i = 0; i < kDimNames.size(); ++i) {
      if (!layer.dim_tokens[i] || allowed[i]) continue;
      const std::string what = fc_conv_names ? "an FC layer written with CONV names"
                               : is_fc       ? "an FC layer written with GEMM names"
                                             : "a " + std::string(type->name) + " layer";
      Fail(*layer.dim_tokens[i], what + " has no dimension " + std::string(kDimNames[i].name) +
                                     " (it has " + ListDims(allowed) + ")");
    }
    if (!conv_like && layer.stride_keyword) {
      Fail(*layer.stride_keyword,
           "a " + std::string(type->name) + " layer has no Y or X to stride over");
    }
    if (!conv_like && layer.dilation_keyword) {
      Fail(*layer.dilation_keyword,
           "a " + std::string(type->name) + " layer has no filter taps to dilate");
    }
    const LayerSizes sizes = DeriveSizes(layer, conv_like);

    Layer out;
    out.name = std::string(layer.name.text);
    out.op_type = std::string(type->name);
    out.kind = kind;
    out.instances = layer.instances;
    out.shape.stride_y = layer.stride_y;
    out.shape.stride_x = layer.stride_x;
    out.shape.dilation_y = layer.dilation_y;
    out.shape.dilation_x = layer.dilation_x;
    for (size_t i = 0; i < kDimNames.size(); ++i) {
      if (!kDimNames[i].output && sizes.present[i]) {
        out.shape.size[kDimNames[i].dim] = sizes.size[i];
      }
    }
    auto final_dim = [fc_conv_names](Dim d) {
      if (!fc_conv_names) return d;
      switch (d) {
        case Dim::kN: return Dim::kM;
        case Dim::kC: return Dim::kK;
        case Dim::kK: return Dim::kN;
        default: return d;
      }
    };
    if (fc_conv_names) {
      const PerDim<int64_t> written = out.shape.size;
      out.shape.size = PerDim<int64_t>{};
      out.shape.size[Dim::kM] = std::max<int64_t>(written[Dim::kN], 1);
      out.shape.size[Dim::kK] = written[Dim::kC];
      out.shape.size[Dim::kN] = written[Dim::kK];
    }
    if (kind == OpKind::kDepthwiseConv && sizes.present[kIndexK] && sizes.size[kIndexK] != 1) {
      model_.network.warnings.push_back(
          source_.path() + ":" + std::to_string(layer.dim_tokens[kIndexK]->line) + ": layer '" +
          out.name + "' is DSCONV; its K = " + std::to_string(sizes.size[kIndexK]) +
          " does not change it (a depthwise layer has one filter per channel)");
    }

    Mapping mapping;
    std::vector<int> lines;
    for (const RawDirective& d : layer.directives) {
      if (mapping.size() >= Mapping::kCapacity) {
        Fail(d.keyword,
             "too many directives: a dataflow holds at most " + std::to_string(Mapping::kCapacity));
      }
      Directive directive;
      directive.kind = d.kind;
      directive.size = Resolve(layer, sizes, d.size, d, "size");
      if (directive.size < 1) {
        Fail(d.size.first, "the size of " + std::string(d.keyword.text) + " must be at least 1");
      }
      if (d.kind != DirectiveKind::kCluster) {
        directive.offset = Resolve(layer, sizes, d.offset, d, "offset");
        if (directive.offset < 1) {
          Fail(d.offset.first,
               "the offset of " + std::string(d.keyword.text) + " must be at least 1");
        }
        const std::optional<size_t> index = FindDimName(d.dim.text);
        if (!index) {
          Fail(d.dim,
               "unknown dimension " + QuoteToken(d.dim.text) + DidYouMean(d.dim.text, DimNameList()));
        }
        if (!allowed[*index] || !sizes.present[*index]) {
          Fail(d.dim, std::string(d.keyword.text) + " on " + std::string(d.dim.text) + ": layer " +
                          QuoteToken(layer.name.text) + " (" + std::string(type->name) +
                          ") does not declare " + std::string(d.dim.text) + " (it declares " +
                          ListDeclared(layer) + ")");
        }
        const Dim written = kDimNames[*index].dim;
        directive.dim = final_dim(written);
        directive.output_coord = kDimNames[*index].output;
        if (d.kind == DirectiveKind::kTemporalMap && conv_like && !directive.output_coord &&
            (written == Dim::kR || written == Dim::kS)) {
          CheckFullFilter(d.keyword, directive, sizes.size[*index], "");
        }
      }
      mapping.Add(directive);
      lines.push_back(d.keyword.line);
    }

    if (mapping.empty()) {
      // The original reuses the previous layer's directive table; an empty Dataflow block too.
      if (model_.mappings.empty()) {
        Fail(layer.name,
             "layer " + QuoteToken(layer.name.text) +
                 " has no Dataflow block and there is no previous layer to inherit one from");
      }
      mapping = model_.mappings.back();
      lines = model_.directive_lines.back();
      const std::string inherited = " (layer " + QuoteToken(layer.name.text) +
                                    " has no Dataflow block and inherits the one of layer " +
                                    QuoteToken(model_.network.layers.back().name) + ")";
      for (const Directive& directive : mapping) {
        if (directive.kind == DirectiveKind::kCluster) continue;
        if (out.shape.size[directive.dim] == 0 || (directive.output_coord && !conv_like)) {
          Fail(layer.name, ToString(directive) + " maps " + std::string(DimName(directive.dim)) +
                               (directive.output_coord ? "'" : "") + ", which " +
                               QuoteToken(layer.name.text) + " does not declare" + inherited);
        }
        if (directive.kind == DirectiveKind::kTemporalMap && conv_like && !directive.output_coord &&
            (directive.dim == Dim::kR || directive.dim == Dim::kS)) {
          CheckFullFilter(layer.name, directive, out.shape.size[directive.dim], inherited);
        }
      }
    }

    try {
      out.exact_macs = ExactMacs(out.kind, out.shape);
      out.exact_macs = checked::MacMul(out.exact_macs, out.instances);
    } catch (const InputError& e) {
      Fail(layer.name, "layer " + QuoteToken(layer.name.text) + ": " + e.what());
    }
    layer_index_.emplace(out.name, model_.network.layers.size());
    model_.network.layers.push_back(std::move(out));
    model_.mappings.push_back(mapping);
    model_.directive_lines.push_back(std::move(lines));
    model_.layer_lines.push_back(layer.keyword.line);
  }

  // The original exits when a TemporalMap on R or S does not cover the whole filter.
  void CheckFullFilter(const Token& where, const Directive& d, int64_t full,
                       const std::string& suffix) const {
    if (d.size == full && d.offset == full) return;
    const std::string name(DimName(d.dim));
    Fail(where, "TemporalMap on " + name + " must cover the whole filter: size and offset must " +
                    "both be " + name + " = " + std::to_string(full) + ", got (" +
                    std::to_string(d.size) + "," + std::to_string(d.offset) + ") (write TemporalMap(Sz(" +
                    name + "),Sz(" + name + ")) " + name + ", or split " + name +
                    " with SpatialMap)" + suffix);
  }

  static std::string ListDeclared(const RawLayer& layer) {
    std::string out;
    for (size_t i = 0; i < kDimNames.size(); ++i) {
      if (!layer.dim_tokens[i]) continue;
      if (!out.empty()) out += ", ";
      out += kDimNames[i].name;
    }
    return out.empty() ? "nothing" : out;
  }

  const Source& source_;
  Lexer lexer_;
  MaestroModel model_;
  std::map<std::string, std::pair<int, int64_t>, std::less<>> constants_;  // name -> (line, value)
  std::map<std::string, size_t, std::less<>> layer_index_;                 // name -> layer index
};

// ------------------------------------------------------------------------------------------------
// Files

std::string ReadNonEmptyFile(const std::string& path) {
  std::string data = ReadInputFile(path);
  if (data.empty()) throw InputError(path + ": the file is empty");
  return data;
}

struct HardwareKey {
  std::string_view name;
  int64_t Hardware::*field;
};
constexpr std::array<HardwareKey, 7> kHardwareKeys = {{
    {"num_pes", &Hardware::num_pes},
    {"l1_size_cstr", &Hardware::l1_size},
    {"l2_size_cstr", &Hardware::l2_size},
    {"noc_bw_cstr", &Hardware::noc_bw},
    {"offchip_bw_cstr", &Hardware::offchip_bw},
    {"NoC_NumHops", &Hardware::noc_latency},
    // Not a key of the original, which takes the SIMD width from --num_simd_lanes only.
    {"num_simd_lanes", &Hardware::simd_lanes},
}};

}  // namespace

MaestroModel ParseMaestroModel(std::string_view text, const std::string& path) {
  const Source source(text, path);
  return ModelParser(source).Parse();
}

MaestroModel ReadMaestroModel(const std::string& path) {
  const std::string text = ReadNonEmptyFile(path);
  return ParseMaestroModel(text, path);
}

Hardware ParseMaestroHardware(std::string_view text, const std::string& path) {
  const Source source(text, path);
  Lexer lexer(source);
  Hardware hw;
  if (lexer.Peek().kind == TokenKind::kEnd) {
    throw InputError(path + ": the file is empty (expected 'num_pes: N' and other keys)");
  }
  std::array<int, kHardwareKeys.size()> seen_line{};
  std::array<std::string_view, kHardwareKeys.size()> names{};
  for (size_t i = 0; i < kHardwareKeys.size(); ++i) names[i] = kHardwareKeys[i].name;
  for (;;) {
    const Token key = lexer.Next();
    if (key.kind == TokenKind::kEnd) break;
    size_t index = kHardwareKeys.size();
    for (size_t i = 0; i < kHardwareKeys.size(); ++i) {
      if (key.kind == TokenKind::kWord && kHardwareKeys[i].name == key.text) index = i;
    }
    if (index == kHardwareKeys.size()) {
      const std::string hint = key.kind == TokenKind::kWord ? DidYouMean(key.text, names) : "";
      source.Fail(key.offset, (key.kind == TokenKind::kWord ? "unknown hardware key "
                                                            : "expected a hardware key, found ") +
                                  Describe(key) + hint);
    }
    if (seen_line[index] != 0) {
      source.Fail(key.offset, std::string(key.text) + " is given twice (first at line " +
                                  std::to_string(seen_line[index]) + ")");
    }
    seen_line[index] = key.line;
    const Token value = lexer.Next();
    if (value.kind != TokenKind::kWord || !IsInteger(value.text)) {
      source.Fail(value.offset, "expected a positive integer value for " + std::string(key.text) +
                                    ", found " + Describe(value));
    }
    const int64_t v = ParseInteger(source, value, "value");
    if (v < 1) source.Fail(value.offset, std::string(key.text) + " must be at least 1");
    hw.*kHardwareKeys[index].field = v;
  }
  return hw;
}

Hardware ReadMaestroHardware(const std::string& path) {
  const std::string text = ReadNonEmptyFile(path);
  return ParseMaestroHardware(text, path);
}

bool IsMaestroHardwareFile(std::string_view path, std::string_view text) {
  if (path.ends_with(".m")) return true;
  constexpr std::array<std::string_view, 6> kMaestroOnlyKeys = {"l1_size_cstr", "l2_size_cstr",
                                                                "noc_bw_cstr",  "offchip_bw_cstr",
                                                                "NoC_NumHops",  "num_simd_lanes"};
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    const size_t first = line.find_first_not_of(" \t\r\v\f");
    if (first == std::string_view::npos) continue;
    line.remove_prefix(first);
    for (std::string_view key : kMaestroOnlyKeys) {
      if (!line.starts_with(key)) continue;
      const size_t colon = line.find_first_not_of(" \t", key.size());
      if (colon != std::string_view::npos && line[colon] == ':') return true;
    }
  }
  return false;
}

}  // namespace cadenza
