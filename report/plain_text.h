#pragma once
// Internal to the report module: the plain-text pieces its writers share — CSV fields and
// terminal tables (the parts other front ends may use are public: report/text_table.h).

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "report/text_table.h"

namespace cadenza::internal {

// The public pieces (report/text_table.h), under the names the module's writers use.
using cadenza::CsvField;
using cadenza::DisplayWidth;
using cadenza::TextTable;

/// A report's title: the model file's name without directory and extension, or `fallback`
/// (the network's name) when the path has none.
std::string ReportTitle(std::string_view path, const std::string& fallback);

/// The shortest text that reads back as the same double; empty when not finite.
std::string CsvNumber(double value);

/// A capacity or bandwidth in CSV: empty when Hardware::IsUnlimited(value).
std::string CsvLimit(int64_t value);

/// Names no wider than `width` for one table column, still telling apart every two different
/// names: a long name keeps its start and end around "..." ("/layer4/...conv3/Conv"); names that
/// would read the same keep the part where they differ, and any still alike stay whole.
std::vector<std::string> ShortenNames(const std::vector<std::string>& names, size_t width);

}  // namespace cadenza::internal
