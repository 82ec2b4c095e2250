// The design-space exploration report: gathering the figures once. The writers only format
// them: JSON and CSV in dse_report_json.cc, terminal text in dse_report_text.cc, HTML in
// dse_report_html.cc.

#include "report/dse_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "analyzer/error.h"
#include "report/dse_report_internal.h"
#include "report/plain_text.h"

namespace cadenza {

namespace internal {

std::string ThreeDigits(double value) {
  if (!std::isfinite(value)) return "-";
  const double magnitude = std::fabs(value);
  if (magnitude >= 999.5) return FormatThousands(static_cast<int64_t>(std::llround(value)));
  const int decimals =
      magnitude == 0 ? 0 : std::max(0, 2 - static_cast<int>(std::floor(std::log10(magnitude))));
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", std::min(decimals, 6), value);
  return buffer;
}

std::string Edp(double edp_pj_cycles, const Hardware& hw) {
  return FormatSi(EdpJouleSeconds(edp_pj_cycles, hw.clock_ghz), "J\u00b7s");
}

const DsePointReport* Best(const DseReport& r) {
  return r.best >= 0 ? &r.points[static_cast<size_t>(r.best)] : nullptr;
}

std::string ExcludedList(const DesignResult& result) {
  std::string text;
  for (const std::string& e : result.area_power_excludes) text += (text.empty() ? "" : ", ") + e;
  return text;
}

}  // namespace internal

std::string FormatArea(double area_um2) {
  return internal::ThreeDigits(area_um2 * 1e-6) + " mm\u00b2";
}

std::string FormatPower(double power_mw) { return FormatSi(power_mw * 1e-3, "W"); }

std::string AreaPowerExclusions(const DesignResult& result) {
  const std::string list = internal::ExcludedList(result);
  return list.empty() ? list : " (excluding the unbounded " + list + ")";
}

std::vector<std::string> DseInputWarnings(const Network& network,
                                          const std::vector<ReportSkippedNode>& skipped,
                                          const std::vector<std::string>& model_warnings,
                                          const std::string& templates_path,
                                          std::span<const Hardware> points, bool* unlimited) {
  std::vector<std::string> warnings;
  int64_t analysed_macs = 0;
  for (const Layer& layer : network.layers) analysed_macs += layer.exact_macs;
  if (std::string s = NotAnalysedSummary(analysed_macs, skipped); !s.empty()) {
    warnings.push_back(std::move(s));
  }
  if (!templates_path.empty()) {
    warnings.push_back("dataflow templates of " + templates_path + " added to the built-in ones");
  }
  warnings.insert(warnings.end(), model_warnings.begin(), model_warnings.end());
  for (const ReportSkippedNode& s : skipped) {
    warnings.push_back("node '" + s.name + "' (" + s.op_type + ") is not in the network: " +
                       s.reason);
  }
  *unlimited = std::any_of(points.begin(), points.end(), [](const Hardware& hw) {
    return Hardware::IsUnlimited(hw.l1_size) || Hardware::IsUnlimited(hw.l2_size) ||
           Hardware::IsUnlimited(hw.noc_bw);
  });
  if (*unlimited) {
    warnings.push_back(
        "some design points leave L1, L2 or the NoC bandwidth unlimited: their area and power "
        "leave those out (give l1_bytes, l2_bytes and noc in the sweep's base)");
  }
  return warnings;
}

DseReport BuildDseReport(const Network& network, const DseResult& result,
                         std::span<const Hardware> hardware, std::span<const std::string> labels,
                         std::optional<NetworkReport> chosen, const DseContext& context) {
  CADENZA_CHECK(result.points.size() == hardware.size());
  CADENZA_CHECK(labels.size() == hardware.size());
  DseReport r;
  r.context = context;
  r.title = internal::ReportTitle(context.model_path, network.name);
  r.network_name = network.name;
  r.layers = static_cast<int>(network.layers.size());
  r.distinct_layers = result.distinct_layers;
  r.objective = result.objective;
  r.latency_slack = result.latency_slack;
  r.evaluation_groups = result.evaluation_groups;
  r.candidates_evaluated = result.candidates_evaluated;
  r.best = result.best;
  r.points.reserve(hardware.size());
  std::map<std::string, size_t> group_of_reason;
  for (size_t i = 0; i < hardware.size(); ++i) {
    DsePointReport p;
    p.index = static_cast<int>(i);
    p.label = labels[i];
    p.hardware = hardware[i];
    p.result = result.points[i];
    p.runtime_seconds =
        static_cast<double>(p.result.totals.runtime_cycles) / (p.hardware.clock_ghz * 1e9);
    // pJ / s = 1e-12 W = 1e-9 mW.
    p.average_power_mw =
        p.runtime_seconds > 0 ? p.result.totals.energy_pj * 1e-9 / p.runtime_seconds : 0;
    p.best = p.index == result.best;
    if (p.result.feasible) {
      ++r.feasible;
    } else {
      const auto [it, inserted] = group_of_reason.try_emplace(p.result.reason, r.infeasible.size());
      if (inserted) r.infeasible.push_back({p.result.reason, {}});
      r.infeasible[it->second].points.push_back(p.index);
    }
    if (p.result.pareto) r.pareto.push_back(p.index);
    r.points.push_back(std::move(p));
  }
  std::stable_sort(r.pareto.begin(), r.pareto.end(), [&r](int a, int b) {
    return r.points[static_cast<size_t>(a)].result.totals.runtime_cycles <
           r.points[static_cast<size_t>(b)].result.totals.runtime_cycles;
  });
  r.chosen = std::move(chosen);
  return r;
}

}  // namespace cadenza
