// The report as one self-contained HTML page: inline CSS, inline SVG charts and a little inline
// script that sorts tables. A Content-Security-Policy forbids every request, so a page that
// tried to load anything would say so in the browser's console.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/dims.h"
#include "report/assets/report_css.h"
#include "report/assets/report_js.h"
#include "report/json_writer.h"
#include "report/report.h"
#include "report/report_html_internal.h"

namespace cadenza {

namespace {

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// Escaped, with a line-break opportunity after each '/' and '.', so that long node paths wrap
// between their parts rather than mid-word.
std::string EscapeName(std::string_view text) {
  std::string out;
  for (char c : text) {
    out += Escape(std::string_view(&c, 1));
    if (c == '/' || c == '.') out += "<wbr>";
  }
  return out;
}

std::string Scientific(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g", value);
  return buffer;
}

std::string Fixed(double value, int decimals) {
  if (!std::isfinite(value)) return "0";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string Percent(double fraction) { return Fixed(100 * fraction, 1) + "%"; }

std::string Joules(double pj) { return FormatSi(pj * 1e-12, "J"); }

// Bytes with binary prefixes, as capacities are usually powers of two.
std::string Bytes(int64_t bytes) {
  if (Hardware::IsUnlimited(bytes)) return "unlimited";
  if (bytes < 1024) return std::to_string(bytes) + " B";
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes) / 1024;
  int unit = 0;
  while (value >= 1024 && unit < 3) {
    value /= 1024;
    ++unit;
  }
  const int decimals = value >= 99.95 ? 0 : value >= 9.995 ? 1 : 2;
  std::string text = Fixed(value, decimals);
  // "1.00 KiB" reads better as "1 KiB".
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text + " " + kUnits[unit];
}

std::string Limit(int64_t value) {
  return Hardware::IsUnlimited(value) ? "unlimited" : FormatThousands(value);
}

std::string ObjectiveTitle(Objective objective) {
  return objective == Objective::kEdp ? "EDP" : std::string(ObjectiveName(objective));
}

std::string ObjectiveText(double value, const NetworkReport& r) {
  switch (r.objective) {
    case Objective::kLatency: return FormatThousands(static_cast<int64_t>(value)) + " cycles";
    case Objective::kEnergy: return Joules(value);
    case Objective::kEdp: return FormatSi(EdpJouleSeconds(value, r.hardware.clock_ghz), "J\u00b7s");
  }
  return "";
}

// Paul Tol's "bright" scheme: distinct for the common kinds of colour blindness.
constexpr const char* kPalette[] = {"#4477aa", "#ee6677", "#228833", "#ccbb44",
                                    "#66ccee", "#aa3377", "#bbbbbb", "#332288"};
constexpr const char* kEnergyColors[] = {"#4477aa", "#66ccee", "#ccbb44", "#ee6677"};
constexpr const char* kEnergyNames[] = {"MAC", "L1", "L2", "off-chip"};

class FamilyColors {
 public:
  explicit FamilyColors(const NetworkReport& r) {
    for (const BaselineReport& b : r.baselines) Add(b.family);
    for (const FamilyShare& s : r.choices) {
      if (!s.family.empty()) Add(s.family);
    }
  }
  std::string Of(const std::string& family) const {
    const auto it = index_.find(family);
    if (it == index_.end()) return "#999999";
    return kPalette[it->second % std::size(kPalette)];
  }

 private:
  void Add(const std::string& family) { index_.try_emplace(family, index_.size()); }
  std::map<std::string, size_t> index_;
};

// A round axis step near range / 4: 1, 2 or 5 times a power of ten.
double NiceStep(double range) {
  if (range <= 0) return 1;
  const double raw = range / 4;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= m * power) return m * power;
  }
  return 10 * power;
}

// ---------------------------------------------------------------------------------------------
// Charts

struct Segment {
  double value = 0;
  std::string color;
};
struct Bar {
  std::string label;    // the axis label (shortened) and tooltip title
  std::string tooltip;  // the tooltip's values
  std::vector<Segment> segments;
};

// A vertical bar chart, one (possibly stacked) bar per item, with a value axis.
void WriteColumnChart(std::ostream& out, const std::string& id, const std::string& title,
                      const std::vector<Bar>& bars, const std::string& unit, double scale,
                      bool percent_axis) {
  const double left = 64, right = 12, top = 12, bottom = 34;
  const double slot = bars.size() > 60 ? 8 : bars.size() > 30 ? 12 : 18;
  const double plot_w = std::max(1080.0, slot * static_cast<double>(bars.size()));
  const double plot_h = 200;
  const double width = left + plot_w + right, height = top + plot_h + bottom;
  double max = 0;
  for (const Bar& b : bars) {
    double sum = 0;
    for (const Segment& s : b.segments) sum += s.value;
    max = std::max(max, sum);
  }
  if (percent_axis) max = std::max(max, 1.0);
  const double step = NiceStep(max);
  const double top_value = max > 0 ? std::ceil(max / step) * step : 1;
  const double bar_slot = plot_w / static_cast<double>(std::max<size_t>(bars.size(), 1));
  const double bar_w = std::max(1.0, bar_slot * 0.78);

  out << "<figure class=\"chart\" id=\"" << id << "\"><figcaption>" << Escape(title)
      << "</figcaption>\n<svg class=\"columns\" role=\"img\" aria-label=\""
      << Escape(title) << "\" viewBox=\"0 0 " << Fixed(width, 0) << ' ' << Fixed(height, 0)
      << "\" width=\"" << Fixed(width, 0) << "\" height=\"" << Fixed(height, 0) << "\">\n";
  for (double v = 0; v <= top_value * (1 + 1e-9); v += step) {
    const double y = top + plot_h - plot_h * v / top_value;
    const std::string label =
        percent_axis ? Fixed(100 * v, 0) + "%" : FormatSi(v * scale, unit);
    out << "<line class=\"grid\" x1=\"" << Fixed(left, 1) << "\" x2=\"" << Fixed(left + plot_w, 1)
        << "\" y1=\"" << Fixed(y, 1) << "\" y2=\"" << Fixed(y, 1) << "\"/><text class=\"tick\" x=\""
        << Fixed(left - 6, 1) << "\" y=\"" << Fixed(y + 4, 1) << "\" text-anchor=\"end\">"
        << Escape(label) << "</text>\n";
  }
  const size_t label_every = std::max<size_t>(1, static_cast<size_t>(std::ceil(28 / bar_slot)));
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    const double x = left + bar_slot * static_cast<double>(i) + (bar_slot - bar_w) / 2;
    double y = top + plot_h;
    out << "<g><title>" << Escape(b.label) << ": " << Escape(b.tooltip) << "</title>";
    for (const Segment& s : b.segments) {
      const double h = top_value > 0 ? plot_h * s.value / top_value : 0;
      if (h <= 0) continue;
      y -= h;
      out << "<rect x=\"" << Fixed(x, 2) << "\" y=\"" << Fixed(y, 2) << "\" width=\""
          << Fixed(bar_w, 2) << "\" height=\"" << Fixed(h, 2) << "\" fill=\"" << s.color
          << "\"/>";
    }
    out << "</g>\n";
    if (i % label_every == 0) {
      out << "<text class=\"tick\" x=\"" << Fixed(x + bar_w / 2, 1) << "\" y=\""
          << Fixed(top + plot_h + 14, 1) << "\" text-anchor=\"middle\">" << i << "</text>\n";
    }
  }
  out << "<line class=\"axis\" x1=\"" << Fixed(left, 1) << "\" x2=\"" << Fixed(left + plot_w, 1)
      << "\" y1=\"" << Fixed(top + plot_h, 1) << "\" y2=\"" << Fixed(top + plot_h, 1)
      << "\"/><text class=\"axis-label\" x=\"" << Fixed(left + plot_w / 2, 1) << "\" y=\""
      << Fixed(height - 4, 1) << "\" text-anchor=\"middle\">layer #</text>\n</svg></figure>\n";
}

struct HBar {
  std::string label;
  double value = 0;
  std::string value_text;
  std::string color;
  bool hatched = false;
};

// Horizontal bars with their labels on the left and their values on the right.
void WriteBarChart(std::ostream& out, const std::string& id, const std::string& title,
                   const std::vector<HBar>& bars) {
  // Room for the longest label and value at about 7 px per character of 12 px text.
  size_t label_chars = 4, value_chars = 8;
  for (const HBar& b : bars) {
    label_chars = std::max(label_chars, b.label.size());
    value_chars = std::max(value_chars, b.value_text.size());
  }
  const double label_w = 12 + 7 * static_cast<double>(std::min<size_t>(label_chars, 24));
  const double value_w = 12 + 6.6 * static_cast<double>(value_chars);
  const double plot_w = 330, row_h = 24;
  const double width = label_w + plot_w + value_w;
  const double height = row_h * static_cast<double>(bars.size()) + 8;
  double max = 0;
  for (const HBar& b : bars) max = std::max(max, b.value);
  out << "<figure class=\"chart\" id=\"" << id << "\"><figcaption>" << Escape(title)
      << "</figcaption>\n<svg role=\"img\" aria-label=\""
      << Escape(title) << "\" viewBox=\"0 0 " << Fixed(width, 0) << ' ' << Fixed(height, 0)
      << "\" width=\"" << Fixed(width, 0) << "\" height=\"" << Fixed(height, 0) << "\">\n"
      << "<defs><pattern id=\"" << id << "-hatch\" width=\"6\" height=\"6\" "
         "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" "
         "height=\"6\" fill=\"#dddddd\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" "
         "stroke=\"#888888\" stroke-width=\"3\"/></pattern></defs>\n";
  for (size_t i = 0; i < bars.size(); ++i) {
    const HBar& b = bars[i];
    const double y = 4 + row_h * static_cast<double>(i);
    const double w = max > 0 ? std::max(1.0, plot_w * b.value / max) : 1;
    out << "<g><title>" << Escape(b.label) << ": " << Escape(b.value_text) << "</title>"
        << "<text class=\"label\" x=\"" << Fixed(label_w - 8, 1) << "\" y=\""
        << Fixed(y + row_h / 2 + 4, 1) << "\" text-anchor=\"end\">" << Escape(b.label)
        << "</text><rect x=\"" << Fixed(label_w, 1) << "\" y=\"" << Fixed(y + 3, 1)
        << "\" width=\"" << Fixed(w, 2) << "\" height=\"" << Fixed(row_h - 6, 1) << "\" fill=\""
        << (b.hatched ? "url(#" + id + "-hatch)" : b.color) << "\"/><text class=\"value\" x=\""
        << Fixed(label_w + w + 6, 1) << "\" y=\"" << Fixed(y + row_h / 2 + 4, 1) << "\">"
        << Escape(b.value_text) << "</text></g>\n";
  }
  out << "</svg></figure>\n";
}

// One bar split into the four energy components, with a legend.
void WriteEnergyBreakdown(std::ostream& out, const NetworkReport& r) {
  const double parts[] = {r.mac_energy_pj, r.l1_energy_pj, r.l2_energy_pj, r.offchip_energy_pj};
  const double total = parts[0] + parts[1] + parts[2] + parts[3];
  const double width = 670, bar_h = 28;
  out << "<figure class=\"chart\" id=\"chart-energy-breakdown\"><figcaption>Energy breakdown "
         "(whole network)</figcaption>\n<svg role=\"img\" "
         "aria-label=\"Energy breakdown\" viewBox=\"0 0 670 74\" width=\"670\" height=\"74\">\n";
  double x = 0;
  for (size_t i = 0; i < 4; ++i) {
    const double w = total > 0 ? width * parts[i] / total : 0;
    out << "<rect x=\"" << Fixed(x, 2) << "\" y=\"0\" width=\"" << Fixed(w, 2) << "\" height=\""
        << Fixed(bar_h, 0) << "\" fill=\"" << kEnergyColors[i] << "\"><title>"
        << kEnergyNames[i] << ": " << Joules(parts[i]) << "</title></rect>\n";
    x += w;
  }
  for (size_t i = 0; i < 4; ++i) {
    const double lx = 167.5 * static_cast<double>(i);
    out << "<rect x=\"" << Fixed(lx, 1) << "\" y=\"44\" width=\"12\" height=\"12\" fill=\""
        << kEnergyColors[i] << "\"/><text class=\"label\" x=\"" << Fixed(lx + 17, 1)
        << "\" y=\"54\">" << kEnergyNames[i] << " " << Joules(parts[i]) << " ("
        << Percent(total > 0 ? parts[i] / total : 0) << ")</text>\n";
  }
  out << "</svg></figure>\n";
}

void WriteLegend(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& items) {
  out << "<p class=\"legend\">";
  for (const auto& [name, color] : items) {
    out << "<span><i style=\"background:" << color << "\"></i>" << Escape(name) << "</span>";
  }
  out << "</p>\n";
}

// ---------------------------------------------------------------------------------------------
// Sections

std::string HardwareSummary(const Hardware& hw) {
  std::string text = FormatThousands(hw.num_pes) + " PEs";
  if (hw.simd_lanes > 1) text += " \u00d7 " + std::to_string(hw.simd_lanes) + " SIMD lanes";
  text += " \u00b7 L1 " + Bytes(hw.l1_size) + "/PE \u00b7 L2 " + Bytes(hw.l2_size);
  text += " \u00b7 NoC " + Limit(hw.noc_bw) + " elements/cycle (latency " +
          std::to_string(hw.noc_latency) + ")";
  text += " \u00b7 off-chip " + Limit(hw.offchip_bw) + " elements/cycle";
  text += " \u00b7 " + Fixed(hw.clock_ghz, hw.clock_ghz == std::floor(hw.clock_ghz) ? 0 : 2) +
          " GHz";
  const PerTensor<int64_t>& b = hw.bytes_per_element;
  if (b[Tensor::kInput] == b[Tensor::kFilter] && b[Tensor::kFilter] == b[Tensor::kOutput]) {
    text += " \u00b7 " + std::to_string(b[Tensor::kInput]) + " B/element";
  } else {
    text += " \u00b7 B/element input " + std::to_string(b[Tensor::kInput]) + ", filter " +
            std::to_string(b[Tensor::kFilter]) + ", output " + std::to_string(b[Tensor::kOutput]);
  }
  if (hw.bandwidth_is_hard_limit) text += " \u00b7 bandwidth is a hard limit";
  return text;
}

void WriteHeader(std::ostream& out, const NetworkReport& r) {
  const ReportContext& c = r.context;
  const Hardware& hw = r.hardware;
  out << "<header>\n<p class=\"kicker\">Cadenza dataflow review</p>\n<h1>" << Escape(r.title)
      << "</h1>\n<dl class=\"meta\">\n<dt>Model file</dt><dd><code>" << Escape(c.model_path)
      << "</code>";
  if (!r.network_name.empty()) out << " \u00b7 network <code>" << Escape(r.network_name) << "</code>";
  out << "</dd>\n<dt>SHA-256</dt><dd><code id=\"model-sha256\">"
      << Escape(c.model_sha256.empty() ? "unknown" : c.model_sha256) << "</code></dd>\n"
      << "<dt>Date</dt><dd>" << Escape(c.date) << "</dd>\n<dt>Cadenza</dt><dd>"
      << Escape(c.version) << "</dd>\n<dt>Command</dt><dd><code>" << Escape(c.command_line)
      << "</code></dd>\n<dt>Hardware</dt><dd>" << Escape(c.hardware_source) << "<span class=\"sub\">"
      << Escape(HardwareSummary(hw)) << "</span>";
  if (!c.hardware_text.empty()) {
    out << "<details><summary>configuration text</summary><pre>" << Escape(c.hardware_text)
        << "</pre></details>";
  }
  out << "</dd>\n<dt>Access energy</dt><dd>MAC " << JsonNumber(hw.energy.mac_pj) << " pJ \u00b7 L1 "
      << JsonNumber(hw.energy.l1_pj) << " pJ \u00b7 L2 " << JsonNumber(hw.energy.l2_pj)
      << " pJ \u00b7 off-chip " << JsonNumber(hw.energy.offchip_pj) << " pJ per access</dd>\n"
      << "<dt>Objective</dt><dd id=\"objective\">" << Escape(ObjectiveDescription(r))
      << " (minimised per layer)</dd>\n</dl>\n</header>\n";
  out << "<nav class=\"no-print\"><a href=\"#summary\">Summary</a><a href=\"#baselines\">"
         "Adaptive vs fixed</a><a href=\"#charts\">Charts</a><a href=\"#layers\">Layers</a>"
         "<a href=\"#infeasible\">Infeasible</a><a href=\"#warnings\">Warnings</a></nav>\n";
}

void Card(std::ostream& out, const std::string& label, const std::string& value_html,
          const std::string& detail_html) {
  out << "<div class=\"card\"><div class=\"label\">" << Escape(label) << "</div><div class=\"value\">"
      << value_html << "</div><div class=\"detail\">" << detail_html << "</div></div>\n";
}

void WriteSummary(std::ostream& out, const NetworkReport& r) {
  const NetworkTotals& t = r.totals;
  const Hardware& hw = r.hardware;
  const double seconds = r.runtime_seconds;
  const double total = t.energy_pj;
  auto share = [&](double part) { return Percent(total > 0 ? part / total : 0); };
  out << "<main>\n<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"cards\">\n";
  Card(out, "Latency",
       "<span id=\"total-cycles\" data-value=\"" + std::to_string(t.runtime_cycles) + "\">" +
           FormatThousands(t.runtime_cycles) + "</span>",
       "cycles \u00b7 <span id=\"total-seconds\" data-value=\"" + JsonNumber(seconds) + "\">" +
           FormatSi(seconds, "s") + "</span> at " + JsonNumber(hw.clock_ghz) + " GHz");
  Card(out, "Energy",
       "<span id=\"total-energy\" data-value=\"" + JsonNumber(total / 1000) + "\">" +
           Joules(total) + "</span>",
       "MAC " + share(r.mac_energy_pj) + " \u00b7 L1 " + share(r.l1_energy_pj) + " \u00b7 L2 " +
           share(r.l2_energy_pj) + " \u00b7 off-chip " + share(r.offchip_energy_pj));
  Card(out, "Energy-delay product",
       "<span id=\"total-edp\" data-value=\"" + JsonNumber(t.edp()) + "\">" +
           FormatSi(EdpJouleSeconds(t.edp(), hw.clock_ghz), "J\u00b7s") + "</span>",
       Scientific(t.edp()) + " pJ\u00b7cycles \u00b7 energy \u00d7 latency");
  Card(out, "MACs",
       "<span id=\"total-macs\" data-value=\"" + std::to_string(t.exact_macs) + "\">" +
           FormatSi(static_cast<double>(t.exact_macs), "") + "</span>",
       FormatThousands(t.exact_macs) + " exact" +
           (t.macs != t.exact_macs ? " \u00b7 " + FormatThousands(t.macs) + " as the cost model counts"
                                   : ""));
  Card(out, "Average utilization",
       "<span id=\"total-utilization\" data-value=\"" + JsonNumber(r.utilization) + "\">" +
           Percent(r.utilization) + "</span>",
       "of " + FormatThousands(hw.num_pes * hw.simd_lanes) + " MAC units, weighted by time");
  Card(out, "Layers",
       "<span id=\"total-layers\" data-value=\"" + std::to_string(r.layers.size()) + "\">" +
           std::to_string(r.layers.size()) + "</span>",
       CountOf(r.distinct_layers, "distinct shape") +
           (t.layers_without_mapping > 0
                ? " \u00b7 <span class=\"over\">" + std::to_string(t.layers_without_mapping) +
                      " without a mapping</span>"
                : ""));
  Card(out, "Candidates evaluated", FormatThousands(r.candidates_evaluated),
       FormatThousands(r.candidates_feasible) + " feasible (" +
           Percent(r.candidates_evaluated > 0
                       ? static_cast<double>(r.candidates_feasible) /
                             static_cast<double>(r.candidates_evaluated)
                       : 0) +
           ")" +
           (r.candidates_skipped > 0
                ? " \u00b7 " + FormatThousands(r.candidates_skipped) +
                      " skipped: their lower bound could not beat the best"
                : std::string()));
  out << "</div>\n<p class=\"note\">Energy is Cadenza's: MAC, L1, L2 and off-chip access energy "
         "(off-chip counts every tensor once, a lower bound), the quantity the search minimises. "
         "Cycles, energy and MACs of a layer count all its instances. Utilization is the true "
         "MAC count over the MAC units' capacity for the cycles taken.";
  if (t.layers_without_mapping > 0) {
    out << " <strong class=\"over\">" << CountOf(t.layers_without_mapping, "layer")
        << (t.layers_without_mapping == 1 ? " has no feasible mapping and is"
                                            : " have no feasible mapping and are")
        << " not in the totals.</strong>";
  }
  int64_t analysed_macs = 0;
  for (const LayerReport& l : r.layers) analysed_macs += l.exact_macs;
  if (const std::string s = NotAnalysedSummary(analysed_macs, r.context.skipped); !s.empty()) {
    out << " <strong class=\"over\" id=\"not-analysed\">" << Escape(s)
        << "; they are not in the totals (see <a href=\"#warnings\">Warnings</a>).</strong>";
  }
  out << "</p>\n</section>\n";
}

void WriteBaselines(std::ostream& out, const NetworkReport& r, const FamilyColors& colors) {
  const NetworkTotals& t = r.totals;
  out << "<section id=\"baselines\">\n<h2>Adaptive choice vs one dataflow for every layer</h2>\n"
         "<p class=\"note\">Each fixed row uses one dataflow family for the whole network, its "
         "parameters still tuned per layer; the adaptive row picks the best family per layer. "
         "Ratios compare the network's "
      << ObjectiveName(r.objective)
      << " (higher is worse). A family without a feasible mapping for some layer leaves those "
         "layers out of its totals; its ratio then compares it with the adaptive choice over the "
         "layers it maps only (\"over N of M layers\"), and it has no bar in the chart.</p>\n"
         "<div class=\"wrap\"><table id=\"baseline-table\" class=\"sortable-table\"><thead><tr>"
         "<th>Dataflow</th><th class=\"num\">Cycles</th><th class=\"num\">Energy</th>"
         "<th class=\"num\">EDP</th><th class=\"num\">vs adaptive</th>"
         "<th>Layers without mapping</th></tr></thead>\n<tbody>\n";
  out << "<tr class=\"best\"><td>adaptive (per layer)</td><td class=\"num\" data-v=\""
      << t.runtime_cycles << "\">" << FormatThousands(t.runtime_cycles)
      << "</td><td class=\"num\" data-v=\"" << JsonNumber(t.energy_pj) << "\">"
      << Joules(t.energy_pj) << "</td><td class=\"num\" data-v=\"" << JsonNumber(t.edp()) << "\">"
      << FormatSi(EdpJouleSeconds(t.edp(), r.hardware.clock_ghz), "J\u00b7s")
      << "</td><td class=\"num\" data-v=\"1\">1.000\u00d7</td><td>"
      << t.layers_without_mapping << "</td></tr>\n";
  for (const BaselineReport& b : r.baselines) {
    out << "<tr><td><span class=\"swatch\" style=\"background:" << colors.Of(b.family)
        << "\"></span>" << Escape(b.family) << "</td><td class=\"num\" data-v=\""
        << b.totals.runtime_cycles << "\">" << FormatThousands(b.totals.runtime_cycles)
        << "</td><td class=\"num\" data-v=\"" << JsonNumber(b.totals.energy_pj) << "\">"
        << Joules(b.totals.energy_pj) << "</td><td class=\"num\" data-v=\""
        << JsonNumber(b.totals.edp()) << "\">"
        << FormatSi(EdpJouleSeconds(b.totals.edp(), r.hardware.clock_ghz), "J\u00b7s")
        << "</td><td class=\"num\" data-v=\"" << (b.has_ratio ? JsonNumber(b.ratio) : "")
        << "\">" << (b.has_ratio ? Fixed(b.ratio, 3) + "\u00d7" : "\u2013")
        << "</td><td" << (b.complete ? "" : " class=\"over\"") << ">"
        << b.totals.layers_without_mapping
        << (b.complete ? "" : "; " + Escape(BaselineCoverage(b, r.layers.size())))
        << "</td></tr>\n";
  }
  out << "</tbody></table></div>\n";

  std::vector<HBar> bars;
  bars.push_back({.label = "adaptive",
                  .value = r.network_objective,
                  .value_text = ObjectiveText(r.network_objective, r) + " (1.000\u00d7)",
                  .color = "#1d2430"});
  // A bar's length ranks the whole network; a family that maps only part of it has none.
  for (const BaselineReport& b : r.baselines) {
    if (!b.complete) continue;
    bars.push_back({.label = b.family,
                    .value = b.objective,
                    .value_text = ObjectiveText(b.objective, r) + " (" + Fixed(b.ratio, 3) + "\u00d7)",
                    .color = colors.Of(b.family)});
  }
  WriteBarChart(out, "chart-baselines",
                "Network " + ObjectiveTitle(r.objective) + " by dataflow (lower is better)",
                bars);
  out << "</section>\n";
}

void WriteCharts(std::ostream& out, const NetworkReport& r, const FamilyColors& colors) {
  out << "<section id=\"charts\">\n<h2>Where the time and energy go</h2>\n";
  std::vector<std::pair<std::string, std::string>> legend;
  for (const FamilyShare& s : r.choices) {
    if (!s.family.empty()) legend.emplace_back(s.family, colors.Of(s.family));
  }

  std::vector<Bar> latency, energy, utilization;
  for (const LayerReport& l : r.layers) {
    const std::string label = "#" + std::to_string(l.index) + " " + l.name;
    const std::string family = l.found ? l.dataflow : "no mapping";
    latency.push_back({label, FormatThousands(l.runtime_cycles) + " cycles, " + family,
                       {{static_cast<double>(l.runtime_cycles), colors.Of(l.dataflow)}}});
    energy.push_back({label,
                      Joules(l.energy_pj) + " (MAC " + Joules(l.mac_energy_pj) + ", L1 " +
                          Joules(l.l1_energy_pj) + ", L2 " + Joules(l.l2_energy_pj) +
                          ", off-chip " + Joules(l.offchip_energy_pj) + ")",
                      {{l.mac_energy_pj, kEnergyColors[0]},
                       {l.l1_energy_pj, kEnergyColors[1]},
                       {l.l2_energy_pj, kEnergyColors[2]},
                       {l.offchip_energy_pj, kEnergyColors[3]}}});
    utilization.push_back({label, Percent(l.utilization) + ", " + family,
                           {{l.utilization, colors.Of(l.dataflow)}}});
  }
  WriteColumnChart(out, "chart-latency", "Latency per layer (cycles)", latency, "", 1, false);
  WriteLegend(out, legend);
  WriteColumnChart(out, "chart-energy", "Energy per layer", energy, "J", 1e-12, false);
  WriteLegend(out, {{"MAC", kEnergyColors[0]},
                    {"L1", kEnergyColors[1]},
                    {"L2", kEnergyColors[2]},
                    {"off-chip", kEnergyColors[3]}});
  WriteColumnChart(out, "chart-utilization", "Utilization per layer", utilization, "", 1, true);
  WriteLegend(out, legend);

  out << "<div class=\"two\">\n<div>\n";
  WriteEnergyBreakdown(out, r);
  out << "</div>\n<div>\n";
  std::vector<HBar> shares;
  const double layers = static_cast<double>(std::max<size_t>(r.layers.size(), 1));
  const double cycles = static_cast<double>(std::max<int64_t>(r.totals.runtime_cycles, 1));
  for (const FamilyShare& s : r.choices) {
    shares.push_back({.label = s.family.empty() ? "no mapping" : s.family,
                      .value = static_cast<double>(s.layers),
                      .value_text = CountOf(s.layers, "layer") + " (" +
                                    Percent(s.layers / layers) + "), " +
                                    Percent(static_cast<double>(s.runtime_cycles) / cycles) +
                                    " of cycles",
                      .color = colors.Of(s.family),
                      .hatched = s.family.empty()});
  }
  WriteBarChart(out, "chart-choices", "Dataflow choice distribution", shares);
  out << "</div>\n</div>\n</section>\n";
}

// "812 B / 1 KiB" with a meter; red when the need exceeds the capacity.
std::string NeedCell(int64_t need, int64_t capacity, bool bytes) {
  const bool over = need > capacity;
  const bool unlimited = Hardware::IsUnlimited(capacity);
  const double fill = unlimited || capacity <= 0
                          ? 0
                          : std::min(1.0, static_cast<double>(need) / static_cast<double>(capacity));
  std::string cell = "<td class=\"num\" data-v=\"" + std::to_string(need) + "\"><span" +
                     (over ? std::string(" class=\"over\"") : "") + ">" +
                     (bytes ? Bytes(need) : FormatThousands(need)) + "</span> / " +
                     (bytes ? Bytes(capacity) : Limit(capacity));
  if (!unlimited) {
    cell += "<span class=\"meter" + std::string(over ? " over" : "") + "\"><i style=\"width:" +
            Fixed(100 * fill, 1) + "%\"></i></span>";
  }
  return cell + "</td>";
}

void WriteLayerTable(std::ostream& out, const NetworkReport& r, const FamilyColors& colors) {
  const Hardware& hw = r.hardware;
  out << "<section id=\"layers\">\n<h2>Layers</h2>\n<p class=\"note\">One row per layer, in "
         "network order; click a column header to sort. Need / capacity: L1 per PE and L2 in "
         "bytes, double-buffered; bandwidth in elements per cycle (NoC: peak). The margin is how "
         "much worse the best other family is on the objective ("
      << ObjectiveName(r.objective)
      << ").</p>\n<div class=\"wrap\"><table id=\"layer-table\" class=\"sortable-table\"><thead>"
         "<tr><th class=\"num\">#</th><th>Layer</th><th>Op, dims</th><th>Dataflow</th>"
         "<th class=\"num\">Cycles</th><th class=\"num\">Energy</th><th class=\"num\">Util.</th>"
         "<th class=\"num\">L1 need<br>/ capacity</th><th class=\"num\">L2 need<br>/ capacity</th>"
         "<th class=\"num\">NoC bw<br>need / avail.</th><th class=\"num\">Off-chip bw<br>"
         "need / avail.</th><th>Runner-up<br>(margin)</th></tr></thead>\n<tbody>\n";
  for (const LayerReport& l : r.layers) {
    out << "<tr data-layer=\"" << l.index << "\"><td class=\"num\" data-v=\"" << l.index << "\">"
        << l.index << "</td><td class=\"name\"><span class=\"lname\">" << EscapeName(l.name)
        << "</span>";
    if (l.instances > 1) out << "<span class=\"sub\">\u00d7" << l.instances << " instances</span>";
    if (l.representative != l.index) {
      out << "<span class=\"sub\">same shape as #" << l.representative << "</span>";
    }
    out << "</td><td>" << Escape(l.op_type) << " <span class=\"muted\">" << OpKindName(l.kind)
        << "</span><span class=\"sub mono nowrap\">" << Escape(FormatDims(l.kind, l.shape))
        << "</span></td>";
    if (!l.found) {
      out << "<td class=\"over\">no feasible mapping<span class=\"sub\">" << Escape(l.note)
          << "</span></td>";
      for (int i = 0; i < 8; ++i) out << "<td class=\"num\" data-v=\"\">\u2014</td>";
      out << "</tr>\n";
      continue;
    }
    out << "<td><span class=\"swatch\" style=\"background:" << colors.Of(l.dataflow) << "\"></span>"
        << Escape(l.dataflow) << "<span class=\"sub mono nowrap\">" << Escape(FormatParams(l.params)) << "</span>"
        << "<details class=\"no-print\"><summary>mapping</summary><pre>" << Escape(l.mapping_text)
        << "</pre></details></td>";
    out << "<td class=\"num\" data-v=\"" << l.runtime_cycles << "\">"
        << FormatThousands(l.runtime_cycles) << "</td><td class=\"num\" data-v=\""
        << JsonNumber(l.energy_pj) << "\">" << Joules(l.energy_pj)
        << "</td><td class=\"num\" data-v=\"" << JsonNumber(l.utilization) << "\">"
        << Percent(l.utilization) << "<span class=\"meter\"><i style=\"width:"
        << Fixed(100 * std::min(1.0, l.utilization), 1) << "%\"></i></span></td>";
    out << NeedCell(l.l1_need_bytes, hw.l1_size, true) << NeedCell(l.l2_need_bytes, hw.l2_size, true)
        << NeedCell(l.noc_bw_need_per_cycle, hw.noc_bw, false)
        << NeedCell(l.offchip_bw_need_per_cycle, hw.offchip_bw, false);
    if (l.has_runner_up) {
      out << "<td data-v=\"" << JsonNumber(l.runner_up_margin) << "\">" << Escape(l.runner_up)
          << "<span class=\"sub\">+" << Percent(l.runner_up_margin) << "</span></td>";
    } else {
      out << "<td data-v=\"\">\u2014<span class=\"sub\">no other family fits</span></td>";
    }
    out << "</tr>\n";
  }
  const NetworkTotals& t = r.totals;
  out << "</tbody>\n<tfoot><tr><td></td><td>Total</td><td></td><td></td>"
         "<td class=\"num\" id=\"table-total-cycles\">"
      << FormatThousands(t.runtime_cycles) << "</td><td class=\"num\" id=\"table-total-energy\">"
      << Joules(t.energy_pj) << "</td><td class=\"num\">" << Percent(r.utilization)
      << "</td><td></td><td></td><td></td><td></td><td></td></tr></tfoot>\n</table></div>\n"
         "</section>\n";
}

void WriteInfeasible(std::ostream& out, const NetworkReport& r) {
  out << "<section id=\"infeasible\">\n<h2>Infeasible candidates</h2>\n";
  if (r.candidates_skipped > 0) {
    out << "<p class=\"note\" id=\"skipped-candidates\">" << FormatThousands(r.candidates_skipped)
        << " further candidates were not evaluated: a lower bound on their objective (their "
           "MACs, the elements they must move and, where the mapping allows, their exact DRAM "
           "traffic) already exceeded the best feasible candidate of their family, or their first "
           "tiles already overflowed L1 or L2, so they could not change any choice.</p>\n";
  }
  if (r.infeasible.empty()) {
    out << "<p>Every one of the " << FormatThousands(r.candidates_evaluated)
        << " candidates evaluated was feasible.</p>\n</section>\n";
    return;
  }
  out << "<p class=\"note\">" << FormatThousands(r.candidates_evaluated)
      << " candidates were evaluated over the distinct layer shapes; these were rejected, by "
         "reason.</p>\n<div class=\"wrap\"><table id=\"infeasible-table\"><thead><tr>"
         "<th>Reason</th><th class=\"num\">Candidates</th><th class=\"num\">Share</th>"
         "<th>Meaning</th></tr></thead>\n<tbody>\n";
  for (const InfeasibleCount& c : r.infeasible) {
    out << "<tr><td><code>" << InfeasibleName(c.reason) << "</code></td><td class=\"num\">"
        << FormatThousands(c.count) << "</td><td class=\"num\">"
        << Percent(r.candidates_evaluated > 0 ? static_cast<double>(c.count) /
                                                    static_cast<double>(r.candidates_evaluated)
                                              : 0)
        << "</td><td>" << Escape(InfeasibleExplanation(c.reason)) << "</td></tr>\n";
  }
  out << "</tbody></table></div>\n</section>\n";
}

void WriteWarnings(std::ostream& out, const NetworkReport& r) {
  out << "<section id=\"warnings\">\n<h2>Warnings</h2>\n";
  if (r.warnings.empty() && r.context.skipped.empty()) {
    out << "<p>None.</p>\n";
  }
  if (!r.warnings.empty()) {
    out << "<ul class=\"warnings\">\n";
    for (const std::string& w : r.warnings) out << "<li>" << Escape(w) << "</li>\n";
    out << "</ul>\n";
  }
  if (!r.context.skipped.empty()) {
    out << "<h3>Nodes with MACs left out of the network</h3>\n<div class=\"wrap\"><table "
           "id=\"skipped-table\"><thead><tr><th>Node</th><th>Op</th><th>Reason</th></tr></thead>"
           "\n<tbody>\n";
    for (const ReportSkippedNode& s : r.context.skipped) {
      out << "<tr><td class=\"name\">" << Escape(s.name) << "</td><td>" << Escape(s.op_type)
          << "</td><td>" << Escape(s.reason) << "</td></tr>\n";
    }
    out << "</tbody></table></div>\n";
  }
  if (!r.context.other_ops.empty()) {
    out << "<p class=\"note\">Operators without MACs, not costed: ";
    for (size_t i = 0; i < r.context.other_ops.size(); ++i) {
      out << (i ? ", " : "") << Escape(r.context.other_ops[i].first) << " \u00d7"
          << r.context.other_ops[i].second;
    }
    out << ".</p>\n";
  }
  out << "</section>\n";
}

std::string Ratio(double a, double b) { return b > 0 ? Fixed(a / b, 2) + "\u00d7" : "\u2013"; }

// The chosen mappings under both cost models, and the error classes that explain large gaps.
void WriteModelComparison(std::ostream& out, const NetworkReport& r) {
  if (!r.comparison) return;
  const ModelComparison& c = *r.comparison;
  out << "<section id=\"models\">\n<h2>Exact model vs MAESTRO-compatible model</h2>\n"
         "<p class=\"note\">The mappings were chosen with the <b>"
      << CostModelName(c.searched_with)
      << "</b> model. Each is evaluated here under both: the exact model counts what the "
         "machine of docs/exact-model.md does; the MAESTRO-compatible model reproduces the "
         "original tool, errors included. Where runtime or energy differ by more than "
      << Fixed(100 * (kLargeModelDifference - 1), 0)
      << "%, the classes name the causes (docs/exact-model.md, \"Where the models differ\"). "
         "Whole network: runtime MAESTRO/exact "
      << Ratio(static_cast<double>(c.maestro_runtime_cycles), static_cast<double>(c.exact_runtime_cycles))
      << ", energy " << Ratio(c.maestro_energy_pj, c.exact_energy_pj)
      << ".</p>\n<div class=\"wrap\"><table id=\"models-table\" class=\"sortable-table\"><thead><tr>"
         "<th class=\"num\">#</th><th>Layer</th><th class=\"num\">Cycles, exact</th>"
         "<th class=\"num\">Cycles, MAESTRO</th><th class=\"num\">Ratio</th>"
         "<th class=\"num\">Energy, exact</th><th class=\"num\">Energy, MAESTRO</th>"
         "<th class=\"num\">Ratio</th><th>Classes</th></tr></thead>\n<tbody>\n";
  for (const ModelComparisonRow& row : c.rows) {
    out << "<tr><td class=\"num\">" << row.layer + 1 << "</td><td class=\"name\">"
        << Escape(row.name) << "</td>";
    if (!row.compared) {
      out << "<td colspan=\"7\">" << Escape(row.note) << "</td></tr>\n";
      continue;
    }
    std::string classes;
    for (const std::string& k : row.classes) classes += (classes.empty() ? "" : ", ") + k;
    out << "<td class=\"num\">" << FormatThousands(row.exact_runtime_cycles)
        << "</td><td class=\"num\">" << FormatThousands(row.maestro_runtime_cycles)
        << "</td><td class=\"num\">"
        << Ratio(static_cast<double>(row.maestro_runtime_cycles),
                 static_cast<double>(row.exact_runtime_cycles))
        << "</td><td class=\"num\">" << Joules(row.exact_energy_pj) << "</td><td class=\"num\">"
        << Joules(row.maestro_energy_pj) << "</td><td class=\"num\">"
        << Ratio(row.maestro_energy_pj, row.exact_energy_pj) << "</td><td>" << Escape(classes)
        << "</td></tr>\n";
  }
  out << "</tbody></table></div>\n</section>\n";
}

// The sections after the summary: everything that is about the layers of one search.
void WriteLayerSectionsOf(std::ostream& out, const NetworkReport& r) {
  const FamilyColors colors(r);
  WriteBaselines(out, r, colors);
  WriteCharts(out, r, colors);
  WriteLayerTable(out, r, colors);
  WriteModelComparison(out, r);
  WriteInfeasible(out, r);
  WriteWarnings(out, r);
}

}  // namespace

namespace html {

std::string_view Style() { return assets::ReportCss(); }

void WriteDocumentHead(std::ostream& out, std::string_view version, std::string_view title,
                       std::string_view kind, std::string_view extra_style) {
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n";
  if (!version.empty()) {
    out << "<meta name=\"generator\" content=\"Cadenza " << Escape(version) << "\">\n";
  }
  out << "<title>" << Escape(title) << " \u2014 " << kind
      << "</title>\n<link rel=\"icon\" href=\"data:,\">\n<style>" << assets::ReportCss() << extra_style
      << "</style>\n</head>\n<body>\n";
}
std::string_view Script() { return assets::ReportJs(); }
std::string Escape(std::string_view text) { return cadenza::Escape(text); }
std::string Bytes(int64_t bytes) { return cadenza::Bytes(bytes); }
std::string Limit(int64_t value) { return cadenza::Limit(value); }
std::string Fixed(double value, int decimals) { return cadenza::Fixed(value, decimals); }
std::string Percent(double fraction) { return cadenza::Percent(fraction); }
std::string Joules(double pj) { return cadenza::Joules(pj); }
std::string HardwareSummary(const Hardware& hw) { return cadenza::HardwareSummary(hw); }
void WriteLayerSections(const NetworkReport& report, std::ostream& out) {
  WriteLayerSectionsOf(out, report);
}

}  // namespace html

void WriteHtml(const NetworkReport& r, std::ostream& out) {
  html::WriteDocumentHead(out, r.context.version, r.title, "Cadenza dataflow review");
  WriteHeader(out, r);
  WriteSummary(out, r);
  WriteLayerSectionsOf(out, r);
  out << "</main>\n<footer>Generated by Cadenza " << Escape(r.context.version) << " on "
      << Escape(r.context.date)
      << ". The same data as JSON: docs/report-schema.md (schema version " << kReportSchemaVersion
      << ").</footer>\n<script>" << assets::ReportJs() << "</script>\n</body>\n</html>\n";
}

}  // namespace cadenza
