#include "search/search.h"

#include <omp.h>

#include "search/engine.h"

namespace cadenza {

std::string_view ObjectiveName(Objective objective) {
  switch (objective) {
    case Objective::kLatency: return "latency";
    case Objective::kEnergy: return "energy";
    case Objective::kEdp: return "edp";
  }
  return "?";
}

int SearchThreads(int threads) { return threads > 0 ? threads : omp_get_max_threads(); }

std::optional<Objective> ObjectiveFromName(std::string_view name) {
  for (Objective o : {Objective::kLatency, Objective::kEnergy, Objective::kEdp}) {
    if (ObjectiveName(o) == name) return o;
  }
  return std::nullopt;
}

double ObjectiveValue(int64_t runtime_cycles, double energy_pj, Objective objective) {
  switch (objective) {
    case Objective::kLatency: return static_cast<double>(runtime_cycles);
    case Objective::kEnergy: return energy_pj;
    case Objective::kEdp: return energy_pj * static_cast<double>(runtime_cycles);
  }
  return 0;
}

double NetworkObjective(const NetworkTotals& totals, Objective objective) {
  return ObjectiveValue(totals.runtime_cycles, totals.energy_pj, objective);
}

SearchResult SearchNetwork(const Network& network, const Hardware& hw,
                           const TemplateLibrary& library, const SearchOptions& options) {
  const internal::Evaluation evaluation =
      internal::EvaluateCandidates(network, library, hw, {&hw, 1}, options, options.progress);
  const std::vector<internal::LayerSelection> selection =
      internal::Select(evaluation, library, hw, options.objective, options.latency_slack);
  SearchResult result =
      internal::BuildSearchResult(network, library, evaluation, selection, options.objective,
                                  options.cancel);
  result.latency_slack = options.latency_slack;
  return result;
}

}  // namespace cadenza
