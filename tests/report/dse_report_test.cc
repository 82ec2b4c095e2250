#include "report/dse_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "report/report.h"
#include "search/dse.h"
#include "search/search.h"
#include "search/templates.h"

namespace cadenza {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

Network TinyNetwork() {
  Layer conv;
  conv.name = "conv<1>";
  conv.op_type = "Conv";
  conv.kind = OpKind::kConv;
  conv.shape.size[Dim::kN] = 1;
  conv.shape.size[Dim::kK] = 16;
  conv.shape.size[Dim::kC] = 8;
  conv.shape.size[Dim::kR] = conv.shape.size[Dim::kS] = 3;
  conv.shape.size[Dim::kY] = conv.shape.size[Dim::kX] = 10;
  conv.exact_macs = ExactMacs(conv.kind, conv.shape);
  Network net;
  net.name = "tiny";
  net.layers = {conv};
  return net;
}

Hardware Point(int64_t pes, int64_t l1, int64_t l2) {
  Hardware hw;
  hw.num_pes = pes;
  hw.l1_size = l1;
  hw.l2_size = l2;
  hw.noc_bw = 16;
  hw.offchip_bw = 8;
  return hw;
}

DesignResult Design(int index, int64_t cycles, double energy_pj, double area_um2, bool feasible,
                    bool pareto, std::string reason = "") {
  DesignResult d;
  d.index = index;
  d.feasible = feasible;
  d.pareto = pareto;
  d.reason = std::move(reason);
  d.totals.runtime_cycles = cycles;
  d.totals.energy_pj = energy_pj;
  d.totals.macs = d.totals.exact_macs = 11'520;
  d.provisioned.area_um2 = area_um2;
  d.provisioned.power_mw = area_um2 / 1000;
  d.required.area_um2 = area_um2 / 2;
  d.required.power_mw = area_um2 / 2000;
  d.objective = energy_pj * static_cast<double>(cycles);
  return d;
}

// Four points: two on the front, one dominated, one over the area budget. Labels and paths
// carry characters that HTML and CSV must escape.
struct Fixture {
  Network network = TinyNetwork();
  std::vector<Hardware> hardware = {Point(16, 512, 65536), Point(32, 512, 65536),
                                    Point(32, 1024, 65536), Point(64, 512, 65536)};
  std::vector<std::string> labels = {"pes=16 <b>&\"x\"", "pes=32, l1=512", "pes=32 l1=1024",
                                     "pes=64"};
  DseResult result;
  DseContext context;

  Fixture() {
    result.objective = Objective::kEdp;
    result.points = {Design(0, 4000, 9e6, 2e6, true, true), Design(1, 2000, 1e7, 3e6, true, true),
                     Design(2, 2500, 1.2e7, 4e6, true, false),
                     Design(3, 1000, 2e7, 9e6, false, false, "area over budget")};
    result.best = 1;
    result.evaluation_groups = 3;
    result.candidates_evaluated = 1234;
    result.distinct_layers = 1;
    context.model_path = "models/net<script>&.m";
    context.model_sha256 = std::string(64, 'a');
    context.date = "2024-05-01T12:00:00Z";
    context.version = "0.1.0";
    context.command_line = "cadenza dse x.m --sweep s.textproto";
    context.sweep_path = "s.textproto";
    context.sweep_text = "num_pes { values: [16, 32, 64] }  # <ok> & \"done\"\n";
    context.area_budget_um2 = 8e6;
    context.max_candidates_per_template = 2000;
    context.explore_seconds = 0.5;
  }

  DseReport Build(bool with_chosen) const {
    std::optional<NetworkReport> chosen;
    if (with_chosen) {
      SearchOptions options;
      options.max_candidates_per_template = 200;
      const SearchResult searched =
          SearchNetwork(network, hardware[1], TemplateLibrary::Builtin(), options);
      ReportContext c;
      c.model_path = context.model_path;
      c.hardware_source = "design point #1";
      chosen = BuildReport(network, searched, hardware[1], c);
    }
    return BuildDseReport(network, result, hardware, labels, std::move(chosen), context);
  }
};

std::string Html(const DseReport& r) {
  std::ostringstream out;
  WriteDseHtml(r, out);
  return out.str();
}

TEST(DseReportTest, BuildGathersCountsFrontAndReasons) {
  const DseReport r = Fixture().Build(false);
  ASSERT_EQ(r.points.size(), 4u);
  EXPECT_EQ(r.feasible, 3);
  EXPECT_EQ(r.pareto, (std::vector<int>{1, 0}));  // by cycles
  ASSERT_EQ(r.infeasible.size(), 1u);
  EXPECT_EQ(r.infeasible[0].reason, "area over budget");
  EXPECT_EQ(r.infeasible[0].points, (std::vector<int>{3}));
  EXPECT_TRUE(r.points[1].best);
  EXPECT_FALSE(r.points[0].best);
  EXPECT_DOUBLE_EQ(r.points[0].runtime_seconds, 4000e-9);
  EXPECT_EQ(r.title, "net<script>&");
}

TEST(DseReportTest, HtmlHasOneParetoRowPerParetoPoint) {
  const std::string html = Html(Fixture().Build(true));
  EXPECT_EQ(Count(html, "<tr data-index="), 2u);
  EXPECT_THAT(html, HasSubstr("<tr data-index=\"1\" class=\"best\">"));
  EXPECT_THAT(html, HasSubstr("<tr data-index=\"0\">"));
  // The scatter: every point plotted, the front outlined, the chosen design ringed.
  EXPECT_EQ(Count(html, "<circle class=\"pt"), 4u);
  EXPECT_EQ(Count(html, "<circle class=\"pt pf\""), 2u);
  EXPECT_EQ(Count(html, "<circle class=\"pt off\""), 1u);
  EXPECT_THAT(html, HasSubstr("id=\"chosen-marker\""));
  // The infeasible point by reason, and the chosen design's per-layer view of the search report.
  EXPECT_THAT(html, HasSubstr("<tr><td>area over budget</td><td class=\"num\">1</td>"));
  EXPECT_THAT(html, HasSubstr("id=\"layer-table\""));
  EXPECT_THAT(html, HasSubstr("<section id=\"baselines\">"));
  EXPECT_EQ(Count(html, "<tr data-layer="), 1u);
}

TEST(DseReportTest, HtmlIsSelfContained) {
  const std::string html = Html(Fixture().Build(true));
  EXPECT_THAT(html, Not(HasSubstr("http:")));
  EXPECT_THAT(html, Not(HasSubstr("https:")));
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("@import")));
  EXPECT_THAT(html, Not(HasSubstr("url(http")));
  // Every href is a fragment or a data: URL.
  const std::regex href("href=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), href); it != std::sregex_iterator();
       ++it) {
    const std::string target = (*it)[1];
    EXPECT_TRUE(target.starts_with("#") || target.starts_with("data:")) << target;
  }
  EXPECT_THAT(html, HasSubstr("<style>"));
  EXPECT_THAT(html, HasSubstr("<svg class=\"scatter\""));
  EXPECT_THAT(html, HasSubstr("@media print"));
}

TEST(DseReportTest, HtmlEscapesLabelsPathsAndSweepText) {
  const std::string html = Html(Fixture().Build(true));
  EXPECT_THAT(html, Not(HasSubstr("net<script>")));
  EXPECT_THAT(html, Not(HasSubstr("<b>&")));
  EXPECT_THAT(html, HasSubstr("net&lt;script&gt;&amp;"));
  EXPECT_THAT(html, HasSubstr("pes=16 &lt;b&gt;&amp;&quot;x&quot;"));
  EXPECT_THAT(html, HasSubstr("# &lt;ok&gt; &amp; &quot;done&quot;"));
  EXPECT_THAT(html, HasSubstr("conv&lt;1&gt;"));
  EXPECT_EQ(Count(html, "<script>"), 1u);  // the sorting script only
}

TEST(DseReportTest, HtmlWithoutAFeasiblePointSaysSo) {
  Fixture f;
  for (DesignResult& d : f.result.points) {
    d.feasible = d.pareto = false;
    d.reason = "power over budget";
  }
  f.result.best = -1;
  const DseReport r = f.Build(false);
  const std::string html = Html(r);
  EXPECT_EQ(Count(html, "<tr data-index="), 0u);
  EXPECT_THAT(html, HasSubstr("No design point is feasible"));
  EXPECT_THAT(html, Not(HasSubstr("id=\"layer-table\"")));
  EXPECT_THAT(html, HasSubstr("<tr><td>power over budget</td><td class=\"num\">4</td>"));
}

TEST(DseReportTest, JsonHasEveryPointTheFrontAndTheChosenDesign) {
  std::ostringstream out;
  WriteDseJson(Fixture().Build(true), out);
  const std::string json = out.str();
  EXPECT_THAT(json, HasSubstr("\"schema_version\": " + std::to_string(kDseSchemaVersion)));
  EXPECT_THAT(json, HasSubstr("\"document\": \"dse\""));
  // Every point carries the whole hardware object of the search report (schema 2), so there is
  // no separate base_hardware, and an unlimited capacity is null, never MAESTRO's INT_MAX.
  EXPECT_EQ(kDseSchemaVersion, 2);
  EXPECT_THAT(json, Not(HasSubstr("base_hardware")));
  EXPECT_EQ(Count(json, "\"access_energy_pj\": {"), 4u);
  EXPECT_EQ(Count(json, "\"noc_latency_cycles\": 1,"), 4u);
  EXPECT_THAT(json, HasSubstr("\"l1_bytes\": 1024,"));
  EXPECT_THAT(json, Not(HasSubstr("2147483647")));
  EXPECT_EQ(Count(json, "\"label\": "), 5u);  // four points and the chosen design
  EXPECT_THAT(json, ContainsRegex("\"pareto\": \\[\n *1,\n *0\n *\\]"));
  EXPECT_THAT(json, HasSubstr("\"label\": \"pes=16 <b>&\\\"x\\\"\""));
  EXPECT_THAT(json, HasSubstr("\"area_um2\": 8e+06"));
  EXPECT_THAT(json, HasSubstr("\"power_mw\": null"));
  EXPECT_THAT(json, HasSubstr("\"reason\": \"area over budget\""));
  EXPECT_THAT(json, HasSubstr("\"chosen\": {"));
  EXPECT_THAT(json, HasSubstr("\"best\": 1"));
}

TEST(DseReportTest, JsonWithoutAChosenDesignHasNull) {
  Fixture f;
  f.result.best = -1;
  std::ostringstream out;
  WriteDseJson(f.Build(false), out);
  EXPECT_THAT(out.str(), HasSubstr("\"chosen\": null"));
  EXPECT_THAT(out.str(), HasSubstr("\"best\": null"));
}

TEST(DseReportTest, CsvHasOneRowPerPointWithQuoting) {
  std::ostringstream out;
  WriteDseCsv(Fixture().Build(false), out);
  const std::string csv = out.str();
  EXPECT_EQ(Count(csv, "\n"), 5u);
  EXPECT_THAT(csv, HasSubstr("\n0,\"pes=16 <b>&\"\"x\"\"\",16,1,512,65536,16,8,1,,1,0,4000,"));
  EXPECT_THAT(csv, HasSubstr("\n1,\"pes=32, l1=512\",32,1,"));
  EXPECT_THAT(csv, HasSubstr("\n3,pes=64,64,1,512,65536,16,8,0,area over budget,0,0,1000,"));
}

TEST(DseReportTest, TextListsTheFrontAndTheChosenDesign) {
  std::ostringstream out;
  WriteDseText(Fixture().Build(false), out);
  const std::string text = out.str();
  EXPECT_THAT(text, HasSubstr("4 design points, objective edp"));
  EXPECT_THAT(text, HasSubstr("feasible: 3 of 4; Pareto front (latency, energy, provisioned "
                              "area): 2 points"));
  EXPECT_THAT(text, HasSubstr("infeasible: 1 point: area over budget"));
  EXPECT_THAT(text, HasSubstr("chosen design (#1, lowest edp): pes=32, l1=512"));
  EXPECT_THAT(text, ContainsRegex("\n +1 +32 +1 +512 +65,536 +16 +8 +2,000 .*\\*\n"));
  EXPECT_THAT(text, ContainsRegex("\n +0 +16 +1 +512 +65,536 +16 +8 +4,000 .* W\n"));
}

TEST(DseReportTest, TextCountsOfOneAreSingular) {
  Fixture f;
  f.result.evaluation_groups = 1;
  std::ostringstream out;
  WriteDseText(f.Build(false), out);
  EXPECT_THAT(out.str(), HasSubstr(": 1 layer (1 distinct), 4 design points"));
  EXPECT_THAT(out.str(), HasSubstr("\n1 evaluation group (points"));
}

// "Power" is the network's energy over its latency, so the three figures agree; MAESTRO's
// formula is shown as the peak it is. Unbounded resources are named where area and power show.
TEST(DseReportTest, PowerIsEnergyOverLatencyAndUnboundedResourcesAreNamed) {
  Fixture f;
  f.result.points[1].area_power_excludes = {"NoC bandwidth"};
  const DseReport r = f.Build(false);
  const DsePointReport& best = r.points[1];
  // 1e7 pJ over 2000 cycles at 1 GHz: 1e-5 J / 2e-6 s = 5 W.
  EXPECT_DOUBLE_EQ(best.average_power_mw, 5000);
  EXPECT_NE(best.average_power_mw, best.result.provisioned.power_mw);
  std::ostringstream text;
  WriteDseText(r, text);
  EXPECT_THAT(text.str(), HasSubstr("  power 5.00 W (energy / latency)\n"));
  EXPECT_THAT(text.str(), HasSubstr("provisioned (excluding the unbounded NoC bandwidth): area "));
  EXPECT_THAT(text.str(), HasSubstr("peak power"));
  std::ostringstream json;
  WriteDseJson(r, json);
  EXPECT_THAT(json.str(), ContainsRegex("\"average_power_mw\": ?5000"));
  EXPECT_THAT(json.str(), ContainsRegex("\"area_power_excludes\": ?\\[\\s*\"NoC bandwidth\""));
  std::ostringstream csv;
  WriteDseCsv(r, csv);
  EXPECT_THAT(csv.str(), HasSubstr(",average_power_mw,area_power_excludes\n"));
  EXPECT_THAT(csv.str(), HasSubstr(",5000,NoC bandwidth\n"));
  std::ostringstream html;
  WriteDseHtml(r, html);
  EXPECT_THAT(html.str(), HasSubstr("id=\"best-power\" data-value=\"5000\""));
}

// A narrow energy range once gave two y ticks reading "1.66 mJ", and the rightmost x tick
// ("5.00 ms") was cut off by the edge of the plot.
TEST(DseReportTest, ScatterTickLabelsAreDistinctAndInside) {
  Fixture f;
  f.result.points = {Design(0, 4'500'000, 1.655e9, 2e6, true, true),
                     Design(1, 4'800'000, 1.66e9, 3e6, true, false),
                     Design(2, 5'000'000, 1.665e9, 4e6, true, false),
                     Design(3, 4'900'000, 1.6625e9, 9e6, true, false)};
  f.result.best = 0;
  std::ostringstream out;
  WriteDseHtml(f.Build(false), out);
  const std::string html = out.str();
  std::smatch box;
  ASSERT_TRUE(std::regex_search(html, box, std::regex("class=\"scatter\"[^>]*viewBox=\"0 0 ([0-9]+) ")));
  const double width = std::stod(box[1].str());
  const std::regex tick("<text class=\"tick\" x=\"([0-9.]+)\" y=\"[0-9.]+\" text-anchor=\"(\\w+)\">([^<]*)</text>");
  std::vector<std::string> x_labels, y_labels;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), tick); it != std::sregex_iterator(); ++it) {
    const std::string label = (*it)[3].str();
    if ((*it)[2].str() == "middle") {
      x_labels.push_back(label);
      // About 7 px per character of the 11 px tick text, half on each side of x.
      EXPECT_LE(std::stod((*it)[1].str()) + 3.5 * static_cast<double>(label.size()), width) << label;
    } else {
      y_labels.push_back(label);
    }
  }
  ASSERT_GE(y_labels.size(), 3u) << html;
  ASSERT_GE(x_labels.size(), 3u);
  for (const std::vector<std::string>* labels : {&x_labels, &y_labels}) {
    std::vector<std::string> sorted = *labels;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end())
        << ::testing::PrintToString(*labels);
  }
  EXPECT_THAT(html, HasSubstr(">5.00 ms</text>"));
}

TEST(DseReportTest, FormatsAreaAndPower) {
  EXPECT_EQ(FormatArea(58.2e6), "58.2 mm\u00b2");
  EXPECT_EQ(FormatArea(512'000), "0.512 mm\u00b2");
  EXPECT_EQ(FormatArea(1.2345e9), "1,235 mm\u00b2");
  EXPECT_EQ(FormatPower(456), "456 mW");
  EXPECT_EQ(FormatPower(1234), "1.23 W");
}

// The per-layer view and every real exploration agree: BuildDseReport keeps the numbers of
// ExploreDesigns.
TEST(DseReportTest, KeepsTheExplorationsNumbers) {
  Fixture f;
  DseOptions options;
  options.search.max_candidates_per_template = 200;
  options.search.threads = 1;
  const DseResult result = ExploreDesigns(f.network, f.hardware, TemplateLibrary::Builtin(), options);
  const DseReport r = BuildDseReport(f.network, result, f.hardware, f.labels, std::nullopt, f.context);
  ASSERT_EQ(r.points.size(), result.points.size());
  for (size_t i = 0; i < r.points.size(); ++i) {
    EXPECT_EQ(r.points[i].result.totals.runtime_cycles, result.points[i].totals.runtime_cycles);
    EXPECT_EQ(r.points[i].result.provisioned.area_um2, result.points[i].provisioned.area_um2);
    EXPECT_EQ(r.points[i].best, static_cast<int>(i) == result.best);
  }
}

}  // namespace
}  // namespace cadenza
