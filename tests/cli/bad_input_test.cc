// Runs `cadenza` on every file of tests/data/bad/ as tests/data/bad/MANIFEST says, and checks
// that bad input is refused the way the README promises: the listed exit code (1 bad input, 2
// usage error), one message naming the file and the place, no output file left behind, within
// bounded time and memory, and never a crash, an internal error or a sanitizer report.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/cadenza_run.h"
#include "tests/support/files.h"
#include "tests/support/paths.h"

namespace cadenza::test {
namespace {

namespace fs = std::filesystem;

// Limits for one run. Sanitized builds are several times slower and reserve terabytes of
// address space for their shadow memory, so they get more time and no address-space limit;
// their peak resident memory is still checked.
constexpr auto kTimeLimit = std::chrono::seconds(kSanitizedBuild ? 60 : 20);
constexpr uint64_t kAddressSpaceLimit = uint64_t{2} << 30;  // 2 GiB
constexpr long kMaxResidentKiB = kSanitizedBuild ? 1536L << 10 : 1024L << 10;

const fs::path kBadDir = SourcePath("tests/data/bad");

// One line of the MANIFEST: FILE | ARGUMENTS | EXIT | STDERR.
struct Case {
  std::string file;                // in tests/data/bad/, or "-" for none
  std::vector<std::string> args;   // cadenza's arguments, placeholders not yet replaced
  int exit_code = 1;
  std::string stderr_substring;    // placeholders not yet replaced
  int line = 0;                    // in the MANIFEST
};

// Names the case in test output (gtest would print its bytes).
void PrintTo(const Case& c, std::ostream* os) {
  *os << "MANIFEST line " << c.line << " (" << c.file << ")";
}

std::string Trim(const std::string& s) {
  const size_t begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(" \t\r") - begin + 1);
}

std::vector<std::string> SplitOn(const std::string& s, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(s);
  while (std::getline(in, part, separator)) parts.push_back(part);
  if (!s.empty() && s.back() == separator) parts.push_back("");
  return parts;
}

std::vector<Case> ReadManifest() {
  std::vector<Case> cases;
  std::ifstream in(kBadDir / "MANIFEST");
  std::string text;
  for (int line = 1; std::getline(in, text); ++line) {
    text = Trim(text);
    if (text.empty() || text[0] == '#') continue;
    const std::vector<std::string> fields = SplitOn(text, '|');
    Case c;
    c.line = line;
    if (fields.size() != 4) {
      c.file = "MANIFEST line " + std::to_string(line) + " has " + std::to_string(fields.size()) +
               " fields, not 4";
      c.exit_code = -1;
      cases.push_back(c);
      continue;
    }
    c.file = Trim(fields[0]);
    std::istringstream args(fields[1]);
    for (std::string arg; args >> arg;) c.args.push_back(arg);
    c.exit_code = std::atoi(Trim(fields[2]).c_str());
    c.stderr_substring = Trim(fields[3]);
    cases.push_back(c);
  }
  return cases;
}

// `text` with every "{}" replaced by `file` and every "OUT" at the start of a path by `out`.
std::string Substitute(std::string text, const std::string& file, const std::string& out) {
  for (size_t at = text.find("{}"); at != std::string::npos; at = text.find("{}", at)) {
    text.replace(at, 2, file);
    at += file.size();
  }
  if (text.rfind("OUT/", 0) == 0) text = out + text.substr(3);
  return text;
}

class BadInputTest : public ::testing::TestWithParam<Case> {};

TEST_P(BadInputTest, RefusedCleanly) {
  const Case& c = GetParam();
  ASSERT_GE(c.exit_code, 0) << c.file;
  const std::string file = c.file == "-" ? "" : "tests/data/bad/" + c.file;
  if (!file.empty()) {
    ASSERT_TRUE(fs::exists(kBadDir / c.file)) << "MANIFEST line " << c.line << ": no file " << file;
  }

  // OUT: a fresh empty directory for the outputs.
  const TempDir scratch;
  const fs::path out = scratch.path() / "out";
  fs::create_directory(out);

  std::vector<std::string> args;
  for (const std::string& a : c.args) args.push_back(Substitute(a, file, out.string()));
  SCOPED_TRACE("MANIFEST line " + std::to_string(c.line) + ": " +
               ShellCommandLine("cadenza", args));

  // From the repository root, as the MANIFEST's relative paths need. RunCadenza fails the test on
  // a signal, the timeout or a sanitizer report.
  RunOptions options;
  options.working_dir = SourceDir();
  options.timeout = kTimeLimit;
  if (!kSanitizedBuild) options.address_space_limit_bytes = kAddressSpaceLimit;
  options.cpu_limit_seconds = static_cast<int>(2 * kTimeLimit.count());
  const RunResult r = RunCadenza(args, options);
  EXPECT_EQ(r.exit_code, c.exit_code) << r.Describe() << "\n" << r.err;
  EXPECT_LT(r.max_resident_kib, kMaxResidentKiB) << "peak resident memory in KiB";
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;

  if (c.exit_code != 0) {
    const char* prefix = c.exit_code == 2 ? "cadenza: usage error: " : "cadenza: error: ";
    EXPECT_NE(r.err.find(prefix), std::string::npos) << r.err;
    const std::string expected = Substitute(c.stderr_substring, file, out.string());
    EXPECT_NE(r.err.find(expected), std::string::npos)
        << "stderr does not contain '" << expected << "':\n" << r.err;
    if (!file.empty() && c.exit_code == 1) {
      EXPECT_NE(r.err.find(file), std::string::npos) << "the message does not name " << file;
    }
    std::vector<std::string> left;
    for (const fs::directory_entry& e : fs::directory_iterator(out)) {
      left.push_back(e.path().filename().string());
    }
    EXPECT_TRUE(left.empty()) << "output left behind: " << ::testing::PrintToString(left);
  }
}

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  std::string name = info.param.file == "-" ? "usage" : info.param.file;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name + "_line" + std::to_string(info.param.line);
}

INSTANTIATE_TEST_SUITE_P(Manifest, BadInputTest, ::testing::ValuesIn(ReadManifest()), CaseName);

// The MANIFEST's lines and the files of tests/data/bad/ match one to one, the notes and
// generators aside: every file is run, and every line names a file that is there.
TEST(BadInputManifestTest, ListsEveryFileAndOnlyFilesThatExist) {
  std::set<std::string> listed;
  for (const Case& c : ReadManifest()) {
    if (c.file != "-") listed.insert(c.file);
  }
  std::set<std::string> on_disk;
  for (const fs::directory_entry& e : fs::directory_iterator(kBadDir)) {
    const std::string name = e.path().filename().string();
    if (name == "MANIFEST" || name == "README.md" || e.path().extension() == ".py") continue;
    on_disk.insert(name);
  }
  EXPECT_GE(on_disk.size(), 69u);  // the corpus as of this writing; it only grows
  EXPECT_EQ(listed, on_disk);
}

}  // namespace
}  // namespace cadenza::test
