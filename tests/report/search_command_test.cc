// `cadenza search` as a user runs it: the files it writes, its summary, and how it refuses bad
// options (exit 2) and bad input (exit 1) without leaving a file behind.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
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
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("cadenza_search_test_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    WriteText(dir_ / "tiny.m", kNetwork);
    WriteText(dir_ / "hw.m", kHardware);
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
    const fs::path out = fs::temp_directory_path() / (dir_.filename().string() + ".stdout");
    const fs::path err = fs::temp_directory_path() / (dir_.filename().string() + ".stderr");
    command += " </dev/null >" + Quote(out.string()) + " 2>" + Quote(err.string());
    const int status = std::system(command.c_str());
    Outcome o;
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    o.out = ReadText(out);
    o.err = ReadText(err);
    fs::remove(out);
    fs::remove(err);
    EXPECT_THAT(o.err, Not(HasSubstr("Sanitizer"))) << command;
    EXPECT_THAT(o.err, Not(HasSubstr("runtime error:"))) << command;
    return o;
  }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  std::vector<std::string> Files() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }
  const std::vector<std::string> kInputs = {"hw.m", "tiny.m"};

  fs::path dir_;
};

TEST_F(SearchCommandTest, WritesTheReportJsonAndCsvAndSummarises) {
  const Outcome o = Run({"search", Path("tiny.m"), "--hw", Path("hw.m"), "-o", Path("r.html"),
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

  const std::string html = ReadText(Path("r.html"));
  EXPECT_EQ(Count(html, "<tr data-layer="), 3u);
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  const std::string json = ReadText(Path("r.json"));
  EXPECT_THAT(json, ContainsRegex("\"sha256\": \"[0-9a-f]{64}\""));
  EXPECT_THAT(json, HasSubstr("\"source\": \"" + Path("hw.m") + "\""));
  EXPECT_THAT(json, HasSubstr("\"num_pes\": 16"));
  EXPECT_THAT(json, ContainsRegex("\"command_line\": \"cadenza search [^\"]*tiny.m --hw"));
  EXPECT_EQ(Count(ReadText(Path("r.csv")), "\n"), 4u);
  EXPECT_EQ(Files(), (std::vector<std::string>{"hw.m", "r.csv", "r.html", "r.json", "tiny.m"}));
}

TEST_F(SearchCommandTest, ResultDoesNotDependOnTheThreadCount) {
  ASSERT_EQ(Run({"search", Path("tiny.m"), "--hw", Path("hw.m"), "--csv", Path("one.csv"),
                 "--threads", "1"}).exit_code, 0);
  ASSERT_EQ(Run({"search", Path("tiny.m"), "--hw", Path("hw.m"), "--csv", Path("two.csv"),
                 "--threads", "2"}).exit_code, 0);
  EXPECT_EQ(ReadText(Path("one.csv")), ReadText(Path("two.csv")));
}

TEST_F(SearchCommandTest, DefaultHardwareIsThePreset) {
  const Outcome o = Run({"search", Path("tiny.m"), "--json", Path("r.json"), "--objective",
                         "latency"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("on 256 PEs, objective latency"));
  const std::string json = ReadText(Path("r.json"));
  EXPECT_THAT(json, HasSubstr("built-in default"));
  EXPECT_THAT(json, HasSubstr("\"l1_bytes\": 1024"));
  EXPECT_THAT(json, HasSubstr("\"objective\": \"latency\""));
}

TEST_F(SearchCommandTest, OnnxModelWithItsDigest) {
  const Outcome o = Run({"search", kSource + "/models/resnet50.onnx", "--max-candidates", "40",
                         "--json", Path("r.json"), "--batch", "1"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("resnet50: 54 layers"));
  const std::string json = ReadText(Path("r.json"));
  EXPECT_EQ(Count(json, "\n      \"index\": "), 54u);
  EXPECT_THAT(json, HasSubstr("\"other_ops\": {\n    \"Add\": 16"));
}

TEST_F(SearchCommandTest, ListTemplatesPrintsTheLibraryAndTheUsersFile) {
  const Outcome builtin = Run({"search", "--list-templates"});
  EXPECT_EQ(builtin.exit_code, 0);
  EXPECT_THAT(builtin.out, AllOf(HasSubstr("Template kcp"), HasSubstr("Template tpu")));
  const std::string user = kSource + "/models/templates/example.tmpl";
  const Outcome with_user = Run({"search", "--list-templates", "--templates", user});
  EXPECT_EQ(with_user.exit_code, 0) << with_user.err;
  EXPECT_THAT(with_user.out, HasSubstr(ReadText(user)));
}

TEST_F(SearchCommandTest, BadOptionsAreUsageErrorsAndWriteNothing) {
  const std::vector<std::vector<std::string>> cases = {
      {"search"},
      {"search", Path("tiny.m"), "--objective", "fast"},
      {"search", Path("tiny.m"), "--threads", "-1"},
      {"search", Path("tiny.m"), "--max-candidates", "0"},
      {"search", Path("tiny.m"), "--batch", "2"},
      {"search", Path("tiny.m"), "--skip-unresolved"},
      {"search", Path("hw.txt")},
      {"search", Path("tiny.m"), "--bogus"},
      {"search", Path("tiny.m"), "-o", Path("same"), "--json", Path("same")},
      {"search", Path("tiny.m"), "--json", Path("tiny.m")},
  };
  for (const auto& args : cases) {
    const Outcome o = Run(args);
    EXPECT_EQ(o.exit_code, 2) << args.back() << "\n" << o.err;
    EXPECT_THAT(o.err, HasSubstr("cadenza: usage error: ")) << args.back();
    EXPECT_THAT(o.err, HasSubstr("Try 'cadenza search --help'")) << args.back();
  }
  EXPECT_EQ(Files(), kInputs);
}

TEST_F(SearchCommandTest, BadInputExitsOneNamingTheFileAndWritesNothing) {
  WriteText(dir_ / "bad_hw.m", "num_pes: 16\nbogus_key: 3\n");
  WriteText(dir_ / "bad.tmpl", "Template oops {\n");
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
    const Outcome o = Run(c.args);
    EXPECT_EQ(o.exit_code, 1) << c.named << "\n" << o.err;
    EXPECT_THAT(o.err, HasSubstr("cadenza: error: " + c.named)) << o.err;
    EXPECT_THAT(o.out, IsEmpty()) << c.named;
  }
  EXPECT_EQ(Files(), (std::vector<std::string>{"bad.tmpl", "bad_hw.m", "hw.m", "tiny.m"}));
}

TEST_F(SearchCommandTest, LayersWithoutAMappingStillGetTheirReportAndExitOne) {
  WriteText(dir_ / "small_l1.m", "num_pes: 16\nl1_size_cstr: 1\n");
  const Outcome o = Run({"search", Path("tiny.m"), "--hw", Path("small_l1.m"), "-o",
                         Path("r.html"), "--json", Path("r.json")});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_THAT(o.err, HasSubstr("3 layer(s) have no feasible mapping"));
  EXPECT_THAT(o.out, HasSubstr("no feasible mapping"));
  EXPECT_EQ(Count(ReadText(Path("r.html")), "<tr data-layer="), 3u);
  EXPECT_THAT(ReadText(Path("r.json")), HasSubstr("\"layers_without_mapping\": 3"));
}

}  // namespace
