#include "search/search.h"

#include <omp.h>

#include <atomic>
#include <limits>
#include <map>
#include <memory>
#include <tuple>

#include "analyzer/analyzer.h"
#include "analyzer/error.h"
#include "search/candidates.h"

namespace cadenza {

std::string_view ObjectiveName(Objective objective) {
  switch (objective) {
    case Objective::kLatency: return "latency";
    case Objective::kEnergy: return "energy";
    case Objective::kEdp: return "edp";
  }
  return "?";
}

std::optional<Objective> ObjectiveFromName(std::string_view name) {
  for (Objective o : {Objective::kLatency, Objective::kEnergy, Objective::kEdp}) {
    if (ObjectiveName(o) == name) return o;
  }
  return std::nullopt;
}

double ObjectiveValue(const CostResult& cost, Objective objective) {
  switch (objective) {
    case Objective::kLatency: return static_cast<double>(cost.runtime_cycles);
    case Objective::kEnergy: return cost.total_energy_pj();
    case Objective::kEdp: return cost.total_energy_pj() * static_cast<double>(cost.runtime_cycles);
  }
  return 0;
}

namespace {

constexpr double kInfeasibleScore = std::numeric_limits<double>::infinity();

using internal::Candidate;

struct Score {
  double value = kInfeasibleScore;
  Infeasible reason = Infeasible::kNone;
};

void AddTotals(const Layer& layer, bool found, const CostResult& cost, NetworkTotals* totals) {
  totals->exact_macs += layer.exact_macs;
  if (!found) {
    ++totals->layers_without_mapping;
    return;
  }
  totals->runtime_cycles += cost.runtime_cycles * layer.instances;
  totals->energy_pj += cost.total_energy_pj() * static_cast<double>(layer.instances);
  totals->macs += cost.macs * layer.instances;
}

}  // namespace

SearchResult SearchNetwork(const Network& network, const Hardware& hw,
                           const TemplateLibrary& library, const SearchOptions& options) {
  CADENZA_CHECK(options.max_candidates_per_template > 0);
  SearchResult result;
  result.objective = options.objective;
  const std::vector<DataflowTemplate>& templates = library.templates();
  const std::vector<std::string> families = library.Families();

  // Identical shapes are searched once (the first layer with a shape represents it).
  const internal::DistinctLayers distinct = internal::FindDistinctLayers(network);
  const std::vector<int>& distinct_layers = distinct.layer_of;
  result.distinct_layers = static_cast<int>(distinct_layers.size());

  // Per distinct layer: its analyzer; then every candidate, in a fixed order.
  std::vector<std::unique_ptr<Analyzer>> analyzers;
  for (int index : distinct_layers) {
    const Layer& layer = network.layers[static_cast<size_t>(index)];
    try {
      analyzers.push_back(std::make_unique<Analyzer>(layer, hw));
    } catch (const InputError& e) {
      throw InputError(network.source_path + ": layer '" + layer.name + "'", e.what());
    }
  }
  const internal::CandidateList list = internal::EnumerateCandidates(
      network, distinct, library, hw.num_pes, options.max_candidates_per_template);
  const std::vector<Candidate>& candidates = list.items;
  const std::vector<size_t>& begin = list.begin;
  result.candidates_evaluated = static_cast<int64_t>(candidates.size());

  // Evaluate every candidate; results are stored by index, so the schedule cannot matter.
  std::vector<Score> scores(candidates.size());
  const int64_t total = static_cast<int64_t>(candidates.size());
  std::atomic<int64_t> done{0};
  const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 64) num_threads(threads)
  for (int64_t i = 0; i < total; ++i) {
    const Candidate& c = candidates[static_cast<size_t>(i)];
    const Analyzer& analyzer = *analyzers[static_cast<size_t>(c.distinct)];
    ExprContext context{&analyzer.layer().shape, hw.num_pes, &c.params};
    Mapping mapping;
    Score& s = scores[static_cast<size_t>(i)];
    if (!templates[static_cast<size_t>(c.template_index)].Instantiate(context, &mapping)) {
      s.reason = Infeasible::kBadStructure;
    } else {
      CostResult cost = analyzer.Evaluate(mapping);
      analyzer.CheckLimits(&cost);
      s.reason = cost.infeasible;
      if (cost.ok()) s.value = ObjectiveValue(cost, options.objective);
    }
    const int64_t n = done.fetch_add(1, std::memory_order_relaxed) + 1;
    if (options.progress && omp_get_thread_num() == 0 && (n & 1023) == 0) {
      options.progress(n, total);
    }
  }
  if (options.progress) options.progress(total, total);

  // Per distinct layer and family: the lowest score, ties to the lower index.
  std::vector<LayerChoice> choices(distinct_layers.size());
  for (size_t d = 0; d < distinct_layers.size(); ++d) {
    const Analyzer& analyzer = *analyzers[d];
    const Layer& layer = analyzer.layer();
    LayerChoice& choice = choices[d];
    std::vector<int64_t> best_of_family(families.size(), -1);
    std::vector<int64_t> count_of_family(families.size(), 0), feasible_of_family(families.size(), 0);
    std::vector<bool> has_form(families.size(), false);
    for (size_t t = 0; t < templates.size(); ++t) {
      if (!templates[t].AppliesTo(layer.kind)) continue;
      has_form[static_cast<size_t>(std::find(families.begin(), families.end(), templates[t].name) - families.begin())] = true;
    }
    int64_t best = -1;
    for (size_t i = begin[d]; i < begin[d + 1]; ++i) {
      const Score& s = scores[i];
      const size_t f = static_cast<size_t>(
          std::find(families.begin(), families.end(),
                    templates[static_cast<size_t>(candidates[i].template_index)].name) -
          families.begin());
      ++count_of_family[f];
      ++choice.candidates;
      if (s.reason != Infeasible::kNone) {
        ++choice.infeasible_by_reason[static_cast<size_t>(s.reason)];
        ++result.infeasible_by_reason[static_cast<size_t>(s.reason)];
        continue;
      }
      ++feasible_of_family[f];
      if (best_of_family[f] < 0 || s.value < scores[static_cast<size_t>(best_of_family[f])].value) {
        best_of_family[f] = static_cast<int64_t>(i);
      }
      if (best < 0 || s.value < scores[static_cast<size_t>(best)].value) best = static_cast<int64_t>(i);
    }
    // Re-evaluate the winners for their full statistics (scores keep only the objective).
    auto fill = [&](int64_t index, int* template_index, ParamValues* params, Mapping* mapping,
                    CostResult* cost, double* objective) {
      const Candidate& c = candidates[static_cast<size_t>(index)];
      const ExprContext context{&layer.shape, hw.num_pes, &c.params};
      templates[static_cast<size_t>(c.template_index)].Instantiate(context, mapping);
      *cost = analyzer.Evaluate(*mapping);
      *template_index = c.template_index;
      *params = c.params;
      *objective = scores[static_cast<size_t>(index)].value;
    };
    for (size_t f = 0; f < families.size(); ++f) {
      if (!has_form[f]) continue;
      FamilyBest fb;
      fb.family = families[f];
      fb.candidates = count_of_family[f];
      fb.feasible = feasible_of_family[f];
      fb.found = best_of_family[f] >= 0;
      if (fb.found) {
        fill(best_of_family[f], &fb.template_index, &fb.params, &fb.mapping, &fb.cost, &fb.objective);
      }
      choice.families.push_back(std::move(fb));
    }
    choice.found = best >= 0;
    if (choice.found) {
      fill(best, &choice.template_index, &choice.params, &choice.mapping, &choice.cost,
           &choice.objective);
      const DataflowTemplate& t = templates[static_cast<size_t>(choice.template_index)];
      choice.family = t.name;
      choice.params_text = t.Describe(choice.params);
    } else if (choice.candidates == 0) {
      choice.note = "no template has a form for " + std::string(OpKindName(layer.kind)) + " layers";
    } else {
      choice.note = "none of the " + std::to_string(choice.candidates) +
                    " candidates fits the hardware";
    }
  }

  // Every layer takes its representative's choice; totals are summed serially in layer order.
  for (size_t i = 0; i < network.layers.size(); ++i) {
    LayerChoice choice = choices[static_cast<size_t>(distinct.distinct_of[i])];
    choice.layer_index = static_cast<int>(i);
    choice.representative = distinct_layers[static_cast<size_t>(distinct.distinct_of[i])];
    AddTotals(network.layers[i], choice.found, choice.cost, &result.totals);
    result.layers.push_back(std::move(choice));
  }
  for (const std::string& family : families) {
    Baseline baseline;
    baseline.family = family;
    for (size_t i = 0; i < network.layers.size(); ++i) {
      const LayerChoice& choice = result.layers[i];
      const FamilyBest* fb = nullptr;
      for (const FamilyBest& f : choice.families) {
        if (f.family == family) fb = &f;
      }
      AddTotals(network.layers[i], fb && fb->found, fb ? fb->cost : CostResult{}, &baseline.totals);
    }
    result.baselines.push_back(std::move(baseline));
  }
  return result;
}

}  // namespace cadenza
