#pragma once
/// Runs a program as a user's shell would, without a shell: an argv vector passed verbatim, its
/// stdout and stderr captured apart, how it ended (exit code, signal or timeout) told apart.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace cadenza::test {

/// True in a build with AddressSanitizer: programs run several times slower and reserve terabytes
/// of address space for shadow memory, so time and address-space limits must allow for it.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitizedBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kSanitizedBuild = true;
#else
inline constexpr bool kSanitizedBuild = false;
#endif
#else
inline constexpr bool kSanitizedBuild = false;
#endif

struct RunOptions {
  /// Bytes fed to the program's stdin, which is then closed. Default: stdin is /dev/null, so a
  /// program that reads it sees end of file at once instead of waiting on the terminal.
  std::optional<std::string> stdin_bytes;
  /// The program and everything it started are killed (SIGKILL) after this long.
  std::chrono::milliseconds timeout{kSanitizedBuild ? 600'000 : 180'000};
  /// Directory the program starts in; empty: the test's own.
  std::filesystem::path working_dir;
  /// RLIMIT_AS for the program, in bytes; 0: none.
  uint64_t address_space_limit_bytes = 0;
  /// RLIMIT_CPU for the program, in seconds; 0: none.
  int cpu_limit_seconds = 0;
};

/// How a run ended and what it printed. Exactly one of: it exited (exit_code >= 0, signal 0,
/// timed_out false); a signal ended it (signal > 0, exit_code -1); it ran out of time and was
/// killed (timed_out, exit_code -1).
struct RunResult {
  int exit_code = -1;
  int signal = 0;
  bool timed_out = false;
  std::string out;
  std::string err;
  long max_resident_kib = 0;  ///< peak resident memory of the program
  double seconds = 0;         ///< wall-clock time

  bool exited() const { return exit_code >= 0; }
  /// "exit code 1", "killed by signal 11 (Segmentation fault)" or "timed out after 20 s".
  std::string Describe() const;
};

/// Runs `program` (a path; no PATH search) with `args` as argv[1..]. Throws std::runtime_error
/// when the program cannot be started at all (missing, not executable), which is not the same as
/// it exiting with 127.
RunResult RunProgram(const std::string& program, const std::vector<std::string>& args,
                     const RunOptions& options = {});

/// `program` and `args` as a POSIX shell command line, each word quoted where needed: for
/// messages that a reader can paste into a shell. RunProgram never uses a shell.
std::string ShellCommandLine(const std::string& program, const std::vector<std::string>& args);

}  // namespace cadenza::test
