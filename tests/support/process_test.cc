// RunProgram on /bin/sh: arguments arrive verbatim, outputs apart, and an exit, a signal and a
// timeout are told apart.

#include "tests/support/process.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <stdexcept>

namespace cadenza::test {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

const std::string kSh = "/bin/sh";

TEST(RunProgramTest, ExitCodeAndBothOutputsApart) {
  const RunResult r = RunProgram(kSh, {"-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.signal, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_TRUE(r.exited());
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_EQ(r.Describe(), "exit code 3");
}

TEST(RunProgramTest, ArgumentsArriveVerbatimWithoutAShell) {
  // Quotes, blanks, an empty word, a glob, a variable and a command substitution.
  const std::vector<std::string> words = {"it's", "a b", "", "*", "$HOME", "$(false)", "\"q\"",
                                          "back\\slash"};
  std::vector<std::string> args = {"-c", "for a in \"$@\"; do printf '[%s]\\n' \"$a\"; done",
                                   "sh"};
  args.insert(args.end(), words.begin(), words.end());
  const RunResult r = RunProgram(kSh, args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "[it's]\n[a b]\n[]\n[*]\n[$HOME]\n[$(false)]\n[\"q\"]\n[back\\slash]\n");
}

TEST(RunProgramTest, ASignalIsNotAnExitCode) {
  const RunResult r = RunProgram(kSh, {"-c", "echo before; kill -SEGV $$"});
  EXPECT_EQ(r.signal, SIGSEGV);
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_FALSE(r.exited());
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.out, "before\n");
  EXPECT_THAT(r.Describe(), HasSubstr("killed by signal 11"));
}

TEST(RunProgramTest, ATimeoutKillsTheProgramAndWhatItStarted) {
  RunOptions options;
  // Long enough for the shell to start and print on a loaded machine, far below the sleep.
  options.timeout = std::chrono::milliseconds(2000);
  // The background sleep keeps stdout open: the pipes only close once the whole group is gone.
  const RunResult r = RunProgram(kSh, {"-c", "sleep 30 & echo started; wait"}, options);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_EQ(r.out, "started\n");
  EXPECT_GE(r.seconds, 2.0);
  EXPECT_LT(r.seconds, 20.0);
  EXPECT_THAT(r.Describe(), HasSubstr("timed out after"));
}

TEST(RunProgramTest, StdinIsDevNullOrTheGivenBytes) {
  EXPECT_EQ(RunProgram(kSh, {"-c", "wc -c"}).out, "0\n");
  RunOptions options;
  options.stdin_bytes = std::string(1 << 20, 'x') + "end";  // more than a pipe buffer
  const RunResult r = RunProgram(kSh, {"-c", "wc -c"}, options);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, std::to_string((1 << 20) + 3) + "\n");
}

TEST(RunProgramTest, AProgramThatIgnoresItsStdinDoesNotKillTheTest) {
  RunOptions options;
  options.stdin_bytes = std::string(1 << 20, 'x');
  const RunResult r = RunProgram(kSh, {"-c", "exec 0<&-; echo done"}, options);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "done\n");
}

TEST(RunProgramTest, LargeOutputsOnBothStreamsDoNotDeadlock) {
  const RunResult r = RunProgram(
      kSh, {"-c", "head -c 300000 /dev/zero | tr '\\0' a >&2; head -c 300000 /dev/zero"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.size(), 300000u);
  EXPECT_EQ(r.err, std::string(300000, 'a'));
}

TEST(RunProgramTest, WorkingDirectory) {
  RunOptions options;
  options.working_dir = "/";
  EXPECT_EQ(RunProgram(kSh, {"-c", "pwd"}, options).out, "/\n");
}

TEST(RunProgramTest, AProgramThatCannotStartThrows) {
  EXPECT_THAT([] { RunProgram("/no/such/program", {}); },
              ThrowsMessage<std::runtime_error>(
                  HasSubstr("cannot run /no/such/program: No such file or directory")));
  RunOptions options;
  options.working_dir = "/no/such/dir";
  EXPECT_THAT([&] { RunProgram(kSh, {"-c", "true"}, options); },
              ThrowsMessage<std::runtime_error>(HasSubstr("No such file or directory")));
}

TEST(ShellCommandLineTest, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(ShellCommandLine("/bin/cadenza", {"eval", "--mapping", "a b.m", "", "it's"}),
            "/bin/cadenza eval --mapping 'a b.m' '' 'it'\\''s'");
  // What it prints runs the same words in a real shell.
  const RunResult r = RunProgram(
      kSh, {"-c", ShellCommandLine("printf", {"[%s]", "a b", "", "it's", "$x"})});
  EXPECT_EQ(r.out, "[a b][][it's][$x]");
}

}  // namespace
}  // namespace cadenza::test
