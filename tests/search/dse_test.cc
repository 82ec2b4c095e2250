#include "search/dse.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analyzer/analyzer.h"
#include "analyzer/error.h"

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

Network Net() {
  Network n;
  n.layers = {Conv("a", 16, 3, 3, 18, 2), Conv("b", 32, 16, 3, 10), Conv("c", 32, 16, 3, 10),
              Conv("d", 64, 32, 1, 8)};
  return n;
}

std::vector<Hardware> Sweep() {
  std::vector<Hardware> points;
  for (int64_t pes : {16, 64}) {
    for (int64_t l1 : {64, 256, 1024}) {
      for (int64_t l2 : {8 * 1024, 64 * 1024}) {
        Hardware hw;
        hw.num_pes = pes;
        hw.l1_size = l1;
        hw.l2_size = l2;
        hw.noc_bw = 32;
        hw.offchip_bw = 16;
        points.push_back(hw);
      }
    }
  }
  return points;
}

DseOptions Options(int threads) {
  DseOptions o;
  o.search.objective = Objective::kEdp;
  o.search.threads = threads;
  o.search.max_candidates_per_template = 300;
  return o;
}

// A resource left unbounded is no silicon: charged as 2^31-1 it made a 256-PE design
// hundreds of thousands of mm^2 and megawatts. It is left out of area and power, by name.
TEST(DseTest, UnboundedResourcesStayOutOfAreaAndPower) {
  Hardware bounded;
  bounded.num_pes = 64;
  bounded.l1_size = 256;
  bounded.l2_size = 64 * 1024;
  bounded.noc_bw = 32;
  bounded.offchip_bw = 16;
  Hardware open_noc = bounded;
  open_noc.noc_bw = Hardware::kUnlimited;
  Hardware open_all = open_noc;
  open_all.l1_size = open_all.l2_size = Hardware::kUnlimited;
  const std::vector<Hardware> points = {bounded, open_noc, open_all};
  const DseResult r = ExploreDesigns(Net(), points, TemplateLibrary::Builtin(), Options(2));
  EXPECT_TRUE(r.points[0].area_power_excludes.empty());
  EXPECT_EQ(r.points[1].area_power_excludes, std::vector<std::string>{"NoC bandwidth"});
  EXPECT_EQ(r.points[2].area_power_excludes,
            (std::vector<std::string>{"NoC bandwidth", "L1", "L2"}));
  // Without its NoC-bandwidth term the open-NoC design costs less than the bounded one, and
  // exactly the formula with that term at zero.
  Hardware no_noc = bounded;
  no_noc.noc_bw = 0;
  const AreaPower expected = EstimateAreaPower(no_noc, bounded.l1_size, bounded.l2_size);
  EXPECT_DOUBLE_EQ(r.points[1].provisioned.area_um2, expected.area_um2);
  EXPECT_DOUBLE_EQ(r.points[1].provisioned.power_mw, expected.power_mw);
  EXPECT_LT(r.points[1].provisioned.area_um2, r.points[0].provisioned.area_um2);
  for (const DesignResult& d : r.points) {
    EXPECT_LT(d.provisioned.area_um2, 100e6) << d.index;  // under 100 mm^2 at 64 PEs
    EXPECT_LT(d.provisioned.power_mw, 10e3) << d.index;   // under 10 W
  }
}

// Sharing evaluations across points must not change any answer: every point equals a search
// run on its own.
TEST(DseTest, EveryPointEqualsASearchOnItsOwn) {
  const Network net = Net();
  const std::vector<Hardware> points = Sweep();
  const DseResult r = ExploreDesigns(net, points, TemplateLibrary::Builtin(), Options(2));
  ASSERT_EQ(r.points.size(), points.size());
  EXPECT_EQ(r.evaluation_groups, 2);  // the PE counts; capacities share evaluations
  EXPECT_EQ(r.distinct_layers, 3);
  SearchOptions so;
  so.objective = Objective::kEdp;
  so.max_candidates_per_template = 300;
  for (size_t p = 0; p < points.size(); ++p) {
    const SearchResult s = SearchNetwork(net, points[p], TemplateLibrary::Builtin(), so);
    EXPECT_EQ(r.points[p].totals.runtime_cycles, s.totals.runtime_cycles) << p;
    EXPECT_EQ(r.points[p].totals.energy_pj, s.totals.energy_pj) << p;
    EXPECT_EQ(r.points[p].totals.layers_without_mapping, s.totals.layers_without_mapping) << p;
  }
}

// The chosen point's per-layer answer, built from the exploration's shared evaluations, is
// exactly what a search of that point on its own gives (for every objective, so that the
// choice depends on the capacities of a shared group).
TEST(DseTest, ChosenPointEqualsASearchOfThatPoint) {
  const Network net = Net();
  const std::vector<Hardware> points = Sweep();
  for (Objective objective : {Objective::kLatency, Objective::kEnergy, Objective::kEdp}) {
    DseOptions o = Options(2);
    o.search.objective = objective;
    const DseResult r = ExploreDesigns(net, points, TemplateLibrary::Builtin(), o);
    ASSERT_GE(r.best, 0);
    SearchOptions so = o.search;
    so.threads = 1;
    const SearchResult s =
        SearchNetwork(net, points[static_cast<size_t>(r.best)], TemplateLibrary::Builtin(), so);
    const SearchResult& c = r.chosen;
    EXPECT_EQ(c.objective, s.objective);
    EXPECT_EQ(c.distinct_layers, s.distinct_layers);
    EXPECT_EQ(c.candidates_evaluated, s.candidates_evaluated);
    EXPECT_EQ(c.infeasible_by_reason, s.infeasible_by_reason);
    EXPECT_EQ(c.totals.runtime_cycles, s.totals.runtime_cycles);
    EXPECT_EQ(c.totals.energy_pj, s.totals.energy_pj);
    EXPECT_EQ(c.totals.runtime_cycles, r.points[static_cast<size_t>(r.best)].totals.runtime_cycles);
    EXPECT_EQ(c.totals.energy_pj, r.points[static_cast<size_t>(r.best)].totals.energy_pj);
    ASSERT_EQ(c.layers.size(), s.layers.size());
    for (size_t i = 0; i < c.layers.size(); ++i) {
      const LayerChoice& a = c.layers[i];
      const LayerChoice& b = s.layers[i];
      EXPECT_EQ(a.found, b.found) << i;
      EXPECT_EQ(a.representative, b.representative) << i;
      EXPECT_EQ(a.template_index, b.template_index) << i;
      EXPECT_EQ(a.params, b.params) << i;
      EXPECT_EQ(a.mapping, b.mapping) << i;
      EXPECT_TRUE(a.cost == b.cost) << i;
      EXPECT_EQ(a.objective, b.objective) << i;
      EXPECT_EQ(a.candidates, b.candidates) << i;
      EXPECT_EQ(a.infeasible_by_reason, b.infeasible_by_reason) << i;
      ASSERT_EQ(a.families.size(), b.families.size()) << i;
      for (size_t f = 0; f < a.families.size(); ++f) {
        EXPECT_EQ(a.families[f].family, b.families[f].family);
        EXPECT_EQ(a.families[f].feasible, b.families[f].feasible);
        EXPECT_EQ(a.families[f].params, b.families[f].params);
        EXPECT_TRUE(a.families[f].cost == b.families[f].cost);
      }
    }
    ASSERT_EQ(c.baselines.size(), s.baselines.size());
    for (size_t b = 0; b < c.baselines.size(); ++b) {
      EXPECT_EQ(c.baselines[b].totals.runtime_cycles, s.baselines[b].totals.runtime_cycles);
      EXPECT_EQ(c.baselines[b].totals.energy_pj, s.baselines[b].totals.energy_pj);
    }
  }
}

TEST(DseTest, SameResultForOneAndTwoThreads) {
  const DseResult a = ExploreDesigns(Net(), Sweep(), TemplateLibrary::Builtin(), Options(1));
  const DseResult b = ExploreDesigns(Net(), Sweep(), TemplateLibrary::Builtin(), Options(2));
  ASSERT_EQ(a.points.size(), b.points.size());
  EXPECT_EQ(a.best, b.best);
  for (size_t p = 0; p < a.points.size(); ++p) {
    EXPECT_EQ(a.points[p].objective, b.points[p].objective);
    EXPECT_EQ(a.points[p].pareto, b.points[p].pareto);
  }
}

TEST(DseTest, ParetoFrontIsExactlyTheUndominatedFeasiblePoints) {
  const DseResult r = ExploreDesigns(Net(), Sweep(), TemplateLibrary::Builtin(), Options(2));
  int front = 0;
  for (const DesignResult& a : r.points) {
    if (!a.feasible) {
      EXPECT_FALSE(a.pareto);
      continue;
    }
    bool dominated = false;
    for (const DesignResult& b : r.points) {
      if (!b.feasible) continue;
      const bool no_worse = b.totals.runtime_cycles <= a.totals.runtime_cycles &&
                            b.totals.energy_pj <= a.totals.energy_pj &&
                            b.provisioned.area_um2 <= a.provisioned.area_um2;
      const bool better = b.totals.runtime_cycles < a.totals.runtime_cycles ||
                          b.totals.energy_pj < a.totals.energy_pj ||
                          b.provisioned.area_um2 < a.provisioned.area_um2;
      dominated = dominated || (no_worse && better);
    }
    EXPECT_EQ(a.pareto, !dominated) << a.index;
    front += a.pareto ? 1 : 0;
  }
  EXPECT_GT(front, 0);
  ASSERT_GE(r.best, 0);
  EXPECT_TRUE(r.points[static_cast<size_t>(r.best)].feasible);
}

TEST(DseTest, BudgetsMarkPointsInfeasibleWithTheReason) {
  DseOptions o = Options(1);
  o.area_budget_um2 = 1;  // nothing is that small
  const DseResult r = ExploreDesigns(Net(), Sweep(), TemplateLibrary::Builtin(), o);
  EXPECT_EQ(r.best, -1);
  int over_budget = 0;
  for (const DesignResult& p : r.points) {
    EXPECT_FALSE(p.feasible);
    // A point where some layer fits nowhere says so first; every other one is over the budget.
    if (p.totals.layers_without_mapping > 0) {
      const int n = p.totals.layers_without_mapping;
      EXPECT_EQ(p.reason, std::to_string(n) + (n == 1 ? " layer has" : " layers have") +
                              " no mapping that fits this hardware");
    } else {
      EXPECT_EQ(p.reason, "area over budget");
      ++over_budget;
    }
  }
  EXPECT_GT(over_budget, 0);
}

TEST(DseTest, ProvisionedAreaGrowsWithCapacityAndRequiredStaysWithinIt) {
  const std::vector<Hardware> points = Sweep();
  const DseResult r = ExploreDesigns(Net(), points, TemplateLibrary::Builtin(), Options(2));
  for (const DesignResult& p : r.points) {
    if (!p.feasible) continue;
    const Hardware& hw = points[static_cast<size_t>(p.index)];
    EXPECT_LE(p.l1_required_bytes, hw.l1_size);
    EXPECT_LE(p.l2_required_bytes, hw.l2_size);
    EXPECT_LE(p.required.area_um2, p.provisioned.area_um2);
  }
  EXPECT_LT(r.points[0].provisioned.area_um2, r.points[1].provisioned.area_um2);  // L2 8K < 64K
}

// Every point's outcome and the chosen design's per-layer choices (not how many candidates were
// evaluated to find them).
void ExpectSameOutcomes(const DseResult& a, const DseResult& b) {
  EXPECT_EQ(a.objective, b.objective);
  EXPECT_EQ(a.best, b.best);
  EXPECT_EQ(a.evaluation_groups, b.evaluation_groups);
  EXPECT_EQ(a.distinct_layers, b.distinct_layers);
  ASSERT_EQ(a.points.size(), b.points.size());
  for (size_t p = 0; p < a.points.size(); ++p) {
    const DesignResult& x = a.points[p];
    const DesignResult& y = b.points[p];
    EXPECT_EQ(x.index, y.index) << p;
    EXPECT_EQ(x.feasible, y.feasible) << p;
    EXPECT_EQ(x.reason, y.reason) << p;
    EXPECT_EQ(x.totals.runtime_cycles, y.totals.runtime_cycles) << p;
    EXPECT_EQ(x.totals.energy_pj, y.totals.energy_pj) << p;
    EXPECT_EQ(x.totals.macs, y.totals.macs) << p;
    EXPECT_EQ(x.totals.exact_macs, y.totals.exact_macs) << p;
    EXPECT_EQ(x.totals.layers_without_mapping, y.totals.layers_without_mapping) << p;
    EXPECT_TRUE(x.provisioned == y.provisioned) << p;
    EXPECT_TRUE(x.required == y.required) << p;
    EXPECT_EQ(x.l1_required_bytes, y.l1_required_bytes) << p;
    EXPECT_EQ(x.l2_required_bytes, y.l2_required_bytes) << p;
    EXPECT_EQ(x.pareto, y.pareto) << p;
    EXPECT_EQ(x.objective, y.objective) << p;
  }
  const SearchResult& c = a.chosen;
  const SearchResult& d = b.chosen;
  EXPECT_EQ(c.totals.runtime_cycles, d.totals.runtime_cycles);
  EXPECT_EQ(c.totals.energy_pj, d.totals.energy_pj);
  ASSERT_EQ(c.layers.size(), d.layers.size());
  for (size_t i = 0; i < c.layers.size(); ++i) {
    EXPECT_EQ(c.layers[i].template_index, d.layers[i].template_index) << i;
    EXPECT_EQ(c.layers[i].params, d.layers[i].params) << i;
    EXPECT_EQ(c.layers[i].mapping, d.layers[i].mapping) << i;
    EXPECT_TRUE(c.layers[i].cost == d.layers[i].cost) << i;
    EXPECT_EQ(c.layers[i].candidates, d.layers[i].candidates) << i;
    ASSERT_EQ(c.layers[i].families.size(), d.layers[i].families.size()) << i;
    for (size_t f = 0; f < c.layers[i].families.size(); ++f) {
      EXPECT_EQ(c.layers[i].families[f].mapping, d.layers[i].families[f].mapping) << i;
      EXPECT_TRUE(c.layers[i].families[f].cost == d.layers[i].families[f].cost) << i;
    }
  }
  ASSERT_EQ(c.baselines.size(), d.baselines.size());
  for (size_t i = 0; i < c.baselines.size(); ++i) {
    EXPECT_EQ(c.baselines[i].totals.runtime_cycles, d.baselines[i].totals.runtime_cycles);
    EXPECT_EQ(c.baselines[i].totals.energy_pj, d.baselines[i].totals.energy_pj);
  }
}

// The same outcomes from the same evaluations: the candidate counts too.
void ExpectSameExploration(const DseResult& a, const DseResult& b) {
  ExpectSameOutcomes(a, b);
  EXPECT_EQ(a.candidates_evaluated, b.candidates_evaluated);
  EXPECT_EQ(a.chosen.candidates_evaluated, b.chosen.candidates_evaluated);
  EXPECT_EQ(a.chosen.infeasible_by_reason, b.chosen.infeasible_by_reason);
}

// A sweep of three evaluation groups (the PE counts), two of them interleaved in sweep order.
std::vector<Hardware> ThreeGroupSweep() {
  std::vector<Hardware> points = Sweep();
  Hardware extra = points[0];
  extra.num_pes = 32;
  points.insert(points.begin() + 3, extra);
  extra.l1_size = 4096;
  points.push_back(extra);
  return points;
}

TEST(DseTest, EvaluationGroupsAreInOrderOfFirstAppearance) {
  const std::vector<std::vector<int>> groups = EvaluationGroups(ThreeGroupSweep());
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0], (std::vector<int>{0, 1, 2, 4, 5, 6}));
  EXPECT_EQ(groups[1], (std::vector<int>{3, 13}));
  EXPECT_EQ(groups[2], (std::vector<int>{7, 8, 9, 10, 11, 12}));
}

// However the points are split (whole groups, groups cut in two, one point at a time, in any
// order), merging the subsets gives ExploreDesigns' answer for the whole sweep.
TEST(DseTest, MergedSubsetsEqualTheWholeExploration) {
  const Network net = Net();
  const std::vector<Hardware> points = ThreeGroupSweep();
  const TemplateLibrary library = TemplateLibrary::Builtin();
  for (Objective objective : {Objective::kLatency, Objective::kEdp}) {
    DseOptions o = Options(1);
    o.search.objective = objective;
    const DseResult whole = ExploreDesigns(net, points, library, o);
    const std::vector<std::vector<int>> groups = EvaluationGroups(points);
    std::vector<int> all;
    for (size_t p = 0; p < points.size(); ++p) all.push_back(static_cast<int>(p));
    const std::vector<std::vector<std::vector<int>>> splits = {
        {all},
        groups,
        {{13, 0, 7}, {1, 2, 3, 4, 5, 6}, {8, 9, 10, 11, 12}},  // groups cut, out of order
    };
    for (size_t s = 0; s < splits.size(); ++s) {
      const std::vector<std::vector<int>>& split = splits[s];
      std::vector<DsePartial> partials;
      for (auto it = split.rbegin(); it != split.rend(); ++it) {
        partials.push_back(ExploreDesignSubset(net, points, *it, library, o));
      }
      SCOPED_TRACE("split " + std::to_string(s));
      ExpectSameExploration(MergeDesignSubsets(net, points, partials, library, o), whole);
    }
  }
}

// Under the exact model a group skips a candidate only when it can win on none of the group's
// points: every point's outcome and the chosen design's per-layer choices are those of the
// exhaustive exploration, with fewer candidates evaluated; and a split sweep still merges into
// the whole exploration, field for field (each group is evaluated against all its points).
TEST(DseTest, PruningUnderTheExactModelKeepsEveryPointsOutcome) {
  const Network net = Net();
  const std::vector<Hardware> points = ThreeGroupSweep();
  const TemplateLibrary library = TemplateLibrary::Builtin();
  DseOptions o = Options(2);
  o.search.model = CostModelKind::kExact;
  o.search.max_candidates_per_template = 40;
  o.search.prune = false;
  const DseResult all = ExploreDesigns(net, points, library, o);
  o.search.prune = true;
  const DseResult pruned = ExploreDesigns(net, points, library, o);
  EXPECT_LT(pruned.candidates_evaluated, all.candidates_evaluated);
  EXPECT_GT(pruned.chosen.candidates_skipped, 0);
  ExpectSameOutcomes(pruned, all);

  const std::vector<std::vector<int>> split = {{13, 0, 7}, {1, 2, 3, 4, 5, 6}, {8, 9, 10, 11, 12}};
  std::vector<DsePartial> partials;
  for (const std::vector<int>& subset : split) {
    partials.push_back(ExploreDesignSubset(net, points, subset, library, o));
  }
  ExpectSameExploration(MergeDesignSubsets(net, points, partials, library, o), pruned);
}

TEST(DseTest, MergeNamesAPointMissingOrExploredTwice) {
  const Network net = Net();
  const std::vector<Hardware> points = Sweep();
  const TemplateLibrary library = TemplateLibrary::Builtin();
  const DseOptions o = Options(1);
  std::vector<DsePartial> partials = {ExploreDesignSubset(net, points, std::vector<int>{0, 1, 2}, library, o)};
  try {
    MergeDesignSubsets(net, points, partials, library, o);
    FAIL() << "a missing point was not noticed";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "design point 3 was not explored");
  }
  std::vector<int> rest;
  for (size_t p = 2; p < points.size(); ++p) rest.push_back(static_cast<int>(p));
  partials.push_back(ExploreDesignSubset(net, points, rest, library, o));
  try {
    MergeDesignSubsets(net, points, partials, library, o);
    FAIL() << "a point explored twice was not noticed";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "design point 2 was explored twice");
  }
  EXPECT_THROW(ExploreDesignSubset(net, points, std::vector<int>{0, 99}, library, o), InputError);
  EXPECT_THROW(ExploreDesignSubset(net, points, std::vector<int>{1, 1}, library, o), InputError);
}

}  // namespace
}  // namespace cadenza
