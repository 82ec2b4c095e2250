#pragma once
// What one evaluation of (layer, mapping, hardware) yields: every statistic of MAESTRO's CSV,
// plus Cadenza's own, or the reason the mapping cannot be evaluated.

#include <cstdint>
#include <optional>
#include <string_view>

#include "analyzer/dims.h"
#include "analyzer/exact_counts.h"

namespace cadenza {

/// Why a mapping gives no result. "Doesn't fit" is a value, not an exception.
enum class Infeasible : uint8_t {
  kNone,
  kBadStructure,         // a level without a SpatialMap or with more than two, a dimension the
                         // layer does not have, TemporalMap on R/S not covering the filter
  kClusterExceedsPEs,    // product of Cluster sizes > PEs (MAESTRO: SIGFPE)
  kUndefinedReuse,       // a temporal loop advances over a tile it never moved (MAESTRO: exit 255)
  kEmptySubCluster,      // a cluster level whose every iteration has no work (MAESTRO: SIGFPE)
  kZeroPartialSums,      // no iteration computes anything (MAESTRO: runtime 0, NaN)
  kNegativeCounts,       // tiles smaller than the filter give negative counts (MAESTRO: garbage)
  kL1Overflow,           // per-PE L1 need exceeds the hardware's L1
  kL2Overflow,           // L2 need exceeds the hardware's L2
  kNocBandwidth,         // NoC bandwidth need exceeds the hardware's, when that is a hard limit
  kOffchipBandwidth,     // off-chip bandwidth need exceeds the hardware's, when a hard limit
  kIncompleteCoverage,   // the model counts fewer MACs than the layer has: work is skipped
  kCountOverflow,        // a count exceeds 64 bits (absurdly large layer or tiles)
  kCoverage,             // exact model: some MAC of the layer is never executed, or executed twice
};
inline constexpr int kNumInfeasible = 14;
/// A short stable name, e.g. "l1-overflow".
std::string_view InfeasibleName(Infeasible reason);
/// A sentence for users, e.g. "the product of the Cluster sizes exceeds the number of PEs".
std::string_view InfeasibleExplanation(Infeasible reason);

/// Per-tensor buffer access counts (elements).
struct TensorAccesses {
  int64_t l1_read = 0;
  int64_t l1_write = 0;
  int64_t l2_read = 0;
  int64_t l2_write = 0;
  friend bool operator==(const TensorAccesses&, const TensorAccesses&) = default;
};

/// Minimum / maximum / occurrence-weighted average of a per-iteration delay, in cycles.
struct DelayStats {
  int64_t min = 0;
  int64_t max = 0;
  int64_t avg = 0;
  friend bool operator==(const DelayStats&, const DelayStats&) = default;
};

/// Area (um^2) and power (mW) of an accelerator by MAESTRO's model (docs/cost-model.md 3.9).
struct AreaPower {
  double area_um2 = 0;
  double power_mw = 0;
  double pe_power_mw = 0, l1_power_mw = 0, l2_power_mw = 0, noc_power_mw = 0;
  friend bool operator==(const AreaPower&, const AreaPower&) = default;
};

struct CostResult {
  Infeasible infeasible = Infeasible::kNone;
  int infeasible_directive = -1;  // index into the Mapping of the directive at fault, or -1

  // MAESTRO-compatible statistics (same definitions as its CSV, docs/cost-model.md 4).
  int64_t runtime_cycles = 0;
  int64_t macs = 0;                  // the model's count (differs from the true one if strided)
  double energy_nj = 0;              // CSV formula with the layer's own L1 counts
  double throughput_macs_per_cycle = 0;
  AreaPower area_power;              // with the L1 and L2 sizes this mapping requires
  int64_t noc_bw_peak_per_cycle = 0;
  double noc_bw_avg_per_cycle = 0;
  int64_t offchip_bw_per_cycle = 0;
  int64_t l2_size_elements = 0;      // shared, double-buffered
  int64_t l1_size_elements = 0;      // per PE, double-buffered
  PerTensor<int64_t> l2_size_per_tensor{};  // the parts of l2_size_elements
  PerTensor<int64_t> l1_size_per_tensor{};  // the parts of l1_size_elements
  int64_t input_elements = 0;        // product of the declared dims coupled to the input
  int64_t filter_elements = 0;
  PerTensor<TensorAccesses> accesses{};
  DelayStats ingress_cycles, egress_cycles, compute_cycles;
  double avg_utilized_pes = 0;
  double arithmetic_intensity = 0;

  // Cadenza's own.
  double mac_energy_pj = 0;          // macs * mac energy
  double l1_energy_pj = 0;           // all L1 accesses
  double l2_energy_pj = 0;           // L2 reads and writes of input and filter, output writes
  double offchip_energy_pj = 0;      // whole tensors once from/to DRAM (a lower bound)
  double total_energy_pj() const { return mac_energy_pj + l1_energy_pj + l2_energy_pj + offchip_energy_pj; }
  int64_t exact_macs = 0;            // the layer's true MACs (one instance), for comparison
  double utilization = 0;            // exact_macs / (num_pes * simd_lanes * runtime)
  // The exact model's counts (docs/exact-model.md), when the exact model produced this result.
  std::optional<ExactCounts> exact;

  bool ok() const { return infeasible == Infeasible::kNone; }
  friend bool operator==(const CostResult&, const CostResult&) = default;
};

}  // namespace cadenza
