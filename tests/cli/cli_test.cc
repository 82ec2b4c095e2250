// Runs the built `cadenza` binary as a user would: exit codes, messages, and the files it writes
// (or, on failure, does not write).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/cadenza_run.h"
#include "tests/support/files.h"
#include "tests/support/paths.h"

namespace cadenza::test {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

const std::string kHw256 = SourcePath("tests/data/maestro/hw/hw256_bw32.m");

// A two-layer CONV network with single-level dataflows (K across PEs); `extra` is appended
// inside the network.
std::string SmallNetwork(const std::string& extra = "") {
  return "Network small {\n"
         "  Layer first {\n"
         "    Type: CONV\n"
         "    Dimensions { K: 16, C: 4, R: 3, S: 3, Y: 10, X: 10 }\n"
         "    Dataflow {\n"
         "      SpatialMap(1,1) K;\n"
         "      TemporalMap(1,1) C;\n"
         "      TemporalMap(Sz(R),1) Y;\n"
         "      TemporalMap(Sz(S),1) X;\n"
         "      TemporalMap(Sz(R),Sz(R)) R;\n"
         "      TemporalMap(Sz(S),Sz(S)) S;\n"
         "    }\n"
         "  }\n" +
         extra +
         "  Layer last {\n"
         "    Type: CONV\n"
         "    Dimensions { K: 8, C: 16, R: 1, S: 1, Y: 8, X: 8 }\n"
         "    Dataflow {\n"
         "      SpatialMap(1,1) K;\n"
         "      TemporalMap(1,1) C;\n"
         "      TemporalMap(1,1) Y;\n"
         "      TemporalMap(1,1) X;\n"
         "    }\n"
         "  }\n"
         "}\n";
}

class CliTest : public ::testing::Test {
 protected:
  RunResult Run(const std::vector<std::string>& args) { return RunCadenza(args); }
  std::string Path(const std::string& name) const { return dir_.Path(name); }
  /// Files in the test directory (temporary files included), for "nothing was created" checks.
  std::vector<std::string> Files() const { return dir_.Files(); }

  TempDir dir_;
};

TEST_F(CliTest, HelpAndVersionExitZero) {
  for (const char* flag : {"--help", "-h"}) {
    const RunResult o = Run({flag});
    EXPECT_EQ(o.exit_code, 0) << flag;
    EXPECT_THAT(o.out, AllOf(HasSubstr("cadenza [--help] [--version] SUBCOMMAND"), HasSubstr("eval"), HasSubstr("layers")));
    EXPECT_THAT(o.err, IsEmpty());
  }
  const RunResult v = Run({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_THAT(v.out, ContainsRegex("^cadenza [0-9]+\\.[0-9]+\\.[0-9]+\n$"));
}

TEST_F(CliTest, SubcommandHelpExitsZero) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"eval", "--help"}, std::vector<std::string>{"help", "eval"}}) {
    const RunResult o = Run(args);
    EXPECT_EQ(o.exit_code, 0);
    EXPECT_THAT(o.out, AllOf(HasSubstr("--mapping"), HasSubstr("--hw"), HasSubstr("--simd-lanes"),
                             HasSubstr("--csv"), HasSubstr("--json")));
  }
}

TEST_F(CliTest, NoArgumentsIsAUsageError) {
  const RunResult o = Run({});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_THAT(o.err, HasSubstr("cadenza [--help] [--version] SUBCOMMAND"));
  EXPECT_THAT(o.out, IsEmpty());
}

TEST_F(CliTest, UnknownSubcommandIsAUsageErrorWithASuggestion) {
  const RunResult o = Run({"evl"});
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_THAT(o.err, HasSubstr("cadenza: usage error: unknown subcommand 'evl'; did you mean 'eval'?"));
  EXPECT_THAT(o.out, IsEmpty());
}

TEST_F(CliTest, UnknownOptionIsAUsageError) {
  const RunResult top = Run({"--frobnicate"});
  EXPECT_EQ(top.exit_code, 2);
  EXPECT_THAT(top.err, AllOf(HasSubstr("usage error"), HasSubstr("frobnicate")));
  const RunResult sub = Run({"eval", "--mapping", "a.m", "--hw", "b.m", "--frobnicate"});
  EXPECT_EQ(sub.exit_code, 2);
  EXPECT_THAT(sub.err, AllOf(HasSubstr("usage error"), HasSubstr("frobnicate"),
                             HasSubstr("cadenza eval --help")));
}

TEST_F(CliTest, BadOptionValuesAreUsageErrors) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"eval", "--hw", kHw256}, "eval: --mapping is required"},
      {{"eval", "--mapping", "x.m", "--hw", kHw256, "--simd-lanes", "0"},
       "eval: --simd-lanes must be at least 1"},
      // cxxopts' own message, which does not name the option.
      {{"eval", "--mapping", "x.m", "--hw", kHw256, "--simd-lanes", "two"},
       "argument 'two' failed to parse"},
      {{"eval", "--mapping", "x.m", "--hw", kHw256, "stray"}, "eval: unexpected argument 'stray'"},
  };
  for (const Case& c : cases) {
    const RunResult o = Run(c.args);
    EXPECT_EQ(o.exit_code, 2) << c.message;
    EXPECT_EQ(o.err, "cadenza: usage error: " + c.message + "\nTry 'cadenza eval --help'.\n");
    EXPECT_THAT(o.out, IsEmpty()) << c.message;
  }
}

TEST_F(CliTest, MissingInputFileExitsOneNamingTheFile) {
  const std::string missing = Path("no_such_network.m");
  const RunResult o = Run({"eval", "--mapping", missing, "--hw", kHw256, "--csv", Path("o.csv")});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, StartsWith("cadenza: error: " + missing));
  const std::string net = Path("net.m");
  WriteFile(net, SmallNetwork());
  const std::string missing_hw = Path("no_such_hw.m");
  const RunResult h = Run({"eval", "--mapping", net, "--hw", missing_hw, "--csv", Path("o.csv")});
  EXPECT_EQ(h.exit_code, 1);
  EXPECT_THAT(h.err, StartsWith("cadenza: error: " + missing_hw));
  EXPECT_THAT(Files(), ::testing::ElementsAre("net.m"));
}

TEST_F(CliTest, SyntaxErrorExitsOneWithFileAndLine) {
  const std::string net = Path("broken.m");
  WriteFile(net, "Network n {\n  Layer l {\n    Type: CONVV\n  }\n}\n");
  const RunResult o = Run({"eval", "--mapping", net, "--hw", kHw256, "--json", Path("o.json")});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, StartsWith("cadenza: error: " + net + ":3:"));
  EXPECT_FALSE(fs::exists(Path("o.json")));
}

TEST_F(CliTest, EvalWritesTheOriginalsCsvHeaderAndJson) {
  const std::string net = Path("net.m");
  WriteFile(net, SmallNetwork());
  const std::string csv = Path("out.csv");
  const std::string json = Path("out.json");
  const RunResult o = Run({"eval", "--mapping", net, "--hw", kHw256, "--csv", csv, "--json", json});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  // The only message: the first layer's off-chip need is above the file's 16 elements/cycle.
  EXPECT_EQ(o.err, "cadenza: warning: " + net + ":2: layer 'first': off-chip bandwidth need 17 "
                   "elements/cycle exceeds the 16 available (a soft limit on this hardware)\n");
  EXPECT_THAT(o.out, AllOf(HasSubstr("first"), HasSubstr("last"), HasSubstr("total (2 layers)"),
                           HasSubstr("wrote " + csv), HasSubstr("wrote " + json)));

  // The header starts with the original tool's header line, byte for byte.
  const std::string reference = Lines(
      ReadFile(SourcePath("tests/data/maestro/outputs/hw256_bw32/vgg16_conv1_1__kcp.csv")))[0];
  const std::vector<std::string> lines = Lines(ReadFile(csv));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_THAT(lines[0], StartsWith(reference + ", exact_macs,"));
  EXPECT_THAT(lines[1], StartsWith("small,first,256,"));
  EXPECT_THAT(lines[2], StartsWith("small,last,256,"));

  const std::string doc = ReadFile(json);
  EXPECT_THAT(doc, AllOf(StartsWith("{"), EndsWith("}\n"), HasSubstr("\"tool\": \"cadenza\""),
                         HasSubstr("\"network\": \"small\""), HasSubstr("\"name\": \"first\""),
                         HasSubstr("\"name\": \"last\""), HasSubstr("\"total\": {")));
  EXPECT_THAT(Files(), ::testing::UnorderedElementsAre("net.m", "out.csv", "out.json"));
}

// A single-level dataflow's row equals the original tool's, all 52 columns, byte for byte.
TEST_F(CliTest, RowMatchesTheOriginalTool) {
  const std::string csv = Path("out.csv");
  const RunResult o =
      Run({"eval", "--mapping", SourcePath("tests/data/maestro/single/vgg16_conv1_1__xp.m"),
           "--hw", kHw256, "--csv", csv});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const std::vector<std::string> ours = Lines(ReadFile(csv));
  const std::vector<std::string> theirs = Lines(
      ReadFile(SourcePath("tests/data/maestro/outputs/hw256_bw32/vgg16_conv1_1__xp.csv")));
  ASSERT_EQ(ours.size(), 2u);
  ASSERT_EQ(theirs.size(), 2u);
  // Cut our row after the 52nd column.
  size_t at = 0;
  for (int commas = 0; commas < 52 && at != std::string::npos; ++commas) {
    at = ours[1].find(',', at + (commas > 0 ? 1 : 0));
  }
  EXPECT_EQ(ours[1].substr(0, at), theirs[1]);
}

TEST_F(CliTest, UnwritableOutputLeavesNoFileAndExitsOne) {
  const std::string net = Path("net.m");
  WriteFile(net, SmallNetwork());
  const std::string in_missing_dir = Path("no_such_dir/out.csv");
  const RunResult o = Run({"eval", "--mapping", net, "--hw", kHw256, "--csv", in_missing_dir});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("cadenza: error: " + in_missing_dir + ": cannot write"));
  // A directory in the way: the temporary file is written, the rename fails, nothing remains.
  fs::create_directory(Path("taken"));
  const RunResult d = Run({"eval", "--mapping", net, "--hw", kHw256, "--json", Path("taken")});
  EXPECT_EQ(d.exit_code, 1);
  EXPECT_THAT(d.err, HasSubstr("cadenza: error: " + Path("taken") + ": cannot write"));
  EXPECT_THAT(Files(), ::testing::UnorderedElementsAre("net.m", "taken"));
  EXPECT_TRUE(fs::is_empty(Path("taken")));
}

TEST_F(CliTest, OutputReplacesAnExistingFileWhole) {
  const std::string net = Path("net.m");
  WriteFile(net, SmallNetwork());
  const std::string csv = Path("out.csv");
  WriteFile(csv, std::string(100000, 'x'));
  ASSERT_EQ(Run({"eval", "--mapping", net, "--hw", kHw256, "--csv", csv}).exit_code, 0);
  const std::string text = ReadFile(csv);
  EXPECT_THAT(text, StartsWith("Neural Network Name,"));
  EXPECT_THAT(text, Not(HasSubstr("xxx")));
}

TEST_F(CliTest, DashWritesTheDocumentToStandardOutputAndTheTableToStandardError) {
  const std::string net = Path("net.m");
  WriteFile(net, SmallNetwork());
  const RunResult o = Run({"eval", "--mapping", net, "--hw", kHw256, "--json", "-"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, StartsWith("{"));
  EXPECT_THAT(o.out, HasSubstr("\"tool\": \"cadenza\""));
  EXPECT_THAT(o.out, Not(HasSubstr("wrote")));
  EXPECT_THAT(o.err, HasSubstr("first"));  // the table
  EXPECT_THAT(Files(), ::testing::UnorderedElementsAre("net.m"));
  const RunResult both = Run({"eval", "--mapping", net, "--hw", kHw256, "--json", "-", "--csv", "-"});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_THAT(both.err, HasSubstr("--json and --csv both write to standard output"));
}

TEST_F(CliTest, OutputThroughASymlinkReplacesItsTargetAndKeepsTheLink) {
  const std::string net = Path("net.m");
  WriteFile(net, SmallNetwork());
  const std::string target = Path("target.csv");
  WriteFile(target, "old");
  fs::create_symlink("target.csv", Path("link.csv"));
  ASSERT_EQ(Run({"eval", "--mapping", net, "--hw", kHw256, "--csv", Path("link.csv")}).exit_code, 0);
  EXPECT_TRUE(fs::is_symlink(Path("link.csv")));
  EXPECT_THAT(ReadFile(target), StartsWith("Neural Network Name,"));
  // Two outputs that reach one file through a link are one file.
  const RunResult same = Run({"eval", "--mapping", net, "--hw", kHw256, "--csv", Path("link.csv"),
                            "--json", target});
  EXPECT_EQ(same.exit_code, 2);
  EXPECT_THAT(same.err, HasSubstr("name the same file"));
}

TEST_F(CliTest, OutputToADeviceWritesThroughIt) {
  const std::string net = Path("net.m");
  WriteFile(net, SmallNetwork());
  fs::create_symlink("/dev/null", Path("mynull"));
  const RunResult o = Run({"eval", "--mapping", net, "--hw", kHw256, "--csv", "/dev/null", "--json",
                         Path("mynull")});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
  EXPECT_TRUE(fs::is_symlink(Path("mynull")));
  EXPECT_THAT(Files(), ::testing::UnorderedElementsAre("net.m", "mynull"));
}

TEST_F(CliTest, OneBadLayerFailsAloneAndTheOthersAreWritten) {
  const std::string net = Path("net.m");
  // Line 14 holds the Cluster directive at fault: 300 PEs per cluster on a 256-PE array.
  WriteFile(net, SmallNetwork("  Layer bad {\n"              // line 14
                              "    Type: CONV\n"
                              "    Dimensions { K: 16, C: 4, R: 3, S: 3, Y: 10, X: 10 }\n"
                              "    Dataflow {\n"
                              "      SpatialMap(1,1) K;\n"
                              "      Cluster(300, P);\n"     // line 19
                              "      SpatialMap(1,1) C;\n"
                              "    }\n"
                              "  }\n"));
  const std::string csv = Path("out.csv");
  const std::string json = Path("out.json");
  // Exit 1 writes nothing unless partial output is asked for.
  const RunResult strict = Run({"eval", "--mapping", net, "--hw", kHw256, "--csv", csv, "--json", json});
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_THAT(strict.err, HasSubstr("no output written because a layer could not be evaluated"));
  EXPECT_FALSE(fs::exists(csv));
  EXPECT_FALSE(fs::exists(json));
  const RunResult o = Run({"eval", "--mapping", net, "--hw", kHw256, "--csv", csv, "--json", json,
                         "--keep-going"});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("cadenza: error: " + net +
                               ":19: layer 'bad': Cluster(300, P): the product of the Cluster "
                               "sizes exceeds the number of PEs"));
  const std::vector<std::string> lines = Lines(ReadFile(csv));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_THAT(lines[1], StartsWith("small,first,256,"));
  EXPECT_THAT(lines[2], StartsWith("small,bad,,,"));
  EXPECT_THAT(lines[2], HasSubstr("error: " + net + ":19: layer 'bad'"));
  EXPECT_THAT(lines[3], StartsWith("small,last,256,"));
  const std::string doc = ReadFile(json);
  EXPECT_THAT(doc, HasSubstr("\"error\": \"" + net + ":19: layer 'bad': Cluster(300, P)"));
  EXPECT_THAT(doc, HasSubstr("\"infeasible\": \"cluster-exceeds-pes\""));
  EXPECT_THAT(doc, HasSubstr("\"failed\": 1"));
}

TEST_F(CliTest, WarnsWhenTheModelsMacCountIsNotTheLayers) {
  const std::string csv = Path("out.csv");
  const std::string m = SourcePath("tests/data/maestro/single/r50_conv1_7x7s2__yxp.m");
  const RunResult o = Run({"eval", "--mapping", m, "--hw", kHw256, "--csv", csv});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.err, HasSubstr("cadenza: warning: " + m));
  EXPECT_THAT(o.err, HasSubstr("layer 'r50_conv1_7x7s2': the cost model counts 204,680,448 "
                               "MACs, the layer has 118,013,952 (strided layer; see "
                               "docs/maestro-compatibility.md)"));
  EXPECT_THAT(Lines(ReadFile(csv))[1],
              HasSubstr(", \"the cost model counts 204,680,448 MACs, the layer has 118,013,952 "
                        "(strided layer; see docs/maestro-compatibility.md)"));
}

TEST_F(CliTest, WarnsWhenBuffersExceedTheHardware) {
  const std::string net = Path("net.m");
  WriteFile(net, SmallNetwork());
  const std::string hw = Path("tiny.m");
  WriteFile(hw, "num_pes: 256\nl1_size_cstr: 4\nl2_size_cstr: 10\nnoc_bw_cstr: 32\n");
  const RunResult o = Run({"eval", "--mapping", net, "--hw", hw});
  EXPECT_EQ(o.exit_code, 0) << o.err;  // the original also only warns
  EXPECT_THAT(o.err, HasSubstr("bytes of L1 per PE, the hardware has 4"));
  EXPECT_THAT(o.err, HasSubstr("bytes of L2, the hardware has 10"));
}

TEST_F(CliTest, SimdLanesChangeTheVectorWidthColumn) {
  const std::string net = Path("net.m");
  WriteFile(net, SmallNetwork());
  const std::string csv = Path("out.csv");
  ASSERT_EQ(Run({"eval", "--mapping", net, "--hw", kHw256, "--simd-lanes", "4", "--csv", csv})
                .exit_code,
            0);
  std::vector<std::string> fields;
  std::istringstream row(Lines(ReadFile(csv))[1]);
  for (std::string f; std::getline(row, f, ',');) fields.push_back(f);
  ASSERT_GT(fields.size(), 13u);
  EXPECT_EQ(fields[12], "4");  // column 13, Vector Width
}

// Every corrupt `.m` file kept in tests/data/bad/ is refused with exit code 1 and a message naming
// the file, never an internal error.
TEST_F(CliTest, BadInputsAreRefused) {
  const fs::path bad = SourcePath("tests/data/bad");
  if (!fs::exists(bad)) GTEST_SKIP() << "no tests/data/bad";
  for (const auto& e : fs::directory_iterator(bad)) {
    if (e.path().extension() != ".m") continue;
    const std::string csv = Path("out.csv");
    const RunResult o = Run({"eval", "--mapping", e.path().string(), "--hw", kHw256, "--csv", csv});
    EXPECT_EQ(o.exit_code, 1) << e.path();
    EXPECT_THAT(o.err, HasSubstr(e.path().string())) << e.path();
    EXPECT_THAT(o.err, Not(HasSubstr("internal error"))) << e.path();
  }
}

}  // namespace
}  // namespace cadenza::test
