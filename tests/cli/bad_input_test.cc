// Runs `cadenza` on every file of tests/data/bad/ as tests/data/bad/MANIFEST says, and checks
// that bad input is refused the way the README promises: the listed exit code (1 bad input, 2
// usage error), one message naming the file and the place, no output file left behind, within
// bounded time and memory, and never a crash, an internal error or a sanitizer report.

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

// Limits for one run. Sanitized builds are several times slower and reserve terabytes of
// address space for their shadow memory, so they get more time and no address-space limit;
// their peak resident memory is still checked.
constexpr auto kTimeLimit = std::chrono::seconds(kAddressSanitizer ? 60 : 20);
constexpr rlim_t kAddressSpaceLimit = rlim_t{2} << 30;  // 2 GiB
constexpr long kMaxResidentKiB = kAddressSanitizer ? 1536L << 10 : 1024L << 10;

const fs::path kBadDir = fs::path(CADENZA_SOURCE_DIR) / "tests/data/bad";

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

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct RunResult {
  bool timed_out = false;
  int exit_code = -1;  // when it exited
  int signal = 0;      // when a signal ended it
  long max_resident_kib = 0;
  std::string err;
  double seconds = 0;
};

// Runs cadenza with `args` in the repository root, stdout and stderr captured in `logs`.
RunResult RunCadenza(const std::vector<std::string>& args, const fs::path& logs) {
  const std::string out_path = (logs / "stdout").string();
  const std::string err_path = (logs / "stderr").string();
  std::vector<std::string> argv_storage = {CADENZA_BINARY};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    // Only async-signal-safe calls from here to exec.
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int null = open("/dev/null", O_RDONLY);
    if (out < 0 || err < 0 || null < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0 ||
        dup2(null, 0) < 0 || chdir(CADENZA_SOURCE_DIR) != 0) {
      _exit(127);
    }
    if (!kAddressSanitizer) {
      const rlimit as{kAddressSpaceLimit, kAddressSpaceLimit};
      setrlimit(RLIMIT_AS, &as);
    }
    const rlim_t cpu = static_cast<rlim_t>(2 * kTimeLimit.count());
    const rlimit cpu_limit{cpu, cpu};
    setrlimit(RLIMIT_CPU, &cpu_limit);
    execv(argv[0], argv.data());
    _exit(127);
  }
  RunResult result;
  if (pid < 0) {
    result.err = "fork failed";
    return result;
  }
  int status = 0;
  rusage usage{};
  for (;;) {
    const pid_t done = wait4(pid, &status, WNOHANG, &usage);
    if (done == pid) break;
    if (std::chrono::steady_clock::now() - start > kTimeLimit) {
      kill(pid, SIGKILL);
      wait4(pid, &status, 0, &usage);
      result.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  result.max_resident_kib = usage.ru_maxrss;
  result.err = ReadAll(err_path);
  return result;
}

class BadInputTest : public ::testing::TestWithParam<Case> {};

TEST_P(BadInputTest, RefusedCleanly) {
  const Case& c = GetParam();
  ASSERT_GE(c.exit_code, 0) << c.file;
  const std::string file = c.file == "-" ? "" : "tests/data/bad/" + c.file;
  if (!file.empty()) {
    ASSERT_TRUE(fs::exists(kBadDir / c.file)) << "MANIFEST line " << c.line << ": no file " << file;
  }

  // OUT: a fresh empty directory for the outputs; the logs live beside it.
  char scratch_template[] = "/tmp/cadenza-bad-input-XXXXXX";
  ASSERT_NE(mkdtemp(scratch_template), nullptr);
  const fs::path scratch = scratch_template;
  const fs::path out = scratch / "out";
  fs::create_directory(out);

  std::vector<std::string> args;
  for (const std::string& a : c.args) args.push_back(Substitute(a, file, out.string()));
  std::string command = "cadenza";
  for (const std::string& a : args) command += " " + a;
  SCOPED_TRACE("MANIFEST line " + std::to_string(c.line) + ": " + command);

  const RunResult r = RunCadenza(args, scratch);
  EXPECT_FALSE(r.timed_out) << "still running after " << kTimeLimit.count() << " s";
  EXPECT_EQ(r.signal, 0) << "killed by signal " << r.signal << "\n" << r.err;
  EXPECT_EQ(r.exit_code, c.exit_code) << r.err;
  EXPECT_LT(r.max_resident_kib, kMaxResidentKiB) << "peak resident memory in KiB";
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("Sanitizer"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("runtime error:"), std::string::npos) << r.err;

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
  fs::remove_all(scratch);
}

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  std::string name = info.param.file == "-" ? "usage" : info.param.file;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name + "_line" + std::to_string(info.param.line);
}

INSTANTIATE_TEST_SUITE_P(Manifest, BadInputTest, ::testing::ValuesIn(ReadManifest()), CaseName);

// Every file of tests/data/bad/ is run by some MANIFEST line, except the notes and generators.
TEST(BadInputManifestTest, ListsEveryFile) {
  std::set<std::string> listed;
  for (const Case& c : ReadManifest()) listed.insert(c.file);
  ASSERT_FALSE(listed.empty());
  for (const fs::directory_entry& e : fs::directory_iterator(kBadDir)) {
    const std::string name = e.path().filename().string();
    if (name == "MANIFEST" || name == "README.md" || e.path().extension() == ".py") continue;
    EXPECT_TRUE(listed.count(name) > 0) << name << " is not in tests/data/bad/MANIFEST";
  }
}

}  // namespace
