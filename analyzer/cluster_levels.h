#pragma once
// Internal to the analyzer: a mapping decomposed into cluster levels, with each level's
// directives completed and rewritten exactly as MAESTRO does (docs/cost-model.md 3.2-3.4).

#include <array>
#include <cstdint>

#include "analyzer/cost.h"
#include "analyzer/dims.h"
#include "analyzer/hardware.h"
#include "analyzer/layer.h"
#include "analyzer/mapping.h"

namespace cadenza::internal {

/// Table slots: one per Dim, plus the output-coordinate entries Y' and X'.
inline constexpr int kYPrime = kNumDims;
inline constexpr int kXPrime = kNumDims + 1;
inline constexpr int kNumSlots = kNumDims + 2;
inline constexpr int kMaxLevelDirectives = kNumDims;  // one directive per dimension and level
// Cluster levels beyond MAESTRO's three are allowed, up to this many levels in all.
inline constexpr int kMaxLevels = 8;

inline constexpr int Slot(Dim d) { return static_cast<int>(d); }

/// How a layer kind couples dimensions to tensors; fixed per layer.
struct LayerCoupling {
  PerTensor<std::array<Dim, 6>> dims{};    // each tensor's dims in MAESTRO's order
  PerTensor<int> dim_count{};
  PerDim<uint8_t> tensor_mask{};           // bit t: the dim couples to tensor t
  std::array<Dim, kNumDims> vin{};         // input+filter dims sorted by name (MAESTRO's Vin)
  int vin_count = 0;
  PerDim<int64_t> size{};                  // declared sizes (0 = not declared)
  int64_t stride_y = 1, stride_x = 1;
  bool has_overlap = false;                // CONV-like: (Y,R) and (X,S) slide
};

/// Builds the coupling of `layer`. Throws InputError if the layer lacks a required dimension.
LayerCoupling MakeCoupling(const Layer& layer);

struct LevelDirective {
  bool spatial = false;
  Dim dim = Dim::kN;
  int64_t size = 1;
  int64_t offset = 1;
  int source = -1;          // index in the user's Mapping (inherited: the original's), -1: added
  uint8_t tensor_mask = 0;  // tensors this directive's dimension couples to
};

/// One cluster level after MAESTRO's rewrites, with its static tables.
struct Level {
  std::array<LevelDirective, kMaxLevelDirectives> d{};
  int count = 0;
  int64_t units = 0;        // N: sub-units (clusters or PEs) of this level
  int64_t edge_units = 0;   // E: sub-units busy in the partial last spatial step
  PerDim<int64_t> static_dim{};
  PerDim<bool> has_dim{};   // dimension is in this level's table
  std::array<int64_t, kNumSlots> mapped{}, unique{}, mapped_edge{}, unique_edge{};
  int first_spatial = -1;   // directive index of the first SpatialMap
  int last_spatial = -1;    // ... and of the last
  uint16_t spatial_mask = 0;                  // bit i: directive i is a SpatialMap
  PerTensor<uint16_t> coupled{};              // bit i: directive i couples to the tensor
  PerTensor<int> last_spatial_of_tensor{};    // directive of the tensor's last spatially
                                              // mapped dim (tensor dim order), -1 if none
  std::array<int, kNumDims> directive_of{};   // per Dim: directive index or -1
};

struct Levels {
  std::array<Level, kMaxLevels> level{};
  int count = 0;
  Infeasible error = Infeasible::kNone;
  int error_directive = -1;
};

/// Decomposes `mapping` into levels (docs/cost-model.md 3.2) and fills their static tables
/// (3.3, 3.4).
/// Structural problems are reported in Levels::error, never thrown.
void BuildLevels(const LayerCoupling& layer, const Mapping& mapping, int64_t num_pes,
                 Levels* out);

}  // namespace cadenza::internal
