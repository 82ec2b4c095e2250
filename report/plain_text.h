#pragma once
// Internal to the report module: the plain-text pieces its writers share — CSV fields and
// terminal tables.

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace cadenza::internal {

/// A report's title: the model file's name without directory and extension, or `fallback`
/// (the network's name) when the path has none.
std::string ReportTitle(std::string_view path, const std::string& fallback);

/// RFC 4180 quoting, only when needed, so that plain names stay as they are.
std::string CsvField(std::string_view text);

/// The shortest text that reads back as the same double; empty when not finite.
std::string CsvNumber(double value);

/// A capacity or bandwidth in CSV: empty when Hardware::IsUnlimited(value).
std::string CsvLimit(int64_t value);

/// Display width: UTF-8 continuation bytes take no column.
size_t DisplayWidth(std::string_view text);

/// Names no wider than `width` for one table column, still telling apart every two different
/// names: a long name keeps its start and end around "..." ("/layer4/...conv3/Conv"); names that
/// would read the same keep the part where they differ, and any still alike stay whole.
std::vector<std::string> ShortenNames(const std::vector<std::string>& names, size_t width);

/// Columns aligned to their widest cell; `right[i]` right-aligns column i.
class TextTable {
 public:
  explicit TextTable(std::vector<bool> right) : right_(std::move(right)) {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  /// Every row, each prefixed by `indent`, trailing spaces trimmed.
  void Write(std::ostream& out, const std::string& indent) const;

 private:
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace cadenza::internal
