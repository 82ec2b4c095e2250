#pragma once
// The per-layer dataflow search: every candidate of every applicable template is evaluated by
// the analyzer, capacity limits decide feasibility, and the best candidate for the objective is
// chosen per layer. The answer never depends on the number of threads.

#include <array>
#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/cost.h"
#include "analyzer/cost_model.h"
#include "analyzer/hardware.h"
#include "analyzer/layer.h"
#include "analyzer/mapping.h"
#include "search/templates.h"

namespace cadenza {

enum class Objective : uint8_t { kLatency, kEnergy, kEdp };
/// "latency", "energy", "edp".
std::string_view ObjectiveName(Objective objective);
std::optional<Objective> ObjectiveFromName(std::string_view name);

/// The quantity a search minimises: cycles, pJ, or pJ x cycles.
double ObjectiveValue(int64_t runtime_cycles, double energy_pj, Objective objective);
/// For one evaluated mapping; energy is CostResult::total_energy_pj() (MAC + L1 + L2 + off-chip).
inline double ObjectiveValue(const CostResult& cost, Objective objective) {
  return ObjectiveValue(cost.runtime_cycles, cost.total_energy_pj(), objective);
}

struct SearchOptions {
  Objective objective = Objective::kEdp;
  // A bound on the quantity the objective does not minimise: when >= 0, each layer (and each
  // family, for its best and its baseline) chooses only among its feasible candidates whose
  // cycles are within this fraction of its fastest feasible candidate's (0.05: within 5%), then
  // minimises the objective among them. Negative: no bound. Meant for the energy and EDP
  // objectives (with latency it changes nothing: the fastest is within any slack).
  double latency_slack = -1;
  // OpenMP threads; 0 lets OpenMP decide. Only the run time depends on it, never the result.
  int threads = 0;
  // Candidates kept per (distinct layer, template) after removing duplicates, in enumeration
  // order. Larger finds better mappings, more slowly. REQUIRES: > 0.
  int64_t max_candidates_per_template = 20'000;
  // The cost model every candidate is evaluated with.
  CostModelKind model = CostModelKind::kMaestro;
  // Skip the candidates that cannot win: per (layer, family), candidates are evaluated in the
  // order of a lower bound on their objective (LayerCostModel::LowerBound), and one whose bound
  // exceeds the best feasible value found so far is not evaluated. Every layer's and family's
  // choice is the exhaustive search's; only the feasible/infeasible counts cover fewer
  // candidates (the rest are counted as skipped). Without effect under a latency slack (the
  // slack's reference, the fastest candidate, needs every candidate) and with a model that
  // offers no bound. The design-space exploration skips a candidate only when it can win on none
  // of the points that share its evaluation (they differ in buffer capacities only).
  bool prune = true;
  // Called now and then from the calling thread with (candidates evaluated, total), about a
  // thousand times per search at most. May be empty. (ExploreDesigns calls it with design points
  // instead.)
  std::function<void(int64_t, int64_t)> progress;
  // Cooperative cancellation: another thread sets it to stop the search. The workers poll it
  // between candidates (and the serial phases between layers), then the search throws
  // SearchCancelled; nothing partial is returned. Null: not cancellable. Never changes the result
  // of a search that is not cancelled.
  const std::atomic<bool>* cancel = nullptr;
};

/// The number of OpenMP threads a search with `SearchOptions::threads == threads` runs on: that
/// number when positive, else OpenMP's default for the calling thread (OMP_NUM_THREADS, or the
/// cores).
int SearchThreads(int threads);

/// What a search throws when SearchOptions::cancel was set before it finished.
class SearchCancelled : public std::exception {
 public:
  const char* what() const noexcept override { return "search cancelled"; }
};

/// The best candidate of one template family for one layer.
struct FamilyBest {
  std::string family;
  int64_t candidates = 0;  // for this layer, skipped ones included
  int64_t feasible = 0;
  int64_t skipped = 0;     // not evaluated: their bound could not beat the best (prune)
  bool found = false;      // some candidate was feasible
  int template_index = -1;
  ParamValues params{};
  Mapping mapping;
  CostResult cost;
  double objective = 0;
};

/// The search's answer for one layer of the network.
struct LayerChoice {
  int layer_index = 0;
  int representative = 0;  // first layer of the same kind and shape; searched once for both
  bool found = false;      // a feasible mapping exists
  int template_index = -1;
  std::string family;
  ParamValues params{};
  std::vector<NamedParam> named_params;  // `params` with the template's names
  Mapping mapping;
  CostResult cost;
  double objective = 0;
  std::vector<FamilyBest> families;  // every family with a form for this layer, library order
  int64_t candidates = 0;
  int64_t skipped = 0;  // of `candidates`, not evaluated (SearchOptions::prune)
  std::array<int64_t, kNumInfeasible> infeasible_by_reason{};
  std::string note;  // why nothing was found, when !found
};

/// Whole-network sums, serially in layer order (instances included).
struct NetworkTotals {
  int64_t runtime_cycles = 0;
  double energy_pj = 0;
  int64_t macs = 0;         // the model's count
  int64_t exact_macs = 0;
  int layers_without_mapping = 0;  // excluded from the sums
  double edp() const { return energy_pj * static_cast<double>(runtime_cycles); }
};

/// The objective of a whole network: its cycles, pJ, or pJ x cycles.
double NetworkObjective(const NetworkTotals& totals, Objective objective);

/// One template family used for every layer (its parameters still tuned per layer).
struct Baseline {
  std::string family;
  NetworkTotals totals;
};

struct SearchResult {
  Objective objective = Objective::kEdp;
  CostModelKind model = CostModelKind::kMaestro;  // the cost model every figure comes from
  double latency_slack = -1;        // SearchOptions::latency_slack of the search
  std::vector<LayerChoice> layers;  // one per network layer, same order
  NetworkTotals totals;             // the adaptive per-layer choice
  std::vector<Baseline> baselines;  // one per family of the library
  int distinct_layers = 0;
  int64_t candidates_evaluated = 0;  // over the distinct layers, skipped ones not included
  int64_t candidates_skipped = 0;    // not evaluated: their bound could not beat the best
  std::array<int64_t, kNumInfeasible> infeasible_by_reason{};
};

/// Searches every distinct layer of `network` on `hw`. Throws InputError if a layer cannot be
/// analysed at all (e.g. it lacks a dimension its kind needs).
SearchResult SearchNetwork(const Network& network, const Hardware& hw,
                           const TemplateLibrary& library, const SearchOptions& options);

}  // namespace cadenza
