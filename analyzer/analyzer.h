#pragma once
// The analytical cost engine: MAESTRO's data-centric cost model (Kwon et al., IEEE Micro 2020),
// reproduced number for number, minus its crashes.

#include <cstdint>
#include <span>

#include "analyzer/cluster_levels.h"
#include "analyzer/cost.h"
#include "analyzer/cost_model.h"
#include "analyzer/hardware.h"
#include "analyzer/layer.h"
#include "analyzer/mapping.h"

namespace cadenza {

/// MAESTRO's area/power model (docs/cost-model.md 3.9) for `hw` with an L1 of `l1_elements` per
/// PE and an L2 of `l2_elements` (a size of 0 counts as 1). The analyzer charges the sizes a
/// mapping requires; design-space exploration also charges the sizes the hardware provisions.
AreaPower EstimateAreaPower(const Hardware& hw, int64_t l1_elements, int64_t l2_elements);

/// The MAESTRO-compatible cost model: evaluates mappings of one layer on one hardware.
/// Construct once per (layer, hardware); Evaluate is const, allocation-free and thread-safe.
class Analyzer final : public LayerCostModel {
 public:
  /// REQUIRES: the layer's declared sizes are >= 1, hw.num_pes >= 1, hw.simd_lanes >= 1.
  /// Throws InputError for a dilated layer: MAESTRO's model has no dilation and takes one only
  /// as its undilated phases (ForCostModel, analyzer/polyphase.h).
  Analyzer(const Layer& layer, const Hardware& hw);

  /// All statistics of `mapping` on this layer and hardware, or the reason it has none
  /// (result.infeasible; capacity and bandwidth limits are not checked here, see CheckLimits).
  CostResult Evaluate(const Mapping& mapping) const override;

  /// Marks `result` infeasible if it needs more L1/L2 than the hardware has, (when the hardware
  /// says bandwidth is a hard limit) more NoC/off-chip bandwidth, or if the model's MAC count
  /// is below the layer's true count (the mapping would skip work;
  /// docs/maestro-compatibility.md, departure 2).
  void CheckLimits(CostResult* result) const override;

  const Layer& layer() const override { return layer_; }
  const Hardware& hardware() const { return hw_; }

  /// Each tensor's dimensions in MAESTRO's order (e.g. CONV filter: K, C, R, S).
  std::span<const Dim> TensorDims(Tensor t) const {
    return {coupling_.dims[t].data(), static_cast<size_t>(coupling_.dim_count[t])};
  }

 private:
  Layer layer_;
  Hardware hw_;
  internal::LayerCoupling coupling_;
  int64_t exact_macs_ = 0;  // one instance
};

}  // namespace cadenza
