#pragma once
// The whole-network review document of a dataflow search: what the network costs, where the
// time and energy go, which dataflow each layer uses and by how much it beat the next best.
// BuildReport gathers every figure once; the writers only format it. Writers never open files.
//
// Energy everywhere in a report is Cadenza's energy, CostResult::total_energy_pj() (MAC + L1 +
// L2 + off-chip), the quantity the search minimises; MAESTRO's CSV energy is kept per layer as
// `maestro_energy_nj` for comparison only.

#include <array>
#include <cstdint>
#include <ostream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzer/cost.h"
#include "analyzer/hardware.h"
#include "analyzer/layer.h"
#include "report/model_comparison.h"
#include "search/search.h"

namespace cadenza {

/// Version of the JSON document (docs/report-schema.md). Raised when a key changes meaning or
/// disappears; new keys do not raise it.
inline constexpr int kReportSchemaVersion = 1;

/// A model node that carries multiply-accumulates but is not in the network, and why.
struct ReportSkippedNode {
  std::string name;
  std::string op_type;
  std::string reason;  // e.g. "unsupported: non-matmul Einsum"
  int64_t macs = -1;   // its MAC count when the reader could settle it, else -1
};

/// "2 MAC nodes not analysed, 20.0% of the model's MACs: a (Conv), b (MatMul)", where the
/// model's MACs are `analysed_macs` plus the nodes' own; "at least" when some node's count is
/// unknown. Empty when `skipped` is.
std::string NotAnalysedSummary(int64_t analysed_macs, const std::vector<ReportSkippedNode>& skipped);

/// What the report says about the run beyond the search itself; filled by the caller.
struct ReportContext {
  std::string model_path;     // as given on the command line
  std::string model_sha256;   // 64 hex digits, or empty when unknown
  std::string date;           // ISO 8601, e.g. "2024-05-01T12:00:00Z"
  std::string version;        // Cadenza's version
  std::string command_line;   // as typed, for reproducing the run
  std::string hardware_source;  // the hardware file, or a phrase for the built-in preset
  std::string hardware_text;    // the hardware description shown verbatim (file contents)
  std::vector<std::string> warnings;          // about the input, one sentence each
  std::vector<ReportSkippedNode> skipped;     // MAC nodes left out of the network
  std::vector<std::pair<std::string, int64_t>> other_ops;  // ops without MACs (not costed), counts
  // Evaluate the chosen mappings under the other cost model too (NetworkReport::comparison).
  bool compare_models = false;
};

/// How one dataflow family fared on one layer.
struct ReportFamily {
  std::string family;
  bool found = false;       // some candidate was feasible
  int64_t candidates = 0;   // skipped ones included
  int64_t feasible = 0;
  int64_t skipped = 0;      // not evaluated: their bound could not beat the best
  double objective = 0;     // of its best candidate (one instance); meaningful when found
  int64_t runtime_cycles = 0;  // of its best candidate, all instances
  double energy_pj = 0;        // of its best candidate, all instances
};

/// One row of the per-layer table. Cycles, energies and MACs count every instance of the layer
/// (Layer::instances), so they add up to the network totals.
struct LayerReport {
  int index = 0;
  std::string name;
  std::string op_type;  // the source's word ("Conv", "MatMul", or the .m type)
  OpKind kind = OpKind::kConv;
  LayerShape shape;
  int64_t instances = 1;
  int representative = 0;  // index of the layer whose search this one shares (itself if first)
  bool found = false;      // a feasible mapping exists; when false only `note` and the shape count
  std::string note;        // why nothing was found

  std::string dataflow;      // the chosen family
  std::vector<NamedParam> params;  // the chosen template's parameters (FormatParams renders)
  std::string mapping_text;  // the directives, one per line, in .m syntax
  CostResult cost;           // one instance, as evaluated
  double objective = 0;      // one instance

  int64_t runtime_cycles = 0;
  double energy_pj = 0;      // total_energy_pj() x instances
  double mac_energy_pj = 0, l1_energy_pj = 0, l2_energy_pj = 0, offchip_energy_pj = 0;
  double maestro_energy_nj = 0;  // MAESTRO's CSV energy x instances
  int64_t macs = 0;          // the model's count x instances
  int64_t exact_macs = 0;    // the layer's true count (all instances)
  double utilization = 0;    // exact MACs / (PEs x SIMD lanes x cycles)
  int64_t l1_need_bytes = 0;  // per PE; compare with Hardware::l1_size
  int64_t l2_need_bytes = 0;  // compare with Hardware::l2_size
  int64_t noc_bw_need_per_cycle = 0;      // peak; compare with Hardware::noc_bw
  double noc_bw_avg_per_cycle = 0;
  int64_t offchip_bw_need_per_cycle = 0;  // compare with Hardware::offchip_bw

  bool has_runner_up = false;
  std::string runner_up;        // the best other family
  double runner_up_margin = 0;  // runner-up objective / chosen objective - 1 (>= 0)

  std::vector<ReportFamily> families;  // library order
  int64_t candidates = 0;              // for this shape (shared with its representative)
  int64_t feasible = 0;
  int64_t skipped = 0;                 // of `candidates`, not evaluated (bound)
  std::vector<std::string> warnings;   // e.g. a model MAC count that differs from the layer's
};

/// The network under one fixed family (parameters still tuned per layer). A family without a
/// mapping for some layer covers less of the network than the adaptive choice, so its totals
/// cannot be ranked against the adaptive totals: the ratio compares both over the layers the
/// family covers ("over N of M layers"), and there is no ratio when it covers none.
struct BaselineReport {
  std::string family;
  NetworkTotals totals;
  double objective = 0;     // network objective: cycles, pJ, or pJ x cycles of the totals
  bool complete = false;    // every layer has a mapping in this family
  int compared_layers = 0;  // layers both this family and the adaptive choice map
  NetworkTotals compared_totals;           // this family over the compared layers
  NetworkTotals adaptive_compared_totals;  // the adaptive choice over the same layers
  bool has_ratio = false;   // compared_layers > 0 and the adaptive objective there is positive
  double ratio = 0;         // over the compared layers: this objective / the adaptive one
};

/// How many layers chose a family and what they cost.
struct FamilyShare {
  std::string family;  // "" for layers without a mapping
  int layers = 0;
  int64_t runtime_cycles = 0;
  double energy_pj = 0;
};

/// Infeasible candidates of one reason, over the whole search.
struct InfeasibleCount {
  Infeasible reason = Infeasible::kNone;
  int64_t count = 0;
};

struct NetworkReport {
  ReportContext context;
  CostModelKind cost_model = CostModelKind::kMaestro;  // the model of every figure below
  std::string title;         // the model file's name without directory and extension
  std::string network_name;  // as the model names it (the file stem when its name is an exporter default)
  Hardware hardware;
  Objective objective = Objective::kEdp;
  double latency_slack = -1;  // SearchOptions::latency_slack: < 0 when latency was not bounded

  std::vector<LayerReport> layers;  // network order
  NetworkTotals totals;             // the adaptive per-layer choice
  double runtime_seconds = 0;       // totals.runtime_cycles at the hardware's clock
  double mac_energy_pj = 0, l1_energy_pj = 0, l2_energy_pj = 0, offchip_energy_pj = 0;
  double network_objective = 0;     // cycles, pJ, or pJ x cycles of the totals
  double utilization = 0;           // mapped exact MACs / (PEs x SIMD lanes x total cycles)
  int distinct_layers = 0;

  std::vector<BaselineReport> baselines;  // library order
  std::vector<FamilyShare> choices;       // families chosen at least once, library order; then ""
  int64_t candidates_evaluated = 0;
  int64_t candidates_skipped = 0;  // not evaluated: their bound could not beat the best
  int64_t candidates_feasible = 0;
  std::vector<InfeasibleCount> infeasible;  // reasons with a non-zero count, enum order
  std::vector<std::string> warnings;        // the context's, then every layer's ("layer 'x': ...")
  // The chosen mappings under both models, when the context asked for it.
  std::optional<ModelComparison> comparison;
};

/// Gathers the report. REQUIRES: `result` is SearchNetwork(network, hw, ...)'s answer (one
/// LayerChoice per layer, same order).
NetworkReport BuildReport(const Network& network, const SearchResult& result, const Hardware& hw,
                          const ReportContext& context);

/// One self-contained HTML page: inline CSS and SVG charts, a little inline script for sorting
/// tables (the page reads fine without it), no external resource of any kind.
void WriteHtml(const NetworkReport& report, std::ostream& out);

/// The JSON document described in docs/report-schema.md.
void WriteJson(const NetworkReport& report, std::ostream& out);

/// One header line, then one row per layer (RFC 4180 quoting where needed).
void WriteCsv(const NetworkReport& report, std::ostream& out);

/// A column-aligned summary for a terminal: the per-layer table, the totals, the fixed-family
/// baselines and the search's counts.
void WriteText(const NetworkReport& report, std::ostream& out);

/// "energy", or "energy, latency within 5% of each layer's fastest" under a latency slack.
std::string ObjectiveDescription(const NetworkReport& report);
/// The same for an objective and a latency slack (< 0: none), e.g. for a DSE report.
std::string ObjectiveDescription(Objective objective, double latency_slack);
/// "1 layer", "2 layers", "1,234 candidates": the count with thousands separators, then the noun,
/// plural unless the count is 1 (`plural` when the noun does not just take an "s").
std::string CountOf(int64_t count, std::string_view singular, std::string_view plural = {});
/// How a baseline compares with the adaptive choice, for readers: "" when it maps every layer
/// of a network of `network_layers`, else "over 53 of 54 layers (1 without a mapping)", or
/// "no layer mapped, not compared".
std::string BaselineCoverage(const BaselineReport& baseline, size_t network_layers);

/// "K64 C3 Y226 X226 R3 S3" (GEMM: "M1 N1000 K2048"), then " /2x2" when strided.
std::string FormatDims(OpKind kind, const LayerShape& shape);
/// The energy-delay product in joule-seconds: pJ x cycles at `clock_ghz`.
double EdpJouleSeconds(double edp_pj_cycles, double clock_ghz);
/// "1,234,567".
std::string FormatThousands(int64_t value);
/// "TK=1 CL=64": template parameters as reports show them.
std::string FormatParams(const std::vector<NamedParam>& params);
/// Three significant digits with an SI prefix: FormatSi(0.00123, "J") is "1.23 mJ",
/// FormatSi(4.09e9, "") is "4.09 G".
std::string FormatSi(double value, const std::string& unit);

}  // namespace cadenza
