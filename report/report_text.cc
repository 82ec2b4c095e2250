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
using internal::ShortenNames;
using internal::TextTable;

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
  std::string text = CountOf(static_cast<int64_t>(skipped.size()), "MAC node") + " not analysed";
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
  out << r.title << ": " << CountOf(static_cast<int64_t>(r.layers.size()), "layer") << " on "
      << CountOf(hw.num_pes, "PE")
      << (hw.simd_lanes > 1 ? " x " + std::to_string(hw.simd_lanes) + " lanes" : "")
      << ", objective " << ObjectiveDescription(r) << "\n";
  int64_t analysed_macs = 0;
  for (const LayerReport& l : r.layers) analysed_macs += l.exact_macs;
  const std::string not_analysed = NotAnalysedSummary(analysed_macs, r.context.skipped);
  if (!not_analysed.empty()) out << "warning: " << not_analysed << '\n';
  out << '\n';

  TextTable layers({true, false, false, false, false, true, true, true, false, true});
  layers.Add({"#", "layer", "op", "dataflow", "params", "cycles", "energy", "util", "runner-up",
              "margin"});
  std::vector<std::string> names;
  for (const LayerReport& l : r.layers) names.push_back(l.name);
  names = ShortenNames(names, 44);
  for (const LayerReport& l : r.layers) {
    std::string name = names[static_cast<size_t>(&l - r.layers.data())];
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
    out << "warning: " << CountOf(t.layers_without_mapping, "layer")
        << (t.layers_without_mapping == 1 ? " has no feasible mapping and is"
                                            : " have no feasible mapping and are")
        << " not in the totals\n";
  }
  out << CountOf(static_cast<int64_t>(r.layers.size()), "layer") << ", " << r.distinct_layers
      << " distinct; " << CountOf(r.candidates_evaluated, "candidate") << " evaluated, "
      << FormatThousands(r.candidates_feasible) << " feasible";
  if (r.candidates_skipped > 0) {
    out << "; " << FormatThousands(r.candidates_skipped)
        << " more skipped (their lower bound could not beat the best)";
  }
  out << '\n';
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
  // A family that leaves layers unmapped is compared over the layers it maps; its totals are
  // over those layers too, so no column ranks a part of the network against the whole.
  for (const BaselineReport& b : r.baselines) {
    baselines.Add({b.family, FormatThousands(b.totals.runtime_cycles),
                   FormatSi(b.totals.energy_pj * 1e-12, "J"), ObjectiveText(b.objective, r),
                   b.has_ratio ? Ratio(b.ratio) : "-", BaselineCoverage(b, r.layers.size())});
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
    out << CountOf(static_cast<int64_t>(r.context.skipped.size()), "MAC node")
        << " not in the network:\n";
    for (const ReportSkippedNode& s : r.context.skipped) {
      out << "  " << s.name << " (" << s.op_type << "): " << s.reason << '\n';
    }
  }
}

}  // namespace cadenza
