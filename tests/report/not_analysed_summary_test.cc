// NotAnalysedSummary: the one sentence the search summary, the HTML summary and --strict give
// about MAC nodes left out of a network.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "report/report.h"

namespace cadenza {
namespace {

ReportSkippedNode Node(const std::string& name, int64_t macs) {
  return {name, "Conv", "control flow: inside a Loop body", macs};
}

TEST(NotAnalysedSummaryTest, EmptyWhenNothingIsLeftOut) {
  EXPECT_EQ(NotAnalysedSummary(1000, {}), "");
}

TEST(NotAnalysedSummaryTest, ShareOfTheModelsMacs) {
  // 250 of 750 + 250 MACs.
  EXPECT_EQ(NotAnalysedSummary(750, {Node("a", 100), Node("b", 150)}),
            "2 MAC nodes not analysed, 25.0% of the model's MACs: a (Conv), b (Conv)");
}

TEST(NotAnalysedSummaryTest, UnknownCountsMakeTheShareALowerBound) {
  EXPECT_EQ(NotAnalysedSummary(900, {Node("a", 100), Node("b", -1)}),
            "2 MAC nodes not analysed, at least 10.0% of the model's MACs: a (Conv), b (Conv)");
  EXPECT_EQ(NotAnalysedSummary(900, {Node("b", -1)}),
            "1 MAC node not analysed (MAC count unknown): b (Conv)");
}

TEST(NotAnalysedSummaryTest, NamesTheFirstFive) {
  std::vector<ReportSkippedNode> nodes;
  for (int i = 0; i < 7; ++i) nodes.push_back(Node("n" + std::to_string(i), 10));
  EXPECT_EQ(NotAnalysedSummary(30, nodes),
            "7 MAC nodes not analysed, 70.0% of the model's MACs: n0 (Conv), n1 (Conv), "
            "n2 (Conv), n3 (Conv), n4 (Conv), ... and 2 more");
}

}  // namespace
}  // namespace cadenza
