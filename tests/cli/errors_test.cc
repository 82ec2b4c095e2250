// How the command line reports what a command throws (cli/commands.h RunReportingErrors): the
// user's errors with exit 1 or 2, everything else as an internal error with exit 3.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "analyzer/error.h"
#include "cli/commands.h"
#include "cli/subcommands.h"

namespace cadenza::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Outcome {
  int code;
  std::string err;
};

template <typename Throw>
Outcome Report(Throw throw_it) {
  std::ostringstream err;
  const int code = RunReportingErrors(
      [&](std::string* hint) -> int {
        *hint = "cadenza eval --help";
        throw_it();
        return 0;
      },
      err);
  return {code, err.str()};
}

TEST(RunReportingErrors, ReturnsTheBodysExitCodeWhenNothingIsThrown) {
  std::ostringstream err;
  EXPECT_EQ(RunReportingErrors([](std::string*) { return 0; }, err), 0);
  EXPECT_EQ(RunReportingErrors([](std::string*) { return 1; }, err), 1);
  EXPECT_EQ(err.str(), "");
}

TEST(RunReportingErrors, InputErrorIsTheUsersWithExitCode1) {
  const Outcome o = Report([] { throw InputError("net.m:3:5", "unknown directive"); });
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "cadenza: error: net.m:3:5: unknown directive\n");
}

TEST(RunReportingErrors, UsageErrorHasExitCode2AndTheHint) {
  const Outcome o = Report([] { throw UsageError("eval: --hw is required"); });
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(o.err,
            "cadenza: usage error: eval: --hw is required\nTry 'cadenza eval --help'.\n");
}

TEST(RunReportingErrors, InternalErrorHasExitCode3) {
  const Outcome o = Report([] { throw InternalError("check failed: a < b"); });
  EXPECT_EQ(o.code, 3);
  EXPECT_EQ(o.err, "cadenza: internal error (please report): check failed: a < b\n");
}

// Not the user's: a standard exception that escaped is a missing check in the code.
TEST(RunReportingErrors, OtherStandardExceptionsAreInternalErrors) {
  const Outcome range = Report([] { (void)std::vector<int>{}.at(3); });
  EXPECT_EQ(range.code, 3);
  EXPECT_THAT(range.err, HasSubstr("cadenza: internal error (please report): "));
  EXPECT_THAT(range.err, Not(HasSubstr("cadenza: error:")));

  const Outcome runtime = Report([] { throw std::runtime_error("stoll"); });
  EXPECT_EQ(runtime.code, 3);
  EXPECT_EQ(runtime.err, "cadenza: internal error (please report): stoll\n");
}

TEST(RunReportingErrors, OutOfMemoryIsAnInternalError) {
  const Outcome o = Report([] { throw std::bad_alloc(); });
  EXPECT_EQ(o.code, 3);
  EXPECT_EQ(o.err, "cadenza: internal error (please report): out of memory\n");
}

TEST(RunReportingErrors, ExceptionsOfOtherTypesAreInternalErrors) {
  const Outcome o = Report([] { throw 42; });
  EXPECT_EQ(o.code, 3);
  EXPECT_THAT(o.err, HasSubstr("cadenza: internal error (please report): "));
}

}  // namespace
}  // namespace cadenza::cli
