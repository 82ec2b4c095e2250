// The simulator on cases small enough to count by hand, the multicast and reduction switches
// (against the Python reference simulator's --no-multicast / --no-reduction runtimes), dilation,
// grouped convolutions, and the input errors.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "analyzer/error.h"
#include "importer/maestro_reader.h"
#include "simulator/simulator.h"

namespace cadenza {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

// One layer of type `type` with `dims`, mapped by `dataflow` (directives, one per line).
MaestroModel OneLayer(const std::string& type, const std::string& dims, const std::string& dataflow,
                      const std::string& stride = "") {
  const std::string text = "Network t {\n  Layer l {\n    Type: " + type + "\n" +
                           (stride.empty() ? "" : "    Stride { " + stride + " }\n") +
                           "    Dimensions { " + dims + " }\n    Dataflow {\n" + dataflow +
                           "    }\n  }\n}\n";
  return ParseMaestroModel(text, "test.m");
}

Hardware Hw(int64_t pes, int64_t noc_bw = 1, int64_t offchip_bw = 1, int64_t lanes = 1) {
  Hardware hw;
  hw.num_pes = pes;
  hw.noc_bw = noc_bw;
  hw.offchip_bw = offchip_bw;
  hw.simd_lanes = lanes;
  return hw;
}

SimulationResult Sim(const MaestroModel& m, const Hardware& hw, const SimulatorOptions& o = {}) {
  return Simulate(m.network.layers[0], m.mappings[0], hw, o);
}

std::string ErrorOf(const MaestroModel& m, const Hardware& hw, const SimulatorOptions& o = {}) {
  try {
    Sim(m, hw, o);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

PerTensor<int64_t> T(int64_t input, int64_t weight, int64_t output) {
  return PerTensor<int64_t>{{input, weight, output}};
}

// ------------------------------------------------------------------------------------------------
// Hand-counted cases (each also checked against abstract_sim.py)

// One PE, a 1x1 filter, two output rows, one per step. Step 0 brings input row 0 and the weight
// (delay ceil(2/1) + 1 MAC = 3); step 1 brings input row 1 and sends output 0 up (delay 1); the
// flush sends output 1 (1 cycle). DRAM: top step 0 reads 2 elements before it runs (2 + 3),
// top step 1 reads 1 and writes 1 (1), and the final write-back takes 1: 8 cycles.
TEST(SimulatorHand, OnePeTwoRows) {
  const MaestroModel m = OneLayer("CONV", "K: 1, C: 1, R: 1, S: 1, Y: 2, X: 1",
                                  "      SpatialMap(1,1) Y;\n");
  const SimulationResult r = Sim(m, Hw(1));
  EXPECT_TRUE(r.legal);
  EXPECT_EQ(r.missing_macs, 0);
  EXPECT_EQ(r.extra_macs, 0);
  EXPECT_EQ(r.macs, 2);
  EXPECT_EQ(r.steps, 2);
  EXPECT_EQ(r.top_steps, 2);
  EXPECT_EQ(r.ingress, T(2, 1, 0));
  EXPECT_EQ(r.ingress_unicast, T(2, 1, 0));
  EXPECT_EQ(r.egress, 2);
  EXPECT_EQ(r.egress_unicast, 2);
  EXPECT_EQ(r.l1_elements, 6);  // 2 x (1 input + 1 weight + 1 output)
  EXPECT_EQ(r.l2_elements, 6);
  EXPECT_EQ(r.dram_reads, T(2, 1, 0));
  EXPECT_EQ(r.dram_writes, 2);
  EXPECT_EQ(r.onchip_cycles, 5);
  EXPECT_EQ(r.runtime_cycles, 8);
}

// Two PEs share one input element and take one weight each: multicast sends the input once
// (ingress 3 in the only step: delay 3 + 1), unicast twice (4 + 1). The two outputs are flushed
// (2 cycles). Runtime: 3 DRAM reads + 4 on-chip, the flush 2, the write-back 2.
TEST(SimulatorHand, MulticastSwitch) {
  const MaestroModel m = OneLayer("CONV", "K: 2, C: 1, R: 1, S: 1, Y: 1, X: 1",
                                  "      SpatialMap(1,1) K;\n");
  const SimulationResult on = Sim(m, Hw(2));
  EXPECT_TRUE(on.legal);
  EXPECT_EQ(on.ingress, T(1, 2, 0));
  EXPECT_EQ(on.ingress_unicast, T(2, 2, 0));
  EXPECT_EQ(on.l1_elements, 6);
  EXPECT_EQ(on.l2_elements, 10);
  EXPECT_EQ(on.onchip_cycles, 6);
  EXPECT_EQ(on.runtime_cycles, 11);
  SimulatorOptions unicast;
  unicast.multicast = false;
  const SimulationResult off = Sim(m, Hw(2), unicast);
  EXPECT_EQ(off.onchip_cycles, 7);
  EXPECT_EQ(off.runtime_cycles, 12);
  // The switch changes the delays only; the counts report both forms either way.
  EXPECT_EQ(off.ingress, on.ingress);
  EXPECT_EQ(off.ingress_unicast, on.ingress_unicast);
}

// Two PEs each hold one input channel of the same output: with reduction the partial sums are
// added in the network and the flush carries 1 element, without it 2.
TEST(SimulatorHand, ReductionSwitch) {
  const MaestroModel m = OneLayer("CONV", "K: 1, C: 2, R: 1, S: 1, Y: 1, X: 1",
                                  "      SpatialMap(1,1) C;\n");
  const SimulationResult on = Sim(m, Hw(2));
  EXPECT_TRUE(on.legal);
  EXPECT_EQ(on.egress, 1);
  EXPECT_EQ(on.egress_unicast, 2);
  EXPECT_EQ(on.dram_writes, 1);
  EXPECT_EQ(on.onchip_cycles, 6);
  EXPECT_EQ(on.runtime_cycles, 11);
  SimulatorOptions separate;
  separate.reduction = false;
  const SimulationResult off = Sim(m, Hw(2), separate);
  EXPECT_EQ(off.onchip_cycles, 7);
  EXPECT_EQ(off.runtime_cycles, 12);
  EXPECT_EQ(off.egress, on.egress);
  EXPECT_EQ(off.egress_unicast, on.egress_unicast);
}

// A tile that repeats work, and one that skips it: coverage counts both.
TEST(SimulatorHand, CoverageCountsMissingAndExtraMacs) {
  // Y tiles of 2 rows every row on a 3-row 1x1 layer: rows 0-1, 1-2: row 1 twice.
  const SimulationResult twice = Sim(
      OneLayer("CONV", "K: 1, C: 1, R: 1, S: 1, Y: 3, X: 1", "      SpatialMap(2,1) Y;\n"), Hw(1));
  EXPECT_FALSE(twice.legal);
  EXPECT_EQ(twice.missing_macs, 0);
  EXPECT_EQ(twice.extra_macs, 1);
  EXPECT_EQ(twice.macs, 4);
  // 3x3 filter, Y tiles of 2 rows: no tile holds a whole window, nothing runs.
  const SimulationResult none = Sim(OneLayer("CONV", "K: 1, C: 1, R: 3, S: 1, Y: 4, X: 1",
                                             "      SpatialMap(2,2) Y;\n"),
                                    Hw(1));
  EXPECT_FALSE(none.legal);
  EXPECT_EQ(none.missing_macs, 2 * 3);
  EXPECT_EQ(none.extra_macs, 0);
  EXPECT_EQ(none.steps, 0);
  EXPECT_EQ(none.top_steps, 0);
}

// ------------------------------------------------------------------------------------------------
// The switches on reference cases, against abstract_sim.py --no-multicast / --no-reduction
// (runtime_cycles, onchip_cycles of tests/data/exact-model*/ cases run with those flags).

struct SwitchCase {
  const char* set;
  const char* id;
  int64_t lanes;
  int64_t runtime, onchip;                          // both switches on (the expected JSON's)
  int64_t runtime_unicast, onchip_unicast;          // --no-multicast
  int64_t runtime_no_reduction, onchip_no_reduction;  // --no-reduction
};

TEST(SimulatorSwitches, EqualTheReferenceSimulator) {
  const SwitchCase cases[] = {
      {"exact-model", "e205", 4, 329, 324, 455, 450, 329, 324},
      {"exact-model", "e251", 1, 116, 77, 116, 77, 121, 82},
      {"exact-model", "e198", 1, 384, 38, 384, 38, 386, 40},
      {"exact-model", "e000", 1, 1798, 1769, 1799, 1770, 1798, 1769},
      {"exact-model-kinds", "k116", 4, 1636, 1360, 1636, 1360, 1639, 1363},
  };
  for (const SwitchCase& c : cases) {
    SCOPED_TRACE(c.id);
    const std::string dir = std::string(CADENZA_SOURCE_DIR) + "/tests/data/" + c.set + "/inputs/";
    const MaestroModel m = ReadMaestroModel(dir + "cases/" + c.id + ".m");
    Hardware hw = ReadMaestroHardware(dir + "hw/" + c.id + ".m");
    hw.simd_lanes = c.lanes;
    const SimulationResult on = Sim(m, hw);
    EXPECT_EQ(on.runtime_cycles, c.runtime);
    EXPECT_EQ(on.onchip_cycles, c.onchip);
    SimulatorOptions o;
    o.multicast = false;
    const SimulationResult unicast = Sim(m, hw, o);
    EXPECT_EQ(unicast.runtime_cycles, c.runtime_unicast);
    EXPECT_EQ(unicast.onchip_cycles, c.onchip_unicast);
    o.multicast = true;
    o.reduction = false;
    const SimulationResult separate = Sim(m, hw, o);
    EXPECT_EQ(separate.runtime_cycles, c.runtime_no_reduction);
    EXPECT_EQ(separate.onchip_cycles, c.onchip_no_reduction);
  }
}

// ------------------------------------------------------------------------------------------------
// Dilation

// A 2-tap filter with dilation 2 on 5 rows: Y' = (5 - 2 - 1) / 1 + 1 = 3, output y' reads rows
// y' and y' + 2. One PE, one output row per step: input rows {0,2}, {1,3}, {2,4} (2 new each),
// 2 weights once, outputs sent up at each change and flushed.
TEST(SimulatorDilation, HandCountedOutputRowsPerStep) {
  MaestroModel m = OneLayer("CONV", "K: 1, C: 1, R: 2, S: 1, Y: 5, X: 1",
                            "      SpatialMap(1,1) Y';\n");
  m.network.layers[0].shape.dilation_y = 2;
  const SimulationResult r = Sim(m, Hw(1));
  EXPECT_TRUE(r.legal);
  EXPECT_EQ(r.macs, 6);
  EXPECT_EQ(r.steps, 3);
  EXPECT_EQ(r.top_steps, 3);
  EXPECT_EQ(r.ingress, T(6, 2, 0));
  EXPECT_EQ(r.egress, 3);
  EXPECT_EQ(r.l1_elements, 10);  // 2 x (2 rows + 2 taps + 1 output)
  EXPECT_EQ(r.l2_elements, 10);
  EXPECT_EQ(r.dram_reads, T(6, 2, 0));
  EXPECT_EQ(r.dram_writes, 3);
  // Delays: (4 in + 2 MACs), then max(2 MACs, 2 in, 1 out) twice, flush 1.
  EXPECT_EQ(r.onchip_cycles, 6 + 2 + 2 + 1);
  // DRAM: 4 reads before the first top step, then max(2, 2 reads, 1 write) twice, flush, 1 write.
  EXPECT_EQ(r.runtime_cycles, (4 + 6) + 2 + 2 + 1 + 1);
}

// Window ownership spans the dilated filter: a Y tile needs (R-1)*d+1 = 3 rows to hold a window
// of 2 taps at dilation 2; with 2 rows nothing runs, with 3 every MAC runs once.
TEST(SimulatorDilation, WindowsSpanTheDilatedFilter) {
  MaestroModel narrow = OneLayer("CONV", "K: 1, C: 1, R: 2, S: 1, Y: 5, X: 1",
                                 "      SpatialMap(2,1) Y;\n");
  narrow.network.layers[0].shape.dilation_y = 2;
  const SimulationResult none = Sim(narrow, Hw(4));
  EXPECT_FALSE(none.legal);
  EXPECT_EQ(none.missing_macs, 6);
  MaestroModel wide = OneLayer("CONV", "K: 1, C: 1, R: 2, S: 1, Y: 5, X: 1",
                               "      SpatialMap(3,1) Y;\n");
  wide.network.layers[0].shape.dilation_y = 2;
  const SimulationResult all = Sim(wide, Hw(4));
  EXPECT_TRUE(all.legal);
  EXPECT_EQ(all.macs, 6);
  EXPECT_EQ(all.steps, 1);  // three PEs, one output row each
}

// A dilated, strided layer with every dimension tiled: the MACs executed are the layer's true
// count (analyzer's ExactMacs), and dilation 1 set explicitly changes nothing.
TEST(SimulatorDilation, LegalMappingExecutesTheExactMacCount) {
  const std::string dims = "N: 2, K: 3, C: 2, R: 3, S: 2, Y: 13, X: 9";
  const std::string flow =
      "      TemporalMap(1,1) N;\n      SpatialMap(1,1) K;\n      TemporalMap(2,2) Y';\n"
      "      TemporalMap(2,2) X';\n      Cluster(2, P);\n      SpatialMap(1,1) C;\n"
      "      TemporalMap(1,1) Y';\n      TemporalMap(1,1) X';\n";
  MaestroModel m = OneLayer("CONV", dims, flow, "X: 2, Y: 1");
  const SimulationResult dense = Sim(m, Hw(6, 4, 2, 2));
  LayerShape& shape = m.network.layers[0].shape;
  shape.dilation_y = 1;
  shape.dilation_x = 1;
  const SimulationResult explicit_one = Sim(m, Hw(6, 4, 2, 2));
  EXPECT_EQ(explicit_one.runtime_cycles, dense.runtime_cycles);
  EXPECT_EQ(explicit_one.dram_reads, dense.dram_reads);
  EXPECT_EQ(explicit_one.ingress, dense.ingress);
  shape.dilation_y = 3;
  shape.dilation_x = 2;
  // Y' = (13 - 7) / 1 + 1 = 7, X' = (9 - 3) / 2 + 1 = 4.
  ASSERT_EQ(ExactMacs(OpKind::kConv, shape), 2 * 3 * 2 * 3 * 2 * 7 * 4);
  const SimulationResult dilated = Sim(m, Hw(6, 4, 2, 2));
  EXPECT_TRUE(dilated.legal);
  EXPECT_EQ(dilated.macs, ExactMacs(OpKind::kConv, shape));
  EXPECT_TRUE(dense.legal);
  EXPECT_EQ(dense.macs, 2 * 3 * 2 * 3 * 2 * 11 * 4);
}

// ------------------------------------------------------------------------------------------------
// Grouped convolution (NGCONV): G is in input, weight and output.

// One PE per group: each PE holds its group's C x R x S weights and writes its group's outputs;
// the groups do not share inputs, so multicast saves nothing.
TEST(SimulatorGrouped, GroupsShareNothing) {
  const MaestroModel m = OneLayer("NGCONV", "G: 2, K: 3, C: 2, R: 1, S: 1, Y: 2, X: 2",
                                  "      SpatialMap(1,1) G;\n");
  const SimulationResult r = Sim(m, Hw(2));
  EXPECT_TRUE(r.legal);
  EXPECT_EQ(r.macs, 2 * 3 * 2 * 2 * 2);
  EXPECT_EQ(r.steps, 1);
  EXPECT_EQ(r.ingress, T(2 * 2 * 4, 2 * 3 * 2, 0));
  EXPECT_EQ(r.ingress_unicast, r.ingress);
  EXPECT_EQ(r.egress, 2 * 3 * 4);  // the flush
  EXPECT_EQ(r.l1_elements, 2 * (2 * 4 + 3 * 2 + 3 * 4));
}

// G = 1 is the CONV with the same mapping; a mapping that never names G runs every group in
// every PE and is legal.
TEST(SimulatorGrouped, OneGroupIsTheConv) {
  const std::string flow = "      SpatialMap(1,1) K;\n      TemporalMap(2,2) C;\n"
                           "      TemporalMap(3,1) Y;\n      TemporalMap(2,1) X;\n";
  const SimulationResult conv =
      Sim(OneLayer("CONV", "K: 4, C: 3, R: 3, S: 2, Y: 6, X: 5", flow), Hw(3, 2, 3));
  const SimulationResult grouped =
      Sim(OneLayer("NGCONV", "G: 1, K: 4, C: 3, R: 3, S: 2, Y: 6, X: 5", flow), Hw(3, 2, 3));
  EXPECT_TRUE(conv.legal);
  EXPECT_EQ(grouped.runtime_cycles, conv.runtime_cycles);
  EXPECT_EQ(grouped.ingress, conv.ingress);
  EXPECT_EQ(grouped.dram_reads, conv.dram_reads);
  EXPECT_EQ(grouped.l2_elements, conv.l2_elements);
  const SimulationResult three =
      Sim(OneLayer("NGCONV", "G: 3, K: 4, C: 3, R: 3, S: 2, Y: 6, X: 5", flow), Hw(3, 2, 3));
  EXPECT_TRUE(three.legal);
  EXPECT_EQ(three.macs, 3 * conv.macs);
  EXPECT_EQ(three.dram_reads[Tensor::kFilter], 3 * conv.dram_reads[Tensor::kFilter]);
}

// ------------------------------------------------------------------------------------------------
// Layer kinds

// A DSCONV's K is 1 whatever the file says: a SpatialMap on K gives work to sub-unit 0 only.
TEST(SimulatorKinds, DepthwiseIgnoresK) {
  const MaestroModel m = OneLayer("DSCONV", "K: 1, C: 4, R: 1, S: 1, Y: 2, X: 2",
                                  "      SpatialMap(1,1) K;\n      TemporalMap(1,1) C;\n");
  const SimulationResult r = Sim(m, Hw(4));
  EXPECT_TRUE(r.legal);
  EXPECT_EQ(r.macs, 4 * 4);
  EXPECT_EQ(r.steps, 4);  // one channel per step, on PE 0
  EXPECT_EQ(r.ingress_unicast, r.ingress);
  EXPECT_EQ(r.dram_writes, 4 * 4);  // outputs are per channel: N x C x Y' x X'
}

// A GEMM is the CONV with Y = M, K = N, C = K: A (M x K) is the input, B (K x N) the weight.
TEST(SimulatorKinds, GemmIsTheRenamedConv) {
  const SimulationResult gemm = Sim(
      OneLayer("GEMM", "M: 5, N: 3, K: 4",
               "      SpatialMap(1,1) N;\n      TemporalMap(2,2) K;\n      TemporalMap(2,2) M;\n"),
      Hw(3, 2, 2));
  const SimulationResult conv = Sim(
      OneLayer("CONV", "K: 3, C: 4, R: 1, S: 1, Y: 5, X: 1",
               "      SpatialMap(1,1) K;\n      TemporalMap(2,2) C;\n      TemporalMap(2,2) Y;\n"),
      Hw(3, 2, 2));
  EXPECT_TRUE(gemm.legal);
  EXPECT_EQ(gemm.macs, 5 * 3 * 4);
  EXPECT_EQ(gemm.runtime_cycles, conv.runtime_cycles);
  EXPECT_EQ(gemm.ingress, conv.ingress);
  EXPECT_EQ(gemm.dram_reads, conv.dram_reads);
  EXPECT_EQ(gemm.dram_reads[Tensor::kInput], 5 * 4);   // A read once
  EXPECT_EQ(gemm.dram_reads[Tensor::kFilter], 4 * 3);  // B read once
}

// ------------------------------------------------------------------------------------------------
// Input errors

TEST(SimulatorErrors, LevelWithoutSpatialMap) {
  const MaestroModel m = OneLayer("CONV", "K: 4, C: 1, R: 1, S: 1, Y: 2, X: 2",
                                  "      SpatialMap(1,1) K;\n      Cluster(2, P);\n"
                                  "      TemporalMap(1,1) Y;\n");
  EXPECT_THAT(ErrorOf(m, Hw(4)),
              AllOf(HasSubstr("layer 'l'"), HasSubstr("cluster level 1"),
                    HasSubstr("after Cluster(2)"), HasSubstr("has no SpatialMap")));
}

TEST(SimulatorErrors, ClusterProductExceedsPes) {
  const MaestroModel m = OneLayer("CONV", "K: 4, C: 4, R: 1, S: 1, Y: 2, X: 2",
                                  "      SpatialMap(1,1) K;\n      Cluster(4, P);\n"
                                  "      SpatialMap(1,1) C;\n      Cluster(2, P);\n"
                                  "      SpatialMap(1,1) Y;\n");
  EXPECT_THAT(ErrorOf(m, Hw(6)),
              AllOf(HasSubstr("cluster sizes multiply to more than the 6 PEs"),
                    HasSubstr("Cluster(2, P)")));
  EXPECT_EQ(ErrorOf(m, Hw(8)), "(no error)");
}

TEST(SimulatorErrors, LevelNamesADimensionTwice) {
  const MaestroModel twice = OneLayer("CONV", "K: 4, C: 1, R: 1, S: 1, Y: 2, X: 2",
                                      "      SpatialMap(1,1) K;\n      TemporalMap(2,2) K;\n");
  EXPECT_THAT(ErrorOf(twice, Hw(4)),
              AllOf(HasSubstr("cluster level 0 names K twice"), HasSubstr("SpatialMap(1,1) K"),
                    HasSubstr("TemporalMap(2,2) K")));
  const MaestroModel both = OneLayer("CONV", "K: 4, C: 1, R: 1, S: 1, Y: 2, X: 2",
                                     "      SpatialMap(1,1) Y';\n      TemporalMap(1,1) Y;\n");
  EXPECT_THAT(ErrorOf(both, Hw(4)), HasSubstr("names Y twice"));
  // The same dimension at two levels is fine.
  const MaestroModel levels = OneLayer("CONV", "K: 4, C: 1, R: 1, S: 1, Y: 2, X: 2",
                                       "      SpatialMap(2,2) K;\n      Cluster(2, P);\n"
                                       "      SpatialMap(1,1) K;\n");
  EXPECT_EQ(ErrorOf(levels, Hw(4)), "(no error)");
}

TEST(SimulatorErrors, DirectiveOnADimensionTheKindLacks) {
  MaestroModel gemm = OneLayer("GEMM", "M: 4, N: 4, K: 4", "      SpatialMap(1,1) M;\n");
  Mapping bad;
  bad.Add({DirectiveKind::kSpatialMap, Dim::kM, false, 1, 1});
  bad.Add({DirectiveKind::kTemporalMap, Dim::kC, false, 1, 1});
  gemm.mappings[0] = bad;
  EXPECT_THAT(ErrorOf(gemm, Hw(4)),
              AllOf(HasSubstr("TemporalMap(1,1) C"), HasSubstr("a GEMM does not have"),
                    HasSubstr("M, N, K")));
  MaestroModel conv = OneLayer("CONV", "K: 4, C: 1, R: 1, S: 1, Y: 2, X: 2",
                               "      SpatialMap(1,1) K;\n");
  Mapping group;
  group.Add({DirectiveKind::kSpatialMap, Dim::kG, false, 1, 1});
  conv.mappings[0] = group;
  EXPECT_THAT(ErrorOf(conv, Hw(4)), HasSubstr("maps G, which a CONV layer does not have"));
}

TEST(SimulatorErrors, RefusesLayersBeyondTheLimit) {
  const MaestroModel m = OneLayer("CONV", "K: 64, C: 64, R: 3, S: 3, Y: 66, X: 66",
                                  "      SpatialMap(1,1) K;\n");
  // 64 * 64 * 9 * 64 * 64 = 150,994,944 MACs: over the default limit of 10^8.
  EXPECT_THAT(ErrorOf(m, Hw(4)),
              AllOf(HasSubstr("150994944 MACs"), HasSubstr("at most 100000000")));
  SimulatorOptions small;
  small.max_macs = 10;
  const MaestroModel tiny = OneLayer("CONV", "K: 2, C: 2, R: 1, S: 1, Y: 2, X: 2",
                                     "      SpatialMap(1,1) K;\n");
  EXPECT_THAT(ErrorOf(tiny, Hw(4), small), HasSubstr("16 MACs"));
  small.max_pes = 2;
  small.max_macs = 100;
  EXPECT_THAT(ErrorOf(tiny, Hw(4), small), HasSubstr("uses 4 PEs"));
}

TEST(SimulatorErrors, FilterLargerThanTheInput) {
  MaestroModel m = OneLayer("CONV", "K: 1, C: 1, R: 3, S: 1, Y: 5, X: 1",
                            "      SpatialMap(1,1) K;\n");
  m.network.layers[0].shape.dilation_y = 3;  // spans 7 rows of 5
  EXPECT_THAT(ErrorOf(m, Hw(1)), HasSubstr("larger than the input"));
}

}  // namespace
}  // namespace cadenza
