#include "analyzer/diagnostics.h"

#include <algorithm>
#include <utility>

namespace cadenza {

namespace {

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Control characters would garble a terminal.
char Printable(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u < 0x20 && c != '\t') || u == 0x7F ? '?' : c;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

size_t EditDistance(std::string_view a, std::string_view b, bool fold_case) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const bool same = fold_case ? Lower(a[i - 1]) == Lower(b[j - 1]) : a[i - 1] == b[j - 1];
      const size_t next = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = row[j];
      row[j] = next;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string LocatedMessage(const std::string& path, std::string_view text, size_t offset,
                           const std::string& message, ColumnRule rule) {
  offset = std::min(offset, text.size());
  size_t line_start = offset;
  while (line_start > 0 && text[line_start - 1] != '\n') --line_start;
  const int line = 1 + static_cast<int>(std::count(
                           text.begin(), text.begin() + static_cast<ptrdiff_t>(line_start), '\n'));
  size_t line_end = text.find('\n', offset);
  if (line_end == std::string_view::npos) line_end = text.size();
  while (line_end > line_start && text[line_end - 1] == '\r') --line_end;
  const std::string_view source_line = text.substr(line_start, line_end - line_start);
  const size_t rel = std::min(offset - line_start, source_line.size());
  int column = 0;
  for (size_t i = 0; i < rel; ++i) {
    if (rule == ColumnRule::kTabStops8 && source_line[i] == '\t') {
      column = (column / 8 + 1) * 8;
    } else if (rule == ColumnRule::kTabStops8 || !IsContinuationByte(source_line[i])) {
      ++column;
    }
  }

  constexpr size_t kWindow = 160;
  size_t begin = 0;
  size_t end = source_line.size();
  if (source_line.size() > kWindow) {
    begin = rel > kWindow / 2 ? rel - kWindow / 2 : 0;
    while (begin > 0 && IsContinuationByte(source_line[begin])) --begin;
    end = std::min(source_line.size(), begin + kWindow);
    while (end < source_line.size() && IsContinuationByte(source_line[end])) ++end;
  }
  std::string shown = begin > 0 ? "..." : "";
  std::string caret = begin > 0 ? "   " : "";
  for (size_t i = begin; i < end; ++i) {
    shown += Printable(source_line[i]);
    if (i < rel && !IsContinuationByte(source_line[i])) caret += source_line[i] == '\t' ? '\t' : ' ';
  }
  if (end < source_line.size()) shown += "...";
  caret += '^';
  return path + ":" + std::to_string(line) + ":" + std::to_string(column + 1) + ": " + message +
         "\n" + shown + "\n" + caret;
}

std::string QuoteToken(std::string_view text) {
  constexpr size_t kMaxShown = 40;
  std::string out = "'";
  size_t shown = std::min(text.size(), kMaxShown);
  while (shown > 0 && shown < text.size() && IsContinuationByte(text[shown])) --shown;
  for (size_t i = 0; i < shown; ++i) out += Printable(text[i]);
  if (shown < text.size()) out += "...";
  return out + "'";
}

std::optional<std::string_view> ClosestMatch(std::string_view word,
                                             std::span<const std::string_view> candidates) {
  constexpr size_t kMaxDistance = 2;
  std::optional<std::string_view> best;
  std::pair<size_t, size_t> best_score{};
  for (std::string_view candidate : candidates) {
    const size_t longer = std::max(word.size(), candidate.size());
    const bool close_in_length = longer - std::min(word.size(), candidate.size()) <= kMaxDistance;
    const size_t folded =
        close_in_length ? EditDistance(word, candidate, /*fold_case=*/true) : longer;
    std::pair<size_t, size_t> score;  // (distance, case-sensitive distance): lower is better
    if (folded <= kMaxDistance && folded < longer) {
      score = {folded, EditDistance(word, candidate, /*fold_case=*/false)};
    } else if (word.size() >= 3 && word.size() < candidate.size() &&
               EditDistance(word, candidate.substr(0, word.size()), /*fold_case=*/true) == 0) {
      score = {kMaxDistance + 1, candidate.size()};  // a prefix: "noc_bw" for "noc_bw_cstr"
    } else {
      continue;
    }
    if (!best || score < best_score) {
      best = candidate;
      best_score = score;
    }
  }
  return best;
}

std::string DidYouMean(std::string_view word, std::span<const std::string_view> candidates) {
  const std::optional<std::string_view> match = ClosestMatch(word, candidates);
  return match ? "; did you mean '" + std::string(*match) + "'?" : "";
}

std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates) {
  const std::vector<std::string_view> views(candidates.begin(), candidates.end());
  return DidYouMean(word, views);
}

}  // namespace cadenza
