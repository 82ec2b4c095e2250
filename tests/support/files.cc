#include "tests/support/files.h"

#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace cadenza::test {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  // A directory opens as a stream and reads as nothing: refuse it by name.
  std::error_code ignored;
  if (fs::is_directory(path, ignored)) {
    throw std::runtime_error(path.string() + ": cannot read: it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error(path.string() + ": cannot open for reading: " + std::strerror(errno));
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw std::runtime_error(path.string() + ": cannot read");
  return bytes.str();
}

void WriteFile(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    throw std::runtime_error(path.string() + ": cannot open for writing: " + std::strerror(errno));
  }
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw std::runtime_error(path.string() + ": cannot write");
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

size_t CountOf(const std::string& text, const std::string& needle) {
  if (needle.empty()) throw std::invalid_argument("CountOf: empty needle");
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TempDir::TempDir() {
  // mkdtemp, not a name from the pid and the test's name: test programs run in parallel and a
  // parameterized test's names repeat across programs.
  std::string pattern = (fs::temp_directory_path() / "cadenza-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error(pattern + ": mkdtemp failed: " + std::strerror(errno));
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;  // a destructor must not throw; a leftover temp dir is harmless
  fs::remove_all(path_, ignored);
}

std::string TempDir::Path(const std::string& name) const { return (path_ / name).string(); }

std::string TempDir::Write(const std::string& name, const std::string& bytes) const {
  const fs::path file = path_ / name;
  WriteFile(file, bytes);
  return file.string();
}

std::vector<std::string> TempDir::Files() const {
  std::vector<std::string> names;
  for (const fs::directory_entry& e : fs::directory_iterator(path_)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace cadenza::test
