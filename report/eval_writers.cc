#include "report/eval_writers.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <iomanip>
#include <sstream>
#include <string_view>

#include "analyzer/dims.h"
#include "analyzer/error.h"
#include "analyzer/maestro_columns.h"
#include "report/hardware_json.h"
#include "report/json_writer.h"
#include "report/plain_text.h"
#include "report/report.h"

namespace cadenza {

namespace {

using internal::CsvField;

// Cadenza's columns after the original's 52, in order.
constexpr std::array<std::string_view, 8> kOwnCsvColumns = {
    "exact_macs",        "mac_energy_pj",   "l1_energy_pj", "l2_energy_pj",
    "offchip_energy_pj", "total_energy_pj", "utilization",  "warnings"};

// C++ default stream formatting (6 significant digits, %g-like): what the original prints.
std::string FormatReal(double v) {
  return FormatMaestroValue({.is_integer = false, .real = static_cast<long double>(v)});
}

std::string JoinMessages(const EvalRow& row) {
  std::string text;
  if (!row.ok()) text = "error: " + row.error;
  for (const std::string& w : row.warnings) {
    if (!text.empty()) text += "; ";
    text += w;
  }
  return text;
}

int64_t Instances(const EvalRow& row) { return std::max<int64_t>(row.layer->instances, 1); }

// ---------------------------------------------------------------------------------------------
// JSON (report/json_writer.h)

void WriteDelays(JsonWriter& json, std::string_view key, const DelayStats& d) {
  json.Key(key);
  json.BeginObject();
  json.Field("min", d.min);
  json.Field("max", d.max);
  json.Field("avg", d.avg);
  json.EndObject();
}

void WritePerTensor(JsonWriter& json, std::string_view key, const PerTensor<int64_t>& v) {
  json.Key(key);
  json.BeginObject();
  for (Tensor t : kAllTensors) json.Field(TensorName(t), v[t]);
  json.EndObject();
}

double Real(const MaestroValue& v) { return static_cast<double>(v.real); }

// The exact model's tensors are named as the machine's definition names them (docs/exact-model.md).
void WriteExactPerTensor(JsonWriter& json, std::string_view key, const PerTensor<int64_t>& v) {
  json.Key(key);
  json.BeginObject();
  json.Field("input", v[Tensor::kInput]);
  json.Field("weight", v[Tensor::kFilter]);
  json.Field("output", v[Tensor::kOutput]);
  json.EndObject();
}

// The exact model's counts, integers only (docs/exact-model.md lists each field's meaning).
void WriteExactCounts(JsonWriter& json, const ExactCounts& c) {
  json.Key("exact");
  json.BeginObject();
  WriteExactCountFields(json, c);
  json.EndObject();
}

// A result of the exact model: the statistics every model has, then its counts. MAESTRO's own
// columns (access counts, delays, bandwidth needs) belong to the other model and are omitted.
void WriteExactLayerJson(JsonWriter& json, const CostResult& r, const Hardware& hw) {
  json.Field("cost_model", "exact");
  json.Field("runtime_cycles", r.runtime_cycles);
  json.Field("macs", r.macs);
  json.Field("energy_nj", r.energy_nj);
  json.Field("throughput_macs_per_cycle", r.throughput_macs_per_cycle);
  json.Field("utilization", r.utilization);
  json.Field("area_um2", r.area_power.area_um2);
  json.Field("power_mw", r.area_power.power_mw);
  json.Field("l1_size_elements", r.l1_size_elements);
  json.Field("l2_size_elements", r.l2_size_elements);
  WritePerTensor(json, "l1_size_per_tensor", r.l1_size_per_tensor);
  WritePerTensor(json, "l2_size_per_tensor", r.l2_size_per_tensor);
  json.Field("l1_need_bytes", L1NeedBytes(r, hw));
  json.Field("l2_need_bytes", L2NeedBytes(r, hw));
  json.Field("mac_energy_pj", r.mac_energy_pj);
  json.Field("l1_energy_pj", r.l1_energy_pj);
  json.Field("l2_energy_pj", r.l2_energy_pj);
  json.Field("offchip_energy_pj", r.offchip_energy_pj);
  json.Field("total_energy_pj", r.total_energy_pj());
  WriteExactCounts(json, *r.exact);
}

void WriteLayerJson(JsonWriter& json, const EvalRow& row, const Hardware& hw) {
  const Layer& layer = *row.layer;
  json.BeginObject();
  json.Field("name", layer.name);
  json.Field("type", OpKindName(layer.kind));
  json.Key("dims");
  json.BeginObject();
  for (Dim d : kAllDims) {
    if (layer.shape.size[d] > 0) json.Field(DimName(d), layer.shape.size[d]);
  }
  json.EndObject();
  json.Key("stride");
  json.BeginObject();
  json.Field("y", layer.shape.stride_y);
  json.Field("x", layer.shape.stride_x);
  json.EndObject();
  json.Field("instances", layer.instances);
  if (row.mapping != nullptr) {
    json.Key("dataflow");
    json.BeginArray();
    for (const Directive& d : *row.mapping) json.String(ToString(d));
    json.EndArray();
  }
  json.Key("error");
  if (row.ok()) {
    json.Null();
  } else {
    json.String(row.error);
  }
  json.Key("infeasible");
  if (row.result.infeasible == Infeasible::kNone) {
    json.Null();
  } else {
    json.String(InfeasibleName(row.result.infeasible));
  }
  json.Key("warnings");
  json.BeginArray();
  for (const std::string& w : row.warnings) json.String(w);
  json.EndArray();
  json.Field("exact_macs", layer.exact_macs);
  if (!row.ok()) {
    json.EndObject();
    return;
  }

  const CostResult& r = row.result;
  if (r.exact) {
    WriteExactLayerJson(json, r, hw);
    json.EndObject();
    return;
  }
  const std::array<MaestroValue, kMaestroColumnCount> m = MaestroValues(r, hw);
  json.Field("runtime_cycles", r.runtime_cycles);
  json.Field("macs", r.macs);
  json.Field("energy_nj", r.energy_nj);
  json.Field("throughput_macs_per_cycle", r.throughput_macs_per_cycle);
  json.Field("throughput_per_energy_gmacs_per_s_j", Real(m[6]));
  json.Field("ops_per_j", Real(m[20]));
  json.Field("utilization", r.utilization);
  json.Field("avg_utilized_pes", r.avg_utilized_pes);
  json.Field("arithmetic_intensity", r.arithmetic_intensity);
  json.Field("area_um2", r.area_power.area_um2);
  json.Field("power_mw", r.area_power.power_mw);
  json.Field("pe_power_mw", r.area_power.pe_power_mw);
  json.Field("l1_power_mw", r.area_power.l1_power_mw);
  json.Field("l2_power_mw", r.area_power.l2_power_mw);
  json.Field("noc_power_mw", r.area_power.noc_power_mw);
  json.Field("noc_bw_peak_per_cycle", r.noc_bw_peak_per_cycle);
  json.Field("noc_bw_avg_per_cycle", r.noc_bw_avg_per_cycle);
  json.Field("offchip_bw_per_cycle", r.offchip_bw_per_cycle);
  json.Field("l1_size_elements", r.l1_size_elements);
  json.Field("l2_size_elements", r.l2_size_elements);
  WritePerTensor(json, "l1_size_per_tensor", r.l1_size_per_tensor);
  WritePerTensor(json, "l2_size_per_tensor", r.l2_size_per_tensor);
  json.Field("l1_need_bytes", L1NeedBytes(r, hw));
  json.Field("l2_need_bytes", L2NeedBytes(r, hw));
  json.Field("input_elements", r.input_elements);
  json.Field("filter_elements", r.filter_elements);
  json.Key("accesses");
  json.BeginObject();
  // MAESTRO's columns 27-41 and 17-18, per tensor.
  constexpr std::array<size_t, kNumTensors> kReuseColumn = {30, 35, 40};
  for (Tensor t : kAllTensors) {
    const TensorAccesses& a = r.accesses[t];
    json.Key(TensorName(t));
    json.BeginObject();
    json.Field("l1_read", a.l1_read);
    json.Field("l1_write", a.l1_write);
    json.Field("l2_read", a.l2_read);
    json.Field("l2_write", a.l2_write);
    json.Field("reuse_factor", Real(m[kReuseColumn[static_cast<size_t>(t)]]));
    if (t == Tensor::kInput) json.Field("multicast_factor", Real(m[17]));
    if (t == Tensor::kFilter) json.Field("multicast_factor", Real(m[16]));
    json.EndObject();
  }
  json.EndObject();
  WriteDelays(json, "ingress_cycles", r.ingress_cycles);
  WriteDelays(json, "egress_cycles", r.egress_cycles);
  WriteDelays(json, "compute_cycles", r.compute_cycles);
  json.Field("mac_energy_pj", r.mac_energy_pj);
  json.Field("l1_energy_pj", r.l1_energy_pj);
  json.Field("l2_energy_pj", r.l2_energy_pj);
  json.Field("offchip_energy_pj", r.offchip_energy_pj);
  json.Field("total_energy_pj", r.total_energy_pj());
  json.EndObject();
}

// ---------------------------------------------------------------------------------------------
// Table

struct Column {
  std::string_view title;
  bool right_aligned;
};

std::string Percent(double fraction) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << 100.0 * fraction << '%';
  return out.str();
}

// The terminal table's one format for real numbers: fixed decimals, never an exponent, so that
// a column reads by its digits ("182444.2" above "3612660.4", not "3.61266e+06").
std::string Fixed(double v, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, v);
  return buffer;
}

std::string NeedOfCapacity(int64_t need, int64_t capacity) {
  return std::to_string(need) + " / " +
         (Hardware::IsUnlimited(capacity) ? std::string("-") : std::to_string(capacity));
}

bool UsesExactModel(const EvalReport& report) {
  if (report.cost_model == CostModelName(CostModelKind::kExact)) return true;
  for (const EvalRow& row : report.rows) {
    if (row.ok() && row.result.exact) return true;
  }
  return false;
}

}  // namespace

void WriteExactCountFields(JsonWriter& json, const ExactCounts& c) {
  json.Field("macs", c.macs);
  json.Field("runtime_cycles", c.runtime_cycles);
  json.Field("onchip_cycles", c.onchip_cycles);
  json.Field("steps", c.steps);
  json.Field("top_steps", c.top_steps);
  WriteExactPerTensor(json, "ingress", c.ingress);
  WriteExactPerTensor(json, "ingress_unicast", c.ingress_unicast);
  json.Field("egress", c.egress);
  json.Field("egress_unicast", c.egress_unicast);
  json.Field("l1_elements", c.l1_elements);
  json.Field("l2_elements", c.l2_elements);
  WriteExactPerTensor(json, "dram_reads", c.dram_reads);
  json.Field("dram_writes", c.dram_writes);
}

EvalTotals SumEval(const EvalReport& report) {
  EvalTotals total;
  for (const EvalRow& row : report.rows) {
    ++total.layers;
    total.exact_macs += row.layer->exact_macs;
    if (!row.ok()) {
      ++total.failed;
      continue;
    }
    const CostResult& r = row.result;
    const int64_t n = Instances(row);
    total.runtime_cycles += r.runtime_cycles * n;
    total.macs += r.macs * n;
    total.energy_nj += r.energy_nj * static_cast<double>(n);
    total.total_energy_pj += r.total_energy_pj() * static_cast<double>(n);
    total.max_l1_bytes = std::max(total.max_l1_bytes, L1NeedBytes(r, report.hardware));
    total.max_l2_bytes = std::max(total.max_l2_bytes, L2NeedBytes(r, report.hardware));
    total.max_noc_bw_per_cycle = std::max(total.max_noc_bw_per_cycle, r.noc_bw_peak_per_cycle);
  }
  const double peak = static_cast<double>(report.hardware.num_pes) *
                      static_cast<double>(report.hardware.simd_lanes) *
                      static_cast<double>(total.runtime_cycles);
  total.utilization = peak > 0 ? static_cast<double>(total.macs) / peak : 0.0;
  return total;
}

void WriteEvalTable(const EvalReport& report, std::ostream& out) {
  const Hardware& hw = report.hardware;
  // Under the MAESTRO model the original tool's activity-count energy (on-chip only) is shown
  // for comparison with it, beside the total with off-chip traffic that both models share. The
  // exact model has no peak-bandwidth figure (bandwidth sets its step delays instead): "-".
  const bool exact = UsesExactModel(report);
  std::vector<Column> columns = {{"layer", false},        {"type", false},
                                 {"cycles", true},        {"MACs (model)", true},
                                 {"MACs (exact)", true},  {"MACs/cycle", true},
                                 {"util", true}};
  if (!exact) columns.push_back({"activity nJ", true});
  columns.insert(columns.end(), {{"total nJ", true},
                                 {"L1 B/PE need/cap", true},
                                 {"L2 B need/cap", true},
                                 {"NoC BW/cycle", true},
                                 {"note", false}});
  const size_t num_columns = columns.size();
  using Row = std::vector<std::string>;
  // Cells in column order; `activity` is skipped under the exact model.
  auto make_row = [&](std::string name, std::string type, std::string cycles, std::string macs,
                      std::string exact_macs, std::string per_cycle, std::string util,
                      std::string activity, std::string total, std::string l1, std::string l2,
                      std::string noc, std::string note) {
    Row r = {std::move(name), std::move(type),      std::move(cycles), std::move(macs),
             std::move(exact_macs), std::move(per_cycle), std::move(util)};
    if (!exact) r.push_back(std::move(activity));
    for (std::string* cell : {&total, &l1, &l2, &noc, &note}) r.push_back(std::move(*cell));
    return r;
  };
  std::vector<Row> cells;
  for (const EvalRow& row : report.rows) {
    const Layer& layer = *row.layer;
    // A row is one instance of its layer, as the model evaluates it; the total counts them all.
    const std::string one_instance_macs = std::to_string(layer.exact_macs / Instances(row));
    std::string note = Instances(row) > 1 ? "x" + std::to_string(Instances(row)) + " instances" : "";
    if (row.ok()) {
      if (!row.warnings.empty()) {
        note += (note.empty() ? "" : ", ") +
                CountOf(static_cast<int64_t>(row.warnings.size()), "warning");
      }
      const CostResult& r = row.result;
      cells.push_back(make_row(
          layer.name, std::string(OpKindName(layer.kind)), std::to_string(r.runtime_cycles),
          std::to_string(r.macs), one_instance_macs,
          Fixed(r.throughput_macs_per_cycle, 2), Percent(r.utilization), Fixed(r.energy_nj, 1),
          Fixed(r.total_energy_pj() / 1000.0, 1), NeedOfCapacity(L1NeedBytes(r, hw), hw.l1_size),
          NeedOfCapacity(L2NeedBytes(r, hw), hw.l2_size),
          exact ? "-" : std::to_string(r.noc_bw_peak_per_cycle), note));
    } else {
      cells.push_back(make_row(layer.name, std::string(OpKindName(layer.kind)), "", "",
                               one_instance_macs, "", "", "", "", "", "", "",
                               "error: " + std::string(row.result.infeasible == Infeasible::kNone
                                                           ? "not evaluated"
                                                           : InfeasibleName(row.result.infeasible))));
    }
  }
  const EvalTotals total = SumEval(report);
  const Row t = make_row(
      "total (" + CountOf(total.layers, "layer") + ")", "", std::to_string(total.runtime_cycles),
      std::to_string(total.macs), std::to_string(total.exact_macs),
      total.runtime_cycles > 0
          ? Fixed(static_cast<double>(total.macs) / static_cast<double>(total.runtime_cycles), 2)
          : "",
      Percent(total.utilization), Fixed(total.energy_nj, 1),
      Fixed(total.total_energy_pj / 1000.0, 1), NeedOfCapacity(total.max_l1_bytes, hw.l1_size),
      NeedOfCapacity(total.max_l2_bytes, hw.l2_size),
      exact ? "-" : std::to_string(total.max_noc_bw_per_cycle),
      total.failed > 0 ? std::to_string(total.failed) + " failed, not counted" : "");

  std::vector<size_t> width(num_columns);
  for (size_t i = 0; i < num_columns; ++i) {
    width[i] = std::max(columns[i].title.size(), t[i].size());
    for (const Row& c : cells) width[i] = std::max(width[i], c[i].size());
  }
  auto print_line = [&](const Row& c) {
    std::string line;
    for (size_t i = 0; i < num_columns; ++i) {
      if (i > 0) line += "  ";
      const std::string pad(width[i] - c[i].size(), ' ');
      line += columns[i].right_aligned ? pad + c[i] : c[i] + pad;
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << '\n';
  };
  Row titles;
  for (const Column& column : columns) titles.emplace_back(column.title);
  out << report.network << " on " << hw.num_pes << " PEs x " << hw.simd_lanes
      << (hw.simd_lanes == 1 ? " SIMD lane" : " SIMD lanes")
      << "; the total's L1, L2 and NoC figures are the largest of any layer"
      << (exact ? "" : "; activity nJ is the original tool's on-chip energy, total nJ adds off-chip")
      << '\n';
  print_line(titles);
  size_t rule = 2 * (num_columns - 1);
  for (size_t w : width) rule += w;
  out << std::string(rule, '-') << '\n';
  for (const Row& c : cells) print_line(c);
  out << std::string(rule, '-') << '\n';
  print_line(t);
}

namespace {


// The exact model's CSV: one row per layer with its integer counts and Cadenza's energies.
void WriteExactEvalCsv(const EvalReport& report, std::ostream& out) {
  out << "network,layer,exact_macs,macs,runtime_cycles,onchip_cycles,steps,top_steps,"
         "ingress_input,ingress_filter,ingress_output,ingress_unicast_input,"
         "ingress_unicast_filter,ingress_unicast_output,egress,egress_unicast,l1_elements,"
         "l2_elements,dram_reads_input,dram_reads_filter,dram_reads_output,dram_writes,"
         "mac_energy_pj,l1_energy_pj,l2_energy_pj,offchip_energy_pj,total_energy_pj,"
         "utilization,warnings\n";
  for (const EvalRow& row : report.rows) {
    std::vector<std::string> cells = {CsvField(report.network), CsvField(row.layer->name),
                                      std::to_string(row.layer->exact_macs)};
    if (row.ok() && row.result.exact) {
      const CostResult& r = row.result;
      const ExactCounts& c = *r.exact;
      std::vector<int64_t> counts = {c.macs, c.runtime_cycles, c.onchip_cycles, c.steps,
                                     c.top_steps};
      for (Tensor t : kAllTensors) counts.push_back(c.ingress[t]);
      for (Tensor t : kAllTensors) counts.push_back(c.ingress_unicast[t]);
      counts.insert(counts.end(), {c.egress, c.egress_unicast, c.l1_elements, c.l2_elements});
      for (Tensor t : kAllTensors) counts.push_back(c.dram_reads[t]);
      counts.push_back(c.dram_writes);
      for (int64_t v : counts) cells.push_back(std::to_string(v));
      for (double v : {r.mac_energy_pj, r.l1_energy_pj, r.l2_energy_pj, r.offchip_energy_pj,
                       r.total_energy_pj(), r.utilization}) {
        cells.push_back(FormatReal(v));
      }
    } else {
      cells.resize(28);
    }
    cells.push_back(CsvField(JoinMessages(row)));
    for (size_t i = 0; i < cells.size(); ++i) out << (i > 0 ? "," : "") << cells[i];
    out << '\n';
  }
}

}  // namespace

void WriteEvalCsv(const EvalReport& report, std::ostream& out) {
  if (UsesExactModel(report)) {
    WriteExactEvalCsv(report, out);
    return;
  }
  out << MaestroCsvHeader();
  for (std::string_view name : kOwnCsvColumns) out << ", " << name;
  out << '\n';
  constexpr size_t kTotal = kMaestroColumnCount + kOwnCsvColumns.size();
  std::array<std::string, kTotal> cells;
  for (const EvalRow& row : report.rows) {
    cells.fill("");
    cells[0] = CsvField(report.network);
    cells[1] = CsvField(row.layer->name);
    cells[kMaestroColumnCount] = std::to_string(row.layer->exact_macs);
    if (row.ok()) {
      const CostResult& r = row.result;
      const std::array<MaestroValue, kMaestroColumnCount> values =
          MaestroValues(r, report.hardware);
      for (size_t i = 2; i < values.size(); ++i) cells[i] = FormatMaestroValue(values[i]);
      size_t i = kMaestroColumnCount + 1;
      for (double v : {r.mac_energy_pj, r.l1_energy_pj, r.l2_energy_pj, r.offchip_energy_pj,
                       r.total_energy_pj(), r.utilization}) {
        cells[i++] = FormatReal(v);
      }
    }
    cells[kTotal - 1] = CsvField(JoinMessages(row));
    // The original joins columns 1-27 with "," and the rest with ", ".
    for (size_t i = 0; i < kTotal; ++i) {
      if (i > 0) out << (i <= 26 ? "," : ", ");
      out << cells[i];
    }
    out << '\n';
  }
}

void WriteEvalJson(const EvalReport& report, std::ostream& out) {
  JsonWriter json(out);
  json.BeginObject();
  json.Field("tool", "cadenza");
  json.Field("version", report.version);
  // Absent when the caller did not say; readers take "maestro", the only model before.
  if (!report.cost_model.empty()) json.Field("cost_model", report.cost_model);
  json.Field("network", report.network);
  json.Field("mapping_file", report.mapping_path);
  json.Field("hardware_file", report.hardware_path);
  json.Key("hardware");
  json.BeginObject();
  WriteHardwareFields(json, report.hardware);
  json.EndObject();
  json.Key("warnings");
  json.BeginArray();
  for (const std::string& w : report.warnings) json.String(w);
  json.EndArray();
  json.Key("layers");
  json.BeginArray();
  for (const EvalRow& row : report.rows) WriteLayerJson(json, row, report.hardware);
  json.EndArray();
  const EvalTotals total = SumEval(report);
  json.Key("total");
  json.BeginObject();
  json.Field("layers", total.layers);
  json.Field("failed", total.failed);
  json.Field("runtime_cycles", total.runtime_cycles);
  json.Field("energy_nj", total.energy_nj);
  json.Field("total_energy_pj", total.total_energy_pj);
  json.Field("macs", total.macs);
  json.Field("exact_macs", total.exact_macs);
  json.Field("utilization", total.utilization);
  json.Field("max_l1_need_bytes", total.max_l1_bytes);
  json.Field("max_l2_need_bytes", total.max_l2_bytes);
  json.Field("max_noc_bw_per_cycle", total.max_noc_bw_per_cycle);
  json.EndObject();
  json.EndObject();
}

}  // namespace cadenza
