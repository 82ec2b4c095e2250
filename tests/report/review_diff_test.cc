// cadenza diff's core: reading review JSON back, matching layers, and what the comparison says.

#include "report/review_diff.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "analyzer/error.h"
#include "analyzer/hardware.h"
#include "analyzer/layer.h"
#include "report/report.h"
#include "search/search.h"
#include "search/templates.h"

namespace cadenza {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::ThrowsMessage;

Layer Conv(std::string name, int64_t k, int64_t c, int64_t yx) {
  Layer layer;
  layer.name = std::move(name);
  layer.op_type = "Conv";
  layer.kind = OpKind::kConv;
  for (const auto& [d, size] : {std::pair{Dim::kN, int64_t{1}}, {Dim::kK, k}, {Dim::kC, c},
                                {Dim::kY, yx}, {Dim::kX, yx}, {Dim::kR, int64_t{3}},
                                {Dim::kS, int64_t{3}}}) {
    layer.shape.size[d] = size;
  }
  layer.exact_macs = ExactMacs(layer.kind, layer.shape);
  return layer;
}

Network TwoConvs() {
  Network net;
  net.name = "twoconv";
  net.source_path = "twoconv.onnx";
  net.layers = {Conv("a", 16, 8, 10), Conv("b", 32, 16, 12)};
  return net;
}

// The review JSON `cadenza search --json` writes for `net` on `hw`.
std::string ReviewJson(const Network& net, const Hardware& hw, Objective objective) {
  SearchOptions options;
  options.objective = objective;
  options.threads = 1;
  options.max_candidates_per_template = 200;
  const SearchResult result = SearchNetwork(net, hw, TemplateLibrary::Builtin(), options);
  ReportContext context;
  context.model_path = net.source_path;
  context.version = "test";
  context.hardware_source = "test hardware";
  std::ostringstream json;
  WriteJson(BuildReport(net, result, hw, context), json);
  return json.str();
}

Hardware Pes(int64_t pes) {
  Hardware hw;
  hw.num_pes = pes;
  hw.noc_bw = 64;
  hw.offchip_bw = 32;
  return hw;
}

TEST(ReviewDiffTest, ReadsWhatTheSearchReportWrites) {
  const Network net = TwoConvs();
  const ReviewSummary s = ReadReviewJson(ReviewJson(net, Pes(64), Objective::kEdp), "a.json");
  EXPECT_EQ(s.network, "twoconv");
  EXPECT_EQ(s.objective, "edp");
  EXPECT_EQ(s.cost_model, "maestro");  // a review without the field predates the choice
  EXPECT_THAT(s.hardware, HasSubstr("64 PEs"));
  ASSERT_EQ(s.layers.size(), 2u);
  EXPECT_EQ(s.layers[0].name, "a");
  EXPECT_EQ(s.layers[1].dims, "N=1 K=32 C=16 Y=12 X=12 R=3 S=3");
  EXPECT_TRUE(s.layers[0].found);
  EXPECT_FALSE(s.layers[0].dataflow.empty());
  EXPECT_GT(s.layers[0].runtime_cycles, 0);
  EXPECT_EQ(s.runtime_cycles, s.layers[0].runtime_cycles + s.layers[1].runtime_cycles);
}

TEST(ReviewDiffTest, SameReviewTwiceHasNoDifferences) {
  const std::string json = ReviewJson(TwoConvs(), Pes(64), Objective::kEdp);
  const ReviewSummary a = ReadReviewJson(json, "a.json");
  const ReviewSummary b = ReadReviewJson(json, "b.json");
  const ReviewDiff diff = DiffReviews(a, b);
  EXPECT_TRUE(diff.setting_changes.empty());
  EXPECT_EQ(diff.common, 2);
  EXPECT_EQ(diff.dataflow_changes, 0);
  std::ostringstream text;
  WriteDiffText(diff, text);
  EXPECT_THAT(text.str(), HasSubstr("same network, hardware, objective, cost model and version"));
  EXPECT_THAT(text.str(), HasSubstr("every layer has the same dataflow, cycles and energy"));
  EXPECT_THAT(text.str(), HasSubstr("+0.0%"));
}

TEST(ReviewDiffTest, OtherHardwareShowsTheSettingAndTheDeltas) {
  const Network net = TwoConvs();
  const ReviewSummary a = ReadReviewJson(ReviewJson(net, Pes(16), Objective::kLatency), "a.json");
  const ReviewSummary b = ReadReviewJson(ReviewJson(net, Pes(256), Objective::kLatency), "b.json");
  const ReviewDiff diff = DiffReviews(a, b);
  ASSERT_EQ(diff.setting_changes.size(), 1u);
  EXPECT_THAT(diff.setting_changes[0], AllOf(HasSubstr("hardware: 16 PEs"), HasSubstr("256 PEs")));
  std::ostringstream text;
  WriteDiffText(diff, text);
  // 16x the PEs is faster: the cycles change is negative and printed with its sign.
  const auto change = RelativeChange(static_cast<double>(a.runtime_cycles),
                                     static_cast<double>(b.runtime_cycles));
  ASSERT_TRUE(change.has_value());
  EXPECT_LT(*change, 0);
  EXPECT_THAT(text.str(), HasSubstr("totals (the whole network)"));
  EXPECT_THAT(text.str(), HasSubstr("layers that differ"));
  std::ostringstream html;
  WriteDiffHtml(diff, html);
  EXPECT_THAT(html.str(), HasSubstr("Content-Security-Policy"));
  EXPECT_THAT(html.str(), HasSubstr("<table id=\"diff-table\""));
  EXPECT_THAT(html.str(), HasSubstr("num better"));
  EXPECT_THAT(html.str(), Not(HasSubstr("http://")));
  EXPECT_THAT(html.str(), Not(HasSubstr("https://")));
}

TEST(ReviewDiffTest, LayersInOneReviewOnlyAreListedAndTotalsCompareOverTheCommonOnes) {
  Network small = TwoConvs();
  Network larger = TwoConvs();
  larger.layers.push_back(Conv("c", 8, 8, 8));
  small.layers[1].name = "b_renamed";
  const ReviewSummary a = ReadReviewJson(ReviewJson(small, Pes(64), Objective::kEdp), "a.json");
  const ReviewSummary b = ReadReviewJson(ReviewJson(larger, Pes(64), Objective::kEdp), "b.json");
  const ReviewDiff diff = DiffReviews(a, b);
  EXPECT_EQ(diff.common, 1);
  EXPECT_EQ(diff.only_a, 1);
  EXPECT_EQ(diff.only_b, 2);
  ASSERT_EQ(diff.layers.size(), 4u);
  EXPECT_EQ(diff.layers[1].name, "b_renamed");
  EXPECT_EQ(diff.layers[1].b, nullptr);
  EXPECT_EQ(diff.layers[3].name, "c");
  EXPECT_EQ(diff.layers[3].a, nullptr);
  std::ostringstream text;
  WriteDiffText(diff, text);
  EXPECT_THAT(text.str(), HasSubstr("totals over the 1 layer both reviews map"));
  EXPECT_THAT(text.str(), HasSubstr("(absent)"));
  std::ostringstream html;
  WriteDiffHtml(diff, html);
  EXPECT_THAT(html.str(), HasSubstr("id=\"totals-scope\""));
}

TEST(ReviewDiffTest, BadDocumentsAreNamedErrors) {
  EXPECT_THAT([] { ReadReviewJson("{not json", "x.json"); },
              ThrowsMessage<InputError>(AllOf(HasSubstr("x.json"), HasSubstr("not a JSON document"))));
  EXPECT_THAT([] { ReadReviewJson(R"({"tool": "other"})", "x.json"); },
              ThrowsMessage<InputError>(HasSubstr("not a Cadenza review")));
  EXPECT_THAT([] { ReadReviewJson(R"({"tool": "cadenza", "points": []})", "dse.json"); },
              ThrowsMessage<InputError>(HasSubstr("a design-space exploration report")));
  EXPECT_THAT([] { ReadReviewJson(R"({"tool": "cadenza", "layers": [], "schema_version": "1"})",
                                  "x.json"); },
              ThrowsMessage<InputError>(HasSubstr("schema_version is not an integer")));
  std::string json = ReviewJson(TwoConvs(), Pes(64), Objective::kEdp);
  const size_t at = json.find("\"runtime_cycles\"", json.find("\"layers\": ["));
  ASSERT_NE(at, std::string::npos);
  json.replace(at, 16, "\"runtime_cyclez\"");
  EXPECT_THAT([&] { ReadReviewJson(json, "x.json"); },
              ThrowsMessage<InputError>(HasSubstr("layers[0] has no \"runtime_cycles\"")));
}

}  // namespace
}  // namespace cadenza
