#include "analyzer/mapping.h"

#include "analyzer/error.h"

namespace cadenza {

void Mapping::Add(const Directive& d) {
  if (count_ >= kCapacity) {
    throw InputError("a dataflow may hold at most " + std::to_string(kCapacity) + " directives");
  }
  items_[static_cast<size_t>(count_++)] = d;
}

bool operator==(const Mapping& a, const Mapping& b) {
  if (a.count_ != b.count_) return false;
  for (int i = 0; i < a.count_; ++i) {
    if (!(a[i] == b[i])) return false;
  }
  return true;
}

std::string ToString(const Directive& d) {
  if (d.kind == DirectiveKind::kCluster) return "Cluster(" + std::to_string(d.size) + ", P);";
  std::string text = d.kind == DirectiveKind::kSpatialMap ? "SpatialMap(" : "TemporalMap(";
  text += std::to_string(d.size) + "," + std::to_string(d.offset) + ") ";
  text += DimName(d.dim);
  if (d.output_coord) text += "'";
  return text + ";";
}

std::string ToString(const Mapping& m, const std::string& indent) {
  std::string text;
  for (const Directive& d : m) text += indent + ToString(d) + "\n";
  return text;
}

}  // namespace cadenza
