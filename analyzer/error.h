#pragma once
// Errors: InputError for bad user input (the CLI prints it and exits 1), CADENZA_CHECK for bugs.

#include <stdexcept>
#include <string>

namespace cadenza {

/// Bad input: a file, a line, a node or a directive the user can fix. The message starts with
/// where the problem is ("file:line:col", "file: node 'x' (Conv)") and is printed once.
class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
  /// Prefixes `context` ("file: layer 'x'") to a message raised deeper down.
  InputError(const std::string& context, const std::string& message)
      : std::runtime_error(context + ": " + message) {}
};

/// A broken internal invariant: a bug in Cadenza, never the user's input.
class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

[[noreturn]] void FailCheck(const char* condition, const char* file, int line);

}  // namespace cadenza

/// Stays on in release builds: a wrong number is worse than a stop.
#define CADENZA_CHECK(cond) \
  ((cond) ? static_cast<void>(0) : ::cadenza::FailCheck(#cond, __FILE__, __LINE__))
