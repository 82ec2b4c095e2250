#include "search/engine.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <limits>
#include <optional>
#include <string>

#include "analyzer/error.h"

namespace cadenza::internal {

namespace {

// Per template of the library: the index of its family in TemplateLibrary::Families().
std::vector<size_t> FamilyOfTemplate(const TemplateLibrary& library,
                                     const std::vector<std::string>& families) {
  std::vector<size_t> family_of;
  for (const DataflowTemplate& t : library.templates()) {
    family_of.push_back(static_cast<size_t>(
        std::find(families.begin(), families.end(), t.name) - families.begin()));
  }
  return family_of;
}

void AddTotals(const Layer& layer, bool found, int64_t runtime_cycles, double energy_pj,
               int64_t macs, NetworkTotals* totals) {
  totals->exact_macs += layer.exact_macs;
  if (!found) {
    ++totals->layers_without_mapping;
    return;
  }
  totals->runtime_cycles += runtime_cycles * layer.instances;
  totals->energy_pj += energy_pj * static_cast<double>(layer.instances);
  totals->macs += macs * layer.instances;
}

}  // namespace

void ThrowIfCancelled(const std::atomic<bool>* cancel) {
  if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) throw SearchCancelled();
}

Hardware WithoutCapacityLimits(Hardware hw) {
  hw.l1_size = hw.l2_size = std::numeric_limits<int64_t>::max();
  return hw;
}

Evaluation EvaluateCandidates(const Network& network, const TemplateLibrary& library,
                              const Hardware& hw, std::span<const Hardware> select_on,
                              const SearchOptions& options,
                              const std::function<void(int64_t, int64_t)>& progress) {
  CADENZA_CHECK(!select_on.empty());
  CADENZA_CHECK(options.max_candidates_per_template > 0);
  Evaluation e;
  e.model = options.model;
  e.distinct = FindDistinctLayers(network);
  const Hardware lifted = WithoutCapacityLimits(hw);
  for (int index : e.distinct.layer_of) {
    ThrowIfCancelled(options.cancel);  // preparing the exact model can take a while per layer
    const Layer& layer = network.layers[static_cast<size_t>(index)];
    try {
      e.models.push_back(MakeLayerCostModel(options.model, layer, lifted));
    } catch (const InputError& error) {
      throw InputError(network.source_path + ": layer '" + layer.name + "'", error.what());
    }
  }
  e.num_pes = hw.num_pes;
  e.threads = SearchThreads(options.threads);
  e.list = EnumerateCandidates(network, e.distinct, library, hw.num_pes,
                               options.max_candidates_per_template, e.threads);
  ThrowIfCancelled(options.cancel);

  // Results are stored by index, so the schedule cannot change them.
  const std::vector<DataflowTemplate>& templates = library.templates();
  const int64_t total = static_cast<int64_t>(e.list.items.size());
  e.stats.resize(e.list.items.size());
  std::atomic<int64_t> done{0};
  const int threads = e.threads;
  // Thread 0 (the calling thread) reports whenever another `step` candidates are done.
  const int64_t step = std::max<int64_t>(1, total / 1000);
  int64_t next_report = step;
  auto count_done = [&](int64_t n_done) {
    const int64_t n = done.fetch_add(n_done, std::memory_order_relaxed) + n_done;
    if (progress && omp_get_thread_num() == 0 && n >= next_report) {
      progress(n, total);
      next_report = n + step;
    }
  };
  const std::atomic<bool>* cancel = options.cancel;
  auto cancelled = [cancel] { return cancel != nullptr && cancel->load(std::memory_order_relaxed); };
  auto model_of = [&](int64_t i) -> const LayerCostModel& {
    return *e.models[static_cast<size_t>(e.list.items[static_cast<size_t>(i)].distinct)];
  };
  auto instantiate = [&](int64_t i, Mapping* mapping) {
    const Candidate& c = e.list.items[static_cast<size_t>(i)];
    const ExprContext context{&model_of(i).layer().shape, hw.num_pes, &c.params};
    if (templates[static_cast<size_t>(c.template_index)].Instantiate(context, mapping)) return true;
    e.stats[static_cast<size_t>(i)].reason = Infeasible::kBadStructure;
    return false;
  };
  // Evaluates candidate i into its stats; *full (may be null) receives Evaluate's result.
  auto evaluate = [&](int64_t i, const Mapping& mapping, CostResult* full = nullptr) {
    const LayerCostModel& model = model_of(i);
    CandidateStats& s = e.stats[static_cast<size_t>(i)];
    CostResult cost = model.Evaluate(mapping);
    if (full != nullptr) *full = cost;
    s.reason = cost.infeasible;
    if (cost.ok()) {
      model.CheckLimits(&cost);  // capacities are lifted: bandwidth and coverage only
      s.limit = cost.infeasible;
      s.runtime_cycles = cost.runtime_cycles;
      s.macs = cost.macs;
      s.energy_pj = cost.total_energy_pj();
      s.l1 = cost.l1_size_per_tensor;
      s.l2 = cost.l2_size_per_tensor;
    }
  };

  if (!options.prune || options.latency_slack >= 0) {
#pragma omp parallel for schedule(dynamic, 64) num_threads(threads)
    for (int64_t i = 0; i < total; ++i) {
      // A cancelled loop runs out without evaluating (OpenMP has no portable early exit).
      if (cancelled()) continue;
      Mapping mapping;
      if (instantiate(i, &mapping)) evaluate(i, mapping);
      count_done(1);
    }
  } else {
    // Bounds first, in parallel: the model's quick bound where it has one (`whole` false: the
    // whole bound is taken only of the candidates the quick one cannot skip, below). A
    // candidate without a bound (nullopt) is never skipped.
    std::vector<double> bound(static_cast<size_t>(total), -std::numeric_limits<double>::infinity());
    std::vector<char> formed(static_cast<size_t>(total), 0), whole(static_cast<size_t>(total), 1);
    // Per candidate and selection point: its buffers' bound overflows that point's buffers.
    const size_t num_points = select_on.size();
    std::vector<char> cannot_fit(static_cast<size_t>(total) * num_points, 0);
    auto set_bound = [&](int64_t i, const std::optional<LayerCostModel::Bound>& b) {
      const size_t at = static_cast<size_t>(i);
      bound[at] = b ? ObjectiveValue(b->runtime_cycles, b->energy_pj, options.objective)
                    : -std::numeric_limits<double>::infinity();
      // Buffers it certainly overflows: infeasible there, whatever else it is.
      for (size_t p = 0; p < num_points; ++p) {
        cannot_fit[at * num_points + p] =
            b && CheckCapacity(b->l1, b->l2, select_on[p]) != Infeasible::kNone;
      }
    };
#pragma omp parallel for schedule(dynamic, 64) num_threads(threads)
    for (int64_t i = 0; i < total; ++i) {
      if (cancelled()) continue;
      Mapping mapping;
      if (!instantiate(i, &mapping)) continue;
      formed[static_cast<size_t>(i)] = 1;
      std::optional<LayerCostModel::Bound> b = model_of(i).QuickLowerBound(mapping);
      if (b) {
        whole[static_cast<size_t>(i)] = 0;
      } else {
        b = model_of(i).LowerBound(mapping);
      }
      set_bound(i, b);
    }
    ThrowIfCancelled(cancel);
    // One task per (distinct layer, family), its candidates in (whole bound, index) order: the
    // best so far is the same whatever the threads do, so the candidates skipped are too. A
    // candidate is skipped when, on every selection point, its buffers' bound overflows the
    // point's or its bound exceeds the point's best feasible value, or equals it with a higher
    // index (it could at most tie, and ties go to the lower index): on every point the
    // exhaustive search's choice of every family, and so of every layer, is never skipped.
    //
    // The order is kept with the quick bounds: a task takes its candidates from a heap keyed
    // by (bound so far, index); a candidate with its quick bound only that cannot be skipped on
    // it gets its whole bound and goes back in. Every whole bound is >= its quick one, so when
    // a candidate comes out with its whole bound every candidate of a lower (whole bound,
    // index) has come out with its whole bound before it: the evaluations are those of the
    // order by whole bounds, and a candidate the quick bound skips is one that order skips too
    // (its best then was no worse, and the whole bound no lower).
    const std::vector<std::string> families = library.Families();
    const std::vector<size_t> family_of = FamilyOfTemplate(library, families);
    std::vector<std::vector<int64_t>> tasks;
    int64_t unformed = 0;
    for (size_t d = 0; d + 1 < e.list.begin.size(); ++d) {
      std::vector<std::vector<int64_t>> by_family(families.size());
      for (size_t i = e.list.begin[d]; i < e.list.begin[d + 1]; ++i) {
        if (!formed[i]) {
          ++unformed;
          continue;
        }
        by_family[family_of[static_cast<size_t>(e.list.items[i].template_index)]].push_back(
            static_cast<int64_t>(i));
      }
      for (std::vector<int64_t>& members : by_family) {
        if (members.empty()) continue;
        std::sort(members.begin(), members.end(), [&](int64_t a, int64_t b) {
          const double ba = bound[static_cast<size_t>(a)], bb = bound[static_cast<size_t>(b)];
          return ba != bb ? ba < bb : a < b;
        });
        tasks.push_back(std::move(members));
      }
    }
    // The largest tasks first, so that the last one to finish is a small one.
    std::stable_sort(tasks.begin(), tasks.end(), [](const auto& a, const auto& b) {
      return a.size() > b.size();
    });
    count_done(unformed);
    const int64_t num_tasks = static_cast<int64_t>(tasks.size());
    // Per task, the full results of its last bests (selection picks exactly these as family
    // bests, and a layer's choice is one of them), so the winners need no second evaluation.
    std::vector<std::vector<Evaluation::Kept>> kept_by_task(static_cast<size_t>(num_tasks));
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int64_t t = 0; t < num_tasks; ++t) {
      // Per selection point, the best feasible candidate so far (-1: none) and its value.
      std::vector<double> best_value(num_points, std::numeric_limits<double>::infinity());
      std::vector<int64_t> best(num_points, -1);
      // Results of candidates that were some point's best when evaluated (a superset of the
      // last bests); the others are dropped at the end of the task.
      std::vector<Evaluation::Kept>& kept = kept_by_task[static_cast<size_t>(t)];
      Evaluation::Kept current;
      // Whether (value, i) comes before point p's best: a lower value, ties to the lower index.
      auto precedes_best = [&](double value, int64_t i, size_t p) {
        return best[p] < 0 || value < best_value[p] || (value == best_value[p] && i < best[p]);
      };
      // A min-heap by (bound so far, index); the sorted members are one already.
      std::vector<int64_t>& heap = tasks[static_cast<size_t>(t)];
      auto comes_after = [&](int64_t a, int64_t b) {
        const double ba = bound[static_cast<size_t>(a)], bb = bound[static_cast<size_t>(b)];
        return ba != bb ? ba > bb : a > b;
      };
      while (!heap.empty()) {
        if (cancelled()) break;
        std::pop_heap(heap.begin(), heap.end(), comes_after);
        const int64_t i = heap.back();
        heap.pop_back();
        CandidateStats& s = e.stats[static_cast<size_t>(i)];
        const double b = bound[static_cast<size_t>(i)];
        bool could_win = false;
        for (size_t p = 0; p < num_points && !could_win; ++p) {
          could_win = !cannot_fit[static_cast<size_t>(i) * num_points + p] && precedes_best(b, i, p);
        }
        if (!could_win) {
          s.skipped = true;
        } else if (!whole[static_cast<size_t>(i)]) {
          CADENZA_CHECK(instantiate(i, &current.mapping));
          set_bound(i, model_of(i).LowerBound(current.mapping));
          whole[static_cast<size_t>(i)] = 1;
          heap.push_back(i);
          std::push_heap(heap.begin(), heap.end(), comes_after);
          continue;  // counted when it comes out again
        } else {
          CADENZA_CHECK(instantiate(i, &current.mapping));
          evaluate(i, current.mapping, &current.cost);
          const double value = ObjectiveValue(s.runtime_cycles, s.energy_pj, options.objective);
          bool now_best = false;
          for (size_t p = 0; p < num_points; ++p) {
            if (Verdict(s, select_on[p]) != Infeasible::kNone) continue;
            if (precedes_best(value, i, p)) {
              best_value[p] = value;
              best[p] = i;
              now_best = true;
            }
          }
          if (now_best) {
            current.index = i;
            kept.push_back(std::move(current));
            current = Evaluation::Kept{};
          }
        }
        count_done(1);
      }
      std::erase_if(kept, [&](const Evaluation::Kept& k) {
        return std::find(best.begin(), best.end(), k.index) == best.end();
      });
    }
    for (std::vector<Evaluation::Kept>& kept : kept_by_task) {
      for (Evaluation::Kept& k : kept) e.kept.push_back(std::move(k));
    }
    std::sort(e.kept.begin(), e.kept.end(),
              [](const Evaluation::Kept& a, const Evaluation::Kept& b) { return a.index < b.index; });
  }
  ThrowIfCancelled(cancel);  // some candidates were skipped: no result
  e.skipped = std::count_if(e.stats.begin(), e.stats.end(),
                            [](const CandidateStats& s) { return s.skipped; });
  if (progress) progress(total, total);
  return e;
}

const Evaluation::Kept* Evaluation::FindKept(int64_t index) const {
  const auto it = std::lower_bound(kept.begin(), kept.end(), index,
                                   [](const Kept& k, int64_t i) { return k.index < i; });
  return it != kept.end() && it->index == index ? &*it : nullptr;
}

Infeasible Verdict(const CandidateStats& s, const Hardware& hw) {
  if (s.reason != Infeasible::kNone) return s.reason;
  const Infeasible capacity = CheckCapacity(s.l1, s.l2, hw);
  return capacity != Infeasible::kNone ? capacity : s.limit;
}

std::vector<LayerSelection> Select(const Evaluation& evaluation, const TemplateLibrary& library,
                                   const Hardware& hw, Objective objective,
                                   double latency_slack) {
  const std::vector<DataflowTemplate>& templates = library.templates();
  const std::vector<std::string> families = library.Families();
  const std::vector<size_t> family_of = FamilyOfTemplate(library, families);
  const std::vector<Candidate>& items = evaluation.list.items;
  std::vector<LayerSelection> selection(evaluation.distinct.layer_of.size());
  std::vector<double> family_value(families.size());
  std::vector<int64_t> family_fastest(families.size());
  std::vector<char> feasible;  // per candidate of the layer, so the verdicts are taken once
  const bool bounded = latency_slack >= 0;
  // Cycles within the slack of `fastest`; exact in integers up to the slack's own rounding.
  auto within = [latency_slack](int64_t cycles, int64_t fastest) {
    return static_cast<double>(cycles) <= static_cast<double>(fastest) * (1 + latency_slack);
  };
  for (size_t d = 0; d < selection.size(); ++d) {
    LayerSelection& layer = selection[d];
    layer.families.resize(families.size());
    const OpKind kind = evaluation.models[d]->layer().kind;
    for (size_t t = 0; t < templates.size(); ++t) {
      if (templates[t].AppliesTo(kind)) layer.families[family_of[t]].has_form = true;
    }
    const size_t begin = evaluation.list.begin[d], end = evaluation.list.begin[d + 1];
    feasible.assign(end - begin, 0);
    int64_t layer_fastest = std::numeric_limits<int64_t>::max();
    std::fill(family_fastest.begin(), family_fastest.end(), std::numeric_limits<int64_t>::max());
    for (size_t i = begin; i < end; ++i) {
      const CandidateStats& s = evaluation.stats[i];
      const size_t f = family_of[static_cast<size_t>(items[i].template_index)];
      FamilySelection& family = layer.families[f];
      ++family.candidates;
      ++layer.candidates;
      if (s.skipped) {
        ++family.skipped;
        ++layer.skipped;
        continue;
      }
      const Infeasible verdict = Verdict(s, hw);
      if (verdict != Infeasible::kNone) {
        ++layer.infeasible_by_reason[static_cast<size_t>(verdict)];
        continue;
      }
      ++family.feasible;
      feasible[i - begin] = 1;
      layer_fastest = std::min(layer_fastest, s.runtime_cycles);
      family_fastest[f] = std::min(family_fastest[f], s.runtime_cycles);
    }
    // In candidate order, so the lower index wins ties whatever the slack.
    for (size_t i = begin; i < end; ++i) {
      if (feasible[i - begin] == 0) continue;
      const CandidateStats& s = evaluation.stats[i];
      const size_t f = family_of[static_cast<size_t>(items[i].template_index)];
      FamilySelection& family = layer.families[f];
      const double value = ObjectiveValue(s.runtime_cycles, s.energy_pj, objective);
      const bool family_ok = !bounded || within(s.runtime_cycles, family_fastest[f]);
      if (family_ok && (family.best < 0 || value < family_value[f])) {
        family.best = static_cast<int64_t>(i);
        family_value[f] = value;
      }
      const bool layer_ok = !bounded || within(s.runtime_cycles, layer_fastest);
      if (layer_ok && (layer.best < 0 || value < layer.objective)) {
        layer.best = static_cast<int64_t>(i);
        layer.objective = value;
      }
    }
  }
  return selection;
}

NetworkTotals SumTotals(const Network& network, const Evaluation& evaluation,
                        const std::vector<LayerSelection>& selection) {
  NetworkTotals totals;
  for (size_t i = 0; i < network.layers.size(); ++i) {
    const int64_t best =
        selection[static_cast<size_t>(evaluation.distinct.distinct_of[i])].best;
    const CandidateStats s = best >= 0 ? evaluation.stats[static_cast<size_t>(best)] : CandidateStats{};
    AddTotals(network.layers[i], best >= 0, s.runtime_cycles, s.energy_pj, s.macs, &totals);
  }
  return totals;
}

SearchResult BuildSearchResult(const Network& network, const TemplateLibrary& library,
                               const Evaluation& evaluation,
                               const std::vector<LayerSelection>& selection, Objective objective,
                               const std::atomic<bool>* cancel) {
  const std::vector<DataflowTemplate>& templates = library.templates();
  const std::vector<std::string> families = library.Families();
  const DistinctLayers& distinct = evaluation.distinct;
  SearchResult result;
  result.objective = objective;
  result.model = evaluation.model;
  result.distinct_layers = static_cast<int>(distinct.layer_of.size());
  result.candidates_evaluated = evaluation.Evaluated();

  // Winners the pruned search kept take their kept results; the others are evaluated again for
  // their full statistics (stats keep only what selection needs; the evaluation gives the same
  // numbers as the first time), each once (a layer's choice is also its family's best), in
  // parallel and stored by index.
  std::vector<int64_t> winners;
  for (const LayerSelection& chosen : selection) {
    for (const FamilySelection& family : chosen.families) {
      if (family.has_form && family.best >= 0) winners.push_back(family.best);
    }
    if (chosen.best >= 0) winners.push_back(chosen.best);
  }
  std::sort(winners.begin(), winners.end());
  winners.erase(std::unique(winners.begin(), winners.end()), winners.end());
  std::vector<Mapping> winner_mappings(winners.size());
  std::vector<CostResult> winner_costs(winners.size());
  const int64_t num_winners = static_cast<int64_t>(winners.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(evaluation.threads)
  for (int64_t w = 0; w < num_winners; ++w) {
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) continue;
    if (const Evaluation::Kept* k = evaluation.FindKept(winners[static_cast<size_t>(w)])) {
      winner_mappings[static_cast<size_t>(w)] = k->mapping;
      winner_costs[static_cast<size_t>(w)] = k->cost;
      continue;
    }
    const Candidate& c = evaluation.list.items[static_cast<size_t>(winners[static_cast<size_t>(w)])];
    const LayerCostModel& model = *evaluation.models[static_cast<size_t>(c.distinct)];
    const ExprContext context{&model.layer().shape, evaluation.num_pes, &c.params};
    CADENZA_CHECK(templates[static_cast<size_t>(c.template_index)].Instantiate(
        context, &winner_mappings[static_cast<size_t>(w)]));
    winner_costs[static_cast<size_t>(w)] = model.Evaluate(winner_mappings[static_cast<size_t>(w)]);
  }

  std::vector<LayerChoice> choices(distinct.layer_of.size());
  for (size_t d = 0; d < choices.size(); ++d) {
    ThrowIfCancelled(cancel);
    const LayerCostModel& model = *evaluation.models[d];
    const LayerSelection& chosen = selection[d];
    LayerChoice& choice = choices[d];
    choice.candidates = chosen.candidates;
    choice.skipped = chosen.skipped;
    result.candidates_skipped += chosen.skipped;
    choice.infeasible_by_reason = chosen.infeasible_by_reason;
    for (size_t r = 0; r < chosen.infeasible_by_reason.size(); ++r) {
      result.infeasible_by_reason[r] += chosen.infeasible_by_reason[r];
    }
    auto fill = [&](int64_t index, int* template_index, ParamValues* params, Mapping* mapping,
                    CostResult* cost, double* value) {
      const size_t w = static_cast<size_t>(
          std::lower_bound(winners.begin(), winners.end(), index) - winners.begin());
      *mapping = winner_mappings[w];
      *cost = winner_costs[w];
      const Candidate& c = evaluation.list.items[static_cast<size_t>(index)];
      *template_index = c.template_index;
      *params = c.params;
      const CandidateStats& s = evaluation.stats[static_cast<size_t>(index)];
      *value = ObjectiveValue(s.runtime_cycles, s.energy_pj, objective);
    };
    for (size_t f = 0; f < families.size(); ++f) {
      const FamilySelection& family = chosen.families[f];
      if (!family.has_form) continue;
      FamilyBest fb;
      fb.family = families[f];
      fb.candidates = family.candidates;
      fb.feasible = family.feasible;
      fb.skipped = family.skipped;
      fb.found = family.best >= 0;
      if (fb.found) {
        fill(family.best, &fb.template_index, &fb.params, &fb.mapping, &fb.cost, &fb.objective);
      }
      choice.families.push_back(std::move(fb));
    }
    choice.found = chosen.best >= 0;
    if (choice.found) {
      fill(chosen.best, &choice.template_index, &choice.params, &choice.mapping, &choice.cost,
           &choice.objective);
      const DataflowTemplate& t = templates[static_cast<size_t>(choice.template_index)];
      choice.family = t.name;
      choice.named_params = t.Named(choice.params);
    } else if (choice.candidates == 0) {
      choice.note =
          "no template has a form for " + std::string(OpKindName(model.layer().kind)) + " layers";
    } else {
      choice.note = "none of the " + std::to_string(choice.candidates) +
                    " candidates fits the hardware";
    }
  }

  // Every layer takes its representative's choice; totals are summed serially in layer order.
  for (size_t i = 0; i < network.layers.size(); ++i) {
    LayerChoice choice = choices[static_cast<size_t>(distinct.distinct_of[i])];
    choice.layer_index = static_cast<int>(i);
    choice.representative = distinct.layer_of[static_cast<size_t>(distinct.distinct_of[i])];
    AddTotals(network.layers[i], choice.found, choice.cost.runtime_cycles,
              choice.cost.total_energy_pj(), choice.cost.macs, &result.totals);
    result.layers.push_back(std::move(choice));
  }
  for (const std::string& family : families) {
    Baseline baseline;
    baseline.family = family;
    for (size_t i = 0; i < network.layers.size(); ++i) {
      const FamilyBest* fb = nullptr;
      for (const FamilyBest& f : result.layers[i].families) {
        if (f.family == family) fb = &f;
      }
      const bool found = fb != nullptr && fb->found;
      AddTotals(network.layers[i], found, found ? fb->cost.runtime_cycles : 0,
                found ? fb->cost.total_energy_pj() : 0, found ? fb->cost.macs : 0,
                &baseline.totals);
    }
    result.baselines.push_back(std::move(baseline));
  }
  return result;
}

}  // namespace cadenza::internal
