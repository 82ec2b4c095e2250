#pragma once
// Pieces of the search report's HTML page (report_html.cc) that the report module's other pages
// reuse, so that every page looks and reads the same. Internal to report/.

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "analyzer/hardware.h"
#include "report/report.h"

namespace cadenza::html {

/// The search report's style sheet, for an inline <style> element.
std::string_view Style();
/// The search report's table-sorting script, for an inline <script> element: every
/// `table.sortable-table` sorts by a clicked header, numbers by their cells' `data-v`.
std::string_view Script();

/// Everything of a page up to and including <body>: the charset, the viewport, the
/// Content-Security-Policy that forbids every request, a generator meta naming Cadenza
/// `version` (none when empty), "<title>TITLE — KIND</title>" (TITLE escaped) and the
/// shared style sheet followed by `extra_style`.
void WriteDocumentHead(std::ostream& out, std::string_view version, std::string_view title,
                       std::string_view kind, std::string_view extra_style = {});

/// `text` with &, <, >, " and ' escaped.
std::string Escape(std::string_view text);
/// Bytes with binary prefixes: "512 B", "1 KiB", "1.5 MiB"; "unlimited" for Hardware::kUnlimited.
std::string Bytes(int64_t bytes);
/// "1,024", or "unlimited" for Hardware::kUnlimited.
std::string Limit(int64_t value);
/// printf("%.*f"); "0" when not finite.
std::string Fixed(double value, int decimals);
/// "12.3%" for 0.123.
std::string Percent(double fraction);
/// Energy given in pJ, with an SI prefix: "10.9 mJ".
std::string Joules(double pj);
/// One line: "256 PEs · L1 1 KiB/PE · L2 1 MiB · NoC 64 elements/cycle (latency 1) · ...".
std::string HardwareSummary(const Hardware& hw);

/// The per-layer view of a search report, as its page shows it after the summary: adaptive
/// choice vs fixed dataflows, charts, the per-layer table, infeasible candidates and warnings.
/// Writes <section> elements with the ids baselines, charts, layers, infeasible and warnings.
void WriteLayerSections(const NetworkReport& report, std::ostream& out);

}  // namespace cadenza::html
