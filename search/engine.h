#pragma once
// Internal to the search: the one engine behind SearchNetwork and ExploreDesigns. Candidates are
// evaluated once by a cost model (a parameter, never named here) on a hardware whose buffer
// capacities are lifted; selection then applies the capacities of any hardware that shares the
// other parameters, so a design-space sweep reuses one evaluation for many points.

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "analyzer/cost.h"
#include "analyzer/cost_model.h"
#include "analyzer/hardware.h"
#include "analyzer/layer.h"
#include "search/candidates.h"
#include "search/search.h"
#include "search/templates.h"

namespace cadenza::internal {

/// What selection needs from one evaluated candidate. Buffer needs stay per tensor, so points
/// with other capacities or element widths can be checked without evaluating again.
struct CandidateStats {
  Infeasible reason = Infeasible::kNone;  // Evaluate's (kBadStructure: no mapping at all)
  Infeasible limit = Infeasible::kNone;   // CheckLimits' verdict other than capacity
  int64_t runtime_cycles = 0;
  int64_t macs = 0;
  double energy_pj = 0;                   // CostResult::total_energy_pj()
  PerTensor<int64_t> l1{}, l2{};          // elements
  bool skipped = false;  // not evaluated: its bound could not beat its family's best (prune)
};

/// Every candidate of every distinct layer of a network, evaluated on one hardware's
/// non-capacity parameters.
struct Evaluation {
  CostModelKind model = CostModelKind::kMaestro;  // what evaluated every candidate
  DistinctLayers distinct;
  std::vector<std::unique_ptr<LayerCostModel>> models;  // per distinct layer
  CandidateList list;
  std::vector<CandidateStats> stats;  // per candidate, same order as list.items
  int64_t num_pes = 0;  // of the evaluated hardware (the templates' parameters depend on it)
  int64_t skipped = 0;  // candidates not evaluated (CandidateStats::skipped)
  int threads = 1;      // what evaluated them (and evaluates the winners again)
  /// A candidate's mapping and full result, as Evaluate gave them.
  struct Kept {
    int64_t index = -1;
    Mapping mapping;
    CostResult cost;
  };
  /// The pruned search's last best of each (distinct layer, family) on each selection point,
  /// sorted by index: BuildSearchResult takes these instead of evaluating them again.
  std::vector<Kept> kept;
  int64_t Evaluated() const { return static_cast<int64_t>(list.items.size()) - skipped; }
  /// The kept result of candidate `index`, or null.
  const Kept* FindKept(int64_t index) const;
};

/// `hw` with the L1 and L2 capacities lifted: what Evaluate sees (its result never depends on
/// them; see LayerCostModel).
Hardware WithoutCapacityLimits(Hardware hw);

/// Prepares `options.model` for every distinct layer on `hw` (capacities lifted) and evaluates
/// every candidate in parallel, results stored by index. `select_on` (not empty) lists the
/// hardware Select will be called with (`hw` itself for a search; a design-space group's points,
/// which differ from it in buffer capacities and element widths only). With `options.prune` (and
/// no latency slack), per (distinct layer, family) the candidates are taken in the order of their
/// bound and those that cannot beat the best feasible one on any of `select_on` are marked
/// skipped instead: Select on each of them chooses what it would after evaluating every
/// candidate, and the evaluated set depends on the candidates and points alone, not on the
/// threads. `progress` (may be empty) is called
/// from the calling thread with (candidates evaluated, total). Throws InputError naming the
/// network file and the layer if the model cannot take a layer, SearchCancelled once
/// `options.cancel` is set.
Evaluation EvaluateCandidates(const Network& network, const TemplateLibrary& library,
                              const Hardware& hw, std::span<const Hardware> select_on,
                              const SearchOptions& options,
                              const std::function<void(int64_t, int64_t)>& progress);

/// The verdict on candidate `s` on `hw`: Evaluate's reason, else the capacity check, else the
/// rest of CheckLimits. The same as CheckLimits on a model prepared for `hw`.
Infeasible Verdict(const CandidateStats& s, const Hardware& hw);

/// One family's best candidate for one distinct layer.
struct FamilySelection {
  bool has_form = false;  // some template of the family applies to the layer's kind
  int64_t best = -1;      // candidate index, or -1 if none is feasible
  int64_t candidates = 0;
  int64_t feasible = 0;
  int64_t skipped = 0;
};

/// The selection for one distinct layer on one hardware: the lowest objective, ties to the
/// lower candidate index.
struct LayerSelection {
  int64_t best = -1;
  double objective = 0;  // of `best`
  int64_t candidates = 0;
  int64_t skipped = 0;
  std::array<int64_t, kNumInfeasible> infeasible_by_reason{};
  std::vector<FamilySelection> families;  // per TemplateLibrary::Families()
};

/// Selects per distinct layer of `evaluation` on `hw` (which shares everything but buffer
/// capacities and element widths with the evaluated hardware). With `latency_slack` >= 0 only
/// the feasible candidates within that fraction of the fastest one's cycles compete (the
/// layer's fastest for its best, the family's fastest for the family's best); see
/// SearchOptions::latency_slack.
std::vector<LayerSelection> Select(const Evaluation& evaluation, const TemplateLibrary& library,
                                   const Hardware& hw, Objective objective,
                                   double latency_slack = -1);

/// Whole-network totals of a selection, summed serially in layer order.
NetworkTotals SumTotals(const Network& network, const Evaluation& evaluation,
                        const std::vector<LayerSelection>& selection);

/// The full per-layer answer of a selection (winners not in `evaluation.kept` are evaluated
/// again for every statistic).
/// Throws SearchCancelled once `*cancel` (may be null) is set.
SearchResult BuildSearchResult(const Network& network, const TemplateLibrary& library,
                               const Evaluation& evaluation,
                               const std::vector<LayerSelection>& selection, Objective objective,
                               const std::atomic<bool>* cancel = nullptr);

/// Throws SearchCancelled if `cancel` is set (null: never).
void ThrowIfCancelled(const std::atomic<bool>* cancel);

}  // namespace cadenza::internal
