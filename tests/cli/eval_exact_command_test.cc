// `cadenza eval --model exact` on every run of the exact-model reference sets, as a user would
// run it: the JSON's "exact" object equals the reference counts field for field, and an illegal
// mapping exits 1 naming the layer, "coverage" and the missing/extra MACs, writing no file.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/support/cadenza_run.h"
#include "tests/support/exact_reference.h"
#include "tests/support/files.h"

namespace cadenza::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string WithoutSpace(std::string text) {
  text.erase(std::remove_if(text.begin(), text.end(),
                            [](unsigned char c) { return std::isspace(c) != 0; }),
             text.end());
  return text;
}

// The object after `"key":` in whitespace-free JSON, braces balanced.
std::string ObjectAt(const std::string& json, const std::string& key) {
  const size_t at = json.find("\"" + key + "\":{");
  if (at == std::string::npos) return "";
  const size_t begin = at + key.size() + 3;
  int depth = 0;
  for (size_t i = begin; i < json.size(); ++i) {
    if (json[i] == '{') ++depth;
    if (json[i] == '}' && --depth == 0) return json.substr(begin, i - begin + 1);
  }
  return "";
}

class EvalExactCommand : public ::testing::TestWithParam<const char*> {};

TEST_P(EvalExactCommand, WritesTheReferenceCountsOrACoverageError) {
  int legal = 0, illegal = 0;
  for (const ExactReferenceRun& run : ExactReferenceRuns(GetParam())) {
    SCOPED_TRACE(run.id);
    TempDir dir;
    const std::string json = dir.Path("out.json");
    const RunResult o = RunCadenza({"eval", "--model", "exact", "--mapping", run.CasePath(), "--hw",
                                    run.HwPath(), "--simd-lanes", std::to_string(run.simd_lanes),
                                    "--json", json});
    const std::map<std::string, int64_t> expected = FlattenJsonIntegers(ReadFile(run.ExpectedPath()));
    if (expected.at("legal") == 0) {
      ++illegal;
      EXPECT_EQ(o.exit_code, 1) << o.err;
      EXPECT_THAT(o.err, HasSubstr(": layer '" + run.id + "': coverage: " +
                                   std::to_string(expected.at("missing_macs")) + " MACs missing, " +
                                   std::to_string(expected.at("extra_macs")) + " extra"));
      EXPECT_THAT(dir.Files(), IsEmpty());
      continue;
    }
    ++legal;
    ASSERT_EQ(o.exit_code, 0) << o.err;
    // The reference file without its "legal" flag, in its order.
    std::string reference = WithoutSpace(ReadFile(run.ExpectedPath()));
    const std::string flag = "\"legal\":true,";
    ASSERT_NE(reference.find(flag), std::string::npos);
    reference.erase(reference.find(flag), flag.size());
    const std::string doc = WithoutSpace(ReadFile(json));
    EXPECT_THAT(doc, HasSubstr("\"cost_model\":\"exact\""));
    EXPECT_EQ(ObjectAt(doc, "exact"), reference);
  }
  EXPECT_GT(legal, 0);
  EXPECT_GT(illegal, 0);
}

INSTANTIATE_TEST_SUITE_P(Sets, EvalExactCommand, ::testing::Values("exact-model", "exact-model-kinds"));

}  // namespace
}  // namespace cadenza::test
