#include "analyzer/analyzer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "analyzer/cluster_levels.h"
#include "analyzer/error.h"

namespace cadenza {

std::string_view InfeasibleName(Infeasible reason) {
  switch (reason) {
    case Infeasible::kNone: return "none";
    case Infeasible::kBadStructure: return "bad-structure";
    case Infeasible::kClusterExceedsPEs: return "cluster-exceeds-pes";
    case Infeasible::kUndefinedReuse: return "undefined-reuse";
    case Infeasible::kEmptySubCluster: return "empty-sub-cluster";
    case Infeasible::kZeroPartialSums: return "zero-partial-sums";
    case Infeasible::kNegativeCounts: return "negative-counts";
    case Infeasible::kL1Overflow: return "l1-overflow";
    case Infeasible::kL2Overflow: return "l2-overflow";
    case Infeasible::kNocBandwidth: return "noc-bandwidth";
    case Infeasible::kOffchipBandwidth: return "offchip-bandwidth";
    case Infeasible::kIncompleteCoverage: return "incomplete-coverage";
    case Infeasible::kCountOverflow: return "count-overflow";
    case Infeasible::kCoverage: return "coverage";
  }
  return "?";
}

std::string_view InfeasibleExplanation(Infeasible reason) {
  switch (reason) {
    case Infeasible::kNone: return "feasible";
    case Infeasible::kBadStructure:
      return "the dataflow is malformed here: each cluster level needs one or two SpatialMaps, "
             "each dimension at most once per level, only dimensions the layer has (a lower "
             "level sees only input and filter dimensions), and a TemporalMap on R or S must "
             "cover the whole filter";
    case Infeasible::kClusterExceedsPEs:
      return "the product of the Cluster sizes exceeds the number of PEs";
    case Infeasible::kUndefinedReuse:
      return "this temporal loop advances over a tile that is already as large as its "
             "dimension, so the data it brings in is undefined (a tile larger than its "
             "dimension at an upper level)";
    case Infeasible::kEmptySubCluster:
      return "a sub-cluster has no work in any of its iterations (its tiles are smaller than "
             "the filter), so the level above it never finishes a step";
    case Infeasible::kZeroPartialSums:
      return "no iteration computes a partial sum: the tiles are smaller than the filter or "
             "larger than their dimension";
    case Infeasible::kNegativeCounts:
      return "an edge tile is smaller than the filter window, which gives negative MAC or "
             "output counts";
    case Infeasible::kL1Overflow: return "the L1 buffer needed exceeds the L1 capacity";
    case Infeasible::kL2Overflow: return "the L2 buffer needed exceeds the L2 capacity";
    case Infeasible::kNocBandwidth: return "the NoC bandwidth needed exceeds the NoC bandwidth";
    case Infeasible::kOffchipBandwidth:
      return "the off-chip bandwidth needed exceeds the off-chip bandwidth";
    case Infeasible::kIncompleteCoverage:
      return "the mapping's loop nest covers fewer MACs than the layer has (it skips work)";
    case Infeasible::kCountOverflow:
      return "the layer is too large: its access or cycle counts exceed 64 bits";
    case Infeasible::kCoverage:
      return "the mapping does not execute every MAC of the layer exactly once (some are "
             "missing or computed twice)";
  }
  return "?";
}

namespace {

using internal::Level;
using internal::LevelDirective;
using internal::Levels;
using internal::LayerCoupling;
using internal::kMaxLevelDirectives;
using internal::Slot;

constexpr int kIn = static_cast<int>(Tensor::kInput);
constexpr int kW = static_cast<int>(Tensor::kFilter);
constexpr int kOut = static_cast<int>(Tensor::kOutput);

enum Pos : uint8_t { kInit, kSteady, kEdge };

// One loop state of a directive (docs/cost-model.md 3.5).
struct State {
  Pos pos = kInit;
  bool unrolled = false;
  bool init_edge = false;
  bool edge_edge = false;
  int64_t count = 1;
};

struct StateList {
  std::array<State, 3> s{};
  int n = 0;
};

struct SubResult {
  int64_t runtime = 0;
  double active = 0;  // average active sub-units
};

constexpr int kMemoCapacity = 64;
struct MemoEntry {
  int level = 0;
  PerDim<int64_t> dims{};
  SubResult result;
};

constexpr int64_t Trunc(int64_t a, int64_t b) { return a / b; }

// The states of one directive over extent `dim` (docs/cost-model.md 3.5).
StateList MakeStates(const LevelDirective& d, int64_t dim, int64_t units) {
  StateList out;
  const int64_t m = d.size, o = d.offset;
  if (!d.spatial) {
    out.s[0] = State{kInit, dim <= m, dim < m, false, 1};
    out.n = 1;
    const int64_t t = Trunc(dim - m, o);
    if (m < dim && t > 0) out.s[static_cast<size_t>(out.n++)] = State{kSteady, false, false, false, t};
    if (!(dim < m) && t * o + m < dim) out.s[static_cast<size_t>(out.n++)] = State{kEdge, false, false, false, 1};
    return out;
  }
  const int64_t cov = m + o * (units - 1);
  const bool init_edge = dim < cov;
  const bool unrolled = dim <= cov;
  out.s[0] = State{kInit, unrolled, init_edge, init_edge, 1};
  out.n = 1;
  const int64_t t = Trunc(Trunc(dim - m, o) + 1, units) - 1;
  if (cov < dim && t > 0) out.s[static_cast<size_t>(out.n++)] = State{kSteady, false, false, false, t};
  if (!init_edge && !unrolled && (t + 1) * o * units + cov > dim && t * o * units + cov != dim) {
    const int64_t rem = dim - (t + 1) * o * units;
    const int64_t a = rem < m ? 1 : Trunc(rem - m, o) + 1;
    out.s[static_cast<size_t>(out.n++)] = State{kEdge, false, false, (a - 1) * o + m < rem, 1};
  }
  return out;
}

// Everything one evaluation needs; lives on Evaluate's stack.
class Walk {
 public:
  Walk(const LayerCoupling& layer, const Levels& levels, const Hardware& hw, CostResult* top)
      : layer_(layer), levels_(levels), hw_(hw), top_(top) {}

  // Analyses `level` over the dimension table `dims` (docs/cost-model.md 3.7). Returns its
  // runtime and average active sub-units; on a fatal condition sets error() and returns early.
  SubResult Analyze(int level, const PerDim<int64_t>& dims);

  Infeasible error() const { return error_; }
  int error_directive() const { return error_directive_; }
  const PerTensor<int64_t>& first_l1() const { return first_l1_; }

 private:
  // The state of the current case, per directive of the level being analysed.
  struct Case {
    const Level* lv = nullptr;
    std::array<const State*, kMaxLevelDirectives> st{};
    uint16_t edge_mask = 0;  // bit i: directive i IsEdge
    int ch = -1;             // innermost directive not in Init position
    // Egress, MAC and critical-path volumes ask for the same PEV variants repeatedly within a
    // case: remember them (index: psum | first << 1 | ee << 2 | reuse_at_edge << 3).
    mutable std::array<int64_t, 16> pev{};
    mutable uint16_t pev_known = 0;
  };

  bool IsEdge(const Case& c, int i) const { return (c.edge_mask >> i) & 1u; }

  bool Inited(const Case& c, int t) const {
    const Level& lv = *c.lv;
    for (int j = c.ch + 1; j < lv.count; ++j) {
      if (!((lv.coupled.v[static_cast<size_t>(t)] >> j) & 1u)) continue;
      const State& s = *c.st[static_cast<size_t>(j)];
      if (s.pos == kInit && !s.unrolled) return true;
    }
    return false;
  }

  // PE-mapped volume (docs/cost-model.md 3.6).
  int64_t Pmv(const Case& c, int t, bool first, bool ee) const {
    const Level& lv = *c.lv;
    int64_t v = 1;
    for (int j = 0; j < lv.count; ++j) {
      if (!((lv.coupled.v[static_cast<size_t>(t)] >> j) & 1u)) continue;
      const int slot = Slot(lv.d[static_cast<size_t>(j)].dim);
      const int64_t m = lv.mapped[static_cast<size_t>(slot)];
      const int64_t me = lv.mapped_edge[static_cast<size_t>(slot)];
      if (!lv.d[static_cast<size_t>(j)].spatial) {
        v = Mul(v, IsEdge(c, j) ? me : m);
      } else if (!IsEdge(c, j)) {
        v = Mul(v, m);
      } else if (lv.edge_units == 1 && (first || ee)) {
        v = Mul(v, me);
      } else if (lv.edge_units > 1) {
        v = Mul(v, ee ? me : m);
      }
    }
    return v;
  }

  // PE ingress volume (docs/cost-model.md 3.6). Flags R2 (docs/maestro-compatibility.md,
  // departure 3) on an undefined unique count.
  int64_t Piv(const Case& c, int t, bool first, bool ee) {
    if (c.ch < 0) return Pmv(c, t, first, ee);
    const Level& lv = *c.lv;
    const uint16_t coupled = lv.coupled.v[static_cast<size_t>(t)];
    if (!((coupled >> c.ch) & 1u)) return 0;
    const bool inited = Inited(c, t);
    int64_t v = 1;
    for (int j = 0; j < lv.count; ++j) {
      if (!((coupled >> j) & 1u)) continue;
      const LevelDirective& d = lv.d[static_cast<size_t>(j)];
      const size_t slot = static_cast<size_t>(Slot(d.dim));
      const int64_t m = lv.mapped[slot], q = lv.unique[slot];
      const int64_t me = lv.mapped_edge[slot], qe = lv.unique_edge[slot];
      const Pos pos = c.st[static_cast<size_t>(j)]->pos;
      if (!d.spatial) {
        if (pos == kInit) {
          v = Mul(v, IsEdge(c, j) ? me : m);
        } else if (j == c.ch && !inited) {
          if (q == 0) {
            Fail(Infeasible::kUndefinedReuse, d.source);
            return 0;
          }
          v = Mul(v, q);
        } else {
          v = Mul(v, m);
        }
        continue;
      }
      const int64_t ms = ee ? me : m, qs = ee ? qe : q;
      if (first) {
        v = Mul(v, ms);
      } else if (pos == kInit) {
        v = Mul(v, j <= c.ch ? ms : qs);
      } else {
        v = Mul(v, (!inited && j == c.ch) ? qs : ms);
      }
    }
    return v;
  }

  // Spatial ingress of input or filter (docs/cost-model.md 3.6).
  int64_t Ingress(const Case& c, int t) {
    const Level& lv = *c.lv;
    const uint16_t spatial = lv.spatial_mask & lv.coupled.v[static_cast<size_t>(t)];
    if (spatial == 0) return Piv(c, t, true, false);
    const bool edge = (spatial & c.edge_mask) != 0;
    if (!edge) return Add(Piv(c, t, true, false), Mul(lv.units - 1, Piv(c, t, false, false)));
    const State& s = *c.st[static_cast<size_t>(lv.last_spatial_of_tensor.v[static_cast<size_t>(t)])];
    return Combine(lv.edge_units, s.edge_edge, [&](bool first, bool ee) { return Piv(c, t, first, ee); });
  }

  // The edge combination shared by ingress and egress: the first sub-unit, the full ones and
  // the partial last one.
  template <typename Volume>
  int64_t Combine(int64_t e, bool ee, Volume volume) const {
    int64_t v = (e == 1 && ee) ? volume(true, true) : volume(true, false);
    if (e > 1) {
      const int64_t eei = ee ? 1 : 0;
      v = Add(v, Add(Mul(std::max<int64_t>(e - eei - 1, 0), volume(false, false)),
                     Mul(eei, volume(false, true))));
    }
    return v;
  }

  // Checked arithmetic: an overflow marks the evaluation, which then reports kCountOverflow.
  int64_t Mul(int64_t a, int64_t b) const {
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r)) {
      overflow_ = true;
      return 0;
    }
    return r;
  }
  int64_t Add(int64_t a, int64_t b) const {
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) {
      overflow_ = true;
      return 0;
    }
    return r;
  }
  void Accumulate(int64_t* sum, int64_t n, int64_t value) const { *sum = Add(*sum, Mul(n, value)); }

 public:
  bool overflow() const { return overflow_; }

 private:

  // PE egress volume of the output (docs/cost-model.md 3.6), remembered per case.
  int64_t Pev(const Case& c, bool psum, bool first, bool ee, bool reuse_at_edge = true) const {
    const unsigned key = (psum ? 1u : 0u) | (first ? 2u : 0u) | (ee ? 4u : 0u) |
                         (reuse_at_edge ? 8u : 0u);
    if ((c.pev_known >> key) & 1u) return c.pev[key];
    const int64_t v = ComputePev(c, psum, first, ee, reuse_at_edge);
    c.pev[key] = v;
    c.pev_known = static_cast<uint16_t>(c.pev_known | (1u << key));
    return v;
  }

  int64_t ComputePev(const Case& c, bool psum, bool first, bool ee, bool reuse_at_edge) const {
    const Level& lv = *c.lv;
    const uint16_t coupled = lv.coupled.v[kOut];
    const int64_t e = lv.edge_units;
    int64_t v = 1;
    for (int j = 0; j < lv.count; ++j) {
      const bool part_b = (coupled >> j) & 1u;
      if (!part_b && !psum) continue;
      const LevelDirective& d = lv.d[static_cast<size_t>(j)];
      size_t slot = static_cast<size_t>(Slot(d.dim));
      const size_t plain = slot;
      if (part_b && layer_.has_overlap) {
        if (d.dim == Dim::kY) slot = internal::kYPrime;
        if (d.dim == Dim::kX) slot = internal::kXPrime;
      }
      const int64_t m = lv.mapped[slot], q = lv.unique[slot];
      const int64_t me = lv.mapped_edge[slot], qe = lv.unique_edge[slot];
      const int64_t qstar = q == 0 ? 1 : q;
      const State& s = *c.st[static_cast<size_t>(j)];
      const bool is_edge = IsEdge(c, j);
      if (!d.spatial) {
        v = Mul(v, s.pos == kInit ? (is_edge ? me : m) : s.pos == kSteady ? m : me);
        continue;
      }
      switch (s.pos) {
        case kInit:
          if (!(is_edge && ee)) {
            v = Mul(v, first ? m : qstar);
          } else if (e == 1) {
            v = Mul(v, me);
          } else {
            v = Mul(v, !part_b ? me : (reuse_at_edge ? qe : me));
          }
          break;
        case kSteady:
          v = Mul(v, first ? m : qstar);
          break;
        case kEdge:
          if (e == 1 && (first || ee)) {
            v = Mul(v, lv.mapped_edge[plain]);  // reads the unprimed Y/X entry, as the original does
          } else if (e > 1) {
            v = Mul(v, ee ? qe : (first ? m : qstar));
          }
          break;
      }
    }
    return v;
  }

  int64_t Egress(const Case& c) const {
    const Level& lv = *c.lv;
    const uint16_t spatial = lv.spatial_mask & lv.coupled.v[kOut];
    if (spatial == 0) return Pev(c, false, true, false);
    if ((spatial & c.edge_mask) == 0) {
      return Add(Pev(c, false, true, false), Mul(lv.units - 1, Pev(c, false, false, false)));
    }
    const State& s = *c.st[static_cast<size_t>(lv.last_spatial_of_tensor.v[kOut])];
    return Combine(lv.edge_units, s.edge_edge, [&](bool first, bool ee) { return Pev(c, false, first, ee); });
  }

  int64_t Macs(const Case& c) const {
    const Level& lv = *c.lv;
    if ((lv.spatial_mask & c.edge_mask) == 0) return Mul(lv.units, Pev(c, true, true, false));
    const bool ee = c.st[static_cast<size_t>(lv.last_spatial)]->edge_edge;
    const int64_t e = lv.edge_units;
    int64_t v = (e == 1 && ee) ? Pev(c, true, true, true) : Pev(c, true, true, false);
    if (e > 1) {
      const int64_t eei = ee ? 1 : 0;
      v = Add(v, Add(Mul(std::max<int64_t>(e - eei - 1, 0), Pev(c, true, true, false)),
                     Mul(eei, Pev(c, true, false, true, /*reuse_at_edge=*/false))));
    }
    return v;
  }

  int64_t CriticalPath(const Case& c) const {
    const Level& lv = *c.lv;
    const uint16_t spatial = lv.spatial_mask & lv.coupled.v[kOut];
    if (spatial == 0 || (spatial & c.edge_mask) == 0) return Pev(c, true, true, false);
    const bool ee = c.st[static_cast<size_t>(lv.last_spatial_of_tensor.v[kOut])]->edge_edge;
    return (lv.edge_units == 1 && ee) ? Pev(c, true, true, true) : Pev(c, true, true, false);
  }

  // The dimension table handed to the next level for this case (docs/cost-model.md 3.8).
  PerDim<int64_t> NextDims(const Case& c, bool ee_variant) const {
    const Level& lv = *c.lv;
    PerDim<int64_t> next{};
    for (int j = 0; j < lv.count; ++j) {
      const LevelDirective& d = lv.d[static_cast<size_t>(j)];
      const size_t slot = static_cast<size_t>(Slot(d.dim));
      const int64_t m = lv.mapped[slot], me = lv.mapped_edge[slot];
      const Pos pos = c.st[static_cast<size_t>(j)]->pos;
      const bool narrow = lv.edge_units == 1 || ee_variant;
      if (!d.spatial) {
        next[d.dim] = IsEdge(c, j) ? me : m;
      } else if (pos == kInit) {
        next[d.dim] = IsEdge(c, j) ? (narrow ? me : m) : m;
      } else if (pos == kSteady) {
        next[d.dim] = m;
      } else {
        next[d.dim] = narrow ? me : m;
      }
    }
    return next;
  }

  SubResult Sub(int level, const PerDim<int64_t>& dims) {
    for (int i = 0; i < memo_count_; ++i) {
      const MemoEntry& e = memo_[static_cast<size_t>(i)];
      if (e.level == level && e.dims == dims) return e.result;
    }
    const SubResult r = Analyze(level, dims);
    if (memo_count_ < kMemoCapacity) memo_[static_cast<size_t>(memo_count_++)] = {level, dims, r};
    return r;
  }

  // NoC delay of a transfer at `level` (docs/cost-model.md 3.7 step 5):
  // latency + ceil(volume / bw) - 1.
  int64_t NocDelay(int level, int64_t volume) const {
    const int64_t bw = hw_.NocBandwidth(level);
    return hw_.NocLatency(level) + Trunc(volume, bw) + (volume % bw != 0 ? 1 : 0) - 1;
  }

  void Fail(Infeasible reason, int directive) {
    if (error_ != Infeasible::kNone) return;
    error_ = reason;
    error_directive_ = directive;
  }

  const LayerCoupling& layer_;
  const Levels& levels_;
  const Hardware& hw_;
  CostResult* top_;
  Infeasible error_ = Infeasible::kNone;
  int error_directive_ = -1;
  bool have_first_l1_ = false;
  PerTensor<int64_t> first_l1_{};
  std::array<MemoEntry, kMemoCapacity> memo_;
  int memo_count_ = 0;
  mutable bool overflow_ = false;
};

SubResult Walk::Analyze(int level, const PerDim<int64_t>& dims) {
  const Level& lv = levels_.level[static_cast<size_t>(level)];
  const bool top = level == 0;
  const bool innermost = level + 1 == levels_.count;

  std::array<StateList, kMaxLevelDirectives> lists;
  std::array<int64_t, kMaxLevelDirectives> stride{};  // f_i of docs/cost-model.md 3.5
  std::array<int, kMaxLevelDirectives> counter{};
  int64_t total = 1;
  for (int i = lv.count - 1; i >= 0; --i) {
    const LevelDirective& d = lv.d[static_cast<size_t>(i)];
    lists[static_cast<size_t>(i)] = MakeStates(d, dims[d.dim], lv.units);
    stride[static_cast<size_t>(i)] = total;
    total = Mul(total, lists[static_cast<size_t>(i)].n);
  }

  // Whole-tensor sizes at this level, and the per-PE tile sizes.
  PerTensor<int64_t> whole{}, tile{};
  for (int t = 0; t < kNumTensors; ++t) {
    int64_t w = 1, p = 1;
    for (int k = 0; k < layer_.dim_count.v[static_cast<size_t>(t)]; ++k) {
      const Dim d = layer_.dims.v[static_cast<size_t>(t)][static_cast<size_t>(k)];
      int64_t extent = dims[d];
      if (t == kOut && layer_.has_overlap && d == Dim::kY) extent = dims[Dim::kY] - dims[Dim::kR] + 1;
      if (t == kOut && layer_.has_overlap && d == Dim::kX) extent = dims[Dim::kX] - dims[Dim::kS] + 1;
      w = Mul(w, extent);
      p = Mul(p, lv.mapped[static_cast<size_t>(Slot(d))]);
    }
    whole.v[static_cast<size_t>(t)] = w;
    tile.v[static_cast<size_t>(t)] = p;
  }

  PerTensor<int64_t> l2_read{}, l2_write{}, l2_size{}, l1_read{}, l1_write{}, l1_size{};
  int64_t runtime = 0, macs = 0, occ = 0, offchip_req = 0, peak_bw = 0, sum_bw = 0;
  double active = 0, intensity = 0;
  int64_t min_in = std::numeric_limits<int64_t>::max(), max_in = 0, sum_in = 0;
  int64_t min_eg = min_in, max_eg = 0, sum_eg = 0;
  int64_t min_comp = min_in, max_comp = 0, sum_comp = 0;
  bool negative = false;
  bool case0_pending = true;

  Case c;
  c.lv = &lv;
  for (int64_t k = 0; k < total; ++k) {
    int64_t n = 1;
    c.edge_mask = 0;
    c.ch = -1;
    c.pev_known = 0;
    for (int i = 0; i < lv.count; ++i) {
      const State& s = lists[static_cast<size_t>(i)].s[static_cast<size_t>(counter[static_cast<size_t>(i)])];
      c.st[static_cast<size_t>(i)] = &s;
      n = Mul(n, s.count);
      if (s.pos == kEdge || s.init_edge) c.edge_mask = static_cast<uint16_t>(c.edge_mask | (1u << i));
      if (s.pos != kInit) c.ch = i;
    }
    // The original's counters: every counter whose period divides k advances
    // (docs/cost-model.md 3.5).
    for (int i = 0; i < lv.count; ++i) {
      if (k % stride[static_cast<size_t>(i)] == 0) {
        int& ci = counter[static_cast<size_t>(i)];
        if (++ci == lists[static_cast<size_t>(i)].n) ci = 0;
      }
    }

    int64_t ing_in = 0, ing_w = 0;
    if (case0_pending) {
      ing_in = Ingress(c, kIn);
      ing_w = Ingress(c, kW);
      if (error_ != Infeasible::kNone) return {};
      l2_size.v[kIn] = Add(l2_size.v[kIn], Mul(2, ing_in));
      l2_size.v[kW] = Add(l2_size.v[kW], Mul(2, ing_w));
      l2_write.v[kIn] = whole.v[kIn];
      l2_write.v[kW] = whole.v[kW];
      l1_size.v[kIn] = Add(l1_size.v[kIn], Mul(2, tile.v[kIn]));
      l1_size.v[kW] = Add(l1_size.v[kW], Mul(2, tile.v[kW]));
      l2_size.v[kOut] = Mul(2, Egress(c));
      l2_read.v[kOut] = whole.v[kOut];
      l1_size.v[kOut] = Mul(2, tile.v[kOut]);
    }
    const int64_t eg = Egress(c);
    const int64_t mac = Macs(c);
    const int64_t cp = CriticalPath(c);
    Accumulate(&l2_write.v[kOut], n, eg);
    Accumulate(&l1_write.v[kOut], n, mac);
    Accumulate(&l1_read.v[kOut], n, mac);
    if (overflow_) return {};
    if (cp <= 0) continue;
    if (!case0_pending) {
      ing_in = Ingress(c, kIn);
      ing_w = Ingress(c, kW);
      if (error_ != Infeasible::kNone) return {};
    }
    case0_pending = false;
    if (mac < 0 || eg < 0) negative = true;
    for (int t : {kIn, kW}) {
      Accumulate(&l2_read.v[static_cast<size_t>(t)], n, t == kIn ? ing_in : ing_w);
      l1_write.v[static_cast<size_t>(t)] = l2_read.v[static_cast<size_t>(t)];
      Accumulate(&l1_read.v[static_cast<size_t>(t)], n, mac);
    }
    const int64_t ing = ing_in + ing_w;
    intensity = static_cast<double>(mac) / static_cast<double>(ing);

    // Compute delay: the PE's own work, or the runtime of the level below
    // (docs/cost-model.md 3.7 step 4).
    int64_t comp = 0;
    double a = 0;
    const int fs = lv.first_spatial;
    const bool fs_edge = IsEdge(c, fs);
    if (innermost) {
      comp = (cp + hw_.simd_lanes - 1) / hw_.simd_lanes;
    } else if (fs_edge && c.st[static_cast<size_t>(fs)]->edge_edge) {
      const SubResult r1 = Sub(level + 1, NextDims(c, true));
      if (error_ != Infeasible::kNone) return {};
      comp = r1.runtime;
      a = r1.active;
      if (lv.edge_units - 1 > 0) {
        const SubResult r2 = Sub(level + 1, NextDims(c, false));
        if (error_ != Infeasible::kNone) return {};
        comp = std::max(comp, r2.runtime);
        a += r2.active * static_cast<double>(lv.edge_units - 1);
      }
    } else {
      const SubResult r = Sub(level + 1, NextDims(c, false));
      if (error_ != Infeasible::kNone) return {};
      comp = r.runtime;
      a = r.active * static_cast<double>(fs_edge ? lv.edge_units : lv.units);
    }
    if (a == 0) a = static_cast<double>(fs_edge ? lv.edge_units : lv.units);

    const int64_t di = NocDelay(level, ing);
    const int64_t de = NocDelay(level, eg);
    int64_t delay = c.ch < 0 ? comp + di : std::max({di, comp, de});
    if (top) {
      // The off-chip term re-fetches the double-buffered L2 tiles every step
      // (docs/cost-model.md 3.7 step 7).
      const int64_t in_bytes = l2_size.v[kIn] + l2_size.v[kW];
      const int64_t off_in = Trunc(in_bytes, hw_.offchip_bw);
      const int64_t off_out = Trunc(l2_size.v[kOut], hw_.offchip_bw);
      delay = std::max({Trunc(off_in, 2), delay, Trunc(off_out, 2)});
      if (comp == 0) {
        Fail(Infeasible::kEmptySubCluster, lv.d[static_cast<size_t>(fs)].source);
        return {};
      }
      offchip_req = std::max({offchip_req, Trunc(l2_size.v[kOut], comp), Trunc(in_bytes, comp)});
      offchip_req = Trunc(offchip_req, 2);
    }
    Accumulate(&runtime, n, delay);
    Accumulate(&macs, n, mac);
    active += static_cast<double>(n) * a;
    comp = std::max<int64_t>(comp, 1);
    const int64_t traffic = std::max(ing, eg);
    peak_bw = std::max(peak_bw, Trunc(traffic, comp));
    sum_bw = Add(sum_bw, Trunc(Mul(n, traffic), comp));
    min_in = std::min(min_in, di), max_in = std::max(max_in, di), Accumulate(&sum_in, n, di);
    min_eg = std::min(min_eg, de), max_eg = std::max(max_eg, de), Accumulate(&sum_eg, n, de);
    min_comp = std::min(min_comp, comp), max_comp = std::max(max_comp, comp), Accumulate(&sum_comp, n, comp);
    occ = Add(occ, n);
  }

  SubResult result;
  if (occ > 0) {
    result.runtime = runtime;
    result.active = active / static_cast<double>(occ);
  }
  if (!have_first_l1_) {
    have_first_l1_ = true;
    first_l1_ = l1_size;
  }
  if (!top) return result;

  // R4 and R5 (docs/maestro-compatibility.md, departure 3): what the original prints as a
  // garbage row.
  if (occ == 0) {
    Fail(Infeasible::kZeroPartialSums, -1);
    return {};
  }
  if (negative) {
    Fail(Infeasible::kNegativeCounts, -1);
    return {};
  }
  CostResult& r = *top_;
  r.runtime_cycles = runtime;
  r.macs = macs;
  r.noc_bw_peak_per_cycle = peak_bw;
  r.noc_bw_avg_per_cycle = static_cast<double>(sum_bw) / static_cast<double>(occ);
  r.offchip_bw_per_cycle = offchip_req;
  r.l2_size_elements = l2_size.v[kIn] + l2_size.v[kW] + l2_size.v[kOut];
  r.l2_size_per_tensor = l2_size;
  for (Tensor t : kAllTensors) {
    r.accesses[t] = TensorAccesses{l1_read[t], l1_write[t], l2_read[t], l2_write[t]};
  }
  r.ingress_cycles = {min_in, max_in, sum_in / occ};
  r.egress_cycles = {min_eg, max_eg, sum_eg / occ};
  r.compute_cycles = {min_comp, max_comp, sum_comp / occ};
  r.avg_utilized_pes = result.active;
  r.arithmetic_intensity = intensity;
  return result;
}

bool AllFinite(const CostResult& r) {
  for (double v : {r.energy_nj, r.throughput_macs_per_cycle, r.noc_bw_avg_per_cycle,
                   r.avg_utilized_pes, r.arithmetic_intensity, r.area_power.area_um2, r.area_power.power_mw}) {
    if (!std::isfinite(v) || v < 0) return false;
  }
  return true;
}

}  // namespace

// docs/cost-model.md 3.9 (MAESTRO's DSE_hardware_modules).
AreaPower EstimateAreaPower(const Hardware& hw, int64_t l1_elements, int64_t l2_elements) {
  AreaPower r;
  const double n = static_cast<double>(hw.num_pes);
  const double w = static_cast<double>(hw.simd_lanes);
  const double b = static_cast<double>(hw.noc_bw);
  const double l1 = static_cast<double>(std::max<int64_t>(l1_elements, 1));
  const double l2 = static_cast<double>(std::max<int64_t>(l2_elements, 1));
  const double arbiter = 1.2886 * n * n + 5.5814 * n - 23.711;
  const double bus = 14.662 * n + 28.895;
  r.area_um2 = n * (283 * w + 0.104 * l1) + 0.104 * l2 + 101.7938 * bus * b +
               std::max(395.473, 395.473 * arbiter);
  r.pe_power_mw = 1.2223 * w * n;
  // The original adds each PE's L1 power one by one; the rounding of that sum shows in the
  // sixth digit, so it is reproduced rather than multiplied out (up to 4096 PEs; beyond, the
  // product differs from such a sum only in digits nobody compares).
  const double per_pe = 0.00345 * l1;
  if (hw.num_pes <= 4096) {
    for (int64_t i = 0; i < hw.num_pes; ++i) r.l1_power_mw += per_pe;
  } else {
    r.l1_power_mw = per_pe * n;
  }
  r.l2_power_mw = 0.00345 * l2;
  r.noc_power_mw = 0.8 * bus / 1000 * b + std::max(0.34, 0.34 * arbiter / 1000);
  r.power_mw = r.pe_power_mw + r.l1_power_mw + r.l2_power_mw + r.noc_power_mw;
  return r;
}

Analyzer::Analyzer(const Layer& layer, const Hardware& hw)
    : layer_(layer),
      hw_(hw),
      coupling_(internal::MakeCoupling(layer)),
      exact_macs_(ExactMacs(layer.kind, layer.shape)) {
  if (hw.num_pes < 1 || hw.simd_lanes < 1 || hw.noc_bw < 1 || hw.offchip_bw < 1 ||
      hw.noc_latency < 0) {
    throw InputError("hardware: PEs, SIMD lanes and bandwidths must be >= 1");
  }
  // Its walk would take the taps as adjacent and count other products than the layer's.
  if (layer.shape.dilation_y > 1 || layer.shape.dilation_x > 1) {
    throw InputError("dilation " + std::to_string(layer.shape.dilation_y) + "x" +
                     std::to_string(layer.shape.dilation_x) +
                     ": the MAESTRO-compatible model has no dilation; it takes a dilated "
                     "layer only as its undilated phases, each searched on its own");
  }
}

CostResult Analyzer::Evaluate(const Mapping& mapping) const {
  CostResult r;
  const internal::LayerCoupling& c = coupling_;
  internal::Levels levels;
  internal::BuildLevels(c, mapping, hw_.num_pes, &levels);
  if (levels.error != Infeasible::kNone) {
    r.infeasible = levels.error;
    r.infeasible_directive = levels.error_directive;
    return r;
  }
  Walk walk(c, levels, hw_, &r);
  walk.Analyze(0, levels.level[0].static_dim);
  if (walk.overflow()) {
    CostResult failed;
    failed.infeasible = Infeasible::kCountOverflow;
    return failed;
  }
  if (walk.error() != Infeasible::kNone) {
    CostResult failed;
    failed.infeasible = walk.error();
    failed.infeasible_directive = walk.error_directive();
    return failed;
  }
  r.l1_size_per_tensor = walk.first_l1();
  r.l1_size_elements = r.l1_size_per_tensor[Tensor::kInput] +
                       r.l1_size_per_tensor[Tensor::kFilter] +
                       r.l1_size_per_tensor[Tensor::kOutput];

  for (Tensor t : {Tensor::kInput, Tensor::kFilter}) {
    int64_t elements = 1;
    for (Dim d : TensorDims(t)) {
      if (__builtin_mul_overflow(elements, layer_.shape.size[d], &elements)) {
        CostResult failed;
        failed.infeasible = Infeasible::kCountOverflow;
        return failed;
      }
    }
    (t == Tensor::kInput ? r.input_elements : r.filter_elements) = elements;
  }

  // Energy of docs/cost-model.md 3.9 with the layer's own L1 counts (the original may use
  // another layer's).
  const PerTensor<TensorAccesses>& a = r.accesses;
  auto d = [](int64_t v) { return static_cast<double>(v); };
  const double l2 = d(a[Tensor::kInput].l2_read) + d(a[Tensor::kInput].l2_write) +
                    d(a[Tensor::kFilter].l2_read) + d(a[Tensor::kFilter].l2_write) +
                    d(a[Tensor::kOutput].l2_write);
  double l1 = 0;
  for (Tensor t : kAllTensors) l1 += d(a[t].l1_read) + d(a[t].l1_write);
  r.energy_nj = 0.00023 * (18.61 * l2 + 1.68 * l1);
  r.throughput_macs_per_cycle =
      static_cast<double>(r.macs) / static_cast<double>(r.runtime_cycles);
  r.area_power = EstimateAreaPower(hw_, r.l1_size_elements, r.l2_size_elements);

  r.mac_energy_pj = static_cast<double>(r.macs) * hw_.energy.mac_pj;
  r.l1_energy_pj = l1 * hw_.energy.l1_pj;
  r.l2_energy_pj = l2 * hw_.energy.l2_pj;
  r.offchip_energy_pj =
      (d(r.input_elements) + d(r.filter_elements) + d(a[Tensor::kOutput].l2_read)) *
      hw_.energy.offchip_pj;
  r.exact_macs = exact_macs_;
  r.utilization = static_cast<double>(exact_macs_) /
                  (static_cast<double>(hw_.num_pes) * static_cast<double>(hw_.simd_lanes) *
                   static_cast<double>(r.runtime_cycles));

  if (r.runtime_cycles <= 0 || r.macs < 0 || r.l2_size_elements < 0 || r.l1_size_elements < 0 ||
      !AllFinite(r)) {
    CostResult failed;
    failed.infeasible = Infeasible::kNegativeCounts;
    return failed;
  }
  return r;
}

void Analyzer::CheckLimits(CostResult* result) const {
  if (!result->ok()) return;
  if (const Infeasible capacity =
          CheckCapacity(result->l1_size_per_tensor, result->l2_size_per_tensor, hw_);
      capacity != Infeasible::kNone) {
    result->infeasible = capacity;
  } else if (hw_.bandwidth_is_hard_limit && result->noc_bw_peak_per_cycle > hw_.noc_bw) {
    result->infeasible = Infeasible::kNocBandwidth;
  } else if (hw_.bandwidth_is_hard_limit && result->offchip_bw_per_cycle > hw_.offchip_bw) {
    result->infeasible = Infeasible::kOffchipBandwidth;
  } else if (result->macs < exact_macs_) {
    result->infeasible = Infeasible::kIncompleteCoverage;
  }
}

}  // namespace cadenza
