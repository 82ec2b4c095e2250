// `cadenza dse` as a user runs it: the files it writes, its summary, a result that does not
// depend on the thread count, and how it refuses bad options (exit 2) and bad input (exit 1).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const std::string kSource = CADENZA_SOURCE_DIR;
const std::string kBinary = CADENZA_BINARY;
// 12 points: PEs 16, 32, 64 x L1 8, 512 x L2 16 KiB, 64 KiB.
const std::string kSweep = kSource + "/tests/data/good/dse_sweep_small.textproto";

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteText(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string Quote(const std::string& arg) {
  std::string quoted = "'";
  for (char c : arg) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// The JSON without the lines that record when and how it was made.
std::string WithoutRunLines(const std::string& json) {
  std::istringstream in(json);
  std::string kept;
  for (std::string line; std::getline(in, line);) {
    if (line.find("\"date\": ") != std::string::npos ||
        line.find("\"explore_seconds\": ") != std::string::npos ||
        line.find("\"command_line\": ") != std::string::npos) {
      continue;
    }
    kept += line + "\n";
  }
  return kept;
}

// Two CONV layers of one shape, a pointwise one and an FC layer. The dataflows are there because
// the format needs them (conv_b inherits conv_a's); the exploration does not use them.
constexpr const char* kNetwork = R"(Network small {
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
  Layer pointwise {
    Type: CONV
    Dimensions { K: 32, C: 16, R: 1, S: 1, Y: 8, X: 8 }
    Dataflow {
      SpatialMap(1,1) K;
      TemporalMap(1,1) C;
      TemporalMap(Sz(R),1) Y;
      TemporalMap(Sz(S),1) X;
      TemporalMap(Sz(R),Sz(R)) R;
      TemporalMap(Sz(S),Sz(S)) S;
    }
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

class DseCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("cadenza_dse_test_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    WriteText(dir_ / "small.m", kNetwork);
  }
  void TearDown() override { fs::remove_all(dir_); }

  struct Outcome {
    int exit_code = -1;
    std::string out, err;
  };

  // Runs cadenza with `args` (stdin, stdout and stderr are files, never a terminal).
  Outcome Run(const std::vector<std::string>& args) {
    std::string command = Quote(kBinary);
    for (const std::string& a : args) command += " " + Quote(a);
    const fs::path out = dir_ / "stdout.txt";
    const fs::path err = dir_ / "stderr.txt";
    command += " </dev/null >" + Quote(out.string()) + " 2>" + Quote(err.string());
    const int status = std::system(command.c_str());
    Outcome o;
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    o.out = ReadText(out);
    o.err = ReadText(err);
    return o;
  }

  std::string Network() const { return (dir_ / "small.m").string(); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

TEST_F(DseCommandTest, WritesTheSummaryAndEveryFile) {
  const Outcome o = Run({"dse", Network(), "--sweep", kSweep, "--max-candidates", "300",
                         "-o", Path("dse.html"), "--json", Path("dse.json"), "--csv",
                         Path("dse.csv")});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("small: 4 layers (3 distinct), 12 design points, objective edp"));
  EXPECT_THAT(o.out, HasSubstr("3 evaluation groups"));
  EXPECT_THAT(o.out, ContainsRegex("feasible: [0-9]+ of 12; Pareto front"));
  EXPECT_THAT(o.out, ContainsRegex("chosen design \\(#[0-9]+, lowest edp\\): pes="));
  EXPECT_THAT(o.out, HasSubstr("Pareto front, by cycles"));
  EXPECT_THAT(o.out, ContainsRegex("explored 12 design points in .* points/s\\)"));
  EXPECT_THAT(o.out, HasSubstr("wrote " + Path("dse.html")));
  // Progress goes to a terminal only.
  EXPECT_THAT(o.err, Not(HasSubstr("exploring")));

  const std::string json = ReadText(Path("dse.json"));
  EXPECT_THAT(json, HasSubstr("\"schema_version\": 1"));
  EXPECT_THAT(json, HasSubstr("\"points\": 12"));
  EXPECT_EQ(Count(json, "\"label\": "), 13u);  // twelve points and the chosen design
  EXPECT_THAT(json, HasSubstr("\"evaluation_groups\": 3"));
  EXPECT_THAT(json, ContainsRegex("\"sha256\": \"[0-9a-f]{64}\""));

  const std::string csv = ReadText(Path("dse.csv"));
  EXPECT_EQ(Count(csv, "\n"), 13u);

  const std::string html = ReadText(Path("dse.html"));
  EXPECT_THAT(html, HasSubstr("id=\"pareto-table\""));
  EXPECT_THAT(html, HasSubstr("id=\"layer-table\""));
  EXPECT_EQ(Count(html, "<tr data-index="), Count(json, "\"pareto\": true"));
  EXPECT_GT(Count(json, "\"pareto\": true"), 0u);
}

// An L1 of 8 bytes per PE leaves some layer without a mapping: those points are infeasible with
// the reason, and the chosen design is one of the others.
TEST_F(DseCommandTest, PointsWithoutAMappingAreInfeasibleWithTheReason) {
  const Outcome o = Run({"dse", Network(), "--sweep", kSweep, "--max-candidates", "300",
                         "--json", Path("dse.json")});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, ContainsRegex("infeasible: [0-9]+ points?: [0-9]+ layer\\(s\\) have no "
                                   "mapping that fits this hardware"));
  EXPECT_THAT(o.out, ContainsRegex("chosen design \\(#[0-9]+, lowest edp\\): pes=[0-9]+ simd=1 "
                                   "l1=512 "));
}

TEST_F(DseCommandTest, SameJsonForOneAndTwoThreads) {
  const Outcome one = Run({"dse", Network(), "--sweep", kSweep, "--max-candidates", "300",
                           "--threads", "1", "--json", Path("one.json")});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const Outcome two = Run({"dse", Network(), "--sweep", kSweep, "--max-candidates", "300",
                           "--threads", "2", "--json", Path("two.json")});
  ASSERT_EQ(two.exit_code, 0) << two.err;
  const std::string a = WithoutRunLines(ReadText(Path("one.json")));
  const std::string b = WithoutRunLines(ReadText(Path("two.json")));
  EXPECT_GT(a.size(), 1000u);
  EXPECT_EQ(a, b);
}

TEST_F(DseCommandTest, BudgetsRuleOutPointsAndNoFeasiblePointExitsOne) {
  const Outcome o = Run({"dse", Network(), "--sweep", kSweep, "--max-candidates", "300",
                         "--area-budget", "1", "--json", Path("dse.json"), "-o",
                         Path("dse.html")});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.out, HasSubstr("feasible: 0 of 12"));
  EXPECT_THAT(o.out, ContainsRegex("infeasible: [0-9]+ points: area over budget"));
  EXPECT_THAT(o.err, HasSubstr("cadenza: error: no design point of " + kSweep + " is feasible"));
  // The report is still written, and says so.
  const std::string json = ReadText(Path("dse.json"));
  EXPECT_THAT(json, HasSubstr("\"best\": null"));
  EXPECT_THAT(json, HasSubstr("\"chosen\": null"));
  EXPECT_THAT(json, HasSubstr("\"area_um2\": 1,"));
  EXPECT_THAT(ReadText(Path("dse.html")), HasSubstr("No design point is feasible"));
}

TEST_F(DseCommandTest, MissingSweepFileExitsOneNamingItAndWritesNothing) {
  const std::string missing = Path("no-such-sweep.textproto");
  const Outcome o = Run({"dse", Network(), "--sweep", missing, "--json", Path("dse.json")});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("cadenza: error: " + missing));
  EXPECT_THAT(o.out, IsEmpty());
  EXPECT_FALSE(fs::exists(Path("dse.json")));
}

TEST_F(DseCommandTest, BadSweepFileExitsOneWithItsLine) {
  WriteText(Path("bad.textproto"), "base { num_pes: 16 }\nnum_pes { values: [16, 16] }\n");
  const Outcome o = Run({"dse", Network(), "--sweep", Path("bad.textproto")});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("cadenza: error: " + Path("bad.textproto")));
}

TEST_F(DseCommandTest, UsageErrorsExitTwo) {
  const std::vector<std::vector<std::string>> cases = {
      {"dse", Network(), "--sweep", kSweep, "--objective", "speed"},
      {"dse", Network()},
      {"dse", "--sweep", kSweep},
      {"dse", Network(), "--sweep", kSweep, "--area-budget", "-5"},
      {"dse", Network(), "--sweep", kSweep, "--power-budget", "0"},
      {"dse", Network(), "--sweep", kSweep, "--max-candidates", "0"},
      {"dse", Network(), "--sweep", kSweep, "--batch", "2"},
      {"dse", Network(), "--sweep", kSweep, "--json", Path("a.json"), "--csv", Path("a.json")},
      {"dse", Network(), "--sweep", kSweep, "--json", kSweep},
  };
  for (const std::vector<std::string>& args : cases) {
    const Outcome o = Run(args);
    EXPECT_EQ(o.exit_code, 2) << args.back() << "\n" << o.err;
    EXPECT_THAT(o.err, AllOf(HasSubstr("cadenza: usage error: "), HasSubstr("cadenza dse --help")))
        << args.back();
  }
  const Outcome o = Run({"dse", Network(), "--sweep", kSweep, "--objective", "speed"});
  EXPECT_THAT(o.err, HasSubstr("unknown objective 'speed'"));
}

TEST_F(DseCommandTest, IsListedAndHasHelp) {
  EXPECT_THAT(Run({"--help"}).out, HasSubstr("  dse "));
  const Outcome o = Run({"dse", "--help"});
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_THAT(o.out, AllOf(HasSubstr("--sweep"), HasSubstr("--area-budget"),
                           HasSubstr("--power-budget"), HasSubstr("--max-candidates")));
}

}  // namespace
