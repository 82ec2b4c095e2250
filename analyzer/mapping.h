#pragma once
// A concrete mapping (dataflow): MAESTRO's directive list with every size resolved to a number.

#include <array>
#include <cstdint>
#include <string>

#include "analyzer/dims.h"
#include "analyzer/layer.h"

namespace cadenza {

enum class DirectiveKind : uint8_t { kSpatialMap, kTemporalMap, kCluster };

/// `SpatialMap(size, offset) dim`, `TemporalMap(size, offset) dim` or `Cluster(size)`.
struct Directive {
  DirectiveKind kind = DirectiveKind::kTemporalMap;
  Dim dim = Dim::kN;            // unused for kCluster
  bool output_coord = false;    // written as Y' or X' (output rows/cols)
  int64_t size = 1;             // tile size, or the cluster's sub-unit count; >= 1
  int64_t offset = 1;           // tile step; >= 1; unused for kCluster
  friend bool operator==(const Directive&, const Directive&) = default;
};

/// A fixed-capacity directive list, outermost first. Fixed so that evaluation never allocates.
class Mapping {
 public:
  static constexpr int kCapacity = 48;

  /// Appends a directive. Throws InputError when the list already holds kCapacity directives.
  void Add(const Directive& d);
  int size() const { return count_; }
  bool empty() const { return count_ == 0; }
  const Directive& operator[](int i) const { return items_[static_cast<size_t>(i)]; }
  const Directive* begin() const { return items_.data(); }
  const Directive* end() const { return items_.data() + count_; }
  friend bool operator==(const Mapping& a, const Mapping& b);

 private:
  std::array<Directive, kCapacity> items_{};
  int count_ = 0;
};

/// One directive in `.m` syntax, e.g. "SpatialMap(1,1) K;".
std::string ToString(const Directive& d);
/// The whole mapping in `.m` syntax, one directive per line, each line prefixed by `indent`.
std::string ToString(const Mapping& m, const std::string& indent = "");

}  // namespace cadenza
