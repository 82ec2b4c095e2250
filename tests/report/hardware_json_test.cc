// The one JSON form of a Hardware (report/hardware_json.h) and the documents that carry it.

#include "report/hardware_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "report/eval_writers.h"

namespace cadenza {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Fields(const Hardware& hw) {
  std::ostringstream out;
  JsonWriter json(out);
  json.BeginObject();
  WriteHardwareFields(json, hw);
  json.EndObject();
  return out.str();
}

Hardware Limited() {
  Hardware hw;
  hw.num_pes = 64;
  hw.simd_lanes = 2;
  hw.l1_size = 512;
  hw.l2_size = 65536;
  hw.noc_bw = 32;
  hw.noc_latency = 3;
  hw.offchip_bw = 16;
  hw.clock_ghz = 0.5;
  hw.bytes_per_element[Tensor::kFilter] = 2;
  hw.bandwidth_is_hard_limit = true;
  hw.energy.mac_pj = 0.25;
  hw.energy.l1_pj = 0.5;
  hw.energy.l2_pj = 4;
  hw.energy.offchip_pj = 64;
  return hw;
}

TEST(HardwareJsonTest, EveryFieldInTheDocumentedOrder) {
  EXPECT_EQ(Fields(Limited()),
            "{\n"
            "  \"num_pes\": 64,\n"
            "  \"simd_lanes\": 2,\n"
            "  \"l1_bytes\": 512,\n"
            "  \"l2_bytes\": 65536,\n"
            "  \"noc_bw_per_cycle\": 32,\n"
            "  \"noc_latency_cycles\": 3,\n"
            "  \"offchip_bw_per_cycle\": 16,\n"
            "  \"clock_ghz\": 0.5,\n"
            "  \"bytes_per_element\": {\n"
            "    \"input\": 1,\n"
            "    \"filter\": 2,\n"
            "    \"output\": 1\n"
            "  },\n"
            "  \"bandwidth_is_hard_limit\": true,\n"
            "  \"access_energy_pj\": {\n"
            "    \"mac\": 0.25,\n"
            "    \"l1\": 0.5,\n"
            "    \"l2\": 4,\n"
            "    \"offchip\": 64\n"
            "  }\n"
            "}\n");
}

TEST(HardwareJsonTest, UnlimitedIsNullNeverIntMax) {
  const std::string json = Fields(Hardware{});  // every capacity and bandwidth unlimited
  for (const char* key : {"l1_bytes", "l2_bytes", "noc_bw_per_cycle", "offchip_bw_per_cycle"}) {
    EXPECT_THAT(json, HasSubstr("\"" + std::string(key) + "\": null")) << key;
  }
  EXPECT_THAT(json, Not(HasSubstr("2147483647")));
  // One below the sentinel is a real (if large) capacity.
  Hardware large;
  large.l2_size = Hardware::kUnlimited - 1;
  EXPECT_THAT(Fields(large), HasSubstr("\"l2_bytes\": 2147483646"));
}

TEST(HardwareJsonTest, EvalDocumentUsesTheSameForm) {
  EvalReport report;
  report.version = "9.9.9";
  report.network = "net";
  report.hardware = Limited();
  report.hardware.l2_size = Hardware::kUnlimited;
  std::ostringstream out;
  WriteEvalJson(report, out);
  const std::string json = out.str();
  EXPECT_THAT(json, HasSubstr("\"hardware\": {\n    \"num_pes\": 64,\n    \"simd_lanes\": 2,\n"
                              "    \"l1_bytes\": 512,\n    \"l2_bytes\": null,\n"));
  EXPECT_THAT(json, HasSubstr("\"access_energy_pj\": {\n      \"mac\": 0.25,"));
  EXPECT_THAT(json, Not(HasSubstr("l1_size_bytes")));
  EXPECT_THAT(json, Not(HasSubstr("2147483647")));
}

}  // namespace
}  // namespace cadenza
