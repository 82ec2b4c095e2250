#include "tests/support/exact_reference.h"

#include <cctype>
#include <sstream>
#include <stdexcept>

#include "tests/support/files.h"
#include "tests/support/paths.h"

namespace cadenza::test {

namespace {

std::string SetDir(const std::string& set) { return SourcePath("tests/data/" + set) + "/"; }

}  // namespace

std::string ExactReferenceRun::CasePath() const { return SetDir(set) + "inputs/cases/" + id + ".m"; }
std::string ExactReferenceRun::HwPath() const { return SetDir(set) + "inputs/hw/" + id + ".m"; }
std::string ExactReferenceRun::ExpectedPath() const {
  return SetDir(set) + "expected/" + id + ".json";
}

std::vector<ExactReferenceRun> ExactReferenceRuns(const std::string& set) {
  const std::string path = SetDir(set) + "inputs/runs.csv";
  const std::vector<std::string> lines = Lines(ReadFile(path));
  std::vector<ExactReferenceRun> runs;
  for (size_t i = 1; i < lines.size(); ++i) {  // line 0 is the header
    if (lines[i].empty()) continue;
    std::vector<std::string> fields;
    std::stringstream row(lines[i]);
    for (std::string f; std::getline(row, f, ',');) fields.push_back(f);
    if (fields.size() != 4 || fields[1] != fields[0] || fields[2] != fields[0]) {
      throw std::runtime_error(path + ": bad row " + lines[i]);
    }
    runs.push_back({set, fields[1], std::stoll(fields[3])});
  }
  return runs;
}

std::map<std::string, int64_t> FlattenJsonIntegers(const std::string& text) {
  std::map<std::string, int64_t> out;
  std::vector<std::string> path;
  std::string key;
  size_t i = 0;
  auto skip_space = [&] {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  };
  auto full = [&] {
    std::string p;
    for (const std::string& part : path) p += part + ".";
    return p + key;
  };
  while (i < text.size()) {
    skip_space();
    if (i >= text.size()) break;
    const char c = text[i];
    if (c == '{') {
      if (!key.empty()) path.push_back(key);
      key.clear();
      ++i;
    } else if (c == '}') {
      if (!path.empty()) path.pop_back();
      ++i;
    } else if (c == ',') {
      ++i;
    } else if (c == '"') {
      const size_t end = text.find('"', i + 1);
      key = text.substr(i + 1, end - i - 1);
      i = end + 1;
      skip_space();
      if (i >= text.size() || text[i] != ':') throw std::runtime_error("expected ':' after " + key);
      ++i;
      skip_space();
      if (text.compare(i, 4, "true") == 0) {
        out[full()] = 1;
        i += 4;
      } else if (text.compare(i, 5, "false") == 0) {
        out[full()] = 0;
        i += 5;
      } else if (text[i] != '{') {
        size_t used = 0;
        out[full()] = std::stoll(text.substr(i), &used);
        i += used;
      }
    } else {
      throw std::runtime_error(std::string("unexpected character '") + c + "' in JSON");
    }
  }
  return out;
}

}  // namespace cadenza::test
