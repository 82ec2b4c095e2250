#pragma once
// The accelerator a layer is evaluated on.

#include <cstdint>
#include <limits>

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

/// Hardware parameters. Sizes are in elements and bandwidths in elements/cycle, as in MAESTRO's
/// hardware files; the defaults are that file format's defaults for absent keys.
struct Hardware {
  static constexpr int64_t kUnlimited = std::numeric_limits<int32_t>::max();  // MAESTRO's INT_MAX

  int64_t num_pes = 1;
  int64_t simd_lanes = 1;            // MACs per PE per cycle
  int64_t l1_size = kUnlimited;      // per PE
  int64_t l2_size = kUnlimited;      // shared
  int64_t noc_bw = kUnlimited;       // per cluster level
  int64_t offchip_bw = kUnlimited;
  int64_t noc_latency = 1;           // cycles per NoC transfer (MAESTRO's NoC_NumHops)
  // Cadenza's richer configuration (ignored by the MAESTRO-compatible columns).
  double clock_ghz = 1.0;
  int64_t bytes_per_element = 1;
  bool bandwidth_is_hard_limit = false;  // search treats NoC/off-chip bandwidth as a constraint
  AccessEnergy energy;
  friend bool operator==(const Hardware&, const Hardware&) = default;
};

}  // namespace cadenza
