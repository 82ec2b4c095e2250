#pragma once
// The subcommand table's entries. Each RunX parses its own options (argv[0] is the subcommand
// name) and returns an exit code; it throws UsageError or InputError on bad arguments/input.

#include <stdexcept>
#include <string>

namespace cadenza::cli {

/// A bad command line: printed with a hint to use --help, exit code 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

int RunDiff(int argc, char** argv);    // cmd_diff.cc
int RunDse(int argc, char** argv);     // cmd_dse.cc
int RunEval(int argc, char** argv);    // cmd_eval.cc
int RunLayers(int argc, char** argv);  // cmd_layers.cc
int RunSearch(int argc, char** argv);  // cmd_search.cc
int RunSimulate(int argc, char** argv);  // cmd_simulate.cc

}  // namespace cadenza::cli
