#include "report/eval_run.h"

#include <memory>
#include <string>

#include "analyzer/error.h"
#include "report/layer_warnings.h"

namespace cadenza {

std::string EvalLayerWhere(const EvalLayerSource& source, int line, const Layer& layer) {
  return source.path + ":" + std::to_string(line) + ": layer '" + layer.name + "'";
}

namespace {

// The error for an infeasible result, naming the directive at fault when there is one.
std::string InfeasibleMessage(const Layer& layer, const Mapping& mapping,
                              const EvalLayerSource& source, const CostResult& r) {
  const std::string at_layer = EvalLayerWhere(source, source.layer_line, layer);
  if (r.infeasible == Infeasible::kCoverage && r.exact) {
    return at_layer + ": coverage: " + std::to_string(r.exact->missing_macs) +
           " MACs missing, " + std::to_string(r.exact->extra_macs) + " extra (" +
           std::string(InfeasibleExplanation(r.infeasible)) + ")";
  }
  const int d = r.infeasible_directive;
  if (d < 0 || d >= mapping.size()) {
    return at_layer + ": " + std::string(InfeasibleExplanation(r.infeasible));
  }
  int line = source.layer_line;
  if (static_cast<size_t>(d) < source.directive_lines.size()) {
    line = source.directive_lines[static_cast<size_t>(d)];
  }
  std::string directive = ToString(mapping[d]);
  if (!directive.empty() && directive.back() == ';') directive.pop_back();
  return EvalLayerWhere(source, line, layer) + ": " + directive + ": " +
         std::string(InfeasibleExplanation(r.infeasible));
}

}  // namespace

EvalRow EvaluateLayer(const Layer& layer, const Mapping& mapping, CostModelKind kind,
                      const Hardware& hw, const EvalLayerSource& source) {
  EvalRow row;
  row.layer = &layer;
  row.mapping = &mapping;
  try {
    const std::unique_ptr<LayerCostModel> cost_model = MakeLayerCostModel(kind, layer, hw);
    row.result = cost_model->Evaluate(mapping);
    if (!row.result.ok()) {
      row.error = InfeasibleMessage(layer, mapping, source, row.result);
    } else {
      row.warnings = LayerResultWarnings(layer, row.result, hw);
    }
  } catch (const InputError& e) {
    // A layer the model cannot take; the others are still worth evaluating.
    row.error = EvalLayerWhere(source, source.layer_line, layer) + ": " + e.what();
  }
  return row;
}

EvalLayerSource EvalSourceOf(const EvalNetworkInput& input, size_t i) {
  EvalLayerSource source;
  source.path = input.network->source_path;
  if (input.layer_lines != nullptr && i < input.layer_lines->size()) {
    source.layer_line = (*input.layer_lines)[i];
  }
  if (input.directive_lines != nullptr && i < input.directive_lines->size()) {
    source.directive_lines = (*input.directive_lines)[i];
  }
  return source;
}

EvalReport EvaluateNetwork(const EvalNetworkInput& input, CostModelKind kind, const Hardware& hw,
                           std::vector<std::pair<bool, std::string>>* messages) {
  const Network& network = *input.network;
  EvalReport report;
  report.cost_model = std::string(CostModelName(kind));
  report.network = network.name;
  report.hardware = hw;
  report.warnings = network.warnings;  // each names its file and line
  for (const std::string& w : report.warnings) messages->emplace_back(false, w);
  for (size_t i = 0; i < network.layers.size(); ++i) {
    const EvalLayerSource source = EvalSourceOf(input, i);
    EvalRow row = EvaluateLayer(network.layers[i], (*input.mappings)[i], kind, hw, source);
    if (!row.ok()) messages->emplace_back(true, row.error);
    for (const std::string& w : row.warnings) {
      messages->emplace_back(false,
                             EvalLayerWhere(source, source.layer_line, network.layers[i]) + ": " + w);
    }
    report.rows.push_back(std::move(row));
  }
  return report;
}

}  // namespace cadenza
