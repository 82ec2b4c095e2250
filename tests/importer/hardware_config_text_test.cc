#include "importer/hardware_config_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "importer/hardware_config.h"
#include "tests/support/paths.h"

namespace cadenza {
namespace {

// Every hardware reads back as itself: the presets, and one with per-level NoCs, unlimited
// buffers and energies that need all their digits.
TEST(HardwareConfigTextTest, ReadsBackAsTheSameHardware) {
  for (const char* preset : {"default", "edge_like", "eyeriss_like"}) {
    const Hardware hw =
        ReadHardwareFile(test::SourcePath(std::string("models/hw/") + preset + ".textproto"));
    EXPECT_EQ(ParseHardwareConfig(HardwareConfigText(hw), preset), hw) << preset;
  }
  Hardware hw;
  hw.num_pes = 12;
  hw.simd_lanes = 4;
  hw.l2_size = int64_t{1} << 34;
  hw.noc_bw = 48;
  hw.noc_levels[1] = {.bw = 6, .latency = 0};
  hw.noc_levels[2] = {.bw = 0, .latency = 3};
  hw.clock_ghz = 0.7;
  hw.energy.l1_pj = 1.0 / 3;
  hw.bytes_per_element[Tensor::kOutput] = 4;
  hw.bandwidth_is_hard_limit = true;
  hw.multicast = false;
  const std::string text = HardwareConfigText(hw);
  EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("l1_bytes")));  // unlimited
  EXPECT_THAT(text, ::testing::HasSubstr("noc { bandwidth: 48 latency: 1 level { } level { "
                                         "bandwidth: 6 latency: 0 } level { latency: 3 } }\n"));
  EXPECT_EQ(ParseHardwareConfig(text, "written"), hw);
}

}  // namespace
}  // namespace cadenza
