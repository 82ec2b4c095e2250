#include "search/dse.h"

#include <omp.h>

#include <limits>
#include <map>
#include <memory>

#include "analyzer/analyzer.h"
#include "analyzer/error.h"
#include "search/candidates.h"

namespace cadenza {

namespace {

// What the selection of one design point needs from an evaluated candidate. Buffer needs are
// kept per tensor, so that points with other capacities or element widths can be checked
// without evaluating again.
struct CandidateStats {
  Infeasible reason = Infeasible::kNone;  // before the capacity check
  int64_t runtime_cycles = 0;
  int64_t macs = 0;
  double energy_pj = 0;
  PerTensor<int64_t> l1{}, l2{};  // elements
};

// Everything the analyzer's numbers depend on. Points that differ only in buffer capacities
// (or the bytes per element used to check them) share one evaluation of every candidate.
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

double Bytes(const PerTensor<int64_t>& elements, const Hardware& hw) {
  double bytes = 0;
  for (Tensor t : kAllTensors) {
    bytes += static_cast<double>(elements[t]) * static_cast<double>(hw.bytes_per_element[t]);
  }
  return bytes;
}

double NetworkObjective(const NetworkTotals& t, Objective objective) {
  switch (objective) {
    case Objective::kLatency: return static_cast<double>(t.runtime_cycles);
    case Objective::kEnergy: return t.energy_pj;
    case Objective::kEdp: return t.edp();
  }
  return 0;
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

}  // namespace

DseResult ExploreDesigns(const Network& network, std::span<const Hardware> points,
                         const TemplateLibrary& library, const DseOptions& options) {
  CADENZA_CHECK(options.max_candidates_per_template > 0);
  DseResult result;
  result.objective = options.objective;
  result.points.resize(points.size());
  const internal::DistinctLayers distinct = internal::FindDistinctLayers(network);
  result.distinct_layers = static_cast<int>(distinct.layer_of.size());
  const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();

  // Group the points by everything the analyzer depends on, in first-appearance order.
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
    // Evaluate every candidate once for the group, without capacity limits.
    Hardware unlimited = points[static_cast<size_t>(group[0])];
    unlimited.l1_size = unlimited.l2_size = std::numeric_limits<int64_t>::max();
    std::vector<std::unique_ptr<Analyzer>> analyzers;
    for (int index : distinct.layer_of) {
      const Layer& layer = network.layers[static_cast<size_t>(index)];
      try {
        analyzers.push_back(std::make_unique<Analyzer>(layer, unlimited));
      } catch (const InputError& e) {
        throw InputError(network.source_path + ": layer '" + layer.name + "'", e.what());
      }
    }
    const internal::CandidateList list = internal::EnumerateCandidates(
        network, distinct, library, unlimited.num_pes, options.max_candidates_per_template);
    result.candidates_evaluated += static_cast<int64_t>(list.items.size());
    std::vector<CandidateStats> stats(list.items.size());
    const int64_t total = static_cast<int64_t>(list.items.size());
#pragma omp parallel for schedule(dynamic, 64) num_threads(threads)
    for (int64_t i = 0; i < total; ++i) {
      const internal::Candidate& c = list.items[static_cast<size_t>(i)];
      const Analyzer& analyzer = *analyzers[static_cast<size_t>(c.distinct)];
      const ExprContext context{&analyzer.layer().shape, unlimited.num_pes, &c.params};
      Mapping mapping;
      CandidateStats& s = stats[static_cast<size_t>(i)];
      if (!library.templates()[static_cast<size_t>(c.template_index)].Instantiate(context, &mapping)) {
        s.reason = Infeasible::kBadStructure;
        continue;
      }
      CostResult cost = analyzer.Evaluate(mapping);
      analyzer.CheckLimits(&cost);
      s.reason = cost.infeasible;
      s.runtime_cycles = cost.runtime_cycles;
      s.macs = cost.macs;
      s.energy_pj = cost.total_energy_pj();
      s.l1 = cost.l1_size_per_tensor;
      s.l2 = cost.l2_size_per_tensor;
    }

    // Choose per point and distinct layer; each point writes only its own result.
    const int64_t group_size = static_cast<int64_t>(group.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int64_t g = 0; g < group_size; ++g) {
      const int p = group[static_cast<size_t>(g)];
      const Hardware& hw = points[static_cast<size_t>(p)];
      DesignResult& r = result.points[static_cast<size_t>(p)];
      r.index = p;
      std::vector<int64_t> chosen(distinct.layer_of.size(), -1);
      for (size_t d = 0; d < distinct.layer_of.size(); ++d) {
        double best = std::numeric_limits<double>::infinity();
        for (size_t i = list.begin[d]; i < list.begin[d + 1]; ++i) {
          const CandidateStats& s = stats[i];
          if (s.reason != Infeasible::kNone || Bytes(s.l1, hw) > static_cast<double>(hw.l1_size) ||
              Bytes(s.l2, hw) > static_cast<double>(hw.l2_size)) {
            continue;
          }
          const double value =
              options.objective == Objective::kLatency ? static_cast<double>(s.runtime_cycles)
              : options.objective == Objective::kEnergy
                  ? s.energy_pj
                  : s.energy_pj * static_cast<double>(s.runtime_cycles);
          if (value < best) {
            best = value;
            chosen[d] = static_cast<int64_t>(i);
          }
        }
      }
      int64_t l1_elements = 0, l2_elements = 0;
      for (size_t i = 0; i < network.layers.size(); ++i) {
        const Layer& layer = network.layers[i];
        const int64_t c = chosen[static_cast<size_t>(distinct.distinct_of[i])];
        r.totals.exact_macs += layer.exact_macs;
        if (c < 0) {
          ++r.totals.layers_without_mapping;
          continue;
        }
        const CandidateStats& s = stats[static_cast<size_t>(c)];
        r.totals.runtime_cycles += s.runtime_cycles * layer.instances;
        r.totals.energy_pj += s.energy_pj * static_cast<double>(layer.instances);
        r.totals.macs += s.macs * layer.instances;
        r.l1_required_bytes = std::max(r.l1_required_bytes, static_cast<int64_t>(Bytes(s.l1, hw)));
        r.l2_required_bytes = std::max(r.l2_required_bytes, static_cast<int64_t>(Bytes(s.l2, hw)));
        l1_elements = std::max(l1_elements, s.l1[Tensor::kInput] + s.l1[Tensor::kFilter] + s.l1[Tensor::kOutput]);
        l2_elements = std::max(l2_elements, s.l2[Tensor::kInput] + s.l2[Tensor::kFilter] + s.l2[Tensor::kOutput]);
      }
      r.required = EstimateAreaPower(hw, l1_elements, l2_elements);
      r.provisioned = EstimateAreaPower(hw, hw.l1_size, hw.l2_size);
      r.objective = NetworkObjective(r.totals, options.objective);
      if (r.totals.layers_without_mapping > 0) {
        r.reason = std::to_string(r.totals.layers_without_mapping) +
                   " layer(s) have no mapping that fits this hardware";
      } else if (options.area_budget_um2 > 0 && r.provisioned.area_um2 > options.area_budget_um2) {
        r.reason = "area over budget";
      } else if (options.power_budget_mw > 0 && r.provisioned.power_mw > options.power_budget_mw) {
        r.reason = "power over budget";
      }
      r.feasible = r.reason.empty();
    }
    points_done += group_size;
    if (options.progress) options.progress(points_done, static_cast<int64_t>(points.size()));
  }

  // The Pareto front over the feasible points, and the best point for the objective.
  for (DesignResult& a : result.points) {
    if (!a.feasible) continue;
    a.pareto = true;
    for (const DesignResult& b : result.points) {
      if (b.feasible && Dominates(b, a)) {
        a.pareto = false;
        break;
      }
    }
    if (result.best < 0 || a.objective < result.points[static_cast<size_t>(result.best)].objective) {
      result.best = a.index;
    }
  }
  return result;
}

}  // namespace cadenza
