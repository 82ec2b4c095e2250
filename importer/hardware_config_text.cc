#include "importer/hardware_config_text.h"

#include <cstdio>
#include <cstdlib>

namespace cadenza {

namespace {

// The shortest form that reads back as the same double.
std::string Real(double v) {
  char text[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(text, sizeof text, "%.*g", precision, v);
    if (std::strtod(text, nullptr) == v) break;
  }
  return text;
}

}  // namespace

std::string HardwareConfigText(const Hardware& hw) {
  std::string text = "num_pes: " + std::to_string(hw.num_pes) + "\n";
  text += "simd_lanes: " + std::to_string(hw.simd_lanes) + "\n";
  if (!Hardware::IsUnlimited(hw.l1_size)) text += "l1_bytes: " + std::to_string(hw.l1_size) + "\n";
  if (!Hardware::IsUnlimited(hw.l2_size)) text += "l2_bytes: " + std::to_string(hw.l2_size) + "\n";
  text += "bytes_per_element { input: " + std::to_string(hw.bytes_per_element[Tensor::kInput]) +
          " filter: " + std::to_string(hw.bytes_per_element[Tensor::kFilter]) +
          " output: " + std::to_string(hw.bytes_per_element[Tensor::kOutput]) + " }\n";
  text += "noc {";
  if (!Hardware::IsUnlimited(hw.noc_bw)) text += " bandwidth: " + std::to_string(hw.noc_bw);
  text += " latency: " + std::to_string(hw.noc_latency);
  // Levels up to the last one that says anything; the ones before it keep their place.
  int levels = 0;
  for (int i = 0; i < kMaxNocLevels; ++i) {
    if (hw.noc_levels[static_cast<size_t>(i)] != NocLevel{}) levels = i + 1;
  }
  for (int i = 0; i < levels; ++i) {
    const NocLevel& level = hw.noc_levels[static_cast<size_t>(i)];
    text += " level {";
    if (level.bw > 0) text += " bandwidth: " + std::to_string(level.bw);
    if (level.latency >= 0) text += " latency: " + std::to_string(level.latency);
    text += " }";
  }
  text += " }\n";
  if (!Hardware::IsUnlimited(hw.offchip_bw)) {
    text += "offchip_bandwidth: " + std::to_string(hw.offchip_bw) + "\n";
  }
  text += "clock_ghz: " + Real(hw.clock_ghz) + "\n";
  text += "energy { mac_pj: " + Real(hw.energy.mac_pj) + " l1_pj: " + Real(hw.energy.l1_pj) +
          " l2_pj: " + Real(hw.energy.l2_pj) + " dram_pj: " + Real(hw.energy.offchip_pj) + " }\n";
  text += std::string("bandwidth_is_hard_limit: ") +
          (hw.bandwidth_is_hard_limit ? "true" : "false") + "\n";
  text += std::string("multicast: ") + (hw.multicast ? "true" : "false") + "\n";
  text += std::string("spatial_reduction: ") + (hw.spatial_reduction ? "true" : "false") + "\n";
  return text;
}

}  // namespace cadenza
