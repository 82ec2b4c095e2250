#pragma once
// One layer of a `.m` network evaluated under the dataflow its file gives it: the row
// `cadenza eval` and cadenza.evaluate (the Python package) both report, with its error message
// naming the file, the line and the layer. Shared so that the two front ends cannot differ.

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "analyzer/cost_model.h"
#include "analyzer/hardware.h"
#include "analyzer/layer.h"
#include "analyzer/mapping.h"
#include "report/eval_writers.h"

namespace cadenza {

/// Where a layer is written in its `.m` file, for messages.
struct EvalLayerSource {
  std::string path;                  // the network file, as given
  int layer_line = 0;                // the layer's line; 0: unknown
  std::span<const int> directive_lines;  // the line of each of its dataflow's directives
};

/// "file:line: layer 'name'", the prefix of every message about a layer.
std::string EvalLayerWhere(const EvalLayerSource& source, int line, const Layer& layer);

/// `layer` under `mapping` with the cost model `kind`: a result with its warnings, or an error
/// (the model cannot take the layer, or the mapping is infeasible: the directive at fault, or
/// under the exact model the coverage's missing and extra MACs). Never throws InputError.
/// REQUIRES: `layer` and `mapping` outlive the row.
EvalRow EvaluateLayer(const Layer& layer, const Mapping& mapping, CostModelKind kind,
                      const Hardware& hw, const EvalLayerSource& source);

/// A `.m` network's layers, their dataflows and where each is written (MaestroModel's parts:
/// report/ does not read files).
struct EvalNetworkInput {
  const Network* network = nullptr;              // REQUIRES: non-null
  const std::vector<Mapping>* mappings = nullptr;  // one per layer; REQUIRES: non-null
  const std::vector<int>* layer_lines = nullptr;   // may be null or short
  const std::vector<std::vector<int>>* directive_lines = nullptr;  // may be null or short
};

/// Where layer `i` of `input` is written.
EvalLayerSource EvalSourceOf(const EvalNetworkInput& input, size_t i);

/// Every layer of `input` with EvaluateLayer, in order: `cadenza eval`'s report (version, paths
/// and hardware description are the caller's). `messages` receives, in the order the command
/// prints them, each line after its "cadenza: warning: " or "cadenza: error: " prefix, as
/// (is_error, text): the reader's warnings, then each layer's error or warnings.
EvalReport EvaluateNetwork(const EvalNetworkInput& input, CostModelKind kind, const Hardware& hw,
                           std::vector<std::pair<bool, std::string>>* messages);

}  // namespace cadenza
