#pragma once
// The exact model: every count of the abstract machine of docs/exact-model.md (steps, ingress,
// egress, buffer needs, DRAM traffic, coverage), computed with rectangular tile algebra instead
// of element sets. It equals the brute-force simulator integer for integer.

#include <cstdint>
#include <memory>

#include "analyzer/dims.h"
#include "analyzer/exact_counts.h"
#include "analyzer/hardware.h"
#include "analyzer/layer.h"
#include "analyzer/mapping.h"

namespace cadenza {

/// The machine's two switches (both on by default). They change the runtime only: the counts
/// below always report both the multicast/reduced and the unicast/unreduced figures.
struct ExactOptions {
  bool multicast = true;          // one L2->PE transfer serves every PE that needs the element
  bool spatial_reduction = true;  // partial sums of one output sent up together are added
};

/// The exact model of one layer on one accelerator. Construct once per (layer, hardware);
/// Evaluate is const and thread-safe.
class ExactModel {
 public:
  /// Takes CONV (with batch N), DSCONV, GEMM, NGCONV (the group index G is a dimension of input,
  /// weight and output) and TRCONV (as its CONV) layers, with dilation. Throws InputError for a layer whose filter does not fit its input.
  ExactModel(const Layer& layer, const Hardware& hw, ExactOptions options = {});

  /// The counts of `mapping`. Throws InputError for a malformed mapping: a dimension the layer
  /// kind does not have, a level that names a dimension twice or has no SpatialMap, clusters
  /// whose product exceeds the PEs. An illegal mapping (coverage) is a value, not an error.
  ExactCounts Evaluate(const Mapping& mapping) const;

  /// Lower bounds every legal mapping's counts reach, cheap enough to skip candidates with
  /// (docs/exact-model.md, "Bounds for the search"). When level 0 is a product of independent
  /// loops (at most one SpatialMap, and no cluster-level axis set by two loops that move), its
  /// DRAM traffic and the elements its outer tiles touch are computed in closed form, equal to
  /// Evaluate's; otherwise they are left at 0. Throws InputError for a malformed mapping, as
  /// Evaluate does. An illegal mapping's bound means nothing.
  struct Bound {
    bool dram_known = false;
    PerTensor<int64_t> dram_reads{};  // as ExactCounts::dram_reads
    int64_t dram_writes = 0;          // as ExactCounts::dram_writes
    PerTensor<int64_t> touched{};     // elements of each tensor in some outer tile
    int64_t runtime_cycles = 0;       // <= ExactCounts::runtime_cycles
    int64_t onchip_cycles = 0;        // <= ExactCounts::onchip_cycles
    // The tiles of the first PE and of its level-0 sub-unit at the first step, when every level's
    // first sub-unit is busy there (else 0): <= ExactCounts::l1_max and l2_max, whose every
    // step's tiles they are among.
    PerTensor<int64_t> l1_tile{}, l2_tile{};
    // When every level has one SpatialMap: per tensor, the sum over PEs of the elements in some
    // tile of the PE, which each PE receives (input, weight: <= ingress_unicast) or sends up
    // (outputs: <= egress_unicast) at least once; runtime_cycles then also counts the busiest
    // PE's MACs over its lanes.
    bool pe_known = false;
    PerTensor<int64_t> pe_touched{};
    // The most elements of each tensor one PE's tiles hold: <= ingress (input, weight) and
    // egress (outputs) with multicast and reduction too. The runtime then also counts the
    // transfers these bound over the NoC bandwidth.
    PerTensor<int64_t> pe_most{};
    // The largest tile of each tensor any PE holds at any step: equal to ExactCounts::l1_max.
    PerTensor<int64_t> pe_tile_most{};
    // Also then: per tensor, the sum over PEs of the elements entering the PE's tiles step by
    // step, equal to ingress_unicast (input, weight) and egress_unicast (outputs); and the most
    // of that sum over a set of PEs whose tiles never meet at one step: <= ingress (input,
    // weight) and egress (outputs). Outputs entering a PE again after leaving it are read-backs:
    // summed over all PEs <= ingress_unicast[output], over such a set <= ingress[output].
    PerTensor<int64_t> pe_entering{};
    PerTensor<int64_t> pe_apart{};
    int64_t readbacks = 0;
    int64_t readbacks_unicast = 0;

    friend bool operator==(const Bound&, const Bound&) = default;
  };
  Bound LowerBound(const Mapping& mapping) const;
  /// LowerBound without the per-PE part (pe_known false; about half the work): every field is
  /// <= LowerBound's, so a search may take it first and ask for the whole bound only of the
  /// mappings it cannot skip on this one.
  Bound QuickLowerBound(const Mapping& mapping) const;

  /// What LowerBound keeps between calls (thread-safe): parts of the bound shared by mappings
  /// that differ elsewhere. Copies of a model share it.
  struct BoundCache;

  /// The layer as the machine runs it (GEMM renamed to CONV): extents of N G K C R S Y X.
  struct Shape {
    int64_t n = 1, g = 1, k = 1, c = 1, r = 1, s = 1, y = 1, x = 1;
    int64_t stride_y = 1, stride_x = 1, dilation_y = 1, dilation_x = 1;
    int64_t out_y = 1, out_x = 1;  // Y', X'
    bool depthwise = false;        // output (n, c, y', x'), weight (c, r, s)
    bool gemm = false;             // directives name M, N, K
    bool grouped = false;          // NGCONV: directives may name G
  };
  const Shape& shape() const { return shape_; }

 private:
  Shape shape_;
  int64_t total_macs_ = 0;
  int64_t num_pes_ = 1;
  int64_t lanes_ = 1;
  int64_t noc_bw_ = 1;
  int64_t offchip_bw_ = 1;
  ExactOptions options_;
  std::shared_ptr<BoundCache> bound_cache_;

  Bound Bounds(const Mapping& mapping, bool per_pe) const;
};

}  // namespace cadenza
