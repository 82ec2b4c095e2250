// BuildReport's figures and the HTML, JSON, CSV and text writers on a small searched network,
// and the golden JSON of that network (tests/golden/report_small.json; refresh it with
// tests/golden/approve.sh after a deliberate change).

#include "report/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "analyzer/hardware.h"
#include "analyzer/layer.h"
#include "search/search.h"
#include "search/templates.h"

namespace cadenza {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A small fixed network and accelerator: every layer kind the built-in templates have forms for,
// a repeated shape, a strided layer, and names that need escaping.

Layer MakeLayer(std::string name, std::string op_type, OpKind kind,
                       std::initializer_list<std::pair<Dim, int64_t>> dims, int64_t stride = 1) {
  Layer layer;
  layer.name = std::move(name);
  layer.op_type = std::move(op_type);
  layer.kind = kind;
  for (const auto& [d, size] : dims) layer.shape.size[d] = size;
  layer.shape.stride_y = layer.shape.stride_x = stride;
  layer.exact_macs = ExactMacs(kind, layer.shape);
  return layer;
}

Network SmallNetwork() {
  Network net;
  net.name = "small";
  net.source_path = "small.onnx";
  net.layers.push_back(MakeLayer("<conv&1>", "Conv", OpKind::kConv,
                                 {{Dim::kN, 1}, {Dim::kK, 16}, {Dim::kC, 8}, {Dim::kY, 10},
                                  {Dim::kX, 10}, {Dim::kR, 3}, {Dim::kS, 3}}));
  net.layers.push_back(MakeLayer("conv, \"2\"", "Conv", OpKind::kConv,
                                 {{Dim::kN, 1}, {Dim::kK, 16}, {Dim::kC, 8}, {Dim::kY, 10},
                                  {Dim::kX, 10}, {Dim::kR, 3}, {Dim::kS, 3}}));
  net.layers.push_back(MakeLayer("dw", "Conv", OpKind::kDepthwiseConv,
                                 {{Dim::kN, 1}, {Dim::kC, 16}, {Dim::kY, 9}, {Dim::kX, 9},
                                  {Dim::kR, 3}, {Dim::kS, 3}},
                                 2));
  net.layers.push_back(
      MakeLayer("fc", "Gemm", OpKind::kGemm, {{Dim::kM, 4}, {Dim::kN, 32}, {Dim::kK, 64}}));
  return net;
}

Hardware SmallHardware() {
  Hardware hw;
  hw.num_pes = 16;
  hw.l1_size = 256;
  hw.l2_size = 16 * 1024;
  hw.noc_bw = 8;
  hw.offchip_bw = 4;
  hw.clock_ghz = 0.5;
  return hw;
}

SearchOptions SmallSearch() {
  SearchOptions options;
  options.objective = Objective::kEdp;
  options.threads = 2;
  options.max_candidates_per_template = 60;
  return options;
}

// Fixed stand-ins for what changes from run to run.
ReportContext SmallContext() {
  ReportContext context;
  context.model_path = "models/small.onnx";
  context.model_sha256 = "SHA256";
  context.date = "DATE";
  context.version = "VERSION";
  context.command_line = "cadenza search models/small.onnx --json small.json";
  context.hardware_source = "test hardware";
  context.hardware_text = "num_pes: 16\n";
  context.warnings = {"an importer warning"};
  context.skipped = {{"loop_matmul", "MatMul", "control flow: inside a Loop body"}};
  context.other_ops = {{"Relu", 3}};
  return context;
}

NetworkReport SmallReport(const Hardware& hw = SmallHardware()) {
  const Network net = SmallNetwork();
  const SearchResult result = SearchNetwork(net, hw, TemplateLibrary::Builtin(), SmallSearch());
  return BuildReport(net, result, hw, SmallContext());
}

template <typename Writer>
std::string Render(const NetworkReport& report, Writer write) {
  std::ostringstream out;
  write(report, out);
  return out.str();
}

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

class ReportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { report_ = new NetworkReport(SmallReport()); }
  static void TearDownTestSuite() { delete report_; }
  static const NetworkReport& report() { return *report_; }

 private:
  static NetworkReport* report_;
};
NetworkReport* ReportTest::report_ = nullptr;

TEST_F(ReportTest, LayersAddUpToTheTotals) {
  const NetworkReport& r = report();
  ASSERT_EQ(r.layers.size(), 4u);
  int64_t cycles = 0;
  double energy = 0, parts = 0;
  for (const LayerReport& l : r.layers) {
    ASSERT_TRUE(l.found) << l.name << ": " << l.note;
    cycles += l.runtime_cycles;
    energy += l.energy_pj;
    parts += l.mac_energy_pj + l.l1_energy_pj + l.l2_energy_pj + l.offchip_energy_pj;
  }
  EXPECT_EQ(cycles, r.totals.runtime_cycles);
  EXPECT_DOUBLE_EQ(energy, r.totals.energy_pj);
  EXPECT_DOUBLE_EQ(parts, r.totals.energy_pj);
  EXPECT_DOUBLE_EQ(r.mac_energy_pj + r.l1_energy_pj + r.l2_energy_pj + r.offchip_energy_pj,
                   r.totals.energy_pj);
  EXPECT_DOUBLE_EQ(r.runtime_seconds, static_cast<double>(cycles) / 0.5e9);
  EXPECT_EQ(r.distinct_layers, 3);
  EXPECT_EQ(r.title, "small");
}

TEST_F(ReportTest, RepeatedShapeSharesItsRepresentativesChoice) {
  const LayerReport& first = report().layers[0];
  const LayerReport& second = report().layers[1];
  EXPECT_EQ(second.representative, 0);
  EXPECT_EQ(second.dataflow, first.dataflow);
  EXPECT_EQ(second.params, first.params);
  EXPECT_EQ(second.runtime_cycles, first.runtime_cycles);
}

TEST_F(ReportTest, RunnerUpIsAnotherFamilyNoBetterThanTheChoice) {
  for (const LayerReport& l : report().layers) {
    if (!l.has_runner_up) continue;
    EXPECT_NE(l.runner_up, l.dataflow) << l.name;
    EXPECT_GE(l.runner_up_margin, 0) << l.name;
    for (const ReportFamily& f : l.families) {
      if (f.found) {
        EXPECT_GE(f.objective, l.objective) << l.name << " " << f.family;
      }
    }
  }
}

// The report carries the parameters as data: the names of a template of the chosen family, in
// its order, with values the enumeration can give (>= 1).
TEST_F(ReportTest, ParamsAreTheChosenTemplatesNamesAndValues) {
  const LayerReport& l = report().layers[0];
  // The parameters are those of the chosen family's form for this layer's kind, in its order.
  const DataflowTemplate* chosen = nullptr;
  for (const DataflowTemplate& t : TemplateLibrary::Builtin().templates()) {
    if (t.name == l.dataflow && t.AppliesTo(l.kind)) chosen = &t;
  }
  ASSERT_NE(chosen, nullptr) << l.dataflow;
  std::vector<std::string> names, declared;
  for (const NamedParam& p : l.params) names.push_back(p.name);
  for (const TemplateParam& p : chosen->params) declared.push_back(p.name);
  EXPECT_EQ(names, declared);
  ASSERT_FALSE(names.empty()) << "a form without parameters leaves nothing to check";
  for (const NamedParam& p : l.params) EXPECT_GE(p.value, 1) << p.name;
  EXPECT_EQ(FormatParams({{"TK", 1}, {"CL", 64}}), "TK=1 CL=64");
  EXPECT_EQ(FormatParams({}), "");
}

TEST_F(ReportTest, BaselineRatiosCompareWithTheAdaptiveChoice) {
  const NetworkReport& r = report();
  // One baseline per built-in family, in library order.
  std::vector<std::string> families;
  for (const BaselineReport& b : r.baselines) families.push_back(b.family);
  EXPECT_EQ(families, TemplateLibrary::Builtin().Families());
  for (const BaselineReport& b : r.baselines) {
    EXPECT_DOUBLE_EQ(b.objective, b.totals.edp()) << b.family;
    EXPECT_DOUBLE_EQ(b.ratio, b.objective / r.network_objective) << b.family;
  }
  int chosen = 0;
  for (const FamilyShare& s : r.choices) chosen += s.layers;
  EXPECT_EQ(chosen, 4);
}

// A family with a form for GEMM layers only maps one layer of four. Its totals over that layer
// are far below the adaptive totals over all four; ranked against them it would read as a
// better dataflow (a ratio well below 1). The ratio compares it over the layer it maps.
constexpr std::string_view kGemmOnlyTemplate = R"(
Template gemmonly {
  Kinds GEMM;
  Param CL pow2(4, Sz(K)) max PEs;
  Param TN pow2(1, 4) max Sz(N);
  Dataflow {
    TemporalMap(CL,CL) K;
    SpatialMap(TN,TN) N;
    TemporalMap(1,1) M;
    Cluster(CL, P);
    SpatialMap(1,1) K;
    TemporalMap(1,1) M;
  }
}
)";

NetworkReport ReportWithPartialFamily(bool without_gemm = false) {
  TemplateLibrary library = TemplateLibrary::Builtin();
  library.Append(TemplateLibrary::Parse(kGemmOnlyTemplate, "gemmonly.tmpl"));
  Network net = SmallNetwork();
  if (without_gemm) net.layers.pop_back();
  const Hardware hw = SmallHardware();
  const SearchResult result = SearchNetwork(net, hw, library, SmallSearch());
  return BuildReport(net, result, hw, SmallContext());
}

const BaselineReport& FindBaseline(const NetworkReport& r, const std::string& family) {
  for (const BaselineReport& b : r.baselines) {
    if (b.family == family) return b;
  }
  ADD_FAILURE() << "no baseline " << family;
  return r.baselines.front();
}

TEST(ReportBaselineTest, PartialFamilyIsComparedOverTheLayersItMaps) {
  const NetworkReport r = ReportWithPartialFamily();
  const BaselineReport& b = FindBaseline(r, "gemmonly");
  ASSERT_FALSE(b.complete);
  EXPECT_EQ(b.totals.layers_without_mapping, 3);
  EXPECT_EQ(b.compared_layers, 1);
  ASSERT_TRUE(b.has_ratio);
  // On its one layer the adaptive choice is the best of every family, this one included.
  const LayerReport& fc = r.layers[3];
  ASSERT_TRUE(fc.found);
  EXPECT_EQ(b.adaptive_compared_totals.runtime_cycles, fc.runtime_cycles);
  EXPECT_DOUBLE_EQ(b.adaptive_compared_totals.energy_pj, fc.energy_pj);
  EXPECT_GE(b.ratio, 1.0);
  // Against the whole network's totals it would have looked better than adaptive.
  EXPECT_LT(b.objective / r.network_objective, 1.0);
  // A complete family's ratio is over the whole network.
  for (const BaselineReport& other : r.baselines) {
    if (!other.complete) continue;
    EXPECT_EQ(other.compared_layers, 4) << other.family;
    EXPECT_DOUBLE_EQ(other.ratio, other.objective / r.network_objective) << other.family;
  }
}

TEST(ReportBaselineTest, EveryWriterSaysOverWhichLayersAPartialFamilyCompares) {
  const NetworkReport r = ReportWithPartialFamily();
  const BaselineReport& b = FindBaseline(r, "gemmonly");
  char ratio[32];
  std::snprintf(ratio, sizeof ratio, "%.3f", b.ratio);
  const std::string text = Render(r, WriteText);
  EXPECT_THAT(text, ::testing::ContainsRegex(std::string("gemmonly .* ") + ratio +
                                             "x +over 1 of 4 layers \\(3 without a mapping\\)"));
  const std::string html = Render(r, WriteHtml);
  EXPECT_THAT(html, HasSubstr(std::string(ratio) + "\u00d7"));
  EXPECT_THAT(html, HasSubstr("over 1 of 4 layers (3 without a mapping)"));
  // No bar ranks the partial family against the whole network.
  const size_t chart = html.find("id=\"chart-baselines\"");
  ASSERT_NE(chart, std::string::npos);
  EXPECT_EQ(html.find("<title>gemmonly", chart), std::string::npos);
  const std::string json = Render(r, WriteJson);
  EXPECT_THAT(json, ::testing::ContainsRegex("\"dataflow\": ?\"gemmonly\"[^}]*\"compared_layers\": ?1"));
}

TEST(ReportBaselineTest, FamilyMappingNoLayerHasNoRatio) {
  // Only the convolutions: the GEMM-only family maps none of them.
  const NetworkReport r = ReportWithPartialFamily(/*without_gemm=*/true);
  const BaselineReport& b = FindBaseline(r, "gemmonly");
  EXPECT_EQ(b.compared_layers, 0);
  EXPECT_FALSE(b.has_ratio);
  const std::string text = Render(r, WriteText);
  EXPECT_THAT(text, ::testing::ContainsRegex("gemmonly .* - +no layer mapped, not compared"));
  EXPECT_THAT(text, Not(HasSubstr("0.000x")));
  EXPECT_THAT(Render(r, WriteJson), ::testing::ContainsRegex("\"ratio_to_adaptive\": ?null"));
  EXPECT_THAT(Render(r, WriteHtml), Not(HasSubstr("0.000\u00d7")));
}

// Twelve ViT blocks differ in the middle of their names only; the terminal table must still
// tell them apart.
TEST(ReportTextTest, ShortenedLayerNamesStayDistinct) {
  NetworkReport r = SmallReport();
  const LayerReport model = r.layers[3];
  r.layers.clear();
  std::vector<std::string> names;
  for (int i = 0; i < 12; ++i) {
    LayerReport l = model;
    l.index = i;
    l.name = "/encoder/layers/encoder_layer_" + std::to_string(i) + "/self_attention/MatMul";
    names.push_back(l.name);
    r.layers.push_back(l);
  }
  const std::string text = Render(r, WriteText);
  std::set<std::string> shown;
  std::istringstream lines(text);
  const std::regex row("^ *([0-9]+)  (\\S+) ");
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, row)) {
      EXPECT_LE(m[2].str().size(), 44u) << line;
      shown.insert(m[2].str());
    }
  }
  EXPECT_EQ(shown.size(), 12u) << text;
  EXPECT_THAT(text, HasSubstr("...11/self_attention/MatMul"));
}

TEST(ReportTextTest, CountsOfOneAreSingular) {
  EXPECT_EQ(CountOf(1, "layer"), "1 layer");
  EXPECT_EQ(CountOf(0, "layer"), "0 layers");
  EXPECT_EQ(CountOf(1234, "candidate"), "1,234 candidates");
  EXPECT_EQ(CountOf(2, "MAC node"), "2 MAC nodes");
  EXPECT_EQ(CountOf(3, "mouse", "mice"), "3 mice");
  NetworkReport r = SmallReport();
  r.layers.resize(1);
  r.distinct_layers = 1;
  r.context.skipped.resize(1);
  const std::string text = Render(r, WriteText);
  EXPECT_THAT(text, HasSubstr("small: 1 layer on 16 PEs"));
  EXPECT_THAT(text, HasSubstr("1 layer, 1 distinct;"));
  EXPECT_THAT(text, HasSubstr("1 MAC node not in the network"));
  EXPECT_THAT(text, Not(HasSubstr("(s)")));
  EXPECT_THAT(Render(r, WriteHtml), HasSubstr("1 distinct shape"));
  EXPECT_THAT(Render(r, WriteHtml), Not(HasSubstr("1 distinct shapes")));
}

TEST_F(ReportTest, HtmlIsSelfContained) {
  const std::string html = Render(report(), WriteHtml);
  EXPECT_THAT(html, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
  EXPECT_THAT(html, Not(HasSubstr("<script src")));
  EXPECT_THAT(html, Not(HasSubstr("@import")));
  EXPECT_THAT(html, Not(HasSubstr("//cdn")));
  // Every src/href points into the page or is inline data.
  const std::regex reference(R"re((src|href)\s*=\s*"([^"]*)")re");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), reference);
       it != std::sregex_iterator(); ++it) {
    const std::string target = (*it)[2];
    EXPECT_TRUE(target.starts_with("#") || target.starts_with("data:")) << target;
  }
  // CSS url() only for in-page SVG patterns.
  const std::regex url(R"re(url\(([^)]*)\))re");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), url);
       it != std::sregex_iterator(); ++it) {
    EXPECT_TRUE((*it)[1].str().starts_with("#")) << (*it)[0];
  }
  EXPECT_THAT(html, HasSubstr("Content-Security-Policy"));
}

TEST_F(ReportTest, HtmlHasOneRowPerLayerAndTheTotals) {
  const std::string html = Render(report(), WriteHtml);
  EXPECT_EQ(Count(html, "<tr data-layer="), report().layers.size());
  EXPECT_THAT(html, HasSubstr("id=\"total-cycles\" data-value=\"" +
                              std::to_string(report().totals.runtime_cycles) + "\">" +
                              FormatThousands(report().totals.runtime_cycles) + "<"));
  for (const char* id : {"chart-latency", "chart-energy", "chart-utilization",
                         "chart-energy-breakdown", "chart-choices", "chart-baselines"}) {
    EXPECT_THAT(html, HasSubstr(std::string("id=\"") + id + "\"")) << id;
  }
  EXPECT_THAT(html, HasSubstr("an importer warning"));
  EXPECT_THAT(html, HasSubstr("loop_matmul"));
  EXPECT_THAT(html, HasSubstr("SHA256"));
}

TEST_F(ReportTest, HtmlEscapesNames) {
  const std::string html = Render(report(), WriteHtml);
  EXPECT_THAT(html, Not(HasSubstr("<conv&1>")));
  EXPECT_THAT(html, HasSubstr("&lt;conv&amp;1&gt;"));
  EXPECT_THAT(html, HasSubstr("conv, &quot;2&quot;"));
}

TEST_F(ReportTest, JsonHasTheDocumentedKeys) {
  const std::string json = Render(report(), WriteJson);
  EXPECT_THAT(json, HasSubstr("\"schema_version\": " + std::to_string(kReportSchemaVersion)));
  EXPECT_THAT(json, HasSubstr("\"name\": \"<conv&1>\""));
  EXPECT_THAT(json, HasSubstr("\"name\": \"conv, \\\"2\\\"\""));
  EXPECT_EQ(Count(json, "\n      \"index\": "), 4u);  // one object per layer
  EXPECT_THAT(json, HasSubstr("\"total\": {\n    \"runtime_cycles\": " +
                              std::to_string(report().totals.runtime_cycles)));
  for (const char* key : {"\"layers\"", "\"energy_nj\"", "\"runtime_cycles\"", "\"baselines\"",
                          "\"runner_up\"", "\"mapping\"", "\"l1_need_bytes\"", "\"infeasible\"",
                          "\"warnings\"", "\"skipped_nodes\"", "\"utilization\""}) {
    EXPECT_THAT(json, HasSubstr(key)) << key;
  }
}

TEST_F(ReportTest, CsvHasOneRowPerLayerWithQuotedNames) {
  const std::string csv = Render(report(), WriteCsv);
  std::istringstream in(csv);
  std::string header;
  std::getline(in, header);
  EXPECT_TRUE(header.starts_with("index,name,op_type,kind,dims,")) << header;
  int rows = 0;
  for (std::string line; std::getline(in, line);) ++rows;
  EXPECT_EQ(rows, 4);
  EXPECT_THAT(csv, HasSubstr("\n1,\"conv, \"\"2\"\"\",Conv,CONV,N1 K16 C8 Y10 X10 R3 S3,1,"));
  EXPECT_THAT(csv, HasSubstr("\n3,fc,Gemm,GEMM,M4 N32 K64,1,"));
}

TEST_F(ReportTest, TextSummaryNamesEveryLayerAndTheBaselines) {
  const std::string text = Render(report(), WriteText);
  for (const LayerReport& l : report().layers) EXPECT_THAT(text, HasSubstr(l.name));
  EXPECT_THAT(text, HasSubstr("adaptive"));
  EXPECT_THAT(text, HasSubstr("4 layers, 3 distinct"));
}

TEST(ReportWithoutMappingTest, LayersThatFitNowhereKeepTheirRowAndNote) {
  Hardware hw = SmallHardware();
  hw.l1_size = 1;  // no tile fits
  const NetworkReport r = SmallReport(hw);
  EXPECT_EQ(r.totals.layers_without_mapping, 4);
  for (const LayerReport& l : r.layers) {
    EXPECT_FALSE(l.found);
    EXPECT_THAT(l.note, HasSubstr("fits the hardware"));
  }
  // Every candidate was infeasible, each counted under one reason, L1 overflow among them.
  EXPECT_EQ(r.candidates_feasible, 0);
  int64_t infeasible = 0, l1_overflow = 0;
  for (const InfeasibleCount& c : r.infeasible) {
    infeasible += c.count;
    if (c.reason == Infeasible::kL1Overflow) l1_overflow = c.count;
  }
  EXPECT_EQ(infeasible, r.candidates_evaluated);
  EXPECT_GT(l1_overflow, 0);
  const std::string html = Render(r, WriteHtml);
  EXPECT_EQ(Count(html, "<tr data-layer="), 4u);
  EXPECT_THAT(html, HasSubstr("no feasible mapping"));
  EXPECT_THAT(html, HasSubstr("l1-overflow"));
  const std::string json = Render(r, WriteJson);
  EXPECT_THAT(json, HasSubstr("\"found\": false"));
  EXPECT_THAT(json, HasSubstr("\"dataflow\": null"));
  const std::string csv = Render(r, WriteCsv);
  EXPECT_THAT(csv, HasSubstr("fits the hardware"));
  const std::string text = Render(r, WriteText);
  EXPECT_THAT(text, HasSubstr("no feasible mapping"));
}

TEST(FormatTest, Thousands) {
  EXPECT_EQ(FormatThousands(0), "0");
  EXPECT_EQ(FormatThousands(999), "999");
  EXPECT_EQ(FormatThousands(1000), "1,000");
  EXPECT_EQ(FormatThousands(16235369), "16,235,369");
  EXPECT_EQ(FormatThousands(-1234567), "-1,234,567");
  EXPECT_EQ(FormatThousands(INT64_MIN), "-9,223,372,036,854,775,808");
}

TEST(FormatTest, SiPrefixes) {
  EXPECT_EQ(FormatSi(0, "J"), "0 J");
  EXPECT_EQ(FormatSi(0.00123, "J"), "1.23 mJ");
  EXPECT_EQ(FormatSi(4.09e9, ""), "4.09 G");
  EXPECT_EQ(FormatSi(594e-6, "J"), "594 \u00b5J");
  EXPECT_EQ(FormatSi(0.0162, "s"), "16.2 ms");
  EXPECT_EQ(FormatSi(999.7, "J"), "1.00 kJ");
  EXPECT_EQ(FormatSi(12, ""), "12.0");
  EXPECT_EQ(FormatSi(-2.5e-12, "J"), "-2.50 pJ");
}

TEST(FormatTest, Dims) {
  LayerShape conv;
  conv.size[Dim::kN] = 1;
  conv.size[Dim::kK] = 64;
  conv.size[Dim::kC] = 3;
  conv.size[Dim::kY] = 230;
  conv.size[Dim::kX] = 230;
  conv.size[Dim::kR] = 7;
  conv.size[Dim::kS] = 7;
  conv.stride_y = conv.stride_x = 2;
  EXPECT_EQ(FormatDims(OpKind::kConv, conv), "N1 K64 C3 Y230 X230 R7 S7 /2x2");
  LayerShape gemm;
  gemm.size[Dim::kM] = 1;
  gemm.size[Dim::kN] = 1000;
  gemm.size[Dim::kK] = 2048;
  EXPECT_EQ(FormatDims(OpKind::kGemm, gemm), "M1 N1000 K2048");
}

// Replaces the values that change from run to run (version, date, model digest) by fixed
// words, so that a golden file compares equal across releases and days.
std::string NormalizeJson(std::string json) {
  static const std::regex kVolatile(R"re(("(version|date|sha256)": )"[^"]*")re");
  return std::regex_replace(json, kVolatile, "$1\"<$2>\"");
}

TEST(ReportGoldenTest, SmallNetworkJson) {
  namespace fs = std::filesystem;
  std::ostringstream out;
  WriteJson(SmallReport(), out);
  const std::string actual = NormalizeJson(out.str());
  const fs::path golden = fs::path(CADENZA_SOURCE_DIR) / "tests/golden/report_small.json";
  if (const char* approve = std::getenv("CADENZA_APPROVE_GOLDEN"); approve && *approve == '1') {
    std::ofstream(golden, std::ios::binary) << actual;
    GTEST_SKIP() << "wrote " << golden;
  }
  std::ifstream in(golden, std::ios::binary);
  ASSERT_TRUE(in) << golden << " is missing; create it with tests/golden/approve.sh";
  std::ostringstream expected;
  expected << in.rdbuf();
  if (actual != expected.str()) {
    const fs::path received = fs::current_path() / "report_small.received.json";
    std::ofstream(received, std::ios::binary) << actual;
    FAIL() << "the report JSON differs from " << golden << "; this run's is in " << received
           << " (diff them; if the change is intended, run tests/golden/approve.sh)";
  }
}

TEST(ReportGoldenTest, NormalizationKeepsEverythingElse) {
  EXPECT_EQ(NormalizeJson("{\n  \"version\": \"0.1.0\",\n  \"date\": \"2024-01-01T00:00:00Z\",\n"
                          "  \"sha256\": \"ab12\",\n  \"name\": \"version\"\n}"),
            "{\n  \"version\": \"<version>\",\n  \"date\": \"<date>\",\n"
            "  \"sha256\": \"<sha256>\",\n  \"name\": \"version\"\n}");
}

}  // namespace
}  // namespace cadenza
