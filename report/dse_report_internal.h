#pragma once
// Internal to the report module: what the design-space exploration report's builder
// (dse_report.cc) shares with its writers (dse_report_json.cc, dse_report_text.cc,
// dse_report_html.cc).

#include <string>

#include "analyzer/hardware.h"
#include "report/dse_report.h"

namespace cadenza::internal {

/// Three significant digits, without an exponent: "0.512", "58.2", "1,234".
std::string ThreeDigits(double value);
/// An energy-delay product given in pJ x cycles, in J·s at the hardware's clock.
std::string Edp(double edp_pj_cycles, const Hardware& hw);
/// The chosen design, or nullptr when no point is feasible.
const DsePointReport* Best(const DseReport& r);
/// What a point's area and power leave out: "NoC bandwidth, L1" ("" when nothing).
std::string ExcludedList(const DesignResult& result);

}  // namespace cadenza::internal
