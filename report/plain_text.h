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

/// The shortest text that reads back as the same double; empty when not finite.
std::string CsvNumber(double value);

/// A capacity or bandwidth in CSV: empty when Hardware::IsUnlimited(value).
std::string CsvLimit(int64_t value);

}  // namespace cadenza::internal
