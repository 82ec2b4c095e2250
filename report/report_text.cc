// The report as a terminal summary.

#include <algorithm>
#include <cstdio>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "report/report.h"
#include "report/plain_text.h"

namespace cadenza {

namespace {

using internal::DisplayWidth;
using internal::TextTable;

// Long names keep their start and end: "/layer4/layer4.2/conv3/Conv" -> "/layer4/...conv3/Conv".
std::string Shorten(const std::string& text, size_t width) {
  if (text.size() <= width || width < 8) return text;
  const size_t tail = (width - 3) / 2;
  const size_t head = width - 3 - tail;
  return text.substr(0, head) + "..." + text.substr(text.size() - tail);
}

std::string Percent(double fraction) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f%%", 100 * fraction);
  return buffer;
}

std::string Ratio(double ratio) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3fx", ratio);
  return buffer;
}


std::string ObjectiveText(double value, const NetworkReport& r) {
  switch (r.objective) {
    case Objective::kLatency: return FormatThousands(static_cast<int64_t>(value)) + " cycles";
    case Objective::kEnergy: return FormatSi(value * 1e-12, "J");
    case Objective::kEdp: return FormatSi(EdpJouleSeconds(value, r.hardware.clock_ghz), "J\u00b7s");
  }
  return "";
}

}  // namespace

std::string NotAnalysedSummary(int64_t analysed_macs,
                               const std::vector<ReportSkippedNode>& skipped) {
  if (skipped.empty()) return "";
  int64_t known = 0;
  bool all_known = true;
  for (const ReportSkippedNode& s : skipped) {
    if (s.macs < 0) {
      all_known = false;
    } else {
      known += s.macs;
    }
  }
  std::string text = std::to_string(skipped.size()) + " MAC node(s) not analysed";
  const int64_t model_macs = analysed_macs + known;
  if (known > 0 && model_macs > 0) {
    text += std::string(all_known ? ", " : ", at least ") +
            Percent(static_cast<double>(known) / static_cast<double>(model_macs)) +
            " of the model's MACs";
  } else if (!all_known) {
    text += " (MAC count unknown)";
  }
  // A terminal line, not the full list: the report's warnings section has every node.
  constexpr size_t kNamed = 5;
  text += ": ";
  for (size_t i = 0; i < skipped.size() && i < kNamed; ++i) {
    text += (i ? ", " : "") + skipped[i].name + " (" + skipped[i].op_type + ")";
  }
  if (skipped.size() > kNamed) text += ", ... and " + std::to_string(skipped.size() - kNamed) + " more";
  return text;
}

void WriteText(const NetworkReport& r, std::ostream& out) {
  const Hardware& hw = r.hardware;
  out << r.title << ": " << r.layers.size() << " layers on " << hw.num_pes << " PEs"
      << (hw.simd_lanes > 1 ? " x " + std::to_string(hw.simd_lanes) + " lanes" : "")
      << ", objective " << ObjectiveName(r.objective) << "\n";
  int64_t analysed_macs = 0;
  for (const LayerReport& l : r.layers) analysed_macs += l.exact_macs;
  const std::string not_analysed = NotAnalysedSummary(analysed_macs, r.context.skipped);
  if (!not_analysed.empty()) out << "warning: " << not_analysed << '\n';
  out << '\n';

  TextTable layers({true, false, false, false, false, true, true, true, false, true});
  layers.Add({"#", "layer", "op", "dataflow", "params", "cycles", "energy", "util", "runner-up",
              "margin"});
  for (const LayerReport& l : r.layers) {
    std::string name = Shorten(l.name, 44);
    if (l.instances > 1) name += " (x" + std::to_string(l.instances) + ")";
    if (!l.found) {
      layers.Add({std::to_string(l.index), name, l.op_type, "-", "no feasible mapping: " + l.note,
                  "", "", "", "", ""});
      continue;
    }
    layers.Add({std::to_string(l.index), name, l.op_type, l.dataflow, FormatParams(l.params),
                FormatThousands(l.runtime_cycles), FormatSi(l.energy_pj * 1e-12, "J"),
                Percent(l.utilization), l.has_runner_up ? l.runner_up : "-",
                l.has_runner_up ? "+" + Percent(l.runner_up_margin) : ""});
  }
  layers.Write(out, "");

  const NetworkTotals& t = r.totals;
  out << "\ntotal: " << FormatThousands(t.runtime_cycles) << " cycles ("
      << FormatSi(r.runtime_seconds, "s") << " at " << hw.clock_ghz << " GHz), "
      << FormatSi(t.energy_pj * 1e-12, "J") << ", EDP "
      << FormatSi(EdpJouleSeconds(t.edp(), hw.clock_ghz), "J\u00b7s") << ", "
      << FormatSi(static_cast<double>(t.exact_macs), "") << " MACs, utilization "
      << Percent(r.utilization) << '\n';
  out << "energy: MAC " << FormatSi(r.mac_energy_pj * 1e-12, "J") << ", L1 "
      << FormatSi(r.l1_energy_pj * 1e-12, "J") << ", L2 " << FormatSi(r.l2_energy_pj * 1e-12, "J")
      << ", off-chip " << FormatSi(r.offchip_energy_pj * 1e-12, "J") << '\n';
  out << "cost model: " << CostModelName(r.cost_model);
  if (r.comparison && r.comparison->exact_runtime_cycles > 0 && r.comparison->exact_energy_pj > 0) {
    const ModelComparison& c = *r.comparison;
    char ratios[96];
    std::snprintf(ratios, sizeof ratios, "%.2fx the runtime and %.2fx the energy",
                  static_cast<double>(c.maestro_runtime_cycles) /
                      static_cast<double>(c.exact_runtime_cycles),
                  c.maestro_energy_pj / c.exact_energy_pj);
    out << " (the MAESTRO-compatible model gives these mappings " << ratios
        << " of the exact model)";
  }
  out << '\n';
  if (t.layers_without_mapping > 0) {
    out << "warning: " << t.layers_without_mapping
        << " layer(s) have no feasible mapping and are not in the totals\n";
  }
  out << r.layers.size() << " layers, " << r.distinct_layers << " distinct; "
      << FormatThousands(r.candidates_evaluated) << " candidates evaluated, "
      << FormatThousands(r.candidates_feasible) << " feasible\n";
  if (!r.infeasible.empty()) {
    out << "infeasible candidates:";
    for (size_t i = 0; i < r.infeasible.size(); ++i) {
      out << (i ? ", " : " ") << InfeasibleName(r.infeasible[i].reason) << ' '
          << FormatThousands(r.infeasible[i].count);
    }
    out << '\n';
  }

  out << "\nadaptive choice vs one dataflow for every layer (" << ObjectiveName(r.objective)
      << "):\n";
  TextTable baselines({false, true, true, true, true, false});
  baselines.Add({"dataflow", "cycles", "energy", std::string(ObjectiveName(r.objective)), "vs adaptive",
                 ""});
  baselines.Add({"adaptive", FormatThousands(t.runtime_cycles), FormatSi(t.energy_pj * 1e-12, "J"),
                 ObjectiveText(r.network_objective, r), Ratio(1), ""});
  for (const BaselineReport& b : r.baselines) {
    baselines.Add({b.family, FormatThousands(b.totals.runtime_cycles),
                   FormatSi(b.totals.energy_pj * 1e-12, "J"), ObjectiveText(b.objective, r),
                   Ratio(b.ratio),
                   b.complete ? ""
                              : std::to_string(b.totals.layers_without_mapping) +
                                    " layer(s) without a mapping, not comparable"});
  }
  baselines.Write(out, "  ");

  // The report lists every warning; a terminal gets the first few.
  constexpr size_t kShownWarnings = 5;
  for (size_t i = 0; i < r.warnings.size() && i < kShownWarnings; ++i) {
    out << "warning: " << r.warnings[i] << '\n';
  }
  if (r.warnings.size() > kShownWarnings) {
    out << "... and " << r.warnings.size() - kShownWarnings << " more warnings in the report\n";
  }
  if (!r.context.skipped.empty()) {
    out << r.context.skipped.size() << " MAC node(s) not in the network:\n";
    for (const ReportSkippedNode& s : r.context.skipped) {
      out << "  " << s.name << " (" << s.op_type << "): " << s.reason << '\n';
    }
  }
}

}  // namespace cadenza
