#include "tests/support/cadenza_run.h"

#include <gtest/gtest.h>

#include "tests/support/paths.h"

namespace cadenza::test {

bool HasSanitizerReport(const std::string& err) {
  // "==123==ERROR: AddressSanitizer: ...", "LeakSanitizer", and UBSan's "file:line: runtime
  // error: ...".
  return err.find("Sanitizer") != std::string::npos ||
         err.find("runtime error:") != std::string::npos;
}

RunResult RunCadenza(const std::vector<std::string>& args, const RunOptions& options) {
  const std::string binary = CadenzaBinary();
  RunResult r = RunProgram(binary, args, options);
  if (!r.exited()) {
    ADD_FAILURE() << ShellCommandLine(binary, args) << "\n" << r.Describe() << "; stderr:\n"
                  << r.err;
  }
  if (HasSanitizerReport(r.err)) {
    ADD_FAILURE() << ShellCommandLine(binary, args) << "\nsanitizer report:\n" << r.err;
  }
  return r;
}

}  // namespace cadenza::test
