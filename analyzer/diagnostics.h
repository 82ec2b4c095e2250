#pragma once
// Helpers for user-facing messages about text inputs: located errors with the offending line and
// a caret (ninja style), and "did you mean" suggestions.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cadenza {

/// "path:line:col: message", then the source line and a caret under column `col`.
/// `line` and `col` are 1-based; `text` is the whole file (CRLF or LF).
std::string LocatedMessage(const std::string& path, std::string_view text, int line, int col,
                           const std::string& message);

/// The candidate closest to `word` within edit distance 2 (a case-only difference counts as
/// close), or nullopt. Ties go to the earlier candidate.
std::optional<std::string_view> ClosestMatch(std::string_view word,
                                             std::span<const std::string_view> candidates);

/// "; did you mean 'X'?" for ClosestMatch, or "".
std::string DidYouMean(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace cadenza
