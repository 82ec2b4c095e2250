#include "analyzer/diagnostics.h"

#include <algorithm>
#include <vector>

namespace cadenza {

namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      const size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool EqualIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return Lower(x) == Lower(y); });
}

}  // namespace

std::string LocatedMessage(const std::string& path, std::string_view text, int line, int col,
                           const std::string& message) {
  std::string out = path + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " + message;
  size_t begin = 0;
  for (int l = 1; l < line && begin < text.size(); ++l) {
    const size_t nl = text.find('\n', begin);
    if (nl == std::string_view::npos) return out;
    begin = nl + 1;
  }
  size_t end = text.find('\n', begin);
  if (end == std::string_view::npos) end = text.size();
  std::string source(text.substr(begin, end - begin));
  if (!source.empty() && source.back() == '\r') source.pop_back();
  // Keep the caret aligned: tabs stay tabs, other control bytes become spaces.
  std::string pad;
  for (size_t i = 0; i < source.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(source[i]);
    if (c < 0x20 && c != '\t') source[i] = ' ';
    if (static_cast<int>(i) < col - 1) pad += source[i] == '\t' ? '\t' : ' ';
  }
  if (source.empty()) return out;
  return out + "\n    " + source + "\n    " + pad + "^";
}

std::optional<std::string_view> ClosestMatch(std::string_view word,
                                             std::span<const std::string_view> candidates) {
  std::optional<std::string_view> best;
  size_t best_distance = 3;
  for (std::string_view c : candidates) {
    if (c == word) continue;
    const size_t d = EqualIgnoringCase(c, word) ? 0 : EditDistance(word, c);
    if (d < best_distance && d < std::max<size_t>(c.size(), 2)) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string DidYouMean(std::string_view word, std::span<const std::string_view> candidates) {
  const std::optional<std::string_view> match = ClosestMatch(word, candidates);
  return match ? "; did you mean '" + std::string(*match) + "'?" : "";
}

}  // namespace cadenza
