#pragma once
// The review document of a hardware design-space exploration: every design point of a sweep with
// its whole-network latency, energy, area and power, the Pareto front over latency, energy and
// provisioned area, the points ruled out and why, and the per-layer view of the chosen design.
// BuildDseReport gathers the figures once; the writers only format them and never open files.

#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "analyzer/cost.h"
#include "analyzer/hardware.h"
#include "analyzer/layer.h"
#include "report/report.h"
#include "search/dse.h"
#include "search/search.h"

namespace cadenza {

/// Version of the DSE JSON document (docs/report-schema.md, "The design-space exploration
/// report"). Raised when a key changes meaning or disappears; new keys do not raise it.
/// 2: every point's `hardware` is the whole hardware object of the search report, and the
/// top-level `base_hardware` (its unswept part) is gone.
inline constexpr int kDseSchemaVersion = 2;

/// What the report says about the run beyond the exploration itself; filled by the caller.
struct DseContext {
  std::string model_path;    // as given on the command line
  std::string model_sha256;  // 64 hex digits, or empty when unknown
  std::string date;          // ISO 8601, e.g. "2024-05-01T12:00:00Z"
  std::string version;       // Cadenza's version
  std::string command_line;  // as typed, for reproducing the run
  std::string cost_model;    // the cost model's name (CostModelName), e.g. "maestro"
  std::string sweep_path;    // the sweep file
  std::string sweep_text;    // its contents, shown verbatim
  double area_budget_um2 = 0;  // 0: none
  double power_budget_mw = 0;  // 0: none
  int64_t max_candidates_per_template = 0;
  double explore_seconds = 0;  // wall time of the exploration (not of the chosen design's search)
  std::vector<std::string> warnings;  // about the input, one sentence each
};

/// One design point as the report shows it.
struct DsePointReport {
  int index = 0;          // position in the sweep
  std::string label;      // "pes=256 simd=1 l1=1024 l2=1048576 noc=64 offchip=32"
  Hardware hardware;
  DesignResult result;    // ExploreDesigns' answer for this point
  double runtime_seconds = 0;  // result.totals.runtime_cycles at the hardware's clock
  // What the report calls "power": the network's energy over its latency (energy / runtime),
  // so that power, energy and latency always agree. MAESTRO's area/power formula gives a
  // different figure, "peak power" (every PE, buffer and NoC link busy every cycle), which
  // is what a power budget bounds: DesignResult::provisioned/required.power_mw.
  double average_power_mw = 0;
  bool best = false;      // the chosen design
};

/// Design points ruled out for one reason.
struct DseInfeasibleGroup {
  std::string reason;       // DesignResult::reason
  std::vector<int> points;  // their indices, ascending
};

struct DseReport {
  DseContext context;
  std::string title;         // the model file's name without directory and extension
  std::string network_name;  // as the model names it
  int layers = 0;
  int distinct_layers = 0;
  Objective objective = Objective::kEdp;
  double latency_slack = -1;  // DseResult::latency_slack: < 0 when latency was not bounded

  std::vector<DsePointReport> points;  // sweep order
  int evaluation_groups = 0;           // points sharing every analyzer input, evaluated once
  int64_t candidates_evaluated = 0;    // over all groups and distinct layers
  int feasible = 0;
  std::vector<int> pareto;                   // indices of the Pareto points, by cycles, then index
  std::vector<DseInfeasibleGroup> infeasible;  // by first appearance of the reason
  int best = -1;                             // index of the chosen design, or -1 when none is feasible

  // The per-layer search report of the chosen design (SearchNetwork on its hardware), when
  // there is one.
  std::optional<NetworkReport> chosen;
};

/// The warnings a DSE report carries about its inputs, in the order `cadenza dse` gives them: MAC
/// nodes not analysed (with their share of the MACs), the templates added (when
/// `templates_path` is not empty), the model's own warnings, each node left out, and design
/// points that leave L1, L2 or the NoC unlimited (the last entry; `*unlimited` is set when so).
std::vector<std::string> DseInputWarnings(const Network& network,
                                          const std::vector<ReportSkippedNode>& skipped,
                                          const std::vector<std::string>& model_warnings,
                                          const std::string& templates_path,
                                          std::span<const Hardware> points, bool* unlimited);

/// Gathers the report. REQUIRES: `result` is ExploreDesigns(network, hardware, ...)'s answer,
/// and `labels` has one entry per point of `hardware`; `chosen`, when given, is BuildReport of
/// the search of `network` on hardware[result.best].
DseReport BuildDseReport(const Network& network, const DseResult& result,
                         std::span<const Hardware> hardware, std::span<const std::string> labels,
                         std::optional<NetworkReport> chosen, const DseContext& context);

/// One self-contained HTML page: inline CSS and SVG (a Pareto scatter), the Pareto table, the
/// points ruled out by reason, and the chosen design's per-layer view as the search report shows
/// it. No external resource of any kind; reads fine without its little sorting script.
void WriteDseHtml(const DseReport& report, std::ostream& out);

/// The JSON document described in docs/report-schema.md.
void WriteDseJson(const DseReport& report, std::ostream& out);

/// One header line, then one row per design point in sweep order (RFC 4180 quoting).
void WriteDseCsv(const DseReport& report, std::ostream& out);

/// For a terminal: the counts, the chosen design's figures, the infeasible points by reason and
/// the Pareto table.
void WriteDseText(const DseReport& report, std::ostream& out);

/// Area in µm² as mm² with three significant digits: "58.2 mm²".
std::string FormatArea(double area_um2);
/// Power in mW with an SI prefix: "456 mW", "1.23 W".
std::string FormatPower(double power_mw);
/// "" for a design whose resources are all bounded, else " (excluding the unbounded NoC
/// bandwidth, L1)": what its area and peak power leave out (DesignResult::area_power_excludes).
std::string AreaPowerExclusions(const DesignResult& result);

}  // namespace cadenza
