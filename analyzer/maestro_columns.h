#pragma once
// The 52 statistics of the original MAESTRO tool's CSV, computed from a CostResult the way the
// original computes them (long double arithmetic), so that they print identically.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "analyzer/cost.h"
#include "analyzer/hardware.h"

namespace cadenza {

inline constexpr int kMaestroColumnCount = 52;

/// The original's header line, verbatim (its irregular spacing and its duplicated
/// "Compute Delay (Min)", which holds the maximum, included), without a line break.
std::string_view MaestroCsvHeader();

/// The column names, trimmed, in order.
const std::array<std::string_view, kMaestroColumnCount>& MaestroColumnNames();

/// One CSV value: an integer column printed in full, or a real printed with 6 significant
/// digits (C++ default stream formatting).
struct MaestroValue {
  bool is_integer = true;
  int64_t integer = 0;
  long double real = 0;
};

/// Columns 3-52 of the original's row for `result` (columns 1 and 2, the network and layer
/// names, are left empty). Column 5, the energy, uses the layer's own L1 counts (see
/// docs/maestro-compatibility.md). REQUIRES: result.ok().
std::array<MaestroValue, kMaestroColumnCount> MaestroValues(const CostResult& result,
                                                            const Hardware& hw);

/// "12.8", "4.63484e+07", "924844032": the value as the original prints it.
std::string FormatMaestroValue(const MaestroValue& value);

}  // namespace cadenza
