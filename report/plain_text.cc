#include "report/plain_text.h"

#include <algorithm>
#include <cctype>

#include "analyzer/hardware.h"
#include "report/json_writer.h"

namespace cadenza::internal {

std::string ReportTitle(std::string_view path, const std::string& fallback) {
  if (const size_t slash = path.find_last_of('/'); slash != std::string_view::npos) {
    path.remove_prefix(slash + 1);
  }
  if (const size_t dot = path.find_last_of('.'); dot != std::string_view::npos && dot > 0) {
    path = path.substr(0, dot);
  }
  return path.empty() ? fallback : std::string(path);
}

std::string CsvNumber(double value) {
  const std::string text = JsonNumber(value);
  return text == "null" ? "" : text;
}

std::string CsvLimit(int64_t value) {
  return Hardware::IsUnlimited(value) ? std::string() : std::to_string(value);
}

namespace {

// `text` as head + "..." + tail, `tail` characters of its end kept, `width` in all.
std::string Elide(const std::string& text, size_t width, size_t tail) {
  return text.substr(0, width - 3 - tail) + "..." + text.substr(text.size() - tail);
}

// The start of the word (letters and digits) around `at`: a differing digit shows with its name.
size_t WordStart(const std::string& text, size_t at) {
  while (at > 0 && std::isalnum(static_cast<unsigned char>(text[at - 1])) != 0) --at;
  return at;
}

}  // namespace

std::vector<std::string> ShortenNames(const std::vector<std::string>& names, size_t width) {
  constexpr size_t kMinWidth = 8;  // below it "..." leaves too little to read
  std::vector<std::string> shown(names);
  if (width < kMinWidth) return shown;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].size() > width) shown[i] = Elide(names[i], width, (width - 3) / 2);
  }
  const std::vector<std::string> first(shown);
  // Names that read the same keep the part after their first difference in the tail (or, when
  // it is too far from the end, the part before it in the head).
  for (size_t i = 0; i < names.size(); ++i) {
    size_t differ = std::string::npos;  // first index where names[i] differs from a look-alike
    for (size_t j = 0; j < names.size(); ++j) {
      if (first[j] != first[i] || names[j] == names[i]) continue;
      const auto mismatch = std::mismatch(names[i].begin(), names[i].end(), names[j].begin(),
                                          names[j].end());
      differ = std::min(differ, static_cast<size_t>(mismatch.first - names[i].begin()));
    }
    const std::string& name = names[i];
    if (differ == std::string::npos || name.size() <= width) continue;
    const size_t room = width - 3 - 4;  // at least 4 characters on the other side
    const size_t from = WordStart(name, differ);
    if (name.size() - from <= room) {
      shown[i] = Elide(name, width, name.size() - from);
    } else if (name.size() - differ <= room) {
      shown[i] = Elide(name, width, name.size() - differ);
    } else if (differ + 1 <= room) {
      shown[i] = Elide(name, width, width - 3 - (differ + 1));
    } else {
      shown[i] = name;
    }
  }
  // Whatever still reads like another name stays whole.
  std::vector<std::string> result(shown);
  for (size_t i = 0; i < names.size(); ++i) {
    for (size_t j = 0; j < names.size(); ++j) {
      if (i != j && shown[i] == shown[j] && names[i] != names[j]) result[i] = names[i];
    }
  }
  return result;
}

}  // namespace cadenza::internal
