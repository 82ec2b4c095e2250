// The worked examples of docs/exact-model.md ("Where the MAESTRO model departs, by class"), run as
// the page tells a reader to run them: `cadenza eval` of examples/exact-model/classes.m under both
// models. Every figure the page's table quotes is checked here, so the page cannot drift from
// what the tool prints; each check is one class of difference between the two models.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/cadenza_run.h"
#include "tests/support/files.h"
#include "tests/support/paths.h"

namespace cadenza::test {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using json = nlohmann::json;

json Evaluate(const std::string& model) {
  TempDir dir;
  const std::string out = dir.Path("out.json");
  const RunResult run =
      RunCadenza({"eval", "--model", model, "--mapping", SourcePath("examples/exact-model/classes.m"),
                  "--hw", SourcePath("examples/exact-model/hw64.m"), "--json", out});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  if (run.exit_code != 0) return json::object();
  const json doc = json::parse(ReadFile(out));
  EXPECT_EQ(doc.at("cost_model"), model);
  json layers = json::object();
  for (const json& layer : doc.at("layers")) layers[layer.at("name").get<std::string>()] = layer;
  return layers;
}

class ExactModelExamples : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    maestro_ = new json(Evaluate("maestro"));
    exact_ = new json(Evaluate("exact"));
  }
  static void TearDownTestSuite() {
    delete maestro_;
    delete exact_;
  }
  static const json& Maestro(const std::string& layer) { return maestro_->at(layer); }
  static const json& Exact(const std::string& layer) { return exact_->at(layer); }
  static const json& Counts(const std::string& layer) { return exact_->at(layer).at("exact"); }

 private:
  static json* maestro_;
  static json* exact_;
};

json* ExactModelExamples::maestro_ = nullptr;
json* ExactModelExamples::exact_ = nullptr;

TEST_F(ExactModelExamples, StrideInflatesOnlyTheMaestroMacCount) {
  EXPECT_EQ(Maestro("strided").at("macs"), 64512);
  EXPECT_EQ(Maestro("strided").at("exact_macs"), 36864);
  EXPECT_EQ(Counts("strided").at("macs"), 36864);
  EXPECT_EQ(Maestro("strided").at("runtime_cycles"), 4032);
  EXPECT_EQ(Exact("strided").at("runtime_cycles"), 2720);
}

TEST_F(ExactModelExamples, L1CountsOutputsInOutputCoordinates) {
  EXPECT_EQ(Maestro("strided").at("l1_size_per_tensor").at("output"), 72);
  EXPECT_EQ(Exact("strided").at("l1_size_per_tensor").at("output"), 8);
  EXPECT_EQ(Maestro("multicast").at("l1_size_elements"), 54);
  EXPECT_EQ(Counts("multicast").at("l1_elements"), 38);
}

TEST_F(ExactModelExamples, OutputsGoUpOnlyWhenTheirTileMoves) {
  EXPECT_EQ(Maestro("outputs").at("accesses").at("output").at("l2_write"), 30720);
  EXPECT_EQ(Counts("outputs").at("egress"), 1024);  // 16 PEs x one 8x8 plane each
  EXPECT_EQ(Counts("outputs").at("egress_unicast"), 1024);
  EXPECT_EQ(Maestro("outputs").at("runtime_cycles"), 15360);
  EXPECT_EQ(Counts("outputs").at("runtime_cycles"), 2618);
}

TEST_F(ExactModelExamples, MulticastIsTheUnionAndUnicastTheSum) {
  EXPECT_EQ(Maestro("multicast").at("accesses").at("input").at("l2_read"), 49080);
  EXPECT_EQ(Counts("multicast").at("ingress").at("input"), 20736);
  EXPECT_EQ(Counts("multicast").at("ingress_unicast").at("input"), 55296);
}

TEST_F(ExactModelExamples, OffChipTrafficFollowsTheOuterTile) {
  // MAESTRO charges each tensor once; the exact machine re-fetches what the outer loops revisit.
  EXPECT_NEAR(Maestro("multicast").at("offchip_energy_pj").get<double>(), 239936, 0.5);
  EXPECT_NEAR(Exact("multicast").at("offchip_energy_pj").get<double>(), 2393472, 0.5);
  EXPECT_EQ(Counts("multicast").at("dram_reads").at("input"), 8 * 2592);  // 8 x the tensor
  EXPECT_EQ(Counts("multicast").at("dram_reads").at("output"), 14336);
  EXPECT_NEAR(Maestro("tiled_channels").at("offchip_energy_pj").get<double>(), 827264, 0.5);
  EXPECT_NEAR(Exact("tiled_channels").at("offchip_energy_pj").get<double>(), 3485696, 0.5);
  // 8,192 outputs written after each of 4 channel tiles, read back after the first three.
  EXPECT_EQ(Counts("tiled_channels").at("dram_writes"), 4 * 8192);
  EXPECT_EQ(Counts("tiled_channels").at("dram_reads").at("output"), 3 * 8192);
}

TEST_F(ExactModelExamples, InnerLevelsCarryTheirTilesAcrossOuterSteps) {
  EXPECT_EQ(Counts("tiled_channels").at("top_steps"), 128);
  EXPECT_EQ(Maestro("tiled_channels").at("runtime_cycles"), 128 * 360);
  EXPECT_EQ(Counts("tiled_channels").at("runtime_cycles"), 24523);
}

TEST(ExactModelIllegalExample, MaestroCountsExtraMacsTheExactModelRefuses) {
  TempDir dir;
  const std::string mapping = SourcePath("examples/exact-model/illegal.m");
  const std::string hw = SourcePath("examples/exact-model/hw64.m");
  const std::string maestro_out = dir.Path("maestro.json");
  const RunResult maestro =
      RunCadenza({"eval", "--mapping", mapping, "--hw", hw, "--json", maestro_out});
  ASSERT_EQ(maestro.exit_code, 0) << maestro.err;
  const json layer = json::parse(ReadFile(maestro_out)).at("layers").at(0);
  EXPECT_EQ(layer.at("macs"), 69120);
  EXPECT_EQ(layer.at("exact_macs"), 36864);

  TempDir exact_dir;
  const RunResult exact = RunCadenza({"eval", "--model", "exact", "--mapping", mapping, "--hw", hw,
                                      "--json", exact_dir.Path("exact.json")});
  EXPECT_EQ(exact.exit_code, 1);
  EXPECT_THAT(exact.err, HasSubstr("layer 'overlapping': coverage: 0 MACs missing, 32256 extra"));
  EXPECT_THAT(exact_dir.Files(), IsEmpty());
}

}  // namespace
}  // namespace cadenza::test
