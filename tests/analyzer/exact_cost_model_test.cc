// The exact model as a cost model: the CostResult it gives for every reference run (counts
// carried through, coverage as a verdict, energy from the counts), and its limits.

#include "analyzer/exact_cost_model.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "analyzer/cost_model.h"
#include "analyzer/exact_model.h"
#include "importer/maestro_reader.h"
#include "tests/support/exact_reference.h"
#include "tests/support/files.h"

namespace cadenza {
namespace {

struct RefRun {
  std::string id;
  Layer layer;
  Mapping mapping;
  Hardware hw;
};

std::vector<RefRun> LoadRuns(const std::string& set) {
  std::vector<RefRun> runs;
  for (const test::ExactReferenceRun& ref : test::ExactReferenceRuns(set)) {
    RefRun run;
    run.id = ref.id;
    const MaestroModel model = ReadMaestroModel(ref.CasePath());
    run.layer = model.network.layers.at(0);
    run.mapping = model.mappings.at(0);
    run.hw = ReadMaestroHardware(ref.HwPath());
    run.hw.simd_lanes = ref.simd_lanes;
    runs.push_back(std::move(run));
  }
  return runs;
}

int64_t Sum(const PerTensor<int64_t>& v) { return v[Tensor::kInput] + v[Tensor::kFilter] + v[Tensor::kOutput]; }

class ExactCostModelReference : public testing::TestWithParam<const char*> {};

TEST_P(ExactCostModelReference, CarriesTheCountsAndJudgesCoverage) {
  int legal = 0, illegal = 0;
  for (const RefRun& run : LoadRuns(GetParam())) {
    SCOPED_TRACE(run.id);
    const std::unique_ptr<LayerCostModel> model =
        MakeLayerCostModel(CostModelKind::kExact, run.layer, run.hw);
    const CostResult r = model->Evaluate(run.mapping);
    const ExactCounts counts = ExactModel(run.layer, run.hw).Evaluate(run.mapping);
    ASSERT_TRUE(r.exact.has_value());
    EXPECT_EQ(*r.exact, counts);
    EXPECT_EQ(r.exact_macs, run.layer.exact_macs);
    if (!counts.legal) {
      ++illegal;
      EXPECT_EQ(r.infeasible, Infeasible::kCoverage);
      EXPECT_GT(counts.missing_macs + counts.extra_macs, 0);
      continue;
    }
    ++legal;
    ASSERT_TRUE(r.ok()) << InfeasibleName(r.infeasible);
    // The machine's MAC count is the layer's, so utilization cannot exceed 100%.
    EXPECT_EQ(r.macs, run.layer.exact_macs);
    EXPECT_EQ(r.runtime_cycles, counts.runtime_cycles);
    EXPECT_LE(r.utilization, 1.0);
    EXPECT_GT(r.utilization, 0.0);
    EXPECT_EQ(r.l1_size_elements, counts.l1_elements);
    EXPECT_EQ(r.l2_size_elements, counts.l2_elements);
    for (Tensor t : kAllTensors) {
      EXPECT_EQ(r.l1_size_per_tensor[t], 2 * counts.l1_max[t]);
      EXPECT_EQ(r.l2_size_per_tensor[t], 2 * counts.l2_max[t]);
    }
    // Off-chip energy is the reuse-aware DRAM traffic, at least every tensor once.
    const double dram = static_cast<double>(Sum(counts.dram_reads) + counts.dram_writes);
    EXPECT_DOUBLE_EQ(r.offchip_energy_pj, run.hw.energy.offchip_pj * dram);
    EXPECT_DOUBLE_EQ(r.mac_energy_pj, run.hw.energy.mac_pj * static_cast<double>(counts.macs));
    EXPECT_NEAR(r.energy_nj * 1000, r.total_energy_pj(), 1e-9 * r.total_energy_pj());
    // Without capacity limits nothing else can reject a legal mapping.
    Hardware unlimited = run.hw;
    unlimited.l1_size = Hardware::kUnlimited;
    unlimited.l2_size = Hardware::kUnlimited;
    CostResult checked = r;
    ExactCostModel(run.layer, unlimited).CheckLimits(&checked);
    EXPECT_TRUE(checked.ok()) << InfeasibleName(checked.infeasible);
  }
  EXPECT_GT(legal, 0);
  EXPECT_GT(illegal, 0);
}

INSTANTIATE_TEST_SUITE_P(Sets, ExactCostModelReference,
                         testing::Values("exact-model", "exact-model-kinds"));

// The first legal reference run, for the tests below.
RefRun FirstLegal() {
  for (RefRun& run : LoadRuns("exact-model")) {
    if (ExactModel(run.layer, run.hw).Evaluate(run.mapping).legal) return run;
  }
  ADD_FAILURE() << "no legal run";
  return {};
}

TEST(ExactCostModel, CapacitiesBelowTheNeedAreOverflows) {
  RefRun run = FirstLegal();
  const CostResult r = ExactCostModel(run.layer, run.hw).Evaluate(run.mapping);
  ASSERT_TRUE(r.ok());
  const int64_t l1_need = L1NeedBytes(r, run.hw);
  const int64_t l2_need = L2NeedBytes(r, run.hw);

  Hardware exact_fit = run.hw;
  exact_fit.l1_size = l1_need;
  exact_fit.l2_size = l2_need;
  CostResult fits = r;
  ExactCostModel(run.layer, exact_fit).CheckLimits(&fits);
  EXPECT_TRUE(fits.ok());

  Hardware small_l1 = exact_fit;
  small_l1.l1_size = l1_need - 1;
  CostResult l1 = r;
  ExactCostModel(run.layer, small_l1).CheckLimits(&l1);
  EXPECT_EQ(l1.infeasible, Infeasible::kL1Overflow);

  Hardware small_l2 = exact_fit;
  small_l2.l2_size = l2_need - 1;
  CostResult l2 = r;
  ExactCostModel(run.layer, small_l2).CheckLimits(&l2);
  EXPECT_EQ(l2.infeasible, Infeasible::kL2Overflow);
}

// Bandwidth is part of the machine: a starved NoC makes a mapping slower, never infeasible.
TEST(ExactCostModel, BandwidthSlowsButNeverRejects) {
  RefRun run = FirstLegal();
  Hardware narrow = run.hw;
  narrow.noc_bw = 1;
  narrow.offchip_bw = 1;
  narrow.bandwidth_is_hard_limit = true;
  const ExactCostModel model(run.layer, narrow);
  CostResult r = model.Evaluate(run.mapping);
  ASSERT_TRUE(r.ok());
  model.CheckLimits(&r);
  EXPECT_TRUE(r.ok());
  EXPECT_GE(r.runtime_cycles, ExactCostModel(run.layer, run.hw).Evaluate(run.mapping).runtime_cycles);
}

// The hardware's switches reach the machine: without multicast every PE's copy is a transfer
// of its own, so L2 serves at least as many reads and the runtime is no shorter.
TEST(ExactCostModel, MulticastAndReductionSwitchesReachTheMachine) {
  int differ = 0;
  for (const RefRun& run : LoadRuns("exact-model")) {
    SCOPED_TRACE(run.id);
    const CostResult on = ExactCostModel(run.layer, run.hw).Evaluate(run.mapping);
    if (!on.ok()) continue;
    Hardware off_hw = run.hw;
    off_hw.multicast = false;
    off_hw.spatial_reduction = false;
    const CostResult off = ExactCostModel(run.layer, off_hw).Evaluate(run.mapping);
    ASSERT_TRUE(off.ok());
    EXPECT_GE(off.l2_energy_pj, on.l2_energy_pj);
    EXPECT_GE(off.runtime_cycles, on.runtime_cycles);
    EXPECT_EQ(off.l1_energy_pj, on.l1_energy_pj);  // every PE receives its copy either way
    EXPECT_EQ(off.offchip_energy_pj, on.offchip_energy_pj);
    if (off.l2_energy_pj > on.l2_energy_pj) ++differ;
  }
  EXPECT_GT(differ, 0);
}

TEST(ExactCostModel, MalformedMappingIsBadStructure) {
  RefRun run = FirstLegal();
  Mapping bad;  // no SpatialMap at all
  const CostResult r = ExactCostModel(run.layer, run.hw).Evaluate(bad);
  EXPECT_EQ(r.infeasible, Infeasible::kBadStructure);
}

}  // namespace
}  // namespace cadenza
