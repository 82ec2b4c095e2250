// The design-space exploration report as a terminal summary.

#include <ostream>
#include <string>

#include "report/dse_report.h"
#include "report/dse_report_internal.h"
#include "report/plain_text.h"
#include "report/report_html_internal.h"

namespace cadenza {

using html::Joules;
using internal::TextTable;
using internal::Best;
using internal::Edp;
using internal::ExcludedList;

void WriteDseText(const DseReport& r, std::ostream& out) {
  out << r.title << ": " << CountOf(r.layers, "layer") << " (" << r.distinct_layers
      << " distinct), " << CountOf(static_cast<int64_t>(r.points.size()), "design point")
      << ", objective " << ObjectiveDescription(r.objective, r.latency_slack) << '\n';
  out << CountOf(r.evaluation_groups, "evaluation group")
      << " (points that differ only in L1/L2 capacity share every candidate evaluation); "
      << CountOf(r.candidates_evaluated, "candidate") << " evaluated\n";
  out << "feasible: " << FormatThousands(r.feasible) << " of "
      << FormatThousands(static_cast<int64_t>(r.points.size()))
      << "; Pareto front (latency, energy, provisioned area): "
      << CountOf(static_cast<int64_t>(r.pareto.size()), "point") << '\n';
  for (const DseInfeasibleGroup& g : r.infeasible) {
    out << "infeasible: " << FormatThousands(static_cast<int64_t>(g.points.size())) << " point"
        << (g.points.size() == 1 ? "" : "s") << ": " << g.reason << '\n';
  }
  if (const DsePointReport* best = Best(r)) {
    const DesignResult& d = best->result;
    const Hardware& hw = best->hardware;
    out << "\nchosen design (#" << best->index << ", lowest " << ObjectiveName(r.objective)
        << "): " << best->label << '\n'
        << "  " << FormatThousands(d.totals.runtime_cycles) << " cycles ("
        << FormatSi(best->runtime_seconds, "s") << " at " << hw.clock_ghz << " GHz), "
        << Joules(d.totals.energy_pj) << ", EDP " << Edp(d.totals.edp(), hw) << '\n'
        << "  power " << FormatPower(best->average_power_mw) << " (energy / latency)\n"
        << "  provisioned" << AreaPowerExclusions(d) << ": area "
        << FormatArea(d.provisioned.area_um2) << ", peak power "
        << FormatPower(d.provisioned.power_mw) << "; required: area "
        << FormatArea(d.required.area_um2) << ", peak power " << FormatPower(d.required.power_mw)
        << '\n';
  } else {
    out << "\nno design point is feasible\n";
  }
  if (r.pareto.empty()) return;
  out << "\nPareto front, by cycles (power: energy / latency; area and peak power: provisioned"
         "; * the chosen design):\n";
  TextTable table(
      {true, true, true, true, true, true, true, true, true, true, true, true, true, false});
  table.Add({"#", "pes", "simd", "l1", "l2", "noc", "offchip", "cycles", "energy",
             std::string(ObjectiveName(Objective::kEdp)), "power", "area", "peak power", ""});
  for (int index : r.pareto) {
    const DsePointReport& p = r.points[static_cast<size_t>(index)];
    const DesignResult& d = p.result;
    const Hardware& hw = p.hardware;
    table.Add({std::to_string(p.index), FormatThousands(hw.num_pes), std::to_string(hw.simd_lanes),
               html::Limit(hw.l1_size), html::Limit(hw.l2_size), html::Limit(hw.noc_bw),
               html::Limit(hw.offchip_bw), FormatThousands(d.totals.runtime_cycles),
               Joules(d.totals.energy_pj), Edp(d.totals.edp(), hw),
               FormatPower(p.average_power_mw), FormatArea(d.provisioned.area_um2),
               FormatPower(d.provisioned.power_mw), p.best ? "*" : ""});
  }
  table.Write(out, "  ");
  for (int index : r.pareto) {
    const DesignResult& d = r.points[static_cast<size_t>(index)].result;
    if (!d.area_power_excludes.empty()) {
      out << "  area and peak power leave out what a design leaves unbounded, e.g. #"
          << index << ": " << ExcludedList(d) << '\n';
      break;
    }
  }
}

}  // namespace cadenza
