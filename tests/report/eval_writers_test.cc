#include "report/eval_writers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/cost_model.h"
#include "analyzer/maestro_columns.h"

namespace cadenza {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

Layer MakeLayer(std::string name, int64_t exact_macs = 12345) {
  Layer layer;
  layer.name = std::move(name);
  layer.op_type = "CONV";
  layer.kind = OpKind::kConv;
  layer.shape.size[Dim::kK] = 4;
  layer.shape.size[Dim::kC] = 2;
  layer.shape.size[Dim::kR] = 3;
  layer.shape.size[Dim::kS] = 3;
  layer.shape.size[Dim::kY] = 10;
  layer.shape.size[Dim::kX] = 12;
  layer.exact_macs = exact_macs;
  return layer;
}

// A result whose numbers exercise the formatting: small and large integers, reals that need
// rounding to 6 significant digits and reals that switch to exponent notation.
CostResult MakeResult() {
  CostResult r;
  r.runtime_cycles = 1000;
  r.macs = 12345;
  r.energy_nj = 1881950.4;
  r.throughput_macs_per_cycle = 12.345;
  r.area_power.area_um2 = 46347864.9690282;
  r.area_power.power_mw = 487.57993298;
  r.area_power.pe_power_mw = 312.9088;
  r.area_power.l1_power_mw = 47.6928;
  r.area_power.l2_power_mw = 0.9591;
  r.area_power.noc_power_mw = 126.01923298;
  r.noc_bw_peak_per_cycle = 64;
  r.noc_bw_avg_per_cycle = 768.0021;
  r.offchip_bw_per_cycle = 12;
  r.l2_size_elements = 5768;
  r.l1_size_elements = 54;
  r.l1_size_per_tensor = {{18, 18, 18}};
  r.l2_size_per_tensor = {{2000, 3000, 768}};
  r.input_elements = 240;
  r.filter_elements = 72;
  r.accesses[Tensor::kInput] = {.l1_read = 123456789012, .l1_write = 3, .l2_read = 3, .l2_write = 240};
  r.accesses[Tensor::kFilter] = {.l1_read = 12345, .l1_write = 72, .l2_read = 72, .l2_write = 72};
  r.accesses[Tensor::kOutput] = {.l1_read = 12345, .l1_write = 12345, .l2_read = 0, .l2_write = 480};
  r.ingress_cycles = {1, 5, 2};
  r.egress_cycles = {1, 1, 1};
  r.compute_cycles = {11, 45, 12};
  r.avg_utilized_pes = 12.5;
  r.arithmetic_intensity = 1.0 / 3.0;
  r.mac_energy_pj = 2839.35;
  r.l1_energy_pj = 1.0e10;
  r.l2_energy_pj = 0.5;
  r.offchip_energy_pj = 46000;
  r.utilization = 0.0383523;
  return r;
}

Hardware MakeHardware() {
  Hardware hw;
  hw.num_pes = 256;
  hw.l1_size = 512;
  hw.l2_size = 108000;
  hw.noc_bw = 32;
  hw.offchip_bw = 16;
  return hw;
}

EvalReport MakeReport(const std::vector<const Layer*>& layers) {
  EvalReport report;
  report.version = "9.9.9";
  report.network = "net";
  report.mapping_path = "net.m";
  report.hardware_path = "hw.m";
  report.hardware = MakeHardware();
  for (const Layer* layer : layers) {
    EvalRow row;
    row.layer = layer;
    row.result = MakeResult();
    report.rows.push_back(std::move(row));
  }
  return report;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> Split(const std::string& row) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (size_t comma; (comma = row.find(',', start)) != std::string::npos; start = comma + 1) {
    fields.push_back(row.substr(start, comma - start));
  }
  fields.push_back(row.substr(start));
  return fields;
}

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, s.find_last_not_of(' ') - b + 1);
}

std::string Csv(const EvalReport& report) {
  std::ostringstream out;
  WriteEvalCsv(report, out);
  return out.str();
}

std::string Json(const EvalReport& report) {
  std::ostringstream out;
  WriteEvalJson(report, out);
  return out.str();
}

TEST(EvalCsvTest, HeaderIsTheOriginalsThenCadenzasColumns) {
  const Layer layer = MakeLayer("l1");
  const std::vector<std::string> lines = Lines(Csv(MakeReport({&layer})));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], std::string(MaestroCsvHeader()) +
                          ", exact_macs, mac_energy_pj, l1_energy_pj, l2_energy_pj, "
                          "offchip_energy_pj, total_energy_pj, utilization, warnings");
  EXPECT_THAT(lines[0], StartsWith("Neural Network Name, Layer Number, NumPEs, Runtime (Cycles), "
                                   "Activity count-based Energy (nJ),"));
}

TEST(EvalCsvTest, RowJoinsColumnsOneTo27WithCommaAndTheRestWithCommaSpace) {
  const Layer layer = MakeLayer("l1");
  const std::vector<std::string> lines = Lines(Csv(MakeReport({&layer})));
  const std::vector<std::string> f = Split(lines[1]);
  ASSERT_EQ(f.size(), 60u);
  for (size_t i = 0; i < 27; ++i) EXPECT_THAT(f[i], Not(StartsWith(" "))) << "column " << i + 1;
  for (size_t i = 27; i < f.size(); ++i) EXPECT_THAT(f[i], StartsWith(" ")) << "column " << i + 1;
  EXPECT_THAT(lines[1], StartsWith("net,l1,256,1000,"));
  EXPECT_THAT(lines[1], Not(HasSubstr(",,")));  // every column of a usable row has a value
}

TEST(EvalCsvTest, NumbersPrintLikeTheOriginal) {
  const Layer layer = MakeLayer("l1");
  const std::vector<std::string> f = Split(Lines(Csv(MakeReport({&layer})))[1]);
  auto column = [&](int n) { return Trim(f[static_cast<size_t>(n - 1)]); };
  EXPECT_EQ(column(3), "256");
  EXPECT_EQ(column(4), "1000");
  EXPECT_EQ(column(6), "12.345");         // macs / runtime
  EXPECT_EQ(column(8), "4.63479e+07");    // 6 significant digits, exponent when large
  EXPECT_EQ(column(9), "487.58");         // trailing zeros dropped
  EXPECT_EQ(column(10), "64");
  EXPECT_EQ(column(11), "768.002");
  EXPECT_EQ(column(13), "1");             // SIMD lanes
  EXPECT_EQ(column(15), "5768");
  EXPECT_EQ(column(16), "54");
  EXPECT_EQ(column(18), "1");             // input l1 write / l2 read
  EXPECT_EQ(column(22), "12345");
  EXPECT_EQ(column(27), "123456789012");  // integers in full, however large
  EXPECT_EQ(column(31), "4.11523e+10");   // reuse factor 123456789012 / 3
  EXPECT_EQ(column(42), "1");
  EXPECT_EQ(column(43), "5");
  EXPECT_EQ(column(49), "45");            // the second "Compute Delay (Min)" holds the maximum
  EXPECT_EQ(column(51), "12.5");
  EXPECT_EQ(column(52), "0.333333");
  // Cadenza's columns.
  EXPECT_EQ(column(53), "12345");         // exact_macs
  EXPECT_EQ(column(54), "2839.35");
  EXPECT_EQ(column(55), "1e+10");
  EXPECT_EQ(column(56), "0.5");
  EXPECT_EQ(column(57), "46000");
  EXPECT_EQ(column(58), "1e+10");         // total_energy_pj
  EXPECT_EQ(column(59), "0.0383523");
  EXPECT_EQ(column(60), "");              // no warnings
}

TEST(EvalCsvTest, EnergyColumnIsTheOriginalsFormulaOnTheLayersOwnCounts) {
  const Layer layer = MakeLayer("l1");
  const EvalReport report = MakeReport({&layer});
  const CostResult& r = report.rows[0].result;
  const std::vector<std::string> f = Split(Lines(Csv(report))[1]);
  const auto& in = r.accesses[Tensor::kInput];
  const auto& w = r.accesses[Tensor::kFilter];
  const auto& out = r.accesses[Tensor::kOutput];
  const long double energy =
      0.00023L * (18.61L * static_cast<long double>(in.l2_read + in.l2_write + w.l2_read +
                                                     w.l2_write + out.l2_write) +
                  1.68L * static_cast<long double>(in.l1_read + in.l1_write + w.l1_read +
                                                    w.l1_write + out.l1_read + out.l1_write));
  std::ostringstream expected;
  expected << energy;
  EXPECT_EQ(f[4], expected.str());
}

TEST(EvalCsvTest, FailedLayerKeepsItsRowWithTheErrorInWarnings) {
  const Layer good = MakeLayer("good");
  const Layer bad = MakeLayer("bad", 777);
  EvalReport report = MakeReport({&good, &bad});
  report.rows[1].result = CostResult{};
  report.rows[1].result.infeasible = Infeasible::kClusterExceedsPEs;
  report.rows[1].error = "net.m:9: layer 'bad': Cluster(300, P): too many, \"really\"";
  const std::vector<std::string> lines = Lines(Csv(report));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_THAT(lines[2], StartsWith("net,bad,,,"));
  const std::vector<std::string> f = Split(lines[2]);
  ASSERT_GE(f.size(), 60u);
  for (size_t i = 2; i < 52; ++i) EXPECT_EQ(Trim(f[i]), "") << "column " << i + 1;
  EXPECT_EQ(Trim(f[52]), "777");
  // The last column is quoted because the message holds commas and quotes.
  const std::string last = lines[2].substr(lines[2].find(", \"") + 2);
  EXPECT_EQ(last, "\"error: net.m:9: layer 'bad': Cluster(300, P): too many, \"\"really\"\"\"");
}

TEST(EvalCsvTest, WarningsAreJoinedAndQuotedOnlyWhenNeeded) {
  const Layer layer = MakeLayer("l1");
  EvalReport report = MakeReport({&layer});
  report.rows[0].warnings = {"first", "second"};
  EXPECT_THAT(Lines(Csv(report))[1], testing::EndsWith(", first; second"));
  report.rows[0].warnings = {"the model counts 1 MACs, the layer has 2"};
  EXPECT_THAT(Lines(Csv(report))[1],
              testing::EndsWith(", \"the model counts 1 MACs, the layer has 2\""));
}

// A minimal JSON validator (RFC 8259 grammar, no semantic checks), so that the writer's output
// is checked as JSON rather than by eye.
class JsonValidator {
 public:
  explicit JsonValidator(std::string_view text) : s_(text) {}
  bool Valid() {
    Space();
    if (!Value()) return false;
    Space();
    return i_ == s_.size();
  }

 private:
  void Space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r'))
      ++i_;
  }
  bool Eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) return ++i_, true;
    return false;
  }
  bool Literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }
  bool String() {
    if (!Eat('"')) return false;
    while (i_ < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[i_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c == '\\') {
        if (i_ >= s_.size()) return false;
        const char e = s_[i_++];
        if (e == 'u') {
          for (int k = 0; k < 4; ++k) {
            if (i_ >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[i_++]))) return false;
          }
        } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          return false;
        }
      }
    }
    return false;
  }
  bool Number() {
    const size_t start = i_;
    Eat('-');
    if (Eat('0')) {
    } else if (i_ < s_.size() && s_[i_] >= '1' && s_[i_] <= '9') {
      while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
    } else {
      return false;
    }
    if (Eat('.')) {
      if (i_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[i_]))) return false;
      while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
    }
    if (Eat('e') || Eat('E')) {
      if (!Eat('+')) Eat('-');
      if (i_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[i_]))) return false;
      while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
    }
    return i_ > start;
  }
  bool Value() {
    if (i_ >= s_.size()) return false;
    switch (s_[i_]) {
      case '{': {
        ++i_;
        Space();
        if (Eat('}')) return true;
        do {
          Space();
          if (!String()) return false;
          Space();
          if (!Eat(':')) return false;
          Space();
          if (!Value()) return false;
          Space();
        } while (Eat(','));
        return Eat('}');
      }
      case '[': {
        ++i_;
        Space();
        if (Eat(']')) return true;
        do {
          Space();
          if (!Value()) return false;
          Space();
        } while (Eat(','));
        return Eat(']');
      }
      case '"': return String();
      case 't': return Literal("true");
      case 'f': return Literal("false");
      case 'n': return Literal("null");
      default: return Number();
    }
  }
  std::string_view s_;
  size_t i_ = 0;
};

TEST(EvalJsonTest, ValidatorRejectsBrokenJson) {
  EXPECT_TRUE(JsonValidator(R"({"a": [1, -2.5e+3, "x\n", null]})").Valid());
  EXPECT_FALSE(JsonValidator(R"({"a": nan})").Valid());
  EXPECT_FALSE(JsonValidator("{\"a\": \"tab\there\"}").Valid());
  EXPECT_FALSE(JsonValidator(R"({"a": 1,})").Valid());
}

TEST(EvalJsonTest, DocumentIsValidJsonWithEveryStatistic) {
  const Layer layer = MakeLayer("l1");
  const std::string json = Json(MakeReport({&layer}));
  EXPECT_TRUE(JsonValidator(json).Valid()) << json;
  for (std::string_view key :
       {"\"tool\": \"cadenza\"", "\"version\": \"9.9.9\"", "\"network\": \"net\"",
        "\"hardware\": {", "\"num_pes\": 256", "\"layers\": [", "\"name\": \"l1\"",
        "\"type\": \"CONV\"", "\"error\": null", "\"runtime_cycles\": 1000",
        "\"macs\": 12345", "\"exact_macs\": 12345", "\"energy_nj\": 1881950.4",
        "\"noc_bw_avg_per_cycle\": 768.0021", "\"l1_read\": 123456789012",
        "\"ingress_cycles\": {", "\"avg_utilized_pes\": 12.5", "\"l1_need_bytes\": 54",
        "\"l2_need_bytes\": 5768", "\"total_energy_pj\":", "\"total\": {"}) {
    EXPECT_THAT(json, HasSubstr(key));
  }
}

TEST(EvalJsonTest, DoublesRoundTrip) {
  const Layer layer = MakeLayer("l1");
  const std::string json = Json(MakeReport({&layer}));
  // Shortest round-trip text, not 6 digits: 1/3 keeps all its digits.
  EXPECT_THAT(json, HasSubstr("\"arithmetic_intensity\": 0.3333333333333333"));
}

TEST(EvalJsonTest, StringsAreEscaped) {
  const Layer layer = MakeLayer("q\"b\\s/\n\t\x01 caf\xc3\xa9 \xff\xfe end");
  EvalReport report = MakeReport({&layer});
  report.rows[0].warnings = {"say \"hi\""};
  report.network = "line1\nline2";
  const std::string json = Json(report);
  EXPECT_TRUE(JsonValidator(json).Valid()) << json;
  EXPECT_THAT(json,
              HasSubstr(R"("name": "q\"b\\s/\n\t\u0001 caf)" "\xc3\xa9" R"( \ufffd\ufffd end")"));
  EXPECT_THAT(json, HasSubstr(R"("say \"hi\"")"));
  EXPECT_THAT(json, HasSubstr(R"("network": "line1\nline2")"));
}

TEST(EvalJsonTest, NonFiniteNumbersAreNull) {
  const Layer layer = MakeLayer("l1");
  EvalReport report = MakeReport({&layer});
  report.rows[0].result.utilization = std::numeric_limits<double>::quiet_NaN();
  report.rows[0].result.area_power.area_um2 = std::numeric_limits<double>::infinity();
  report.rows[0].result.accesses[Tensor::kOutput].l1_write = 0;  // reuse factor x / 0
  const std::string json = Json(report);
  EXPECT_TRUE(JsonValidator(json).Valid()) << json;
  EXPECT_THAT(json, HasSubstr("\"utilization\": null"));
  EXPECT_THAT(json, HasSubstr("\"area_um2\": null"));
  EXPECT_THAT(json, HasSubstr("\"reuse_factor\": null"));
}

TEST(EvalJsonTest, FailedLayerHasErrorAndNoStatistics) {
  const Layer good = MakeLayer("good");
  const Layer bad = MakeLayer("bad");
  EvalReport report = MakeReport({&good, &bad});
  report.rows[1].result = CostResult{};
  report.rows[1].result.infeasible = Infeasible::kZeroPartialSums;
  report.rows[1].error = "net.m:4: layer 'bad': no iteration computes a partial sum";
  const std::string json = Json(report);
  EXPECT_TRUE(JsonValidator(json).Valid()) << json;
  const std::string bad_part = json.substr(json.find("\"name\": \"bad\""));
  EXPECT_THAT(bad_part, HasSubstr("\"error\": \"net.m:4: layer 'bad': no iteration"));
  EXPECT_THAT(bad_part, HasSubstr("\"infeasible\": \"" +
                                  std::string(InfeasibleName(Infeasible::kZeroPartialSums)) + "\""));
  const std::string bad_layer = bad_part.substr(0, bad_part.find("\"total\""));
  EXPECT_THAT(bad_layer, Not(HasSubstr("runtime_cycles")));
  EXPECT_THAT(json, HasSubstr("\"failed\": 1"));
}

TEST(EvalTotalsTest, SumsLayersInOrderAndCountsFailures) {
  Layer a = MakeLayer("a", 100);
  Layer b = MakeLayer("b", 200);
  b.instances = 3;
  const Layer c = MakeLayer("c", 400);
  EvalReport report = MakeReport({&a, &b, &c});
  report.rows[2].error = "failed";
  const EvalTotals t = SumEval(report);
  EXPECT_EQ(t.layers, 3);
  EXPECT_EQ(t.failed, 1);
  EXPECT_EQ(t.runtime_cycles, 1000 + 3 * 1000);
  EXPECT_EQ(t.macs, 12345 + 3 * 12345);
  EXPECT_EQ(t.exact_macs, 700);  // the true counts of all layers, failed ones included
  EXPECT_DOUBLE_EQ(t.energy_nj, 4 * 1881950.4);
  EXPECT_DOUBLE_EQ(t.utilization, 4.0 * 12345 / (256.0 * 4000));
  EXPECT_EQ(t.max_l1_bytes, 54);
  EXPECT_EQ(t.max_l2_bytes, 5768);
}

TEST(EvalTotalsTest, NeedsCountBytesPerElement) {
  CostResult r = MakeResult();
  Hardware hw = MakeHardware();
  hw.bytes_per_element = {{1, 2, 4}};
  EXPECT_EQ(L1NeedBytes(r, hw), 18 + 36 + 72);
  EXPECT_EQ(L2NeedBytes(r, hw), 2000 + 6000 + 3072);
}

TEST(EvalTableTest, ShowsEveryLayerTheErrorsAndATotal) {
  const Layer good = MakeLayer("conv_good");
  const Layer bad = MakeLayer("conv_bad");
  EvalReport report = MakeReport({&good, &bad});
  report.rows[0].warnings = {"w"};
  report.rows[1].result = CostResult{};
  report.rows[1].result.infeasible = Infeasible::kClusterExceedsPEs;
  report.rows[1].error = "x";
  std::ostringstream out;
  WriteEvalTable(report, out);
  const std::vector<std::string> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 7u) << out.str();  // title, header, rule, 2 layers, rule, total
  EXPECT_THAT(lines[1], StartsWith("layer"));
  EXPECT_THAT(lines[3], StartsWith("conv_good"));
  EXPECT_THAT(lines[3], HasSubstr("1 warning"));
  EXPECT_THAT(lines[3], HasSubstr("54 / 512"));
  EXPECT_THAT(lines[4], StartsWith("conv_bad"));
  EXPECT_THAT(lines[4],
              HasSubstr("error: " + std::string(InfeasibleName(Infeasible::kClusterExceedsPEs))));
  EXPECT_THAT(lines[6], StartsWith("total (2 layers)"));
  EXPECT_THAT(lines[6], HasSubstr("1 failed"));
  // Columns line up: every row is as wide as the header up to the last column.
  const size_t note = lines[1].find("note");
  ASSERT_NE(note, std::string::npos);
  EXPECT_EQ(lines[4].find("error:"), note);
}

// One number format per table: a large energy reads in digits like a small one, not "3.61e+06".
TEST(EvalTableTest, RealNumbersHaveOneFixedFormat) {
  const Layer small = MakeLayer("conv_small");
  const Layer large = MakeLayer("conv_large");
  EvalReport report = MakeReport({&small, &large});
  report.rows[0].result.energy_nj = 182444.25;
  report.rows[1].result.energy_nj = 3612660.5;
  std::ostringstream out;
  WriteEvalTable(report, out);
  EXPECT_THAT(out.str(), Not(HasSubstr("e+")));
  EXPECT_THAT(out.str(), HasSubstr(" 182444.2 "));
  EXPECT_THAT(out.str(), HasSubstr(" 3612660.5 "));
  EXPECT_THAT(out.str(), HasSubstr("total (2 layers)"));
}

// The energy columns say what they hold: under the MAESTRO model the original's activity-count
// energy (on-chip) beside the total with off-chip that both models share; the exact model has
// only the total, and no peak NoC bandwidth to print (its step delays account for bandwidth).
TEST(EvalTableTest, EnergyColumnsNameTheirMeaningUnderEachModel) {
  const Layer layer = MakeLayer("conv");
  EvalReport maestro = MakeReport({&layer});
  maestro.rows[0].result.l1_energy_pj = 2000;  // total 2839.35 + 2000 + 0.5 + 46000 pJ
  std::ostringstream maestro_out;
  WriteEvalTable(maestro, maestro_out);
  std::vector<std::string> lines = Lines(maestro_out.str());
  ASSERT_EQ(lines.size(), 6u) << maestro_out.str();
  EXPECT_THAT(lines[1], HasSubstr("activity nJ  total nJ"));
  EXPECT_THAT(lines[3], HasSubstr(" 1881950.4      50.8 "));
  EXPECT_THAT(lines[3], HasSubstr(" 64"));  // the MAESTRO model's peak NoC need

  EvalReport exact = maestro;
  exact.cost_model = std::string(CostModelName(CostModelKind::kExact));
  std::ostringstream exact_out;
  WriteEvalTable(exact, exact_out);
  lines = Lines(exact_out.str());
  ASSERT_EQ(lines.size(), 6u) << exact_out.str();
  EXPECT_THAT(lines[1], Not(HasSubstr("activity")));
  EXPECT_THAT(lines[1], HasSubstr("util  total nJ"));
  EXPECT_THAT(lines[3], Not(HasSubstr("1881950.4")));
  EXPECT_THAT(lines[3], HasSubstr(" 50.8 "));
  EXPECT_THAT(lines[3], EndsWith(" -"));
  EXPECT_THAT(lines[5], EndsWith(" -"));
}

// A row is one instance of its layer (the model's figures are one instance's), so its exact MAC
// count is one instance's too, and the note says how many there are; the total counts them all.
TEST(EvalTableTest, RowsAreOneInstanceAndTheTotalCountsEvery) {
  Layer layer = MakeLayer("recurrent", 3 * 12345);
  layer.instances = 3;
  EvalReport report = MakeReport({&layer});
  std::ostringstream out;
  WriteEvalTable(report, out);
  const std::vector<std::string> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 6u) << out.str();
  EXPECT_THAT(lines[3], HasSubstr(" 12345         12345 "));  // MACs (model), MACs (exact)
  EXPECT_THAT(lines[3], EndsWith("x3 instances"));
  EXPECT_THAT(lines[5], HasSubstr(" 3000 "));                 // 3 x 1000 cycles
  EXPECT_THAT(lines[5], HasSubstr(" 37035         37035 "));
}

}  // namespace
}  // namespace cadenza
