#pragma once
// Hardware design-space exploration: the per-layer dataflow search of search.h inside every
// design point of a sweep, whole-network latency, energy, area and power per point, budgets,
// and the Pareto front over latency, energy and area.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
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

}  // namespace cadenza
