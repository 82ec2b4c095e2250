#pragma once
// Hardware design-space exploration: the per-layer dataflow search of search.h inside every
// design point of a sweep, whole-network latency, energy, area and power per point, budgets,
// and the Pareto front over latency, energy and area.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "analyzer/cost.h"
#include "analyzer/hardware.h"
#include "analyzer/layer.h"
#include "search/search.h"
#include "search/templates.h"

namespace cadenza {

struct DseOptions {
  // The per-layer search inside every point: objective (also the one the design is chosen
  // by), threads, candidates, cost model. Its progress is called from the calling thread with
  // (design points done, total).
  SearchOptions search;
  double area_budget_um2 = 0;   // 0: no budget. Applies to the provisioned area.
  double power_budget_mw = 0;   // 0: no budget. Applies to the provisioned power.
};

/// One design point's outcome.
struct DesignResult {
  int index = 0;          // into the points given to ExploreDesigns
  bool feasible = false;  // every layer has a mapping that fits, and the budgets hold
  std::string reason;     // why not, when !feasible
  NetworkTotals totals;   // the adaptive per-layer choice on this hardware
  // Area and power with the buffers the hardware *provisions* (its L1/L2 capacities); budgets
  // and the Pareto front use these.
  AreaPower provisioned;
  // MAESTRO-compatible: the formula with the largest L1 and L2 the chosen mappings *require*.
  AreaPower required;
  // Resources the hardware leaves unbounded (Hardware::IsUnlimited), left out of both area and
  // power figures rather than charged as 2^31-1: "NoC bandwidth", "L1", "L2" (provisioned only
  // for the buffers; the required figures use the mappings' needs). Empty for a bounded design.
  std::vector<std::string> area_power_excludes;
  int64_t l1_required_bytes = 0;  // largest over layers, per PE
  int64_t l2_required_bytes = 0;
  bool pareto = false;     // on the front over (latency, energy, provisioned area)
  double objective = 0;    // of the whole network: cycles, pJ or pJ x cycles
};

struct DseResult {
  Objective objective = Objective::kEdp;
  double latency_slack = -1;         // SearchOptions::latency_slack of every point's search
  std::vector<DesignResult> points;  // same order as the input
  int best = -1;                     // the feasible point with the lowest objective, or -1
  // The per-layer choices on points[best] (as SearchNetwork on that point gives them), when
  // best >= 0; built from the exploration's own evaluations.
  SearchResult chosen;
  int evaluation_groups = 0;         // points sharing all analyzer inputs are evaluated once
  int64_t candidates_evaluated = 0;
  int distinct_layers = 0;
};

/// Explores `points` for `network`. Throws InputError if a layer cannot be analysed.
DseResult ExploreDesigns(const Network& network, std::span<const Hardware> points,
                         const TemplateLibrary& library, const DseOptions& options);

// A sharded exploration (the Python package's cadenza.dse, docs/dse.md): the sweep's points are
// split into subsets of whole evaluation groups, each explored on its own (possibly on another
// machine) by ExploreDesignSubset, and MergeDesignSubsets builds from all of them the DseResult
// ExploreDesigns gives for the whole sweep, field for field, however the points were split.

/// The evaluation groups of `points` (points equal in everything the cost model depends on,
/// i.e. all but buffer capacities and element widths), in order of first appearance; each
/// group's indices ascending.
std::vector<std::vector<int>> EvaluationGroups(std::span<const Hardware> points);

/// One subset's outcome.
struct DsePartial {
  std::vector<DesignResult> points;  // the explored points by ascending index; `pareto` unset
  // Per evaluation group touched: (its first point's index in the sweep, candidates evaluated).
  std::vector<std::pair<int, int64_t>> groups;
};

/// Explores points[i] for every i of `indices` (any order, no repeats, all < points.size()),
/// exactly as ExploreDesigns explores them: each touched group is evaluated on its first
/// point's hardware. Splitting a group between subsets is allowed but evaluates it in each.
/// `options.search.progress` gets (points done, points in `indices`). Throws InputError for a
/// bad index or a layer that cannot be analysed.
DsePartial ExploreDesignSubset(const Network& network, std::span<const Hardware> points,
                               std::span<const int> indices, const TemplateLibrary& library,
                               const DseOptions& options);

/// The exploration of all of `points` from subsets that together explore each point exactly
/// once (in any order): the Pareto front, the chosen design, and its per-layer view (the chosen
/// point's group is evaluated again here for it). Equal to ExploreDesigns' answer given the same
/// network, points, library and options. Throws InputError naming a point missing or explored
/// twice.
DseResult MergeDesignSubsets(const Network& network, std::span<const Hardware> points,
                             std::span<const DsePartial> partials, const TemplateLibrary& library,
                             const DseOptions& options);

}  // namespace cadenza
