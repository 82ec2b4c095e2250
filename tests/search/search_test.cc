#include "search/search.h"

#include <gtest/gtest.h>

#include <atomic>
#include <utility>
#include <vector>

#include "analyzer/analyzer.h"
#include "search/candidates.h"
#include "search/engine.h"

namespace cadenza {
namespace {

Layer Conv(std::string name, int64_t k, int64_t c, int64_t r, int64_t y, int64_t stride = 1) {
  Layer l;
  l.name = std::move(name);
  l.kind = OpKind::kConv;
  l.shape.size[Dim::kK] = k;
  l.shape.size[Dim::kC] = c;
  l.shape.size[Dim::kR] = l.shape.size[Dim::kS] = r;
  l.shape.size[Dim::kY] = l.shape.size[Dim::kX] = y;
  l.shape.stride_y = l.shape.stride_x = stride;
  l.exact_macs = ExactMacs(l.kind, l.shape);
  return l;
}

Layer Depthwise(std::string name, int64_t c, int64_t y, int64_t stride) {
  Layer l = Conv(std::move(name), 0, c, 3, y, stride);
  l.kind = OpKind::kDepthwiseConv;
  l.exact_macs = ExactMacs(l.kind, l.shape);
  return l;
}

Layer Gemm(std::string name, int64_t m, int64_t n, int64_t k) {
  Layer l;
  l.name = std::move(name);
  l.kind = OpKind::kGemm;
  l.shape.size[Dim::kM] = m;
  l.shape.size[Dim::kN] = n;
  l.shape.size[Dim::kK] = k;
  l.exact_macs = ExactMacs(l.kind, l.shape);
  return l;
}

Network SmallNetwork() {
  Network n;
  n.name = "small";
  n.layers = {Conv("conv1", 32, 3, 3, 34, 2), Conv("conv2", 64, 32, 3, 18),
              Depthwise("dw", 64, 18, 1),       Conv("conv3", 64, 32, 3, 18),  // same as conv2
              Conv("pw", 128, 64, 1, 16),       Gemm("fc", 1, 100, 128)};
  return n;
}

Hardware SmallHardware() {
  Hardware hw;
  hw.num_pes = 64;
  hw.l1_size = 256;
  hw.l2_size = 64 * 1024;
  hw.noc_bw = 32;
  hw.offchip_bw = 16;
  return hw;
}

SearchOptions Options(Objective objective, int threads) {
  SearchOptions o;
  o.objective = objective;
  o.threads = threads;
  o.max_candidates_per_template = 400;
  return o;
}

TEST(SearchTest, SameAnswerBitForBitWithOneAndTwoThreads) {
  const Network net = SmallNetwork();
  for (Objective objective : {Objective::kLatency, Objective::kEnergy, Objective::kEdp}) {
    const SearchResult one = SearchNetwork(net, SmallHardware(), TemplateLibrary::Builtin(),
                                           Options(objective, 1));
    const SearchResult two = SearchNetwork(net, SmallHardware(), TemplateLibrary::Builtin(),
                                           Options(objective, 2));
    ASSERT_EQ(one.layers.size(), two.layers.size());
    for (size_t i = 0; i < one.layers.size(); ++i) {
      EXPECT_EQ(one.layers[i].template_index, two.layers[i].template_index);
      EXPECT_EQ(one.layers[i].params, two.layers[i].params);
      EXPECT_EQ(one.layers[i].objective, two.layers[i].objective);  // exact, not near
    }
    EXPECT_EQ(one.totals.runtime_cycles, two.totals.runtime_cycles);
    EXPECT_EQ(one.totals.energy_pj, two.totals.energy_pj);
    EXPECT_EQ(one.candidates_evaluated, two.candidates_evaluated);
    EXPECT_EQ(one.infeasible_by_reason, two.infeasible_by_reason);
  }
}

// The candidate list (its order is every result's tie-break) is enumerated in parallel and
// joined in a fixed order: the same list on one thread and on three.
TEST(SearchTest, CandidatesAreTheSameOnAnyNumberOfThreads) {
  const Network net = SmallNetwork();
  const internal::DistinctLayers distinct = internal::FindDistinctLayers(net);
  const TemplateLibrary library = TemplateLibrary::Builtin();
  const internal::CandidateList one = internal::EnumerateCandidates(net, distinct, library, 64, 400, 1);
  const internal::CandidateList three = internal::EnumerateCandidates(net, distinct, library, 64, 400, 3);
  EXPECT_GT(one.items.size(), distinct.layer_of.size());
  EXPECT_EQ(one.begin, three.begin);
  ASSERT_EQ(one.items.size(), three.items.size());
  for (size_t i = 0; i < one.items.size(); ++i) {
    EXPECT_EQ(one.items[i].distinct, three.items[i].distinct) << i;
    EXPECT_EQ(one.items[i].template_index, three.items[i].template_index) << i;
    EXPECT_EQ(one.items[i].params, three.items[i].params) << i;
  }
  // Grouped by distinct layer, templates in library order within each.
  for (size_t d = 0; d + 1 < one.begin.size(); ++d) {
    for (size_t i = one.begin[d]; i < one.begin[d + 1]; ++i) {
      EXPECT_EQ(one.items[i].distinct, static_cast<int32_t>(d));
      if (i > one.begin[d]) {
        EXPECT_LE(one.items[i - 1].template_index, one.items[i].template_index);
      }
    }
  }
}

// Progress comes from the calling thread, rises, ends at (total, total); a cancellation set
// from it stops the search with SearchCancelled and no result, whatever the thread count.
TEST(SearchTest, ProgressRisesAndCancellationThrows) {
  const Network net = SmallNetwork();
  for (int threads : {1, 2}) {
    SCOPED_TRACE(threads);
    SearchOptions options = Options(Objective::kEdp, threads);
    std::vector<std::pair<int64_t, int64_t>> calls;
    options.progress = [&calls](int64_t done, int64_t total) { calls.emplace_back(done, total); };
    const SearchResult full =
        SearchNetwork(net, SmallHardware(), TemplateLibrary::Builtin(), options);
    ASSERT_GE(calls.size(), 2u);
    for (size_t i = 1; i < calls.size(); ++i) EXPECT_GE(calls[i].first, calls[i - 1].first);
    EXPECT_EQ(calls.back(),
              std::make_pair(full.candidates_evaluated, full.candidates_evaluated));

    std::atomic<bool> cancel{false};
    options.cancel = &cancel;
    int64_t seen = 0;
    options.progress = [&cancel, &seen](int64_t done, int64_t total) {
      seen = done;
      if (done * 4 >= total) cancel = true;  // a quarter of the way
    };
    EXPECT_THROW(SearchNetwork(net, SmallHardware(), TemplateLibrary::Builtin(), options),
                 SearchCancelled);
    EXPECT_LT(seen, full.candidates_evaluated);
    // Set before the start: nothing is evaluated.
    options.progress = nullptr;
    EXPECT_THROW(SearchNetwork(net, SmallHardware(), TemplateLibrary::Builtin(), options),
                 SearchCancelled);
    // An unset flag changes nothing.
    cancel = false;
    const SearchResult again =
        SearchNetwork(net, SmallHardware(), TemplateLibrary::Builtin(), options);
    EXPECT_EQ(again.totals.runtime_cycles, full.totals.runtime_cycles);
    EXPECT_EQ(again.totals.energy_pj, full.totals.energy_pj);
  }
}

TEST(SearchTest, IdenticalShapesAreSearchedOnce) {
  const SearchResult r = SearchNetwork(SmallNetwork(), SmallHardware(),
                                       TemplateLibrary::Builtin(), Options(Objective::kEdp, 1));
  EXPECT_EQ(r.distinct_layers, 5);
  EXPECT_EQ(r.layers[3].representative, 1);
  EXPECT_EQ(r.layers[3].params, r.layers[1].params);
  EXPECT_EQ(r.layers[3].cost.runtime_cycles, r.layers[1].cost.runtime_cycles);
}

TEST(SearchTest, ChoiceIsTheBestFeasibleCandidateAndIsReproducible) {
  const Network net = SmallNetwork();
  const Hardware hw = SmallHardware();
  const SearchResult r =
      SearchNetwork(net, hw, TemplateLibrary::Builtin(), Options(Objective::kLatency, 2));
  for (const LayerChoice& c : r.layers) {
    ASSERT_TRUE(c.found) << net.layers[static_cast<size_t>(c.layer_index)].name << ": " << c.note;
    // The chosen mapping evaluates to the reported cost and fits the hardware.
    const Analyzer a(net.layers[static_cast<size_t>(c.layer_index)], hw);
    CostResult again = a.Evaluate(c.mapping);
    a.CheckLimits(&again);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again.runtime_cycles, c.cost.runtime_cycles);
    EXPECT_LE(again.l1_size_elements, hw.l1_size);
    EXPECT_GE(again.macs, again.exact_macs);  // no skipped work
    // No family's best beats the choice.
    for (const FamilyBest& f : c.families) {
      if (f.found) {
        EXPECT_LE(c.objective, f.objective) << f.family;
      }
    }
  }
}

// --objective energy alone may take a far slower mapping for a little less energy; a latency
// slack keeps each layer within that fraction of its fastest feasible mapping.
TEST(SearchTest, LatencySlackBoundsEachLayerAgainstItsFastest) {
  const Network net = SmallNetwork();
  const Hardware hw = SmallHardware();
  const TemplateLibrary& lib = TemplateLibrary::Builtin();
  const SearchResult fastest = SearchNetwork(net, hw, lib, Options(Objective::kLatency, 2));
  const SearchResult free = SearchNetwork(net, hw, lib, Options(Objective::kEnergy, 2));
  SearchOptions bounded_options = Options(Objective::kEnergy, 2);
  bounded_options.latency_slack = 0.05;
  const SearchResult bounded = SearchNetwork(net, hw, lib, bounded_options);
  EXPECT_EQ(bounded.latency_slack, 0.05);
  bool slower_without_bound = false;
  for (size_t i = 0; i < net.layers.size(); ++i) {
    ASSERT_TRUE(bounded.layers[i].found) << net.layers[i].name;
    const int64_t best_cycles = fastest.layers[i].cost.runtime_cycles;
    EXPECT_LE(static_cast<double>(bounded.layers[i].cost.runtime_cycles),
              1.05 * static_cast<double>(best_cycles))
        << net.layers[i].name;
    // Never less energy than the unbounded energy choice, never more than the fastest one's.
    EXPECT_GE(bounded.layers[i].cost.total_energy_pj(), free.layers[i].cost.total_energy_pj());
    EXPECT_LE(bounded.layers[i].cost.total_energy_pj(),
              fastest.layers[i].cost.total_energy_pj());
    if (static_cast<double>(free.layers[i].cost.runtime_cycles) >
        1.05 * static_cast<double>(best_cycles)) {
      slower_without_bound = true;
    }
  }
  EXPECT_TRUE(slower_without_bound) << "the network does not show what the slack is for";
  // Zero slack: the fastest cycles, the least energy among the mappings that reach them.
  SearchOptions zero = Options(Objective::kEnergy, 1);
  zero.latency_slack = 0;
  const SearchResult tight = SearchNetwork(net, hw, lib, zero);
  for (size_t i = 0; i < net.layers.size(); ++i) {
    EXPECT_EQ(tight.layers[i].cost.runtime_cycles, fastest.layers[i].cost.runtime_cycles);
  }
  // The same answer with one thread as with two.
  bounded_options.threads = 1;
  const SearchResult one = SearchNetwork(net, hw, lib, bounded_options);
  for (size_t i = 0; i < net.layers.size(); ++i) {
    EXPECT_EQ(one.layers[i].template_index, bounded.layers[i].template_index);
    EXPECT_EQ(one.layers[i].params, bounded.layers[i].params);
  }
}

TEST(SearchTest, AdaptiveChoiceIsNoWorseThanAnyFixedFamily) {
  for (Objective objective : {Objective::kLatency, Objective::kEnergy}) {
    const SearchResult r = SearchNetwork(SmallNetwork(), SmallHardware(),
                                         TemplateLibrary::Builtin(), Options(objective, 2));
    ASSERT_EQ(r.baselines.size(), TemplateLibrary::Builtin().Families().size());
    for (const Baseline& b : r.baselines) {
      if (b.totals.layers_without_mapping > 0) continue;
      if (objective == Objective::kLatency) {
        EXPECT_LE(r.totals.runtime_cycles, b.totals.runtime_cycles) << b.family;
      } else {
        EXPECT_LE(r.totals.energy_pj, b.totals.energy_pj) << b.family;
      }
    }
  }
}

TEST(SearchTest, InfeasibleCandidatesAreCountedAndEmptyLayersReported) {
  Hardware hw = SmallHardware();
  hw.l1_size = 1;  // nothing fits
  const SearchResult r =
      SearchNetwork(SmallNetwork(), hw, TemplateLibrary::Builtin(), Options(Objective::kEdp, 1));
  EXPECT_EQ(r.totals.layers_without_mapping, 6);
  EXPECT_EQ(r.totals.runtime_cycles, 0);
  for (const LayerChoice& c : r.layers) {
    EXPECT_FALSE(c.found);
    EXPECT_NE(c.note.find("fits the hardware"), std::string::npos);
    EXPECT_GT(c.infeasible_by_reason[static_cast<size_t>(Infeasible::kL1Overflow)], 0);
  }
  int64_t counted = 0;
  for (int64_t n : r.infeasible_by_reason) counted += n;
  EXPECT_EQ(counted, r.candidates_evaluated);
}

TEST(SearchTest, LayerKindWithoutTemplatesIsReportedNotDropped) {
  // Every kind the importer produces has a built-in form; a user library may lack one.
  const TemplateLibrary gemm_only = TemplateLibrary::Parse(
      "Template g { Kinds GEMM; Dataflow { SpatialMap(1,1) N; TemporalMap(1,1) K; } }", "g.tmpl");
  Network net;
  net.layers = {Conv("conv", 8, 4, 3, 10)};
  const SearchResult r =
      SearchNetwork(net, SmallHardware(), gemm_only, Options(Objective::kEdp, 1));
  ASSERT_EQ(r.layers.size(), 1u);
  EXPECT_FALSE(r.layers[0].found);
  EXPECT_NE(r.layers[0].note.find("no template"), std::string::npos);
  EXPECT_EQ(r.totals.layers_without_mapping, 1);
}

// Every built-in family maps a grouped convolution through its grouped form (the CONV dataflow
// inside each group), under both cost models: RegNet- and ResNeXt-like layers get a review.
TEST(SearchTest, GroupedConvolutionHasAMappingInEveryFamily) {
  Network net;
  Layer g = Conv("grouped", 8, 4, 3, 10);
  g.kind = OpKind::kGroupedConv;
  g.shape.size[Dim::kG] = 4;
  g.exact_macs = ExactMacs(g.kind, g.shape);
  net.layers = {g};
  for (CostModelKind model : {CostModelKind::kMaestro, CostModelKind::kExact}) {
    SearchOptions options = Options(Objective::kEdp, 1);
    options.model = model;
    const SearchResult r =
        SearchNetwork(net, SmallHardware(), TemplateLibrary::Builtin(), options);
    ASSERT_EQ(r.layers.size(), 1u);
    const LayerChoice& choice = r.layers[0];
    ASSERT_TRUE(choice.found) << choice.note;
    EXPECT_EQ(choice.cost.macs, g.exact_macs);
    EXPECT_EQ(r.totals.layers_without_mapping, 0);
    ASSERT_GT(choice.mapping.size(), 0);
    EXPECT_EQ(choice.mapping[0].dim, Dim::kG);
    EXPECT_EQ(choice.named_params.back().name, "TG");
    for (const Baseline& b : r.baselines) {
      EXPECT_EQ(b.totals.layers_without_mapping, 0) << b.family;
    }
    for (const FamilyBest& f : choice.families) EXPECT_TRUE(f.found) << f.family;
    EXPECT_EQ(choice.families.size(), TemplateLibrary::Builtin().Families().size());
  }
}

TEST(SearchTest, InstancesMultiplyTotals) {
  Network one;
  one.layers = {Conv("c", 16, 16, 3, 10)};
  Network four = one;
  four.layers[0].instances = 4;
  const SearchResult a = SearchNetwork(one, SmallHardware(), TemplateLibrary::Builtin(),
                                       Options(Objective::kLatency, 1));
  const SearchResult b = SearchNetwork(four, SmallHardware(), TemplateLibrary::Builtin(),
                                       Options(Objective::kLatency, 1));
  EXPECT_EQ(b.totals.runtime_cycles, 4 * a.totals.runtime_cycles);
}

// Parameters that never change the mapping give only duplicates; the enumeration gives up after a
// bounded number of combinations instead of trying all 4096^3.
TEST(SearchTest, TemplateWithUselessParametersStillFinishes) {
  const TemplateLibrary lib = TemplateLibrary::Parse(R"(
    Template useless { Kinds CONV;
      Param A range(1, 4096); Param B range(1, 4096); Param C range(1, 4096);
      Dataflow { SpatialMap(1,1) K; TemporalMap(1,1) C; } })",
                                                     "useless.tmpl");
  Network net;
  net.layers = {Conv("c", 16, 16, 3, 10)};
  const SearchResult r = SearchNetwork(net, SmallHardware(), lib, Options(Objective::kEdp, 2));
  EXPECT_EQ(r.candidates_evaluated, 1);  // one distinct mapping
  EXPECT_EQ(r.layers[0].candidates, 1);
}

TEST(ObjectiveTest, Names) {
  EXPECT_EQ(ObjectiveFromName("edp"), Objective::kEdp);
  EXPECT_EQ(ObjectiveFromName("latency"), Objective::kLatency);
  EXPECT_FALSE(ObjectiveFromName("speed"));
}

}  // namespace
}  // namespace cadenza

namespace cadenza {
namespace {

// A choice of the exact model: found, legal, the layer's MAC count, utilization in (0, 1].
void ExpectExecutesEveryMacOnce(const LayerChoice& c, const Layer& layer) {
  ASSERT_TRUE(c.found) << c.note;
  ASSERT_TRUE(c.cost.exact.has_value());
  EXPECT_TRUE(c.cost.exact->legal);
  EXPECT_EQ(c.cost.macs, layer.exact_macs);
  EXPECT_LE(c.cost.utilization, 1.0);
  EXPECT_GT(c.cost.utilization, 0.0);
}

// Under the exact model the search counts what the machine does: every chosen mapping executes
// each MAC of its layer exactly once, so the MAC count is the layer's and utilization is at
// most 100%; illegal candidates are rejected as coverage, never chosen.
TEST(ExactModelSearchTest, ChoicesExecuteEveryMacOnceAndAreDeterministic) {
  // Small layers of every kind, strided included: the exact model walks what it cannot class.
  Network net;
  net.name = "tiny";
  net.layers = {Conv("conv1", 8, 3, 3, 10, 2), Conv("conv2", 8, 8, 3, 6), Depthwise("dw", 8, 6, 1),
                Gemm("fc", 1, 10, 16)};
  SearchOptions options = Options(Objective::kEdp, 1);
  options.model = CostModelKind::kExact;
  options.max_candidates_per_template = 12;
  const SearchResult one = SearchNetwork(net, SmallHardware(), TemplateLibrary::Builtin(), options);
  EXPECT_EQ(one.model, CostModelKind::kExact);
  for (size_t i = 0; i < net.layers.size(); ++i) {
    SCOPED_TRACE(net.layers[i].name);
    ExpectExecutesEveryMacOnce(one.layers[i], net.layers[i]);
  }
  EXPECT_EQ(one.totals.macs, one.totals.exact_macs);

  options.threads = 2;
  const SearchResult two = SearchNetwork(net, SmallHardware(), TemplateLibrary::Builtin(), options);
  ASSERT_EQ(two.layers.size(), one.layers.size());
  for (size_t i = 0; i < one.layers.size(); ++i) {
    EXPECT_EQ(two.layers[i].template_index, one.layers[i].template_index);
    EXPECT_EQ(two.layers[i].params, one.layers[i].params);
    EXPECT_EQ(two.layers[i].cost, one.layers[i].cost);
  }
}

// A dilated layer is searched as it is under the exact model: every family's row and column
// windows span the dilated filter (Window, Dilation), so each has legal candidates, and the
// chosen mapping executes the layer's MACs, batch included, exactly once.
TEST(ExactModelSearchTest, DilatedBatchedConvIsSearchedAsItIs) {
  Layer conv = Conv("dilated", 8, 4, 3, 12);
  conv.shape.size[Dim::kN] = 2;
  conv.shape.dilation_y = conv.shape.dilation_x = 2;
  conv.exact_macs = ExactMacs(conv.kind, conv.shape);
  ASSERT_EQ(conv.exact_macs, 2 * 8 * 4 * 8 * 8 * 9);
  Layer strided = Conv("dilated_strided", 4, 8, 3, 14, 2);
  strided.shape.dilation_y = strided.shape.dilation_x = 3;
  strided.exact_macs = ExactMacs(strided.kind, strided.shape);
  ASSERT_EQ(strided.exact_macs, 4 * 8 * 4 * 4 * 9);
  Layer dw = Depthwise("dw", 8, 12, 1);
  dw.shape.dilation_y = dw.shape.dilation_x = 2;
  dw.exact_macs = ExactMacs(dw.kind, dw.shape);
  Network net;
  net.name = "dilated";
  net.layers = {conv, strided, dw};
  SearchOptions options = Options(Objective::kEdp, 2);
  options.model = CostModelKind::kExact;
  options.max_candidates_per_template = 12;
  Hardware hw = SmallHardware();
  hw.l1_size = Hardware::kUnlimited;  // legality, not capacity, is what is tested here
  const SearchResult r = SearchNetwork(net, hw, TemplateLibrary::Builtin(), options);
  for (size_t i = 0; i < net.layers.size(); ++i) {
    SCOPED_TRACE(net.layers[i].name);
    const LayerChoice& c = r.layers[i];
    ExpectExecutesEveryMacOnce(c, net.layers[i]);
    ASSERT_FALSE(c.families.empty());
    for (const FamilyBest& f : c.families) {
      EXPECT_TRUE(f.found) << f.family << " has no legal candidate";
      if (f.found) {
        EXPECT_EQ(f.cost.macs, net.layers[i].exact_macs) << f.family;
      }
    }
  }
  EXPECT_EQ(r.totals.macs, conv.exact_macs + strided.exact_macs + dw.exact_macs);
  EXPECT_EQ(r.totals.macs, r.totals.exact_macs);
}

// Skipping candidates by their bound never changes a choice: every layer's and every family's
// best is the exhaustive search's, bit for bit, for every objective, on one thread and two,
// with capacities that reject some candidates (the best so far must be feasible on the
// hardware). Skipping happens, and the same candidates are skipped whatever the threads.
TEST(ExactModelSearchTest, PruningChoosesWhatTheExhaustiveSearchChooses) {
  const Network net = SmallNetwork();
  Hardware hw = SmallHardware();
  hw.l2_size = 4 * 1024;
  for (Objective objective : {Objective::kLatency, Objective::kEnergy, Objective::kEdp}) {
    SCOPED_TRACE(ObjectiveName(objective));
    SearchOptions options = Options(objective, 2);
    options.model = CostModelKind::kExact;
    options.max_candidates_per_template = 30;
    options.prune = false;
    const SearchResult all = SearchNetwork(net, hw, TemplateLibrary::Builtin(), options);
    EXPECT_EQ(all.candidates_skipped, 0);
    options.prune = true;
    const SearchResult two = SearchNetwork(net, hw, TemplateLibrary::Builtin(), options);
    options.threads = 1;
    const SearchResult one = SearchNetwork(net, hw, TemplateLibrary::Builtin(), options);
    EXPECT_GT(two.candidates_skipped, 0);
    EXPECT_EQ(two.candidates_evaluated + two.candidates_skipped, all.candidates_evaluated);
    EXPECT_EQ(one.candidates_skipped, two.candidates_skipped);
    EXPECT_EQ(one.infeasible_by_reason, two.infeasible_by_reason);
    for (const SearchResult* pruned : {&one, &two}) {
      ASSERT_EQ(pruned->layers.size(), all.layers.size());
      for (size_t i = 0; i < all.layers.size(); ++i) {
        SCOPED_TRACE(net.layers[i].name);
        const LayerChoice& a = all.layers[i];
        const LayerChoice& p = pruned->layers[i];
        EXPECT_EQ(p.found, a.found);
        EXPECT_EQ(p.template_index, a.template_index);
        EXPECT_EQ(p.params, a.params);
        EXPECT_EQ(p.objective, a.objective);
        // The pruned search keeps its winners' results instead of evaluating them again.
        EXPECT_EQ(p.cost, a.cost);
        EXPECT_EQ(p.mapping, a.mapping);
        EXPECT_EQ(p.candidates, a.candidates);
        ASSERT_EQ(p.families.size(), a.families.size());
        for (size_t f = 0; f < a.families.size(); ++f) {
          SCOPED_TRACE(a.families[f].family);
          EXPECT_EQ(p.families[f].found, a.families[f].found);
          EXPECT_EQ(p.families[f].template_index, a.families[f].template_index);
          EXPECT_EQ(p.families[f].params, a.families[f].params);
          EXPECT_EQ(p.families[f].objective, a.families[f].objective);
          EXPECT_EQ(p.families[f].cost, a.families[f].cost);
          EXPECT_EQ(p.families[f].mapping, a.families[f].mapping);
          EXPECT_EQ(p.families[f].candidates, a.families[f].candidates);
          EXPECT_LE(p.families[f].feasible, a.families[f].feasible);
          EXPECT_EQ(a.families[f].skipped, 0);
        }
      }
      EXPECT_EQ(pruned->totals.runtime_cycles, all.totals.runtime_cycles);
      EXPECT_EQ(pruned->totals.energy_pj, all.totals.energy_pj);
      ASSERT_EQ(pruned->baselines.size(), all.baselines.size());
      for (size_t b = 0; b < all.baselines.size(); ++b) {
        EXPECT_EQ(pruned->baselines[b].totals.runtime_cycles, all.baselines[b].totals.runtime_cycles);
        EXPECT_EQ(pruned->baselines[b].totals.energy_pj, all.baselines[b].totals.energy_pj);
      }
    }
  }
}

// The pruned search takes quick bounds first and whole bounds only where the quick one cannot
// skip; the candidates it evaluates are exactly those of the plain rule: per (layer, family),
// in (whole bound, index) order, evaluate a candidate unless its buffers' bound overflows the
// hardware or its bound cannot beat the best feasible value so far. The rule is run here from
// the public pieces.
TEST(ExactModelSearchTest, QuickBoundsFirstEvaluateWhatTheWholeBoundOrderEvaluates) {
  const Network net = SmallNetwork();
  Hardware hw = SmallHardware();
  hw.l2_size = 4 * 1024;
  const TemplateLibrary library = TemplateLibrary::Builtin();
  const std::vector<DataflowTemplate>& templates = library.templates();
  const std::vector<std::string> families = library.Families();
  for (Objective objective : {Objective::kLatency, Objective::kEnergy, Objective::kEdp}) {
    SCOPED_TRACE(ObjectiveName(objective));
    SearchOptions options = Options(objective, 2);
    options.model = CostModelKind::kExact;
    options.max_candidates_per_template = 30;
    const SearchResult searched = SearchNetwork(net, hw, library, options);

    const internal::DistinctLayers distinct = internal::FindDistinctLayers(net);
    const internal::CandidateList list =
        internal::EnumerateCandidates(net, distinct, library, hw.num_pes, 30, 1);
    int64_t skipped = 0;
    for (size_t d = 0; d < distinct.layer_of.size(); ++d) {
      const Layer& layer = net.layers[static_cast<size_t>(distinct.layer_of[d])];
      const std::unique_ptr<LayerCostModel> model =
          MakeLayerCostModel(CostModelKind::kExact, layer, internal::WithoutCapacityLimits(hw));
      struct Member {
        double bound;
        int64_t index;
        bool cannot_fit;
        Mapping mapping;
      };
      std::vector<std::vector<Member>> by_family(families.size());
      for (size_t i = list.begin[d]; i < list.begin[d + 1]; ++i) {
        const internal::Candidate& c = list.items[i];
        const DataflowTemplate& t = templates[static_cast<size_t>(c.template_index)];
        Member m{0, static_cast<int64_t>(i), false, {}};
        const ExprContext context{&layer.shape, hw.num_pes, &c.params};
        ASSERT_TRUE(t.Instantiate(context, &m.mapping));
        const std::optional<LayerCostModel::Bound> b = model->LowerBound(m.mapping);
        ASSERT_TRUE(b.has_value());
        m.bound = ObjectiveValue(b->runtime_cycles, b->energy_pj, objective);
        m.cannot_fit = CheckCapacity(b->l1, b->l2, hw) != Infeasible::kNone;
        const size_t f = static_cast<size_t>(
            std::find(families.begin(), families.end(), t.name) - families.begin());
        by_family[f].push_back(std::move(m));
      }
      for (std::vector<Member>& members : by_family) {
        std::sort(members.begin(), members.end(), [](const Member& a, const Member& b) {
          return a.bound != b.bound ? a.bound < b.bound : a.index < b.index;
        });
        int64_t best = -1;
        double best_value = 0;
        for (const Member& m : members) {
          const bool could_win = !m.cannot_fit && (best < 0 || m.bound < best_value ||
                                                   (m.bound == best_value && m.index < best));
          if (!could_win) {
            ++skipped;
            continue;
          }
          const CostResult cost = model->Evaluate(m.mapping);
          if (!cost.ok() || CheckCapacity(cost.l1_size_per_tensor, cost.l2_size_per_tensor, hw) !=
                                Infeasible::kNone) {
            continue;
          }
          const double value = ObjectiveValue(cost.runtime_cycles, cost.total_energy_pj(), objective);
          if (best < 0 || value < best_value || (value == best_value && m.index < best)) {
            best = m.index;
            best_value = value;
          }
        }
      }
    }
    EXPECT_GT(skipped, 0);
    EXPECT_EQ(searched.candidates_skipped, skipped);
    EXPECT_EQ(searched.candidates_evaluated,
              static_cast<int64_t>(list.items.size()) - skipped);
  }
}

// Under a latency slack every candidate is evaluated: the slack is measured from the fastest.
TEST(ExactModelSearchTest, LatencySlackEvaluatesEveryCandidate) {
  SearchOptions options = Options(Objective::kEnergy, 2);
  options.model = CostModelKind::kExact;
  options.max_candidates_per_template = 30;
  options.latency_slack = 0.05;
  const SearchResult r = SearchNetwork(SmallNetwork(), SmallHardware(), TemplateLibrary::Builtin(), options);
  EXPECT_EQ(r.candidates_skipped, 0);
}

// Off-chip traffic is reuse-aware under the exact model, so a smaller L2 (forcing smaller
// outer tiles) costs energy; under the MAESTRO-compatible model off-chip is compulsory only.
TEST(ExactModelSearchTest, L2SizeChangesEnergy) {
  Network net;
  net.name = "one";
  net.layers = {Conv("conv", 16, 16, 3, 10)};
  SearchOptions options = Options(Objective::kEnergy, 1);
  options.model = CostModelKind::kExact;
  options.max_candidates_per_template = 40;
  Hardware big = SmallHardware();
  big.l1_size = Hardware::kUnlimited;
  big.l2_size = 1 << 20;
  Hardware small = big;
  small.l2_size = 512;
  const SearchResult a = SearchNetwork(net, big, TemplateLibrary::Builtin(), options);
  const SearchResult b = SearchNetwork(net, small, TemplateLibrary::Builtin(), options);
  ASSERT_TRUE(a.layers[0].found);
  ASSERT_TRUE(b.layers[0].found) << b.layers[0].note;
  EXPECT_LT(a.layers[0].cost.offchip_energy_pj, b.layers[0].cost.offchip_energy_pj);
  EXPECT_LT(a.totals.energy_pj, b.totals.energy_pj);
}

}  // namespace
}  // namespace cadenza
