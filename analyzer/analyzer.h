#pragma once
// The analytical cost engine: MAESTRO's data-centric cost model (Kwon et al., IEEE Micro 2020),
// reproduced number for number, minus its crashes.

#include <array>
#include <cstdint>

#include "analyzer/cost.h"
#include "analyzer/hardware.h"
#include "analyzer/layer.h"
#include "analyzer/mapping.h"

namespace cadenza {

/// Evaluates mappings of one layer on one hardware.
/// Construct once per (layer, hardware); Evaluate is const, allocation-free and thread-safe.
class Analyzer {
 public:
  /// REQUIRES: the layer's declared sizes are >= 1, hw.num_pes >= 1, hw.simd_lanes >= 1.
  Analyzer(const Layer& layer, const Hardware& hw);

  /// All statistics of `mapping` on this layer and hardware, or the reason it has none
  /// (result.infeasible; capacity and bandwidth limits are not checked here, see CheckLimits).
  CostResult Evaluate(const Mapping& mapping) const;

  /// Marks `result` infeasible if it needs more L1/L2 than the hardware has, or (when the
  /// hardware says bandwidth is a hard limit) more NoC/off-chip bandwidth.
  void CheckLimits(CostResult* result) const;

  const Layer& layer() const { return layer_; }
  const Hardware& hardware() const { return hw_; }

  /// Tensor coupling of this layer's kind: the dims of each tensor in MAESTRO's order.
  struct TensorDims {
    std::array<Dim, 6> dims{};
    int count = 0;
  };
  const PerTensor<TensorDims>& tensor_dims() const { return tensor_dims_; }

 private:
  Layer layer_;
  Hardware hw_;
  PerTensor<TensorDims> tensor_dims_{};
  PerDim<uint8_t> coupled_mask_{};       // bit t set: dim couples to tensor t
  std::array<Dim, kNumDims> vin_{};      // MAESTRO's Vin: input+filter dims, sorted by name
  int vin_count_ = 0;
};

}  // namespace cadenza
