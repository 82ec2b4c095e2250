#include "search/dse.h"

#include <omp.h>

#include <algorithm>
#include <map>
#include <string>

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

// `a` (point `ia`) is a better choice than `b` (point `ib`): a lower objective, ties to the
// lower index.
bool BetterChoice(const DesignResult& a, int ia, const DesignResult& b, int ib) {
  return a.objective < b.objective || (a.objective == b.objective && ia < ib);
}

// Evaluates an evaluation group on its first point's hardware, skipping (SearchOptions::prune)
// only the candidates that can win on none of the group's points, so the evaluation is the same
// however the group's points are split between subsets.
internal::Evaluation EvaluateGroup(const Network& network, std::span<const Hardware> points,
                                   std::span<const int> group, const TemplateLibrary& library,
                                   const SearchOptions& search) {
  std::vector<Hardware> select_on;
  for (int p : group) select_on.push_back(points[static_cast<size_t>(p)]);
  return internal::EvaluateCandidates(network, library, select_on.front(), select_on, search, {});
}

// Evaluates `group` (EvaluateGroup) and summarises `members` (points of the group) into out[k]
// for members[k], in parallel. Returns the evaluation, which the chosen design's per-layer view
// is built from.
internal::Evaluation ExploreGroup(const Network& network, std::span<const Hardware> points,
                                  std::span<const int> group, std::span<const int> members,
                                  const TemplateLibrary& library, const DseOptions& options,
                                  int threads, DesignResult* out) {
  const SearchOptions& search = options.search;
  internal::Evaluation evaluation = EvaluateGroup(network, points, group, library, search);
  // Each point writes only its own result.
  const int64_t size = static_cast<int64_t>(members.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (int64_t k = 0; k < size; ++k) {
    const int p = members[static_cast<size_t>(k)];
    const Hardware& hw = points[static_cast<size_t>(p)];
    DesignResult& r = out[k];
    r.index = p;
    Summarise(network, evaluation,
              internal::Select(evaluation, library, hw, search.objective, search.latency_slack),
              hw, options, &r);
  }
  return evaluation;
}

// The Pareto front over the feasible points.
void MarkPareto(std::vector<DesignResult>& points) {
  for (DesignResult& a : points) {
    if (!a.feasible) continue;
    a.pareto = true;
    for (const DesignResult& b : points) {
      if (b.feasible && Dominates(b, a)) {
        a.pareto = false;
        break;
      }
    }
  }
}

int Threads(const DseOptions& options) {
  return options.search.threads > 0 ? options.search.threads : omp_get_max_threads();
}

}  // namespace

std::vector<std::vector<int>> EvaluationGroups(std::span<const Hardware> points) {
  // By everything the cost model depends on, in first-appearance order.
  std::map<std::vector<double>, int> group_of_key;
  std::vector<std::vector<int>> groups;
  for (size_t p = 0; p < points.size(); ++p) {
    const auto [it, inserted] =
        group_of_key.try_emplace(EvaluationKey(points[p]), static_cast<int>(groups.size()));
    if (inserted) groups.emplace_back();
    groups[static_cast<size_t>(it->second)].push_back(static_cast<int>(p));
  }
  return groups;
}

DseResult ExploreDesigns(const Network& network, std::span<const Hardware> points,
                         const TemplateLibrary& library, const DseOptions& options) {
  const SearchOptions& search = options.search;
  DseResult result;
  result.objective = search.objective;
  result.latency_slack = search.latency_slack;
  result.points.resize(points.size());
  result.distinct_layers = static_cast<int>(internal::FindDistinctLayers(network).layer_of.size());
  const int threads = Threads(options);

  const std::vector<std::vector<int>> groups = EvaluationGroups(points);
  result.evaluation_groups = static_cast<int>(groups.size());

  int64_t points_done = 0;
  std::vector<DesignResult> explored;
  for (const std::vector<int>& group : groups) {
    explored.assign(group.size(), DesignResult{});
    const internal::Evaluation evaluation =
        ExploreGroup(network, points, group, group, library, options, threads, explored.data());
    result.candidates_evaluated += evaluation.Evaluated();
    for (size_t k = 0; k < group.size(); ++k) {
      result.points[static_cast<size_t>(group[k])] = std::move(explored[k]);
    }

    // The best point so far (lowest objective, ties to the lower index). Its per-layer answer
    // is built now, while this group's evaluation exists.
    int best_in_group = -1;
    for (int p : group) {
      const DesignResult& r = result.points[static_cast<size_t>(p)];
      if (!r.feasible) continue;
      if (best_in_group < 0 ||
          BetterChoice(r, p, result.points[static_cast<size_t>(best_in_group)], best_in_group)) {
        best_in_group = p;
      }
    }
    if (best_in_group >= 0) {
      const DesignResult& candidate = result.points[static_cast<size_t>(best_in_group)];
      if (result.best < 0 || BetterChoice(candidate, best_in_group,
                                          result.points[static_cast<size_t>(result.best)],
                                          result.best)) {
        const Hardware& hw = points[static_cast<size_t>(best_in_group)];
        result.best = best_in_group;
        result.chosen = internal::BuildSearchResult(
            network, library, evaluation,
            internal::Select(evaluation, library, hw, search.objective, search.latency_slack),
            search.objective);
      }
    }
    points_done += static_cast<int64_t>(group.size());
    if (search.progress) search.progress(points_done, static_cast<int64_t>(points.size()));
  }

  MarkPareto(result.points);
  return result;
}

DsePartial ExploreDesignSubset(const Network& network, std::span<const Hardware> points,
                               std::span<const int> indices, const TemplateLibrary& library,
                               const DseOptions& options) {
  std::vector<char> wanted(points.size(), 0);
  for (int p : indices) {
    if (p < 0 || static_cast<size_t>(p) >= points.size()) {
      throw InputError("design point " + std::to_string(p) + " is not in the sweep (it has " +
                       std::to_string(points.size()) + " points)");
    }
    if (wanted[static_cast<size_t>(p)] != 0) {
      throw InputError("design point " + std::to_string(p) + " is given twice");
    }
    wanted[static_cast<size_t>(p)] = 1;
  }
  const int threads = Threads(options);
  DsePartial partial;
  partial.points.reserve(indices.size());
  int64_t points_done = 0;
  std::vector<int> members;
  for (const std::vector<int>& group : EvaluationGroups(points)) {
    members.clear();
    for (int p : group) {
      if (wanted[static_cast<size_t>(p)] != 0) members.push_back(p);
    }
    if (members.empty()) continue;
    const size_t start = partial.points.size();
    partial.points.resize(start + members.size());
    const internal::Evaluation evaluation = ExploreGroup(
        network, points, group, members, library, options, threads, &partial.points[start]);
    partial.groups.emplace_back(group[0], evaluation.Evaluated());
    points_done += static_cast<int64_t>(members.size());
    if (options.search.progress) {
      options.search.progress(points_done, static_cast<int64_t>(indices.size()));
    }
  }
  std::sort(partial.points.begin(), partial.points.end(),
            [](const DesignResult& a, const DesignResult& b) { return a.index < b.index; });
  return partial;
}

DseResult MergeDesignSubsets(const Network& network, std::span<const Hardware> points,
                             std::span<const DsePartial> partials, const TemplateLibrary& library,
                             const DseOptions& options) {
  const SearchOptions& search = options.search;
  DseResult result;
  result.objective = search.objective;
  result.latency_slack = search.latency_slack;
  result.points.resize(points.size());
  result.distinct_layers = static_cast<int>(internal::FindDistinctLayers(network).layer_of.size());
  std::vector<char> seen(points.size(), 0);
  std::map<int, int64_t> candidates_of_group;  // by the group's first point
  for (const DsePartial& partial : partials) {
    for (const DesignResult& r : partial.points) {
      if (r.index < 0 || static_cast<size_t>(r.index) >= points.size()) {
        throw InputError("design point " + std::to_string(r.index) + " is not in the sweep (it has " +
                         std::to_string(points.size()) + " points)");
      }
      if (seen[static_cast<size_t>(r.index)] != 0) {
        throw InputError("design point " + std::to_string(r.index) + " was explored twice");
      }
      seen[static_cast<size_t>(r.index)] = 1;
      result.points[static_cast<size_t>(r.index)] = r;
    }
    for (const auto& [first, candidates] : partial.groups) candidates_of_group.try_emplace(first, candidates);
  }
  const std::vector<std::vector<int>> groups = EvaluationGroups(points);
  result.evaluation_groups = static_cast<int>(groups.size());
  for (size_t p = 0; p < points.size(); ++p) {
    if (seen[p] == 0) throw InputError("design point " + std::to_string(p) + " was not explored");
  }
  for (const std::vector<int>& group : groups) {
    const auto it = candidates_of_group.find(group[0]);
    if (it == candidates_of_group.end()) {
      throw InputError("the evaluation group of design point " + std::to_string(group[0]) +
                       " has no candidate count");
    }
    result.candidates_evaluated += it->second;
  }

  for (size_t p = 0; p < points.size(); ++p) {
    const DesignResult& r = result.points[p];
    const int index = static_cast<int>(p);
    if (r.feasible &&
        (result.best < 0 ||
         BetterChoice(r, index, result.points[static_cast<size_t>(result.best)], result.best))) {
      result.best = index;
    }
  }
  if (result.best >= 0) {
    // The chosen point's group again, as ExploreDesigns evaluated it.
    const std::vector<int>* chosen_group = nullptr;
    for (const std::vector<int>& group : groups) {
      if (std::find(group.begin(), group.end(), result.best) != group.end()) chosen_group = &group;
    }
    CADENZA_CHECK(chosen_group != nullptr);
    SearchOptions quiet = search;
    quiet.progress = nullptr;
    const internal::Evaluation evaluation =
        EvaluateGroup(network, points, *chosen_group, library, quiet);
    const Hardware& hw = points[static_cast<size_t>(result.best)];
    result.chosen = internal::BuildSearchResult(
        network, library, evaluation,
        internal::Select(evaluation, library, hw, search.objective, search.latency_slack),
        search.objective);
  }
  MarkPareto(result.points);
  return result;
}

}  // namespace cadenza
