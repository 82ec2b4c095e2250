#pragma once
// The accelerator a layer is evaluated on.

#include <array>
#include <cstdint>
#include <limits>

#include "analyzer/dims.h"

namespace cadenza {

/// Per-access energies, in pJ. Defaults reproduce MAESTRO's CSV energy: 0.23 pJ per MAC, an L1
/// access 1.68 MACs, an L2 access 18.61 MACs. Off-chip access energy is ours (MAESTRO has none).
struct AccessEnergy {
  double mac_pj = 0.23;
  double l1_pj = 0.23 * 1.68;
  double l2_pj = 0.23 * 18.61;
  double offchip_pj = 0.23 * 200.0;
  friend bool operator==(const AccessEnergy&, const AccessEnergy&) = default;
};

/// NoC of one cluster level (0 = top). Zero / negative values mean "as Hardware::noc_bw /
/// noc_latency", which is what MAESTRO does at every level.
struct NocLevel {
  int64_t bw = 0;
  int64_t latency = -1;
  friend bool operator==(const NocLevel&, const NocLevel&) = default;
};
inline constexpr int kMaxNocLevels = 8;

/// Hardware parameters. Bandwidths are in elements/cycle, as in MAESTRO's hardware files;
/// capacities are in bytes, which with the default 1 byte per element are MAESTRO's element
/// counts. The defaults are MAESTRO's defaults for keys absent from a hardware file.
struct Hardware {
  static constexpr int64_t kUnlimited = std::numeric_limits<int32_t>::max();  // MAESTRO's INT_MAX
  /// Whether a capacity or bandwidth is "no limit". Only kUnlimited itself is: larger values
  /// are real limits (the configuration allows up to 2^40 bytes, e.g. a 4 GiB L2).
  static constexpr bool IsUnlimited(int64_t value) { return value == kUnlimited; }

  int64_t num_pes = 1;
  int64_t simd_lanes = 1;            // MACs per PE per cycle
  int64_t l1_size = kUnlimited;      // bytes per PE
  int64_t l2_size = kUnlimited;      // bytes, shared
  int64_t noc_bw = kUnlimited;       // every cluster level unless noc_levels says otherwise
  int64_t offchip_bw = kUnlimited;
  int64_t noc_latency = 1;           // cycles per NoC transfer (MAESTRO's NoC_NumHops)
  // Cadenza's richer configuration (the MAESTRO-compatible columns ignore all but noc_levels,
  // which MAESTRO files never set).
  std::array<NocLevel, kMaxNocLevels> noc_levels{};
  double clock_ghz = 1.0;
  PerTensor<int64_t> bytes_per_element{{1, 1, 1}};
  bool bandwidth_is_hard_limit = false;  // search treats NoC/off-chip bandwidth as a constraint
  // The exact model's machine (docs/exact-model.md): one L2->PE transfer serves every PE that
  // needs an element, and partial sums of one output sent up together are added on the way.
  // The MAESTRO-compatible model ignores both.
  bool multicast = true;
  bool spatial_reduction = true;
  AccessEnergy energy;

  int64_t NocBandwidth(int level) const {
    const int64_t bw = level < kMaxNocLevels ? noc_levels[static_cast<size_t>(level)].bw : 0;
    return bw > 0 ? bw : noc_bw;
  }
  int64_t NocLatency(int level) const {
    const int64_t lat = level < kMaxNocLevels ? noc_levels[static_cast<size_t>(level)].latency : -1;
    return lat >= 0 ? lat : noc_latency;
  }
  friend bool operator==(const Hardware&, const Hardware&) = default;
};

}  // namespace cadenza
