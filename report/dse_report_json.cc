// The design-space exploration report as JSON (docs/report-schema.md) and CSV.

#include <ostream>
#include <string>
#include <string_view>

#include "report/dse_report.h"
#include "report/dse_report_internal.h"
#include "report/hardware_json.h"
#include "report/json_writer.h"
#include "report/plain_text.h"

namespace cadenza {

using internal::CsvField;
using internal::CsvLimit;
using internal::CsvNumber;
using internal::Best;
using internal::ExcludedList;

namespace {

void BudgetField(JsonWriter& json, std::string_view key, double value) {
  json.Key(key);
  if (value > 0) {
    json.Double(value);
  } else {
    json.Null();
  }
}

void AreaPowerObject(JsonWriter& json, std::string_view key, const AreaPower& ap) {
  json.Key(key);
  json.BeginObject();
  json.Field("area_um2", ap.area_um2);
  json.Field("power_mw", ap.power_mw);
  json.Field("pe_power_mw", ap.pe_power_mw);
  json.Field("l1_power_mw", ap.l1_power_mw);
  json.Field("l2_power_mw", ap.l2_power_mw);
  json.Field("noc_power_mw", ap.noc_power_mw);
  json.EndObject();
}

void WritePoint(JsonWriter& json, const DsePointReport& p) {
  const DesignResult& d = p.result;
  json.BeginObject();
  json.Field("index", p.index);
  json.Field("label", p.label);
  json.Key("hardware");
  json.BeginObject();
  WriteHardwareFields(json, p.hardware);
  json.EndObject();
  json.Field("feasible", d.feasible);
  json.Key("reason");
  if (d.feasible) {
    json.Null();
  } else {
    json.String(d.reason);
  }
  json.Field("pareto", d.pareto);
  json.Field("best", p.best);
  json.Field("runtime_cycles", d.totals.runtime_cycles);
  json.Field("runtime_seconds", p.runtime_seconds);
  json.Field("energy_pj", d.totals.energy_pj);
  json.Field("energy_nj", d.totals.energy_pj / 1000);
  json.Field("edp_pj_cycles", d.totals.edp());
  json.Field("objective_value", d.objective);
  json.Field("macs", d.totals.macs);
  json.Field("exact_macs", d.totals.exact_macs);
  json.Field("layers_without_mapping", d.totals.layers_without_mapping);
  json.Field("average_power_mw", p.average_power_mw);
  AreaPowerObject(json, "provisioned", d.provisioned);
  AreaPowerObject(json, "required", d.required);
  json.Key("area_power_excludes");
  json.BeginArray();
  for (const std::string& e : d.area_power_excludes) json.String(e);
  json.EndArray();
  json.Field("l1_required_bytes", d.l1_required_bytes);
  json.Field("l2_required_bytes", d.l2_required_bytes);
  json.EndObject();
}

void WriteChosen(JsonWriter& json, const DseReport& r) {
  json.Key("chosen");
  const DsePointReport* best = Best(r);
  if (best == nullptr || !r.chosen) {
    json.Null();
    return;
  }
  const NetworkReport& c = *r.chosen;
  json.BeginObject();
  json.Field("index", best->index);
  json.Field("label", best->label);
  json.Key("total");
  json.BeginObject();
  json.Field("runtime_cycles", c.totals.runtime_cycles);
  json.Field("runtime_seconds", c.runtime_seconds);
  json.Field("energy_pj", c.totals.energy_pj);
  json.Field("energy_nj", c.totals.energy_pj / 1000);
  json.Key("energy_breakdown_pj");
  json.BeginObject();
  json.Field("mac", c.mac_energy_pj);
  json.Field("l1", c.l1_energy_pj);
  json.Field("l2", c.l2_energy_pj);
  json.Field("offchip", c.offchip_energy_pj);
  json.EndObject();
  json.Field("edp_pj_cycles", c.totals.edp());
  json.Field("objective_value", c.network_objective);
  json.Field("macs", c.totals.macs);
  json.Field("exact_macs", c.totals.exact_macs);
  json.Field("utilization", c.utilization);
  json.Field("layers_without_mapping", c.totals.layers_without_mapping);
  json.EndObject();
  json.Field("candidates_evaluated", c.candidates_evaluated);
  json.Key("layers");
  json.BeginArray();
  for (const LayerReport& l : c.layers) {
    json.BeginObject();
    json.Field("index", l.index);
    json.Field("name", l.name);
    json.Field("op_type", l.op_type);
    json.Field("kind", OpKindName(l.kind));
    json.Field("dims", FormatDims(l.kind, l.shape));
    json.Field("instances", l.instances);
    json.Field("found", l.found);
    if (l.found) {
      json.Field("dataflow", l.dataflow);
      json.Field("params_text", FormatParams(l.params));
      json.Field("mapping", l.mapping_text);
      json.Field("runtime_cycles", l.runtime_cycles);
      json.Field("energy_nj", l.energy_pj / 1000);
      json.Field("utilization", l.utilization);
      json.Field("l1_need_bytes", l.l1_need_bytes);
      json.Field("l2_need_bytes", l.l2_need_bytes);
    } else {
      json.Field("note", l.note);
    }
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
}



}  // namespace

void WriteDseJson(const DseReport& r, std::ostream& out) {
  const DseContext& c = r.context;
  JsonWriter json(out);
  json.BeginObject();
  json.Field("schema_version", kDseSchemaVersion);
  json.Field("document", "dse");
  json.Field("tool", "cadenza");
  json.Field("version", c.version);
  json.Field("date", c.date);
  json.Field("command_line", c.command_line);
  // Absent when the caller did not say; readers take "maestro", the only model before.
  if (!c.cost_model.empty()) json.Field("cost_model", c.cost_model);
  json.Field("explore_seconds", c.explore_seconds);
  json.Key("model");
  json.BeginObject();
  json.Field("path", c.model_path);
  json.Field("sha256", c.model_sha256);
  json.Field("network", r.network_name);
  json.Field("layers", r.layers);
  json.Field("distinct_layers", r.distinct_layers);
  json.EndObject();
  json.Key("sweep");
  json.BeginObject();
  json.Field("path", c.sweep_path);
  json.Field("text", c.sweep_text);
  json.Field("points", static_cast<int64_t>(r.points.size()));
  json.EndObject();
  json.Field("objective", ObjectiveName(r.objective));
  json.Key("latency_slack");
  if (r.latency_slack >= 0) {
    json.Double(r.latency_slack);
  } else {
    json.Null();
  }
  json.Key("budgets");
  json.BeginObject();
  BudgetField(json, "area_um2", c.area_budget_um2);
  BudgetField(json, "power_mw", c.power_budget_mw);
  json.EndObject();
  json.Field("max_candidates_per_template", c.max_candidates_per_template);
  json.Field("energy_definition",
             "MAC + L1 + L2 + off-chip access energy (CostResult::total_energy_pj), the "
             "quantity the search minimises");
  json.Field("area_power_definition",
             "provisioned: MAESTRO's area/power formula with the hardware's L1 (per PE) and L2 "
             "capacities in bytes; required: the same formula with the largest L1 and L2 the "
             "chosen mappings need, in elements. Budgets and the Pareto front use provisioned. "
             "The formula's power is a peak (every unit busy every cycle); average_power_mw is "
             "the network's energy over its latency. Unbounded resources (area_power_excludes) "
             "are left out of both figures.");

  json.Key("summary");
  json.BeginObject();
  json.Field("points", static_cast<int64_t>(r.points.size()));
  json.Field("evaluation_groups", r.evaluation_groups);
  json.Field("candidates_evaluated", r.candidates_evaluated);
  json.Field("feasible", r.feasible);
  json.Field("pareto", static_cast<int64_t>(r.pareto.size()));
  json.Key("best");
  if (r.best >= 0) {
    json.Int(r.best);
  } else {
    json.Null();
  }
  json.EndObject();

  json.Key("pareto");
  json.BeginArray();
  for (int index : r.pareto) json.Int(index);
  json.EndArray();

  json.Key("infeasible");
  json.BeginArray();
  for (const DseInfeasibleGroup& g : r.infeasible) {
    json.BeginObject();
    json.Field("reason", g.reason);
    json.Field("count", static_cast<int64_t>(g.points.size()));
    json.Key("points");
    json.BeginArray();
    for (int index : g.points) json.Int(index);
    json.EndArray();
    json.EndObject();
  }
  json.EndArray();

  json.Key("points");
  json.BeginArray();
  for (const DsePointReport& p : r.points) WritePoint(json, p);
  json.EndArray();

  WriteChosen(json, r);

  json.Key("warnings");
  json.BeginArray();
  for (const std::string& w : c.warnings) json.String(w);
  json.EndArray();
  json.EndObject();
}

void WriteDseCsv(const DseReport& r, std::ostream& out) {
  out << "index,label,num_pes,simd_lanes,l1_bytes,l2_bytes,noc_bw_per_cycle,"
         "offchip_bw_per_cycle,feasible,reason,pareto,best,runtime_cycles,runtime_seconds,"
         "energy_nj,edp_pj_cycles,objective_value,provisioned_area_um2,provisioned_power_mw,"
         "required_area_um2,required_power_mw,l1_required_bytes,l2_required_bytes,"
         "layers_without_mapping,average_power_mw,area_power_excludes\n";
  for (const DsePointReport& p : r.points) {
    const DesignResult& d = p.result;
    const Hardware& hw = p.hardware;
    out << p.index << ',' << CsvField(p.label) << ',' << hw.num_pes << ',' << hw.simd_lanes << ','
        << CsvLimit(hw.l1_size) << ',' << CsvLimit(hw.l2_size) << ',' << CsvLimit(hw.noc_bw)
        << ',' << CsvLimit(hw.offchip_bw) << ',' << (d.feasible ? 1 : 0) << ','
        << CsvField(d.reason) << ',' << (d.pareto ? 1 : 0) << ',' << (p.best ? 1 : 0) << ','
        << d.totals.runtime_cycles << ',' << CsvNumber(p.runtime_seconds) << ','
        << CsvNumber(d.totals.energy_pj / 1000) << ',' << CsvNumber(d.totals.edp()) << ','
        << CsvNumber(d.objective) << ',' << CsvNumber(d.provisioned.area_um2) << ','
        << CsvNumber(d.provisioned.power_mw) << ',' << CsvNumber(d.required.area_um2) << ','
        << CsvNumber(d.required.power_mw) << ',' << d.l1_required_bytes << ','
        << d.l2_required_bytes << ',' << d.totals.layers_without_mapping << ','
        << CsvNumber(p.average_power_mw) << ','
        << CsvField(ExcludedList(d)) << '\n';
  }
}

}  // namespace cadenza
