#pragma once
// The command-line front end: argv in, files and an exit code out.

namespace cadenza::cli {

/// Runs the `cadenza` command line. Returns 0 on success, 1 for bad input, 2 for usage errors.
/// Never throws: every error is printed to stderr as "cadenza: error: ...".
int Run(int argc, char** argv);

}  // namespace cadenza::cli
