#pragma once
// Messages about text inputs, shared by every reader (`.m` files, hardware configs, templates):
// ninja-style located errors with the offending line and a caret, quoted tokens, and
// "did you mean" suggestions.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cadenza {

/// How columns are counted in LocatedMessage.
enum class ColumnRule {
  kCharacters,  // one column per UTF-8 character (tabs included)
  kTabStops8,   // a tab advances to the next multiple of 8, as protobuf's parser counts
};

/// "path:line:col: message", then the source line holding byte `offset` of `text` and a caret
/// under it. Lines are 1-based, CR before LF is dropped, control characters show as '?', and a
/// very long line is shown as a window around the column. `offset` past the end means the end.
std::string LocatedMessage(const std::string& path, std::string_view text, size_t offset,
                           const std::string& message,
                           ColumnRule rule = ColumnRule::kCharacters);

/// A token as it appears inside a message: 'quoted', control characters as '?', long text cut
/// after 40 bytes (on a character boundary) with "...".
std::string QuoteToken(std::string_view text);

/// The candidate `word` most likely misspells: case-insensitive edit distance at most 2 (never
/// a replacement of the whole word; ties go to the closer case-sensitive spelling, then to the
/// earlier candidate), or else a candidate that `word` (3 characters or more) begins.
std::optional<std::string_view> ClosestMatch(std::string_view word,
                                             std::span<const std::string_view> candidates);

/// "; did you mean 'X'?" for ClosestMatch, or "".
std::string DidYouMean(std::string_view word, std::span<const std::string_view> candidates);
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace cadenza
