#include "simulator/simulator.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "analyzer/error.h"

// The code follows the Python reference simulator (abstract_sim.py) structure for structure:
// Prepare is Machine.__init__ + _normalize, Nest is expand, MakeSubUnit is make_desc, MakeTiles
// is tiles, and Simulate is run. Where the Python materialises the whole schedule, Nest walks it
// lazily (one global step at a time), which changes no count.

namespace cadenza {

namespace {

// ------------------------------------------------------------------------------------------------
// The machine's vocabulary

// The dimensions of a box (spec section 3.3), after renaming a GEMM to its CONV: batch N, group
// G (NGCONV only, extent 1 otherwise), output channels K, input channels C, filter taps R and S,
// input rows Y and columns X.
enum class BoxDim : uint8_t { kN, kG, kK, kC, kR, kS, kY, kX };
constexpr int kBoxDims = 8;

size_t Index(BoxDim d) { return static_cast<size_t>(d); }

const char* BoxDimName(BoxDim d) {
  static constexpr std::array<const char*, kBoxDims> kNames = {"N", "G", "K", "C",
                                                               "R", "S", "Y", "X"};
  return kNames[Index(d)];
}

struct Interval {
  int64_t lo = 0;
  int64_t hi = 0;  // exclusive
  int64_t Size() const { return hi - lo; }
  bool Empty() const { return hi <= lo; }
};
using Box = std::array<Interval, kBoxDims>;

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

int64_t CheckedMul(int64_t a, int64_t b, const char* what) {
  int64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) {
    throw InputError(std::string(what) + " overflows 64 bits");
  }
  return product;
}

int64_t SaturatingMul(int64_t a, int64_t b) {
  int64_t product = 0;
  return __builtin_mul_overflow(a, b, &product) ? INT64_MAX : product;
}

int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t sum = 0;
  return __builtin_add_overflow(a, b, &sum) ? INT64_MAX : sum;
}

// The layer as the machine runs it (after GEMM renaming and DSCONV's K = 1).
struct MachineLayer {
  std::array<int64_t, kBoxDims> extent{};  // the root box
  int64_t sy = 1, sx = 1;                  // strides
  int64_t dy = 1, dx = 1;                  // dilations
  int64_t out_rows = 0, out_cols = 0;      // Y', X'
  bool depthwise = false;                  // weight (g, c, r, s), output (n, g, c, y', x')

  int64_t Ext(BoxDim d) const { return extent[Index(d)]; }
  // Output channels: K, or C for a depthwise layer.
  int64_t OutChannels() const { return depthwise ? Ext(BoxDim::kC) : Ext(BoxDim::kK); }
  int64_t TotalMacs() const {
    int64_t n = 1;
    for (int64_t f : {Ext(BoxDim::kN), Ext(BoxDim::kG), Ext(BoxDim::kK), Ext(BoxDim::kC),
                      out_rows, Ext(BoxDim::kR), out_cols, Ext(BoxDim::kS)}) {
      n = CheckedMul(n, f, "the layer's MAC count");
    }
    return n;
  }
  int64_t InputElements() const {
    int64_t n = 1;
    for (BoxDim d : {BoxDim::kN, BoxDim::kG, BoxDim::kC, BoxDim::kY, BoxDim::kX}) {
      n = CheckedMul(n, Ext(d), "the layer's input element count");
    }
    return n;
  }
  int64_t OutputElements() const {
    return Ext(BoxDim::kN) * Ext(BoxDim::kG) * OutChannels() * out_rows * out_cols;
  }
};

// A directive of one level after normalisation (spec section 3.2): on an input dimension.
struct LevelDirective {
  bool spatial = false;
  BoxDim dim = BoxDim::kN;
  int64_t size = 1;
  int64_t offset = 1;
};

struct Machine {
  MachineLayer layer;
  std::vector<std::vector<LevelDirective>> levels;  // level 0 (outermost) .. L (PEs)
  std::vector<int64_t> units;                       // sub-units per parent, per level
  std::vector<int64_t> width;  // sub-units of a level in all: units[0] * ... * units[k]
  int64_t lanes = 1;
  int64_t noc_bw = 1;
  int64_t offchip_bw = 1;
};

// ------------------------------------------------------------------------------------------------
// Preparation: layer, levels, normalisation, input errors

std::string LayerContext(const Layer& layer) {
  return "layer '" + layer.name + "' (" + std::string(OpKindName(layer.kind)) + ")";
}

int64_t Declared(const Layer& layer, Dim d) {
  const int64_t size = layer.shape.size[d];
  if (size < 1) {
    throw InputError(LayerContext(layer) + " has no dimension " + std::string(DimName(d)) +
                     " (the simulator needs every dimension of the layer kind)");
  }
  return size;
}

MachineLayer MakeMachineLayer(const Layer& layer) {
  MachineLayer m;
  auto set = [&m](BoxDim d, int64_t v) { m.extent[Index(d)] = v; };
  for (int i = 0; i < kBoxDims; ++i) m.extent[static_cast<size_t>(i)] = 1;
  if (layer.kind == OpKind::kGemm) {
    // A x B with A = M x K the input and B = K x N the weight: the CONV with Y = M, K = N, C = K.
    // A GEMM has no stride and no dilation.
    set(BoxDim::kY, Declared(layer, Dim::kM));
    set(BoxDim::kK, Declared(layer, Dim::kN));
    set(BoxDim::kC, Declared(layer, Dim::kK));
    m.out_rows = m.Ext(BoxDim::kY);
    m.out_cols = 1;
    return m;
  }
  const LayerShape& s = layer.shape;
  if (s.stride_y < 1 || s.stride_x < 1) {
    throw InputError(LayerContext(layer) + ": strides must be at least 1");
  }
  if (s.dilation_y < 1 || s.dilation_x < 1) {
    throw InputError(LayerContext(layer) + ": dilations must be at least 1");
  }
  m.sy = s.stride_y;
  m.sx = s.stride_x;
  m.dy = s.dilation_y;
  m.dx = s.dilation_x;
  m.depthwise = layer.kind == OpKind::kDepthwiseConv;
  // N is optional (a file without it has one image).
  if (s.size[Dim::kN] > 0) set(BoxDim::kN, s.size[Dim::kN]);
  if (layer.kind == OpKind::kGroupedConv) set(BoxDim::kG, Declared(layer, Dim::kG));
  // A depthwise layer's K is 1 whatever its file says (spec section 1).
  if (!m.depthwise) set(BoxDim::kK, Declared(layer, Dim::kK));
  set(BoxDim::kC, Declared(layer, Dim::kC));
  set(BoxDim::kR, Declared(layer, Dim::kR));
  set(BoxDim::kS, Declared(layer, Dim::kS));
  set(BoxDim::kY, Declared(layer, Dim::kY));
  set(BoxDim::kX, Declared(layer, Dim::kX));
  m.out_rows = OutputRows(s);
  m.out_cols = OutputCols(s);
  if (m.out_rows < 1 || m.out_cols < 1) {
    throw InputError(LayerContext(layer) +
                     ": the (dilated) filter is larger than the input (Y' = " +
                     std::to_string(m.out_rows) + ", X' = " + std::to_string(m.out_cols) + ")");
  }
  return m;
}

// The machine dimension a written directive tiles, or an InputError naming the directive.
// `output_coord` is set for Y' and X'.
BoxDim MachineDim(const Layer& layer, const Directive& d) {
  const std::string where = LayerContext(layer) + ": " + ToString(d) + " ";
  if (layer.kind == OpKind::kGemm) {
    if (d.output_coord) {
      throw InputError(where + "maps an output coordinate; a GEMM has only M, N, K");
    }
    switch (d.dim) {
      case Dim::kM: return BoxDim::kY;
      case Dim::kN: return BoxDim::kK;
      case Dim::kK: return BoxDim::kC;
      default:
        throw InputError(where + "maps " + std::string(DimName(d.dim)) +
                         ", which a GEMM does not have (it has M, N, K)");
    }
  }
  if (d.output_coord && d.dim != Dim::kY && d.dim != Dim::kX) {
    throw InputError(where + "uses an output coordinate on a dimension other than Y or X");
  }
  switch (d.dim) {
    case Dim::kN: return BoxDim::kN;
    case Dim::kK: return BoxDim::kK;
    case Dim::kC: return BoxDim::kC;
    case Dim::kR: return BoxDim::kR;
    case Dim::kS: return BoxDim::kS;
    case Dim::kY: return BoxDim::kY;
    case Dim::kX: return BoxDim::kX;
    case Dim::kG:
      if (layer.kind == OpKind::kGroupedConv) return BoxDim::kG;
      break;
    case Dim::kM: break;
  }
  throw InputError(where + "maps " + std::string(DimName(d.dim)) + ", which a " +
                   std::string(OpKindName(layer.kind)) + " layer does not have");
}

// Spec section 3.2, as the Python's _normalize, extended to dilation: a filter of m taps spans
// (m - 1) * d + 1 input rows, which replaces m wherever the normalisation adds a filter extent.
std::vector<LevelDirective> NormalizeLevel(const Layer& layer, const MachineLayer& ml,
                                           const std::vector<Directive>& written, int level) {
  std::vector<LevelDirective> out;
  std::array<const Directive*, kBoxDims> named{};
  std::array<int64_t, kBoxDims> level_size{};  // this level's directive size per dim, 0: none
  for (const Directive& d : written) {
    const BoxDim dim = MachineDim(layer, d);
    if (const Directive* first = named[Index(dim)]) {
      throw InputError(LayerContext(layer) + ": cluster level " + std::to_string(level) +
                       " names " + BoxDimName(dim) + " twice (" + ToString(*first) + " and " +
                       ToString(d) + "); a level tiles each dimension at most once");
    }
    named[Index(dim)] = &d;
    if (!d.output_coord) level_size[Index(dim)] = d.size;
  }
  for (const Directive& d : written) {
    LevelDirective n;
    n.spatial = d.kind == DirectiveKind::kSpatialMap;
    n.dim = MachineDim(layer, d);
    n.size = d.size;
    n.offset = d.offset;
    const bool rows = n.dim == BoxDim::kY;
    if (rows || n.dim == BoxDim::kX) {
      const BoxDim taps = rows ? BoxDim::kR : BoxDim::kS;
      const int64_t stride = rows ? ml.sy : ml.sx;
      const int64_t dilation = rows ? ml.dy : ml.dx;
      auto span = [&](int64_t tap_count) {  // input rows covered by tap_count dilated taps
        return SaturatingAdd(SaturatingMul(tap_count - 1, dilation), 1);
      };
      if (d.output_coord) {
        // (m, o) on Y' covers the rows of m outputs under this level's R tile (or the layer's R).
        const int64_t m_r = level_size[Index(taps)] > 0 ? level_size[Index(taps)] : ml.Ext(taps);
        n.size = SaturatingAdd(SaturatingMul(d.size - 1, stride), span(m_r));
        n.offset = SaturatingMul(d.offset, stride);
      } else if (stride != 1) {
        // A written Y (X) tile on a strided layer holds whole windows of the layer's filter.
        const int64_t window = span(ml.Ext(taps));
        if (d.size >= window) {
          const int64_t q = (d.size - window) / stride + 1;
          n.size = (q - 1) * stride + window;  // <= d.size
          n.offset = SaturatingMul(q, stride);
        }
      }
    }
    // A size or offset beyond the dimension's extent acts as the extent (one position, clipped
    // to the parent), so clamping keeps position arithmetic far from overflow.
    n.size = std::min(n.size, ml.Ext(n.dim));
    n.offset = std::min(n.offset, ml.Ext(n.dim));
    out.push_back(n);
  }
  return out;
}

Machine Prepare(const Layer& layer, const Mapping& mapping, const Hardware& hw,
                const SimulatorOptions& options) {
  Machine m;
  m.layer = MakeMachineLayer(layer);
  const int64_t macs = m.layer.TotalMacs();
  if (macs > options.max_macs) {
    throw InputError(LayerContext(layer) + " has " + std::to_string(macs) +
                     " MACs; the simulator takes layers of at most " +
                     std::to_string(options.max_macs) + " (it visits every MAC)");
  }
  const int64_t inputs = m.layer.InputElements();
  if (inputs > options.max_macs) {
    throw InputError(LayerContext(layer) + " has " + std::to_string(inputs) +
                     " input elements; the simulator takes layers of at most " +
                     std::to_string(options.max_macs));
  }
  if (hw.num_pes < 1) {
    throw InputError("the hardware has no PEs (num_pes = " + std::to_string(hw.num_pes) + ")");
  }
  if (hw.simd_lanes < 1 || hw.noc_bw < 1 || hw.offchip_bw < 1) {
    throw InputError("SIMD lanes, NoC and off-chip bandwidths must be at least 1");
  }
  m.lanes = hw.simd_lanes;
  m.noc_bw = hw.noc_bw;
  m.offchip_bw = hw.offchip_bw;

  // Cluster(c) directives split the list into levels (spec section 3.1).
  std::vector<std::vector<Directive>> groups(1);
  std::vector<int64_t> clusters;
  int64_t product = 1;
  for (const Directive& d : mapping) {
    if (d.kind == DirectiveKind::kCluster) {
      if (d.size < 1) {
        throw InputError(LayerContext(layer) + ": " + ToString(d) + " has no sub-units");
      }
      if (__builtin_mul_overflow(product, d.size, &product) || product > hw.num_pes) {
        throw InputError(LayerContext(layer) + ": the cluster sizes multiply to more than the " +
                         std::to_string(hw.num_pes) + " PEs of the hardware (at " +
                         ToString(d) + ")");
      }
      clusters.push_back(d.size);
      groups.emplace_back();
    } else {
      if (d.size < 1 || d.offset < 1) {
        throw InputError(LayerContext(layer) + ": " + ToString(d) +
                         ": size and offset must be at least 1");
      }
      groups.back().push_back(d);
    }
  }
  m.units.push_back(hw.num_pes / product);
  m.units.insert(m.units.end(), clusters.begin(), clusters.end());
  int64_t width = 1;
  for (int64_t u : m.units) {
    width *= u;  // <= num_pes: no overflow
    m.width.push_back(width);
  }
  if (width > options.max_pes) {
    throw InputError(LayerContext(layer) + ": the mapping uses " + std::to_string(width) +
                     " PEs; the simulator takes at most " + std::to_string(options.max_pes));
  }
  for (size_t level = 0; level < groups.size(); ++level) {
    const bool has_spatial =
        std::any_of(groups[level].begin(), groups[level].end(),
                    [](const Directive& d) { return d.kind == DirectiveKind::kSpatialMap; });
    if (!has_spatial) {
      const std::string which =
          level == 0 ? std::string("before the first Cluster")
                     : "after Cluster(" + std::to_string(clusters[level - 1]) + ")";
      throw InputError(LayerContext(layer) + ": cluster level " + std::to_string(level) + " (" +
                       which + ") has no SpatialMap; every level needs one");
    }
    m.levels.push_back(NormalizeLevel(layer, m.layer, groups[level], static_cast<int>(level)));
  }
  return m;
}

// ------------------------------------------------------------------------------------------------
// Sub-units, their MAC sets and tiles

// A (output, tap) pair: (y', r) or (x', s).
struct Pair {
  int64_t out = 0;
  int64_t tap = 0;
};

// Sorted, duplicate-free tensor element indices.
using ElementSet = std::vector<int64_t>;

struct Tiles {
  PerTensor<ElementSet> of;  // kInput, kFilter (weight), kOutput
};

// A busy sub-unit (spec section 3.6): its box, the (y', r) and (x', s) pairs it owns (its MAC
// set is N x G x K x C x pairs x pairs), and its tiles, the projections of that set.
struct SubUnit {
  Box box{};
  std::vector<Pair> yr, xs;
  mutable std::shared_ptr<const Tiles> tiles;  // computed on first use

  int64_t Macs() const {
    return box[Index(BoxDim::kN)].Size() * box[Index(BoxDim::kG)].Size() *
           box[Index(BoxDim::kK)].Size() * box[Index(BoxDim::kC)].Size() *
           static_cast<int64_t>(yr.size()) * static_cast<int64_t>(xs.size());
  }
};

std::shared_ptr<const SubUnit> MakeRoot(const MachineLayer& ml) {
  auto root = std::make_shared<SubUnit>();
  for (size_t i = 0; i < kBoxDims; ++i) root->box[i] = {0, ml.extent[i]};
  for (int64_t y = 0; y < ml.out_rows; ++y) {
    for (int64_t r = 0; r < ml.Ext(BoxDim::kR); ++r) root->yr.push_back({y, r});
  }
  for (int64_t x = 0; x < ml.out_cols; ++x) {
    for (int64_t s = 0; s < ml.Ext(BoxDim::kS); ++s) root->xs.push_back({x, s});
  }
  return root;
}

// The pairs of `parent` whose tap lies in `taps` and whose window over that tap interval lies in
// `rows`: y'*s + t0*d >= y0 and y'*s + (t1-1)*d <= y1 - 1 (spec section 3.6, dilated).
std::vector<Pair> OwnedPairs(const std::vector<Pair>& parent, Interval taps, Interval rows,
                             int64_t stride, int64_t dilation) {
  std::vector<Pair> owned;
  for (const Pair& p : parent) {
    if (p.tap < taps.lo || p.tap >= taps.hi) continue;
    const int64_t first_row = p.out * stride + taps.lo * dilation;
    const int64_t last_row = p.out * stride + (taps.hi - 1) * dilation;
    if (first_row >= rows.lo && last_row <= rows.hi - 1) owned.push_back(p);
  }
  return owned;
}

// The sub-unit holding `box` under `parent`, or null when it is idle (no MAC).
std::shared_ptr<const SubUnit> MakeSubUnit(const MachineLayer& ml, const Box& box,
                                           const SubUnit& parent) {
  for (BoxDim d : {BoxDim::kN, BoxDim::kG, BoxDim::kK, BoxDim::kC}) {
    if (box[Index(d)].Empty()) return nullptr;
  }
  auto unit = std::make_shared<SubUnit>();
  unit->box = box;
  unit->yr = OwnedPairs(parent.yr, box[Index(BoxDim::kR)], box[Index(BoxDim::kY)], ml.sy, ml.dy);
  if (unit->yr.empty()) return nullptr;
  unit->xs = OwnedPairs(parent.xs, box[Index(BoxDim::kS)], box[Index(BoxDim::kX)], ml.sx, ml.dx);
  if (unit->xs.empty()) return nullptr;
  return unit;
}

std::vector<int64_t> SortedUnique(std::vector<int64_t> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::vector<int64_t> Range(Interval i) {
  std::vector<int64_t> v;
  for (int64_t x = i.lo; x < i.hi; ++x) v.push_back(x);
  return v;
}

// Row-major indices of the product a0 x a1 x ... over a tensor of the given extents; sorted
// because every coordinate list is sorted.
ElementSet Product(const std::vector<std::vector<int64_t>>& coords,
                   const std::vector<int64_t>& extents) {
  ElementSet out;
  std::vector<size_t> at(coords.size(), 0);
  for (const auto& c : coords) {
    if (c.empty()) return out;
  }
  for (;;) {
    int64_t index = 0;
    for (size_t i = 0; i < coords.size(); ++i) index = index * extents[i] + coords[i][at[i]];
    out.push_back(index);
    size_t i = coords.size();
    while (i > 0 && ++at[i - 1] == coords[i - 1].size()) at[--i] = 0;
    if (i == 0) return out;
  }
}

// The sub-unit's tiles (spec section 3.8): input N x G x C x {y'*sy + r*dy} x {x'*sx + s*dx},
// weight G x K x C x {r} x {s}, output N x G x K x {y'} x {x'} (a depthwise layer: output
// channel c, and K = 1 in the weight).
const Tiles& GetTiles(const MachineLayer& ml, const SubUnit& u) {
  if (u.tiles) return *u.tiles;
  std::vector<int64_t> rows, cols, rs, ss, ys, xs;
  for (const Pair& p : u.yr) {
    rows.push_back(p.out * ml.sy + p.tap * ml.dy);
    rs.push_back(p.tap);
    ys.push_back(p.out);
  }
  for (const Pair& p : u.xs) {
    cols.push_back(p.out * ml.sx + p.tap * ml.dx);
    ss.push_back(p.tap);
    xs.push_back(p.out);
  }
  rows = SortedUnique(std::move(rows));
  cols = SortedUnique(std::move(cols));
  rs = SortedUnique(std::move(rs));
  ss = SortedUnique(std::move(ss));
  ys = SortedUnique(std::move(ys));
  xs = SortedUnique(std::move(xs));
  const auto n = Range(u.box[Index(BoxDim::kN)]);
  const auto g = Range(u.box[Index(BoxDim::kG)]);
  const auto k = Range(u.box[Index(BoxDim::kK)]);
  const auto c = Range(u.box[Index(BoxDim::kC)]);
  auto tiles = std::make_shared<Tiles>();
  tiles->of[Tensor::kInput] =
      Product({n, g, c, rows, cols}, {ml.Ext(BoxDim::kN), ml.Ext(BoxDim::kG), ml.Ext(BoxDim::kC),
                                      ml.Ext(BoxDim::kY), ml.Ext(BoxDim::kX)});
  tiles->of[Tensor::kFilter] =
      Product({g, k, c, rs, ss}, {ml.Ext(BoxDim::kG), ml.Ext(BoxDim::kK), ml.Ext(BoxDim::kC),
                                  ml.Ext(BoxDim::kR), ml.Ext(BoxDim::kS)});
  tiles->of[Tensor::kOutput] = Product({n, g, ml.depthwise ? c : k, ys, xs},
                                       {ml.Ext(BoxDim::kN), ml.Ext(BoxDim::kG), ml.OutChannels(),
                                        ml.out_rows, ml.out_cols});
  u.tiles = std::move(tiles);
  return *u.tiles;
}

ElementSet Minus(const ElementSet& a, const ElementSet& b) {
  ElementSet out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

ElementSet Union(const ElementSet& a, const ElementSet& b) {
  ElementSet out;
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

// ------------------------------------------------------------------------------------------------
// The loop nest (spec sections 3.4-3.7)

// The tiles of a directive (size m, offset o) inside the parent interval [lo, hi): position j is
// [lo + j*o, min(lo + j*o + m, hi)); position j > 0 exists while it starts below hi and the
// previous position's unclipped end lies below hi. Kept as a formula, not a list, so that a
// long dimension costs no memory.
struct Positions {
  int64_t m = 1, o = 1;
  Interval parent;
  int64_t count = 0;

  Positions(int64_t size, int64_t offset, Interval in) : m(size), o(offset), parent(in) {
    for (int64_t j = 0;; ++j) {
      const int64_t start = parent.lo + j * o;
      if (start >= parent.hi || (j > 0 && start - o + m >= parent.hi)) break;
      ++count;
    }
  }
  Interval Tile(int64_t j) const {
    const int64_t start = parent.lo + j * o;
    return {start, std::min(start + m, parent.hi)};
  }
};

// One global step: per level, per sub-unit of that level (flattened: sub-unit u of the unit with
// flat index p of the level above has index p * units + u), the busy sub-unit or null.
struct Step {
  std::vector<std::vector<const SubUnit*>> rows;
};

// The walk of one sub-unit of level `level - 1` (the parent) through the nest of levels
// `level`..L, one global step at a time; the lazy form of the Python's expand().
class Nest {
 public:
  Nest(const Machine& m, int level, std::shared_ptr<const SubUnit> parent, int64_t parent_index)
      : m_(m),
        level_(level),
        units_count_(m.units[static_cast<size_t>(level)]),
        base_(parent_index * units_count_),
        parent_(std::move(parent)) {
    const std::vector<LevelDirective>& dirs = m.levels[static_cast<size_t>(level)];
    int64_t folds = 0;
    for (const LevelDirective& d : dirs) {
      positions_.emplace_back(d.size, d.offset, parent_->box[Index(d.dim)]);
      if (d.spatial) folds = std::max(folds, CeilDiv(positions_.back().count, units_count_));
    }
    // TemporalMaps are loops in directive order; the first SpatialMap is the fold loop.
    bool first_spatial = true;
    for (size_t i = 0; i < dirs.size(); ++i) {
      if (!dirs[i].spatial) {
        loops_.push_back({static_cast<int>(i), positions_[i].count});
      } else if (first_spatial) {
        loops_.push_back({-1, folds});
        first_spatial = false;
      }
    }
    counter_.assign(loops_.size(), 0);
    for (const Loop& l : loops_) {
      if (l.count == 0) exhausted_ = true;
    }
  }

  /// Writes the next global step of this walk into step->rows[level_..] and returns true, or
  /// returns false when the walk is over. Rows must be null where nothing is written.
  bool Next(Step* step) {
    const bool leaf = level_ + 1 == static_cast<int>(m_.levels.size());
    for (;;) {
      if (!active_ && !EnterNextPosition()) return false;
      if (leaf) {
        active_ = false;  // one global step per position
        Write(step);
        return true;
      }
      // The sub-units run their inner nests in lock step; one that has finished stays idle.
      bool any = false;
      for (auto& child : children_) {
        if (!child) continue;
        if (child->Next(step)) {
          any = true;
        } else {
          child.reset();
        }
      }
      if (any) {
        Write(step);
        return true;
      }
      active_ = false;
    }
  }

  /// Loop-nest positions entered so far that had a busy sub-unit (the top-step id at level 0).
  int64_t positions_entered() const { return entered_; }

 private:
  struct Loop {
    int directive;  // index into the level's directives, -1 for the fold loop
    int64_t count;
  };

  void Write(Step* step) const {
    std::vector<const SubUnit*>& row = step->rows[static_cast<size_t>(level_)];
    for (int64_t u = 0; u < units_count_; ++u) {
      row[static_cast<size_t>(base_ + u)] = units_[static_cast<size_t>(u)].get();
    }
  }

  // Moves to the next odometer position whose sub-units are not all idle; false when none is left.
  bool EnterNextPosition() {
    const std::vector<LevelDirective>& dirs = m_.levels[static_cast<size_t>(level_)];
    while (!exhausted_) {
      Box box = parent_->box;
      int64_t fold = 0;
      for (size_t l = 0; l < loops_.size(); ++l) {
        if (loops_[l].directive < 0) {
          fold = counter_[l];
        } else {
          const size_t i = static_cast<size_t>(loops_[l].directive);
          box[Index(dirs[i].dim)] = positions_[i].Tile(counter_[l]);
        }
      }
      // The odometer, innermost loop fastest.
      size_t l = loops_.size();
      while (l > 0 && ++counter_[l - 1] == loops_[l - 1].count) counter_[--l] = 0;
      if (l == 0) exhausted_ = true;

      // At fold f, sub-unit u takes position f * units + u of every SpatialMap of the level.
      units_.assign(static_cast<size_t>(units_count_), nullptr);
      bool busy = false;
      for (int64_t u = 0; u < units_count_; ++u) {
        const int64_t j = fold * units_count_ + u;
        Box unit_box = box;
        bool idle = false;
        for (size_t i = 0; i < dirs.size(); ++i) {
          if (!dirs[i].spatial) continue;
          if (j >= positions_[i].count) {
            idle = true;
            break;
          }
          unit_box[Index(dirs[i].dim)] = positions_[i].Tile(j);
        }
        if (idle) break;  // j only grows with u
        units_[static_cast<size_t>(u)] = MakeSubUnit(m_.layer, unit_box, *parent_);
        busy = busy || units_[static_cast<size_t>(u)] != nullptr;
      }
      if (!busy) continue;  // a step with every sub-unit idle is elided
      ++entered_;
      active_ = true;
      children_.clear();
      if (level_ + 1 < static_cast<int>(m_.levels.size())) {
        for (int64_t u = 0; u < units_count_; ++u) {
          const auto& unit = units_[static_cast<size_t>(u)];
          children_.push_back(unit ? std::make_unique<Nest>(m_, level_ + 1, unit, base_ + u)
                                   : nullptr);
        }
      }
      return true;
    }
    return false;
  }

  const Machine& m_;
  int level_;
  int64_t units_count_;
  int64_t base_;  // flat index of this walk's sub-unit 0 within its level
  std::shared_ptr<const SubUnit> parent_;
  std::vector<Positions> positions_;  // per directive
  std::vector<Loop> loops_;
  std::vector<int64_t> counter_;
  bool exhausted_ = false;
  bool active_ = false;  // a position is entered and its inner walks are not over
  int64_t entered_ = 0;
  std::vector<std::shared_ptr<const SubUnit>> units_;  // at the current position; null = idle
  std::vector<std::unique_ptr<Nest>> children_;        // their inner walks (non-leaf levels)
};

// A dense set over [0, size): outputs sent up from a PE, outputs written to DRAM, MACs that ran.
class DenseSet {
 public:
  explicit DenseSet(int64_t size) : bits_(static_cast<size_t>(size), false) {}
  bool Contains(int64_t i) const { return bits_[static_cast<size_t>(i)]; }
  /// Inserts i; returns whether it was already there.
  bool Insert(int64_t i) {
    const bool had = bits_[static_cast<size_t>(i)];
    bits_[static_cast<size_t>(i)] = true;
    return had;
  }
  int64_t Count() const { return std::count(bits_.begin(), bits_.end(), true); }

 private:
  std::vector<bool> bits_;
};

}  // namespace

// ------------------------------------------------------------------------------------------------
// The run (spec section 4)

SimulationResult Simulate(const Layer& layer, const Mapping& mapping, const Hardware& hw,
                          const SimulatorOptions& options) {
  const Machine m = Prepare(layer, mapping, hw, options);
  const MachineLayer& ml = m.layer;
  const size_t leaf = m.levels.size() - 1;
  const size_t pes = static_cast<size_t>(m.width[leaf]);
  SimulationResult r;

  Step step;
  for (int64_t w : m.width) step.rows.emplace_back(static_cast<size_t>(w), nullptr);
  Nest nest(m, 0, MakeRoot(ml), 0);

  std::vector<std::shared_ptr<const Tiles>> prev(pes);  // each PE's tiles at its last busy step
  DenseSet written(ml.OutputElements());       // W: outputs sent up from some PE
  DenseSet dram_written(ml.OutputElements());  // outputs written back to DRAM
  const int64_t total_macs = ml.TotalMacs();
  DenseSet executed(total_macs);
  PerTensor<int64_t> l1_max{}, l2_max{};

  // The outer tile (what L2 holds) of the current and the previous top step.
  PerTensor<ElementSet> outer, prev_outer;
  std::vector<const SubUnit*> outer_row;  // the level-0 sub-units of the current top step
  int64_t top_id = -1;
  int64_t top_onchip = 0;  // sum of the current top step's global-step delays
  int64_t onchip = 0;

  // Charges top step `r.top_steps - 1` (spec section 4, DRAM) once its outer tile is complete.
  auto close_top = [&]() {
    int64_t dram_in = 0;
    for (Tensor t : {Tensor::kInput, Tensor::kFilter}) {
      const int64_t n = static_cast<int64_t>(Minus(outer[t], prev_outer[t]).size());
      r.dram_reads[t] += n;
      dram_in += n;
    }
    const ElementSet leave = Minus(prev_outer[Tensor::kOutput], outer[Tensor::kOutput]);
    const ElementSet enter = Minus(outer[Tensor::kOutput], prev_outer[Tensor::kOutput]);
    int64_t read_back = 0;
    for (int64_t e : enter) read_back += dram_written.Contains(e) ? 1 : 0;
    r.dram_reads[Tensor::kOutput] += read_back;
    dram_in += read_back;
    const int64_t dram_out = static_cast<int64_t>(leave.size());
    r.dram_writes += dram_out;
    for (int64_t e : leave) dram_written.Insert(e);
    for (Tensor t : kAllTensors) {
      l2_max[t] = std::max(l2_max[t], static_cast<int64_t>(outer[t].size()));
    }
    prev_outer = outer;
    const int64_t in_cycles = CeilDiv(dram_in, m.offchip_bw);
    r.runtime_cycles += r.top_steps == 1
                            ? in_cycles + top_onchip
                            : std::max({top_onchip, in_cycles, CeilDiv(dram_out, m.offchip_bw)});
  };

  for (;;) {
    for (auto& row : step.rows) std::fill(row.begin(), row.end(), nullptr);
    if (!nest.Next(&step)) break;
    ++r.steps;

    // Level 0: a new loop-nest position is a new top step. Its busy sub-units stay the same for
    // all its global steps, so the outer tile is their union.
    if (nest.positions_entered() != top_id) {
      if (top_id >= 0) close_top();
      top_id = nest.positions_entered();
      ++r.top_steps;
      top_onchip = 0;
      outer_row = step.rows[0];
      for (Tensor t : kAllTensors) outer[t].clear();
      for (const SubUnit* u : outer_row) {
        if (!u) continue;
        const Tiles& tiles = GetTiles(ml, *u);
        for (Tensor t : kAllTensors) outer[t] = Union(outer[t], tiles.of[t]);
      }
    } else {
      CADENZA_CHECK(step.rows[0] == outer_row);
    }

    // The PE level: ingress, egress, MACs, coverage.
    PerTensor<ElementSet> arriving;  // concatenated new elements of every PE (union taken below)
    PerTensor<int64_t> arriving_sum{};
    ElementSet leaving;
    int64_t leaving_sum = 0;
    int64_t compute = 0;
    for (size_t pe = 0; pe < pes; ++pe) {
      const SubUnit* u = step.rows[leaf][pe];
      if (!u) continue;  // idle: keeps its previous tiles
      GetTiles(ml, *u);
      const std::shared_ptr<const Tiles>& cur = u->tiles;
      const Tiles* before = prev[pe].get();
      for (Tensor t : kAllTensors) {
        ElementSet fresh = before ? Minus(cur->of[t], before->of[t]) : cur->of[t];
        if (t == Tensor::kOutput) {
          // Only partial sums some PE already sent up come back (read-backs).
          std::erase_if(fresh, [&](int64_t e) { return !written.Contains(e); });
        }
        arriving_sum[t] += static_cast<int64_t>(fresh.size());
        arriving[t].insert(arriving[t].end(), fresh.begin(), fresh.end());
      }
      if (before) {
        const ElementSet gone = Minus(before->of[Tensor::kOutput], cur->of[Tensor::kOutput]);
        leaving_sum += static_cast<int64_t>(gone.size());
        leaving.insert(leaving.end(), gone.begin(), gone.end());
      }
      prev[pe] = cur;

      const int64_t macs = u->Macs();
      r.macs += macs;
      compute = std::max(compute, CeilDiv(macs, m.lanes));
      const Box& b = u->box;
      for (int64_t n = b[Index(BoxDim::kN)].lo; n < b[Index(BoxDim::kN)].hi; ++n) {
        for (int64_t g = b[Index(BoxDim::kG)].lo; g < b[Index(BoxDim::kG)].hi; ++g) {
          for (int64_t k = b[Index(BoxDim::kK)].lo; k < b[Index(BoxDim::kK)].hi; ++k) {
            for (int64_t c = b[Index(BoxDim::kC)].lo; c < b[Index(BoxDim::kC)].hi; ++c) {
              const int64_t nkgc =
                  ((n * ml.Ext(BoxDim::kG) + g) * ml.Ext(BoxDim::kK) + k) * ml.Ext(BoxDim::kC) + c;
              for (const Pair& yr : u->yr) {
                const int64_t row = (nkgc * ml.out_rows + yr.out) * ml.Ext(BoxDim::kR) + yr.tap;
                for (const Pair& xs : u->xs) {
                  const int64_t mac = (row * ml.out_cols + xs.out) * ml.Ext(BoxDim::kS) + xs.tap;
                  if (executed.Insert(mac)) ++r.extra_macs;
                }
              }
            }
          }
        }
      }
      for (Tensor t : kAllTensors) {
        l1_max[t] = std::max(l1_max[t], static_cast<int64_t>(cur->of[t].size()));
      }
    }
    int64_t step_in_multicast = 0;
    for (Tensor t : kAllTensors) {
      const int64_t multicast = static_cast<int64_t>(SortedUnique(std::move(arriving[t])).size());
      r.ingress[t] += multicast;
      r.ingress_unicast[t] += arriving_sum[t];
      step_in_multicast += multicast;
    }
    leaving = SortedUnique(std::move(leaving));
    r.egress += static_cast<int64_t>(leaving.size());
    r.egress_unicast += leaving_sum;
    for (int64_t e : leaving) written.Insert(e);

    const int64_t step_in = options.multicast
                                ? step_in_multicast
                                : arriving_sum[Tensor::kInput] + arriving_sum[Tensor::kFilter] +
                                      arriving_sum[Tensor::kOutput];
    const int64_t step_out = options.reduction ? static_cast<int64_t>(leaving.size()) : leaving_sum;
    const int64_t delay = r.steps == 1 ? CeilDiv(step_in, m.noc_bw) + compute
                                       : std::max({compute, CeilDiv(step_in, m.noc_bw),
                                                   CeilDiv(step_out, m.noc_bw)});
    top_onchip += delay;
    onchip += delay;
  }
  if (top_id >= 0) close_top();

  // Final flush: every PE's last output tile goes up, the last outer tile's outputs go to DRAM.
  ElementSet flush_all;
  int64_t flush_sum = 0;
  for (const auto& tiles : prev) {
    if (!tiles) continue;
    const ElementSet& o = tiles->of[Tensor::kOutput];
    flush_sum += static_cast<int64_t>(o.size());
    flush_all.insert(flush_all.end(), o.begin(), o.end());
  }
  const int64_t flush_union = static_cast<int64_t>(SortedUnique(std::move(flush_all)).size());
  r.egress += flush_union;
  r.egress_unicast += flush_sum;
  const int64_t flush = options.reduction ? flush_union : flush_sum;
  const int64_t last_outputs = static_cast<int64_t>(prev_outer[Tensor::kOutput].size());
  r.dram_writes += last_outputs;
  r.onchip_cycles = onchip + CeilDiv(flush, m.noc_bw);
  r.runtime_cycles += CeilDiv(flush, m.noc_bw) + CeilDiv(last_outputs, m.offchip_bw);

  r.l1_max = l1_max;
  r.l2_max = l2_max;
  for (Tensor t : kAllTensors) {
    r.l1_elements += 2 * l1_max[t];
    r.l2_elements += 2 * l2_max[t];
  }
  r.missing_macs = total_macs - executed.Count();
  r.legal = r.missing_macs == 0 && r.extra_macs == 0;
  return r;
}

}  // namespace cadenza
