#include "analyzer/cost_model.h"

#include <limits>

#include "analyzer/analyzer.h"
#include "analyzer/error.h"
#include "analyzer/exact_cost_model.h"

namespace cadenza {

std::string_view CostModelName(CostModelKind kind) {
  switch (kind) {
    case CostModelKind::kMaestro: return "maestro";
    case CostModelKind::kExact: return "exact";
  }
  return "?";
}

std::optional<CostModelKind> CostModelFromName(std::string_view name) {
  for (CostModelKind k : {CostModelKind::kMaestro, CostModelKind::kExact}) {
    if (CostModelName(k) == name) return k;
  }
  return std::nullopt;
}

std::unique_ptr<LayerCostModel> MakeLayerCostModel(CostModelKind kind, const Layer& layer,
                                                   const Hardware& hw) {
  switch (kind) {
    case CostModelKind::kMaestro: return std::make_unique<Analyzer>(layer, hw);
    case CostModelKind::kExact: return std::make_unique<ExactCostModel>(layer, hw);
  }
  CADENZA_CHECK(false);
  return nullptr;
}

int64_t BufferBytes(const PerTensor<int64_t>& elements, const PerTensor<int64_t>& bytes_per_element) {
  int64_t bytes = 0;
  for (Tensor t : kAllTensors) {
    int64_t part = 0;
    if (__builtin_mul_overflow(elements[t], bytes_per_element[t], &part) ||
        __builtin_add_overflow(bytes, part, &bytes)) {
      return std::numeric_limits<int64_t>::max();
    }
  }
  return bytes;
}

Infeasible CheckCapacity(const PerTensor<int64_t>& l1_elements,
                         const PerTensor<int64_t>& l2_elements, const Hardware& hw) {
  if (BufferBytes(l1_elements, hw.bytes_per_element) > hw.l1_size) return Infeasible::kL1Overflow;
  if (BufferBytes(l2_elements, hw.bytes_per_element) > hw.l2_size) return Infeasible::kL2Overflow;
  return Infeasible::kNone;
}

}  // namespace cadenza
