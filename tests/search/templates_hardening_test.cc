// Template inputs that once hung or crashed the template code (found by fuzzing and review).

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "analyzer/error.h"
#include "search/templates.h"

namespace cadenza {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

TemplateLibrary ParseOne(const std::string& params, const std::string& dataflow) {
  return TemplateLibrary::Parse(
      "Template t {\n  Kinds GEMM;\n" + params + "  Dataflow {\n" + dataflow + "  }\n}\n",
      "t.tmpl");
}

ExprContext Context(const LayerShape& shape, const ParamValues& values) {
  return ExprContext{.shape = &shape, .num_pes = 16, .params = &values};
}

TEST(TemplateHardeningTest, DivisionOfTheSmallestNumberByMinusOneIsAnOverflow) {
  // (0 - 2^63 + 1 - 1) / (0 - 1): INT64_MIN / -1, which traps on x86.
  const TemplateLibrary lib =
      ParseOne("  Param A values((0-9223372036854775807-1)/(0-1), 4);\n",
               "    SpatialMap(A,A) K;\n");
  LayerShape shape;
  const ParamValues values{};
  EXPECT_THAT(lib.templates()[0].params[0].Values(Context(shape, values)), ElementsAre());
}

TEST(TemplateHardeningTest, DivisorsOfLargeNumbersAreQuick) {
  const TemplateLibrary lib = ParseOne(
      "  Param A divisors(9223372036854775783);\n"  // the largest prime below 2^63
      "  Param B divisors(9223372036854775807);\n"  // 7^2 * 73 * 127 * 337 * 92737 * 649657
      "  Param C divisors(4611686014132420609) min 3;\n",  // (2^31 - 1)^2
      "    SpatialMap(A,A) K;\n    TemporalMap(B,B) M;\n    TemporalMap(C,C) N;\n");
  LayerShape shape;
  const ParamValues values{};
  const auto start = std::chrono::steady_clock::now();
  const auto& params = lib.templates()[0].params;
  EXPECT_THAT(params[0].Values(Context(shape, values)),
              ElementsAre(1, int64_t{9223372036854775783}));
  EXPECT_EQ(params[1].Values(Context(shape, values)).size(), 96u);
  EXPECT_THAT(params[2].Values(Context(shape, values)),
              ElementsAre(2147483647, int64_t{4611686014132420609}));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

TEST(TemplateHardeningTest, DivisorsKeepTheirOrderAndFilters) {
  const TemplateLibrary lib = ParseOne("  Param A divisors(720) min 5 max 40;\n",
                                       "    SpatialMap(A,A) K;\n");
  LayerShape shape;
  const ParamValues values{};
  EXPECT_THAT(lib.templates()[0].params[0].Values(Context(shape, values), 6),
              ElementsAre(5, 6, 8, 9, 10, 12));
}

TEST(TemplateHardeningTest, RangeWithAHighMinimumStartsThere) {
  const TemplateLibrary lib =
      ParseOne("  Param A range(1, 4611686018427387904, 3) min 4611686018427387000;\n",
               "    SpatialMap(A,A) K;\n");
  LayerShape shape;
  const ParamValues values{};
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(lib.templates()[0].params[0].Values(Context(shape, values), 3),
              ElementsAre(int64_t{4611686018427387001}, int64_t{4611686018427387004},
                          int64_t{4611686018427387007}));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

TEST(TemplateHardeningTest, DeeplyNestedParenthesesAreAnErrorNotAStackOverflow) {
  const std::string deep = std::string(100000, '(') + "1" + std::string(100000, ')');
  EXPECT_THAT([&] { ParseOne("  Param A values(" + deep + ");\n", "    SpatialMap(A,A) K;\n"); },
              ThrowsMessage<InputError>(
                  AllOf(HasSubstr("t.tmpl:3:"), HasSubstr("parentheses nested more than 32 deep"))));
  // 32 levels are fine.
  const std::string ok = std::string(32, '(') + "2" + std::string(32, ')');
  const TemplateLibrary lib = ParseOne("  Param A values(" + ok + ");\n", "    SpatialMap(A,A) K;\n");
  LayerShape shape;
  const ParamValues values{};
  EXPECT_THAT(lib.templates()[0].params[0].Values(Context(shape, values)), ElementsAre(2));
}

}  // namespace
}  // namespace cadenza
