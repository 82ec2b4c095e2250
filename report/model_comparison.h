#pragma once
// The chosen mappings under the other cost model: per layer, the runtime and energy the exact
// model and the MAESTRO-compatible model give for the same mapping, and which of the MAESTRO
// model's known error classes (docs/exact-model.md, "Where the models differ") explain a large
// difference. It lets a reviewer see how far the numbers they read would move.

#include <cstdint>
#include <string>
#include <vector>

#include "analyzer/cost_model.h"
#include "analyzer/hardware.h"
#include "analyzer/layer.h"
#include "search/search.h"

namespace cadenza {

/// A difference is "large" when one model's runtime or energy exceeds the other's by this
/// factor; only then are classes named.
inline constexpr double kLargeModelDifference = 1.10;

/// One layer's chosen mapping under both models. Figures count every instance.
struct ModelComparisonRow {
  int layer = 0;             // index in the network
  std::string name;
  bool compared = false;     // both models gave a result; otherwise `note` says why not
  std::string note;
  int64_t exact_runtime_cycles = 0, maestro_runtime_cycles = 0;
  double exact_energy_pj = 0, maestro_energy_pj = 0;
  int64_t exact_macs = 0, maestro_macs = 0;
  // Error classes of the MAESTRO model that show in this layer, in a fixed order: "stride",
  // "off-chip", "inner levels", "outputs", "multicast", "L1". Empty when the difference is small.
  std::vector<std::string> classes;
};

struct ModelComparison {
  CostModelKind searched_with = CostModelKind::kExact;  // the model the choices come from
  std::vector<ModelComparisonRow> rows;                 // one per layer with a mapping
  int64_t exact_runtime_cycles = 0, maestro_runtime_cycles = 0;  // over the compared rows
  double exact_energy_pj = 0, maestro_energy_pj = 0;
};

/// Evaluates every chosen mapping of `result` with both models on `hw` (once per distinct
/// layer). A layer one model cannot take keeps a row with a note.
ModelComparison CompareModels(const Network& network, const SearchResult& result,
                              const Hardware& hw);

}  // namespace cadenza
