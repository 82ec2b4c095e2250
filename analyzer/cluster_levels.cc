#include "analyzer/cluster_levels.h"

#include <algorithm>
#include <string>

#include "analyzer/error.h"

namespace cadenza::internal {

namespace {

constexpr uint8_t Bit(Tensor t) { return static_cast<uint8_t>(1u << static_cast<unsigned>(t)); }

void AddTensorDim(LayerCoupling* c, Tensor t, Dim d) {
  c->dims[t][static_cast<size_t>(c->dim_count[t]++)] = d;
  c->tensor_mask[d] = static_cast<uint8_t>(c->tensor_mask[d] | Bit(t));
}

void Require(const Layer& layer, std::initializer_list<Dim> dims) {
  for (Dim d : dims) {
    if (layer.shape.size[d] < 1) {
      throw InputError("layer '" + layer.name + "' (" + std::string(OpKindName(layer.kind)) +
                       ") needs dimension " + std::string(DimName(d)) + " >= 1");
    }
  }
}

// Truncating division, as C's `/` on the original's integer and long double arithmetic.
constexpr int64_t Trunc(int64_t a, int64_t b) { return a / b; }

}  // namespace

LayerCoupling MakeCoupling(const Layer& layer) {
  LayerCoupling c;
  c.size = layer.shape.size;
  c.stride_y = layer.shape.stride_y;
  c.stride_x = layer.shape.stride_x;
  if (c.stride_y < 1 || c.stride_x < 1) {
    throw InputError("layer '" + layer.name + "': strides must be >= 1");
  }
  const bool batch = layer.shape.size[Dim::kN] > 0;
  using enum Dim;
  using enum Tensor;
  // Tensor tables of docs/cost-model.md 2.4 (API_user-interface-v2.hpp:494-565).
  switch (layer.kind) {
    case OpKind::kConv:
    case OpKind::kTransposedConv:
      Require(layer, {kK, kC, kR, kS, kY, kX});
      if (batch) AddTensorDim(&c, kInput, kN);
      for (Dim d : {kC, kY, kX}) AddTensorDim(&c, kInput, d);
      for (Dim d : {kK, kC, kR, kS}) AddTensorDim(&c, kFilter, d);
      if (batch) AddTensorDim(&c, kOutput, kN);
      for (Dim d : {kK, kY, kX}) AddTensorDim(&c, kOutput, d);
      c.has_overlap = true;
      break;
    case OpKind::kDepthwiseConv:
      Require(layer, {kC, kR, kS, kY, kX});
      if (batch) AddTensorDim(&c, kInput, kN);
      for (Dim d : {kC, kY, kX}) AddTensorDim(&c, kInput, d);
      for (Dim d : {kC, kR, kS}) AddTensorDim(&c, kFilter, d);
      if (batch) AddTensorDim(&c, kOutput, kN);
      for (Dim d : {kC, kY, kX}) AddTensorDim(&c, kOutput, d);
      c.has_overlap = true;
      break;
    case OpKind::kGroupedConv:
      Require(layer, {kG, kK, kC, kR, kS, kY, kX});
      if (batch) AddTensorDim(&c, kInput, kN);
      for (Dim d : {kG, kC, kY, kX}) AddTensorDim(&c, kInput, d);
      for (Dim d : {kG, kK, kC, kR, kS}) AddTensorDim(&c, kFilter, d);
      if (batch) AddTensorDim(&c, kOutput, kN);
      for (Dim d : {kG, kK, kC, kY, kX}) AddTensorDim(&c, kOutput, d);
      c.has_overlap = true;
      break;
    case OpKind::kGemm:
      Require(layer, {kM, kN, kK});
      for (Dim d : {kM, kK}) AddTensorDim(&c, kInput, d);
      for (Dim d : {kK, kN}) AddTensorDim(&c, kFilter, d);
      for (Dim d : {kM, kN}) AddTensorDim(&c, kOutput, d);
      break;
  }
  if (!c.has_overlap && (c.stride_y != 1 || c.stride_x != 1)) {
    throw InputError("layer '" + layer.name + "': a GEMM layer has no stride");
  }
  // Vin: the union of input and filter dims in ASCII order of their names (docs/cost-model.md 3.1).
  for (Dim d : kAllDims) {
    if (c.tensor_mask[d] & (Bit(kInput) | Bit(kFilter))) c.vin[static_cast<size_t>(c.vin_count++)] = d;
  }
  std::sort(c.vin.begin(), c.vin.begin() + c.vin_count,
            [](Dim a, Dim b) { return DimName(a) < DimName(b); });
  return c;
}

namespace {

struct Builder {
  const LayerCoupling& layer;
  Levels* out;

  bool Fail(Infeasible reason, int directive) {
    out->error = reason;
    out->error_directive = directive;
    return false;
  }

  int64_t Stride(Dim d) const {
    return d == Dim::kY ? layer.stride_y : d == Dim::kX ? layer.stride_x : 1;
  }

  // docs/cost-model.md 3.2 step 4: MAESTRO widens a Y/X tile to whole filter windows under stride.
  void AdjustForStride(LevelDirective* d, bool top) const {
    if (!layer.has_overlap || (d->dim != Dim::kY && d->dim != Dim::kX)) return;
    const int64_t s = Stride(d->dim);
    if (s == 1) return;
    const int64_t rf = layer.size[d->dim == Dim::kY ? Dim::kR : Dim::kS];
    if (d->size < rf) return;
    const int64_t q = Trunc(d->size + s - rf, s);
    d->size = q * std::min(s, rf) + std::max<int64_t>(rf - s, 0);
    d->offset = (!top && rf < s) ? q * rf : q * s;
  }

  // docs/cost-model.md 3.3: sub-units busy in the partial last step of the first SpatialMap.
  static int64_t EdgeUnits(const LevelDirective& sp, int64_t dim, int64_t units) {
    const int64_t m = sp.size, o = sp.offset;
    const int64_t full = o * (units - 1) + m;
    if (dim > full) {
      const int64_t t = Trunc(Trunc(dim - m, o) + 1, units) - 1;
      const int64_t rem = dim - (t + 1) * o * units;
      return rem < m ? 1 : Trunc(rem - m, o) + 1;
    }
    if (dim > m) {
      int64_t e = Trunc(dim - m, o) + 1;
      if (o * (e - 1) + m < dim) ++e;
      return e;
    }
    return 1;
  }

  // docs/cost-model.md 3.4: mapped / unique sizes of full and edge tiles, per dimension.
  void FillTables(Level* lv) const {
    for (int i = 0; i < lv->count; ++i) {
      const LevelDirective& d = lv->d[static_cast<size_t>(i)];
      const int64_t dim = lv->static_dim[d.dim];
      const int64_t m = d.size, o = d.offset;
      const int64_t steady = std::max<int64_t>(0, Trunc(dim - m, o));
      const bool has_edge = steady * o + m < dim || m > dim;
      int64_t e = dim - (steady + 1) * o;
      if (e < 0) e = dim;
      const int slot = Slot(d.dim);
      lv->mapped[slot] = m;
      lv->unique[slot] = (!d.spatial && dim <= m) ? 0 : std::min(m, o);
      lv->mapped_edge[slot] = has_edge ? e : m;
      lv->unique_edge[slot] = std::max<int64_t>(o - (m - e), 0);
    }
    if (!layer.has_overlap) return;
    for (int i = 0; i < lv->count; ++i) {
      const LevelDirective& d = lv->d[static_cast<size_t>(i)];
      if (d.dim != Dim::kY && d.dim != Dim::kX) continue;
      const int ref = Slot(d.dim);
      const int filt = Slot(d.dim == Dim::kY ? Dim::kR : Dim::kS);
      const int out_slot = d.dim == Dim::kY ? kYPrime : kXPrime;
      lv->mapped[out_slot] = lv->mapped[ref] - lv->mapped[filt] + 1;
      lv->unique[out_slot] = std::min(d.offset, d.size);
      lv->mapped_edge[out_slot] = lv->mapped_edge[ref] - lv->mapped_edge[filt] + 1;
      lv->unique_edge[out_slot] = std::min(d.offset, lv->mapped_edge[out_slot]);
    }
  }

  bool Build(const Mapping& mapping, int64_t num_pes) {
    // Split the user's directives at the Cluster directives (docs/cost-model.md 3.2).
    std::array<int, kMaxLevels + 1> begin{};
    std::array<int64_t, kMaxLevels> cluster_size{};
    int levels = 1;
    int64_t product = 1;
    for (int i = 0; i < mapping.size(); ++i) {
      if (mapping[i].kind != DirectiveKind::kCluster) continue;
      if (levels == kMaxLevels) return Fail(Infeasible::kBadStructure, i);
      if (mapping[i].size < 1) return Fail(Infeasible::kBadStructure, i);
      if (__builtin_mul_overflow(product, mapping[i].size, &product) || product > num_pes) {
        return Fail(Infeasible::kClusterExceedsPEs, i);
      }
      cluster_size[static_cast<size_t>(levels)] = mapping[i].size;
      begin[static_cast<size_t>(levels++)] = i + 1;
    }
    begin[static_cast<size_t>(levels)] = mapping.size() + 1;
    out->count = levels;

    for (int l = 0; l < levels; ++l) {
      Level& lv = out->level[static_cast<size_t>(l)];
      lv = Level{};
      lv.directive_of.fill(-1);
      lv.units = l == 0 ? num_pes / product : cluster_size[static_cast<size_t>(l)];
      if (l == 0) {
        for (Dim d : kAllDims) {
          lv.static_dim[d] = layer.size[d];
          lv.has_dim[d] = layer.size[d] > 0;
        }
      } else {
        const Level& up = out->level[static_cast<size_t>(l - 1)];
        for (int v = 0; v < layer.vin_count; ++v) {
          const Dim d = layer.vin[static_cast<size_t>(v)];
          const int k = up.directive_of[static_cast<size_t>(d)];
          lv.static_dim[d] = std::min(up.d[static_cast<size_t>(k)].size, up.static_dim[d]);
          lv.has_dim[d] = true;
        }
      }

      // The level's own directives; Y'/X' kept aside for the rewrite of step 1.
      std::array<LevelDirective, kMaxLevelDirectives> own{};
      std::array<bool, kMaxLevelDirectives> primed{};
      int own_count = 0;
      const int first = begin[static_cast<size_t>(l)];
      const int last = begin[static_cast<size_t>(l + 1)] - 1;
      PerDim<bool> seen{};
      for (int i = first; i < last; ++i) {
        const Directive& src = mapping[i];
        if (!lv.has_dim[src.dim] || seen[src.dim] || own_count == kMaxLevelDirectives ||
            (src.output_coord && !layer.has_overlap) || src.size < 1 || src.offset < 1) {
          return Fail(Infeasible::kBadStructure, i);
        }
        seen[src.dim] = true;
        primed[static_cast<size_t>(own_count)] = src.output_coord;
        own[static_cast<size_t>(own_count++)] = LevelDirective{
            .spatial = src.kind == DirectiveKind::kSpatialMap, .dim = src.dim, .size = src.size,
            .offset = src.offset, .source = i, .tensor_mask = layer.tensor_mask[src.dim]};
        // TemporalMap on R/S must cover the whole filter (the original exits otherwise).
        if (!own[static_cast<size_t>(own_count - 1)].spatial && layer.has_overlap &&
            (src.dim == Dim::kR || src.dim == Dim::kS) &&
            (src.size != layer.size[src.dim] || src.offset != layer.size[src.dim])) {
          return Fail(Infeasible::kBadStructure, i);
        }
      }
      // Step 1: an output-coordinate tile becomes an input tile m + R - 1 (R: this level's
      // R tile, or the level's whole R extent when the level does not map R).
      for (int i = 0; i < own_count; ++i) {
        if (!primed[static_cast<size_t>(i)]) continue;
        LevelDirective& d = own[static_cast<size_t>(i)];
        const Dim filt = d.dim == Dim::kY ? Dim::kR : Dim::kS;
        int64_t filter_tile = lv.static_dim[filt];
        for (int j = 0; j < own_count; ++j) {
          if (own[static_cast<size_t>(j)].dim == filt) filter_tile = own[static_cast<size_t>(j)].size;
        }
        d.size = d.size + filter_tile - 1;
      }
      // Step 2: inherit the upper level's directives this level does not mention, as
      // TemporalMaps, each inserted at the front.
      if (l > 0) {
        const Level& up = out->level[static_cast<size_t>(l - 1)];
        for (int k = 0; k < up.count; ++k) {
          LevelDirective inherited = up.d[static_cast<size_t>(k)];
          if (seen[inherited.dim]) continue;
          if (!lv.has_dim[inherited.dim] || lv.count == kMaxLevelDirectives) {
            return Fail(Infeasible::kBadStructure, inherited.source);
          }
          inherited.spatial = false;
          std::copy_backward(lv.d.begin(), lv.d.begin() + lv.count, lv.d.begin() + lv.count + 1);
          lv.d[0] = inherited;
          ++lv.count;
          seen[inherited.dim] = true;
        }
      }
      for (int i = 0; i < own_count; ++i) {
        if (lv.count == kMaxLevelDirectives) return Fail(Infeasible::kBadStructure, own[static_cast<size_t>(i)].source);
        lv.d[static_cast<size_t>(lv.count++)] = own[static_cast<size_t>(i)];
      }
      // Step 3: complete with whole-extent TemporalMaps in Vin order.
      for (int v = 0; v < layer.vin_count; ++v) {
        const Dim d = layer.vin[static_cast<size_t>(v)];
        if (seen[d] || !lv.has_dim[d]) continue;
        if (lv.count == kMaxLevelDirectives) return Fail(Infeasible::kBadStructure, -1);
        lv.d[static_cast<size_t>(lv.count++)] =
            LevelDirective{.spatial = false, .dim = d, .size = lv.static_dim[d],
                           .offset = lv.static_dim[d], .source = -1,
                           .tensor_mask = layer.tensor_mask[d]};
        seen[d] = true;
      }
      // Step 4: stride.
      for (int i = 0; i < lv.count; ++i) AdjustForStride(&lv.d[static_cast<size_t>(i)], l == 0);
      // Step 5: one or two SpatialMaps.
      int spatial_count = 0;
      for (int i = 0; i < lv.count; ++i) {
        const LevelDirective& d = lv.d[static_cast<size_t>(i)];
        lv.directive_of[static_cast<size_t>(d.dim)] = i;
        if (!d.spatial) continue;
        ++spatial_count;
        if (lv.first_spatial < 0) lv.first_spatial = i;
        lv.last_spatial = i;
        lv.spatial_mask = static_cast<uint16_t>(lv.spatial_mask | (1u << i));
      }
      if (spatial_count == 0 || spatial_count > 2) {
        int culprit = first < last ? first : std::max(first - 1, 0);
        if (spatial_count > 2) culprit = lv.d[static_cast<size_t>(lv.last_spatial)].source;
        return Fail(Infeasible::kBadStructure, culprit);
      }
      for (Tensor t : kAllTensors) {
        for (int i = 0; i < lv.count; ++i) {
          if (lv.d[static_cast<size_t>(i)].tensor_mask & Bit(t)) {
            lv.coupled[t] = static_cast<uint16_t>(lv.coupled[t] | (1u << i));
          }
        }
        lv.last_spatial_of_tensor[t] = -1;
        for (int k = 0; k < layer.dim_count[t]; ++k) {
          const int i = lv.directive_of[static_cast<size_t>(layer.dims[t][static_cast<size_t>(k)])];
          if (i >= 0 && lv.d[static_cast<size_t>(i)].spatial) lv.last_spatial_of_tensor[t] = i;
        }
      }
      // Step 6: static data.
      const LevelDirective& sp = lv.d[static_cast<size_t>(lv.first_spatial)];
      lv.edge_units = EdgeUnits(sp, lv.static_dim[sp.dim], lv.units);
      FillTables(&lv);
    }
    return true;
  }
};

}  // namespace

void BuildLevels(const LayerCoupling& layer, const Mapping& mapping, int64_t num_pes,
                 Levels* out) {
  out->count = 0;
  out->error = Infeasible::kNone;
  out->error_directive = -1;
  Builder{layer, out}.Build(mapping, num_pes);
}

}  // namespace cadenza::internal
