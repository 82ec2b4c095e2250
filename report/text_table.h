#pragma once
// Plain-text building blocks of the report module's documents, for front ends that write their
// own in the same form (`cadenza layers`): RFC 4180 CSV fields and column-aligned tables.

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace cadenza {

/// RFC 4180 quoting, only when the text holds a comma, a quote, CR or LF, so that plain names
/// stay as they are.
std::string CsvField(std::string_view text);

/// Display width in a terminal: UTF-8 continuation bytes take no column.
size_t DisplayWidth(std::string_view text);

/// Columns aligned to their widest cell (by DisplayWidth), two spaces apart.
class TextTable {
 public:
  /// `right[i]` right-aligns column i; every row has right.size() cells.
  explicit TextTable(std::vector<bool> right) : right_(std::move(right)) {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  /// Every row, each prefixed by `indent`, trailing spaces trimmed.
  void Write(std::ostream& out, const std::string& indent) const;

 private:
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace cadenza
