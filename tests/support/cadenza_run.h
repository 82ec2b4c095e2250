#pragma once
/// Runs the built `cadenza` binary in a test, the one way every test that runs it does.

#include <string>
#include <vector>

#include "tests/support/process.h"

namespace cadenza::test {

/// True if `err` holds an AddressSanitizer, LeakSanitizer or UndefinedBehaviorSanitizer report.
bool HasSanitizerReport(const std::string& err);

/// Runs cadenza with `args` (stdin /dev/null unless `options` gives bytes; stdout and stderr are
/// pipes, never a terminal). Adds a non-fatal test failure, with the command line and stderr,
/// when the run did not end by exiting (a signal or the timeout ended it) or when stderr holds a
/// sanitizer report: whatever else a test checks, a crash never passes.
RunResult RunCadenza(const std::vector<std::string>& args, const RunOptions& options = {});

}  // namespace cadenza::test
