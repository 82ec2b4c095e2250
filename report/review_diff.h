#pragma once
// Two reviews of one network side by side: the same model searched on other hardware, with
// another objective or cost model, or by another Cadenza version. Reads the search report's
// JSON (docs/report-schema.md), so reviews written earlier can be compared.

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cadenza {

/// What a comparison needs of one review.
struct ReviewSummary {
  struct Layer {
    std::string name;
    std::string op_type;
    std::string dims;       // "K=64 C=3 Y=230 X=230 R=7 S=7", in the JSON's order
    int64_t instances = 1;
    bool found = false;     // the review has a mapping for it
    std::string dataflow;   // family, when found
    std::string params;     // "TK=1 CL=4 ...", when found
    int64_t runtime_cycles = 0;  // one instance
    double energy_nj = 0;        // one instance
  };
  std::string source;        // the file it was read from
  int schema_version = 0;
  std::string version;       // Cadenza's
  std::string network;
  std::string model_path;
  std::string objective;
  std::string cost_model;    // "maestro" for reviews that predate the choice
  std::string hardware;      // one line: PEs, buffers, bandwidths
  int64_t runtime_cycles = 0;
  double energy_nj = 0;
  double edp_pj_cycles = 0;
  int64_t exact_macs = 0;
  int layers_without_mapping = 0;
  std::vector<Layer> layers;
};

/// Parses a search review's JSON. Throws InputError naming `source` and what is missing or
/// wrong (not JSON, another tool's document, a DSE report, a field of the wrong type).
ReviewSummary ReadReviewJson(std::string_view text, const std::string& source);

/// One row of the per-layer comparison: a layer present in both reviews, or in one.
struct LayerDelta {
  std::string name;
  std::string op_type;
  std::string dims;
  const ReviewSummary::Layer* a = nullptr;  // null: only in B
  const ReviewSummary::Layer* b = nullptr;  // null: only in A
  bool dataflow_changed() const;            // both found, and family or parameters differ
  bool shape_changed() const;               // same name, other dimensions
};

struct ReviewDiff {
  const ReviewSummary* a = nullptr;
  const ReviewSummary* b = nullptr;
  std::vector<std::string> setting_changes;  // "hardware: ... -> ...", "objective: edp -> energy"
  std::vector<LayerDelta> layers;            // A's order, then the layers only in B
  int common = 0, only_a = 0, only_b = 0, dataflow_changes = 0, shape_changes = 0;
};

/// Matches the layers of `a` and `b` by name. REQUIRES: both outlive the result.
ReviewDiff DiffReviews(const ReviewSummary& a, const ReviewSummary& b);

/// B relative to A: (b - a) / a, or nullopt when a is 0.
std::optional<double> RelativeChange(double a, double b);

/// The comparison for a terminal: settings, totals with deltas, changed layers.
void WriteDiffText(const ReviewDiff& diff, std::ostream& out);
/// The comparison as one self-contained HTML page (inline CSS, no requests).
void WriteDiffHtml(const ReviewDiff& diff, std::ostream& out);

}  // namespace cadenza
