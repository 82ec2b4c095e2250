#pragma once
// The results of `cadenza eval` (one mapping per layer, no search) as a terminal table, as the
// original MAESTRO tool's CSV plus Cadenza's columns, and as JSON. Writers only: they never open
// files.

#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "analyzer/cost.h"
#include "analyzer/cost_model.h"  // L1NeedBytes, L2NeedBytes
#include "analyzer/hardware.h"
#include "analyzer/layer.h"
#include "analyzer/mapping.h"
#include "report/json_writer.h"

namespace cadenza {

/// One layer's evaluation.
struct EvalRow {
  const Layer* layer = nullptr;      // REQUIRES: non-null, outlives the row
  const Mapping* mapping = nullptr;  // the dataflow evaluated; may be null (JSON omits it)
  CostResult result;                 // meaningful only when `error` is empty
  // Things to know about a usable result (e.g. the model's MAC count differs from the
  // layer's), one sentence each, without the file/layer prefix.
  std::vector<std::string> warnings;
  // Why the layer has no result ("file:line: layer 'x': ..."); empty when it has one.
  std::string error;

  bool ok() const { return error.empty(); }
};

/// A whole `cadenza eval` run.
struct EvalReport {
  std::string version;        // Cadenza's version, e.g. "0.1.0"
  std::string cost_model;     // the cost model's name (CostModelName), e.g. "maestro"
  std::string network;        // the network's name (MAESTRO's column 1)
  std::string mapping_path;   // the `.m` network file, as given
  std::string hardware_path;  // the hardware file, as given
  Hardware hardware;
  std::vector<std::string> warnings;  // about the whole run (e.g. the reader's)
  std::vector<EvalRow> rows;          // in layer order
};

/// Network totals over the layers that have a result, summed in layer order. A layer's result
/// is one instance's (as the model evaluates it); the totals count every instance
/// (Layer::instances).
struct EvalTotals {
  int layers = 0;
  int failed = 0;                  // layers without a result, not in the sums
  int64_t runtime_cycles = 0;
  int64_t macs = 0;                // the model's count
  int64_t exact_macs = 0;          // the layers' true count (failed layers included)
  double energy_nj = 0;            // MAESTRO's CSV energy
  double total_energy_pj = 0;      // Cadenza's MAC + L1 + L2 + off-chip energy
  double utilization = 0;          // macs / (PEs * SIMD lanes * runtime_cycles)
  int64_t max_l1_bytes = 0;        // the largest per-PE L1 need of any layer
  int64_t max_l2_bytes = 0;
  int64_t max_noc_bw_per_cycle = 0;
};
EvalTotals SumEval(const EvalReport& report);

/// A readable, column-aligned per-layer summary and a total line, for a terminal.
void WriteEvalTable(const EvalReport& report, std::ostream& out);

/// The original tool's CSV: its header line verbatim, then Cadenza's columns (exact_macs,
/// mac_energy_pj, l1_energy_pj, l2_energy_pj, offchip_energy_pj, total_energy_pj, utilization,
/// warnings); one row per layer. Columns 1-26 are joined by "," and the rest by ", ", as the
/// original does. A layer without a result keeps its row: names and exact_macs filled, every
/// other value empty, and "error: ..." in `warnings`. `warnings` is the last column and is
/// quoted (RFC 4180) when it holds a comma or a quote, so that splitting a row on "," still
/// yields the first 59 columns intact.
void WriteEvalCsv(const EvalReport& report, std::ostream& out);

/// A JSON document: {"tool", "version", "network", "mapping_file", "hardware_file", "hardware",
/// "warnings", "layers": [...], "total"}; every statistic of CostResult under a snake_case key,
/// "error" null or the message. Non-finite numbers are written as null.
void WriteEvalJson(const EvalReport& report, std::ostream& out);

/// The exact model's integer counts as fields of the object `json` is in, named and ordered as
/// the exact-model reference files name them (macs ... dram_writes; tensors input/weight/output):
/// the "exact" object of `eval --json` and each layer's counts in `simulate --json`.
void WriteExactCountFields(JsonWriter& json, const ExactCounts& counts);

}  // namespace cadenza
