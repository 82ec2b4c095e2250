#include "importer/hardware_config.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/message.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "analyzer/diagnostics.h"
#include "analyzer/error.h"
#include "analyzer/input_file.h"
#include "importer/hardware_config.pb.h"
#include "importer/maestro_reader.h"

namespace cadenza {

namespace {

namespace pb = google::protobuf;
using ParseTree = pb::TextFormat::ParseInfoTree;

// Kept byte for byte in models/hw/default.textproto (a test compares them).
constexpr std::string_view kDefaultHardwareText =
    R"(# proto-file: importer/hardware_config.proto
# proto-message: cadenza.config.HardwareConfig
#
# Cadenza's default accelerator: a 16 x 16 PE array with MAESTRO's access energies.

name: "default"
num_pes: 256
simd_lanes: 1
l1_bytes: 1024     # per PE
l2_bytes: 1048576  # 1 MiB, shared by all PEs
bytes_per_element { input: 1 filter: 1 output: 1 }
noc { bandwidth: 64 latency: 1 }  # elements per cycle, cycles
offchip_bandwidth: 32             # elements per cycle
clock_ghz: 1.0
energy {
  mac_pj: 0.23
  l1_pj: 0.3864   # 1.68 MACs
  l2_pj: 4.2803   # 18.61 MACs
  dram_pj: 46     # 200 MACs
}
bandwidth_is_hard_limit: false
multicast: true          # exact model: one L2->PE transfer serves every PE that needs it
spatial_reduction: true  # exact model: partial sums of one output are added on the way up
)";

// ------------------------------------------------------------------------------------------------
// Source text and located errors. Lines and columns are protobuf's: 0-based, and a tab advances
// the column to the next multiple of 8 (io/tokenizer.h). Messages print them 1-based.

int NextColumn(int column, char c) { return c == '\t' ? (column / 8 + 1) * 8 : column + 1; }

class Source {
 public:
  Source(std::string_view text, std::string path) : path_(std::move(path)) {
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte order mark
    text_ = text;
    line_starts_.push_back(0);
    for (size_t i = 0; i < text_.size(); ++i) {
      if (text_[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  const std::string& text() const { return text_; }
  const std::string& path() const { return path_; }

  /// Byte offset of protobuf's (line, column), clamped to the end of that line.
  size_t Offset(int line, int column) const {
    if (line < 0) return 0;
    if (static_cast<size_t>(line) >= line_starts_.size()) return text_.size();
    size_t i = line_starts_[static_cast<size_t>(line)];
    for (int col = 0; i < text_.size() && text_[i] != '\n' && col < column; ++i) {
      col = NextColumn(col, text_[i]);
    }
    return i;
  }

  /// Throws InputError "path: message" for the file as a whole.
  [[noreturn]] void Fail(const std::string& message) const { throw InputError(path_, message); }

  /// Throws InputError for the byte at `offset`: position, message, line, caret.
  [[noreturn]] void FailAt(size_t offset, const std::string& message) const {
    throw InputError(LocatedMessage(path_, text_, offset, message, ColumnRule::kTabStops8));
  }

  /// Skips spaces and '#' comments from `offset`.
  size_t SkipBlank(size_t offset) const {
    while (offset < text_.size()) {
      const char c = text_[offset];
      if (c == '#') {
        while (offset < text_.size() && text_[offset] != '\n') ++offset;
      } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
        ++offset;
      } else {
        break;
      }
    }
    return offset;
  }

  /// For a field written at `offset` ("name: value"), the offset of its value.
  size_t ValueStart(size_t offset) const {
    while (offset < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[offset])) || text_[offset] == '_')) {
      ++offset;
    }
    offset = SkipBlank(offset);
    if (offset < text_.size() && text_[offset] == ':') offset = SkipBlank(offset + 1);
    return offset;
  }

 private:
  std::string text_;  // protobuf's parser takes a std::string
  std::string path_;
  std::vector<size_t> line_starts_;
};

// Spellings people bring from MAESTRO's files or from the sweep schema.
std::string UnknownFieldHint(std::string_view message_type, const std::string& field) {
  if (message_type == "Sweep" && config::HardwareConfig::descriptor()->FindFieldByName(field)) {
    return "; the fixed hardware of a sweep goes in 'base { ... }'";
  }
  if (message_type != "HardwareConfig") return "";
  if (field == "base") return " (it belongs in a sweep file)";
  if (field == "noc_bandwidth" || field == "noc_bw" || field == "noc_bw_cstr") {
    return "; NoC bandwidth is written 'noc { bandwidth: N }'";
  }
  if (field == "noc_latency" || field == "NoC_NumHops") {
    return "; NoC latency is written 'noc { latency: N }'";
  }
  return "";
}

// ------------------------------------------------------------------------------------------------
// Text format parsing

// Keeps the first error protobuf's parser reports (it stops there anyway) and never prints.
class FirstError : public pb::io::ErrorCollector {
 public:
  void AddError(int line, pb::io::ColumnNumber column, const std::string& message) override {
    if (found_) return;
    found_ = true;
    line_ = line;
    column_ = column;
    message_ = message;
  }
  void AddWarning(int, pb::io::ColumnNumber, const std::string&) override {}

  bool found() const { return found_; }
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& message() const { return message_; }

 private:
  bool found_ = false;
  int line_ = 0;
  int column_ = 0;
  std::string message_;
};

// The text between `before` and the next `after` in `text`, or nullopt.
std::optional<std::string> Between(const std::string& text, std::string_view before,
                                   std::string_view after) {
  const size_t start = text.find(before);
  if (start == std::string::npos) return std::nullopt;
  const size_t from = start + before.size();
  const size_t end = text.find(after, from);
  if (end == std::string::npos) return std::nullopt;
  return text.substr(from, end - from);
}

// protobuf reports a field-name problem just after the name; point at the name itself when it is
// on the same line.
size_t NameStart(const Source& source, size_t offset, const std::string& name) {
  const std::string& text = source.text();
  const size_t found = text.rfind(name, offset);
  if (found == std::string::npos || text.find('\n', found) < offset) return offset;
  return found;
}

// Parses the whole of `source` into `message`, recording where each field was written in `tree`.
// Throws InputError located where protobuf's parser stopped.
void ParseText(const Source& source, pb::Message* message, ParseTree* tree) {
  FirstError error;
  pb::TextFormat::Parser parser;
  parser.RecordErrorsTo(&error);
  parser.WriteLocationsTo(tree);
  if (parser.ParseFromString(source.text(), message)) return;
  if (!error.found()) {
    source.Fail("cannot be read as a " + message->GetDescriptor()->full_name());
  }
  size_t offset = source.Offset(error.line(), error.column());
  std::string text = error.message();
  if (std::optional<std::string> field = Between(text, "has no field named \"", "\"")) {
    const std::string type_name = Between(text, "Message type \"", "\"").value_or("");
    const pb::Descriptor* type =
        pb::DescriptorPool::generated_pool()->FindMessageTypeByName(type_name);
    std::string hint;
    std::string shown_type = type_name;
    if (type) {
      shown_type = type->name();
      std::vector<std::string> names;
      for (int i = 0; i < type->field_count(); ++i) names.push_back(type->field(i)->name());
      hint = UnknownFieldHint(shown_type, *field);
      if (hint.empty()) hint = DidYouMean(*field, names);
    }
    text = "unknown field " + QuoteToken(*field) + " in " + shown_type + hint;
    offset = NameStart(source, offset, *field);
  } else if (std::optional<std::string> repeated =
                 Between(text, "Non-repeated field \"", "\" is specified multiple times")) {
    text = QuoteToken(*repeated) + " is given more than once";
    offset = NameStart(source, offset, *repeated);
  } else if (text.ends_with("got: ")) {
    text += "the end of the file";
  }
  source.FailAt(offset, text);
}

// ------------------------------------------------------------------------------------------------
// Checks with located errors

struct IntLimits {
  int64_t min;
  int64_t max;
  std::string_view max_text;
};
constexpr IntLimits kPeLimits{1, int64_t{1} << 24, "2^24 = 16777216"};
constexpr IntLimits kSimdLimits{1, 65536, "65536"};
// Capacities and bandwidths; as in the `.m` reader, the bound keeps products far from overflow.
constexpr IntLimits kAmountLimits{1, int64_t{1} << 40, "2^40 = 1099511627776"};
constexpr IntLimits kLatencyLimits{0, int64_t{1} << 20, "2^20 = 1048576"};
constexpr IntLimits kBytesPerElementLimits{1, 64, "64"};

// A message of the parsed file and where its fields were written (`tree` is null when the file
// does not contain the message). `prefix` names it in messages: "", "noc.", "noc.level[1].".
struct Node {
  const pb::Descriptor* type;
  const ParseTree* tree;
  std::string prefix;
};

std::string FormatDouble(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

class Checker {
 public:
  explicit Checker(const Source& source) : source_(source) {}

  const Source& source() const { return source_; }

  /// The message in `field` of `parent` (`index` -1 unless repeated).
  Node Child(const Node& parent, std::string_view field, int index = -1) const {
    const pb::FieldDescriptor* f = Field(parent, field);
    CADENZA_CHECK(f->message_type() != nullptr);
    // protobuf aborts on index -1 for a repeated field, and on any other for a singular one.
    const int at = f->is_repeated() ? std::max(index, 0) : -1;
    const ParseTree* tree = parent.tree ? parent.tree->GetTreeForNested(f, at) : nullptr;
    return {f->message_type(), tree, Name(parent, field, index) + "."};
  }

  /// "noc.level[1].bandwidth"
  static std::string Name(const Node& node, std::string_view field, int index = -1) {
    std::string name = node.prefix + std::string(field);
    if (index >= 0) name += "[" + std::to_string(index) + "]";
    return name;
  }

  /// Throws InputError at the value of `field` (element `index` if repeated), or for the whole
  /// file when the field was not written.
  [[noreturn]] void Fail(const Node& node, std::string_view field, int index,
                         const std::string& message) const {
    if (const std::optional<size_t> offset = Where(node, Field(node, field), index)) {
      source_.FailAt(*offset, message);
    }
    source_.Fail(message);
  }

  int64_t Int(const Node& node, std::string_view field, int64_t value, const IntLimits& limits,
              int index = -1) const {
    if (value < limits.min) {
      Fail(node, field, index,
           Name(node, field, index) + " must be at least " + std::to_string(limits.min) +
               ", found " + std::to_string(value));
    }
    if (value > limits.max) {
      Fail(node, field, index,
           Name(node, field, index) + " must be at most " + std::string(limits.max_text) +
               ", found " + std::to_string(value));
    }
    return value;
  }

  /// A finite value, > 0 when `positive`, else >= 0.
  double Real(const Node& node, std::string_view field, double value, bool positive) const {
    if (!std::isfinite(value) || value < 0 || (positive && value == 0)) {
      Fail(node, field, -1,
           Name(node, field) + " must be a finite number " + (positive ? "> 0" : ">= 0") +
               ", found " + FormatDouble(value));
    }
    return value;
  }

 private:
  static const pb::FieldDescriptor* Field(const Node& node, std::string_view field) {
    const pb::FieldDescriptor* f = node.type->FindFieldByName(std::string(field));
    CADENZA_CHECK(f != nullptr);
    return f;
  }

  std::optional<size_t> Where(const Node& node, const pb::FieldDescriptor* f, int index) const {
    if (!node.tree) return std::nullopt;
    const bool message = f->message_type() != nullptr;
    if (!f->is_repeated() || message) {
      const pb::TextFormat::ParseLocation at =
          node.tree->GetLocation(f, f->is_repeated() ? std::max(index, 0) : -1);
      if (at.line < 0) return std::nullopt;
      const size_t offset = source_.Offset(at.line, at.column);
      return message ? offset : source_.ValueStart(offset);
    }
    // A repeated scalar: each occurrence of the field holds one value, or a list "[a, b, c]" (for
    // which protobuf records a single location). Walk the values to element `index`.
    int remaining = std::max(index, 0);
    std::optional<size_t> first;
    for (int occurrence = 0;; ++occurrence) {
      const pb::TextFormat::ParseLocation at = node.tree->GetLocation(f, occurrence);
      if (at.line < 0) break;
      const size_t value = source_.ValueStart(source_.Offset(at.line, at.column));
      if (!first) first = value;
      const std::string& text = source_.text();
      if (value >= text.size() || text[value] != '[') {
        if (remaining-- == 0) return value;
        continue;
      }
      for (size_t p = source_.SkipBlank(value + 1); p < text.size() && text[p] != ']';) {
        if (remaining-- == 0) return p;
        p = text.find_first_of(",]", p);
        if (p == std::string::npos || text[p] == ']') break;
        p = source_.SkipBlank(p + 1);
      }
    }
    return first;
  }

  const Source& source_;
};

// ------------------------------------------------------------------------------------------------
// HardwareConfig -> Hardware

Hardware ToHardware(const Checker& c, const config::HardwareConfig& cfg, const Node& node,
                    bool require_num_pes) {
  Hardware hw;
  if (cfg.has_num_pes()) {
    hw.num_pes = c.Int(node, "num_pes", cfg.num_pes(), kPeLimits);
  } else if (require_num_pes) {
    c.source().Fail(Checker::Name(node, "num_pes") +
                    " is required: the number of PEs, e.g. 'num_pes: 256'");
  }
  if (cfg.has_simd_lanes()) {
    hw.simd_lanes = c.Int(node, "simd_lanes", cfg.simd_lanes(), kSimdLimits);
  }
  if (cfg.has_l1_bytes()) hw.l1_size = c.Int(node, "l1_bytes", cfg.l1_bytes(), kAmountLimits);
  if (cfg.has_l2_bytes()) hw.l2_size = c.Int(node, "l2_bytes", cfg.l2_bytes(), kAmountLimits);

  if (cfg.has_bytes_per_element()) {
    const Node b = c.Child(node, "bytes_per_element");
    const config::BytesPerElement& m = cfg.bytes_per_element();
    if (m.has_input()) {
      hw.bytes_per_element[Tensor::kInput] = c.Int(b, "input", m.input(), kBytesPerElementLimits);
    }
    if (m.has_filter()) {
      hw.bytes_per_element[Tensor::kFilter] =
          c.Int(b, "filter", m.filter(), kBytesPerElementLimits);
    }
    if (m.has_output()) {
      hw.bytes_per_element[Tensor::kOutput] =
          c.Int(b, "output", m.output(), kBytesPerElementLimits);
    }
  }

  if (cfg.has_noc()) {
    const Node n = c.Child(node, "noc");
    const config::Noc& m = cfg.noc();
    if (m.has_bandwidth()) hw.noc_bw = c.Int(n, "bandwidth", m.bandwidth(), kAmountLimits);
    if (m.has_latency()) hw.noc_latency = c.Int(n, "latency", m.latency(), kLatencyLimits);
    if (m.level_size() > kMaxNocLevels) {
      c.Fail(n, "level", kMaxNocLevels,
             Checker::Name(n, "level") + " has " + std::to_string(m.level_size()) +
                 " entries; there are at most " + std::to_string(kMaxNocLevels) +
                 " cluster levels");
    }
    for (int i = 0; i < m.level_size(); ++i) {
      const Node l = c.Child(n, "level", i);
      const config::NocLevel& level = m.level(i);
      NocLevel& out = hw.noc_levels[static_cast<size_t>(i)];
      if (level.has_bandwidth()) out.bw = c.Int(l, "bandwidth", level.bandwidth(), kAmountLimits);
      if (level.has_latency()) out.latency = c.Int(l, "latency", level.latency(), kLatencyLimits);
    }
  }
  if (cfg.has_offchip_bandwidth()) {
    hw.offchip_bw = c.Int(node, "offchip_bandwidth", cfg.offchip_bandwidth(), kAmountLimits);
  }

  if (cfg.has_clock_ghz()) hw.clock_ghz = c.Real(node, "clock_ghz", cfg.clock_ghz(), true);
  if (cfg.has_energy()) {
    const Node e = c.Child(node, "energy");
    const config::Energy& m = cfg.energy();
    if (m.has_mac_pj()) hw.energy.mac_pj = c.Real(e, "mac_pj", m.mac_pj(), false);
    if (m.has_l1_pj()) hw.energy.l1_pj = c.Real(e, "l1_pj", m.l1_pj(), false);
    if (m.has_l2_pj()) hw.energy.l2_pj = c.Real(e, "l2_pj", m.l2_pj(), false);
    if (m.has_dram_pj()) hw.energy.offchip_pj = c.Real(e, "dram_pj", m.dram_pj(), false);
  }
  if (cfg.has_bandwidth_is_hard_limit()) hw.bandwidth_is_hard_limit = cfg.bandwidth_is_hard_limit();
  if (cfg.has_multicast()) hw.multicast = cfg.multicast();
  if (cfg.has_spatial_reduction()) hw.spatial_reduction = cfg.spatial_reduction();
  return hw;
}

// A file with nothing but blanks and comments.
bool IsBlank(const Source& source) { return source.SkipBlank(0) == source.text().size(); }

// ------------------------------------------------------------------------------------------------
// Sweeps

// The swept parameters, outermost first.
struct SweptParameter {
  std::string_view field;  // of Sweep
  std::string_view label;  // in SweepPoint::label
  IntLimits limits;
  int64_t Hardware::*member;
};
constexpr std::array<SweptParameter, 6> kSweptParameters = {{
    {"num_pes", "pes", kPeLimits, &Hardware::num_pes},
    {"simd_lanes", "simd", kSimdLimits, &Hardware::simd_lanes},
    {"l1_bytes", "l1", kAmountLimits, &Hardware::l1_size},
    {"l2_bytes", "l2", kAmountLimits, &Hardware::l2_size},
    {"noc_bandwidth", "noc", kAmountLimits, &Hardware::noc_bw},
    {"offchip_bandwidth", "offchip", kAmountLimits, &Hardware::offchip_bw},
}};

// The values the IntSweep in `field` of `root` gives, checked against `limits`; at most
// kMaxSweepPoints of them.
std::vector<int64_t> ExpandSweep(const Checker& c, const Node& root, std::string_view field,
                                 const config::IntSweep& sweep, const IntLimits& limits) {
  const Node node = c.Child(root, field);
  const std::string name = Checker::Name(root, field);
  const int forms = (sweep.values_size() > 0 ? 1 : 0) + (sweep.has_range() ? 1 : 0) +
                    (sweep.has_geometric() ? 1 : 0);
  if (forms != 1) {
    // Point at the second form given, or at the empty sweep itself.
    const std::string message =
        name + (forms == 0 ? ": give the values to sweep as 'values', 'range' or 'geometric'"
                           : ": give only one of 'values', 'range' and 'geometric'");
    if (forms == 0) c.Fail(root, field, -1, message);
    c.Fail(node, sweep.has_geometric() ? "geometric" : "range", -1, message);
  }
  auto count_check = [&](int64_t count, std::string_view form) {
    if (count > kMaxSweepPoints) {
      c.Fail(node, form, form == "values" ? 0 : -1,
             name + " gives " + std::to_string(count) + " values; a sweep has at most " +
                 std::to_string(kMaxSweepPoints) + " points");
    }
  };
  std::vector<int64_t> values;
  if (sweep.values_size() > 0) {
    count_check(sweep.values_size(), "values");
    for (int i = 0; i < sweep.values_size(); ++i) {
      values.push_back(c.Int(node, "values", sweep.values(i), limits, i));
    }
    std::vector<int64_t> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    const auto twice = std::adjacent_find(sorted.begin(), sorted.end());
    if (twice != sorted.end()) {
      const auto first = std::find(values.begin(), values.end(), *twice);
      const auto second = std::find(first + 1, values.end(), *twice);
      c.Fail(node, "values", static_cast<int>(second - values.begin()),
             name + " lists " + std::to_string(*twice) + " twice");
    }
    return values;
  }

  const bool geometric = sweep.has_geometric();
  const std::string_view form = geometric ? "geometric" : "range";
  const Node r = c.Child(node, form);
  const std::string_view last = geometric ? "factor" : "step";
  const bool has_from = geometric ? sweep.geometric().has_from() : sweep.range().has_from();
  const bool has_to = geometric ? sweep.geometric().has_to() : sweep.range().has_to();
  const bool has_last = geometric ? sweep.geometric().has_factor() : sweep.range().has_step();
  if (!has_from || !has_to || !has_last) {
    const std::string_view missing = !has_from ? "from" : !has_to ? "to" : last;
    c.Fail(node, form, -1,
           name + "." + std::string(form) + " needs '" + std::string(missing) + "' (" +
               std::string(form) + " { from: A to: B " + std::string(last) + ": C })");
  }
  const int64_t from =
      c.Int(r, "from", geometric ? sweep.geometric().from() : sweep.range().from(), limits);
  const int64_t to =
      c.Int(r, "to", geometric ? sweep.geometric().to() : sweep.range().to(), limits);
  if (from > to) {
    c.Fail(r, "to", -1,
           Checker::Name(r, "to") + " must be at least from (" + std::to_string(from) +
               "), found " + std::to_string(to));
  }
  if (!geometric) {
    const int64_t step = sweep.range().step();
    if (step < 1) {
      c.Fail(r, "step", -1,
             Checker::Name(r, "step") + " must be at least 1, found " + std::to_string(step));
    }
    count_check((to - from) / step + 1, "range");
    for (int64_t v = from;; v += step) {
      values.push_back(v);
      if (v > to - step) break;
    }
  } else {
    const int64_t factor = sweep.geometric().factor();
    if (factor < 2) {
      c.Fail(r, "factor", -1,
             Checker::Name(r, "factor") + " must be at least 2, found " + std::to_string(factor));
    }
    for (int64_t v = from;; v *= factor) {  // at most 41 values: 2^40 bounds `to`
      values.push_back(v);
      if (v > to / factor) break;
    }
  }
  return values;
}

std::string LabelValue(int64_t v) {
  return Hardware::IsUnlimited(v) ? "unlimited" : std::to_string(v);
}


}  // namespace

Hardware ParseHardwareConfig(std::string_view text, const std::string& path) {
  const Source source(text, path);
  if (IsBlank(source)) {
    source.Fail("the file is empty (expected a hardware configuration, e.g. 'num_pes: 256')");
  }
  config::HardwareConfig cfg;
  ParseTree tree;
  ParseText(source, &cfg, &tree);
  const Checker checker(source);
  return ToHardware(checker, cfg, Node{config::HardwareConfig::descriptor(), &tree, ""}, true);
}

namespace {

// The configuration in Protocol Buffers' JSON mapping (ReadHardwareFile).
Hardware ParseHardwareConfigJson(std::string_view text, const std::string& path) {
  const Source source(text, path);
  config::HardwareConfig cfg;
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = pb::util::JsonStringToMessage(pb::StringPiece(text.data(), text.size()),
                                                    &cfg, options);
  if (!status.ok()) {
    source.Fail("cannot be read as a HardwareConfig in JSON: " +
                std::string(status.message().data(), status.message().size()));
  }
  // No locations: a value out of range is named by its field ("noc.bandwidth must be ...").
  const Checker checker(source);
  return ToHardware(checker, cfg, Node{config::HardwareConfig::descriptor(), nullptr, ""}, true);
}

bool IsHardwareConfigJson(std::string_view path, std::string_view text) {
  if (path.ends_with(".json")) return true;
  const size_t first = text.find_first_not_of(" \t\r\n\v\f");
  return first != std::string_view::npos && text[first] == '{';
}

}  // namespace

Hardware ReadHardwareFile(const std::string& path) {
  if (IsMaestroHardwareFile(path, "")) return ReadMaestroHardware(path);  // by its name
  const std::string text = ReadInputFile(path);
  if (IsMaestroHardwareFile(path, text)) return ParseMaestroHardware(text, path);
  if (IsHardwareConfigJson(path, text)) return ParseHardwareConfigJson(text, path);
  return ParseHardwareConfig(text, path);
}

std::string_view DefaultHardwareText() { return kDefaultHardwareText; }

Hardware DefaultHardware() {
  static const Hardware hw =
      ParseHardwareConfig(kDefaultHardwareText, "<built-in default hardware>");
  return hw;
}

std::vector<SweepPoint> ParseSweep(std::string_view text, const std::string& path) {
  const Source source(text, path);
  if (IsBlank(source)) {
    source.Fail(
        "the file is empty (expected a sweep, e.g. 'base { ... } num_pes { values: "
        "[64, 256] }')");
  }
  config::Sweep sweep;
  ParseTree tree;
  ParseText(source, &sweep, &tree);
  const Checker checker(source);
  const Node root{config::Sweep::descriptor(), &tree, ""};
  const pb::Reflection* reflection = sweep.GetReflection();

  std::array<std::vector<int64_t>, kSweptParameters.size()> values;
  const bool pes_swept = sweep.has_num_pes();
  const Hardware base = ToHardware(checker, sweep.base(), checker.Child(root, "base"),
                                   /*require_num_pes=*/!pes_swept);
  double total = 1;
  std::string sizes;
  for (size_t p = 0; p < kSweptParameters.size(); ++p) {
    const SweptParameter& param = kSweptParameters[p];
    const pb::FieldDescriptor* field =
        config::Sweep::descriptor()->FindFieldByName(std::string(param.field));
    CADENZA_CHECK(field != nullptr);
    if (reflection->HasField(sweep, field)) {
      const auto& s = static_cast<const config::IntSweep&>(reflection->GetMessage(sweep, field));
      values[p] = ExpandSweep(checker, root, param.field, s, param.limits);
    } else {
      values[p] = {base.*param.member};
    }
    total *= static_cast<double>(values[p].size());
    sizes +=
        (p == 0 ? "" : " x ") + std::string(param.field) + " " + std::to_string(values[p].size());
  }
  if (total > static_cast<double>(kMaxSweepPoints)) {
    source.Fail("the sweep has more than " + std::to_string(kMaxSweepPoints) + " points (" + sizes +
                ")");
  }

  std::vector<SweepPoint> points;
  points.reserve(static_cast<size_t>(total));
  std::array<size_t, kSweptParameters.size()> at{};
  for (;;) {
    SweepPoint point{"", base};
    for (size_t p = 0; p < kSweptParameters.size(); ++p) {
      const int64_t v = values[p][at[p]];
      point.hw.*kSweptParameters[p].member = v;
      point.label +=
          (p == 0 ? "" : " ") + std::string(kSweptParameters[p].label) + "=" + LabelValue(v);
    }
    points.push_back(std::move(point));
    // Odometer: the last parameter turns fastest.
    size_t p = kSweptParameters.size();
    while (p > 0 && ++at[p - 1] == values[p - 1].size()) at[--p] = 0;
    if (p == 0) break;
  }
  return points;
}

std::vector<SweepPoint> ReadSweep(const std::string& path) {
  const std::string text = ReadInputFile(path);
  return ParseSweep(text, path);
}

}  // namespace cadenza
