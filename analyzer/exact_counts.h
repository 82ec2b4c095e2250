#pragma once
// What the exact model counts for one mapping (docs/exact-model.md). Its own header so that a
// CostResult can carry the counts without depending on the model.

#include <cstdint>

#include "analyzer/dims.h"

namespace cadenza {

/// Every count of the machine. Ingress and egress are at the PE level (the last cluster level).
/// The counts are filled for illegal mappings too, but mean little there.
struct ExactCounts {
  bool legal = false;         // every MAC of the layer executed exactly once
  int64_t missing_macs = 0;   // MACs never executed
  int64_t extra_macs = 0;     // sum over MACs executed more than once of (times - 1)

  int64_t macs = 0;
  int64_t runtime_cycles = 0;
  int64_t onchip_cycles = 0;
  int64_t steps = 0;          // global steps (idle ones elided)
  int64_t top_steps = 0;      // level-0 steps that produced at least one global step

  PerTensor<int64_t> ingress{};          // union over PEs per step; output = partial-sum reads
  PerTensor<int64_t> ingress_unicast{};  // summed over PEs
  int64_t egress = 0;                    // union over PEs per step, final flush included
  int64_t egress_unicast = 0;            // summed over PEs, final flush included

  int64_t l1_elements = 0;               // 2 x sum over tensors of l1_max
  int64_t l2_elements = 0;               // 2 x sum over tensors of l2_max
  PerTensor<int64_t> l1_max{};           // largest PE tile of each tensor
  PerTensor<int64_t> l2_max{};           // largest outer (L2) tile of each tensor

  PerTensor<int64_t> dram_reads{};       // output: read-backs of outputs written before
  int64_t dram_writes = 0;               // final write-back included

  // How the counts were computed, not what the machine did: top steps whose counts were taken
  // from an earlier top step of the same class (docs/exact-model.md) instead of being walked.
  int64_t class_top_steps = 0;
  // ... of which from classes whose PEs last worked more than one top step before (an edge tile
  // that leaves some PEs idle in between).
  int64_t window_top_steps = 0;
  // Global steps of walked top steps taken from the step before them (the same PEs, each moved
  // by the shift that moved that step from its own predecessor) instead of being walked.
  int64_t class_steps = 0;
  // Top steps in whole blocks of an outer level-0 loop taken as translates of the block before
  // (docs/exact-model.md, "Runs of outer loops") instead of being visited one by one.
  int64_t block_top_steps = 0;
  // Global steps of walked top steps in whole blocks of a level-1 loop taken the same way.
  int64_t block_steps = 0;

  friend bool operator==(const ExactCounts&, const ExactCounts&) = default;
};

}  // namespace cadenza
