#include "search/dse.h"

#include <omp.h>

#include <map>

#include "analyzer/analyzer.h"
#include "analyzer/error.h"
#include "search/engine.h"

namespace cadenza {

namespace {

// Everything a cost model's Evaluate depends on (all but the buffer capacities, and the bytes
// per element used to check them). Points with equal keys share one evaluation.
std::vector<double> EvaluationKey(const Hardware& hw) {
  std::vector<double> key = {static_cast<double>(hw.num_pes),    static_cast<double>(hw.simd_lanes),
                             static_cast<double>(hw.noc_bw),     static_cast<double>(hw.offchip_bw),
                             static_cast<double>(hw.noc_latency), hw.bandwidth_is_hard_limit ? 1.0 : 0.0,
                             hw.energy.mac_pj, hw.energy.l1_pj, hw.energy.l2_pj, hw.energy.offchip_pj};
  for (const NocLevel& l : hw.noc_levels) {
    key.push_back(static_cast<double>(l.bw));
    key.push_back(static_cast<double>(l.latency));
  }
  return key;
}

// `a` dominates `b`: no worse in latency, energy and provisioned area, better in one.
bool Dominates(const DesignResult& a, const DesignResult& b) {
  const bool no_worse = a.totals.runtime_cycles <= b.totals.runtime_cycles &&
                        a.totals.energy_pj <= b.totals.energy_pj &&
                        a.provisioned.area_um2 <= b.provisioned.area_um2;
  const bool better = a.totals.runtime_cycles < b.totals.runtime_cycles ||
                      a.totals.energy_pj < b.totals.energy_pj ||
                      a.provisioned.area_um2 < b.provisioned.area_um2;
  return no_worse && better;
}

// A point's outcome from its selection.
void Summarise(const Network& network, const internal::Evaluation& evaluation,
               const std::vector<internal::LayerSelection>& selection, const Hardware& hw,
               const DseOptions& options, DesignResult* r) {
  r->totals = internal::SumTotals(network, evaluation, selection);
  int64_t l1_elements = 0, l2_elements = 0;
  for (const internal::LayerSelection& layer : selection) {
    if (layer.best < 0) continue;
    const internal::CandidateStats& s = evaluation.stats[static_cast<size_t>(layer.best)];
    r->l1_required_bytes = std::max(r->l1_required_bytes, BufferBytes(s.l1, hw.bytes_per_element));
    r->l2_required_bytes = std::max(r->l2_required_bytes, BufferBytes(s.l2, hw.bytes_per_element));
    l1_elements = std::max(l1_elements, s.l1[Tensor::kInput] + s.l1[Tensor::kFilter] + s.l1[Tensor::kOutput]);
    l2_elements = std::max(l2_elements, s.l2[Tensor::kInput] + s.l2[Tensor::kFilter] + s.l2[Tensor::kOutput]);
  }
  // An unbounded resource (Hardware::kUnlimited) is no silicon anyone builds: charged as 2^31-1
  // bytes or elements per cycle it would swamp every other term. It is left out (a zero term),
  // and the point says so.
  Hardware bounded = hw;
  if (Hardware::IsUnlimited(hw.noc_bw)) {
    bounded.noc_bw = 0;
    r->area_power_excludes.push_back("NoC bandwidth");
  }
  const bool l1_unbounded = Hardware::IsUnlimited(hw.l1_size);
  const bool l2_unbounded = Hardware::IsUnlimited(hw.l2_size);
  if (l1_unbounded) r->area_power_excludes.push_back("L1");
  if (l2_unbounded) r->area_power_excludes.push_back("L2");
  r->required = EstimateAreaPower(bounded, l1_elements, l2_elements);
  r->provisioned =
      EstimateAreaPower(bounded, l1_unbounded ? 0 : hw.l1_size, l2_unbounded ? 0 : hw.l2_size);
  r->objective = NetworkObjective(r->totals, options.search.objective);
  if (r->totals.layers_without_mapping > 0) {
    const int n = r->totals.layers_without_mapping;
    r->reason = std::to_string(n) + (n == 1 ? " layer has" : " layers have") +
                " no mapping that fits this hardware";
  } else if (options.area_budget_um2 > 0 && r->provisioned.area_um2 > options.area_budget_um2) {
    r->reason = "area over budget";
  } else if (options.power_budget_mw > 0 && r->provisioned.power_mw > options.power_budget_mw) {
    r->reason = "power over budget";
  }
  r->feasible = r->reason.empty();
}

}  // namespace

DseResult ExploreDesigns(const Network& network, std::span<const Hardware> points,
                         const TemplateLibrary& library, const DseOptions& options) {
  const SearchOptions& search = options.search;
  DseResult result;
  result.objective = search.objective;
  result.points.resize(points.size());
  result.distinct_layers = static_cast<int>(internal::FindDistinctLayers(network).layer_of.size());
  const int threads = search.threads > 0 ? search.threads : omp_get_max_threads();

  // Group the points by everything the cost model depends on, in first-appearance order.
  std::map<std::vector<double>, int> group_of_key;
  std::vector<std::vector<int>> groups;
  for (size_t p = 0; p < points.size(); ++p) {
    const auto [it, inserted] =
        group_of_key.try_emplace(EvaluationKey(points[p]), static_cast<int>(groups.size()));
    if (inserted) groups.emplace_back();
    groups[static_cast<size_t>(it->second)].push_back(static_cast<int>(p));
  }
  result.evaluation_groups = static_cast<int>(groups.size());

  int64_t points_done = 0;
  for (const std::vector<int>& group : groups) {
    const internal::Evaluation evaluation = internal::EvaluateCandidates(
        network, library, points[static_cast<size_t>(group[0])], search, {});
    result.candidates_evaluated += static_cast<int64_t>(evaluation.list.items.size());

    // Select per point; each point writes only its own result.
    const int64_t group_size = static_cast<int64_t>(group.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int64_t g = 0; g < group_size; ++g) {
      const int p = group[static_cast<size_t>(g)];
      const Hardware& hw = points[static_cast<size_t>(p)];
      DesignResult& r = result.points[static_cast<size_t>(p)];
      r.index = p;
      Summarise(network, evaluation,
                internal::Select(evaluation, library, hw, search.objective, search.latency_slack),
                hw, options, &r);
    }

    // The best point so far (lowest objective, ties to the lower index). Its per-layer answer
    // is built now, while this group's evaluation exists.
    int best_in_group = -1;
    for (int p : group) {
      const DesignResult& r = result.points[static_cast<size_t>(p)];
      if (!r.feasible) continue;
      if (best_in_group < 0 || r.objective < result.points[static_cast<size_t>(best_in_group)].objective ||
          (r.objective == result.points[static_cast<size_t>(best_in_group)].objective && p < best_in_group)) {
        best_in_group = p;
      }
    }
    if (best_in_group >= 0) {
      const DesignResult& candidate = result.points[static_cast<size_t>(best_in_group)];
      const DesignResult* best =
          result.best >= 0 ? &result.points[static_cast<size_t>(result.best)] : nullptr;
      if (best == nullptr || candidate.objective < best->objective ||
          (candidate.objective == best->objective && best_in_group < result.best)) {
        const Hardware& hw = points[static_cast<size_t>(best_in_group)];
        result.best = best_in_group;
        result.chosen = internal::BuildSearchResult(
            network, library, evaluation,
            internal::Select(evaluation, library, hw, search.objective, search.latency_slack),
            search.objective);
      }
    }
    points_done += group_size;
    if (search.progress) search.progress(points_done, static_cast<int64_t>(points.size()));
  }

  // The Pareto front over the feasible points.
  for (DesignResult& a : result.points) {
    if (!a.feasible) continue;
    a.pareto = true;
    for (const DesignResult& b : result.points) {
      if (b.feasible && Dominates(b, a)) {
        a.pareto = false;
        break;
      }
    }
  }
  return result;
}

}  // namespace cadenza
