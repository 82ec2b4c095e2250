// `cadenza search` as a user runs it: the files it writes, its summary, and how it refuses bad
// options (exit 2) and bad input (exit 1) without leaving a file behind.

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
using ::testing::IsEmpty;
using ::testing::Not;

// Two CONV layers of one shape and an FC layer, with a dataflow the search must ignore.
constexpr const char* kNetwork = R"(Network tiny {
  Layer conv_a {
    Type: CONV
    Dimensions { K: 16, C: 8, R: 3, S: 3, Y: 10, X: 10 }
    Dataflow {
      SpatialMap(1,1) K;
      TemporalMap(1,1) C;
      TemporalMap(Sz(R),1) Y;
      TemporalMap(Sz(S),1) X;
      TemporalMap(Sz(R),Sz(R)) R;
      TemporalMap(Sz(S),Sz(S)) S;
    }
  }
  Layer conv_b {
    Type: CONV
    Dimensions { K: 16, C: 8, R: 3, S: 3, Y: 10, X: 10 }
  }
  Layer fc {
    Type: FC
    Dimensions { N: 1, K: 32, C: 64 }
    Dataflow {
      SpatialMap(1,1) K;
      TemporalMap(1,1) C;
      TemporalMap(1,1) N;
    }
  }
}
)";

constexpr const char* kHardware = "num_pes: 16\nl1_size_cstr: 512\nl2_size_cstr: 65536\n"
                                  "noc_bw_cstr: 16\noffchip_bw_cstr: 8\n";

class SearchCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("tiny.m", kNetwork);
    dir_.Write("hw.m", kHardware);
  }

  RunResult Run(const std::vector<std::string>& args) { return RunCadenza(args); }
  std::string Path(const std::string& name) const { return dir_.Path(name); }
  std::vector<std::string> Files() const { return dir_.Files(); }
  const std::vector<std::string> kInputs = {"hw.m", "tiny.m"};

  TempDir dir_;
};

TEST_F(SearchCommandTest, WritesTheReportJsonAndCsvAndSummarises) {
  const RunResult o = Run({"search", Path("tiny.m"), "--hw", Path("hw.m"), "-o", Path("r.html"),
                         "--json", Path("r.json"), "--csv", Path("r.csv"), "--threads", "2"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, AllOf(HasSubstr("tiny: 3 layers on 16 PEs, objective edp"),
                           HasSubstr("conv_a"), HasSubstr("conv_b"), HasSubstr("fc"),
                           HasSubstr("total: "), HasSubstr("3 layers, 2 distinct"),
                           HasSubstr("candidates evaluated"), HasSubstr("adaptive"),
                           HasSubstr("wrote " + Path("r.html")), HasSubstr("wrote " + Path("r.json")),
                           HasSubstr("wrote " + Path("r.csv"))));
  // The dataflow in the file is not used; and no progress line when stderr is not a terminal.
  EXPECT_THAT(o.err, HasSubstr("dataflows this file gives are not used"));
  EXPECT_THAT(o.err, Not(HasSubstr("searching:")));
  EXPECT_THAT(o.err, Not(HasSubstr("\r")));

  const std::string html = ReadFile(Path("r.html"));
  EXPECT_EQ(CountOf(html, "<tr data-layer="), 3u);
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  const std::string json = ReadFile(Path("r.json"));
  EXPECT_THAT(json, ContainsRegex("\"sha256\": \"[0-9a-f]{64}\""));
  EXPECT_THAT(json, HasSubstr("\"source\": \"" + Path("hw.m") + "\""));
  EXPECT_THAT(json, HasSubstr("\"num_pes\": 16"));
  EXPECT_THAT(json, ContainsRegex("\"command_line\": \"cadenza search [^\"]*tiny.m --hw"));
  EXPECT_EQ(CountOf(ReadFile(Path("r.csv")), "\n"), 4u);
  EXPECT_EQ(Files(), (std::vector<std::string>{"hw.m", "r.csv", "r.html", "r.json", "tiny.m"}));
}

TEST_F(SearchCommandTest, ResultDoesNotDependOnTheThreadCount) {
  ASSERT_EQ(Run({"search", Path("tiny.m"), "--hw", Path("hw.m"), "--csv", Path("one.csv"),
                 "--threads", "1"}).exit_code, 0);
  ASSERT_EQ(Run({"search", Path("tiny.m"), "--hw", Path("hw.m"), "--csv", Path("two.csv"),
                 "--threads", "2"}).exit_code, 0);
  EXPECT_EQ(ReadFile(Path("one.csv")), ReadFile(Path("two.csv")));
}

// The lines of `text` that contain `key`, in order.
std::vector<std::string> LinesWith(const std::string& text, const std::string& key) {
  std::vector<std::string> lines;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(at, end - at);
    if (line.find(key) != std::string::npos) lines.push_back(line);
    at = end + 1;
  }
  return lines;
}

// Under the exact model the search skips the candidates whose bound cannot beat their family's
// best, and says so; --exhaustive evaluates them all. Every layer chooses the same mapping.
TEST_F(SearchCommandTest, SkippedCandidatesChangeNoChoice) {
  const RunResult pruned = Run({"search", Path("tiny.m"), "--hw", Path("hw.m"), "--model", "exact",
                                "--max-candidates", "30", "--json", Path("p.json")});
  ASSERT_EQ(pruned.exit_code, 0) << pruned.err;
  EXPECT_THAT(pruned.out, HasSubstr("more skipped (their lower bound could not beat the best)"));
  const RunResult all = Run({"search", Path("tiny.m"), "--hw", Path("hw.m"), "--model", "exact",
                             "--max-candidates", "30", "--json", Path("a.json"), "--exhaustive"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_THAT(all.out, Not(HasSubstr("skipped")));
  const std::string p = ReadFile(Path("p.json")), a = ReadFile(Path("a.json"));
  EXPECT_THAT(a, HasSubstr("\"candidates_skipped\": 0,"));
  EXPECT_THAT(p, Not(HasSubstr("\"candidates_skipped\": 0,")));
  const std::vector<std::string> chosen = LinesWith(p, "\"mapping\": ");
  EXPECT_EQ(chosen.size(), 3u);
  EXPECT_EQ(chosen, LinesWith(a, "\"mapping\": "));
  EXPECT_EQ(LinesWith(p, "\"objective_value\": "), LinesWith(a, "\"objective_value\": "));
}

TEST_F(SearchCommandTest, DefaultHardwareIsThePreset) {
  const RunResult o = Run({"search", Path("tiny.m"), "--json", Path("r.json"), "--objective",
                         "latency"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("on 256 PEs, objective latency"));
  const std::string json = ReadFile(Path("r.json"));
  EXPECT_THAT(json, HasSubstr("built-in default"));
  EXPECT_THAT(json, HasSubstr("\"l1_bytes\": 1024"));
  EXPECT_THAT(json, HasSubstr("\"objective\": \"latency\""));
}

TEST_F(SearchCommandTest, OnnxModelWithItsDigest) {
  // What is checked is the import; the MAESTRO-compatible model keeps the run short under the
  // sanitizers.
  const RunResult o = Run({"search", SourcePath("models/resnet50.onnx"), "--model", "maestro",
                         "--max-candidates", "40", "--json", Path("r.json"), "--batch", "1"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("resnet50: 54 layers"));
  const std::string json = ReadFile(Path("r.json"));
  EXPECT_EQ(CountOf(json, "\n      \"index\": "), 54u);
  EXPECT_THAT(json, HasSubstr("\"other_ops\": {\n    \"Add\": 16"));
}

// Grouped convolutions (a RegNet-like 3x3, a strided one, a grouped ConvTranspose's phases and a
// grouped 1-D convolution) are searched like any layer, under both cost models: every layer has a
// mapping and the run succeeds.
TEST_F(SearchCommandTest, GroupedConvolutionsAreSearched) {
  for (const char* model : {"maestro", "exact"}) {
    SCOPED_TRACE(model);
    // A few candidates per family are enough to show each has a grouped form, and keep the
    // exact model's run short under the sanitizers.
    const RunResult o = Run({"search", SourcePath("tests/data/good/grouped.onnx"), "--model", model,
                             "--max-candidates", "40", "--json", Path("g.json"), "--strict"});
    ASSERT_EQ(o.exit_code, 0) << o.err;
    EXPECT_THAT(o.err, Not(HasSubstr("no feasible mapping")));
    const std::string json = ReadFile(Path("g.json"));
    EXPECT_THAT(json, Not(HasSubstr("\"note\": \"")));  // a layer without a mapping has a note
    EXPECT_THAT(json, HasSubstr("\"layers_without_mapping\": 0"));
    EXPECT_THAT(json, ContainsRegex("TG=[124]"));
  }
}

TEST_F(SearchCommandTest, ListTemplatesPrintsTheLibraryAndTheUsersFile) {
  const RunResult builtin = Run({"search", "--list-templates"});
  EXPECT_EQ(builtin.exit_code, 0);
  EXPECT_THAT(builtin.out, AllOf(HasSubstr("Template kcp"), HasSubstr("Template tpu")));
  const std::string user = SourcePath("models/templates/example.tmpl");
  const RunResult with_user = Run({"search", "--list-templates", "--templates", user});
  EXPECT_EQ(with_user.exit_code, 0) << with_user.err;
  EXPECT_THAT(with_user.out, HasSubstr(ReadFile(user)));
}

TEST_F(SearchCommandTest, BadOptionsAreUsageErrorsAndWriteNothing) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"search"}, "search: a model file is required"},
      {{"search", Path("tiny.m"), "--objective", "fast"},
       "search: unknown objective 'fast'; use latency, energy or edp"},
      {{"search", Path("tiny.m"), "--threads", "-1"}, "search: --threads must be 0 or more"},
      {{"search", Path("tiny.m"), "--max-candidates", "0"},
       "search: --max-candidates must be at least 1"},
      {{"search", Path("tiny.m"), "--batch", "2"}, "search: --batch applies to ONNX models only"},
      {{"search", Path("tiny.m"), "--skip-unresolved"},
       "search: --skip-unresolved applies to ONNX models only"},
      {{"search", Path("hw.txt")}, "search: '" + Path("hw.txt") +
                                       "' is neither an ONNX model (.onnx) nor a MAESTRO "
                                       "network (.m)"},
      {{"search", Path("tiny.m"), "--bogus"}, "search: unknown option '--bogus'"},
      {{"search", Path("tiny.m"), "-o", Path("same"), "--json", Path("same")},
       "search: -o and --json name the same file '" + Path("same") + "'"},
      {{"search", Path("tiny.m"), "--json", Path("tiny.m")},
       "search: --json '" + Path("tiny.m") + "' would overwrite the model"},
  };
  for (const Case& c : cases) {
    const RunResult o = Run(c.args);
    EXPECT_EQ(o.exit_code, 2) << c.message;
    EXPECT_EQ(o.err, "cadenza: usage error: " + c.message + "\nTry 'cadenza search --help'.\n");
    EXPECT_THAT(o.out, IsEmpty()) << c.message;
  }
  EXPECT_EQ(Files(), kInputs);
}

TEST_F(SearchCommandTest, BadInputExitsOneNamingTheFileAndWritesNothing) {
  dir_.Write("bad_hw.m", "num_pes: 16\nbogus_key: 3\n");
  dir_.Write("bad.tmpl", "Template oops {\n");
  struct Case {
    std::vector<std::string> args;
    std::string named;
  };
  const std::vector<Case> cases = {
      {{"search", Path("missing.m"), "-o", Path("r.html")}, Path("missing.m")},
      {{"search", Path("missing.onnx"), "-o", Path("r.html")}, Path("missing.onnx")},
      {{"search", Path("tiny.m"), "--hw", Path("bad_hw.m"), "-o", Path("r.html")}, Path("bad_hw.m")},
      {{"search", Path("tiny.m"), "--templates", Path("bad.tmpl"), "-o", Path("r.html")},
       Path("bad.tmpl")},
      {{"search", Path("hw.m"), "-o", Path("r.html")}, Path("hw.m")},
      {{"search", Path("tiny.m"), "-o", Path("no/such/dir/r.html")}, Path("no/such/dir/r.html")},
  };
  for (const Case& c : cases) {
    const RunResult o = Run(c.args);
    EXPECT_EQ(o.exit_code, 1) << c.named << "\n" << o.err;
    EXPECT_THAT(o.err, HasSubstr("cadenza: error: " + c.named)) << o.err;
    EXPECT_THAT(o.out, IsEmpty()) << c.named;
  }
  EXPECT_EQ(Files(), (std::vector<std::string>{"bad.tmpl", "bad_hw.m", "hw.m", "tiny.m"}));
}

TEST_F(SearchCommandTest, LayersWithoutAMappingStillGetTheirReportAndExitOne) {
  dir_.Write("small_l1.m", "num_pes: 16\nl1_size_cstr: 1\n");
  const RunResult o = Run({"search", Path("tiny.m"), "--hw", Path("small_l1.m"), "-o",
                         Path("r.html"), "--json", Path("r.json")});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("3 layer(s) have no feasible mapping"));
  EXPECT_THAT(o.out, HasSubstr("no feasible mapping"));
  EXPECT_EQ(CountOf(ReadFile(Path("r.html")), "<tr data-layer="), 3u);
  EXPECT_THAT(ReadFile(Path("r.json")), HasSubstr("\"layers_without_mapping\": 3"));
}

}  // namespace
}  // namespace cadenza::test
