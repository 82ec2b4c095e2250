// The design-space exploration report as one self-contained HTML page.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "report/dse_report.h"
#include "report/dse_report_internal.h"
#include "report/json_writer.h"
#include "report/report_html_internal.h"

namespace cadenza {

using html::Joules;
using internal::Best;
using internal::Edp;
using internal::ExcludedList;
using internal::ThreeDigits;

namespace {

using html::Escape;
using html::Fixed;

// The Pareto scatter's own styles, after the search report's.
constexpr std::string_view kDseStyle = R"CSS(
figure.chart svg.scatter{min-width:320px}
svg .pt{stroke:#ffffff;stroke-width:.6;fill-opacity:.6}
svg .pt.pf{stroke:#1d2430;stroke-width:1.6;fill-opacity:1}
svg .pt.off{fill:none;stroke:#b4b9c0;stroke-width:1}
svg .ring{fill:none;stroke:#b3261e;stroke-width:2.4}
.legend i.pf{outline:2px solid #1d2430;outline-offset:-1px}
.legend i.off{background:none;border:1px solid #b4b9c0;border-radius:50%}
.legend i.ring{background:none;border:2px solid #b3261e;border-radius:50%}
td.label{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"Liberation Mono",monospace;font-size:11px;min-width:160px}
section#chosen-intro{margin-top:36px}
h2.part{border-bottom-width:4px}
@media print{figure.chart svg.scatter{min-width:0}}
)CSS";

// A sequential scheme (viridis), light enough at its dark end to show a dark outline.
constexpr const char* kAreaColors[] = {"#414487", "#2a788e", "#22a884", "#7ad151", "#fde725"};
constexpr int kAreaBins = 5;

// Area bins: log-spaced between the smallest and the largest plotted area.
class AreaScale {
 public:
  AreaScale(double min, double max) : min_(min), max_(max) {}
  int Bin(double area) const {
    if (!(max_ > min_) || area <= min_) return 0;
    const double t = std::log(area / min_) / std::log(max_ / min_);
    return std::clamp(static_cast<int>(t * kAreaBins), 0, kAreaBins - 1);
  }
  double Upper(int bin) const {
    if (!(max_ > min_)) return max_;
    return min_ * std::pow(max_ / min_, static_cast<double>(bin + 1) / kAreaBins);
  }
  int bins() const { return max_ > min_ ? kAreaBins : 1; }

 private:
  double min_, max_;
};

// One axis of the scatter: logarithmic when the values span more than a factor of 8.
class Axis {
 public:
  Axis(double min, double max, double pixels, bool flip) : pixels_(pixels), flip_(flip) {
    if (!(min > 0) || !(max > 0)) min = max = 1;
    log_ = max / min > 8;
    if (log_) {
      lo_ = std::log10(min) - 0.04 * std::log10(max / min);
      hi_ = std::log10(max) + 0.04 * std::log10(max / min);
    } else {
      const double pad = max > min ? 0.06 * (max - min) : 0.1 * max;
      lo_ = std::max(0.0, min - pad);
      hi_ = max + pad;
    }
  }
  double Position(double value) const {
    const double v = log_ ? std::log10(std::max(value, 1e-300)) : value;
    const double t = hi_ > lo_ ? (v - lo_) / (hi_ - lo_) : 0.5;
    return flip_ ? pixels_ * (1 - t) : pixels_ * t;
  }
  // Round values inside the axis: 1, 2, 5 x 10^k.
  std::vector<double> Ticks() const {
    std::vector<double> ticks;
    if (log_) {
      for (int e = static_cast<int>(std::floor(lo_)); e <= static_cast<int>(std::ceil(hi_)); ++e) {
        for (double m : {1.0, 2.0, 5.0}) {
          const double v = m * std::pow(10.0, e);
          const double l = std::log10(v);
          if (l >= lo_ && l <= hi_) ticks.push_back(v);
        }
      }
      // Many decades: keep the powers of ten only.
      if (ticks.size() > 9) {
        std::erase_if(ticks, [](double v) {
          const double l = std::log10(v);
          return std::fabs(l - std::round(l)) > 1e-9;
        });
      }
      return ticks;
    }
    const double raw = (hi_ - lo_) / 5;
    if (!(raw > 0)) return {lo_};
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    double step = 10 * power;
    for (double m : {1.0, 2.0, 5.0}) {
      if (raw <= m * power) {
        step = m * power;
        break;
      }
    }
    for (double v = std::ceil(lo_ / step) * step; v <= hi_ + 1e-12 * hi_; v += step) {
      ticks.push_back(v);
    }
    return ticks;
  }
  bool log() const { return log_; }

 private:
  double pixels_;
  bool flip_;
  bool log_ = false;
  double lo_ = 0, hi_ = 1;
};

// Labels for an axis's ticks that tell every tick apart: FormatSi's three digits, unless two
// ticks of a narrow linear axis would read the same ("1.66 mJ" twice); then every label shares
// the largest tick's prefix and takes as many decimals as the ticks need.
std::vector<std::string> TickLabels(const std::vector<double>& ticks, const std::string& unit) {
  std::vector<std::string> labels;
  for (double v : ticks) labels.push_back(FormatSi(v, unit));
  auto distinct = [](std::vector<std::string> l) {
    std::sort(l.begin(), l.end());
    return std::adjacent_find(l.begin(), l.end()) == l.end();
  };
  if (distinct(labels) || ticks.empty()) return labels;
  double largest = 0;
  for (double v : ticks) largest = std::max(largest, std::fabs(v));
  static constexpr const char* kPrefixes[] = {"p", "n", "\u00b5", "m", "", "k", "M", "G"};
  const int exponent =
      std::clamp(static_cast<int>(std::floor(std::log10(largest) / 3)), -4, 3);
  const double scale = std::pow(1000.0, exponent);
  for (int decimals = 0; decimals <= 9; ++decimals) {
    labels.clear();
    for (double v : ticks) {
      char buffer[64];
      std::snprintf(buffer, sizeof buffer, "%.*f", decimals, v / scale);
      labels.push_back(std::string(buffer) + " " + kPrefixes[exponent + 4] + unit);
    }
    if (distinct(labels)) break;
  }
  return labels;
}

// A point can be plotted when every layer has a mapping: otherwise its totals leave layers out.
bool Plotted(const DsePointReport& p) {
  return p.result.totals.layers_without_mapping == 0 && p.result.totals.runtime_cycles > 0 &&
         p.result.totals.energy_pj > 0;
}

std::string PointTooltip(const DsePointReport& p) {
  const DesignResult& d = p.result;
  std::string text = "#" + std::to_string(p.index) + " " + p.label + "\n" +
                     FormatSi(p.runtime_seconds, "s") + " (" +
                     FormatThousands(d.totals.runtime_cycles) + " cycles), " +
                     Joules(d.totals.energy_pj) + ", EDP " + Edp(d.totals.edp(), p.hardware) +
                     ", power " + FormatPower(p.average_power_mw) + "\narea " +
                     FormatArea(d.provisioned.area_um2) + ", peak power " +
                     FormatPower(d.provisioned.power_mw) + " (provisioned" +
                     (d.area_power_excludes.empty() ? "" : ", excluding the unbounded " +
                                                               ExcludedList(d)) +
                     ")";
  if (p.best) text += "\nthe chosen design";
  if (d.pareto) text += "\non the Pareto front";
  if (!d.feasible) text += "\ninfeasible: " + d.reason;
  return text;
}

void WriteScatter(std::ostream& out, const DseReport& r) {
  std::vector<const DsePointReport*> plotted;
  double x_min = 0, x_max = 0, y_min = 0, y_max = 0, a_min = 0, a_max = 0;
  for (const DsePointReport& p : r.points) {
    if (!Plotted(p)) continue;
    const double x = p.runtime_seconds, y = p.result.totals.energy_pj * 1e-12;
    const double a = p.result.provisioned.area_um2;
    if (plotted.empty()) {
      x_min = x_max = x;
      y_min = y_max = y;
      a_min = a_max = a;
    }
    x_min = std::min(x_min, x);
    x_max = std::max(x_max, x);
    y_min = std::min(y_min, y);
    y_max = std::max(y_max, y);
    a_min = std::min(a_min, a);
    a_max = std::max(a_max, a);
    plotted.push_back(&p);
  }
  const size_t left_out = r.points.size() - plotted.size();
  out << "<figure class=\"chart\" id=\"chart-pareto\"><figcaption>Latency and energy of every "
         "design point (lower left is better)</figcaption>\n";
  if (plotted.empty()) {
    out << "<p>No design point has a mapping for every layer; there is nothing to plot.</p>"
           "</figure>\n";
    return;
  }
  // The right margin holds half of a centred x-tick label at the plot's right edge ("5.00 ms").
  const double left = 74, right = 40, top = 12, bottom = 46;
  const double plot_w = 880, plot_h = 400;
  const double width = left + plot_w + right, height = top + plot_h + bottom;
  const Axis x_axis(x_min, x_max, plot_w, false);
  const Axis y_axis(y_min, y_max, plot_h, true);
  const AreaScale areas(a_min, a_max);
  out << "<svg class=\"scatter\" role=\"img\" aria-label=\"Latency and energy of every design "
         "point\" viewBox=\"0 0 "
      << Fixed(width, 0) << ' ' << Fixed(height, 0) << "\" width=\"" << Fixed(width, 0)
      << "\" height=\"" << Fixed(height, 0) << "\">\n";
  const std::vector<double> x_ticks = x_axis.Ticks(), y_ticks = y_axis.Ticks();
  const std::vector<std::string> x_labels = TickLabels(x_ticks, "s");
  const std::vector<std::string> y_labels = TickLabels(y_ticks, "J");
  for (size_t i = 0; i < x_ticks.size(); ++i) {
    const double x = left + x_axis.Position(x_ticks[i]);
    out << "<line class=\"grid\" x1=\"" << Fixed(x, 1) << "\" x2=\"" << Fixed(x, 1) << "\" y1=\""
        << Fixed(top, 1) << "\" y2=\"" << Fixed(top + plot_h, 1)
        << "\"/><text class=\"tick\" x=\"" << Fixed(x, 1) << "\" y=\""
        << Fixed(top + plot_h + 14, 1) << "\" text-anchor=\"middle\">" << Escape(x_labels[i])
        << "</text>\n";
  }
  for (size_t i = 0; i < y_ticks.size(); ++i) {
    const double y = top + y_axis.Position(y_ticks[i]);
    out << "<line class=\"grid\" x1=\"" << Fixed(left, 1) << "\" x2=\"" << Fixed(left + plot_w, 1)
        << "\" y1=\"" << Fixed(y, 1) << "\" y2=\"" << Fixed(y, 1) << "\"/><text class=\"tick\" x=\""
        << Fixed(left - 6, 1) << "\" y=\"" << Fixed(y + 4, 1) << "\" text-anchor=\"end\">"
        << Escape(y_labels[i]) << "</text>\n";
  }
  out << "<line class=\"axis\" x1=\"" << Fixed(left, 1) << "\" x2=\"" << Fixed(left + plot_w, 1)
      << "\" y1=\"" << Fixed(top + plot_h, 1) << "\" y2=\"" << Fixed(top + plot_h, 1)
      << "\"/><line class=\"axis\" x1=\"" << Fixed(left, 1) << "\" x2=\"" << Fixed(left, 1)
      << "\" y1=\"" << Fixed(top, 1) << "\" y2=\"" << Fixed(top + plot_h, 1) << "\"/>\n"
      << "<text class=\"axis-label\" x=\"" << Fixed(left + plot_w / 2, 1) << "\" y=\""
      << Fixed(height - 6, 1) << "\" text-anchor=\"middle\">latency"
      << (x_axis.log() ? " (log scale)" : "") << "</text><text class=\"axis-label\" "
      << "transform=\"rotate(-90)\" x=\"" << Fixed(-(top + plot_h / 2), 1)
      << "\" y=\"14\" text-anchor=\"middle\">energy" << (y_axis.log() ? " (log scale)" : "")
      << "</text>\n";

  // Infeasible points under the feasible ones, the Pareto front on top, the chosen design last.
  auto marker = [&](const DsePointReport& p, const char* cls, double radius, bool filled) {
    const double x = left + x_axis.Position(p.runtime_seconds);
    const double y = top + y_axis.Position(p.result.totals.energy_pj * 1e-12);
    out << "<circle class=\"" << cls << "\" data-index=\"" << p.index << "\" cx=\"" << Fixed(x, 1)
        << "\" cy=\"" << Fixed(y, 1) << "\" r=\"" << Fixed(radius, 1) << "\"";
    if (filled) {
      out << " fill=\"" << kAreaColors[areas.Bin(p.result.provisioned.area_um2)] << "\"";
    }
    out << "><title>" << Escape(PointTooltip(p)) << "</title></circle>\n";
  };
  for (const DsePointReport* p : plotted) {
    if (!p->result.feasible) marker(*p, "pt off", 2.6, false);
  }
  for (const DsePointReport* p : plotted) {
    if (p->result.feasible && !p->result.pareto) marker(*p, "pt", 3.2, true);
  }
  for (const DsePointReport* p : plotted) {
    if (p->result.pareto) marker(*p, "pt pf", 5.2, true);
  }
  if (const DsePointReport* best = Best(r); best != nullptr && Plotted(*best)) {
    const double x = left + x_axis.Position(best->runtime_seconds);
    const double y = top + y_axis.Position(best->result.totals.energy_pj * 1e-12);
    out << "<circle class=\"ring\" id=\"chosen-marker\" cx=\"" << Fixed(x, 1) << "\" cy=\""
        << Fixed(y, 1) << "\" r=\"10\"><title>" << Escape(PointTooltip(*best))
        << "</title></circle>\n";
  }
  out << "</svg></figure>\n<p class=\"legend\">";
  for (int b = 0; b < areas.bins(); ++b) {
    out << "<span><i style=\"background:" << kAreaColors[b] << "\"></i>"
        << (areas.bins() == 1 ? "" : "area \u2264 ") << Escape(FormatArea(areas.Upper(b)))
        << "</span>";
  }
  out << "<span><i class=\"pf\" style=\"background:" << kAreaColors[0]
      << "\"></i>on the Pareto front (outlined)</span><span><i class=\"ring\"></i>the chosen "
         "design</span><span><i class=\"off\"></i>infeasible (over a budget)</span></p>\n";
  out << "<p class=\"note\">Colour: provisioned area. The front is over three figures (latency, "
         "energy and provisioned area), so a Pareto point may look dominated in this "
         "latency\u2013energy view: a smaller design sits behind it.";
  if (left_out > 0) {
    out << " " << CountOf(static_cast<int64_t>(left_out), "point")
        << " without a mapping for every layer " << (left_out == 1 ? "is" : "are")
        << " not plotted: their totals would leave those layers out.";
  }
  out << "</p>\n";
}

void Card(std::ostream& out, const std::string& label, const std::string& value_html,
          const std::string& detail_html) {
  out << "<div class=\"card\"><div class=\"label\">" << Escape(label) << "</div><div class=\"value\">"
      << value_html << "</div><div class=\"detail\">" << detail_html << "</div></div>\n";
}

std::string Budget(double value, const std::string& text) {
  return value > 0 ? text : "none";
}

void WriteHeader(std::ostream& out, const DseReport& r) {
  const DseContext& c = r.context;
  out << "<header>\n<p class=\"kicker\">Cadenza design-space exploration</p>\n<h1>"
      << Escape(r.title) << "</h1>\n<dl class=\"meta\">\n<dt>Model file</dt><dd><code>"
      << Escape(c.model_path) << "</code>";
  if (!r.network_name.empty()) out << " \u00b7 network <code>" << Escape(r.network_name) << "</code>";
  out << " \u00b7 " << CountOf(r.layers, "layer") << ", " << r.distinct_layers << " distinct</dd>\n"
      << "<dt>SHA-256</dt><dd><code id=\"model-sha256\">"
      << Escape(c.model_sha256.empty() ? "unknown" : c.model_sha256) << "</code></dd>\n"
      << "<dt>Date</dt><dd>" << Escape(c.date) << "</dd>\n<dt>Cadenza</dt><dd>"
      << Escape(c.version) << "</dd>\n<dt>Command</dt><dd><code>" << Escape(c.command_line)
      << "</code></dd>\n<dt>Sweep</dt><dd><code>" << Escape(c.sweep_path) << "</code> \u00b7 "
      << FormatThousands(static_cast<int64_t>(r.points.size())) << " design points";
  if (!c.sweep_text.empty()) {
    out << "<details><summary>sweep file</summary><pre>" << Escape(c.sweep_text)
        << "</pre></details>";
  }
  out << "</dd>\n<dt>Objective</dt><dd id=\"objective\">" << ObjectiveName(r.objective)
      << " (minimised per layer inside every design point, and over the network to choose the "
         "design)</dd>\n<dt>Budgets</dt><dd>area "
      << Escape(Budget(c.area_budget_um2, FormatArea(c.area_budget_um2))) << " \u00b7 power "
      << Escape(Budget(c.power_budget_mw, FormatPower(c.power_budget_mw)))
      << " (provisioned)</dd>\n<dt>Candidates</dt><dd>at most "
      << FormatThousands(c.max_candidates_per_template)
      << " per layer and dataflow template</dd>\n</dl>\n</header>\n";
  out << "<nav class=\"no-print\"><a href=\"#dse-summary\">Summary</a><a href=\"#pareto\">"
         "Pareto front</a><a href=\"#infeasible-points\">Infeasible points</a>"
         "<a href=\"#chosen-intro\">Chosen design</a>";
  if (r.chosen) out << "<a href=\"#layers\">Its layers</a>";
  out << "</nav>\n";
}

void WriteSummary(std::ostream& out, const DseReport& r) {
  const DseContext& c = r.context;
  const int64_t points = static_cast<int64_t>(r.points.size());
  out << "<main>\n<section id=\"dse-summary\">\n<h2>Summary</h2>\n<div class=\"cards\">\n";
  Card(out, "Design points",
       "<span id=\"dse-points\" data-value=\"" + std::to_string(points) + "\">" +
           FormatThousands(points) + "</span>",
       CountOf(r.evaluation_groups, "evaluation group") + " \u00b7 " +
           CountOf(r.candidates_evaluated, "candidate") + " evaluated");
  Card(out, "Feasible",
       "<span id=\"dse-feasible\" data-value=\"" + std::to_string(r.feasible) + "\">" +
           FormatThousands(r.feasible) + "</span>",
       FormatThousands(points - r.feasible) + " ruled out");
  Card(out, "Pareto front",
       "<span id=\"dse-pareto\" data-value=\"" + std::to_string(r.pareto.size()) + "\">" +
           FormatThousands(static_cast<int64_t>(r.pareto.size())) + "</span>",
       "points no other is better than in latency, energy and area at once");
  if (const DsePointReport* best = Best(r)) {
    const DesignResult& d = best->result;
    const Hardware& hw = best->hardware;
    Card(out, "Latency",
         "<span id=\"best-cycles\" data-value=\"" + std::to_string(d.totals.runtime_cycles) +
             "\">" + FormatThousands(d.totals.runtime_cycles) + "</span>",
         "cycles \u00b7 " + FormatSi(best->runtime_seconds, "s") + " at " +
             JsonNumber(hw.clock_ghz) + " GHz");
    Card(out, "Energy",
         "<span id=\"best-energy\" data-value=\"" + JsonNumber(d.totals.energy_pj / 1000) +
             "\">" + Escape(Joules(d.totals.energy_pj)) + "</span>",
         "MAC, L1, L2 and off-chip accesses");
    Card(out, "Energy-delay product", Escape(Edp(d.totals.edp(), hw)),
         "energy \u00d7 latency");
    Card(out, "Area", Escape(FormatArea(d.provisioned.area_um2)),
         "provisioned buffers \u00b7 " + Escape(FormatArea(d.required.area_um2)) +
             " with the buffers the mappings require");
    Card(out, "Power",
         "<span id=\"best-power\" data-value=\"" + JsonNumber(best->average_power_mw) + "\">" +
             Escape(FormatPower(best->average_power_mw)) + "</span>",
         "energy / latency \u00b7 peak " + Escape(FormatPower(d.provisioned.power_mw)) +
             " provisioned, " + Escape(FormatPower(d.required.power_mw)) +
             " required (MAESTRO's model, every unit busy)" + Escape(AreaPowerExclusions(d)));
  }
  const double rate = c.explore_seconds > 0 ? static_cast<double>(points) / c.explore_seconds : 0;
  Card(out, "Exploration time", Escape(FormatSi(c.explore_seconds, "s")),
       rate > 0 ? Escape(ThreeDigits(rate)) + " design points per second" : std::string());
  out << "</div>\n";
  if (const DsePointReport* best = Best(r)) {
    out << "<p>The chosen design, lowest network " << ObjectiveName(r.objective)
        << " among the feasible points: <strong>#" << best->index << "</strong> <code id=\"best-label\">"
        << Escape(best->label) << "</code> (" << Escape(html::HardwareSummary(best->hardware))
        << ").</p>\n";
  } else {
    out << "<p class=\"over\" id=\"best-label\">No design point is feasible: every one is over a "
           "budget or has a layer that no mapping fits.</p>\n";
  }
  out << "<p class=\"note\">Inside every design point each layer gets its own best dataflow for "
         "the objective. <em>Provisioned</em> area and power apply MAESTRO's formula to the "
         "capacities the design builds (each byte of L1 per PE and of L2 charged as the formula "
         "charges a required element); budgets and the Pareto front use them. <em>Required</em> "
         "is MAESTRO's own figure: the same formula with the largest L1 and L2 the chosen "
         "mappings need. <em>Power</em> is the network's energy over its latency; the "
         "formula's power is a <em>peak</em> (every PE, buffer and NoC link busy every cycle), "
         "which is what a power budget bounds. A resource the hardware leaves unbounded is left "
         "out of area and peak power, and the figures say so. "
         "An evaluation group is a set of points that differ only in buffer "
         "capacities: every candidate mapping is evaluated once for the group, and each point "
         "keeps the ones that fit.</p>\n</section>\n";
}

void WriteParetoTable(std::ostream& out, const DseReport& r) {
  out << "<section id=\"pareto\">\n<h2>Pareto front</h2>\n";
  WriteScatter(out, r);
  out << "<h3>Pareto points</h3>\n";
  if (r.pareto.empty()) {
    out << "<p>No feasible point, so no front.</p>\n</section>\n";
    return;
  }
  out << "<p class=\"note\">" << CountOf(static_cast<int64_t>(r.pareto.size()), "feasible point")
      << " that no other feasible point matches or beats in latency, energy and "
         "provisioned area at once, by cycles; click a column header to sort. L1 is per PE; "
         "bandwidths in elements per cycle.</p>\n<div class=\"wrap\"><table id=\"pareto-table\" "
         "class=\"sortable-table\"><thead><tr><th class=\"num\">#</th><th>Label</th>"
         "<th class=\"num\">PEs</th><th class=\"num\">SIMD</th><th class=\"num\">L1</th>"
         "<th class=\"num\">L2</th><th class=\"num\">NoC</th><th class=\"num\">Off-chip</th>"
         "<th class=\"num\">Cycles</th><th class=\"num\">Seconds</th><th class=\"num\">Energy</th>"
         "<th class=\"num\">EDP</th><th class=\"num\">Power<br>energy / latency</th>"
         "<th class=\"num\">Area<br>provisioned</th>"
         "<th class=\"num\">Peak power<br>provisioned</th><th class=\"num\">Area<br>required</th>"
         "<th class=\"num\">Peak power<br>required</th></tr></thead>\n<tbody>\n";
  auto num = [](const std::string& sort_value, const std::string& text) {
    return "<td class=\"num\" data-v=\"" + sort_value + "\">" + Escape(text) + "</td>";
  };
  auto limit = [&num](int64_t value, bool bytes) {
    return num(std::to_string(value), bytes ? html::Bytes(value) : html::Limit(value));
  };
  for (int index : r.pareto) {
    const DsePointReport& p = r.points[static_cast<size_t>(index)];
    const DesignResult& d = p.result;
    const Hardware& hw = p.hardware;
    out << "<tr data-index=\"" << p.index << "\"" << (p.best ? " class=\"best\"" : "") << ">"
        << num(std::to_string(p.index), std::to_string(p.index)) << "<td class=\"label\">"
        << Escape(p.label) << (p.best ? "<span class=\"sub\">the chosen design</span>" : "")
        << "</td>" << num(std::to_string(hw.num_pes), FormatThousands(hw.num_pes))
        << num(std::to_string(hw.simd_lanes), std::to_string(hw.simd_lanes))
        << limit(hw.l1_size, true) << limit(hw.l2_size, true) << limit(hw.noc_bw, false)
        << limit(hw.offchip_bw, false)
        << num(std::to_string(d.totals.runtime_cycles), FormatThousands(d.totals.runtime_cycles))
        << num(JsonNumber(p.runtime_seconds), FormatSi(p.runtime_seconds, "s"))
        << num(JsonNumber(d.totals.energy_pj), Joules(d.totals.energy_pj))
        << num(JsonNumber(d.totals.edp()), Edp(d.totals.edp(), hw))
        << num(JsonNumber(p.average_power_mw), FormatPower(p.average_power_mw))
        << num(JsonNumber(d.provisioned.area_um2), FormatArea(d.provisioned.area_um2))
        << num(JsonNumber(d.provisioned.power_mw), FormatPower(d.provisioned.power_mw))
        << num(JsonNumber(d.required.area_um2), FormatArea(d.required.area_um2))
        << num(JsonNumber(d.required.power_mw), FormatPower(d.required.power_mw)) << "</tr>\n";
  }
  out << "</tbody></table></div>\n</section>\n";
}

void WriteInfeasiblePoints(std::ostream& out, const DseReport& r) {
  out << "<section id=\"infeasible-points\">\n<h2>Infeasible design points</h2>\n";
  if (r.infeasible.empty()) {
    out << "<p>Every design point is feasible.</p>\n</section>\n";
    return;
  }
  constexpr size_t kListed = 100;
  out << "<p class=\"note\">Points ruled out, by reason. A point is infeasible when some layer "
         "has no mapping that fits its buffers (or bandwidths, when they are hard limits), or "
         "when its provisioned area or power is over a budget. The JSON and CSV list every "
         "point.</p>\n<div class=\"wrap\"><table id=\"infeasible-points-table\"><thead><tr>"
         "<th>Reason</th><th class=\"num\">Points</th><th class=\"num\">Share</th>"
         "<th>Which</th></tr></thead>\n<tbody>\n";
  for (const DseInfeasibleGroup& g : r.infeasible) {
    out << "<tr><td>" << Escape(g.reason) << "</td><td class=\"num\">"
        << FormatThousands(static_cast<int64_t>(g.points.size())) << "</td><td class=\"num\">"
        << html::Percent(static_cast<double>(g.points.size()) /
                         static_cast<double>(std::max<size_t>(r.points.size(), 1)))
        << "</td><td><details><summary>" << g.points.size() << " point"
        << (g.points.size() == 1 ? "" : "s") << "</summary><ul class=\"warnings mono\">";
    for (size_t i = 0; i < std::min(g.points.size(), kListed); ++i) {
      const DsePointReport& p = r.points[static_cast<size_t>(g.points[i])];
      out << "<li>#" << p.index << " " << Escape(p.label) << "</li>";
    }
    if (g.points.size() > kListed) {
      out << "<li>and " << FormatThousands(static_cast<int64_t>(g.points.size() - kListed))
          << " more</li>";
    }
    out << "</ul></details></td></tr>\n";
  }
  out << "</tbody></table></div>\n</section>\n";
}

void WriteChosenIntro(std::ostream& out, const DseReport& r) {
  out << "<section id=\"chosen-intro\">\n<h2 class=\"part\">The chosen design, layer by "
         "layer</h2>\n";
  const DsePointReport* best = Best(r);
  if (best == nullptr || !r.chosen) {
    out << "<p>No design point is feasible, so there is no chosen design to show.</p>\n"
           "</section>\n";
    return;
  }
  const NetworkReport& c = *r.chosen;
  out << "<p>Design point #" << best->index << ", <code>" << Escape(best->label)
      << "</code>: " << Escape(html::HardwareSummary(c.hardware)) << ".</p>\n"
      << "<p class=\"note\">The dataflow search of this hardware on its own, as <code>cadenza "
         "search</code> reports it: <span id=\"chosen-cycles\" data-value=\""
      << c.totals.runtime_cycles << "\">" << FormatThousands(c.totals.runtime_cycles)
      << "</span> cycles, " << Escape(Joules(c.totals.energy_pj)) << ", utilization "
      << html::Percent(c.utilization) << ", " << FormatThousands(c.candidates_evaluated)
      << " candidates evaluated. Its totals are the design point's.</p>\n</section>\n";
}

void WriteWarnings(std::ostream& out, const DseReport& r) {
  if (r.context.warnings.empty()) return;
  out << "<section id=\"dse-warnings\">\n<h2>Warnings about the input</h2>\n<ul class=\"warnings\">\n";
  for (const std::string& w : r.context.warnings) out << "<li>" << Escape(w) << "</li>\n";
  out << "</ul>\n</section>\n";
}

}  // namespace

void WriteDseHtml(const DseReport& r, std::ostream& out) {
  html::WriteDocumentHead(out, r.context.version, r.title, "Cadenza design-space exploration",
                          kDseStyle);
  WriteHeader(out, r);
  WriteSummary(out, r);
  WriteWarnings(out, r);
  WriteParetoTable(out, r);
  WriteInfeasiblePoints(out, r);
  WriteChosenIntro(out, r);
  if (r.best >= 0 && r.chosen) html::WriteLayerSections(*r.chosen, out);
  out << "</main>\n<footer>Generated by Cadenza " << Escape(r.context.version) << " on "
      << Escape(r.context.date)
      << ". The same data as JSON: docs/report-schema.md (design-space exploration, schema "
         "version "
      << kDseSchemaVersion << ").</footer>\n<script>" << html::Script()
      << "</script>\n</body>\n</html>\n";
}

}  // namespace cadenza
