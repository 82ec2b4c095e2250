#pragma once
// The brute-force reference simulator of the exact model (docs/simulator.md). It runs the abstract
// machine of the exact-model spec step by step: every global step of the directive loop nest,
// every sub-unit at every cluster level, and data movement counted as differences and unions of
// explicit sets of tensor elements. It is slow on purpose and exists to be obviously right: it is
// the arbiter a faster exact model is tested against, and it equals the Python reference
// simulator integer for integer on the reference cases of tests/data/exact-model*/.

#include <cstdint>

#include "analyzer/dims.h"
#include "analyzer/exact_counts.h"
#include "analyzer/hardware.h"
#include "analyzer/layer.h"
#include "analyzer/mapping.h"

namespace cadenza {

struct SimulatorOptions {
  // Default limits: the simulator's time and memory grow with the MAC count (coverage keeps one
  // bit per MAC, and every executed MAC is visited), so large layers are refused up front.
  static constexpr int64_t kDefaultMaxMacs = 100'000'000;
  static constexpr int64_t kDefaultMaxPes = int64_t{1} << 20;

  /// Multicast: one transfer serves every PE that needs an element in a step (the step's ingress
  /// is the union over PEs); off, each PE's new elements travel separately (the sum). Default: on.
  bool multicast = true;
  /// Spatial reduction: partial sums of one output sent up in one step are added in the network
  /// (egress is the union); off, each PE's outputs travel separately (the sum). Default: on.
  bool reduction = true;
  /// Layers with more MACs, or more input elements, than this are refused with an InputError.
  int64_t max_macs = kDefaultMaxMacs;
  /// Mappings that use more PEs than this are refused (every step visits every PE).
  int64_t max_pes = kDefaultMaxPes;
};

/// What the machine counts for one layer under one mapping (exact-model spec section 4): the
/// analytic model's ExactCounts, so that both are one vocabulary and compared field by field.
/// Coverage is a result, not an error: an illegal mapping's other fields still hold what the
/// machine did. The simulator walks every step, so its `class_top_steps` and `class_steps` are 0.
using SimulationResult = ExactCounts;

/// Runs `layer` under `mapping` on `hw` (num_pes, simd_lanes, noc_bw, offchip_bw are used).
///
/// Layer kinds: CONV with batch N, TRCONV (modelled exactly like CONV), DSCONV (K forced to 1),
/// GEMM (run as the CONV with Y = M, K = N, C = K, R = S = X = 1, stride 1), and NGCONV (the
/// group index G is a dimension present in input, weight and output, like a batch index that
/// also selects the weights). Dilation: input row y'*sy + r*dy; see docs/simulator.md for how
/// the Y'/X' normalisation and window ownership extend.
///
/// Throws InputError (message without file name) when: a cluster level has no SpatialMap, the
/// cluster sizes multiply to more than hw.num_pes, a level names a dimension twice (Y and Y'
/// count as the same), a directive names a dimension the layer kind does not have, the layer is
/// degenerate (a missing dimension, a filter larger than the input, stride or dilation < 1), or
/// the layer or mapping exceeds `options`' limits.
SimulationResult Simulate(const Layer& layer, const Mapping& mapping, const Hardware& hw,
                          const SimulatorOptions& options = {});

}  // namespace cadenza
