#include "report/review_diff.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "analyzer/error.h"
#include "report/json_writer.h"
#include "report/plain_text.h"
#include "report/report.h"
#include "report/report_html_internal.h"

namespace cadenza {

namespace {

using Json = nlohmann::ordered_json;  // keeps the document's key order (dims)

// Field access that names what is missing instead of nlohmann's generic type errors.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  const Json& Member(const Json& object, const char* key, const std::string& where) const {
    if (!object.is_object()) Fail(where + " is not an object");
    const auto it = object.find(key);
    if (it == object.end()) Fail(where + " has no \"" + key + "\"");
    return *it;
  }
  std::string String(const Json& object, const char* key, const std::string& where) const {
    const Json& v = Member(object, key, where);
    if (v.is_null()) return "";
    if (!v.is_string()) Fail(where + "." + key + " is not a string");
    return v.get<std::string>();
  }
  int64_t Int(const Json& object, const char* key, const std::string& where) const {
    const Json& v = Member(object, key, where);
    if (!v.is_number_integer()) Fail(where + "." + key + " is not an integer");
    return v.get<int64_t>();
  }
  double Number(const Json& object, const char* key, const std::string& where) const {
    const Json& v = Member(object, key, where);
    if (!v.is_number()) Fail(where + "." + key + " is not a number");
    return v.get<double>();
  }
  bool Bool(const Json& object, const char* key, const std::string& where) const {
    const Json& v = Member(object, key, where);
    if (!v.is_boolean()) Fail(where + "." + key + " is not true or false");
    return v.get<bool>();
  }
  [[noreturn]] void Fail(const std::string& what) const { throw InputError(source_, what); }

 private:
  std::string source_;
};

std::string LimitText(const Json& v, const std::string& unit) {
  if (v.is_null()) return "unlimited";
  if (v.is_number_integer()) return FormatThousands(v.get<int64_t>()) + unit;
  return "?";
}

// One line that changes whenever the hardware does, built from the JSON's fields so that
// reviews of any schema version with these fields compare.
std::string HardwareLine(const Json& hw) {
  std::string line;
  auto add = [&](const std::string& part) { line += (line.empty() ? "" : " \u00b7 ") + part; };
  auto field = [&](const char* key) -> const Json* {
    const auto it = hw.find(key);
    return it == hw.end() ? nullptr : &*it;
  };
  if (const Json* v = field("num_pes"); v && v->is_number_integer()) {
    add(FormatThousands(v->get<int64_t>()) + " PEs");
  }
  if (const Json* v = field("simd_lanes"); v && v->is_number_integer() && v->get<int64_t>() != 1) {
    add(std::to_string(v->get<int64_t>()) + " SIMD lanes");
  }
  if (const Json* v = field("l1_bytes")) add("L1 " + LimitText(*v, " B/PE"));
  if (const Json* v = field("l2_bytes")) add("L2 " + LimitText(*v, " B"));
  if (const Json* v = field("noc_bw_per_cycle")) add("NoC " + LimitText(*v, "/cycle"));
  if (const Json* v = field("offchip_bw_per_cycle")) add("off-chip " + LimitText(*v, "/cycle"));
  return line;
}

std::string DimsText(const Json& dims) {
  std::string text;
  if (!dims.is_object()) return text;
  for (const auto& [name, value] : dims.items()) {
    if (!value.is_number_integer()) continue;
    text += (text.empty() ? "" : " ") + name + "=" + std::to_string(value.get<int64_t>());
  }
  return text;
}

std::string Signed(std::optional<double> change) {
  if (!change) return "n/a";
  char text[32];
  std::snprintf(text, sizeof text, "%+.1f%%", *change * 100);
  return text;
}

std::string EnergyText(double nj) { return FormatSi(nj * 1e-9, "J"); }

std::string EdpText(double pj_cycles) {
  char text[48];
  std::snprintf(text, sizeof text, "%.3g pJ\u00b7cycles", pj_cycles);
  return text;
}

std::string ChoiceText(const ReviewSummary::Layer* l) {
  if (l == nullptr) return "(absent)";
  if (!l->found) return "(no mapping)";
  return l->params.empty() ? l->dataflow : l->dataflow + " " + l->params;
}

// Sums of one instance's figures times instances, over the layers both reviews map.
struct CommonTotals {
  int layers = 0;
  int64_t a_cycles = 0, b_cycles = 0;
  double a_energy_nj = 0, b_energy_nj = 0;
};

CommonTotals CommonSums(const ReviewDiff& diff) {
  CommonTotals t;
  for (const LayerDelta& d : diff.layers) {
    if (d.a == nullptr || d.b == nullptr || !d.a->found || !d.b->found) continue;
    ++t.layers;
    t.a_cycles += d.a->runtime_cycles * d.a->instances;
    t.b_cycles += d.b->runtime_cycles * d.b->instances;
    t.a_energy_nj += d.a->energy_nj * static_cast<double>(d.a->instances);
    t.b_energy_nj += d.b->energy_nj * static_cast<double>(d.b->instances);
  }
  return t;
}

// The whole-network totals compare only when both reviews cover the same layers.
bool TotalsComparable(const ReviewDiff& diff) {
  return diff.only_a == 0 && diff.only_b == 0 && diff.a->layers_without_mapping == 0 &&
         diff.b->layers_without_mapping == 0;
}

}  // namespace

bool LayerDelta::dataflow_changed() const {
  return a != nullptr && b != nullptr && a->found && b->found &&
         (a->dataflow != b->dataflow || a->params != b->params);
}

bool LayerDelta::shape_changed() const {
  return a != nullptr && b != nullptr && a->dims != b->dims;
}

std::optional<double> RelativeChange(double a, double b) {
  if (a == 0 || !std::isfinite(a) || !std::isfinite(b)) return std::nullopt;
  return (b - a) / a;
}

ReviewSummary ReadReviewJson(std::string_view text, const std::string& source) {
  const Reader r(source);
  Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) r.Fail("not a JSON document");
  if (!doc.is_object() || !doc.contains("tool") || doc["tool"] != "cadenza") {
    r.Fail("not a Cadenza review (no \"tool\": \"cadenza\")");
  }
  if (doc.contains("points")) {
    r.Fail("a design-space exploration report; 'cadenza diff' compares search reviews "
           "('cadenza search --json')");
  }
  if (!doc.contains("layers") || !doc["layers"].is_array()) {
    r.Fail("not a search review: no \"layers\" array (write one with 'cadenza search --json')");
  }
  ReviewSummary s;
  s.source = source;
  s.schema_version = static_cast<int>(r.Int(doc, "schema_version", "the document"));
  s.version = r.String(doc, "version", "the document");
  const Json& model = r.Member(doc, "model", "the document");
  s.network = r.String(model, "network", "model");
  s.model_path = r.String(model, "path", "model");
  s.objective = r.String(doc, "objective", "the document");
  s.cost_model = doc.contains("cost_model") ? r.String(doc, "cost_model", "the document")
                                            : std::string("maestro");
  s.hardware = HardwareLine(r.Member(doc, "hardware", "the document"));
  const Json& total = r.Member(doc, "total", "the document");
  s.runtime_cycles = r.Int(total, "runtime_cycles", "total");
  s.energy_nj = r.Number(total, "energy_nj", "total");
  s.edp_pj_cycles = r.Number(total, "edp_pj_cycles", "total");
  s.exact_macs = r.Int(total, "exact_macs", "total");
  s.layers_without_mapping = static_cast<int>(r.Int(total, "layers_without_mapping", "total"));
  int index = 0;
  for (const Json& l : doc["layers"]) {
    const std::string where = "layers[" + std::to_string(index++) + "]";
    ReviewSummary::Layer layer;
    layer.name = r.String(l, "name", where);
    layer.op_type = r.String(l, "op_type", where);
    layer.dims = DimsText(r.Member(l, "dims", where));
    layer.instances = r.Int(l, "instances", where);
    layer.found = r.Bool(l, "found", where);
    if (layer.found) {
      layer.dataflow = r.String(l, "dataflow", where);
      layer.params = r.String(l, "params_text", where);
      layer.runtime_cycles = r.Int(l, "runtime_cycles", where);
      layer.energy_nj = r.Number(l, "energy_nj", where);
    }
    s.layers.push_back(std::move(layer));
  }
  return s;
}

ReviewDiff DiffReviews(const ReviewSummary& a, const ReviewSummary& b) {
  ReviewDiff diff;
  diff.a = &a;
  diff.b = &b;
  auto setting = [&](const std::string& what, const std::string& x, const std::string& y) {
    if (x != y) diff.setting_changes.push_back(what + ": " + x + " \u2192 " + y);
  };
  setting("network", a.network, b.network);
  setting("hardware", a.hardware, b.hardware);
  setting("objective", a.objective, b.objective);
  setting("cost model", a.cost_model, b.cost_model);
  setting("Cadenza version", a.version, b.version);

  std::map<std::string, const ReviewSummary::Layer*> in_b;
  for (const ReviewSummary::Layer& l : b.layers) in_b.emplace(l.name, &l);
  std::map<std::string, bool> seen;
  for (const ReviewSummary::Layer& l : a.layers) {
    LayerDelta d;
    d.name = l.name;
    d.op_type = l.op_type;
    d.dims = l.dims;
    d.a = &l;
    if (const auto it = in_b.find(l.name); it != in_b.end()) {
      d.b = it->second;
      ++diff.common;
      seen[l.name] = true;
    } else {
      ++diff.only_a;
    }
    if (d.dataflow_changed()) ++diff.dataflow_changes;
    if (d.shape_changed()) ++diff.shape_changes;
    diff.layers.push_back(d);
  }
  for (const ReviewSummary::Layer& l : b.layers) {
    if (seen.count(l.name) > 0) continue;
    LayerDelta d;
    d.name = l.name;
    d.op_type = l.op_type;
    d.dims = l.dims;
    d.b = &l;
    ++diff.only_b;
    diff.layers.push_back(d);
  }
  return diff;
}

void WriteDiffText(const ReviewDiff& diff, std::ostream& out) {
  const ReviewSummary& a = *diff.a;
  const ReviewSummary& b = *diff.b;
  out << "A: " << a.source << " (" << a.network << ", " << a.objective << ", " << a.cost_model
      << " model, Cadenza " << a.version << ")\n";
  out << "B: " << b.source << " (" << b.network << ", " << b.objective << ", " << b.cost_model
      << " model, Cadenza " << b.version << ")\n";
  if (diff.setting_changes.empty()) {
    out << "same network, hardware, objective, cost model and version\n";
  } else {
    for (const std::string& c : diff.setting_changes) out << "  " << c << '\n';
  }
  out << '\n';

  internal::TextTable totals({false, true, true, true});
  totals.Add({"", "A", "B", "B vs A"});
  if (TotalsComparable(diff)) {
    totals.Add({"cycles", FormatThousands(a.runtime_cycles), FormatThousands(b.runtime_cycles),
                Signed(RelativeChange(static_cast<double>(a.runtime_cycles),
                                      static_cast<double>(b.runtime_cycles)))});
    totals.Add({"energy", EnergyText(a.energy_nj), EnergyText(b.energy_nj),
                Signed(RelativeChange(a.energy_nj, b.energy_nj))});
    totals.Add({"EDP", EdpText(a.edp_pj_cycles), EdpText(b.edp_pj_cycles),
                Signed(RelativeChange(a.edp_pj_cycles, b.edp_pj_cycles))});
    out << "totals (the whole network):\n";
  } else {
    const CommonTotals t = CommonSums(diff);
    totals.Add({"cycles", FormatThousands(t.a_cycles), FormatThousands(t.b_cycles),
                Signed(RelativeChange(static_cast<double>(t.a_cycles),
                                      static_cast<double>(t.b_cycles)))});
    totals.Add({"energy", EnergyText(t.a_energy_nj), EnergyText(t.b_energy_nj),
                Signed(RelativeChange(t.a_energy_nj, t.b_energy_nj))});
    out << "totals over the " << t.layers << " layer" << (t.layers == 1 ? "" : "s")
        << " both reviews map (the networks' totals cover different layers and are not "
           "compared):\n";
  }
  totals.Write(out, "  ");
  out << '\n' << diff.common << " layer" << (diff.common == 1 ? "" : "s") << " in both, "
      << diff.only_a << " only in A, " << diff.only_b << " only in B; " << diff.dataflow_changes
      << " changed dataflow";
  if (diff.shape_changes > 0) out << ", " << diff.shape_changes << " changed shape";
  out << "\n";

  internal::TextTable rows({false, false, false, true, true, true, true, true, true});
  rows.Add({"layer", "A", "B", "cycles A", "cycles B", "\u0394", "energy A", "energy B", "\u0394"});
  int shown = 0;
  for (const LayerDelta& d : diff.layers) {
    const bool both = d.a && d.b && d.a->found && d.b->found;
    const bool differs = !both || d.dataflow_changed() ||
                         d.a->runtime_cycles != d.b->runtime_cycles ||
                         d.a->energy_nj != d.b->energy_nj || d.shape_changed();
    if (!differs) continue;
    ++shown;
    auto cycles = [](const ReviewSummary::Layer* l) {
      return l && l->found ? FormatThousands(l->runtime_cycles) : std::string("-");
    };
    auto energy = [](const ReviewSummary::Layer* l) {
      return l && l->found ? EnergyText(l->energy_nj) : std::string("-");
    };
    rows.Add({d.name, ChoiceText(d.a), ChoiceText(d.b), cycles(d.a), cycles(d.b),
              both ? Signed(RelativeChange(static_cast<double>(d.a->runtime_cycles),
                                           static_cast<double>(d.b->runtime_cycles)))
                   : "",
              energy(d.a), energy(d.b),
              both ? Signed(RelativeChange(d.a->energy_nj, d.b->energy_nj)) : ""});
  }
  if (shown == 0) {
    out << "every layer has the same dataflow, cycles and energy in both\n";
  } else {
    out << "\nlayers that differ (" << shown << "):\n";
    rows.Write(out, "  ");
  }
}

void WriteDiffHtml(const ReviewDiff& diff, std::ostream& out) {
  using html::Escape;
  const ReviewSummary& a = *diff.a;
  const ReviewSummary& b = *diff.b;
  const std::string title = a.network == b.network ? a.network : a.network + " vs " + b.network;
  html::WriteDocumentHead(out, "", title, "Cadenza review comparison",
                          "\ntr.changed td{background:rgba(255,196,0,.12)}td.better{color:#0a7d32}"
                          "td.worse{color:#b3261e}");
  out << "<header>\n<p class=\"kicker\">"
         "Cadenza review comparison</p>\n<h1>"
      << Escape(title) << "</h1>\n<dl class=\"meta\">\n";
  for (const auto& [label, s] : {std::pair<const char*, const ReviewSummary*>{"A", &a}, {"B", &b}}) {
    out << "<dt>" << label << "</dt><dd><code>" << Escape(s->source) << "</code> \u00b7 model <code>"
        << Escape(s->model_path) << "</code><span class=\"sub\">" << Escape(s->hardware)
        << " \u00b7 objective " << Escape(s->objective) << " \u00b7 " << Escape(s->cost_model)
        << " model \u00b7 Cadenza " << Escape(s->version) << "</span></dd>\n";
  }
  out << "</dl>\n</header>\n<main>\n<section id=\"settings\">\n<h2>What differs</h2>\n";
  if (diff.setting_changes.empty()) {
    out << "<p>Same network, hardware, objective, cost model and Cadenza version.</p>\n";
  } else {
    out << "<ul>\n";
    for (const std::string& c : diff.setting_changes) out << "<li>" << Escape(c) << "</li>\n";
    out << "</ul>\n";
  }
  out << "</section>\n<section id=\"totals\">\n<h2>Totals</h2>\n";
  auto delta_cell = [&](std::optional<double> change) {
    const char* cls = !change ? "num" : *change < 0 ? "num better" : *change > 0 ? "num worse" : "num";
    return std::string("<td class=\"") + cls + "\">" + Escape(Signed(change)) + "</td>";
  };
  int64_t ac = a.runtime_cycles, bc = b.runtime_cycles;
  double ae = a.energy_nj, be = b.energy_nj;
  if (TotalsComparable(diff)) {
    out << "<p>The whole network.</p>\n";
  } else {
    const CommonTotals t = CommonSums(diff);
    ac = t.a_cycles;
    bc = t.b_cycles;
    ae = t.a_energy_nj;
    be = t.b_energy_nj;
    out << "<p id=\"totals-scope\">Over the " << t.layers << " layer" << (t.layers == 1 ? "" : "s")
        << " both reviews map: the networks' totals cover different layers, so they are not "
           "compared.</p>\n";
  }
  out << "<div class=\"wrap\"><table id=\"totals-table\"><thead><tr><th></th><th class=\"num\">A"
         "</th><th class=\"num\">B</th><th class=\"num\">B vs A</th></tr></thead><tbody>\n"
      << "<tr><td>Cycles</td><td class=\"num\">" << FormatThousands(ac) << "</td><td class=\"num\">"
      << FormatThousands(bc) << "</td>"
      << delta_cell(RelativeChange(static_cast<double>(ac), static_cast<double>(bc))) << "</tr>\n"
      << "<tr><td>Energy</td><td class=\"num\">" << Escape(EnergyText(ae))
      << "</td><td class=\"num\">" << Escape(EnergyText(be)) << "</td>"
      << delta_cell(RelativeChange(ae, be)) << "</tr>\n</tbody></table></div>\n</section>\n";

  out << "<section id=\"layers\">\n<h2>Layers</h2>\n<p>" << diff.common << " in both, "
      << diff.only_a << " only in A, " << diff.only_b << " only in B; " << diff.dataflow_changes
      << " changed dataflow (highlighted).</p>\n<div class=\"wrap\"><table id=\"diff-table\" "
         "class=\"sortable-table\"><thead><tr><th>Layer</th><th>Op</th><th>Dims</th>"
         "<th>Dataflow A</th><th>Dataflow B</th><th class=\"num\">Cycles A</th><th class=\"num\">"
         "Cycles B</th><th class=\"num\">\u0394 cycles</th><th class=\"num\">Energy A</th>"
         "<th class=\"num\">Energy B</th><th class=\"num\">\u0394 energy</th></tr></thead><tbody>\n";
  for (const LayerDelta& d : diff.layers) {
    const bool both = d.a && d.b && d.a->found && d.b->found;
    out << "<tr" << (d.dataflow_changed() || !d.a || !d.b ? " class=\"changed\"" : "") << "><td>"
        << Escape(d.name) << "</td><td>" << Escape(d.op_type) << "</td><td>" << Escape(d.dims)
        << "</td><td>" << Escape(ChoiceText(d.a)) << "</td><td>" << Escape(ChoiceText(d.b))
        << "</td>";
    for (const ReviewSummary::Layer* l : {d.a, d.b}) {
      if (l && l->found) {
        out << "<td class=\"num\" data-v=\"" << l->runtime_cycles << "\">"
            << FormatThousands(l->runtime_cycles) << "</td>";
      } else {
        out << "<td class=\"num\" data-v=\"-1\">\u2013</td>";
      }
    }
    out << (both ? delta_cell(RelativeChange(static_cast<double>(d.a->runtime_cycles),
                                             static_cast<double>(d.b->runtime_cycles)))
                 : "<td class=\"num\"></td>");
    for (const ReviewSummary::Layer* l : {d.a, d.b}) {
      if (l && l->found) {
        out << "<td class=\"num\" data-v=\"" << JsonNumber(l->energy_nj) << "\">"
            << Escape(EnergyText(l->energy_nj)) << "</td>";
      } else {
        out << "<td class=\"num\" data-v=\"-1\">\u2013</td>";
      }
    }
    out << (both ? delta_cell(RelativeChange(d.a->energy_nj, d.b->energy_nj))
                 : "<td class=\"num\"></td>")
        << "</tr>\n";
  }
  out << "</tbody></table></div>\n</section>\n</main>\n<footer>Generated by Cadenza from two "
         "review JSON files (docs/report-schema.md).</footer>\n<script>"
      << html::Script() << "</script>\n</body>\n</html>\n";
}

}  // namespace cadenza
