#pragma once
// The command-line front end: argv in, files and an exit code out.

namespace cadenza::cli {

/// Runs the `cadenza` command line. Returns 0 on success, 1 for bad input (or a layer that could
/// not be evaluated), 2 for usage errors, 3 for an internal error (a bug).
/// Never throws: every error is printed to stderr as "cadenza: error: ..." or
/// "cadenza: usage error: ...".
int Run(int argc, char** argv);

}  // namespace cadenza::cli
