// A dilated ONNX model through every command that loads it: `layers` lists each dilated conv as
// one layer; `search` gives the exact model that layer and the MAESTRO-compatible model its
// undilated phases (tests/data/good/make_good_onnx.py, dilated_conv.onnx: a conv with dilation
// 2 and a batch of 2, 36,864 MACs, then one with dilation 3 and stride 2, 9,216 MACs).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/cadenza_run.h"
#include "tests/support/files.h"
#include "tests/support/paths.h"

namespace cadenza::test {
namespace {

using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kDilated = SourcePath("tests/data/good/dilated_conv.onnx");

TEST(DilatedModelTest, LayersListsEachDilatedConvOnOneLine) {
  const RunResult table = RunCadenza({"layers", kDilated});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, ContainsRegex("dilated +Conv +CONV +N2 K8 C4 Y12 X12 R3 S3 +1x1 +"
                                       "2,2,2,2 +2x2 +1 +36,864"));
  EXPECT_THAT(table.out, ContainsRegex("dilated_strided +Conv +CONV +N2 K4 C8 Y14 X14 R3 S3 +"
                                       "2x2 +3,3,3,3 +3x3 +1 +9,216"));
  EXPECT_THAT(table.out, Not(HasSubstr("/phase")));
  EXPECT_THAT(table.out, HasSubstr("2 MAC nodes, 2 analyzer layers (5 for the MAESTRO-compatible "
                                   "model, which takes a dilated conv as its undilated phases), "
                                   "46,080 MACs"));

  const RunResult json = RunCadenza({"layers", kDilated, "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(CountOf(json.out, "\"cadenza_layers\""), 2u);
  EXPECT_THAT(json.out, HasSubstr("\"dilation\": [\n            3,\n            3\n          ]"));
}

TEST(DilatedModelTest, ExactModelSearchesTheLayersAsTheyAre) {
  const TempDir dir;
  const RunResult run = RunCadenza({"search", kDilated, "--model", "exact", "--threads", "2",
                                    "--compare-models", "--json", dir.Path("r.json")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("dilated_conv: 2 layers on 256 PEs"));
  EXPECT_THAT(run.out, Not(HasSubstr("/phase")));
  const std::string json = ReadFile(dir.Path("r.json"));
  // The chosen mappings execute every MAC once: the model's count is the layers'.
  EXPECT_THAT(json, HasSubstr("\"macs\": 46080,\n    \"exact_macs\": 46080"));
  EXPECT_THAT(json, HasSubstr("\"exact_macs\": 36864"));
  EXPECT_THAT(json, HasSubstr("\"exact_macs\": 9216"));
  // --compare-models: the MAESTRO-compatible model has no dilation, so it does not evaluate a
  // mapping of the whole dilated layer; each row says so instead of giving a wrong figure.
  EXPECT_EQ(CountOf(json, "the MAESTRO-compatible model has no dilation"), 2u);
  EXPECT_THAT(json, HasSubstr("dilation 3x3: the MAESTRO-compatible model has no dilation"));
}

TEST(DilatedModelTest, MaestroModelSearchesTheUndilatedPhases) {
  const TempDir dir;
  const RunResult run = RunCadenza({"search", kDilated, "--model", "maestro", "--threads", "2",
                                    "--compare-models", "--json", dir.Path("r.json")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, AllOf(HasSubstr("dilated_conv: 5 layers on 256 PEs"),
                             HasSubstr("dilated_strided/phase3")));
  const std::string json = ReadFile(dir.Path("r.json"));
  EXPECT_THAT(json, HasSubstr("\"cost_model\": \"maestro\""));
  EXPECT_EQ(CountOf(json, "\"name\": \"dilated_strided/phase"), 4u * 2);  // layer + comparison
  // The same products as the dilated layers: the true count is unchanged.
  EXPECT_THAT(json, HasSubstr("\"exact_macs\": 46080"));
  // Both models take the undilated phases, so every one is compared.
  EXPECT_THAT(json, Not(HasSubstr("has no dilation")));
}

TEST(DilatedModelTest, DseGivesTheMaestroModelThePhases) {
  const TempDir dir;
  const RunResult run =
      RunCadenza({"dse", kDilated, "--model", "maestro", "--sweep",
                  SourcePath("tests/data/good/dse_sweep_small.textproto"), "--threads", "2",
                  "--json", dir.Path("d.json")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string json = ReadFile(dir.Path("d.json"));
  // The chosen design's report: the dilated layer (4 instances of one phase shape) and the
  // dilated strided layer's 4 phases.
  EXPECT_EQ(CountOf(json, "\"name\": \"dilated\""), 1u);
  EXPECT_EQ(CountOf(json, "\"name\": \"dilated_strided/phase"), 4u);
}

}  // namespace
}  // namespace cadenza::test
