// The report as JSON (docs/report-schema.md) and as CSV.

#include <ostream>
#include <string>
#include <string_view>

#include "analyzer/dims.h"
#include "report/hardware_json.h"
#include "report/json_writer.h"
#include "report/report.h"
#include "report/plain_text.h"

namespace cadenza {

namespace {

using internal::CsvField;
using internal::CsvLimit;
using internal::CsvNumber;

void WriteHardware(JsonWriter& json, const NetworkReport& report) {
  json.Key("hardware");
  json.BeginObject();
  json.Field("source", report.context.hardware_source);
  json.Field("description", report.context.hardware_text);
  WriteHardwareFields(json, report.hardware);
  json.EndObject();
}

void WriteEnergyBreakdown(JsonWriter& json, double mac, double l1, double l2, double offchip) {
  json.Key("energy_breakdown_pj");
  json.BeginObject();
  json.Field("mac", mac);
  json.Field("l1", l1);
  json.Field("l2", l2);
  json.Field("offchip", offchip);
  json.EndObject();
}

void WriteTotals(JsonWriter& json, const NetworkReport& r) {
  json.Key("total");
  json.BeginObject();
  json.Field("runtime_cycles", r.totals.runtime_cycles);
  json.Field("runtime_seconds", r.runtime_seconds);
  json.Field("energy_nj", r.totals.energy_pj / 1000);
  json.Field("energy_pj", r.totals.energy_pj);
  WriteEnergyBreakdown(json, r.mac_energy_pj, r.l1_energy_pj, r.l2_energy_pj,
                       r.offchip_energy_pj);
  json.Field("edp_pj_cycles", r.totals.edp());
  json.Field("objective_value", r.network_objective);
  json.Field("macs", r.totals.macs);
  json.Field("exact_macs", r.totals.exact_macs);
  json.Field("utilization", r.utilization);
  json.Field("layers", static_cast<int64_t>(r.layers.size()));
  json.Field("distinct_layers", r.distinct_layers);
  json.Field("layers_without_mapping", r.totals.layers_without_mapping);
  json.EndObject();
}

void WriteLayer(JsonWriter& json, const LayerReport& l) {
  json.BeginObject();
  json.Field("index", l.index);
  json.Field("name", l.name);
  json.Field("op_type", l.op_type);
  json.Field("kind", OpKindName(l.kind));
  json.Key("dims");
  json.BeginObject();
  for (Dim d : kAllDims) {
    if (l.shape.size[d] > 0) json.Field(DimName(d), l.shape.size[d]);
  }
  json.EndObject();
  json.Key("stride");
  json.BeginObject();
  json.Field("y", l.shape.stride_y);
  json.Field("x", l.shape.stride_x);
  json.EndObject();
  json.Key("dilation");
  json.BeginObject();
  json.Field("y", l.shape.dilation_y);
  json.Field("x", l.shape.dilation_x);
  json.EndObject();
  json.Field("instances", l.instances);
  json.Field("representative", l.representative);
  json.Field("exact_macs", l.exact_macs);
  json.Field("found", l.found);
  json.Key("note");
  if (l.found) {
    json.Null();
  } else {
    json.String(l.note);
  }
  json.Key("dataflow");
  if (l.found) {
    json.String(l.dataflow);
  } else {
    json.Null();
  }
  if (l.found) {
    json.Key("params");
    json.BeginObject();
    for (const NamedParam& p : l.params) json.Field(p.name, p.value);
    json.EndObject();
    json.Field("params_text", FormatParams(l.params));
    json.Field("mapping", l.mapping_text);
    json.Field("objective_value", l.objective);
    json.Field("runtime_cycles", l.runtime_cycles);
    json.Field("energy_nj", l.energy_pj / 1000);
    json.Field("energy_pj", l.energy_pj);
    WriteEnergyBreakdown(json, l.mac_energy_pj, l.l1_energy_pj, l.l2_energy_pj,
                         l.offchip_energy_pj);
    json.Field("maestro_energy_nj", l.maestro_energy_nj);
    json.Field("macs", l.macs);
    json.Field("utilization", l.utilization);
    json.Field("l1_need_bytes", l.l1_need_bytes);
    json.Field("l2_need_bytes", l.l2_need_bytes);
    json.Field("noc_bw_need_per_cycle", l.noc_bw_need_per_cycle);
    json.Field("noc_bw_avg_per_cycle", l.noc_bw_avg_per_cycle);
    json.Field("offchip_bw_need_per_cycle", l.offchip_bw_need_per_cycle);
    json.Key("runner_up");
    if (l.has_runner_up) {
      json.BeginObject();
      json.Field("dataflow", l.runner_up);
      json.Field("margin", l.runner_up_margin);
      json.EndObject();
    } else {
      json.Null();
    }
  }
  json.Field("candidates", l.candidates);
  json.Field("feasible_candidates", l.feasible);
  json.Field("skipped_candidates", l.skipped);
  json.Key("families");
  json.BeginArray();
  for (const ReportFamily& f : l.families) {
    json.BeginObject();
    json.Field("dataflow", f.family);
    json.Field("candidates", f.candidates);
    json.Field("feasible", f.feasible);
    json.Field("skipped", f.skipped);
    json.Field("found", f.found);
    if (f.found) {
      json.Field("objective_value", f.objective);
      json.Field("runtime_cycles", f.runtime_cycles);
      json.Field("energy_nj", f.energy_pj / 1000);
    }
    json.EndObject();
  }
  json.EndArray();
  json.Key("warnings");
  json.BeginArray();
  for (const std::string& w : l.warnings) json.String(w);
  json.EndArray();
  json.EndObject();
}

// "model_comparison": the chosen mappings under both models (docs/report-schema.md).
void WriteModelComparison(JsonWriter& json, const ModelComparison& c) {
  json.Key("model_comparison");
  json.BeginObject();
  json.Field("searched_with", CostModelName(c.searched_with));
  json.Field("large_difference_factor", kLargeModelDifference);
  json.Field("exact_runtime_cycles", c.exact_runtime_cycles);
  json.Field("maestro_runtime_cycles", c.maestro_runtime_cycles);
  json.Field("exact_energy_nj", c.exact_energy_pj / 1000);
  json.Field("maestro_energy_nj", c.maestro_energy_pj / 1000);
  json.Key("layers");
  json.BeginArray();
  for (const ModelComparisonRow& row : c.rows) {
    json.BeginObject();
    json.Field("index", row.layer);
    json.Field("name", row.name);
    json.Field("compared", row.compared);
    if (row.compared) {
      json.Field("exact_runtime_cycles", row.exact_runtime_cycles);
      json.Field("maestro_runtime_cycles", row.maestro_runtime_cycles);
      json.Field("exact_energy_nj", row.exact_energy_pj / 1000);
      json.Field("maestro_energy_nj", row.maestro_energy_pj / 1000);
      json.Field("exact_macs", row.exact_macs);
      json.Field("maestro_macs", row.maestro_macs);
      json.Key("classes");
      json.BeginArray();
      for (const std::string& k : row.classes) json.String(k);
      json.EndArray();
    } else {
      json.Field("note", row.note);
    }
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
}

}  // namespace

void WriteJson(const NetworkReport& r, std::ostream& out) {
  JsonWriter json(out);
  json.BeginObject();
  json.Field("schema_version", kReportSchemaVersion);
  json.Field("tool", "cadenza");
  json.Field("version", r.context.version);
  json.Field("date", r.context.date);
  json.Field("command_line", r.context.command_line);
  // Absent when the caller did not say; readers take "maestro", the only model before.
  json.Key("model");
  json.BeginObject();
  json.Field("path", r.context.model_path);
  json.Field("sha256", r.context.model_sha256);
  json.Field("network", r.network_name);
  json.EndObject();
  WriteHardware(json, r);
  json.Field("objective", ObjectiveName(r.objective));
  json.Field("cost_model", CostModelName(r.cost_model));
  json.Key("latency_slack");
  if (r.latency_slack >= 0) {
    json.Double(r.latency_slack);
  } else {
    json.Null();
  }
  json.Field("energy_definition",
             "MAC + L1 + L2 + off-chip access energy (CostResult::total_energy_pj), the "
             "quantity the search minimises");
  WriteTotals(json, r);

  json.Key("baselines");
  json.BeginArray();
  for (const BaselineReport& b : r.baselines) {
    json.BeginObject();
    json.Field("dataflow", b.family);
    json.Field("runtime_cycles", b.totals.runtime_cycles);
    json.Field("energy_nj", b.totals.energy_pj / 1000);
    json.Field("edp_pj_cycles", b.totals.edp());
    json.Field("objective_value", b.objective);
    // Over the compared layers only, so that a family mapping part of the network is never
    // ranked against the whole; null when it maps no layer.
    json.Key("ratio_to_adaptive");
    if (b.has_ratio) {
      json.Double(b.ratio);
    } else {
      json.Null();
    }
    json.Field("compared_layers", b.compared_layers);
    json.Field("adaptive_compared_objective_value",
               NetworkObjective(b.adaptive_compared_totals, r.objective));
    json.Field("layers_without_mapping", b.totals.layers_without_mapping);
    json.Field("complete", b.complete);
    json.EndObject();
  }
  json.EndArray();

  json.Key("dataflow_choices");
  json.BeginArray();
  for (const FamilyShare& s : r.choices) {
    json.BeginObject();
    json.Key("dataflow");
    if (s.family.empty()) {
      json.Null();
    } else {
      json.String(s.family);
    }
    json.Field("layers", s.layers);
    json.Field("runtime_cycles", s.runtime_cycles);
    json.Field("energy_nj", s.energy_pj / 1000);
    json.EndObject();
  }
  json.EndArray();

  json.Key("search");
  json.BeginObject();
  json.Field("candidates_evaluated", r.candidates_evaluated);
  json.Field("candidates_skipped", r.candidates_skipped);
  json.Field("candidates_feasible", r.candidates_feasible);
  json.Key("infeasible");
  json.BeginArray();
  for (const InfeasibleCount& c : r.infeasible) {
    json.BeginObject();
    json.Field("reason", InfeasibleName(c.reason));
    json.Field("count", c.count);
    json.Field("explanation", InfeasibleExplanation(c.reason));
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();

  json.Key("layers");
  json.BeginArray();
  for (const LayerReport& l : r.layers) WriteLayer(json, l);
  json.EndArray();

  if (r.comparison) WriteModelComparison(json, *r.comparison);

  json.Key("warnings");
  json.BeginArray();
  for (const std::string& w : r.warnings) json.String(w);
  json.EndArray();
  json.Key("skipped_nodes");
  json.BeginArray();
  for (const ReportSkippedNode& s : r.context.skipped) {
    json.BeginObject();
    json.Field("name", s.name);
    json.Field("op_type", s.op_type);
    json.Field("reason", s.reason);
    json.EndObject();
  }
  json.EndArray();
  json.Key("other_ops");
  json.BeginObject();
  for (const auto& [op, count] : r.context.other_ops) json.Field(op, count);
  json.EndObject();
  json.EndObject();
}

void WriteCsv(const NetworkReport& r, std::ostream& out) {
  out << "index,name,op_type,kind,dims,instances,dataflow,params,runtime_cycles,energy_nj,"
         "mac_energy_pj,l1_energy_pj,l2_energy_pj,offchip_energy_pj,macs,exact_macs,"
         "utilization,l1_need_bytes,l1_bytes,l2_need_bytes,l2_bytes,noc_bw_need_per_cycle,"
         "noc_bw_per_cycle,offchip_bw_need_per_cycle,offchip_bw_per_cycle,runner_up,"
         "runner_up_margin,candidates,note\n";
  const Hardware& hw = r.hardware;
  for (const LayerReport& l : r.layers) {
    out << l.index << ',' << CsvField(l.name) << ',' << CsvField(l.op_type) << ','
        << OpKindName(l.kind) << ',' << FormatDims(l.kind, l.shape) << ',' << l.instances << ',';
    if (l.found) {
      out << CsvField(l.dataflow) << ',' << CsvField(FormatParams(l.params)) << ',' << l.runtime_cycles
          << ',' << CsvNumber(l.energy_pj / 1000) << ',' << CsvNumber(l.mac_energy_pj) << ','
          << CsvNumber(l.l1_energy_pj) << ',' << CsvNumber(l.l2_energy_pj) << ','
          << CsvNumber(l.offchip_energy_pj) << ',' << l.macs << ',' << l.exact_macs << ','
          << CsvNumber(l.utilization) << ',' << l.l1_need_bytes << ',' << CsvLimit(hw.l1_size)
          << ',' << l.l2_need_bytes << ',' << CsvLimit(hw.l2_size) << ','
          << l.noc_bw_need_per_cycle << ',' << CsvLimit(hw.noc_bw) << ','
          << l.offchip_bw_need_per_cycle << ',' << CsvLimit(hw.offchip_bw) << ','
          << CsvField(l.has_runner_up ? l.runner_up : "") << ','
          << (l.has_runner_up ? CsvNumber(l.runner_up_margin) : "") << ',' << l.candidates
          << ",\n";
    } else {
      out << ",,,,,,,,," << l.exact_macs << ",,," << CsvLimit(hw.l1_size) << ",,"
          << CsvLimit(hw.l2_size) << ",," << CsvLimit(hw.noc_bw) << ",," << CsvLimit(hw.offchip_bw)
          << ",,," << l.candidates << ',' << CsvField(l.note) << '\n';
    }
  }
}

}  // namespace cadenza
