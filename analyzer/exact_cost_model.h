#pragma once
// The exact model (docs/exact-model.md) as a LayerCostModel: the counts of ExactModel turned into
// a CostResult (runtime, MACs, buffer needs, energy from every access), and coverage as a verdict.

#include <cstdint>

#include "analyzer/cost.h"
#include "analyzer/cost_model.h"
#include "analyzer/exact_model.h"
#include "analyzer/hardware.h"
#include "analyzer/layer.h"
#include "analyzer/mapping.h"

namespace cadenza {

/// Construct once per (layer, hardware); Evaluate is const and thread-safe.
class ExactCostModel final : public LayerCostModel {
 public:
  /// The hardware's multicast and spatial_reduction switches select the machine. Throws
  /// InputError for a layer the exact model cannot take (see ExactModel).
  ExactCostModel(const Layer& layer, const Hardware& hw);

  /// The result carries the counts (CostResult::exact). A mapping that does not execute every
  /// MAC exactly once is infeasible with kCoverage (the counts say how many are missing/extra);
  /// a malformed one is kBadStructure.
  CostResult Evaluate(const Mapping& mapping) const override;

  /// Capacities only: bandwidths are part of the machine (they set each step's delay), so a
  /// mapping that needs more bandwidth is slower, never infeasible.
  void CheckLimits(CostResult* result) const override;

  const Layer& layer() const override { return layer_; }

  /// The exact model's bound (ExactModel::LowerBound) with energy by the same access rule: the
  /// layer's MACs, every tensor element touched reaching a PE and every output leaving one, and
  /// the DRAM traffic when the bound knows it. Nullopt for a malformed mapping.
  std::optional<Bound> LowerBound(const Mapping& mapping) const override;
  /// The same from ExactModel::QuickLowerBound.
  std::optional<Bound> QuickLowerBound(const Mapping& mapping) const override;

 private:
  std::optional<Bound> Priced(const Mapping& mapping, bool quick) const;

  Layer layer_;
  Hardware hw_;
  ExactModel model_;
  int64_t exact_macs_ = 0;
};

/// The energy of `counts` on `hw` by the access rule of docs/exact-model.md ("Energy"), filling
/// result's mac/l1/l2/offchip energies and energy_nj.
void SetExactEnergy(const ExactCounts& counts, const Hardware& hw, CostResult* result);

}  // namespace cadenza
