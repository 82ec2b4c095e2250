#include "report/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <string_view>

#include "analyzer/error.h"
#include "report/eval_writers.h"
#include "report/layer_warnings.h"
#include "report/plain_text.h"

namespace cadenza {

namespace {

LayerReport BuildLayer(const Layer& layer, const LayerChoice& choice, const Hardware& hw) {
  LayerReport row;
  row.index = choice.layer_index;
  row.name = layer.name;
  row.op_type = layer.op_type;
  row.kind = layer.kind;
  row.shape = layer.shape;
  row.instances = std::max<int64_t>(layer.instances, 1);
  row.representative = choice.representative;
  row.exact_macs = layer.exact_macs;
  row.candidates = choice.candidates;
  row.skipped = choice.skipped;
  for (const FamilyBest& f : choice.families) {
    row.feasible += f.feasible;
    const double n = static_cast<double>(row.instances);
    row.families.push_back({.family = f.family,
                            .found = f.found,
                            .candidates = f.candidates,
                            .feasible = f.feasible,
                            .skipped = f.skipped,
                            .objective = f.found ? f.objective : 0,
                            .runtime_cycles = f.found ? f.cost.runtime_cycles * row.instances : 0,
                            .energy_pj = f.found ? f.cost.total_energy_pj() * n : 0});
  }
  row.found = choice.found;
  row.note = choice.note;
  if (!choice.found) return row;

  const CostResult& c = choice.cost;
  const double n = static_cast<double>(row.instances);
  row.dataflow = choice.family;
  row.params = choice.named_params;
  row.mapping_text = ToString(choice.mapping);
  row.cost = c;
  row.objective = choice.objective;
  row.runtime_cycles = c.runtime_cycles * row.instances;
  row.energy_pj = c.total_energy_pj() * n;
  row.mac_energy_pj = c.mac_energy_pj * n;
  row.l1_energy_pj = c.l1_energy_pj * n;
  row.l2_energy_pj = c.l2_energy_pj * n;
  row.offchip_energy_pj = c.offchip_energy_pj * n;
  row.maestro_energy_nj = c.energy_nj * n;
  row.macs = c.macs * row.instances;
  row.utilization = c.utilization;
  row.l1_need_bytes = L1NeedBytes(c, hw);
  row.l2_need_bytes = L2NeedBytes(c, hw);
  row.noc_bw_need_per_cycle = c.noc_bw_peak_per_cycle;
  row.noc_bw_avg_per_cycle = c.noc_bw_avg_per_cycle;
  row.offchip_bw_need_per_cycle = c.offchip_bw_per_cycle;

  // The runner-up is the best other family; the lower objective (then library order) wins.
  const FamilyBest* runner_up = nullptr;
  for (const FamilyBest& f : choice.families) {
    if (!f.found || f.family == choice.family) continue;
    if (runner_up == nullptr || f.objective < runner_up->objective) runner_up = &f;
  }
  if (runner_up != nullptr) {
    row.has_runner_up = true;
    row.runner_up = runner_up->family;
    row.runner_up_margin =
        choice.objective > 0 ? runner_up->objective / choice.objective - 1 : 0;
  }

  row.warnings = LayerResultWarnings(layer, c, hw);
  return row;
}

// The family's totals against the adaptive choice's over the layers both map, summed serially
// in layer order. When the family maps every layer these are the two networks' totals.
BaselineReport BuildBaseline(const Baseline& b, const std::vector<LayerReport>& layers,
                             Objective objective) {
  BaselineReport baseline;
  baseline.family = b.family;
  baseline.totals = b.totals;
  baseline.objective = NetworkObjective(b.totals, objective);
  baseline.complete = b.totals.layers_without_mapping == 0;
  for (const LayerReport& row : layers) {
    const auto family = std::find_if(row.families.begin(), row.families.end(),
                                     [&](const ReportFamily& f) { return f.family == b.family; });
    if (!row.found || family == row.families.end() || !family->found) continue;
    ++baseline.compared_layers;
    baseline.compared_totals.runtime_cycles += family->runtime_cycles;
    baseline.compared_totals.energy_pj += family->energy_pj;
    baseline.adaptive_compared_totals.runtime_cycles += row.runtime_cycles;
    baseline.adaptive_compared_totals.energy_pj += row.energy_pj;
  }
  const double adaptive = NetworkObjective(baseline.adaptive_compared_totals, objective);
  baseline.has_ratio = baseline.compared_layers > 0 && adaptive > 0;
  baseline.ratio =
      baseline.has_ratio ? NetworkObjective(baseline.compared_totals, objective) / adaptive : 0;
  return baseline;
}

}  // namespace

NetworkReport BuildReport(const Network& network, const SearchResult& result, const Hardware& hw,
                          const ReportContext& context) {
  CADENZA_CHECK(result.layers.size() == network.layers.size());
  NetworkReport report;
  report.context = context;
  report.network_name = network.name;
  report.title = internal::ReportTitle(context.model_path, network.name);
  report.hardware = hw;
  report.objective = result.objective;
  report.cost_model = result.model;
  if (context.compare_models) report.comparison = CompareModels(network, result, hw);
  report.latency_slack = result.latency_slack;
  report.totals = result.totals;
  report.distinct_layers = result.distinct_layers;
  report.candidates_evaluated = result.candidates_evaluated;
  report.candidates_skipped = result.candidates_skipped;
  report.warnings = context.warnings;

  int64_t mapped_exact_macs = 0;
  for (size_t i = 0; i < network.layers.size(); ++i) {
    LayerReport row = BuildLayer(network.layers[i], result.layers[i], hw);
    // Serially in layer order, as the search sums its totals.
    report.mac_energy_pj += row.mac_energy_pj;
    report.l1_energy_pj += row.l1_energy_pj;
    report.l2_energy_pj += row.l2_energy_pj;
    report.offchip_energy_pj += row.offchip_energy_pj;
    if (row.found) mapped_exact_macs += row.exact_macs;
    if (!row.found) {
      report.warnings.push_back("layer '" + row.name + "': no feasible mapping: " + row.note);
    }
    for (const std::string& w : row.warnings) {
      report.warnings.push_back("layer '" + row.name + "': " + w);
    }
    report.layers.push_back(std::move(row));
  }
  report.runtime_seconds = static_cast<double>(report.totals.runtime_cycles) / (hw.clock_ghz * 1e9);
  report.network_objective = NetworkObjective(report.totals, report.objective);
  const double peak = static_cast<double>(hw.num_pes) * static_cast<double>(hw.simd_lanes) *
                      static_cast<double>(report.totals.runtime_cycles);
  report.utilization = peak > 0 ? static_cast<double>(mapped_exact_macs) / peak : 0;

  for (const Baseline& b : result.baselines) {
    report.baselines.push_back(BuildBaseline(b, report.layers, report.objective));
  }

  // Chosen families in library order (the baselines' order), then user families, then none.
  std::vector<std::string> order;
  for (const Baseline& b : result.baselines) order.push_back(b.family);
  for (const LayerReport& row : report.layers) {
    if (row.found && std::find(order.begin(), order.end(), row.dataflow) == order.end()) {
      order.push_back(row.dataflow);
    }
  }
  order.push_back("");
  for (const std::string& family : order) {
    FamilyShare share{.family = family};
    for (const LayerReport& row : report.layers) {
      if ((row.found ? row.dataflow : std::string()) != family) continue;
      ++share.layers;
      share.runtime_cycles += row.runtime_cycles;
      share.energy_pj += row.energy_pj;
    }
    if (share.layers > 0) report.choices.push_back(std::move(share));
  }

  int64_t infeasible_total = 0;
  for (int r = 0; r < kNumInfeasible; ++r) {
    const int64_t count = result.infeasible_by_reason[static_cast<size_t>(r)];
    infeasible_total += count;
    if (count > 0) report.infeasible.push_back({static_cast<Infeasible>(r), count});
  }
  report.candidates_feasible = result.candidates_evaluated - infeasible_total;
  return report;
}

std::string FormatDims(OpKind kind, const LayerShape& shape) {
  static constexpr Dim kGemmOrder[] = {Dim::kM, Dim::kN, Dim::kK};
  static constexpr Dim kConvOrder[] = {Dim::kN, Dim::kG, Dim::kK, Dim::kC,
                                       Dim::kY, Dim::kX, Dim::kR, Dim::kS};
  std::string text;
  auto add = [&](Dim d) {
    if (shape.size[d] <= 0) return;
    if (!text.empty()) text += ' ';
    text += std::string(DimName(d)) + std::to_string(shape.size[d]);
  };
  if (kind == OpKind::kGemm) {
    for (Dim d : kGemmOrder) add(d);
  } else {
    for (Dim d : kConvOrder) add(d);
  }
  // Any dimension the kind does not usually have still shows.
  for (Dim d : kAllDims) {
    const bool listed = kind == OpKind::kGemm
                            ? std::find(std::begin(kGemmOrder), std::end(kGemmOrder), d) != std::end(kGemmOrder)
                            : std::find(std::begin(kConvOrder), std::end(kConvOrder), d) != std::end(kConvOrder);
    if (!listed) add(d);
  }
  if (shape.stride_y > 1 || shape.stride_x > 1) {
    text += " /" + std::to_string(shape.stride_y) + "x" + std::to_string(shape.stride_x);
  }
  return text;
}

double EdpJouleSeconds(double edp_pj_cycles, double clock_ghz) {
  return edp_pj_cycles * 1e-12 / (clock_ghz * 1e9);
}

std::string FormatParams(const std::vector<NamedParam>& params) {
  std::string text;
  for (const NamedParam& p : params) {
    text += (text.empty() ? "" : " ") + p.name + "=" + std::to_string(p.value);
  }
  return text;
}

std::string FormatThousands(int64_t value) {
  const bool negative = value < 0;
  // Through uint64 so that INT64_MIN negates safely.
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  std::string digits = std::to_string(magnitude);
  std::string text;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) text += ',';
    text += digits[i];
  }
  return negative ? "-" + text : text;
}

std::string ObjectiveDescription(Objective objective, double latency_slack) {
  std::string text(ObjectiveName(objective));
  if (latency_slack < 0) return text;
  char percent[32];
  std::snprintf(percent, sizeof percent, "%g%%", 100 * latency_slack);
  return text + ", latency within " + percent + " of each layer's fastest";
}

std::string ObjectiveDescription(const NetworkReport& report) {
  return ObjectiveDescription(report.objective, report.latency_slack);
}

std::string CountOf(int64_t count, std::string_view singular, std::string_view plural) {
  std::string noun(count == 1 ? singular : plural.empty() ? std::string(singular) + "s" : plural);
  return FormatThousands(count) + " " + noun;
}

std::string BaselineCoverage(const BaselineReport& baseline, size_t network_layers) {
  if (baseline.complete) return "";
  if (!baseline.has_ratio) return "no layer mapped, not compared";
  return "over " + std::to_string(baseline.compared_layers) + " of " +
         CountOf(static_cast<int64_t>(network_layers), "layer") + " (" +
         std::to_string(baseline.totals.layers_without_mapping) + " without a mapping)";
}

std::string FormatSi(double value, const std::string& unit) {
  if (!std::isfinite(value)) return "n/a";
  static constexpr const char* kPrefixes[] = {"a", "f", "p", "n", "\u00b5", "m", "",
                                              "k", "M", "G", "T", "P", "E"};
  constexpr int kUnitIndex = 6;
  const std::string space = unit.empty() ? "" : " ";
  if (value == 0) return "0" + space + unit;
  const double magnitude = std::fabs(value);
  int exponent = static_cast<int>(std::floor(std::log10(magnitude) / 3));
  exponent = std::clamp(exponent, -kUnitIndex, 6);
  double scaled = value / std::pow(1000.0, exponent);
  // Rounding to three digits can carry into the next prefix (999.7 -> "1.00 k").
  if (std::fabs(scaled) >= 999.5 && exponent < 6) {
    ++exponent;
    scaled /= 1000;
  }
  const double abs_scaled = std::fabs(scaled);
  const int decimals = abs_scaled >= 99.95 ? 0 : abs_scaled >= 9.995 ? 1 : 2;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, scaled);
  const std::string prefix = kPrefixes[exponent + kUnitIndex];
  if (unit.empty()) return std::string(buffer) + (prefix.empty() ? "" : " " + prefix);
  return std::string(buffer) + " " + prefix + unit;
}

}  // namespace cadenza
