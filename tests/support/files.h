#pragma once
/// Whole-file reads and writes, and a temporary directory that removes itself.

#include <filesystem>
#include <string>
#include <vector>

namespace cadenza::test {

/// The bytes of `path`. Throws std::runtime_error naming the path when it cannot be read, so a
/// missing output file fails the test with its name instead of reading as "".
std::string ReadFile(const std::filesystem::path& path);

/// Replaces `path` with `bytes`. Throws std::runtime_error naming the path on failure.
void WriteFile(const std::filesystem::path& path, const std::string& bytes);

/// `text` split at '\n' (a final newline ends the last line; it does not add an empty one).
std::vector<std::string> Lines(const std::string& text);

/// How many times `needle` (not empty) occurs in `text`, overlapping occurrences included.
size_t CountOf(const std::string& text, const std::string& needle);

/// A fresh, empty, uniquely named directory under the system's temporary directory, removed with
/// everything in it when the object goes away. Tests running in parallel (ctest -j) never share
/// one. Throws std::runtime_error if it cannot be created.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  /// `name` inside the directory, as a string (for a command line).
  std::string Path(const std::string& name) const;
  /// Writes `bytes` to `name` inside the directory and returns its path.
  std::string Write(const std::string& name, const std::string& bytes) const;
  /// The names of the entries directly inside the directory, sorted.
  std::vector<std::string> Files() const;

 private:
  std::filesystem::path path_;
};

}  // namespace cadenza::test
