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

std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string CsvNumber(double value) {
  const std::string text = JsonNumber(value);
  return text == "null" ? "" : text;
}

std::string CsvLimit(int64_t value) {
  return Hardware::IsUnlimited(value) ? std::string() : std::to_string(value);
}

size_t DisplayWidth(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
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

void TextTable::Write(std::ostream& out, const std::string& indent) const {
  std::vector<size_t> widths(right_.size(), 0);
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  }
  for (const auto& row : rows_) {
    std::string line = indent;
    for (size_t i = 0; i < row.size(); ++i) {
      const std::string pad(widths[i] - DisplayWidth(row[i]), ' ');
      if (i > 0) line += "  ";
      line += right_[i] ? pad + row[i] : row[i] + (i + 1 < row.size() ? pad : "");
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  }
}

}  // namespace cadenza::internal
