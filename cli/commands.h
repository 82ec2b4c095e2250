#pragma once
// The command-line front end: argv in, files and an exit code out.

#include <functional>
#include <iosfwd>
#include <string>

namespace cadenza::cli {

/// Runs the `cadenza` command line. Returns 0 on success, 1 for bad input (or a layer that could
/// not be evaluated), 2 for usage errors, 3 for an internal error (a bug).
/// Never throws: every error is printed to stderr as "cadenza: error: ..." or
/// "cadenza: usage error: ...".
int Run(int argc, char** argv);

/// Runs `body` and turns what it throws into Run's exit codes and messages on `err`:
/// UsageError and option errors -> 2 (with "Try '<*hint>'."; `body` may set the hint),
/// InputError -> 1, any other exception (InternalError, std::bad_alloc, std::out_of_range, ...)
/// -> 3, "cadenza: internal error (please report): ...". Returns body's result otherwise.
int RunReportingErrors(const std::function<int(std::string* hint)>& body, std::ostream& err);

}  // namespace cadenza::cli
