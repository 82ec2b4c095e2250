#include "analyzer/exact_model.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "analyzer/error.h"

namespace cadenza {
namespace {

// ------------------------------------------------------------------------------------------------
// Rectangular set algebra. A tile is a disjoint list of boxes; a box is a product of half-open
// intervals, one per coordinate. Every set the machine speaks of (a PE's tile, the union of new
// elements over PEs, the outputs written so far) is such a list, so no count ever enumerates
// elements.

// Coordinates are 32-bit (a box is 64 bytes to move and compare); the model refuses layers whose
// coordinates could leave that range, and every count is computed in 64 bits.
struct Iv {
  int32_t lo = 0, hi = 1;
  int64_t Len() const { return hi > lo ? int64_t{hi} - lo : 0; }
  // One 64-bit comparison rather than two: intervals are compared in every merge and tile test.
  friend bool operator==(const Iv& a, const Iv& b) {
    uint64_t wa, wb;
    std::memcpy(&wa, &a, sizeof wa);
    std::memcpy(&wb, &b, sizeof wb);
    return wa == wb;
  }
  friend auto operator<=>(const Iv&, const Iv&) = default;
};

static_assert(sizeof(Iv) == sizeof(uint64_t), "an interval is two 32-bit ends without padding");

int32_t Coord(int64_t v) {
  assert(v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max());
  return static_cast<int32_t>(v);
}
Iv Span(int64_t lo, int64_t hi) { return {Coord(lo), Coord(hi)}; }

constexpr int kD = 8;
using Box = std::array<Iv, kD>;

// The storage of short box lists, kept per thread by power-of-two capacity and handed out again.
// One evaluation makes and drops hundreds of short lists (a PE's tiles, one step's new elements,
// a difference of two tiles), and a box is 64 bytes: most of them outgrow malloc's own per-thread
// cache. Longer lists are few and go to malloc at their exact size (rounding them up to a power
// of two raised a whole sweep's peak memory by an eighth).
class BoxStore {
 public:
  static Box* Take(size_t n) {
    const size_t c = Class(n);
    if (c < kClasses && !gone_) {
      Shelf& shelf = shelves_[c];
      if (shelf.count > 0) return shelf.blocks[--shelf.count];
      Janitor();
      return static_cast<Box*>(::operator new(sizeof(Box) << c));
    }
    return static_cast<Box*>(::operator new(n * sizeof(Box)));
  }
  static void Give(Box* p, size_t n) {
    const size_t c = Class(n);
    if (c < kClasses && !gone_) {
      Shelf& shelf = shelves_[c];
      if (shelf.count < kMostKept) {
        shelf.blocks[shelf.count++] = p;
        return;
      }
    }
    ::operator delete(p);
  }

 private:
  static constexpr size_t kClasses = 7;    // blocks of 1 to 64 boxes (4 KiB)
  static constexpr size_t kMostKept = 64;  // per class: at most 512 KiB kept in all
  static size_t Class(size_t n) { return n <= 1 ? 0 : static_cast<size_t>(std::bit_width(n - 1)); }
  struct Shelf {
    std::array<Box*, kMostKept> blocks;
    size_t count;
  };
  // Frees the shelves' blocks when the thread ends (made the first time a block is allocated).
  // Lists in thread_local storage destroyed after it free their blocks themselves.
  static void Janitor() {
    struct FreeAtExit {
      ~FreeAtExit() {
        for (Shelf& shelf : shelves_) {
          for (size_t i = 0; i < shelf.count; ++i) ::operator delete(shelf.blocks[i]);
          shelf.count = 0;
        }
        gone_ = true;
      }
    };
    thread_local FreeAtExit janitor;
    (void)janitor;
  }
  // Trivially destructible, so still readable while the thread's other storage is destroyed.
  static thread_local std::array<Shelf, kClasses> shelves_;
  static thread_local bool gone_;
};
thread_local std::array<BoxStore::Shelf, BoxStore::kClasses> BoxStore::shelves_{};
thread_local bool BoxStore::gone_ = false;

template <typename T>
struct BoxAllocator {
  static_assert(std::is_same_v<T, Box>, "box lists only");
  using value_type = T;
  BoxAllocator() = default;
  T* allocate(size_t n) { return BoxStore::Take(n); }
  void deallocate(T* p, size_t n) { BoxStore::Give(p, n); }
  friend bool operator==(const BoxAllocator&, const BoxAllocator&) = default;
};
using BoxList = std::vector<Box, BoxAllocator<Box>>;  // pairwise disjoint boxes

[[gnu::always_inline]] inline int64_t Volume(const Box& b) {
  static_assert(kD == 8, "the product below names eight lengths");
  // Lengths without branches, multiplied as a tree rather than a chain of eight: the hottest
  // arithmetic of the model (every Size of every list).
  auto len = [&b](size_t d) { return std::max<int64_t>(int64_t{b[d].hi} - b[d].lo, 0); };
  return ((len(0) * len(1)) * (len(2) * len(3))) * ((len(4) * len(5)) * (len(6) * len(7)));
}

int64_t Size(const BoxList& list) {
  int64_t total = 0;
  for (const Box& b : list) total += Volume(b);
  return total;
}

// The order in which two boxes are tested: the coordinates that most often part them first
// (output rows, weight taps, then channels), N and G (which rarely differ) and the constant
// trailing coordinates of weight and output boxes last. Measured on the reference cases: 3% fewer
// instructions than the natural order.
constexpr std::array<int, kD> kPartingOrder = {3, 4, 2, 1, 6, 5, 0, 7};

[[gnu::always_inline]] inline bool Overlap(const Box& a, const Box& b) {
  for (int d : kPartingOrder) {
    if (std::max(a[d].lo, b[d].lo) >= std::min(a[d].hi, b[d].hi)) return false;
  }
  return true;
}

[[gnu::always_inline]] inline int64_t IntersectVolume(const Box& a, const Box& b) {
  int64_t v = 1;
  for (int d : kPartingOrder) {
    const int64_t len = std::min(a[d].hi, b[d].hi) - std::max(a[d].lo, b[d].lo);
    if (len <= 0) return 0;
    v *= len;
  }
  return v;
}

int64_t IntersectSize(const BoxList& a, const BoxList& b) {
  int64_t total = 0;
  for (const Box& x : a) {
    for (const Box& y : b) total += IntersectVolume(x, y);
  }
  return total;
}

// Appends a - b as at most 2 * kD disjoint boxes: slabs below and above b in each coordinate,
// each restricted to b's range in the coordinates before it.
void SubtractBox(const Box& a, const Box& b, BoxList* out) {
  if (!Overlap(a, b)) {
    out->push_back(a);
    return;
  }
  Box rest = a;
  for (int d = 0; d < kD; ++d) {
    if (rest[d].lo < b[d].lo) {
      Box piece = rest;
      piece[d].hi = b[d].lo;
      out->push_back(piece);
      rest[d].lo = b[d].lo;
    }
    if (rest[d].hi > b[d].hi) {
      Box piece = rest;
      piece[d].lo = b[d].hi;
      out->push_back(piece);
      rest[d].hi = b[d].hi;
    }
  }
}

// out = a - b, reusing out's and scratch's storage.
void SubtractInto(const BoxList& a, const BoxList& b, BoxList* out, BoxList* scratch) {
  if (b.size() == 1) {  // most tiles are one box: no copy of a to cut in rounds
    out->clear();
    for (const Box& x : a) SubtractBox(x, b.front(), out);
    return;
  }
  *out = a;
  for (const Box& y : b) {
    if (out->empty()) break;
    scratch->clear();
    for (const Box& x : *out) SubtractBox(x, y, scratch);
    out->swap(*scratch);
  }
}

// Appends a n b (a, b disjoint lists) to out.
void AppendIntersection(const BoxList& a, const BoxList& b, BoxList* out) {
  for (const Box& x : a) {
    for (const Box& y : b) {
      if (!Overlap(x, y)) continue;
      Box z;
      for (int d = 0; d < kD; ++d) z[d] = {std::max(x[d].lo, y[d].lo), std::min(x[d].hi, y[d].hi)};
      out->push_back(z);
    }
  }
}

BoxList Subtract(const BoxList& a, const BoxList& b) {
  BoxList rest, scratch;
  SubtractInto(a, b, &rest, &scratch);
  return rest;
}

// Replaces *rest (non-empty) with *rest - (boxes of `by`); false when nothing is left.
bool SubtractAll(const BoxList& by, BoxList* rest, BoxList* next) {
  for (const Box& y : by) {
    if (rest->size() == 1 && !Overlap(rest->back(), y)) continue;
    next->clear();
    for (const Box& x : *rest) SubtractBox(x, y, next);
    rest->swap(*next);
    if (rest->empty()) return false;
  }
  return true;
}

// acc becomes acc u {b} (acc disjoint), using scratch's storage.
void UnionBoxInto(BoxList* acc, const Box& b, BoxList* scratch, BoxList* next) {
  scratch->clear();
  scratch->push_back(b);
  if (SubtractAll(*acc, scratch, next)) acc->insert(acc->end(), scratch->begin(), scratch->end());
}

// acc becomes acc u ({b} - other), for acc and other disjoint lists: the part of b in neither
// joins acc.
void UnionBoxOutside(BoxList* acc, const BoxList& other, const Box& b, BoxList* scratch,
                     BoxList* next) {
  scratch->clear();
  scratch->push_back(b);
  if (SubtractAll(other, scratch, next) && SubtractAll(*acc, scratch, next)) {
    acc->insert(acc->end(), scratch->begin(), scratch->end());
  }
}

// acc becomes acc u add (acc disjoint, add disjoint).
void UnionInto(BoxList* acc, const BoxList& add) {
  if (acc->empty()) {
    *acc = add;
    return;
  }
  const BoxList fresh = Subtract(add, *acc);
  acc->insert(acc->end(), fresh.begin(), fresh.end());
}

// |union of boxes| for boxes that may overlap: a sweep over coordinate d, recursing into the
// next coordinate for every elementary segment (Klee's measure, fine for the few boxes of one
// coverage group).
int64_t UnionVolume(BoxList& boxes, int d) {
  if (boxes.empty()) return 0;
  if (boxes.size() == 1) {
    int64_t v = 1;
    for (int e = d; e < kD; ++e) v *= boxes[0][static_cast<size_t>(e)].Len();
    return v;
  }
  if (d == kD) return 1;
  // Per-depth storage, reused across calls (the recursion uses one set per coordinate).
  thread_local std::array<std::vector<int64_t>, kD> cuts_at;
  thread_local std::array<BoxList, kD> active_at, last_active_at;
  std::vector<int64_t>& cuts = cuts_at[static_cast<size_t>(d)];
  cuts.clear();
  for (const Box& b : boxes) {
    cuts.push_back(b[static_cast<size_t>(d)].lo);
    cuts.push_back(b[static_cast<size_t>(d)].hi);
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  int64_t total = 0;
  BoxList& active = active_at[static_cast<size_t>(d)];
  BoxList& last_active = last_active_at[static_cast<size_t>(d)];
  last_active.clear();
  int64_t last_volume = 0;
  bool have_last = false;
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    const int64_t a = cuts[i], b = cuts[i + 1];
    active.clear();
    for (const Box& x : boxes) {
      if (x[static_cast<size_t>(d)].lo <= a && x[static_cast<size_t>(d)].hi >= b) active.push_back(x);
    }
    int64_t v = 0;
    if (have_last && active == last_active) {
      v = last_volume;
    } else {
      last_active = active;
      v = UnionVolume(active, d + 1);
      last_volume = v;
      have_last = true;
    }
    total += (b - a) * v;
  }
  return total;
}

// Sorts boxes by `less` through an index (a box is 64 bytes to move), then gathers them once.
template <typename Less>
void SortBoxes(BoxList* boxes, Less less) {
  // Short lists (most of them: one step's few PEs) are sorted in place, which moves a few boxes
  // and keeps the list's own storage.
  if (boxes->size() <= 16) {
    Box* data = boxes->data();
    for (size_t i = 1; i < boxes->size(); ++i) {
      if (!less(data[i], data[i - 1])) continue;
      const Box b = data[i];
      size_t j = i;
      for (; j > 0 && less(b, data[j - 1]); --j) data[j] = data[j - 1];
      data[j] = b;
    }
    return;
  }
  thread_local std::vector<uint32_t> order;
  thread_local BoxList sorted;
  order.resize(boxes->size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
  const Box* data = boxes->data();
  std::sort(order.begin(), order.end(),
            [data, &less](uint32_t i, uint32_t j) { return less(data[i], data[j]); });
  sorted.resize(order.size());
  for (size_t i = 0; i < order.size(); ++i) sorted[i] = data[order[i]];
  boxes->swap(sorted);
}

// Drops exact duplicates, keeping each box's first occurrence in its place among the others.
// A list gathered from many PEs repeats the boxes of a tile they all receive (multicast) or
// all send up (reduction), and a hash pass is much cheaper than sorting the repeats.
void DropDuplicates(BoxList* boxes) {
  const size_t n = boxes->size();
  if (n < 16) return;
  size_t capacity = 32;
  while (capacity < 2 * n) capacity <<= 1;
  constexpr uint32_t kEmpty = ~uint32_t{0};
  thread_local std::vector<uint32_t> table;  // open addressing: indices of the kept boxes
  table.assign(capacity, kEmpty);
  Box* data = boxes->data();
  size_t kept = 0;
  for (size_t i = 0; i < n; ++i) {
    uint64_t h = 0;
    for (const Iv& iv : data[i]) {
      h = (h ^ static_cast<uint64_t>(iv.lo)) * 0x9E3779B97F4A7C15ull;
      h = (h ^ static_cast<uint64_t>(iv.hi)) * 0xC2B2AE3D27D4EB4Full;
    }
    size_t slot = static_cast<size_t>(h ^ (h >> 29)) & (capacity - 1);
    bool repeated = false;
    for (; table[slot] != kEmpty; slot = (slot + 1) & (capacity - 1)) {
      if (data[table[slot]] == data[i]) {
        repeated = true;
        break;
      }
    }
    if (repeated) continue;
    if (kept != i) data[kept] = data[i];  // the table only holds indices below `kept`
    table[slot] = static_cast<uint32_t>(kept++);
  }
  boxes->resize(kept);
}

// Sorts boxes and drops duplicates.
void SortUnique(BoxList* boxes) {
  DropDuplicates(boxes);
  SortBoxes(boxes, [](const Box& a, const Box& b) {
    for (size_t e = 0; e < kD; ++e) {
      if (a[e].lo != b[e].lo) return a[e].lo < b[e].lo;
      if (a[e].hi != b[e].hi) return a[e].hi < b[e].hi;
    }
    return false;
  });
  boxes->erase(std::unique(boxes->begin(), boxes->end()), boxes->end());
}

// Merges, coordinate by coordinate, boxes equal in every other coordinate that touch or overlap
// along it. Only the covered set is kept: every list the model merges is a set (MAC counts, and
// so extra MACs, are summed apart from the boxes). A regular tiling collapses to a few boxes,
// which keeps the coverage sweep small.
void MergeAdjacentOnce(BoxList* boxes) {
  for (int d = kD - 1; d >= 0 && boxes->size() > 1; --d) {
    const size_t dd = static_cast<size_t>(d);
    // Boxes that all share coordinate d's interval cannot touch along it.
    bool varies = false;
    for (const Box& b : *boxes) {
      if (b[dd] != boxes->front()[dd]) {
        varies = true;
        break;
      }
    }
    if (!varies) continue;
    SortBoxes(boxes, [dd](const Box& a, const Box& b) {
      for (size_t e = 0; e < kD; ++e) {
        if (e == dd) continue;
        if (a[e].lo != b[e].lo) return a[e].lo < b[e].lo;
        if (a[e].hi != b[e].hi) return a[e].hi < b[e].hi;
      }
      return a[dd].lo != b[dd].lo ? a[dd].lo < b[dd].lo : a[dd].hi < b[dd].hi;
    });
    size_t w = 0;
    for (size_t i = 1; i < boxes->size(); ++i) {
      Box& last = (*boxes)[w];
      const Box& b = (*boxes)[i];
      bool same = true;
      for (size_t e = 0; e < kD && same; ++e) same = e == dd || last[e] == b[e];
      // Every list is a set (which box holds an element never matters), so boxes that overlap
      // along d merge as well as boxes that touch.
      if (same && last[dd].hi >= b[dd].lo) {
        last[dd].hi = std::max(last[dd].hi, b[dd].hi);
      } else {
        (*boxes)[++w] = b;
      }
    }
    boxes->resize(w + 1);
  }
}

// The same for a few boxes, without sorting: any two boxes whose union is a box (equal in every
// coordinate but one, touching or overlapping in that one) become that box, until no two do.
constexpr size_t kFewBoxes = 16;
void MergePairs(BoxList* boxes) {
  Box* data = boxes->data();
  size_t n = boxes->size();
  for (bool merged = true; merged;) {
    merged = false;
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = i + 1; j < n; ++j) {
        size_t differs = kD;  // the one coordinate the two differ in (kD: none)
        bool one = true;
        for (size_t d = 0; d < kD && one; ++d) {
          if (data[i][d] == data[j][d]) continue;
          one = differs == kD;
          differs = d;
        }
        if (!one) continue;
        if (differs < kD) {
          Iv& a = data[i][differs];
          const Iv& b = data[j][differs];
          if (a.hi < b.lo || b.hi < a.lo) continue;
          a = {std::min(a.lo, b.lo), std::max(a.hi, b.hi)};
        }
        data[j--] = data[--n];
        merged = true;
      }
    }
  }
  boxes->resize(n);
}

// Merges until no pass merges anything more: a merge along one coordinate can make boxes equal
// in that coordinate, which a later pass then merges along an earlier one (a grid of tiles that
// arrived as pieces of rows and columns becomes one box).
void MergeAdjacent(BoxList* boxes) {
  if (boxes->size() <= kFewBoxes) {
    MergePairs(boxes);
    return;
  }
  for (size_t before = boxes->size() + 1; boxes->size() > 1 && boxes->size() < before;) {
    before = boxes->size();
    MergeAdjacentOnce(boxes);
  }
}

// Appends the boxes of `from` to *to: most lists appended are one or two boxes, for which a
// range insert's bookkeeping costs more than the copies.
void Append(BoxList* to, const BoxList& from) {
  if (from.size() <= 2) {
    for (const Box& b : from) to->push_back(b);
  } else {
    to->insert(to->end(), from.begin(), from.end());
  }
}

// Whether a and b make one box (equal in every coordinate but one, where they touch or
// overlap); if so a becomes it.
bool ExtendBy(Box* a, const Box& b) {
  size_t differs = kD;  // the one coordinate the two differ in (kD: none)
  for (size_t d = 0; d < kD; ++d) {
    if ((*a)[d] == b[d]) continue;
    if (differs != kD) return false;
    differs = d;
  }
  if (differs == kD) return true;
  Iv& x = (*a)[differs];
  const Iv& y = b[differs];
  if (x.hi < y.lo || y.hi < x.lo) return false;
  x = {std::min(x.lo, y.lo), std::max(x.hi, y.hi)};
  return true;
}

// Appends b to a list of which only the union matters, extending one of its last `window` boxes
// instead when the two make one box: the MACs of consecutive steps of a loop mostly do, as do
// the same pieces of neighbouring sub-units' tiles, which keeps the list short without a merging
// pass.
void AppendToSet(BoxList* list, const Box& b, size_t window = 1) {
  const size_t n = list->size();
  for (size_t i = n; i > 0 && i + window > n; --i) {
    if (ExtendBy(&(*list)[i - 1], b)) return;
  }
  list->push_back(b);
}

void AppendAllToSet(BoxList* list, const BoxList& add) {
  for (const Box& b : add) AppendToSet(list, b);
}

// Merges a growing list once it has doubled (plus `slack`) since its last merge, which keeps
// the merging cost amortised while a regular tiling keeps the list short.
void MergeWhenGrown(BoxList* boxes, size_t* merged_size, size_t slack) {
  if (boxes->size() < 2 * *merged_size + slack) return;
  MergeAdjacent(boxes);
  *merged_size = boxes->size();
}

// |union of boxes| for boxes that may overlap, on the grid their coordinates cut: each box marks
// the cells it covers, and each cell counts once. A step's PEs send or receive a few dozen boxes
// that repeat (multicast, reduction) and tile a region between them, so the grid is small; -1
// when it would not be (more than kGridCellsPerBox cells a box, or kMaxGridCells: a merge then
// costs less than marking the cells) or, `only_covering`, when the boxes cannot cover their
// bounding box, for the sweep to take over. *covers is whether the union is the boxes' bounding
// box, *bbox.
constexpr size_t kMaxGridCells = 4096, kGridCellsPerBox = 4;
int64_t GridUnionSize(const BoxList& boxes, bool only_covering, bool* covers, Box* bbox) {
  const Box& first = boxes.front();
  *bbox = first;
  // The coordinates some box differs in; the others multiply every cell alike.
  std::array<int, kD> varying{};
  int num_varying = 0;
  int64_t fixed = 1;
  for (int d = 0; d < kD; ++d) {
    const size_t dd = static_cast<size_t>(d);
    bool varies = false;
    for (const Box& b : boxes) {
      if (b[dd] == first[dd]) continue;
      varies = true;
      (*bbox)[dd] = {std::min((*bbox)[dd].lo, b[dd].lo), std::max((*bbox)[dd].hi, b[dd].hi)};
    }
    if (varies) {
      varying[static_cast<size_t>(num_varying++)] = d;
    } else {
      fixed *= first[dd].Len();
    }
  }
  if (num_varying == 0) {
    *covers = true;
    return fixed;
  }
  // Boxes whose volumes add up to less than their bounding box's cannot cover it.
  if (only_covering) {
    int64_t volumes = 0;
    for (const Box& b : boxes) volumes += Volume(b);
    if (volumes < Volume(*bbox)) return -1;
  }
  thread_local std::array<std::vector<int32_t>, kD> cuts_of;
  std::array<size_t, kD> stride{};
  size_t cells = 1;
  for (int i = num_varying - 1; i >= 0; --i) {
    const size_t dd = static_cast<size_t>(varying[static_cast<size_t>(i)]);
    std::vector<int32_t>& cuts = cuts_of[static_cast<size_t>(i)];
    cuts.clear();
    for (const Box& b : boxes) {
      cuts.push_back(b[dd].lo);
      cuts.push_back(b[dd].hi);
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    stride[static_cast<size_t>(i)] = cells;
    cells *= cuts.size() - 1;
    if (cells > std::min(kMaxGridCells, kGridCellsPerBox * boxes.size())) return -1;
  }
  thread_local std::vector<char> marked;
  marked.assign(cells, 0);
  int64_t total = 0;
  size_t num_marked = 0;
  std::array<size_t, kD> lo{}, hi{}, at{};
  for (const Box& b : boxes) {
    for (int i = 0; i < num_varying; ++i) {
      const size_t ii = static_cast<size_t>(i);
      const Iv iv = b[static_cast<size_t>(varying[ii])];
      const std::vector<int32_t>& cuts = cuts_of[ii];
      lo[ii] = static_cast<size_t>(std::lower_bound(cuts.begin(), cuts.end(), iv.lo) - cuts.begin());
      hi[ii] = static_cast<size_t>(std::lower_bound(cuts.begin(), cuts.end(), iv.hi) - cuts.begin());
      at[ii] = lo[ii];
    }
    // Every cell of the box, the last coordinate fastest.
    for (;;) {
      size_t cell = 0;
      int64_t volume = 1;
      for (int i = 0; i < num_varying; ++i) {
        const size_t ii = static_cast<size_t>(i);
        cell += at[ii] * stride[ii];
        volume *= cuts_of[ii][at[ii] + 1] - cuts_of[ii][at[ii]];
      }
      if (!marked[cell]) {
        marked[cell] = 1;
        ++num_marked;
        total += volume;
      }
      int i = num_varying - 1;
      for (; i >= 0; --i) {
        const size_t ii = static_cast<size_t>(i);
        if (++at[ii] < hi[ii]) break;
        at[ii] = lo[ii];
      }
      if (i < 0) break;
    }
  }
  *covers = num_marked == cells;
  return total * fixed;
}

// Drops the exact repeats among a few boxes (a tile that several PEs receive, or send up);
// returns whether the boxes left are pairwise disjoint. Without sorting: a pair is compared only
// when it meets, which most pairs of different tiles do not.
constexpr size_t kFewForPairs = 16;
bool DropRepeatsOfFew(BoxList* boxes) {
  Box* data = boxes->data();
  size_t n = boxes->size();
  bool disjoint = true;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      // A box is 16 integers without padding: compared as bytes, in a few vector instructions.
      if (std::memcmp(&data[i], &data[j], sizeof(Box)) == 0) {
        data[j--] = data[--n];
      } else if (disjoint && Overlap(data[i], data[j])) {
        disjoint = false;
      }
    }
  }
  boxes->resize(n);
  return disjoint;
}

// Whether boxes that may overlap are made pairwise disjoint (same union) without subtracting:
// exact repeats dropped (multicast, reduction), then boxes that overlap along one coordinate
// only (a sliding window) merged. Tested for a few boxes only; false leaves an equal-union list.
bool DisjointWithoutCuts(BoxList* boxes) {
  if (boxes->size() <= kFewForPairs && DropRepeatsOfFew(boxes)) return true;
  MergeAdjacent(boxes);
  return boxes->size() <= kFewForPairs && DropRepeatsOfFew(boxes);
}

// Makes boxes that may overlap a disjoint list of the same union. The tiles of a step's
// sub-units most often repeat (multicast) or do not meet at all, which needs no subtraction.
void MakeDisjoint(BoxList* boxes, BoxList* scratch, BoxList* scratch2) {
  if (boxes->size() <= 1 || DisjointWithoutCuts(boxes)) return;
  thread_local BoxList pending;
  pending.swap(*boxes);
  boxes->clear();
  for (const Box& b : pending) UnionBoxInto(boxes, b, scratch, scratch2);
}

// |union| of boxes that may overlap; leaves `boxes` as an equal-union list of fewer boxes, or,
// when the caller does not `keep` the list, as any list.
int64_t OverlappingUnionSize(BoxList* boxes, bool keep = true) {
  if (boxes->size() <= 1) return boxes->empty() ? 0 : Volume(boxes->front());
  // Few boxes that do not meet once repeats are dropped and neighbours merged (PEs with
  // different tiles, or all with the same) need no sweep.
  if (boxes->size() <= kFewForPairs && DisjointWithoutCuts(boxes)) return Size(*boxes);
  auto disjoint_size = [](const BoxList& list) -> int64_t {
    int64_t total = 0;
    for (size_t i = 0; i < list.size(); ++i) {
      for (size_t j = i + 1; j < list.size(); ++j) {
        if (Overlap(list[i], list[j])) return -1;
      }
      total += Volume(list[i]);
    }
    return total;
  };
  // Many boxes most often tile their bounding box between them, which is then the list.
  if (boxes->size() > kFewForPairs) {
    bool covers = false;
    Box bbox;
    const int64_t grid_size = GridUnionSize(*boxes, /*only_covering=*/keep, &covers, &bbox);
    if (grid_size >= 0 && covers) {
      boxes->assign(1, bbox);
      return grid_size;
    }
    if (grid_size >= 0 && !keep) return grid_size;
  }
  SortUnique(boxes);
  if (boxes->size() <= 32) {
    const int64_t n = disjoint_size(*boxes);
    if (n >= 0) return n;
  }
  MergeAdjacent(boxes);
  return UnionVolume(*boxes, 0);
}

// ------------------------------------------------------------------------------------------------
// The machine's dimensions and the directives of one level.

enum MDim : int { kN = 0, kG, kK, kC, kR, kS, kY, kX, kNumM };

struct LevelDir {
  bool spatial = false;
  int dim = kN;
  int64_t size = 1, offset = 1;
};

struct Level {
  std::vector<LevelDir> dirs;
  int64_t units = 1;
};

// A busy sub-unit: its box (one interval per MDim) and its owned output rows / columns; its
// (y', r) pairs are yo x box[kR] and its (x', s) pairs xo x box[kS].
struct Desc {
  std::array<Iv, kNumM> box;
  Iv yo, xo;
};

// One flag per sub-unit or PE slot (busy, seen, ...). Bytes, not std::vector<bool>: the masks
// are copied and compared on every step, which bit access makes slow.
using Mask = std::vector<char>;

// Whether d divides a; most layers have stride 1, for which no division is needed.
bool Divides(int64_t d, int64_t a) { return d == 1 || a % d == 0; }
// Divisions by 1 (unit strides, dilations and bandwidths: most layers and machines) skip the
// divide, which costs as much as a dozen other instructions.
int64_t CeilDiv(int64_t a, int64_t b) {
  if (b == 1) return a;
  return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}
int64_t FloorDiv(int64_t a, int64_t b) {
  if (b == 1) return a;
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// How many positions Positions(m, o, parent) lists, without listing them: position j > 0
// exists while it starts inside the parent (j * o < len) and the one before it ends inside
// ((j - 1) * o + m < len).
int64_t PositionCount(int64_t m, int64_t o, Iv parent) {
  const int64_t len = parent.hi - parent.lo;
  if (len <= 0) return 0;
  const int64_t by_start = (len - 1) / o;
  const int64_t by_end_before = len > m ? (len - m - 1) / o + 1 : 0;
  return 1 + std::min(by_start, by_end_before);
}

void Positions(int64_t m, int64_t o, Iv parent, std::vector<Iv>* out) {
  out->clear();
  for (int64_t j = 0;; ++j) {
    const int64_t a = parent.lo + j * o;
    if (a >= parent.hi || (j > 0 && a - o + m >= parent.hi)) break;
    out->push_back(Span(a, std::min<int64_t>(a + m, parent.hi)));
  }
  // Every evaluation lists positions, so the (assertion-enabled) test builds check the count
  // on all of them.
  assert(static_cast<int64_t>(out->size()) == PositionCount(m, o, parent));
}

struct Tiles {
  PerTensor<BoxList> t;
};

// Global steps as rows of busy PEs: (PE slot, descriptor index) pairs, in one flat array, so
// that idle PEs (most of them, for a small layer on many PEs) cost nothing.
struct StepTable {
  struct Entry {
    int32_t slot;  // the PE's index among the PEs below the expanded sub-unit
    int32_t desc;  // index into the descriptor pool
  };
  std::vector<Entry> entries;
  std::vector<size_t> row_begin{0};  // row t is entries[row_begin[t], row_begin[t + 1])
  size_t Rows() const { return row_begin.size() - 1; }
  std::span<const Entry> Row(size_t t) const {
    return {entries.data() + row_begin[t], row_begin[t + 1] - row_begin[t]};
  }
  void Reset() {
    entries.clear();
    row_begin.assign(1, 0);
  }
};

struct LoopOf {
  int dir;  // -1: fold loop
  int64_t count;
};

// Storage of one level's odometer, reused by every run of it within one evaluation (runs of one
// level never nest: a level's visitor runs the next level only).
struct LevelScratch {
  std::vector<std::vector<Iv>> pos;
  std::vector<LoopOf> loops;
  std::vector<int64_t> idx, ahead, unclipped;
  std::vector<Desc> descs;
  Mask busy;
  std::vector<StepTable> subs;  // the steps below each sub-unit, zipped by ZipUnits
};

struct Context {
  const ExactModel::Shape* shape = nullptr;
  std::vector<Level> levels;
  std::vector<int64_t> width;  // PEs under one sub-unit of level k: prod of units below k
  mutable std::vector<LevelScratch> scratch;  // one per level
};

// The owned outputs of a box inside its parent: y' with every tap of the box's R interval
// inside the box's rows (spec 3.6), within the parent's owned outputs.
bool MakeDesc(const ExactModel::Shape& sh, const std::array<Iv, kNumM>& box, const Desc& parent,
              Desc* out) {
  out->box = box;
  const Iv r = box[kR], y = box[kY], s = box[kS], x = box[kX];
  const int64_t ylo = CeilDiv(y.lo - r.lo * sh.dilation_y, sh.stride_y);
  const int64_t yhi = FloorDiv(y.hi - 1 - (r.hi - 1) * sh.dilation_y, sh.stride_y) + 1;
  const int64_t xlo = CeilDiv(x.lo - s.lo * sh.dilation_x, sh.stride_x);
  const int64_t xhi = FloorDiv(x.hi - 1 - (s.hi - 1) * sh.dilation_x, sh.stride_x) + 1;
  out->yo = Span(std::max<int64_t>(ylo, parent.yo.lo), std::min<int64_t>(yhi, parent.yo.hi));
  out->xo = Span(std::max<int64_t>(xlo, parent.xo.lo), std::min<int64_t>(xhi, parent.xo.hi));
  return out->yo.Len() > 0 && out->xo.Len() > 0 && box[kN].Len() > 0 && box[kG].Len() > 0 &&
         box[kK].Len() > 0 && box[kC].Len() > 0;
}

// MakeDesc for a box whose R, Y, S and X intervals are those of `like` (made by MakeDesc under
// the same parent): the owned outputs are like's, so no division is needed.
bool MakeDescLike(const std::array<Iv, kNumM>& box, const Desc& like, Desc* out) {
  out->box = box;
  out->yo = like.yo;
  out->xo = like.xo;
  return out->yo.Len() > 0 && out->xo.Len() > 0 && box[kN].Len() > 0 && box[kG].Len() > 0 &&
         box[kK].Len() > 0 && box[kC].Len() > 0;
}

// Input rows {y' + r} of output rows yo and taps r (non-empty) under stride and dilation 1.
Iv UnitStepRows(Iv yo, Iv r) { return Span(int64_t{yo.lo} + r.lo, int64_t{yo.hi} + r.hi - 1); }

// Input rows {y' * stride + r * dilation} of one coordinate, as (residue, quotient-interval)
// pairs: row = quotient * stride + residue. Rows of different residues never meet, and within
// one residue they are an interval (dilation 1) or a union the caller merges.
void RowPieces(Iv yo, Iv r, int64_t stride, int64_t dilation, std::vector<std::pair<Iv, Iv>>* out) {
  out->clear();
  if (stride == 1 && dilation == 1) {  // most layers: the rows of a window are one interval
    if (r.hi > r.lo) out->push_back({Span(0, 1), UnitStepRows(yo, r)});
    return;
  }
  if (dilation == 1) {
    for (int64_t rho = 0; rho < stride; ++rho) {
      const int64_t q0 = CeilDiv(r.lo - rho, stride);
      const int64_t q1 = FloorDiv(r.hi - 1 - rho, stride);
      if (q0 > q1) continue;
      out->push_back({Span(rho, rho + 1), Span(yo.lo + q0, yo.hi + q1)});
    }
    return;
  }
  // Dilated: one piece per tap, merged per residue where they touch.
  std::vector<std::pair<Iv, Iv>> raw;
  for (int64_t t = r.lo; t < r.hi; ++t) {
    const int64_t off = t * dilation;
    const int64_t rho = off % stride, q = off / stride;
    raw.push_back({Span(rho, rho + 1), Span(yo.lo + q, yo.hi + q)});
  }
  std::sort(raw.begin(), raw.end());
  for (const auto& p : raw) {
    if (!out->empty() && out->back().first == p.first && out->back().second.hi >= p.second.lo) {
      out->back().second.hi = std::max(out->back().second.hi, p.second.hi);
    } else {
      out->push_back(p);
    }
  }
}

// Fills *out with the tiles of d, reusing its storage.
void MakeTilesInto(const ExactModel::Shape& sh, const Desc& d, Tiles* out) {
  Tiles& t = *out;
  for (Tensor x : kAllTensors) t.t[x].clear();
  const Iv one{0, 1};
  BoxList& in = t.t[Tensor::kInput];
  if (sh.stride_y == 1 && sh.dilation_y == 1 && sh.stride_x == 1 && sh.dilation_x == 1) {
    // Stride and dilation 1 (most layers): the window's rows and columns are one interval each.
    const Iv r = d.box[kR], s = d.box[kS];
    if (r.hi > r.lo && s.hi > s.lo) {
      in.push_back({d.box[kN], d.box[kG], d.box[kC], one, UnitStepRows(d.yo, r), one,
                    UnitStepRows(d.xo, s), one});
    }
  } else {
    thread_local std::vector<std::pair<Iv, Iv>> rows, cols;
    RowPieces(d.yo, d.box[kR], sh.stride_y, sh.dilation_y, &rows);
    RowPieces(d.xo, d.box[kS], sh.stride_x, sh.dilation_x, &cols);
    for (const auto& rw : rows) {
      for (const auto& cl : cols) {
        in.push_back({d.box[kN], d.box[kG], d.box[kC], rw.first, rw.second, cl.first, cl.second, one});
      }
    }
  }
  t.t[Tensor::kFilter].push_back({d.box[kG], d.box[kK], d.box[kC], d.box[kR], d.box[kS], one, one, one});
  t.t[Tensor::kOutput].push_back(
      {d.box[kN], d.box[kG], sh.depthwise ? d.box[kC] : d.box[kK], d.yo, d.xo, one, one, one});
}

// The outer (L2) tile of a level-0 step: the union of its busy sub-units' tiles, as disjoint
// lists, gathered and made disjoint once.
void OuterTiles(const ExactModel::Shape& sh, const std::vector<Desc>& descs, const Mask& busy,
                Tiles* tiles, PerTensor<BoxList>* outer, BoxList* scratch, BoxList* scratch2) {
  for (Tensor x : kAllTensors) (*outer)[x].clear();
  for (size_t u = 0; u < descs.size(); ++u) {
    if (!busy[u]) continue;
    MakeTilesInto(sh, descs[u], tiles);
    for (Tensor x : kAllTensors) {
      // A piece of a tile most often extends the same piece of the sub-unit before.
      const size_t window = tiles->t[x].size();
      for (const Box& b : tiles->t[x]) AppendToSet(&(*outer)[x], b, window);
    }
  }
  for (Tensor x : kAllTensors) MakeDisjoint(&(*outer)[x], scratch, scratch2);
}

Tiles MakeTiles(const ExactModel::Shape& sh, const Desc& d) {
  Tiles t;
  MakeTilesInto(sh, d, &t);
  return t;
}

// Whether two boxes project to the same tile of tensor x.
bool SameTile(const ExactModel::Shape& sh, Tensor x, const Desc& a, const Desc& b) {
  switch (x) {
    case Tensor::kInput:
      return a.box[kN] == b.box[kN] && a.box[kG] == b.box[kG] && a.box[kC] == b.box[kC] &&
             a.box[kR] == b.box[kR] &&
             a.box[kS] == b.box[kS] && a.yo == b.yo && a.xo == b.xo;
    case Tensor::kFilter:
      return a.box[kG] == b.box[kG] && a.box[kK] == b.box[kK] && a.box[kC] == b.box[kC] &&
             a.box[kR] == b.box[kR] &&
             a.box[kS] == b.box[kS];
    case Tensor::kOutput:
      return a.box[kN] == b.box[kN] && a.box[kG] == b.box[kG] && a.yo == b.yo && a.xo == b.xo &&
             (sh.depthwise ? a.box[kC] == b.box[kC] : a.box[kK] == b.box[kK]);
  }
  return false;
}

// Expands the loop nest of level `lv` under a sub-unit holding `parent` into global steps
// (spec 3.5, 3.7): each step lists the descriptors of the PEs below that sub-unit.
void Expand(const Context& ctx, size_t lv, const Desc& parent, std::vector<Desc>* pool,
            StepTable* steps);

// What a block hook of ForEachLevelStep is told at the start of block `block` of loop `loop` (the
// loop at that iteration with every loop inside it at its first): the blocks of the loop that
// are translates of their neighbours. Blocks block - 2 .. block - 1 + `translates` are each the
// one before moved by `shift` (the loop's intervals move by one offset and are clipped at neither
// end, and for a fold loop every sub-unit is busy-able), so the top steps inside them are too.
// `translates` < 1: no such run starts here.
struct BlockStart {
  size_t loop = 0;
  int64_t block = 0;
  int64_t translates = 0;
  std::array<int64_t, kNumM> shift{};
  // Whether the next block could be taken from a record of this one (this is not the first
  // block and the one after the next is still a translate): only such blocks need recording.
  bool record = false;
};

struct NoBlocks {
  int64_t operator()(const BlockStart&) const { return 0; }
};

// Calls visit(combo descs) for each step of the level's odometer in which some sub-unit is busy.
// `block` (optional) is called at the start of every block of every loop outside the innermost
// one that moves, outermost first; it returns how many whole blocks of that loop it took
// (counted them itself), which the odometer then skips.
template <typename Visit, typename Block = NoBlocks>
void ForEachLevelStep(const Context& ctx, size_t lv, const Desc& parent, Visit&& visit,
                      Block&& block = NoBlocks{}) {
  const Level& level = ctx.levels[lv];
  const ExactModel::Shape& sh = *ctx.shape;
  const size_t nd = level.dirs.size();
  LevelScratch& ls = ctx.scratch[lv];
  std::vector<std::vector<Iv>>& pos = ls.pos;
  if (pos.size() < nd) pos.resize(nd);
  int64_t nfold = 0, jmax = -1;
  for (size_t i = 0; i < nd; ++i) {
    Positions(level.dirs[i].size, level.dirs[i].offset, parent.box[static_cast<size_t>(level.dirs[i].dim)],
              &pos[i]);
    if (level.dirs[i].spatial) {
      const int64_t n = static_cast<int64_t>(pos[i].size());
      nfold = std::max(nfold, CeilDiv(n, level.units));
      jmax = jmax < 0 ? n : std::min(jmax, n);
    }
  }
  std::vector<LoopOf>& loops = ls.loops;
  loops.clear();
  bool first_spatial = true;
  for (size_t i = 0; i < nd; ++i) {
    if (!level.dirs[i].spatial) {
      loops.push_back({static_cast<int>(i), static_cast<int64_t>(pos[i].size())});
    } else if (first_spatial) {
      loops.push_back({-1, nfold});
      first_spatial = false;
    }
  }
  std::vector<int64_t>& idx = ls.idx;
  std::vector<int64_t>& ahead = ls.ahead;
  idx.assign(loops.size(), 0);
  std::vector<Desc>& descs = ls.descs;
  Mask& busy = ls.busy;
  descs.resize(static_cast<size_t>(level.units));
  busy.resize(static_cast<size_t>(level.units));
  // The sub-units' descriptors at odometer position `at`; whether any is busy.
  auto fill = [&](const std::vector<int64_t>& at, std::vector<Desc>& out_descs,
                  Mask& out_busy) {
    std::array<Iv, kNumM> tb = parent.box;
    int64_t fold = 0;
    for (size_t l = 0; l < loops.size(); ++l) {
      if (loops[l].dir < 0) {
        fold = at[l];
      } else {
        const LevelDir& d = level.dirs[static_cast<size_t>(loops[l].dir)];
        tb[static_cast<size_t>(d.dim)] = pos[static_cast<size_t>(loops[l].dir)][static_cast<size_t>(at[l])];
      }
    }
    bool any = false;
    // Sub-units that differ in no row or column interval own the same outputs (a SpatialMap over
    // K or C): their ownership is computed once.
    Desc owner;
    bool have_owner = false;
    for (int64_t u = 0; u < level.units; ++u) {
      const int64_t j = fold * level.units + u;
      out_busy[static_cast<size_t>(u)] = false;
      if (j >= jmax) continue;
      std::array<Iv, kNumM> b = tb;
      for (size_t i = 0; i < nd; ++i) {
        if (level.dirs[i].spatial) b[static_cast<size_t>(level.dirs[i].dim)] = pos[i][static_cast<size_t>(j)];
      }
      Desc& d = out_descs[static_cast<size_t>(u)];
      bool made;
      if (have_owner && b[kR] == owner.box[kR] && b[kY] == owner.box[kY] && b[kS] == owner.box[kS] &&
          b[kX] == owner.box[kX]) {
        made = MakeDescLike(b, owner, &d);
      } else {
        made = MakeDesc(sh, b, parent, &d);
        owner = d;
        have_owner = true;
      }
      if (made) {
        out_busy[static_cast<size_t>(u)] = true;
        any = true;
      }
    }
    return any;
  };
  // The innermost loop that moves: blocks are taken for the loops outside it.
  size_t inner_loop = loops.size() - 1;
  while (inner_loop > 0 && loops[inner_loop].count == 1) --inner_loop;
  // Per loop, how many of its leading iterations are translates of each other (unclipped).
  constexpr bool kBlocks = !std::is_same_v<std::decay_t<Block>, NoBlocks>;
  std::vector<int64_t>& unclipped = ls.unclipped;
  if constexpr (kBlocks) {
    unclipped.assign(loops.size(), 0);
    int64_t spatial_unclipped = jmax;
    for (size_t i = 0; i < nd; ++i) {
      if (!level.dirs[i].spatial) continue;
      int64_t n = 0;
      while (n < static_cast<int64_t>(pos[i].size()) &&
             pos[i][static_cast<size_t>(n)].Len() == level.dirs[i].size) {
        ++n;
      }
      spatial_unclipped = std::min(spatial_unclipped, n);
    }
    for (size_t l = 0; l < loops.size(); ++l) {
      if (loops[l].dir < 0) {
        unclipped[l] = spatial_unclipped / level.units;  // folds with every sub-unit's tile whole
      } else {
        const size_t i = static_cast<size_t>(loops[l].dir);
        int64_t n = 0;
        while (n < static_cast<int64_t>(pos[i].size()) &&
               pos[i][static_cast<size_t>(n)].Len() == level.dirs[i].size) {
          ++n;
        }
        unclipped[l] = n;
      }
    }
  }
  for (;;) {
    bool carry_now = false;  // blocks taken ended a loop: no step to visit here
    if constexpr (kBlocks) {
      size_t from = inner_loop;
      while (from > 0 && idx[from] == 0) --from;
      // Loops from..inner_loop-1 start a block here (loop `from` at any iteration, the ones inside
      // it at their first).
      bool jumped = false;
      size_t jumped_loop = 0;
      for (size_t l = from; l < inner_loop && !jumped; ++l) {
        if (loops[l].count == 1) continue;
        BlockStart bs;
        bs.loop = l;
        bs.block = idx[l];
        bs.translates = bs.block >= 2 && bs.block - 1 < unclipped[l] ? unclipped[l] - bs.block : 0;
        bs.record = bs.block >= 1 && bs.block + 1 < unclipped[l];
        if (loops[l].dir < 0) {
          for (size_t i = 0; i < nd; ++i) {
            if (level.dirs[i].spatial) {
              bs.shift[static_cast<size_t>(level.dirs[i].dim)] = level.units * level.dirs[i].offset;
            }
          }
        } else {
          const LevelDir& d = level.dirs[static_cast<size_t>(loops[l].dir)];
          bs.shift[static_cast<size_t>(d.dim)] = d.offset;
        }
        const int64_t k = block(bs);
        if (k > 0) {
          idx[l] += k;
          jumped = true;
          jumped_loop = l;
        }
      }
      if (jumped) {
        if (idx[jumped_loop] < loops[jumped_loop].count) continue;
        // The jump ended the loop: carry into the loops outside it.
        size_t l = jumped_loop + 1;
        idx[l - 1] = loops[l - 1].count - 1;
        for (size_t m = l; m < loops.size(); ++m) idx[m] = loops[m].count - 1;
        carry_now = true;  // the odometer increment below carries from the innermost loop
      }
    }
    if (!carry_now && fill(idx, descs, busy)) {
      if constexpr (std::is_invocable_v<Visit, const std::vector<Desc>&, const Mask&>) {
        visit(descs, busy);
      } else {
        // The visitor may take the next `k` iterations of the innermost loop at once; it can look
        // at the step k iterations ahead (k <= remaining) before deciding.
        // Loops of one iteration never move, so the innermost loop that does is the one to run.
        size_t inner = loops.size() - 1;
        while (inner > 0 && loops[inner].count == 1) --inner;
        const int64_t remaining = loops[inner].count - 1 - idx[inner];
        auto peek = [&](int64_t k, std::vector<Desc>& out_descs, Mask& out_busy) {
          ahead = idx;
          ahead[inner] += k;
          out_descs.resize(descs.size());
          out_busy.resize(busy.size());
          return fill(ahead, out_descs, out_busy);
        };
        idx[inner] += visit(descs, busy, remaining, peek);
      }
    }
    // Odometer: innermost loop fastest.
    size_t l = loops.size();
    for (; l > 0; --l) {
      if (++idx[l - 1] < loops[l - 1].count) break;
      idx[l - 1] = 0;
    }
    if (l == 0) break;
  }
}

// Appends the global steps of one step of level `lv` (its sub-units' `descs`, `busy`) to *out:
// each busy sub-unit runs the levels below it and all run in lock step (spec 3.7).
void ZipUnits(const Context& ctx, size_t lv, const std::vector<Desc>& descs,
              const Mask& busy, std::vector<Desc>* pool, StepTable* out) {
  const size_t units = static_cast<size_t>(ctx.levels[lv].units);
  if (lv + 1 == ctx.levels.size()) {
    for (size_t u = 0; u < units; ++u) {
      if (!busy[u]) continue;
      out->entries.push_back({static_cast<int32_t>(u), static_cast<int32_t>(pool->size())});
      pool->push_back(descs[u]);
    }
    out->row_begin.push_back(out->entries.size());
    return;
  }
  const size_t w = static_cast<size_t>(ctx.width[lv + 1]);
  std::vector<StepTable>& subs = ctx.scratch[lv].subs;
  if (subs.size() < units) subs.resize(units);
  size_t nsub = 0;
  for (size_t u = 0; u < units; ++u) {
    subs[u].Reset();
    if (!busy[u]) continue;
    Expand(ctx, lv + 1, descs[u], pool, &subs[u]);
    nsub = std::max(nsub, subs[u].Rows());
  }
  for (size_t t = 0; t < nsub; ++t) {
    for (size_t u = 0; u < units; ++u) {
      if (t >= subs[u].Rows()) continue;
      for (const StepTable::Entry& e : subs[u].Row(t)) {
        out->entries.push_back({static_cast<int32_t>(u * w) + e.slot, e.desc});
      }
    }
    out->row_begin.push_back(out->entries.size());
  }
}

void Expand(const Context& ctx, size_t lv, const Desc& parent, std::vector<Desc>* pool,
            StepTable* steps) {
  steps->Reset();
  ForEachLevelStep(ctx, lv, parent, [&](const std::vector<Desc>& descs, const Mask& busy) {
    ZipUnits(ctx, lv, descs, busy, pool, steps);
  });
}

// Where a block of a loop of level `lv` starts among the rows Expand produces.
struct RowBlock {
  size_t row = 0;  // the block's first row
  BlockStart start;
};

// Expand, also listing every block start of the level's loops (outermost first at each row).
void ExpandRecordingBlocks(const Context& ctx, size_t lv, const Desc& parent,
                           std::vector<Desc>* pool, StepTable* steps,
                           std::vector<RowBlock>* blocks) {
  steps->Reset();
  blocks->clear();
  ForEachLevelStep(
      ctx, lv, parent,
      [&](const std::vector<Desc>& descs, const Mask& busy) {
        ZipUnits(ctx, lv, descs, busy, pool, steps);
      },
      [&](const BlockStart& bs) {
        blocks->push_back({steps->Rows(), bs});
        return int64_t{0};
      });
}

}  // namespace

std::shared_ptr<ExactModel::BoundCache> NewBoundCache();  // below, where the cache is defined

ExactModel::ExactModel(const Layer& layer, const Hardware& hw, ExactOptions options)
    : options_(options), bound_cache_(NewBoundCache()) {
  const PerDim<int64_t>& sz = layer.shape.size;
  auto present = [](int64_t v) { return v > 0 ? v : 1; };
  Shape& s = shape_;
  if (layer.kind == OpKind::kGemm) {
    // GEMM M x N x K runs as the CONV with Y = M, K = N, C = K, R = S = X = 1 (spec 1).
    s.gemm = true;
    s.y = present(sz[Dim::kM]);
    s.k = present(sz[Dim::kN]);
    s.c = present(sz[Dim::kK]);
  } else {
    s.n = present(sz[Dim::kN]);
    s.k = layer.kind == OpKind::kDepthwiseConv ? 1 : present(sz[Dim::kK]);
    s.c = present(sz[Dim::kC]);
    if (layer.kind == OpKind::kGroupedConv) {
      s.g = present(sz[Dim::kG]);
      s.grouped = true;
    }
    s.r = present(sz[Dim::kR]);
    s.s = present(sz[Dim::kS]);
    s.y = present(sz[Dim::kY]);
    s.x = present(sz[Dim::kX]);
    s.stride_y = layer.shape.stride_y;
    s.stride_x = layer.shape.stride_x;
    s.dilation_y = layer.shape.dilation_y;
    s.dilation_x = layer.shape.dilation_x;
    s.depthwise = layer.kind == OpKind::kDepthwiseConv;
  }
  if (s.stride_y < 1 || s.stride_x < 1 || s.dilation_y < 1 || s.dilation_x < 1) {
    throw InputError("layer '" + layer.name + "': strides and dilations must be at least 1");
  }
  // Coordinates are 32-bit inside the model (Iv); every one lies in [0, extent], so extents
  // below 2^30 leave room for the sums formed before a tile is clipped to its parent.
  constexpr int64_t kExtentLimit = int64_t{1} << 30;
  for (int64_t v : {s.n, s.g, s.k, s.c, s.r, s.s, s.y, s.x, s.stride_y, s.stride_x, s.dilation_y,
                    s.dilation_x}) {
    if (v >= kExtentLimit) {
      throw InputError("layer '" + layer.name + "': an extent, stride or dilation of " +
                       std::to_string(v) + " is beyond the exact model's limit of 2^30");
    }
  }
  const int64_t span_y = (s.r - 1) * s.dilation_y + 1, span_x = (s.s - 1) * s.dilation_x + 1;
  if (s.y < span_y || s.x < span_x) {
    throw InputError("layer '" + layer.name + "': the filter does not fit the input");
  }
  s.out_y = (s.y - span_y) / s.stride_y + 1;
  s.out_x = (s.x - span_x) / s.stride_x + 1;
  total_macs_ = s.n * s.g * s.k * s.c * s.r * s.s * s.out_y * s.out_x;
  num_pes_ = hw.num_pes;
  lanes_ = std::max<int64_t>(hw.simd_lanes, 1);
  noc_bw_ = std::max<int64_t>(hw.noc_bw, 1);
  offchip_bw_ = std::max<int64_t>(hw.offchip_bw, 1);
}

namespace {

// Splits the directive list into levels and applies spec 3.2's normalisation.
// The whole layer: the parent of level 0, owning every output.
Desc RootDesc(const ExactModel::Shape& sh) {
  Desc root;
  root.box = {Span(0, sh.n), Span(0, sh.g), Span(0, sh.k), Span(0, sh.c), Span(0, sh.r), Span(0, sh.s), Span(0, sh.y),
              Span(0, sh.x)};
  root.yo = Span(0, sh.out_y);
  root.xo = Span(0, sh.out_x);
  return root;
}

// Fills *ctx_out, reusing its storage (a search builds one context per candidate).
void BuildContext(const ExactModel::Shape& sh, const Mapping& mapping, int64_t num_pes,
                  Context* ctx_out) {
  Context& ctx = *ctx_out;
  ctx.shape = &sh;
  struct Raw {
    bool spatial;
    int dim;          // MDim
    bool out_coord;   // written as Y' / X'
    int64_t size, offset;
  };
  thread_local std::vector<std::vector<Raw>> groups;
  thread_local std::vector<int64_t> clusters;
  size_t num_groups = 1;
  clusters.clear();
  auto group = [&](size_t i) -> std::vector<Raw>& {
    if (groups.size() <= i) groups.resize(i + 1);
    return groups[i];
  };
  group(0).clear();
  for (const Directive& d : mapping) {
    if (d.kind == DirectiveKind::kCluster) {
      clusters.push_back(d.size);
      group(num_groups++).clear();
      continue;
    }
    int dim = -1;
    if (sh.gemm) {
      if (!d.output_coord) {
        switch (d.dim) {
          case Dim::kM: dim = kY; break;
          case Dim::kN: dim = kK; break;
          case Dim::kK: dim = kC; break;
          default: break;
        }
      }
      if (dim < 0) {
        throw InputError(ToString(d) + ": a GEMM has only the dimensions M, N and K");
      }
    } else {
      switch (d.dim) {
        case Dim::kN: dim = kN; break;
        case Dim::kK: dim = kK; break;
        case Dim::kC: dim = kC; break;
        case Dim::kR: dim = kR; break;
        case Dim::kS: dim = kS; break;
        case Dim::kY: dim = kY; break;
        case Dim::kX: dim = kX; break;
        case Dim::kG: dim = sh.grouped ? kG : -1; break;
        default: break;
      }
      if (dim < 0 || (d.output_coord && dim != kY && dim != kX)) {
        throw InputError(ToString(d) + ": the exact model's layers have only N, K, C, R, S, Y, X, "
                         "Y' and X'");
      }
    }
    groups[num_groups - 1].push_back(
        {d.kind == DirectiveKind::kSpatialMap, dim, d.output_coord, d.size, d.offset});
  }
  int64_t product = 1;
  for (int64_t c : clusters) {
    if (c < 1 || product > num_pes) throw InputError("Cluster sizes must be at least 1");
    product *= c;
  }
  if (product > num_pes) {
    throw InputError("the Cluster sizes multiply to " + std::to_string(product) +
                     ", more than the " + std::to_string(num_pes) + " PEs");
  }
  ctx.levels.resize(num_groups);
  for (size_t lv = 0; lv < num_groups; ++lv) {
    Level& level = ctx.levels[lv];
    level.dirs.clear();
    level.units = lv == 0 ? num_pes / product : clusters[lv - 1];
    std::array<int64_t, kNumM> written{};  // size of the level's directive per MDim (0: none)
    std::array<bool, kNumM> named{};
    for (const Raw& r : groups[lv]) {
      if (named[static_cast<size_t>(r.dim)]) {
        throw InputError("cluster level " + std::to_string(lv) + " names " +
                         std::string(r.dim == kY ? "Y" : r.dim == kX ? "X" : "a dimension") +
                         " twice (Y and Y' count as the same dimension)");
      }
      named[static_cast<size_t>(r.dim)] = true;
      if (!r.out_coord) written[static_cast<size_t>(r.dim)] = r.size;
    }
    bool has_spatial = false;
    for (const Raw& r : groups[lv]) {
      LevelDir d{r.spatial, r.dim, r.size, r.offset};
      has_spatial |= r.spatial;
      if (r.dim == kY || r.dim == kX) {
        const bool is_y = r.dim == kY;
        const int64_t stride = is_y ? sh.stride_y : sh.stride_x;
        const int64_t dil = is_y ? sh.dilation_y : sh.dilation_x;
        const int64_t full = is_y ? sh.r : sh.s;
        const int fdim = is_y ? kR : kS;
        // Taps -> input rows they span: (taps - 1) * dilation + 1.
        auto span = [dil](int64_t taps) { return (taps - 1) * dil + 1; };
        if (r.out_coord) {
          const int64_t taps = written[static_cast<size_t>(fdim)] > 0 ? written[static_cast<size_t>(fdim)] : full;
          d.size = (r.size - 1) * stride + span(taps);
          d.offset = r.offset * stride;
        } else if (stride != 1 && r.size >= span(full)) {
          const int64_t q = (r.size - span(full)) / stride + 1;
          d.size = (q - 1) * stride + span(full);
          d.offset = q * stride;
        }
      }
      level.dirs.push_back(d);
    }
    if (!has_spatial) {
      throw InputError("cluster level " + std::to_string(lv) + " has no SpatialMap");
    }
  }
  if (ctx.levels[0].units < 1) throw InputError("no PEs for the top cluster level");
  ctx.width.assign(ctx.levels.size() + 1, 1);
  for (size_t lv = ctx.levels.size(); lv > 0; --lv) {
    ctx.width[lv - 1] = ctx.width[lv] * ctx.levels[lv - 1].units;
  }
  ctx.scratch.resize(ctx.levels.size());
}

// A value kept per thread between calls: borrowed (taken out of its slot) for one call and put
// back after it, so that its storage is reused while a nested call, were there one, finds the
// slot empty and makes its own. Only the pointer moves: the value holds dozens of vectors.
template <typename T>
class Borrowed {
 public:
  explicit Borrowed(std::unique_ptr<T>* kept)
      : kept_(kept), value_(*kept ? std::move(*kept) : std::make_unique<T>()) {}
  Borrowed(const Borrowed&) = delete;
  Borrowed& operator=(const Borrowed&) = delete;
  ~Borrowed() {
    if (!*kept_) *kept_ = std::move(value_);
  }
  T& operator*() { return *value_; }
  T* operator->() { return value_.get(); }

 private:
  std::unique_ptr<T>* kept_;
  std::unique_ptr<T> value_;
};

}  // namespace

namespace {

// ------------------------------------------------------------------------------------------------
// Top-step classes. Two consecutive level-0 steps (D_prev, D_cur) whose busy sub-units' boxes are
// a translation of an earlier pair (D'_prev, D'_cur) by one vector produce exactly the counts of
// that earlier top step: every PE's (previous tile, tile) pair below them is the same translation
// (children's positions are relative to their parent's interval, and ownership shifts with the
// box when the Y shift is the stride times the Y' shift plus the dilation times the R shift), and
// unions and differences of translated sets have the same sizes. Only three things depend on the
// history rather than on the pair: partial-sum read-backs (outputs entering a PE that some PE sent
// up before), DRAM output read-backs, and PEs that were idle in D_prev and hold older tiles. A
// class is therefore kept only when none of them played a part (no entering output was sent up
// before the top step, none was written to DRAM, and the same PEs were busy in both steps), and
// reused only when the current step's entering outputs miss the written sets too.

// A shift of the machine's coordinates: the box's 8 intervals and the owned Y' and X' intervals.
struct Shift {
  std::array<int64_t, kNumM> box{};
  int64_t yo = 0, xo = 0;
};

Iv Moved(Iv iv, int64_t by) { return Span(iv.lo + by, iv.hi + by); }

// The shift of an output box (N, G, K or C, Y', X') and of a MAC box (N G K C Y' R X' S).
[[gnu::always_inline]] inline Box ShiftOutput(const ExactModel::Shape& sh, Box b, const Shift& v) {
  b[0] = Moved(b[0], v.box[kN]);
  b[1] = Moved(b[1], v.box[kG]);
  b[2] = Moved(b[2], sh.depthwise ? v.box[kC] : v.box[kK]);
  b[3] = Moved(b[3], v.yo);
  b[4] = Moved(b[4], v.xo);
  return b;
}

// The shift of an input box (N, G, C, row residue, row quotient, column residue, column
// quotient) when v moves rows and columns by whole strides, and of a weight box (G K C R S).
bool ShiftInput(const ExactModel::Shape& sh, Box* b, const Shift& v) {
  if (!Divides(sh.stride_y, v.box[kY]) || !Divides(sh.stride_x, v.box[kX])) return false;
  (*b)[0] = Moved((*b)[0], v.box[kN]);
  (*b)[1] = Moved((*b)[1], v.box[kG]);
  (*b)[2] = Moved((*b)[2], v.box[kC]);
  (*b)[4] = Moved((*b)[4], FloorDiv(v.box[kY], sh.stride_y));
  (*b)[6] = Moved((*b)[6], FloorDiv(v.box[kX], sh.stride_x));
  return true;
}
Box ShiftFilter(Box b, const Shift& v) {
  b[0] = Moved(b[0], v.box[kG]);
  b[1] = Moved(b[1], v.box[kK]);
  b[2] = Moved(b[2], v.box[kC]);
  b[3] = Moved(b[3], v.box[kR]);
  b[4] = Moved(b[4], v.box[kS]);
  return b;
}

// Per tensor, whether v leaves its boxes where they are.
PerTensor<bool> StillUnder(const ExactModel::Shape& sh, const Shift& v) {
  const auto& m = v.box;
  PerTensor<bool> still;
  still[Tensor::kInput] = m[kN] == 0 && m[kG] == 0 && m[kC] == 0 && m[kY] == 0 && m[kX] == 0;
  still[Tensor::kFilter] = m[kG] == 0 && m[kK] == 0 && m[kC] == 0 && m[kR] == 0 && m[kS] == 0;
  still[Tensor::kOutput] = m[kN] == 0 && m[kG] == 0 && (sh.depthwise ? m[kC] : m[kK]) == 0 &&
                           v.yo == 0 && v.xo == 0;
  return still;
}

[[gnu::always_inline]] inline Box ShiftMac(Box b, const Shift& v) {
  const std::array<int64_t, kD> by = {v.box[kN], v.box[kG], v.box[kK], v.box[kC],
                                      v.yo,      v.box[kR], v.xo,      v.box[kS]};
  for (size_t d = 0; d < kD; ++d) b[d] = Moved(b[d], by[d]);
  return b;
}

// The coordinate shifts of the output space (N, G, K or C, Y', X') and of the MAC space under v.
std::array<int64_t, kD> OutputShift(const ExactModel::Shape& sh, const Shift& v) {
  return {v.box[kN], v.box[kG], sh.depthwise ? v.box[kC] : v.box[kK], v.yo, v.xo, 0, 0, 0};
}
std::array<int64_t, kD> MacShift(const Shift& v) {
  return {v.box[kN], v.box[kG], v.box[kK], v.box[kC], v.yo, v.box[kR], v.xo, v.box[kS]};
}

// The union of b moved by j * by for every j in [j0, j1], when it is one box: `by` moves one
// coordinate (or none) by at most the box's length there, so consecutive copies touch.
bool Stretch(const Box& b, const std::array<int64_t, kD>& by, int64_t j0, int64_t j1, Box* out) {
  *out = b;
  int moving = 0;
  for (size_t d = 0; d < kD; ++d) {
    if (by[d] == 0) continue;
    if (++moving > 1 || (by[d] > 0 ? by[d] : -by[d]) > b[d].Len()) return false;
    (*out)[d].lo = Coord(b[d].lo + std::min(j0 * by[d], j1 * by[d]));
    (*out)[d].hi = Coord(b[d].hi + std::max(j0 * by[d], j1 * by[d]));
  }
  return true;
}

// Every box of `from` moved by v (in the output or the MAC space) and stretched by `by` over
// [j0, j1] into *to; false when some box does not stay one box.
bool StretchAll(const ExactModel::Shape& sh, const BoxList& from, bool mac, const Shift& v,
                const std::array<int64_t, kD>& by, int64_t j0, int64_t j1, BoxList* to) {
  to->clear();
  Box sb;
  for (const Box& b : from) {
    if (!Stretch(mac ? ShiftMac(b, v) : ShiftOutput(sh, b, v), by, j0, j1, &sb)) return false;
    to->push_back(sb);
  }
  return true;
}

// Whether no box of `a` meets a box of `b` moved by j * by for j in [j0, j1].
bool Apart(const BoxList& a, const BoxList& b, const std::array<int64_t, kD>& by, int64_t j0,
           int64_t j1) {
  Box sb;
  for (const Box& y : b) {
    if (!Stretch(y, by, j0, j1, &sb)) return false;
    for (const Box& x : a) {
      if (Overlap(x, sb)) return false;
    }
  }
  return true;
}

// What of a block's entering outputs (`enter`) lay in a set that only grows (outputs sent up
// before it, or written to DRAM): the block taken next, moved by v, counts the same read-backs
// exactly when the part of its moved entering outputs in the grown set is this part moved
// (every step's entering outputs then meet the set as the recorded block's did). `enter` is
// made disjoint so that sizes add.
struct HistoryPart {
  BoxList enter;  // disjoint
  BoxList part;   // enter ∩ the set before the recorded block (disjoint)
  int64_t part_size = 0;
  void Set(const BoxList& entering, const BoxList& before, const BoxList* also) {
    enter.clear();
    BoxList scratch, next;
    for (const Box& b : entering) UnionBoxInto(&enter, b, &scratch, &next);
    part.clear();
    AppendIntersection(enter, before, &part);
    if (also != nullptr) AppendIntersection(enter, *also, &part);
    part_size = Size(part);
  }
  // Whether the moved block meets `now` (with `also`, disjoint from it) as the recorded one met
  // its set: the same size inside, and the recorded part, moved, inside.
  bool Moves(const ExactModel::Shape& sh, const Shift& v, const BoxList& now, const BoxList* also,
             BoxList* moved) const {
    auto inside = [&](const BoxList& list) {
      int64_t n = IntersectSize(list, now);
      if (also != nullptr) n += IntersectSize(list, *also);
      return n;
    };
    moved->clear();
    for (const Box& b : enter) moved->push_back(ShiftOutput(sh, b, v));
    if (inside(*moved) != part_size) return false;
    moved->clear();
    for (const Box& b : part) moved->push_back(ShiftOutput(sh, b, v));
    return inside(*moved) == part_size;
  }
};

struct TopClass {
  std::vector<Desc> prev, cur;           // D'_prev, D'_cur (level-0 descriptors)
  std::vector<char> prev_busy, cur_busy;
  // Increments of the additive counts over the top step.
  PerTensor<int64_t> ingress{}, ingress_unicast{}, dram_reads{};
  int64_t egress = 0, egress_unicast = 0, dram_writes = 0;
  int64_t macs = 0, steps = 0, onchip = 0, runtime = 0;
  BoxList entering;       // outputs entering some PE during the step (before the read-back test)
  BoxList leaving;        // outputs some PE sent up during the step
  BoxList outer_enter;    // outputs entering the outer tile
  BoxList outer_leave;    // outputs leaving the outer tile (written to DRAM)
  int readback = 0, dram_readback = 0;  // entering outputs sent up / written before: 0 none, 1 all
  // Whether cur is prev moved by one shift (`step`): the pair is one iteration of a loop, and the
  // iterations after it may be taken together.
  bool uniform = false;
  Shift step;
  BoxList mac_boxes;
  // The top steps before D'_prev that the PEs busy in D'_cur last worked in (newest first): a PE
  // idle in D'_prev holds the tile of its last busy step, which must lie in this window.
  // The first `window` of each are the class's; the rest keep their storage for the next class
  // made in this one's place.
  std::vector<std::vector<Desc>> older;
  std::vector<std::vector<char>> older_busy;
  size_t window = 0;
  int pe_set = -1;  // the PE slots busy in D'_cur, as an index into the evaluation's PE sets
  // Whether the lists are compacted and `uniform` and `step` known. Most classes founded never
  // serve (a small layer's steps are mostly edges): that work waits for a class's first match.
  bool finished = false;
};

bool IsMoved(const Desc& a, const Desc& b, const Shift& v) {
  // Without branches per interval (the compiler vectorises it): the hot comparison of classes.
  int64_t differ = 0;
  for (size_t i = 0; i < kNumM; ++i) {
    differ |= (a.box[i].lo - b.box[i].lo - v.box[i]) | (a.box[i].hi - b.box[i].hi - v.box[i]);
  }
  differ |= (a.yo.lo - b.yo.lo - v.yo) | (a.yo.hi - b.yo.hi - v.yo);
  differ |= (a.xo.lo - b.xo.lo - v.xo) | (a.xo.hi - b.xo.hi - v.xo);
  return differ == 0;
}

// Whether `to` is `from` moved by one shift *v whose Y and X moves are whole strides of the owned
// outputs (plus dilations of the taps), so that ownership moves with the box and every box
// below it moves the same way.
bool TranslateOf(const ExactModel::Shape& sh, const Desc& to, const Desc& from, Shift* v) {
  for (size_t i = 0; i < kNumM; ++i) v->box[i] = to.box[i].lo - from.box[i].lo;
  v->yo = to.yo.lo - from.yo.lo;
  v->xo = to.xo.lo - from.xo.lo;
  return v->box[kY] == sh.stride_y * v->yo + sh.dilation_y * v->box[kR] &&
         v->box[kX] == sh.stride_x * v->xo + sh.dilation_x * v->box[kS] && IsMoved(to, from, *v);
}

Desc MovedDesc(Desc d, const Shift& v) {
  for (size_t i = 0; i < kNumM; ++i) d.box[i] = Moved(d.box[i], v.box[i]);
  d.yo = Moved(d.yo, v.yo);
  d.xo = Moved(d.xo, v.xo);
  return d;
}

Shift Scaled(Shift v, int64_t k) {
  for (int64_t& x : v.box) x *= k;
  v.yo *= k;
  v.xo *= k;
  return v;
}

// Moves an outer tile by v (of whole strides: OuterMoved).
void MoveOuter(const ExactModel::Shape& sh, const Shift& v, PerTensor<BoxList>* outer) {
  for (Box& b : (*outer)[Tensor::kInput]) CADENZA_CHECK(ShiftInput(sh, &b, v));
  for (Box& b : (*outer)[Tensor::kFilter]) b = ShiftFilter(b, v);
  for (Box& b : (*outer)[Tensor::kOutput]) b = ShiftOutput(sh, b, v);
}

// Whether the busy sub-units of `cur` are those of `prev` moved by one shift (returned in *v):
// the shift of the first busy one, a translation that ownership follows (TranslateOf).
bool IsStep(const ExactModel::Shape& sh, const std::vector<Desc>& prev,
            const std::vector<Desc>& cur, const std::vector<char>& busy, Shift* v) {
  size_t first = 0;
  while (first < busy.size() && !busy[first]) ++first;
  if (first == busy.size() || !TranslateOf(sh, cur[first], prev[first], v)) return false;
  for (size_t u = first + 1; u < busy.size(); ++u) {
    if (busy[u] && !IsMoved(cur[u], prev[u], *v)) return false;
  }
  return true;
}

// Whether level-0 step (cur, busy) is (prev, busy) moved by one shift *v of whole strides, so that
// its outer tile is prev's moved (MoveOuter).
bool OuterMoved(const ExactModel::Shape& sh, const std::vector<Desc>& prev,
                const std::vector<Desc>& cur, const Mask& busy, Shift* v) {
  return IsStep(sh, prev, cur, busy, v) && Divides(sh.stride_y, v->box[kY]) &&
         Divides(sh.stride_x, v->box[kX]);
}

// Whether (dp, bp, dc, bc) is `c`'s pair moved by one shift (which is returned in *v).
bool MatchClass(const ExactModel::Shape& sh, const TopClass& c, const std::vector<Desc>& dp,
                const std::vector<char>& bp, const std::vector<Desc>& dc,
                const std::vector<char>& bc, Shift* v) {
  if (bp != c.prev_busy || bc != c.cur_busy || !IsStep(sh, c.cur, dc, bc, v)) return false;
  for (size_t u = 0; u < bp.size(); ++u) {
    if (bp[u] && !IsMoved(dp[u], c.prev[u], *v)) return false;
  }
  return true;
}

// How the boxes of `a` (which may overlap) meet the first `b_count` boxes of the disjoint list
// `b` together with the boxes of `also` (disjoint from b): 0 none of a is in them, 1 all of a
// is, -1 some of it is. The lists being disjoint, a box lies in their union exactly when its
// intersections with them add up to its volume, so no box is ever cut.
int Meets(const BoxList& a, const BoxList& b, size_t b_count, const BoxList* also = nullptr) {
  const size_t also_count = also != nullptr ? also->size() : 0;
  bool some_in = false, some_out = false;
  for (const Box& x : a) {
    // Once x is covered the other boxes (disjoint from those that cover it) cannot meet it.
    const int64_t volume = Volume(x);
    int64_t inside = 0;
    for (size_t j = 0; j < b_count && inside < volume; ++j) inside += IntersectVolume(x, b[j]);
    for (size_t j = 0; j < also_count && inside < volume; ++j) {
      inside += IntersectVolume(x, (*also)[j]);
    }
    if (inside > 0) some_in = true;
    if (inside < volume || volume == 0) some_out = true;  // an empty box is never "in"
    if (some_in && some_out) return -1;
  }
  return some_in ? 1 : 0;
}

bool SameShift(const Shift& a, const Shift& b) {
  return a.box == b.box && a.yo == b.yo && a.xo == b.xo;
}

// Whether global step `to` of `steps` has the busy PEs of step `from` (the same slots, in the
// same order) with every descriptor moved by one shift (returned in *v) that moves ownership with
// the box (as IsStep). For from = t - 1 every PE's (previous tile, tile) pair at step t is then
// its pair at step t - 1 moved by v: each PE was busy at t - 1, so its last tiles are those of
// step t - 1.
bool RowMoved(const ExactModel::Shape& sh, const StepTable& steps, const std::vector<Desc>& pool,
              size_t from, size_t to, Shift* v) {
  const std::span<const StepTable::Entry> a = steps.Row(from), b = steps.Row(to);
  if (a.size() != b.size() || a.empty()) return false;
  const Desc& p0 = pool[static_cast<size_t>(a[0].desc)];
  const Desc& c0 = pool[static_cast<size_t>(b[0].desc)];
  for (size_t i = 0; i < kNumM; ++i) v->box[i] = c0.box[i].lo - p0.box[i].lo;
  v->yo = c0.yo.lo - p0.yo.lo;
  v->xo = c0.xo.lo - p0.xo.lo;
  if (v->box[kY] != sh.stride_y * v->yo + sh.dilation_y * v->box[kR] ||
      v->box[kX] != sh.stride_x * v->xo + sh.dilation_x * v->box[kS]) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].slot != b[i].slot ||
        !IsMoved(pool[static_cast<size_t>(b[i].desc)], pool[static_cast<size_t>(a[i].desc)], *v)) {
      return false;
    }
  }
  return true;
}

// The global steps of one walked top step. Either the rows of every busy PE (a table zipped from
// every busy level-0 sub-unit), or, when every busy level-0 sub-unit is the first one moved by
// some shift (so the steps below it are the first one's, moved: positions below are relative to
// the parent and ownership moves with the box), the first one's rows only and, per busy
// sub-unit, its PE slot offset and shift. Row t is then the copies of the table's row t, in
// sub-unit order, as ZipUnits would have listed them.
struct TopRows {
  const StepTable* table = nullptr;
  const std::vector<Desc>* pool = nullptr;
  std::vector<int32_t> base;  // per copy: the slot of its first PE
  std::vector<Shift> shift;   // per copy
  bool shifted = false;       // some copy is moved
  // Block starts of the first sub-unit's level-1 loops (empty unless every box of every level
  // has whole R and S intervals, so that ownership moves with every box).
  std::vector<RowBlock> blocks;
  size_t Rows() const { return table->Rows(); }
  size_t Copies() const { return base.size(); }
  size_t Slot(size_t c, const StepTable::Entry& e) const {
    return static_cast<size_t>(base[c] + e.slot);
  }
  Desc At(size_t c, const StepTable::Entry& e) const {
    const Desc& d = (*pool)[static_cast<size_t>(e.desc)];
    return shifted ? MovedDesc(d, shift[c]) : d;
  }
  // Every copy moves as the table's rows do, so the table's rows decide.
  bool Moved(const ExactModel::Shape& sh, size_t from, size_t to, Shift* v) const {
    return RowMoved(sh, *table, *pool, from, to, v);
  }
};

// A walked global step `row` (RowMoved from row - 1 by v) whose counts a later step t of the
// same top step may reuse: when step t is step t - 1 moved by v and step t - 1 is step row - 1
// moved by some w, step t's pairs are this step's moved by w. Its additive counts and the boxes
// that carry history.
struct RowRecord {
  bool valid = false;
  size_t row = 0;
  Shift v;
  PerTensor<int64_t> mc{}, uc{};
  int64_t eg_red = 0, leave_sum = 0, compute = 0, macs = 0;
  int readback = 0;  // Meets() of its entering outputs with the outputs sent up before it
  BoxList entering, leaving, mac_boxes;
};

// Copies `boxes` without duplicates and with touching or overlapping boxes merged (the same
// set, fewer boxes).
BoxList Compact(BoxList boxes) {
  SortUnique(&boxes);
  MergeAdjacent(&boxes);
  return boxes;
}

// Compacts a growing list (only its union matters) once it has doubled since the last time.
void CompactWhenGrown(BoxList* boxes, size_t* compacted_size) {
  if (boxes->size() < 2 * *compacted_size + 64) return;
  *boxes = Compact(std::move(*boxes));
  *compacted_size = boxes->size();
}

// Completes a class at its first match: its entering and leaving outputs compacted, its MAC
// boxes merged, and whether it is one iteration of a loop (`uniform`, by `step`) whose window
// moves along with it.
void FinishClass(const ExactModel::Shape& sh, TopClass* c) {
  if (c->finished) return;
  c->finished = true;
  c->entering = Compact(std::move(c->entering));
  c->leaving = Compact(std::move(c->leaving));
  MergeAdjacent(&c->mac_boxes);
  c->step = Shift{};
  c->uniform = c->prev_busy == c->cur_busy && IsStep(sh, c->prev, c->cur, c->cur_busy, &c->step);
  // A run moves the whole window along the loop: only a window of the loop's own steps.
  for (size_t j = 0; j < c->window && c->uniform; ++j) {
    const Shift back = Scaled(c->step, static_cast<int64_t>(j) + 1);
    c->uniform = c->older_busy[j] == c->prev_busy;
    for (size_t u = 0; u < c->prev.size() && c->uniform; ++u) {
      c->uniform = !c->prev_busy[u] || IsMoved(c->prev[u], c->older[j][u], back);
    }
  }
}

constexpr size_t kMaxClasses = 32;
// The deepest window of top steps a class may look back over (a PE busy in the class's step last
// worked at most this many top steps before), and how many top steps are kept to restore the
// PEs' tiles from (see `restore`).
constexpr int64_t kMaxWindow = 16;
constexpr int64_t kRing = 32;

// A level-0 step kept for the ring of recent top steps (Evaluate).
struct LevelStep {
  std::vector<Desc> descs;
  Mask busy;
};

// What the last full top step saw, for the class it may found.
struct StepRecord {
  BoxList entering, leaving, outer_enter, outer_leave;
  BoxList mac_boxes;
  // The step's counts depend on its pair only: not the first top step, the same PEs busy as
  // in the step before, and its entering outputs either all or none sent up (written to DRAM)
  // before the top step.
  bool history_free = false;
  int readback = 0, dram_readback = 0;  // Meets() of the entering outputs, PE level and DRAM
  int64_t depth = 1;  // top steps back to the oldest last busy step of a PE busy in this one
  std::vector<int32_t> pes;  // the PEs busy in this one
};

// What a walked PE of copy 0 did in one global step (run_top_step), for the PEs of the other
// copies that are its translates: ranges of the step's lists that hold its boxes.
struct Peer {
  bool movable = false;  // the copies' shifts move its input boxes (whole strides)
  bool had_prev = false, changed = false;
  Desc prev;  // its descriptor before the step
  PerTensor<int64_t> fresh_size{};
  PerTensor<size_t> fresh_begin{}, fresh_end{};  // in fresh_union (input and weight)
  size_t enter_begin = 0, enter_end = 0;         // its entering outputs, in rec.entering
  size_t leave_begin = 0, leave_end = 0;         // in leave_union
  int64_t leave_size = 0, macs = 0;
  Box mac;
};

// A record of the current block of a level-1 loop inside a walked top step (row_block).
struct RowBlockRecord {
  bool active = false;
  int64_t block = -1;
  size_t start_row = 0;
  PerTensor<int64_t> ingress{}, ingress_unicast{};
  int64_t egress = 0, egress_unicast = 0, macs = 0, steps = 0, onchip = 0;
  BoxList sent_before;  // written_now at its start (`written` is fixed during a top step)
  std::array<BoxList, 3> boxes;  // entering outputs, leaving outputs, MAC boxes
  std::array<size_t, 3> compacted{};
};

// A set of PEs kept busy by top steps taken from classes, with the last such step.
struct StaleSet {
  int set;
  int64_t last;
};

enum BoxKind { kEnter, kLeave, kOuterEnter, kOuterLeave, kMacs, kNumBoxKinds };
struct BlockRecord {
  bool active = false;
  int64_t block = -1;
  int64_t start_top = 0;
  ExactCounts counts;
  int64_t macs = 0, steps = 0, onchip = 0, runtime = 0;
  BoxList written_before, dram_written_before;
  std::array<BoxList, kNumBoxKinds> boxes;
  std::array<size_t, kNumBoxKinds> compacted{};
};

// The storage of one evaluation, kept per thread between evaluations (Borrowed): a search
// evaluates millions of mappings, most of them small, and allocating these afresh each time
// cost a tenth of an evaluation. Evaluate resets what it reads before writing.
struct EvalStorage {
  // Per PE slot.
  std::vector<Desc> prev_desc;
  std::vector<Tiles> prev;
  std::vector<char> tiles_ok, pe_busy_now, seen_mask, touched, restored;
  Mask has_prev;
  std::vector<int64_t> pe_last_top;
  // Per level-0 step.
  std::vector<Desc> last_descs, ahead_descs, ring_descs, outer_descs;
  Mask last_busy, ahead_busy, outer_busy;
  // Classes: the first num_classes are live; the rest, and `spare_class`, keep their storage.
  // Held by pointer: a class joins by a pointer swap, not by moving its dozen lists.
  std::vector<std::unique_ptr<TopClass>> classes;
  size_t num_classes = 0;
  std::unique_ptr<TopClass> spare_class = std::make_unique<TopClass>();
  // The walk's records, kept with their storage.
  StepRecord rec;
  std::vector<Peer> peers;
  std::vector<RowBlockRecord> row_blocks;
  std::vector<StaleSet> stale_sets;
  std::vector<BlockRecord> blocks;
  TopRows top_rows;
  // PE sets: the first num_pe_sets are live, the rest keep their storage.
  std::vector<std::vector<int32_t>> pe_sets;
  std::vector<Mask> pe_set_masks;
  size_t num_pe_sets = 0;
  std::vector<int32_t> pe_set_scratch;
  // Level steps for the ring, reused once the ring no longer holds them.
  std::vector<std::shared_ptr<LevelStep>> level_steps;
  size_t next_level_step = 0;

  // A level step holding these, from the reused ones when one is free.
  std::shared_ptr<LevelStep> NewLevelStep(const std::vector<Desc>& step_descs,
                                          const Mask& step_busy) {
    for (size_t i = 0; i < level_steps.size(); ++i) {
      const size_t k = (next_level_step + i) % level_steps.size();
      if (level_steps[k].use_count() != 1) continue;
      next_level_step = (k + 1) % level_steps.size();
      LevelStep& step = *level_steps[k];
      step.descs = step_descs;
      step.busy = step_busy;
      return level_steps[k];
    }
    level_steps.push_back(std::make_shared<LevelStep>(LevelStep{step_descs, step_busy}));
    return level_steps.back();
  }
};

}  // namespace

ExactCounts ExactModel::Evaluate(const Mapping& mapping) const {
  // The context and the expansion tables (which grow to the largest top step) are kept per
  // thread, so that consecutive evaluations (a search) reuse their storage instead of
  // allocating it and faulting fresh pages in.
  thread_local std::unique_ptr<Context> kept_ctx;
  thread_local std::unique_ptr<std::vector<Desc>> kept_pool;
  thread_local std::unique_ptr<StepTable> kept_steps;
  Borrowed<Context> borrowed_ctx(&kept_ctx);
  Context& ctx = *borrowed_ctx;
  BuildContext(shape_, mapping, num_pes_, &ctx);
  Borrowed<std::vector<Desc>> borrowed_pool(&kept_pool);
  std::vector<Desc>& top_pool = *borrowed_pool;
  Borrowed<StepTable> borrowed_steps(&kept_steps);
  StepTable& top_table = *borrowed_steps;
  top_table.Reset();
  thread_local std::unique_ptr<EvalStorage> kept_storage;
  Borrowed<EvalStorage> storage(&kept_storage);
  const Shape& sh = shape_;
  const int64_t num_pe_slots = ctx.width[0];
  // Whether no box of level 0 (of any level) ever has a partial R or S interval: the owned
  // outputs of such a box are never clipped by its parent's (the layer's bounds, at level 0),
  // so they move with the box, as blocks of a loop need.
  bool level0_taps_whole = true, all_taps_whole = true;
  for (size_t lv = 0; lv < ctx.levels.size(); ++lv) {
    for (const LevelDir& d : ctx.levels[lv].dirs) {
      if ((d.dim == kR && d.size < sh.r) || (d.dim == kS && d.size < sh.s)) {
        all_taps_whole = false;
        if (lv == 0) level0_taps_whole = false;
      }
    }
  }

  ExactCounts out;
  const Desc root = RootDesc(sh);

  const size_t num_slots = static_cast<size_t>(num_pe_slots);
  // A PE's descriptor is read only once has_prev is set, its tiles once tiles_ok is.
  std::vector<Desc>& prev_desc = storage->prev_desc;
  prev_desc.resize(num_slots);
  std::vector<Tiles>& prev = storage->prev;
  prev.resize(num_slots);
  // Whether prev[u] holds the tiles of prev_desc[u]: steps that only move a PE's descriptor
  // (restores, blocks, copies of another sub-unit's PEs) leave them to be made when needed.
  std::vector<char>& tiles_ok = storage->tiles_ok;
  tiles_ok.assign(num_slots, 0);
  auto set_prev = [&](size_t u, const Desc& d) {
    prev_desc[u] = d;
    tiles_ok[u] = 0;
  };
  auto prev_tiles = [&](size_t u) -> const Tiles& {
    if (!tiles_ok[u]) {
      MakeTilesInto(sh, prev_desc[u], &prev[u]);
      tiles_ok[u] = 1;
    }
    return prev[u];
  };
  Mask& has_prev = storage->has_prev;
  has_prev.assign(num_slots, false);
  std::vector<char>& pe_busy_now = storage->pe_busy_now;  // busy in this top step
  pe_busy_now.assign(num_slots, 0);
  // Per PE slot, the index (counted in top steps) of its last busy top step; -1: never busy.
  std::vector<int64_t>& pe_last_top = storage->pe_last_top;
  pe_last_top.assign(num_slots, -1);
  size_t merged_size = 0, written_merged = 0, dram_written_merged = 0;  // sizes after last merge
  BoxList written;       // outputs whose partial sums some PE sent up before this top step
  BoxList written_now;   // ... during this top step (disjoint from `written`)
  size_t written_now_merged = 0;
  // A few records, so that the steps of one sweep (X moves) and those that start the next
  // (a Y move) each find theirs.
  std::array<RowRecord, 4> row_recs;
  size_t next_row_rec = 0;
  BoxList row_macs;
  BoxList moved_enter;
  BoxList dram_written;  // outputs written back to DRAM
  PerTensor<BoxList> prev_outer;
  BoxList mac_boxes;
  int64_t mac_sum = 0;
  int64_t global_step = 0;
  int64_t runtime = 0, onchip = 0;

  // Storage reused by every top step.
  PerTensor<BoxList> outer, fresh_union;
  BoxList leave_union, diff, fresh, leave, scratch, scratch2, entering, outer_enter;
  Tiles cur;

  StepRecord& rec = storage->rec;
  std::vector<Peer>& peers = storage->peers;
  std::vector<RowBlockRecord>& row_blocks = storage->row_blocks;
  for (RowBlockRecord& r : row_blocks) r.active = false;
  std::array<BoxList, 3> row_stretched;
  HistoryPart row_part;
  bool row_recording = false;
  std::vector<char>& seen_mask = storage->seen_mask;
  seen_mask.assign(num_slots, 0);
  std::vector<size_t> seen_pes;

  std::vector<Desc>& last_descs = storage->last_descs;  // D_prev: the level-0 step of the last top step
  Mask& last_busy = storage->last_busy;
  last_descs.clear();
  last_busy.clear();
  bool have_last = false;
  // prev_outer is the outer tile of last_descs (outer_of_last), or else of outer_descs
  // (outer_saved): top steps taken from classes move D_prev on without making its outer tile,
  // which `restore` then moves from the last one made rather than making it afresh.
  bool outer_of_last = false, outer_saved = false;
  std::vector<Desc>& outer_descs = storage->outer_descs;
  Mask& outer_busy = storage->outer_busy;
  auto leave_outer = [&]() {
    if (!outer_of_last) return;
    outer_descs = last_descs;
    outer_busy = last_busy;
    outer_saved = true;
    outer_of_last = false;
  };
  // Makes prev_outer the outer tile of last_descs: the saved one moved when last_descs is its
  // step moved by whole strides, else made from the sub-units' tiles.
  Tiles outer_tiles;
  auto sync_outer = [&]() {
    if (outer_of_last) return;
    Shift by;
    if (outer_saved && outer_busy == last_busy &&
        OuterMoved(sh, outer_descs, last_descs, last_busy, &by)) {
      MoveOuter(sh, by, &prev_outer);
    } else {
      OuterTiles(sh, last_descs, last_busy, &outer_tiles, &prev_outer, &scratch, &scratch2);
    }
    outer_of_last = true;
    outer_saved = false;
  };
  auto run_top_step = [&](const std::vector<Desc>& top_descs, const Mask& top_busy,
                          const TopRows& rows) {
    if (rows.Rows() == 0) return;
    rec.entering.clear();
    rec.leaving.clear();
    // The step's sets grow in lists of their own, merged as they grow, so that a long top step
    // (a whole output plane under one level-0 step) never tests against an unmerged history.
    rec.mac_boxes.clear();
    size_t rec_macs_merged = 0, entering_compacted = 0, leaving_compacted = 0;
    written_now.clear();
    written_now_merged = 0;
    std::fill(pe_busy_now.begin(), pe_busy_now.end(), 0);
    rec.pes.clear();
    rec.depth = 1;
    bool first_busy = false;  // some PE is busy for the first time
    // Outer tile: the union of the busy level-0 sub-units' tiles.
    // The outer tile: the last top step's moved, when this step is that one moved (an iteration
    // of a level-0 loop) by whole strides; else made from the sub-units' tiles.
    Shift outer_by;
    if (have_last && outer_of_last && last_busy == top_busy &&
        OuterMoved(sh, last_descs, top_descs, top_busy, &outer_by)) {
      for (Tensor x : kAllTensors) outer[x] = prev_outer[x];
      MoveOuter(sh, outer_by, &outer);
    } else {
      OuterTiles(sh, top_descs, top_busy, &cur, &outer, &scratch, &scratch2);
    }
    int64_t top_onchip = 0;
    // Global steps taken from row_rec leave the PEs' last tiles at those of `stale_row`.
    bool pes_stale = false;
    size_t stale_row = 0;
    auto restore_pes = [&]() {
      if (!pes_stale) return;
      pes_stale = false;
      for (size_t c = 0; c < rows.Copies(); ++c) {
        for (const StepTable::Entry& e : rows.table->Row(stale_row)) {
          const size_t u = rows.Slot(c, e);
          set_prev(u, rows.At(c, e));
        }
      }
    };
    for (RowRecord& r : row_recs) r.valid = false;
    next_row_rec = 0;
    // Runs of level-1 loops inside the top step: the argument of runs of outer loops (the blocks
    // of `on_block`), with rows for top steps, `written_now` for the sets that grow, and the
    // top step's own lists for the boxes.
    for (RowBlockRecord& r : row_blocks) r.active = false;
    row_recording = false;
    auto row_note = [&](int kind, const Box& b) {
      for (RowBlockRecord& r : row_blocks) {
        if (!r.active) continue;
        r.boxes[static_cast<size_t>(kind)].push_back(b);
        CompactWhenGrown(&r.boxes[static_cast<size_t>(kind)], &r.compacted[static_cast<size_t>(kind)]);
      }
    };
    // At row t, the start of block bs.block of a level-1 loop: takes the blocks after the
    // recorded one that are its translates; returns the rows taken.
    auto row_block = [&](const BlockStart& bs, size_t t) -> size_t {
      if (row_blocks.size() <= bs.loop) row_blocks.resize(bs.loop + 1);
      RowBlockRecord& br = row_blocks[bs.loop];
      Shift v;
      v.box = bs.shift;
      int64_t taken = 0;
      if (br.active && br.block == bs.block - 1 && bs.translates >= 1 && v.box[kR] == 0 &&
          v.box[kS] == 0 && v.box[kY] % sh.stride_y == 0 && v.box[kX] % sh.stride_x == 0) {
        v.yo = v.box[kY] / sh.stride_y;
        v.xo = v.box[kX] / sh.stride_x;
        for (BoxList& list : br.boxes) list = Compact(std::move(list));
        const BoxList& enter = br.boxes[0];
        const int readback = Meets(enter, written, written.size(), &br.sent_before);
        // All the blocks at once when every box stretches (see on_block), else one by one.
        const auto out_by = OutputShift(sh, v), mac_by = MacShift(v);
        const int64_t all = bs.translates;
        const Shift none;
        if (readback >= 0 && StretchAll(sh, enter, false, none, out_by, 1, all, &row_stretched[0]) &&
            Meets(row_stretched[0], written, written.size(), &written_now) == readback &&
            (readback == 1 || all < 2 || Apart(enter, br.boxes[1], out_by, -(all - 1), -1)) &&
            StretchAll(sh, br.boxes[1], false, none, out_by, 1, all, &row_stretched[1]) &&
            StretchAll(sh, br.boxes[2], true, none, mac_by, 1, all, &row_stretched[2])) {
          br.active = false;
          Append(&rec.entering, row_stretched[0]);
          for (const Box& b : row_stretched[1]) {
            rec.leaving.push_back(b);
            UnionBoxOutside(&written_now, written, b, &scratch, &scratch2);
          }
          MergeWhenGrown(&written_now, &written_now_merged, 16);
          AppendAllToSet(&rec.mac_boxes, row_stretched[2]);
          MergeWhenGrown(&rec.mac_boxes, &rec_macs_merged, 256);
          CompactWhenGrown(&rec.entering, &entering_compacted);
          CompactWhenGrown(&rec.leaving, &leaving_compacted);
          if (row_recording) {
            for (int kind = 0; kind < 3; ++kind) {
              for (const Box& b : row_stretched[static_cast<size_t>(kind)]) row_note(kind, b);
            }
          }
          taken = all;
        }
        const bool one_by_one = taken == 0;
        if (one_by_one) row_part.Set(enter, written, &br.sent_before);
        for (int64_t j = 1; one_by_one && j <= bs.translates; ++j) {
          const Shift jv = Scaled(v, j);
          if (!row_part.Moves(sh, jv, written, &written_now, &moved_enter)) break;
          moved_enter.clear();
          for (const Box& b : enter) moved_enter.push_back(ShiftOutput(sh, b, jv));
          br.active = false;
          Append(&rec.entering, moved_enter);
          for (const Box& b : moved_enter) row_note(0, b);
          for (const Box& b : br.boxes[1]) {
            const Box mb = ShiftOutput(sh, b, jv);
            rec.leaving.push_back(mb);
            UnionBoxOutside(&written_now, written, mb, &scratch, &scratch2);
            row_note(1, mb);
          }
          MergeWhenGrown(&written_now, &written_now_merged, 16);
          for (const Box& b : br.boxes[2]) {
            const Box mb = ShiftMac(b, jv);
            AppendToSet(&rec.mac_boxes, mb);
            row_note(2, mb);
          }
          MergeWhenGrown(&rec.mac_boxes, &rec_macs_merged, 256);
          CompactWhenGrown(&rec.entering, &entering_compacted);
          CompactWhenGrown(&rec.leaving, &leaving_compacted);
          taken = j;
        }
      }
      if (taken > 0) {
        const size_t n = t - br.start_row;
        for (Tensor x : kAllTensors) {
          out.ingress[x] += taken * (out.ingress[x] - br.ingress[x]);
          out.ingress_unicast[x] += taken * (out.ingress_unicast[x] - br.ingress_unicast[x]);
        }
        out.egress += taken * (out.egress - br.egress);
        out.egress_unicast += taken * (out.egress_unicast - br.egress_unicast);
        mac_sum += taken * (mac_sum - br.macs);
        global_step += taken * (global_step - br.steps);
        top_onchip += taken * (top_onchip - br.onchip);
        out.block_steps += taken * static_cast<int64_t>(n);
        // Each PE busy in the recorded block (all of them are busy in the blocks taken) ends
        // with its last tile there, moved by the blocks taken.
        const Shift kv = Scaled(v, taken);
        size_t left = rec.pes.size();
        seen_pes.clear();
        for (size_t r = t; r-- > br.start_row && left > 0;) {
          for (size_t c = 0; c < rows.Copies() && left > 0; ++c) {
            for (const StepTable::Entry& e : rows.table->Row(r)) {
              const size_t u = rows.Slot(c, e);
              if (seen_mask[u]) continue;
              seen_mask[u] = 1;
              seen_pes.push_back(u);
              set_prev(u, MovedDesc(rows.At(c, e), kv));
              has_prev[u] = true;
              --left;
            }
          }
        }
        for (size_t u : seen_pes) seen_mask[u] = 0;
        pes_stale = false;
        for (size_t l = bs.loop; l < row_blocks.size(); ++l) row_blocks[l].active = false;
        row_recording = false;
        for (const RowBlockRecord& r : row_blocks) row_recording |= r.active;
        return static_cast<size_t>(taken) * n;
      }
      br.active = bs.record;
      if (!br.active) return 0;
      br.block = bs.block;
      br.start_row = t;
      br.ingress = out.ingress;
      br.ingress_unicast = out.ingress_unicast;
      br.egress = out.egress;
      br.egress_unicast = out.egress_unicast;
      br.macs = mac_sum;
      br.steps = global_step;
      br.onchip = top_onchip;
      br.sent_before = written_now;
      for (BoxList& list : br.boxes) list.clear();
      br.compacted.fill(0);
      row_recording = true;
      return 0;
    };
    size_t next_block = 0;
    for (size_t t = 0; t < rows.Rows(); ++t) {
      // Blocks of level-1 loops that start at this row, outermost first.
      while (next_block < rows.blocks.size() && rows.blocks[next_block].row < t) ++next_block;
      size_t skip = 0;
      for (size_t bi = next_block; bi < rows.blocks.size() && rows.blocks[bi].row == t && skip == 0;
           ++bi) {
        skip = row_block(rows.blocks[bi].start, t);
      }
      if (skip > 0) {
        t += skip - 1;
        continue;
      }
      Shift v, w;
      const bool moved = t > 0 && rows.Moved(sh, t - 1, t, &v);
      const RowRecord* hit = nullptr;
      for (const RowRecord& r : row_recs) {
        if (moved && r.valid && SameShift(v, r.v) && rows.Moved(sh, r.row - 1, t - 1, &w)) {
          hit = &r;
          break;
        }
      }
      if (hit != nullptr) {
        // Step t's pairs are the record's moved by w: the same counts, provided its entering
        // outputs meet what was sent up before it as the record's did (all or none).
        const RowRecord& row_rec = *hit;
        moved_enter.clear();
        for (const Box& b : row_rec.entering) moved_enter.push_back(ShiftOutput(sh, b, w));
        if (Meets(moved_enter, written, written.size(), &written_now) ==
            row_rec.readback) {
          int64_t in_mc = 0, in_uc = 0;
          for (Tensor x : kAllTensors) {
            out.ingress[x] += row_rec.mc[x];
            out.ingress_unicast[x] += row_rec.uc[x];
            in_mc += row_rec.mc[x];
            in_uc += row_rec.uc[x];
          }
          out.egress += row_rec.eg_red;
          out.egress_unicast += row_rec.leave_sum;
          mac_sum += row_rec.macs;
          Append(&rec.entering, moved_enter);
          if (row_recording) {
            for (const Box& b : moved_enter) row_note(0, b);
          }
          for (const Box& b : row_rec.leaving) {
            const Box mb = ShiftOutput(sh, b, w);
            rec.leaving.push_back(mb);
            UnionBoxOutside(&written_now, written, mb, &scratch, &scratch2);
            if (row_recording) row_note(1, mb);
          }
          MergeWhenGrown(&written_now, &written_now_merged, 16);
          for (const Box& b : row_rec.mac_boxes) {
            const Box mb = ShiftMac(b, w);
            AppendToSet(&rec.mac_boxes, mb);
            if (row_recording) row_note(2, mb);
          }
          MergeWhenGrown(&rec.mac_boxes, &rec_macs_merged, 256);
          CompactWhenGrown(&rec.entering, &entering_compacted);
          CompactWhenGrown(&rec.leaving, &leaving_compacted);
          const int64_t in = options_.multicast ? in_mc : in_uc;
          const int64_t eg = options_.spatial_reduction ? row_rec.eg_red : row_rec.leave_sum;
          top_onchip += std::max({row_rec.compute, CeilDiv(in, noc_bw_), CeilDiv(eg, noc_bw_)});
          ++global_step;
          ++out.class_steps;
          pes_stale = true;
          stale_row = t;
          continue;
        }
      }
      restore_pes();
      const size_t enter_start = rec.entering.size();
      row_macs.clear();
      const int64_t macs_before_row = mac_sum;
      // Every PE's new elements and leaving outputs, as boxes that may overlap across PEs; the
      // unions are sized once per step (duplicates dropped, touching boxes merged, then a sweep)
      // rather than built box by box.
      for (Tensor x : kAllTensors) fresh_union[x].clear();
      leave_union.clear();
      PerTensor<int64_t> fresh_sum{};
      int64_t leave_sum = 0, compute = 0;
      // Copy 0's PEs are walked. A PE of another copy whose last descriptor is copy 0's PE's
      // before this step, moved by the copy's shift, has that PE's new and leaving elements and
      // MACs moved: only its entering outputs' read-backs (which meet the sent-up sets, not
      // moved) are computed again.
      const std::span<const StepTable::Entry> trow = rows.table->Row(t);
      if (peers.size() < trow.size()) peers.resize(trow.size());
      for (size_t copy = 0; copy < rows.Copies(); ++copy) {
      const Shift& wc = rows.shift[copy];
      // The copy's shift moves input boxes (rows and columns by whole strides).
      const bool copy_moves = Divides(sh.stride_y, wc.box[kY]) && Divides(sh.stride_x, wc.box[kX]);
      // The tensors the copy's shift leaves in place (a spatial loop over K leaves the input, one
      // over Y' or X' the weights, one over C the outputs): a moved PE's boxes of such a tensor
      // are its copy-0 peer's, so they add to the unicast sums but not to the unions.
      const PerTensor<bool> still = StillUnder(sh, wc);
      for (size_t i = 0; i < trow.size(); ++i) {
        const StepTable::Entry& e = trow[i];
        const size_t u = rows.Slot(copy, e);
        Peer& peer = peers[i];
        if (!pe_busy_now[u]) {
          pe_busy_now[u] = 1;
          rec.pes.push_back(static_cast<int32_t>(u));
          if (pe_last_top[u] < 0) {
            first_busy = true;
          } else {
            rec.depth = std::max(rec.depth, out.top_steps - pe_last_top[u]);
          }
        }
        const Desc d = rows.At(copy, e);
        if (copy > 0 && copy_moves && peer.movable && has_prev[u] == peer.had_prev &&
            (!has_prev[u] || IsMoved(prev_desc[u], peer.prev, wc))) {
          for (Tensor x : {Tensor::kInput, Tensor::kFilter}) {
            fresh_sum[x] += peer.fresh_size[x];
            if (still[x]) continue;
            for (size_t k = peer.fresh_begin[x]; k < peer.fresh_end[x]; ++k) {
              Box b = fresh_union[x][k];
              if (x == Tensor::kInput) {
                CADENZA_CHECK(ShiftInput(sh, &b, wc));
              } else {
                b = ShiftFilter(b, wc);
              }
              fresh_union[x].push_back(b);
            }
          }
          if (still[Tensor::kOutput]) {
            // Its entering outputs are the peer's, met against the same sent-up sets (which
            // change only after the step).
            fresh_sum[Tensor::kOutput] += peer.fresh_size[Tensor::kOutput];
          } else if (peer.enter_end > peer.enter_begin) {
            diff.clear();
            for (size_t k = peer.enter_begin; k < peer.enter_end; ++k) {
              diff.push_back(ShiftOutput(sh, rec.entering[k], wc));
            }
            Append(&rec.entering, diff);
            fresh.clear();
            AppendIntersection(diff, written, &fresh);
            AppendIntersection(diff, written_now, &fresh);
            fresh_sum[Tensor::kOutput] += Size(fresh);
            Append(&fresh_union[Tensor::kOutput], fresh);
          }
          leave_sum += peer.leave_size;
          for (size_t k = peer.leave_begin; k < peer.leave_end && !still[Tensor::kOutput]; ++k) {
            leave_union.push_back(ShiftOutput(sh, leave_union[k], wc));
          }
          mac_sum += peer.macs;
          AppendToSet(&row_macs, ShiftMac(peer.mac, wc));
          if (peer.changed) {
            set_prev(u, d);
            has_prev[u] = true;
          }
          continue;
        }
        const bool record = copy == 0;
        if (record) {
          peer.movable = rows.Copies() > 1;
          peer.had_prev = has_prev[u];
          if (has_prev[u]) peer.prev = prev_desc[u];
          peer.fresh_size = {};
          peer.enter_begin = rec.entering.size();
          peer.leave_begin = leave_union.size();
        }
        // A tensor whose projection of the box did not change has no new and no leaving
        // elements; most steps change one tensor only.
        PerTensor<bool> same{};
        if (has_prev[u]) {
          for (Tensor x : kAllTensors) same[x] = SameTile(sh, x, d, prev_desc[u]);
        }
        const bool changed = !(same[Tensor::kInput] && same[Tensor::kFilter] && same[Tensor::kOutput]);
        if (changed) MakeTilesInto(sh, d, &cur);
        for (Tensor x : kAllTensors) {
          if (record) peer.fresh_begin[x] = peer.fresh_end[x] = fresh_union[x].size();
          if (same[x]) continue;
          // Read in place rather than swapped: a vector's swap reloads the header just written
          // as one wide load, which stalls on the stores still in flight.
          const BoxList* added = &cur.t[x];
          if (has_prev[u]) {
            SubtractInto(cur.t[x], prev_tiles(u).t[x], &diff, &scratch);
            added = &diff;
          }
          const BoxList* fresh_part = added;
          if (x == Tensor::kOutput) {
            Append(&rec.entering, *added);
            fresh.clear();
            AppendIntersection(*added, written, &fresh);
            AppendIntersection(*added, written_now, &fresh);
            fresh_part = &fresh;
          }
          const int64_t fresh_size = Size(*fresh_part);
          fresh_sum[x] += fresh_size;
          if (record) peer.fresh_size[x] = fresh_size;
          Append(&fresh_union[x], *fresh_part);
          if (record) peer.fresh_end[x] = fresh_union[x].size();
          // New elements that are the whole tile (a PE's first) were sized just above.
          const int64_t tile_size = fresh_part == &cur.t[x] ? fresh_size : Size(cur.t[x]);
          out.l1_max[x] = std::max(out.l1_max[x], tile_size);
        }
        int64_t leave_size = 0;
        if (has_prev[u] && !same[Tensor::kOutput]) {
          SubtractInto(prev_tiles(u).t[Tensor::kOutput], cur.t[Tensor::kOutput], &leave, &scratch);
          leave_size = Size(leave);
          leave_sum += leave_size;
          Append(&leave_union, leave);
        }
        const int64_t macs = d.box[kN].Len() * d.box[kG].Len() * d.box[kK].Len() * d.box[kC].Len() *
                             d.yo.Len() * d.box[kR].Len() * d.xo.Len() * d.box[kS].Len();
        mac_sum += macs;
        compute = std::max(compute, CeilDiv(macs, lanes_));
        // Neighbouring PEs' MACs most often make one box: extended as they come.
        const Box mac = {d.box[kN], d.box[kG], d.box[kK], d.box[kC], d.yo, d.box[kR], d.xo, d.box[kS]};
        AppendToSet(&row_macs, mac);
        if (record) {
          peer.enter_end = rec.entering.size();
          peer.leave_end = leave_union.size();
          peer.leave_size = leave_size;
          peer.macs = macs;
          peer.mac = mac;
          peer.changed = changed;
        }
        if (changed) {
          std::swap(prev[u], cur);
          tiles_ok[u] = 1;
          prev_desc[u] = d;
          has_prev[u] = true;
        }
      }
      }
      // Whether this step can serve the steps after it: its entering outputs all or none sent up
      // before it (tested before its own leaving outputs join).
      int row_readback = -1;
      RowRecord* nr = nullptr;  // where this step records itself (a record of the same shift)
      // The PEs of one step usually tile a box between them: merged here, few dimensions vary.
      MergeAdjacent(&row_macs);
      AppendAllToSet(&rec.mac_boxes, row_macs);
      if (row_recording) {
        for (size_t i = enter_start; i < rec.entering.size(); ++i) row_note(0, rec.entering[i]);
        for (const Box& b : leave_union) row_note(1, b);
        for (const Box& b : row_macs) row_note(2, b);
      }
      if (moved) {
        for (RowRecord& r : row_recs) {
          if (r.valid && SameShift(r.v, v)) nr = &r;
        }
        if (nr == nullptr) {
          nr = &row_recs[next_row_rec];
          next_row_rec = (next_row_rec + 1) % row_recs.size();
        }
        nr->valid = false;
        nr->entering.assign(rec.entering.begin() + static_cast<std::ptrdiff_t>(enter_start),
                            rec.entering.end());
        nr->entering = Compact(std::move(nr->entering));
        row_readback = Meets(nr->entering, written, written.size(),
                             &written_now);
      }
      int64_t in_mc = 0, in_uc = 0;
      PerTensor<int64_t> row_mc{};
      for (Tensor x : kAllTensors) {
        const int64_t mc = OverlappingUnionSize(&fresh_union[x], /*keep=*/false);
        row_mc[x] = mc;
        out.ingress[x] += mc;
        out.ingress_unicast[x] += fresh_sum[x];
        in_mc += mc;
        in_uc += fresh_sum[x];
      }
      const int64_t eg_red = OverlappingUnionSize(&leave_union);
      out.egress += eg_red;
      out.egress_unicast += leave_sum;
      if (nr != nullptr && row_readback >= 0) {
        nr->valid = true;
        nr->row = t;
        nr->v = v;
        nr->readback = row_readback;
        nr->mc = row_mc;
        nr->uc = fresh_sum;
        nr->eg_red = eg_red;
        nr->leave_sum = leave_sum;
        nr->compute = compute;
        nr->macs = mac_sum - macs_before_row;
        nr->leaving = leave_union;
        nr->mac_boxes = row_macs;
      }
      if (!leave_union.empty()) {
        Append(&rec.leaving, leave_union);
        for (const Box& b : leave_union) {
          UnionBoxOutside(&written_now, written, b, &scratch, &scratch2);
        }
        MergeWhenGrown(&written_now, &written_now_merged, 16);
      }
      MergeWhenGrown(&rec.mac_boxes, &rec_macs_merged, 256);
      CompactWhenGrown(&rec.entering, &entering_compacted);
      CompactWhenGrown(&rec.leaving, &leaving_compacted);
      const int64_t in = options_.multicast ? in_mc : in_uc;
      const int64_t eg = options_.spatial_reduction ? eg_red : leave_sum;
      const int64_t delay = global_step == 0
                                ? CeilDiv(in, noc_bw_) + compute
                                : std::max({compute, CeilDiv(in, noc_bw_), CeilDiv(eg, noc_bw_)});
      top_onchip += delay;
      ++global_step;
    }
    restore_pes();
    // Every busy PE's last tile comes from one of the last `depth` top steps (the class's window).
    const bool may_found = out.top_steps > 0 && !first_busy && rec.depth <= kMaxWindow;
    for (int32_t u : rec.pes) pe_last_top[static_cast<size_t>(u)] = out.top_steps;
    AppendAllToSet(&mac_boxes, rec.mac_boxes);
    MergeWhenGrown(&mac_boxes, &merged_size, 256);
    // DRAM traffic of this top step against the previous outer tile.
    int64_t dram_in = 0;
    PerTensor<int64_t> outer_size{};
    for (Tensor x : kAllTensors) outer_size[x] = Size(outer[x]);
    for (Tensor x : {Tensor::kInput, Tensor::kFilter}) {
      const int64_t n = outer_size[x] - IntersectSize(outer[x], prev_outer[x]);
      out.dram_reads[x] += n;
      dram_in += n;
    }
    rec.outer_leave = Subtract(prev_outer[Tensor::kOutput], outer[Tensor::kOutput]);
    rec.outer_enter = Subtract(outer[Tensor::kOutput], prev_outer[Tensor::kOutput]);
    const int64_t read_back = IntersectSize(rec.outer_enter, dram_written);
    // Both lists are disjoint: the size of their meet says whether none, all or some of the
    // entering outputs were written (what Meets would find, without a second pass).
    const int64_t entering_size = Size(rec.outer_enter);
    rec.dram_readback = read_back == 0 ? 0 : read_back == entering_size ? 1 : -1;
    // The entering outputs against those sent up before the step, only for a step that may found
    // a class.
    rec.history_free = may_found && rec.dram_readback >= 0 &&
                       (rec.readback = Meets(rec.entering, written, written.size())) >= 0;
    Append(&written, written_now);
    MergeWhenGrown(&written, &written_merged, 16);
    out.dram_reads[Tensor::kOutput] += read_back;
    dram_in += read_back;
    const int64_t dram_out = Size(rec.outer_leave);
    out.dram_writes += dram_out;
    UnionInto(&dram_written, rec.outer_leave);
    MergeWhenGrown(&dram_written, &dram_written_merged, 16);
    for (Tensor x : kAllTensors) out.l2_max[x] = std::max(out.l2_max[x], outer_size[x]);
    runtime += out.top_steps == 0
                   ? CeilDiv(dram_in, offchip_bw_) + top_onchip
                   : std::max({top_onchip, CeilDiv(dram_in, offchip_bw_), CeilDiv(dram_out, offchip_bw_)});
    onchip += top_onchip;
    std::swap(prev_outer, outer);
    ++out.top_steps;
  };

  // The global steps of one level-0 step, as rows of PE descriptors.
  auto expand_top = [&](const std::vector<Desc>& descs, const Mask& busy) {
    top_pool.clear();
    top_table.Reset();
    ZipUnits(ctx, 0, descs, busy, &top_pool, &top_table);
  };
  // The same for a walked top step, as TopRows: the first busy sub-unit's rows only when every
  // busy sub-unit is it moved.
  TopRows& top_rows = storage->top_rows;
  top_rows.table = &top_table;
  top_rows.pool = &top_pool;
  // The level-0 descriptor whose expansion top_table and top_pool hold (expanded_valid): a parent
  // that is it moved, by whole strides of Y and X as ownership moves, has every descendant moved
  // the same way (positions are relative to the parent's intervals and clipped at its ends), so
  // its expansion is that one's moved, without expanding it again.
  Desc expanded_parent;
  bool expanded_valid = false;
  auto expand_walked = [&](const std::vector<Desc>& descs, const Mask& busy) {
    top_rows.base.clear();
    top_rows.shift.clear();
    top_rows.shifted = false;
    if (ctx.levels.size() > 1) {
      size_t first = 0;
      while (first < busy.size() && !busy[first]) ++first;
      bool translates = first < busy.size();
      const int32_t width = static_cast<int32_t>(ctx.width[1]);
      for (size_t u = first; u < busy.size() && translates; ++u) {
        if (!busy[u]) continue;
        Shift w;
        translates = TranslateOf(sh, descs[u], descs[first], &w);
        top_rows.base.push_back(static_cast<int32_t>(u) * width);
        top_rows.shift.push_back(w);
      }
      if (translates) {
        Shift m;
        if (expanded_valid && TranslateOf(sh, descs[first], expanded_parent, &m)) {
          for (Desc& d : top_pool) d = MovedDesc(d, m);
        } else {
          top_pool.clear();
          if (all_taps_whole) {
            ExpandRecordingBlocks(ctx, 1, descs[first], &top_pool, &top_table, &top_rows.blocks);
          } else {
            Expand(ctx, 1, descs[first], &top_pool, &top_table);
            top_rows.blocks.clear();
          }
        }
        expanded_parent = descs[first];
        expanded_valid = true;
        top_rows.shifted = top_rows.base.size() > 1;
        return;
      }
      top_rows.base.clear();
      top_rows.shift.clear();
    }
    expand_top(descs, busy);
    expanded_valid = false;
    top_rows.blocks.clear();
    top_rows.base.push_back(0);
    top_rows.shift.push_back(Shift{});
  };

  std::vector<std::unique_ptr<TopClass>>& classes = storage->classes;
  size_t& num_classes = storage->num_classes;
  num_classes = 0;
  size_t next_class = 0;
  std::vector<char>& restored = storage->restored;
  bool stale = false;  // top steps were taken from classes: PE tiles and outer tile not yet updated
  // The distinct sets of PEs busy in a class's step (few: one per class at most), with a mask
  // each, so that steps taken from classes book their PEs per set, not per PE.
  std::vector<std::vector<int32_t>>& pe_sets = storage->pe_sets;
  std::vector<Mask>& pe_set_masks = storage->pe_set_masks;
  size_t& num_pe_sets = storage->num_pe_sets;
  num_pe_sets = 0;
  auto intern_pe_set = [&](const std::vector<int32_t>& busy_pes) {
    std::vector<int32_t>& pes = storage->pe_set_scratch;
    pes.assign(busy_pes.begin(), busy_pes.end());
    std::sort(pes.begin(), pes.end());
    // The most recent sets only: a set stored twice is harmless, a long search is not.
    for (size_t i = num_pe_sets > 64 ? num_pe_sets - 64 : 0; i < num_pe_sets; ++i) {
      if (pe_sets[i] == pes) return static_cast<int>(i);
    }
    if (pe_sets.size() == num_pe_sets) {
      pe_sets.emplace_back();
      pe_set_masks.emplace_back();
    }
    pe_sets[num_pe_sets].swap(pes);
    Mask& mask = pe_set_masks[num_pe_sets];
    mask.assign(static_cast<size_t>(num_pe_slots), 0);
    for (int32_t u : pe_sets[num_pe_sets]) mask[static_cast<size_t>(u)] = 1;
    return static_cast<int>(num_pe_sets++);
  };
  // Since the last walked step, the PE sets that steps taken from classes kept busy, each with
  // the last such step (their PEs' tiles are stale until `restore`).
  std::vector<StaleSet>& stale_sets = storage->stale_sets;
  stale_sets.clear();
  std::vector<char>& touched = storage->touched;
  touched.assign(num_slots, 0);

  // Runs of outer loops. For each level-0 loop outside the innermost one that moves, a record of
  // its current block (the loop at one iteration, the loops inside it through all of theirs):
  // the counters at its start, what had been sent up and written to DRAM before it, and the
  // boxes it produced. At the start of the next block the record is complete; when the blocks
  // around it are translates of each other (BlockStart), the blocks after it are this one moved
  // (docs/exact-model.md, "Runs of outer loops").
  std::vector<BlockRecord>& blocks = storage->blocks;
  for (BlockRecord& br : blocks) br.active = false;
  bool recording = false;  // some record is active
  auto note = [&](BoxKind kind, const Box& b) {
    for (BlockRecord& br : blocks) {
      if (!br.active) continue;
      br.boxes[kind].push_back(b);
      CompactWhenGrown(&br.boxes[kind], &br.compacted[kind]);
    }
  };
  auto note_all = [&](BoxKind kind, const BoxList& list) {
    for (BlockRecord& br : blocks) {
      if (!br.active) continue;
      Append(&br.boxes[kind], list);
      CompactWhenGrown(&br.boxes[kind], &br.compacted[kind]);
    }
  };

  // The last kRing top steps' level-0 steps (walked or taken from classes), by top-step index:
  // a level-0 step moved by `shift` (the steps of one loop run share one copy).
  struct TopRec {
    int64_t index = -1;
    std::shared_ptr<const LevelStep> step;
    Shift shift;
    Desc At(size_t u) const { return MovedDesc(step->descs[u], shift); }
  };
  std::array<TopRec, kRing> ring;
  auto ring_at = [&](int64_t index) -> const TopRec* {
    if (index < 0) return nullptr;
    const TopRec& r = ring[static_cast<size_t>(index % kRing)];
    return r.index == index ? &r : nullptr;
  };
  auto set_ring = [&](int64_t index, std::shared_ptr<const LevelStep> step, const Shift& shift) {
    TopRec& r = ring[static_cast<size_t>(index % kRing)];
    r.index = index;
    r.step = std::move(step);
    r.shift = shift;
  };
  // Records the last top step taken; returns its copy for the steps of a run to share.
  auto push_ring = [&](const std::vector<Desc>& step_descs, const Mask& step_busy) {
    std::shared_ptr<LevelStep> step = storage->NewLevelStep(step_descs, step_busy);
    set_ring(out.top_steps - 1, step, Shift{});
    return std::shared_ptr<const LevelStep>(std::move(step));
  };
  std::vector<Desc>& ring_descs = storage->ring_descs;

  // After top steps taken from classes, each PE they kept busy holds the tile of its last busy
  // step among them. Those steps are expanded newest first, a PE set once, until every such PE
  // is set; the ring reaches back far enough (reuse checks it, `ring_covers`).
  auto restore = [&]() {
    if (!stale) return;
    stale = false;
    restored.assign(static_cast<size_t>(num_pe_slots), 0);
    std::fill(touched.begin(), touched.end(), 0);
    size_t left = 0;
    // Oldest first, so that each PE ends with the last step that kept it busy.
    std::sort(stale_sets.begin(), stale_sets.end(),
              [](const StaleSet& a, const StaleSet& b) { return a.last < b.last; });
    for (const StaleSet& e : stale_sets) {
      for (int32_t u : pe_sets[static_cast<size_t>(e.set)]) {
        pe_last_top[static_cast<size_t>(u)] = e.last;
        if (!touched[static_cast<size_t>(u)]) {
          touched[static_cast<size_t>(u)] = 1;
          ++left;
        }
      }
    }
    stale_sets.clear();
    for (int64_t index = out.top_steps - 1; left > 0; --index) {
      CADENZA_CHECK(index > out.top_steps - 1 - kRing);
      const TopRec* r = ring_at(index);
      CADENZA_CHECK(r != nullptr);
      ring_descs.resize(r->step->descs.size());
      for (size_t u = 0; u < ring_descs.size(); ++u) {
        if (r->step->busy[u]) ring_descs[u] = r->At(u);
      }
      expand_walked(ring_descs, r->step->busy);
      for (size_t t = top_rows.Rows(); t-- > 0;) {
        for (size_t c = 0; c < top_rows.Copies(); ++c) {
          for (const StepTable::Entry& e : top_table.Row(t)) {
            const size_t u = top_rows.Slot(c, e);
            if (restored[u]) continue;
            restored[u] = 1;
            if (touched[u]) --left;
            set_prev(u, top_rows.At(c, e));
          }
        }
      }
    }
    sync_outer();
  };

  // Whether, after class c's PEs are busy in top step `last`, every PE kept busy by steps taken
  // from classes since the last walked one still has its last busy step among the ring's.
  // A set booked longer ago than the ring reaches is fine only if c's PEs include it (they are
  // then booked again, at `last`); `touch` drops such sets.
  auto ring_covers = [&](const TopClass& c, int64_t last) {
    const std::vector<char>& mask = pe_set_masks[static_cast<size_t>(c.pe_set)];
    for (const StaleSet& e : stale_sets) {
      if (e.set == c.pe_set || e.last > last - kRing) continue;
      for (int32_t u : pe_sets[static_cast<size_t>(e.set)]) {
        if (!mask[static_cast<size_t>(u)]) return false;
      }
    }
    return true;
  };
  // Books class c's PEs as busy up to top step `last` (their tiles now stale).
  auto touch = [&](const TopClass& c, int64_t last) {
    bool found = false;
    for (StaleSet& e : stale_sets) {
      if (e.set == c.pe_set) {
        e.last = last;
        found = true;
      }
    }
    if (!found) stale_sets.push_back({c.pe_set, last});
    // Sets c's PEs include that the ring no longer reaches: their PEs were just booked again.
    const std::vector<char>& mask = pe_set_masks[static_cast<size_t>(c.pe_set)];
    stale_sets.erase(std::remove_if(stale_sets.begin(), stale_sets.end(),
                                    [&](const StaleSet& e) {
                                      if (e.set == c.pe_set || e.last > last - kRing) return false;
                                      for (int32_t u : pe_sets[static_cast<size_t>(e.set)]) {
                                        if (!mask[static_cast<size_t>(u)]) return false;
                                      }
                                      return true;
                                    }),
                     stale_sets.end());
  };
  // Whether the top steps before D_prev are c's window moved by v.
  auto window_matches = [&](const TopClass& c, const Shift& v) {
    for (size_t j = 0; j < c.window; ++j) {
      const TopRec* r = ring_at(out.top_steps - 2 - static_cast<int64_t>(j));
      if (r == nullptr || r->step->busy != c.older_busy[j]) return false;
      for (size_t u = 0; u < c.older_busy[j].size(); ++u) {
        if (c.older_busy[j][u] && !IsMoved(r->At(u), c.older[j][u], v)) return false;
      }
    }
    return true;
  };
  // Applies class c's counts once per j in [j0, j1]: the top steps whose pairs are c's moved by
  // v + j * c.step (by `out_by`, `mac_by` per j in the output and MAC spaces). Their leaving,
  // written-back and MAC boxes are c's, moved and stretched (Stretch succeeded for each).
  auto apply_class = [&](const TopClass& c, const Shift& v, const std::array<int64_t, kD>& out_by,
                         const std::array<int64_t, kD>& mac_by, int64_t j0, int64_t j1) {
    const int64_t times = j1 - j0 + 1;
    for (Tensor x : kAllTensors) {
      out.ingress[x] += times * c.ingress[x];
      out.ingress_unicast[x] += times * c.ingress_unicast[x];
      out.dram_reads[x] += times * c.dram_reads[x];
    }
    out.egress += times * c.egress;
    out.egress_unicast += times * c.egress_unicast;
    out.dram_writes += times * c.dram_writes;
    mac_sum += times * c.macs;
    global_step += times * c.steps;
    onchip += times * c.onchip;
    runtime += times * c.runtime;
    out.top_steps += times;
    out.class_top_steps += times;
    if (c.window > 0) out.window_top_steps += times;
    Box sb;
    if (recording) {
      for (const Box& b : c.entering) {
        Stretch(ShiftOutput(sh, b, v), out_by, j0, j1, &sb);
        note(kEnter, sb);
      }
      for (const Box& b : c.outer_enter) {
        Stretch(ShiftOutput(sh, b, v), out_by, j0, j1, &sb);
        note(kOuterEnter, sb);
      }
    }
    for (const Box& b : c.leaving) {
      Stretch(ShiftOutput(sh, b, v), out_by, j0, j1, &sb);
      UnionBoxInto(&written, sb, &scratch, &scratch2);
      if (recording) note(kLeave, sb);
    }
    MergeWhenGrown(&written, &written_merged, 16);
    for (const Box& b : c.outer_leave) {
      Stretch(ShiftOutput(sh, b, v), out_by, j0, j1, &sb);
      UnionBoxInto(&dram_written, sb, &scratch, &scratch2);
      if (recording) note(kOuterLeave, sb);
    }
    MergeWhenGrown(&dram_written, &dram_written_merged, 16);
    for (const Box& b : c.mac_boxes) {
      Stretch(ShiftMac(b, v), mac_by, j0, j1, &sb);
      AppendToSet(&mac_boxes, sb);
      if (recording) note(kMacs, sb);
    }
    MergeWhenGrown(&mac_boxes, &merged_size, 256);
  };
  auto stretch_all = [&](const BoxList& from, bool mac, const Shift& v,
                         const std::array<int64_t, kD>& by, int64_t j0, int64_t j1, BoxList* to) {
    return StretchAll(sh, from, mac, v, by, j0, j1, to);
  };
  BoxList moved_boxes;
  HistoryPart sent_part, dram_part;
  std::array<BoxList, kNumBoxKinds> block_stretched;
  auto on_block = [&](const BlockStart& bs) -> int64_t {
    if (blocks.size() <= bs.loop) blocks.resize(bs.loop + 1);
    BlockRecord& br = blocks[bs.loop];
    int64_t taken = 0;
    Shift v;
    v.box = bs.shift;
    const bool moves = level0_taps_whole && bs.translates >= 1 && br.active &&
                       br.block == bs.block - 1 && v.box[kR] == 0 && v.box[kS] == 0 &&
                       v.box[kY] % sh.stride_y == 0 && v.box[kX] % sh.stride_x == 0;
    if (moves) {
      v.yo = v.box[kY] / sh.stride_y;
      v.xo = v.box[kX] / sh.stride_x;
      for (BoxList& list : br.boxes) list = Compact(std::move(list));
      const BoxList& enter = br.boxes[kEnter];
      const BoxList& outer_in = br.boxes[kOuterEnter];
      // The recorded block's entering outputs were all or none sent up (written to DRAM) before
      // it; each block taken must see the same.
      const int readback = Meets(enter, br.written_before, br.written_before.size());
      const int dram_readback = Meets(outer_in, br.dram_written_before, br.dram_written_before.size());
      // All the blocks at once when every box stays one box stretched along the shift (as loop
      // runs do): the entering outputs of block j against the sets before the run and against
      // the blocks before j; otherwise block by block below.
      const auto out_by = OutputShift(sh, v), mac_by = MacShift(v);
      const int64_t all = bs.translates;
      const Shift none;
      if (readback >= 0 && dram_readback >= 0 &&
          StretchAll(sh, enter, false, none, out_by, 1, all, &block_stretched[kEnter]) &&
          Meets(block_stretched[kEnter], written, written.size()) == readback &&
          (readback == 1 || all < 2 || Apart(enter, br.boxes[kLeave], out_by, -(all - 1), -1)) &&
          StretchAll(sh, outer_in, false, none, out_by, 1, all, &block_stretched[kOuterEnter]) &&
          Meets(block_stretched[kOuterEnter], dram_written, dram_written.size()) == dram_readback &&
          (dram_readback == 1 || all < 2 ||
           Apart(outer_in, br.boxes[kOuterLeave], out_by, -(all - 1), -1)) &&
          StretchAll(sh, br.boxes[kLeave], false, none, out_by, 1, all, &block_stretched[kLeave]) &&
          StretchAll(sh, br.boxes[kOuterLeave], false, none, out_by, 1, all,
                     &block_stretched[kOuterLeave]) &&
          StretchAll(sh, br.boxes[kMacs], true, none, mac_by, 1, all, &block_stretched[kMacs])) {
        br.active = false;
        for (const Box& b : block_stretched[kLeave]) UnionBoxInto(&written, b, &scratch, &scratch2);
        MergeWhenGrown(&written, &written_merged, 16);
        for (const Box& b : block_stretched[kOuterLeave]) UnionBoxInto(&dram_written, b, &scratch, &scratch2);
        MergeWhenGrown(&dram_written, &dram_written_merged, 16);
        AppendAllToSet(&mac_boxes, block_stretched[kMacs]);
        MergeWhenGrown(&mac_boxes, &merged_size, 256);
        if (recording) {
          for (BoxKind kind : {kEnter, kLeave, kOuterEnter, kOuterLeave, kMacs}) {
            note_all(kind, block_stretched[kind]);
          }
        }
        taken = all;
      }
      if (taken == 0) {
        sent_part.Set(enter, br.written_before, nullptr);
        dram_part.Set(outer_in, br.dram_written_before, nullptr);
        for (int64_t j = 1; j <= bs.translates; ++j) {
          const Shift jv = Scaled(v, j);
          if (!sent_part.Moves(sh, jv, written, nullptr, &moved_boxes) ||
              !dram_part.Moves(sh, jv, dram_written, nullptr, &moved_boxes)) {
            break;
          }
          // Block bs.block - 1 + j is taken: its boxes join the history (and the records of the
          // loops outside this one, which are recording).
          br.active = false;
          for (const Box& b : br.boxes[kLeave]) {
            UnionBoxInto(&written, ShiftOutput(sh, b, jv), &scratch, &scratch2);
          }
          MergeWhenGrown(&written, &written_merged, 16);
          for (const Box& b : br.boxes[kOuterLeave]) {
            UnionBoxInto(&dram_written, ShiftOutput(sh, b, jv), &scratch, &scratch2);
          }
          MergeWhenGrown(&dram_written, &dram_written_merged, 16);
          for (const Box& b : br.boxes[kMacs]) AppendToSet(&mac_boxes, ShiftMac(b, jv));
          MergeWhenGrown(&mac_boxes, &merged_size, 256);
          if (recording) {
            for (BoxKind kind : {kEnter, kLeave, kOuterEnter, kOuterLeave}) {
              for (const Box& b : br.boxes[kind]) note(kind, ShiftOutput(sh, b, jv));
            }
            for (const Box& b : br.boxes[kMacs]) note(kMacs, ShiftMac(b, jv));
          }
          taken = j;
        }
      }
    }
    if (taken > 0) {
      // Make the PEs' tiles concrete at the end of the recorded block, then move the machine's
      // state by `taken` blocks: every PE busy in it, the last level-0 step, the outer tile and
      // the ring of recent level-0 steps.
      restore();
      const int64_t n = out.top_steps - br.start_top;
      // Blocks without a top step (every sub-unit idle in them: an edge position that owns no
      // output) change nothing; the last top step is still the one before them, so the machine's
      // state must not move.
      if (n == 0) {
        for (size_t l = bs.loop; l < blocks.size(); ++l) blocks[l].active = false;
        recording = false;
        for (const BlockRecord& b : blocks) recording |= b.active;
        return taken;
      }
      for (Tensor x : kAllTensors) {
        out.ingress[x] += taken * (out.ingress[x] - br.counts.ingress[x]);
        out.ingress_unicast[x] += taken * (out.ingress_unicast[x] - br.counts.ingress_unicast[x]);
        out.dram_reads[x] += taken * (out.dram_reads[x] - br.counts.dram_reads[x]);
      }
      out.egress += taken * (out.egress - br.counts.egress);
      out.egress_unicast += taken * (out.egress_unicast - br.counts.egress_unicast);
      out.dram_writes += taken * (out.dram_writes - br.counts.dram_writes);
      mac_sum += taken * (mac_sum - br.macs);
      global_step += taken * (global_step - br.steps);
      onchip += taken * (onchip - br.onchip);
      runtime += taken * (runtime - br.runtime);
      out.top_steps += taken * n;
      out.block_top_steps += taken * n;
      const Shift kv = Scaled(v, taken);
      for (size_t u = 0; u < prev.size(); ++u) {
        if (!has_prev[u] || pe_last_top[u] < br.start_top) continue;
        set_prev(u, MovedDesc(prev_desc[u], kv));
        pe_last_top[u] += taken * n;
      }
      leave_outer();
      for (size_t u = 0; u < last_descs.size(); ++u) {
        if (last_busy[u]) last_descs[u] = MovedDesc(last_descs[u], kv);
      }
      sync_outer();
      // The ring's steps of the recorded block and the one before it are those of the last
      // blocks taken, moved; older ones are not known any more.
      const std::array<TopRec, kRing> old_ring = ring;
      for (TopRec& r : ring) r.index = -1;
      for (const TopRec& r : old_ring) {
        if (r.index < br.start_top - n) continue;
        Shift moved = r.shift;
        for (size_t i = 0; i < kNumM; ++i) moved.box[i] += kv.box[i];
        moved.yo += kv.yo;
        moved.xo += kv.xo;
        set_ring(r.index + taken * n, r.step, moved);
      }
      // The loops inside this one start their blocks afresh.
      for (size_t l = bs.loop; l < blocks.size(); ++l) blocks[l].active = false;
      recording = false;
      for (const BlockRecord& b : blocks) recording |= b.active;
      return taken;
    }
    // Start recording this block, if a record of it can serve.
    br.active = bs.record;
    if (!br.active) return 0;
    br.block = bs.block;
    br.start_top = out.top_steps;
    br.counts = out;
    br.macs = mac_sum;
    br.steps = global_step;
    br.onchip = onchip;
    br.runtime = runtime;
    br.written_before = written;
    br.dram_written_before = dram_written;
    for (BoxList& list : br.boxes) list.clear();
    br.compacted.fill(0);
    recording = true;
    return 0;
  };

  std::vector<Desc>& ahead_descs = storage->ahead_descs;
  Mask& ahead_busy = storage->ahead_busy;
  BoxList stretched;
  const std::array<int64_t, kD> no_shift{};

  ForEachLevelStep(ctx, 0, root, [&](const std::vector<Desc>& descs, const Mask& busy,
                                     int64_t remaining, auto& peek) -> int64_t {
    if (have_last) {
      for (size_t ci = 0; ci < num_classes; ++ci) {
        TopClass& c = *classes[ci];
        Shift v;
        if (!MatchClass(sh, c, last_descs, last_busy, descs, busy, &v) ||
            !window_matches(c, v)) {
          continue;
        }
        FinishClass(sh, &c);
        if (!ring_covers(c, out.top_steps)) break;  // restore while the ring still reaches back
        entering.clear();
        for (const Box& b : c.entering) entering.push_back(ShiftOutput(sh, b, v));
        outer_enter.clear();
        for (const Box& b : c.outer_enter) outer_enter.push_back(ShiftOutput(sh, b, v));
        if (Meets(entering, written, written.size()) != c.readback ||
            Meets(outer_enter, dram_written, dram_written.size()) !=
                c.dram_readback) {
          continue;  // another class may hold the same pair under the other read-back condition
        }
        touch(c, out.top_steps);
        apply_class(c, v, no_shift, no_shift, 0, 0);
        leave_outer();
        last_descs = descs;
        last_busy = busy;
        const std::shared_ptr<const LevelStep> taken = push_ring(descs, busy);
        stale = true;
        if (!c.uniform) return 0;
        // The rest of the innermost loop: the next k steps are this class moved by j * c.step
        // (j = 1..k) when the k-th is (its intervals move linearly and are clipped at neither
        // end, so none between is) and the read-back conditions hold for all of them at once.
        const auto out_by = OutputShift(sh, c.step), mac_by = MacShift(c.step);
        for (int64_t k = remaining; k >= 1 && k + 2 > remaining; --k) {
          if (!peek(k, ahead_descs, ahead_busy)) continue;
          if (ahead_busy != busy) continue;
          const Shift kw = Scaled(c.step, k);
          bool moved = true;
          for (size_t u = 0; u < busy.size() && moved; ++u) {
            moved = !busy[u] || IsMoved(ahead_descs[u], descs[u], kw);
          }
          if (!moved) continue;
          // Entering outputs against what was sent up (written) before and during the run.
          if (!stretch_all(c.entering, false, v, out_by, 1, k, &stretched) ||
              Meets(stretched, written, written.size()) != c.readback ||
              (c.readback == 0 && k >= 2 && !Apart(c.entering, c.leaving, out_by, -(k - 1), -1))) {
            return 0;
          }
          if (!stretch_all(c.outer_enter, false, v, out_by, 1, k, &stretched) ||
              Meets(stretched, dram_written, dram_written.size()) !=
                  c.dram_readback ||
              (c.dram_readback == 0 && k >= 2 &&
               !Apart(c.outer_enter, c.outer_leave, out_by, -(k - 1), -1))) {
            return 0;
          }
          if (!stretch_all(c.leaving, false, v, out_by, 1, k, &stretched) ||
              !stretch_all(c.outer_leave, false, v, out_by, 1, k, &stretched) ||
              !stretch_all(c.mac_boxes, true, v, mac_by, 1, k, &stretched) ||
              !ring_covers(c, out.top_steps + k - 1)) {
            return 0;
          }
          touch(c, out.top_steps + k - 1);
          const int64_t first_index = out.top_steps;
          apply_class(c, v, out_by, mac_by, 1, k);
          // The ring gets the run's last steps: the step moved by j steps of the loop.
          for (int64_t j = std::max<int64_t>(1, k - kRing + 1); j <= k; ++j) {
            set_ring(first_index + j - 1, taken, Scaled(c.step, j));
          }
          leave_outer();
          last_descs = ahead_descs;
          last_busy = ahead_busy;
          return k;
        }
        return 0;
      }
    }
    restore();
    expand_walked(descs, busy);
    if (top_rows.Rows() == 0) return 0;  // no top step: D_prev stays the last one that was
    const ExactCounts before = out;
    const int64_t macs_before = mac_sum, steps_before = global_step, onchip_before = onchip,
                  runtime_before = runtime;
    run_top_step(descs, busy, top_rows);
    if (recording) {
      note_all(kEnter, rec.entering);
      note_all(kLeave, rec.leaving);
      note_all(kOuterEnter, rec.outer_enter);
      note_all(kOuterLeave, rec.outer_leave);
      note_all(kMacs, rec.mac_boxes);
    }
    if (have_last && rec.history_free) {
      // Made in the spare class, which joins the classes (or not) by swapping storage.
      TopClass& c = *storage->spare_class;
      c.window = 0;
      // D_prev becomes this step next (below): its storage changes hands instead of being copied.
      c.prev.swap(last_descs);
      c.prev_busy.swap(last_busy);
      c.cur = descs;
      c.cur_busy = busy;
      for (Tensor x : kAllTensors) {
        c.ingress[x] = out.ingress[x] - before.ingress[x];
        c.ingress_unicast[x] = out.ingress_unicast[x] - before.ingress_unicast[x];
        c.dram_reads[x] = out.dram_reads[x] - before.dram_reads[x];
      }
      c.egress = out.egress - before.egress;
      c.egress_unicast = out.egress_unicast - before.egress_unicast;
      c.dram_writes = out.dram_writes - before.dram_writes;
      c.macs = mac_sum - macs_before;
      c.steps = global_step - steps_before;
      c.onchip = onchip - onchip_before;
      c.runtime = runtime - runtime_before;
      // The step's lists are the class's (rec's are cleared before they are used again).
      c.entering.swap(rec.entering);
      c.leaving.swap(rec.leaving);
      c.outer_enter.swap(rec.outer_enter);
      c.outer_leave.swap(rec.outer_leave);
      c.mac_boxes.swap(rec.mac_boxes);
      c.readback = rec.readback;
      c.dram_readback = rec.dram_readback;
      c.finished = false;
      c.pe_set = intern_pe_set(rec.pes);
      // The walked step has index top_steps - 1 and D_prev top_steps - 2.
      bool window_known = true;
      for (int64_t j = 0; j + 1 < rec.depth && window_known; ++j) {
        const TopRec* r = ring_at(out.top_steps - 3 - j);
        // After whole blocks were taken, the ring holds only their translates' steps.
        if (r == nullptr) {
          window_known = false;
          break;
        }
        if (c.older.size() == c.window) {
          c.older.emplace_back();
          c.older_busy.emplace_back();
        }
        std::vector<Desc>& window_descs = c.older[c.window];
        window_descs.resize(r->step->descs.size());
        for (size_t u = 0; u < r->step->descs.size(); ++u) {
          if (r->step->busy[u]) window_descs[u] = r->At(u);
        }
        c.older_busy[c.window] = r->step->busy;
        ++c.window;
      }
      if (!window_known) {
        // no class: its window is not known
      } else if (num_classes < kMaxClasses) {
        if (classes.size() == num_classes) classes.push_back(std::make_unique<TopClass>());
        classes[num_classes++].swap(storage->spare_class);
      } else {
        classes[next_class].swap(storage->spare_class);
        next_class = (next_class + 1) % kMaxClasses;
      }
    }
    last_descs = descs;
    last_busy = busy;
    outer_of_last = true;  // run_top_step left this step's outer tile in prev_outer
    outer_saved = false;
    push_ring(descs, busy);
    have_last = true;
    return 0;
  }, on_block);
  restore();

  out.steps = global_step;
  // Final flush: every PE's last output tile goes up, the last outer tile's outputs to DRAM.
  BoxList flush_union;
  int64_t flush_sum = 0;
  for (size_t u = 0; u < prev.size(); ++u) {
    if (!has_prev[u]) continue;
    flush_sum += Size(prev_tiles(u).t[Tensor::kOutput]);
    UnionInto(&flush_union, prev_tiles(u).t[Tensor::kOutput]);
  }
  const int64_t flush_red = Size(flush_union);
  out.egress += flush_red;
  out.egress_unicast += flush_sum;
  const int64_t flush = options_.spatial_reduction ? flush_red : flush_sum;
  const int64_t last_outputs = Size(prev_outer[Tensor::kOutput]);
  out.dram_writes += last_outputs;
  out.runtime_cycles = runtime + CeilDiv(flush, noc_bw_) + CeilDiv(last_outputs, offchip_bw_);
  out.onchip_cycles = onchip + CeilDiv(flush, noc_bw_);
  out.macs = mac_sum;
  for (Tensor x : kAllTensors) {
    out.l1_elements += 2 * out.l1_max[x];
    out.l2_elements += 2 * out.l2_max[x];
  }
  // Coverage: every MAC exactly once.
  MergeAdjacent(&mac_boxes);
  const int64_t covered = UnionVolume(mac_boxes, 0);
  out.missing_macs = total_macs_ - covered;
  out.extra_macs = mac_sum - covered;
  out.legal = out.missing_macs == 0 && out.extra_macs == 0;
  return out;
}

// ------------------------------------------------------------------------------------------------
// Bounds for the search (docs/exact-model.md, "Bounds for the search"). L2 holds exactly the
// current outer tile, so DRAM traffic is a sum over consecutive busy top steps of the elements new
// to the outer tile. When every axis of the machine (N, G, K, C, the rows R x Y, the columns
// S x X) is moved by at most one level-0 loop, the outer tile is a product of per-axis sets, each
// set by one loop's index, and the sum over the odometer factors into per-loop sums.

namespace {

// A set of integers along one axis of one tensor: (key, interval) pairs, sorted and merged per
// key. Input rows use the row's residue modulo the stride as key (row = quotient * stride +
// residue, as RowPieces gives them); every other set has key 0.
using AxisSet = std::vector<std::pair<int64_t, Iv>>;

void Normalize(AxisSet* set) {
  if (set->size() <= 1) {
    if (!set->empty() && set->front().second.Len() == 0) set->clear();
    return;
  }
  std::sort(set->begin(), set->end());
  size_t w = 0;
  for (const auto& p : *set) {
    if (p.second.Len() == 0) continue;
    if (w > 0 && (*set)[w - 1].first == p.first && (*set)[w - 1].second.hi >= p.second.lo) {
      (*set)[w - 1].second.hi = std::max((*set)[w - 1].second.hi, p.second.hi);
    } else {
      (*set)[w++] = p;
    }
  }
  set->resize(w);
}

// A set's elements, or a list of sets' one (a span of their storage).
using AxisSetView = std::span<const std::pair<int64_t, Iv>>;

int64_t SetSize(AxisSetView set) {
  int64_t n = 0;
  for (const auto& p : set) n += p.second.Len();
  return n;
}

int64_t SetMeet(AxisSetView a, AxisSetView b) {
  if (a.size() == 1 && b.size() == 1) {  // most axes: one interval each
    if (a[0].first != b[0].first) return 0;
    return std::max<int64_t>(0, std::min(a[0].second.hi, b[0].second.hi) -
                                    std::max(a[0].second.lo, b[0].second.lo));
  }
  int64_t n = 0;
  size_t j = 0;
  for (const auto& p : a) {
    while (j < b.size() && (b[j].first < p.first ||
                            (b[j].first == p.first && b[j].second.hi <= p.second.lo))) {
      ++j;
    }
    for (size_t k = j; k < b.size() && b[k].first == p.first && b[k].second.lo < p.second.hi; ++k) {
      n += std::max<int64_t>(0, std::min(p.second.hi, b[k].second.hi) -
                                    std::max(p.second.lo, b[k].second.lo));
    }
  }
  return n;
}

__extension__ typedef __int128 WideCount;  // sums of products of set sizes

enum Axis : int { kAxisN, kAxisG, kAxisK, kAxisC, kAxisRows, kAxisCols, kNumAxes };

Axis AxisOf(int dim) {
  switch (dim) {
    case kN: return kAxisN;
    case kG: return kAxisG;
    case kK: return kAxisK;
    case kC: return kAxisC;
    case kR: case kY: return kAxisRows;
    default: return kAxisCols;
  }
}

// One axis's sets of the three tensors at one loop position.
struct AxisSets {
  PerTensor<AxisSet> t;
};

// An axis the tensor does not have: a factor of 1 (a key of its own, so that no tile equals it).
const AxisSet kWhole = {{-1, Iv{0, 1}}};

// Adds to *sets the tiles along `axis` of a busy sub-unit `d`, unless it owns no output along
// it; returns whether it owns some.
bool AddDescAxisSets(const ExactModel::Shape& sh, Axis axis, const Desc& d, AxisSets* sets) {
  const std::array<Iv, kNumM>& box = d.box;
  auto add = [&](Tensor x, Iv iv) { sets->t[x].push_back({0, iv}); };
  auto whole = [&](Tensor x) { sets->t[x] = kWhole; };
  switch (axis) {
    case kAxisN:
      add(Tensor::kInput, box[kN]);
      whole(Tensor::kFilter);
      add(Tensor::kOutput, box[kN]);
      return true;
    case kAxisG:
      for (Tensor x : kAllTensors) add(x, box[kG]);
      return true;
    case kAxisK:
      whole(Tensor::kInput);
      add(Tensor::kFilter, box[kK]);
      if (sh.depthwise) whole(Tensor::kOutput); else add(Tensor::kOutput, box[kK]);
      return true;
    case kAxisC:
      add(Tensor::kInput, box[kC]);
      add(Tensor::kFilter, box[kC]);
      if (sh.depthwise) add(Tensor::kOutput, box[kC]); else whole(Tensor::kOutput);
      return true;
    case kAxisRows:
    case kAxisCols: {
      const bool rows = axis == kAxisRows;
      const Iv owned = rows ? d.yo : d.xo, taps = box[rows ? kR : kS];
      if (owned.Len() == 0) return false;
      std::vector<std::pair<Iv, Iv>> pieces;
      RowPieces(owned, taps, rows ? sh.stride_y : sh.stride_x,
                rows ? sh.dilation_y : sh.dilation_x, &pieces);
      for (const auto& [residue, quotients] : pieces) {
        sets->t[Tensor::kInput].push_back({residue.lo, quotients});
      }
      add(Tensor::kFilter, taps);
      add(Tensor::kOutput, owned);
      return true;
    }
    default: return false;
  }
}

// AddDescAxisSets for a level-0 box (under `root`).
bool AddAxisSets(const ExactModel::Shape& sh, const Desc& root, Axis axis,
                 const std::array<Iv, kNumM>& box, AxisSets* sets) {
  Desc d;
  MakeDesc(sh, box, root, &d);
  return AddDescAxisSets(sh, axis, d, sets);
}

// At most how many PEs ever execute a MAC. A sub-unit u of a level works only where each of the
// level's SpatialMaps has a u-th position in its parent's interval (position u + f * units at
// fold f exists only if position u does), and a parent interval has the most positions when it
// is longest; a sub-unit's interval along a dimension is no longer than its parent's nor than
// the size of a directive that sets it.
int64_t ActivePes(const Context& ctx, const Desc& root) {
  std::array<int64_t, kNumM> longest;
  for (size_t d = 0; d < kNumM; ++d) longest[d] = root.box[d].Len();
  int64_t active = 1;
  for (const Level& level : ctx.levels) {
    int64_t busy = level.units;
    std::array<int64_t, kNumM> next = longest;
    std::array<bool, kNumM> set{};
    for (const LevelDir& d : level.dirs) {
      const size_t dim = static_cast<size_t>(d.dim);
      if (d.spatial) busy = std::min(busy, PositionCount(d.size, d.offset, Span(0, longest[dim])));
      // Two directives on one dimension: the longer of their intervals.
      const int64_t len = std::min(d.size, longest[dim]);
      next[dim] = set[dim] ? std::max(next[dim], len) : len;
      set[dim] = true;
    }
    active *= std::max<int64_t>(busy, 1);
    longest = next;
  }
  return active;
}

// Per bucket of one axis (one combination of the PE's indices at the levels whose SpatialMap is
// on the axis): sums over the PE's states along the axis (PeCounts).
struct Series {
  PerTensor<WideCount> size{}, held{};
  std::vector<PerTensor<WideCount>> run, advance;  // by the depth of the axis's loop
  WideCount macs = 0;
  // The steps of one loop class (PeCounts' on-chip bound), by the depth of the axis's loop: of
  // consecutive states first differing there, the sizes of the state after (enter) and before
  // (leave) and the MACs after; of runs of states sharing their indices above it, the sizes of
  // each run's first and last state and the MACs of its first.
  std::vector<PerTensor<WideCount>> enter, leave, run_first, run_last;
  std::vector<WideCount> enter_macs, run_first_macs;

  // Zero sums for an axis with `depth` loops.
  void Reset(size_t depth) {
    run.assign(depth + 1, PerTensor<WideCount>{});
    advance.assign(depth, PerTensor<WideCount>{});
    enter.assign(depth, PerTensor<WideCount>{});
    leave.assign(depth, PerTensor<WideCount>{});
    run_first.assign(depth + 1, PerTensor<WideCount>{});
    run_last.assign(depth + 1, PerTensor<WideCount>{});
    enter_macs.assign(depth, 0);
    run_first_macs.assign(depth + 1, 0);
  }
};

// One axis's buckets, with their sums and maxima; a function of the layer and of the axis's
// directives (and the units of the levels where one is a SpatialMap) only, so candidates that
// differ elsewhere share it (ExactModel::BoundCache).
struct AxisSeries {
  std::vector<Series> buckets;
  Series all;  // summed over the buckets
  PerTensor<WideCount> held_sum{}, held_most{};
  PerTensor<WideCount> set_most{};  // the largest set of any bucket's state
  WideCount most_macs = 0;
  // The first bucket whose states' sets of the tensor are the largest in sum, and the first
  // whose MACs are the most.
  PerTensor<size_t> largest{};
  size_t busiest = 0;
  PerTensor<bool> apart{};  // the axis's SpatialMaps split the tensor's own interval apart
  // Every bucket's states have the same loop indices in the same order: PEs that differ only
  // along the axis are busy at the same global steps, each after the same loop advanced.
  bool aligned = true;
};

// Level 0's loops along one axis, for LowerBound's closed form of DRAM traffic: the axis's sets of
// each tensor at the busy positions of the one loop that moves it (one position when none does),
// summed (total), met by the next position's (advance), the last's met by the first's (wrap),
// united, and the first's and last's. A function of the layer and of the level-0 directives on
// the axis (and the level's units when one of them is the SpatialMap) only, so candidates share
// it.
struct TopAxis {
  bool product = true;  // at most one loop moves the axis
  bool idle = false;    // no busy position: no top step does anything
  int moving_dim = -1;  // the dimension of the loop that moves the axis (-1: none)
  PerTensor<WideCount> first{}, last{}, total{}, advance{}, wrap{}, united{};
};

}  // namespace

// The per-axis series of the bounds already computed for this layer, by key (PeCounts, and
// TopAxisOf for level 0): the search bounds every candidate, and most share their axes' loops
// with others.
struct ExactModel::BoundCache {
  template <class T>
  using Map = std::unordered_map<std::string, std::shared_ptr<const T>>;
  std::mutex mutex;
  Map<AxisSeries> axes;
  Map<TopAxis> top_axes;

  // What `map` keeps under `key`, or null.
  template <class T>
  std::shared_ptr<const T> Find(const Map<T>& map, const std::string& key) {
    const std::lock_guard<std::mutex> lock(mutex);
    const auto it = map.find(key);
    return it == map.end() ? nullptr : it->second;
  }
  template <class T>
  void Keep(Map<T>* map, std::string key, std::shared_ptr<const T> value) {
    const std::lock_guard<std::mutex> lock(mutex);
    map->emplace(std::move(key), std::move(value));
  }
};

std::shared_ptr<ExactModel::BoundCache> NewBoundCache() { return std::make_shared<ExactModel::BoundCache>(); }

namespace {

// Appends to a cache key the level's directives on `axis` (and its units when one of them is
// the SpatialMap), after a separator.
void AppendAxisKey(const Level& level, Axis axis, std::string* key) {
  auto put = [key](int64_t v) { key->append(reinterpret_cast<const char*>(&v), sizeof v); };
  put(-1);
  for (const LevelDir& d : level.dirs) {
    if (AxisOf(d.dim) != axis) continue;
    put(d.dim);
    put(d.size);
    put(d.offset);
    put(d.spatial ? level.units : 0);
  }
}

// What the PEs' tiles do over all their steps, summed or maximised over PEs (PeCounts).
struct PeSums {
  PerTensor<WideCount> held{};       // sum over PEs of the elements in some tile of the PE
  PerTensor<WideCount> most_held{};  // the most such elements of one PE
  // The largest tile of one PE at one step: every combination of the axes' states occurs, so
  // it is the product over axes of their largest sets.
  PerTensor<WideCount> most_tile{};
  WideCount max_macs = 0;            // the most MACs one PE executes
  // Sum over PEs of the elements entering the PE's tiles, step by step: for input and weight
  // what the PEs receive unicast, for outputs what they send up unicast (final flush included).
  PerTensor<WideCount> entering{};
  // The most, over sets of PEs whose tiles of the tensor are apart at every step, of the sum of
  // their entering elements; and for outputs of their entering minus held ones (re-entries).
  PerTensor<WideCount> entering_apart{};
  WideCount reentering_apart = 0;
  // Cycles the global steps and the final flush take at least (<= ExactCounts::onchip_cycles):
  // of one PE, per class of its steps (those after its nest's loop m advanced), the longest of the
  // class's MACs over the lanes and its transfers (input and weight entering, outputs leaving,
  // with those of the PEs stepping together with it) over the NoC bandwidth, summed over
  // classes, with its first step and the last output tiles' flush.
  WideCount onchip_cycles = 0;
};

// What the PEs' tiles touch and how often elements enter them, PE by PE. False when some level
// has more than one SpatialMap (its sub-units would move two axes together).
//
// Each level's sub-units advance its loops in lock step and its one SpatialMap gives sub-unit u
// the positions u, u + units, ...; so a PE (one sub-unit index per level) runs, along each axis,
// every combination of that axis's positions at every level, with the positions of the levels
// whose SpatialMap is on the axis fixed by the PE's index there, and every combination of the
// axes' positions occurs. Its MACs over all steps are then the product over axes of the union
// along each axis, and so are the tiles it ever holds; a PE is idle along an axis (owns no
// output row) at some positions only, and at all of them when its union is empty.
//
// The PE's busy steps are then the product over axes of each axis's busy states, in the order
// of the flattened nest (level 0's loops outermost, each level's first directive outermost), and
// a tile is the product over axes of its axis sets. Elements entering, summed over the busy
// steps t, are sum |P_t| - |P_t n P_(t-1)|; a step where loop m advanced meets the one before it
// in the product of: along m's axis, the last state before and the first after the advance
// under the same outer indices; along every other axis, the last and first states under the
// same outer indices (its inner loops wrap). Summed over the steps where m advances, that is a
// product over axes of per-axis sums (the level-0 DRAM formula of LowerBound, over every level):
//   entering = prod_a S_a - sum_m (prod_(a != axis m) W_a(m)) * V_(axis m)(m),
// S_a the sum of the axis's set sizes over its states, W_a(m) over runs of states sharing their
// indices of a's loops outside m of |last n first|, V_a(m) over consecutive states first differing
// at loop m of |before n after|. Sums over a product of sets of PEs are products of sums.
//
// Multicast and reduction: the tiles of PEs whose indices first differ at a level whose
// SpatialMap splits one of the tensor's N, G, K, C intervals into disjoint pieces are apart at
// every step (the level's sub-units take positions of one fold at once, and deeper levels only
// divide them). A step's union of new elements (leaving outputs) is then at least the sum over
// such a set of PEs; and an output entering a PE again after leaving it is a read-back.
bool PeCounts(const ExactModel::Shape& sh, const Context& ctx, int64_t lanes, int64_t noc_bw,
              ExactOptions options, ExactModel::BoundCache& cache, PeSums* out) {
  using Wide = WideCount;
  for (const Level& level : ctx.levels) {
    if (std::count_if(level.dirs.begin(), level.dirs.end(), [](const LevelDir& d) { return d.spatial; }) != 1) {
      return false;
    }
  }
  const Desc root = RootDesc(sh);
  *out = PeSums{};
  out->held = out->most_held = out->most_tile = PerTensor<Wide>{1, 1, 1};
  out->max_macs = 1;
  // The flattened nest's loops: per loop its axis and how many loops of each axis precede it.
  struct NestLoop {
    Axis axis;
    std::array<size_t, kNumAxes> before;
  };
  std::vector<NestLoop> nest;
  std::array<size_t, kNumAxes> depth{};
  for (const Level& level : ctx.levels) {
    for (const LevelDir& d : level.dirs) {
      nest.push_back({AxisOf(d.dim), depth});
      ++depth[AxisOf(d.dim)];
    }
  }
  std::array<std::shared_ptr<const AxisSeries>, kNumAxes> axis_series;
  PerTensor<std::array<bool, kNumAxes>> apart{};
  // The states of one axis, in the nest's order, every bucket's together: their loop indices
  // (depth per state), bucket, MACs along the axis, and per tensor their sets one after another.
  // Kept per thread: the search computes a bound for every candidate.
  struct LevelLoops {
    std::vector<std::pair<const LevelDir*, std::vector<Iv>>> loops;
    std::vector<size_t> at;
  };
  struct States {
    std::vector<LevelLoops> per_level;
    std::vector<int64_t> index;
    std::vector<int64_t> bucket;
    std::vector<Wide> macs;
    PerTensor<AxisSet> items;
    PerTensor<std::vector<size_t>> begin;
    std::vector<size_t> order;  // grouped by bucket, each bucket in the nest's order
    std::vector<size_t> first_of, next, shared;
    std::vector<int64_t> path;
    AxisSets leaf;
    AxisSet united;
  };
  thread_local States st;
  if (st.per_level.size() < ctx.levels.size()) st.per_level.resize(ctx.levels.size());
  for (int a = 0; a < kNumAxes; ++a) {
    const Axis axis = static_cast<Axis>(a);
    const size_t loops_of_axis = depth[a];
    int64_t buckets = 1;
    bool disjoint = true;
    for (const Level& level : ctx.levels) {
      for (const LevelDir& d : level.dirs) {
        if (d.spatial && AxisOf(d.dim) == axis) {
          buckets *= level.units;
          disjoint = disjoint && d.offset >= d.size;
        }
      }
    }
    const bool direct = axis == kAxisN || axis == kAxisG || axis == kAxisK || axis == kAxisC;
    // The key: the axis and, level by level, its directives.
    std::string cache_key(1, static_cast<char>(a));
    for (const Level& level : ctx.levels) AppendAxisKey(level, axis, &cache_key);
    std::shared_ptr<const AxisSeries>& found = axis_series[a];
    found = cache.Find(cache.axes, cache_key);
    if (found == nullptr) {
      auto computed = std::make_shared<AxisSeries>();
      st.index.clear();
      st.bucket.clear();
      st.macs.clear();
      for (Tensor x : kAllTensors) {
        st.items[x].clear();
        st.begin[x].assign(1, 0);
      }
      std::vector<int64_t>& index = st.path;
      index.clear();
      // Depth-first over the levels, with the axis's loops of each level in full, in the nest's
      // order (a level's last directive fastest).
      auto visit = [&](auto&& self, size_t lv, const Desc& parent, int64_t key) -> void {
        if (lv == ctx.levels.size()) {
          for (Tensor x : kAllTensors) st.leaf.t[x].clear();
          AddDescAxisSets(sh, axis, parent, &st.leaf);
          for (Tensor x : kAllTensors) {
            Normalize(&st.leaf.t[x]);
            st.items[x].insert(st.items[x].end(), st.leaf.t[x].begin(), st.leaf.t[x].end());
            st.begin[x].push_back(st.items[x].size());
          }
          st.index.insert(st.index.end(), index.begin(), index.end());
          st.bucket.push_back(key);
          // The MACs along the axis: (y', r) or (x', s) pairs, else one dimension's interval. A
          // legal mapping runs no MAC twice, so a PE's MACs are the product over axes of their
          // sums over its states.
          if (axis == kAxisRows) {
            st.macs.push_back(static_cast<Wide>(parent.yo.Len()) * parent.box[kR].Len());
          } else if (axis == kAxisCols) {
            st.macs.push_back(static_cast<Wide>(parent.xo.Len()) * parent.box[kS].Len());
          } else {
            const int dim = axis == kAxisN ? kN : axis == kAxisG ? kG : axis == kAxisK ? kK : kC;
            st.macs.push_back(parent.box[static_cast<size_t>(dim)].Len());
          }
          return;
        }
        const Level& level = ctx.levels[lv];
        // The axis's directives at this level, each with its positions (storage per level: the
        // recursion uses one per level at a time).
        LevelLoops& here = st.per_level[lv];
        std::vector<std::pair<const LevelDir*, std::vector<Iv>>>& loops = here.loops;
        size_t n = 0;
        for (const LevelDir& d : level.dirs) {
          if (AxisOf(d.dim) != axis) continue;
          if (loops.size() <= n) loops.emplace_back();
          loops[n].first = &d;
          Positions(d.size, d.offset, parent.box[static_cast<size_t>(d.dim)], &loops[n].second);
          if (loops[n].second.empty()) return;
          ++n;
        }
        loops.resize(n);
        std::vector<size_t>& at = here.at;
        at.assign(n, 0);
        const size_t depth_before = index.size();
        for (;;) {
          std::array<Iv, kNumM> box = parent.box;
          int64_t child_key = key;
          index.resize(depth_before);
          for (size_t i = 0; i < loops.size(); ++i) {
            box[static_cast<size_t>(loops[i].first->dim)] = loops[i].second[at[i]];
            const int64_t j = static_cast<int64_t>(at[i]);
            if (loops[i].first->spatial) {
              child_key = key * level.units + j % level.units;
              index.push_back(j / level.units);  // the fold
            } else {
              index.push_back(j);
            }
          }
          Desc child;
          MakeDesc(sh, box, parent, &child);
          const bool idle = (axis == kAxisRows && child.yo.Len() == 0) ||
                            (axis == kAxisCols && child.xo.Len() == 0);
          if (!idle) self(self, lv + 1, child, child_key);
          // The next combination, the last loop fastest.
          size_t i = loops.size();
          for (;;) {
            if (i == 0) {
              index.resize(depth_before);
              return;
            }
            --i;
            if (++at[i] < loops[i].second.size()) break;
            at[i] = 0;
          }
        }
      };
      visit(visit, 0, root, 0);
      const size_t states = st.bucket.size();
      // The states grouped by bucket (a counting sort keeps each bucket's in the nest's order).
      std::vector<size_t>& first_of = st.first_of;
      first_of.assign(static_cast<size_t>(buckets) + 1, 0);
      for (int64_t k : st.bucket) ++first_of[static_cast<size_t>(k) + 1];
      for (size_t k = 0; k < static_cast<size_t>(buckets); ++k) first_of[k + 1] += first_of[k];
      st.order.resize(states);
      {
        std::vector<size_t>& next = st.next;
        next.assign(first_of.begin(), first_of.end() - 1);
        for (size_t i = 0; i < states; ++i) st.order[next[static_cast<size_t>(st.bucket[i])]++] = i;
      }
      auto set_of = [&](Tensor x, size_t leaf) {
        return AxisSetView(st.items[x].data() + st.begin[x][leaf],
                           st.begin[x][leaf + 1] - st.begin[x][leaf]);
      };
      PerTensor<Wide> sum{}, most{};
      Wide most_macs = 0;
      computed->buckets.resize(static_cast<size_t>(buckets));
      std::vector<size_t>& shared = st.shared;
      for (size_t k = 0; k < static_cast<size_t>(buckets); ++k) {
        Series& ser = computed->buckets[k];
        ser.Reset(loops_of_axis);
        const std::span<const size_t> leaves(st.order.data() + first_of[k], first_of[k + 1] - first_of[k]);
        if (leaves.empty()) continue;
        // How many leading indices a state shares with the one before it.
        shared.assign(leaves.size(), 0);
        for (size_t i = 1; i < leaves.size(); ++i) {
          const int64_t* u = st.index.data() + leaves[i - 1] * loops_of_axis;
          const int64_t* v = st.index.data() + leaves[i] * loops_of_axis;
          size_t c = 0;
          while (c < loops_of_axis && u[c] == v[c]) ++c;
          shared[i] = c;
        }
        for (size_t leaf : leaves) ser.macs += st.macs[leaf];
        most_macs = std::max(most_macs, ser.macs);
        ser.run_first_macs[loops_of_axis] = ser.macs;
        for (size_t i = 1; i < leaves.size(); ++i) {
          if (shared[i] < loops_of_axis) ser.enter_macs[shared[i]] += st.macs[leaves[i]];
        }
        for (size_t d = 0; d < loops_of_axis; ++d) {
          for (size_t i = 0; i < leaves.size(); ++i) {
            if (i == 0 || shared[i] < d) ser.run_first_macs[d] += st.macs[leaves[i]];
          }
        }
        for (Tensor x : kAllTensors) {
          st.united.clear();
          for (size_t i = 0; i < leaves.size(); ++i) {
            const auto set = set_of(x, leaves[i]);
            st.united.insert(st.united.end(), set.begin(), set.end());
            ser.size[x] += SetSize(set);
            computed->set_most[x] = std::max<Wide>(computed->set_most[x], SetSize(set));
            if (i > 0 && shared[i] < loops_of_axis) {
              ser.advance[shared[i]][x] += SetMeet(set_of(x, leaves[i - 1]), set);
              ser.enter[shared[i]][x] += SetSize(set);
              ser.leave[shared[i]][x] += SetSize(set_of(x, leaves[i - 1]));
            }
          }
          Normalize(&st.united);
          ser.held[x] = SetSize(st.united);
          sum[x] += ser.held[x];
          most[x] = std::max<Wide>(most[x], ser.held[x]);
          // At full depth every run is one state, which meets itself in its size.
          ser.run[loops_of_axis][x] = ser.size[x];
          ser.run_first[loops_of_axis][x] = ser.run_last[loops_of_axis][x] = ser.size[x];
          for (size_t d = 0; d < loops_of_axis; ++d) {
            size_t first = 0;
            for (size_t i = 1; i <= leaves.size(); ++i) {
              if (i < leaves.size() && shared[i] >= d) continue;
              ser.run[d][x] += SetMeet(set_of(x, leaves[i - 1]), set_of(x, leaves[first]));
              ser.run_first[d][x] += SetSize(set_of(x, leaves[first]));
              ser.run_last[d][x] += SetSize(set_of(x, leaves[i - 1]));
              first = i;
            }
          }
        }
      }
      for (Tensor x : kAllTensors) {
        computed->held_sum[x] = sum[x];
        computed->held_most[x] = most[x];
        // Apart along the axis when its SpatialMaps split the tensor's own interval (the tensor
        // has the axis: its sets are not the whole factor).
        const bool has_axis =
            states > 0 && !std::equal(set_of(x, 0).begin(), set_of(x, 0).end(), kWhole.begin(), kWhole.end());
        computed->apart[x] = direct && disjoint && has_axis;
      }
      computed->most_macs = most_macs;
      for (size_t k = 1; k < computed->buckets.size(); ++k) {
        const std::vector<Series>& b = computed->buckets;
        for (Tensor x : kAllTensors) {
          if (b[k].size[x] > b[computed->largest[x]].size[x]) computed->largest[x] = k;
        }
        if (b[k].macs > b[computed->busiest].macs) computed->busiest = k;
      }
      for (size_t k = 1; k < static_cast<size_t>(buckets) && computed->aligned; ++k) {
        const size_t n0 = first_of[1] - first_of[0];
        if (first_of[k + 1] - first_of[k] != n0) {
          computed->aligned = false;
          break;
        }
        for (size_t i = 0; i < n0 && computed->aligned; ++i) {
          const int64_t* u = st.index.data() + st.order[first_of[0] + i] * loops_of_axis;
          const int64_t* v = st.index.data() + st.order[first_of[k] + i] * loops_of_axis;
          computed->aligned = std::equal(u, u + loops_of_axis, v);
        }
      }
      Series& all = computed->all;
      all.Reset(loops_of_axis);
      for (const Series& one : computed->buckets) {
        for (Tensor x : kAllTensors) {
          all.size[x] += one.size[x];
          all.held[x] += one.held[x];
          for (size_t d = 0; d <= loops_of_axis; ++d) {
            all.run[d][x] += one.run[d][x];
            all.run_first[d][x] += one.run_first[d][x];
            all.run_last[d][x] += one.run_last[d][x];
          }
          for (size_t d = 0; d < loops_of_axis; ++d) {
            all.advance[d][x] += one.advance[d][x];
            all.enter[d][x] += one.enter[d][x];
            all.leave[d][x] += one.leave[d][x];
          }
        }
      }
      found = computed;
      cache.Keep(&cache.axes, std::move(cache_key), found);
    }
    for (Tensor x : kAllTensors) {
      out->held[x] *= found->held_sum[x];
      out->most_held[x] *= found->held_most[x];
      out->most_tile[x] *= found->set_most[x];
      apart[x][a] = found->apart[x];
    }
    out->max_macs *= found->most_macs;
  }
  // Entering (and held) elements of tensor x over a product of sets of buckets: pick[a] one
  // bucket of axis a, or -1 for all of them.
  auto entering_of = [&](Tensor x, const std::array<int64_t, kNumAxes>& pick, Wide* held) {
    auto of = [&](int a) -> const Series& {
      return pick[a] < 0 ? axis_series[a]->all : axis_series[a]->buckets[static_cast<size_t>(pick[a])];
    };
    Wide all = 1;
    *held = 1;
    for (int a = 0; a < kNumAxes; ++a) {
      all *= of(a).size[x];
      *held *= of(a).held[x];
    }
    Wide met = 0;
    for (const NestLoop& m : nest) {
      Wide term = of(m.axis).advance[m.before[m.axis]][x];
      for (int a = 0; a < kNumAxes && term != 0; ++a) {
        if (a != m.axis) term *= of(a).run[m.before[a]][x];
      }
      met += term;
    }
    return all - met;
  };
  for (Tensor x : kAllTensors) {
    std::array<int64_t, kNumAxes> pick;
    pick.fill(-1);
    Wide held = 0;
    out->entering[x] = entering_of(x, pick, &held);
    // Along each axis on which the tensor's tiles may meet, one bucket: the first, or the one
    // whose states hold the most (any choice gives a set of PEs apart from each other).
    // Every combination of those choices, over the axes where the two differ.
    std::array<int, kNumAxes> vary;
    int num_vary = 0;
    for (int a = 0; a < kNumAxes; ++a) {
      pick[a] = apart[x][a] ? -1 : 0;
      if (!apart[x][a] && axis_series[a]->largest[x] != 0) vary[num_vary++] = a;
    }
    for (int c = 0; c < (1 << num_vary); ++c) {
      for (int i = 0; i < num_vary; ++i) {
        pick[vary[i]] = (c >> i) & 1 ? static_cast<int64_t>(axis_series[vary[i]]->largest[x]) : 0;
      }
      const Wide e = entering_of(x, pick, &held);
      out->entering_apart[x] = std::max(out->entering_apart[x], e);
      if (x == Tensor::kOutput) out->reentering_apart = std::max(out->reentering_apart, e - held);
    }
  }
  // The on-chip cycles of one PE p (a bucket per axis) and of the PEs whose transfers add to its
  // at each of its steps: every global step lasts at least the compute of each of its PEs and
  // the transfers of all of them. After loop m advanced, m's axis is at a state first differing
  // from the one before at m's depth, and every other axis at the first state of a run sharing
  // its indices of the loops outside m, the one before at the run's last state; so the class's
  // MACs, tile sizes and meets are products of per-axis sums, as in entering_of. The transfers of
  // a tensor count, along an aligned axis (its PEs step together), every bucket when the PEs'
  // transfers add up (no multicast or reduction for the tensor) or their tiles are apart there.
  const PerTensor<bool> summed{!options.multicast, !options.multicast, !options.spatial_reduction};
  auto onchip_of = [&](const std::array<size_t, kNumAxes>& pick) -> Wide {
    auto of = [&](int a) -> const Series& { return axis_series[a]->buckets[pick[a]]; };
    auto of_tensor = [&](int a, Tensor x) -> const Series& {
      const AxisSeries& series = *axis_series[a];
      return series.aligned && (summed[x] || apart[x][a]) ? series.all : series.buckets[pick[a]];
    };
    for (int a = 0; a < kNumAxes; ++a) {
      if (of(a).macs == 0) return 0;  // an idle PE
    }
    auto ceil_div = [](Wide a, int64_t b) { return (a + b - 1) / b; };
    Wide first_macs = 1, last_out = 1;
    PerTensor<Wide> first_tile{1, 1, 1};
    for (int a = 0; a < kNumAxes; ++a) {
      first_macs *= of(a).run_first_macs[0];
      for (Tensor x : kAllTensors) first_tile[x] *= of_tensor(a, x).run_first[0][x];
      last_out *= of_tensor(a, Tensor::kOutput).run_last[0][Tensor::kOutput];
    }
    Wide cycles = std::max(ceil_div(first_macs, lanes),
                           ceil_div(first_tile[Tensor::kInput] + first_tile[Tensor::kFilter], noc_bw));
    for (const NestLoop& m : nest) {
      const size_t d = m.before[m.axis];
      Wide macs = of(m.axis).enter_macs[d];
      for (int a = 0; a < kNumAxes && macs != 0; ++a) {
        if (a != m.axis) macs *= of(a).run_first_macs[m.before[a]];
      }
      if (macs == 0) continue;  // the loop never advances for this PE
      PerTensor<Wide> enter{}, leave{}, met{};
      for (Tensor x : kAllTensors) {
        const Series& own = of_tensor(m.axis, x);
        enter[x] = own.enter[d][x];
        leave[x] = own.leave[d][x];
        met[x] = own.advance[d][x];
        for (int a = 0; a < kNumAxes; ++a) {
          if (a == m.axis) continue;
          const Series& other = of_tensor(a, x);
          const size_t k = m.before[a];
          enter[x] *= other.run_first[k][x];
          leave[x] *= other.run_last[k][x];
          met[x] *= other.run[k][x];
        }
      }
      const Wide in = enter[Tensor::kInput] - met[Tensor::kInput] + enter[Tensor::kFilter] -
                      met[Tensor::kFilter];
      const Wide leaving = leave[Tensor::kOutput] - met[Tensor::kOutput];
      cycles += std::max({ceil_div(macs, lanes), ceil_div(in, noc_bw), ceil_div(leaving, noc_bw)});
    }
    // The final flush sends the PEs' last output tiles up.
    return cycles + ceil_div(last_out, noc_bw);
  };
  // The PE of every axis's first bucket, and the one of its busiest.
  std::array<size_t, kNumAxes> first{}, busiest{};
  for (int a = 0; a < kNumAxes; ++a) busiest[a] = axis_series[a]->busiest;
  out->onchip_cycles = std::max(onchip_of(first), onchip_of(busiest));
  return true;
}


// Level 0's loops along `axis` (TopAxis), from the cache when another candidate had them. The
// level has at most one SpatialMap; its fold loop runs its positions `units` at a time, the
// sub-units' sets united and the idle ones left out.
std::shared_ptr<const TopAxis> TopAxisOf(const ExactModel::Shape& sh, const Desc& root,
                                         const Level& level, Axis axis,
                                         ExactModel::BoundCache& cache) {
  std::string key(1, static_cast<char>(axis));
  AppendAxisKey(level, axis, &key);
  if (std::shared_ptr<const TopAxis> found = cache.Find(cache.top_axes, key)) return found;
  auto computed = std::make_shared<TopAxis>();
  TopAxis& t = *computed;
  // Every loop on the axis at its first position (the fold's sub-units aside), and the one that
  // moves it: a TemporalMap with more than one position, or the fold with more than one fold.
  std::array<Iv, kNumM> base = root.box;
  const LevelDir* moving = nullptr;
  const LevelDir* fold = nullptr;
  std::vector<Iv> moving_pos, fold_pos, pos;
  int64_t count = 1;
  for (const LevelDir& d : level.dirs) {
    if (AxisOf(d.dim) != axis) continue;
    Positions(d.size, d.offset, root.box[static_cast<size_t>(d.dim)], &pos);
    int64_t n = static_cast<int64_t>(pos.size());
    if (d.spatial) {
      fold = &d;
      fold_pos = pos;
      n = CeilDiv(n, level.units);
    } else {
      base[static_cast<size_t>(d.dim)] = pos[0];
    }
    if (n > 1) {
      if (moving != nullptr) {
        t.product = false;
        return computed;  // not cached: cheap to find again
      }
      moving = &d;
      moving_pos = pos;
      count = n;
    }
  }
  if (moving != nullptr) t.moving_dim = moving->dim;
  // The sets at each busy position of the moving loop, in order.
  std::vector<AxisSets> at;
  for (int64_t i = 0; i < count; ++i) {
    AxisSets sets;
    std::array<Iv, kNumM> box = base;
    if (moving != nullptr && moving != fold) {
      box[static_cast<size_t>(moving->dim)] = moving_pos[static_cast<size_t>(i)];
    }
    bool any = false;
    if (fold == nullptr) {
      any = AddAxisSets(sh, root, axis, box, &sets);
    } else {
      const int64_t f = moving == fold ? i : 0;
      for (int64_t u = 0; u < level.units; ++u) {
        const int64_t j = f * level.units + u;
        if (j >= static_cast<int64_t>(fold_pos.size())) break;
        box[static_cast<size_t>(fold->dim)] = fold_pos[static_cast<size_t>(j)];
        AxisSets one;
        if (!AddAxisSets(sh, root, axis, box, &one)) continue;
        any = true;
        for (Tensor x : kAllTensors) {
          if (one.t[x] == kWhole) {
            sets.t[x] = kWhole;
          } else {
            sets.t[x].insert(sets.t[x].end(), one.t[x].begin(), one.t[x].end());
          }
        }
      }
    }
    if (!any) continue;
    for (Tensor x : kAllTensors) Normalize(&sets.t[x]);
    at.push_back(std::move(sets));
  }
  t.idle = at.empty();
  for (Tensor x : kAllTensors) {
    if (t.idle) break;
    AxisSet united;
    for (size_t i = 0; i < at.size(); ++i) {
      t.total[x] += SetSize(at[i].t[x]);
      if (i + 1 < at.size()) t.advance[x] += SetMeet(at[i].t[x], at[i + 1].t[x]);
      united.insert(united.end(), at[i].t[x].begin(), at[i].t[x].end());
    }
    Normalize(&united);
    t.first[x] = SetSize(at.front().t[x]);
    t.last[x] = SetSize(at.back().t[x]);
    t.wrap[x] = SetMeet(at.back().t[x], at.front().t[x]);
    t.united[x] = SetSize(united);
  }
  cache.Keep<TopAxis>(&cache.top_axes, std::move(key), computed);
  return computed;
}

// Level 0's DRAM traffic in closed form into *bound (dram_known, dram_reads and writes, touched,
// the L2 need of the first busy outer tile, the runtime those reads and writes take at least),
// with the first busy top step's DRAM reads (its whole outer tile's input and weight) and the
// last one's outputs, written at the end. Leaves them unset when level 0 has no closed form.
void Level0Dram(const ExactModel::Shape& sh, const Desc& root, const Level& level,
                int64_t offchip_bw, ExactModel::BoundCache& cache, ExactModel::Bound* bound,
                int64_t* first_dram_in, int64_t* last_out) {
  using Wide = WideCount;
  // Level 0's loops, axis by axis (TopAxisOf): the closed form needs at most one SpatialMap (a
  // second one would move two axes together) and every axis moved by at most one loop.
  if (std::count_if(level.dirs.begin(), level.dirs.end(), [](const LevelDir& d) { return d.spatial; }) > 1) {
    return;
  }
  std::array<std::shared_ptr<const TopAxis>, kNumAxes> top;
  for (int a = 0; a < kNumAxes; ++a) {
    top[a] = TopAxisOf(sh, root, level, static_cast<Axis>(a), cache);
    if (!top[a]->product || top[a]->idle) return;  // idle: no top step does anything
  }
  // The axes in the odometer's order (outermost first) of the loops that move them; the axes no
  // loop moves are factors that one position of their own, anywhere in the order, makes.
  std::array<int, kNumAxes> order;
  std::array<size_t, kNumAxes> place;
  for (int a = 0; a < kNumAxes; ++a) {
    order[a] = a;
    place[a] = level.dirs.size();
    for (size_t i = 0; i < level.dirs.size(); ++i) {
      if (level.dirs[i].dim == top[a]->moving_dim) place[a] = i;
    }
  }
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return place[a] < place[b]; });
  // The first busy top step's outer tile (every loop at its first busy position; the fold's
  // sub-units united) is one of those whose largest is the L2 need.
  // Sum over busy top steps t of |P_t| - |P_t n P_(t-1)|: the step after one where loop m
  // advanced (the loops inside it back at their first position) meets it in the product of the
  // outer loops' sets, loop m's consecutive sets and the inner loops' last and first sets.
  PerTensor<Wide> entering{}, touched{};
  Wide first_in = 0;
  for (Tensor x : kAllTensors) {
    Wide first_outer = 1, last_outer = 1, all = 1, uni = 1, met = 0, outer = 1;
    for (size_t m = 0; m < kNumAxes; ++m) {
      const TopAxis& t = *top[order[m]];
      first_outer *= t.first[x];
      last_outer *= t.last[x];
      all *= t.total[x];
      uni *= t.united[x];
      Wide term = outer * t.advance[x];
      for (size_t k = m + 1; k < kNumAxes; ++k) term *= top[order[k]]->wrap[x];
      met += term;
      outer *= t.total[x];
    }
    bound->l2_tile[x] = std::max(bound->l2_tile[x], static_cast<int64_t>(first_outer));
    if (x != Tensor::kOutput) first_in += first_outer;
    if (x == Tensor::kOutput) *last_out = static_cast<int64_t>(last_outer);
    entering[x] = all - met;
    touched[x] = uni;
  }
  bound->dram_known = true;
  bound->dram_reads[Tensor::kInput] = static_cast<int64_t>(entering[Tensor::kInput]);
  bound->dram_reads[Tensor::kFilter] = static_cast<int64_t>(entering[Tensor::kFilter]);
  // Every output that enters again left before, and every output that leaves is written.
  bound->dram_reads[Tensor::kOutput] =
      static_cast<int64_t>(entering[Tensor::kOutput] - touched[Tensor::kOutput]);
  bound->dram_writes = static_cast<int64_t>(entering[Tensor::kOutput]);
  for (Tensor x : kAllTensors) bound->touched[x] = static_cast<int64_t>(touched[x]);
  const int64_t reads = bound->dram_reads[Tensor::kInput] + bound->dram_reads[Tensor::kFilter] +
                        bound->dram_reads[Tensor::kOutput];
  bound->runtime_cycles = std::max({bound->runtime_cycles, CeilDiv(reads, offchip_bw),
                                   CeilDiv(bound->dram_writes, offchip_bw)});
  *first_dram_in = static_cast<int64_t>(first_in);
}

}  // namespace

ExactModel::Bound ExactModel::LowerBound(const Mapping& mapping) const { return Bounds(mapping, true); }

ExactModel::Bound ExactModel::QuickLowerBound(const Mapping& mapping) const {
  return Bounds(mapping, false);
}

ExactModel::Bound ExactModel::Bounds(const Mapping& mapping, bool per_pe) const {
  const Shape& sh = shape_;
  thread_local std::unique_ptr<Context> kept_ctx;
  Borrowed<Context> borrowed_ctx(&kept_ctx);
  BuildContext(sh, mapping, num_pes_, &*borrowed_ctx);
  const Context& ctx = *borrowed_ctx;
  Bound bound;
  // Every step lasts at least its compute: in all, every MAC of a legal mapping over every lane
  // of every PE, or (below, when known) the busiest PE's MACs over its lanes.
  const Level& level = ctx.levels[0];
  const Desc root = RootDesc(sh);
  int64_t compute = CeilDiv(total_macs_, ActivePes(ctx, root) * lanes_);
  bound.runtime_cycles = compute;
  // What each PE's tiles touch over all its steps, and what enters them.
  int64_t pe_onchip = 0;
  {
    PeSums pe;
    if (per_pe && PeCounts(sh, ctx, lanes_, noc_bw_, options_, *bound_cache_, &pe)) {
      bound.pe_known = true;
      for (Tensor x : kAllTensors) {
        bound.pe_touched[x] = static_cast<int64_t>(pe.held[x]);
        bound.pe_most[x] = static_cast<int64_t>(pe.most_held[x]);
        bound.pe_entering[x] = static_cast<int64_t>(pe.entering[x]);
        bound.pe_apart[x] = static_cast<int64_t>(pe.entering_apart[x]);
        bound.pe_tile_most[x] = static_cast<int64_t>(pe.most_tile[x]);
      }
      bound.readbacks = static_cast<int64_t>(pe.reentering_apart);
      pe_onchip = static_cast<int64_t>(pe.onchip_cycles);
      bound.readbacks_unicast = static_cast<int64_t>(pe.entering[Tensor::kOutput] - pe.held[Tensor::kOutput]);
      compute = std::max(compute, static_cast<int64_t>((pe.max_macs + lanes_ - 1) / lanes_));
      // Every step lasts at least its transfers over the NoC bandwidth, each way.
      int64_t in = options_.multicast ? bound.readbacks : bound.readbacks_unicast;
      for (Tensor x : {Tensor::kInput, Tensor::kFilter}) {
        in += options_.multicast ? std::max(bound.pe_most[x], bound.pe_apart[x]) : bound.pe_entering[x];
      }
      const int64_t out = options_.spatial_reduction
                              ? std::max(bound.pe_most[Tensor::kOutput], bound.pe_apart[Tensor::kOutput])
                              : bound.pe_entering[Tensor::kOutput];
      bound.runtime_cycles =
          std::max({bound.runtime_cycles, compute, CeilDiv(in, noc_bw_), CeilDiv(out, noc_bw_)});
    }
  }
  // The first sub-unit of every level at its first step, down to a PE.
  Desc first = root;
  for (size_t lv = 0; lv < ctx.levels.size(); ++lv) {
    std::array<Iv, kNumM> box = first.box;
    bool any = true;
    for (const LevelDir& d : ctx.levels[lv].dirs) {
      // A directive's first position (Positions' first): none in an empty parent interval.
      const Iv parent = first.box[static_cast<size_t>(d.dim)];
      if (parent.hi <= parent.lo) any = false;
      if (any) box[static_cast<size_t>(d.dim)] = Span(parent.lo, std::min<int64_t>(parent.lo + d.size, parent.hi));
    }
    Desc next;
    if (!any || !MakeDesc(sh, box, first, &next)) {
      bound.l1_tile = bound.l2_tile = PerTensor<int64_t>{};
      break;
    }
    first = next;
    const Tiles tiles = MakeTiles(sh, first);
    for (Tensor x : kAllTensors) {
      if (lv == 0) bound.l2_tile[x] = Size(tiles.t[x]);
      bound.l1_tile[x] = Size(tiles.t[x]);
    }
  }
  // Level 0's DRAM traffic in closed form, and the first busy top step's DRAM reads and the
  // last one's outputs.
  int64_t first_dram_in = 0, last_out = 0;
  Level0Dram(sh, root, level, offchip_bw_, *bound_cache_, &bound, &first_dram_in, &last_out);
  const bool first_pe_busy = bound.l1_tile[Tensor::kOutput] > 0;
  // The first top step starts with its whole outer tile read from DRAM and its first global step
  // with every busy PE's tiles sent, before any compute, and the run ends with the last outer
  // tile's outputs written to DRAM after it: the runtime is at least those transfers (of at least
  // the first sub-unit's tiles when level 0 has no closed form, and of the first PE's input and
  // weight tiles when it is busy at the first step) plus every step's compute; the on-chip part
  // is at least one PE's steps and flush too (PeCounts).
  int64_t dram_ends = 0;
  if (bound.dram_known) {
    dram_ends = CeilDiv(first_dram_in, offchip_bw_) + CeilDiv(last_out, offchip_bw_);
  } else if (first_pe_busy) {
    dram_ends = CeilDiv(bound.l2_tile[Tensor::kInput] + bound.l2_tile[Tensor::kFilter], offchip_bw_);
  }
  int64_t onchip = compute;
  if (first_pe_busy) {
    onchip += CeilDiv(bound.l1_tile[Tensor::kInput] + bound.l1_tile[Tensor::kFilter], noc_bw_);
  }
  bound.onchip_cycles = std::max(onchip, pe_onchip);
  bound.runtime_cycles = std::max(bound.runtime_cycles, dram_ends + bound.onchip_cycles);
  return bound;
}

}  // namespace cadenza
