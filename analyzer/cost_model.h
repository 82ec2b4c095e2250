#pragma once
// The cost-model interface the search, the design-space exploration and `cadenza eval` take as
// a parameter, so that none of them names a model: the MAESTRO-compatible Analyzer is one
// implementation, the exact model another. Also the buffer needs every user of a CostResult
// reports, computed here once.

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "analyzer/cost.h"
#include "analyzer/hardware.h"
#include "analyzer/layer.h"
#include "analyzer/mapping.h"

namespace cadenza {

enum class CostModelKind : uint8_t { kMaestro, kExact };
/// "maestro", "exact".
std::string_view CostModelName(CostModelKind kind);
std::optional<CostModelKind> CostModelFromName(std::string_view name);

/// A cost model prepared for one (layer, hardware).
/// Evaluate and CheckLimits are const and thread-safe: one instance serves every thread.
/// REQUIRES of an implementation: Evaluate's result does not depend on the L1/L2 capacities
/// (only CheckLimits looks at them), so the design-space exploration can share one evaluation
/// between design points that differ only in buffer sizes.
class LayerCostModel {
 public:
  virtual ~LayerCostModel() = default;

  /// All statistics of `mapping`, or the reason it has none (result.infeasible). Capacity,
  /// bandwidth and coverage limits are not checked here, see CheckLimits.
  virtual CostResult Evaluate(const Mapping& mapping) const = 0;

  /// Marks a feasible `result` infeasible if its buffers exceed the hardware's capacities
  /// (CheckCapacity), if it needs more NoC/off-chip bandwidth than the hardware has (when the
  /// hardware says bandwidth is a hard limit), or if it skips MACs of the layer.
  virtual void CheckLimits(CostResult* result) const = 0;

  virtual const Layer& layer() const = 0;

  /// What no feasible result of `mapping` can go below: its runtime and its total energy (pJ,
  /// as CostResult::total_energy_pj()), each <= the Evaluate result's whenever that result is
  /// feasible, so that a search may skip a mapping whose bound cannot beat the best it holds.
  /// Nullopt when the model offers no bound (the search then evaluates every candidate).
  struct Bound {
    int64_t runtime_cycles = 0;
    double energy_pj = 0;
    // <= CostResult::l1_size_per_tensor / l2_size_per_tensor: a mapping whose bound overflows
    // a capacity (CheckCapacity) overflows it.
    PerTensor<int64_t> l1{}, l2{};
  };
  virtual std::optional<Bound> LowerBound(const Mapping& mapping) const {
    (void)mapping;
    return std::nullopt;
  }
  /// A cheaper bound, each field <= LowerBound's (so it bounds the result too), for a search
  /// that asks for LowerBound only of the mappings it cannot skip on this one. Nullopt when the
  /// model offers none (LowerBound is then the first bound).
  virtual std::optional<Bound> QuickLowerBound(const Mapping& mapping) const {
    (void)mapping;
    return std::nullopt;
  }
};

/// Prepares `kind` for `layer` on `hw`. Throws InputError if the model cannot evaluate this
/// layer or hardware at all (e.g. the hardware has no PEs, or the model is not available).
std::unique_ptr<LayerCostModel> MakeLayerCostModel(CostModelKind kind, const Layer& layer,
                                                   const Hardware& hw);

/// Bytes of a buffer holding `elements` of each tensor at `bytes_per_element`. Saturates at
/// INT64_MAX, a need no capacity can meet, instead of overflowing.
int64_t BufferBytes(const PerTensor<int64_t>& elements, const PerTensor<int64_t>& bytes_per_element);
/// The per-PE L1 and the shared L2 a result needs on `hw`, in bytes.
inline int64_t L1NeedBytes(const CostResult& result, const Hardware& hw) {
  return BufferBytes(result.l1_size_per_tensor, hw.bytes_per_element);
}
inline int64_t L2NeedBytes(const CostResult& result, const Hardware& hw) {
  return BufferBytes(result.l2_size_per_tensor, hw.bytes_per_element);
}

/// kL1Overflow if buffers of `l1_elements` per PE exceed hw's L1, else kL2Overflow if
/// `l2_elements` exceed its L2, else kNone. The capacity part of every model's CheckLimits.
Infeasible CheckCapacity(const PerTensor<int64_t>& l1_elements,
                         const PerTensor<int64_t>& l2_elements, const Hardware& hw);

}  // namespace cadenza
