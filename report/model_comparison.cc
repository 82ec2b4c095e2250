#include "report/model_comparison.h"

#include <algorithm>
#include <map>
#include <memory>

#include "analyzer/error.h"

namespace cadenza {

namespace {

// Whether a and b differ by more than `factor` either way (both non-negative).
bool Differ(double a, double b, double factor) {
  const double lo = std::min(a, b), hi = std::max(a, b);
  if (hi <= 0) return false;
  return lo <= 0 || hi / lo > factor;
}

int ClusterLevels(const Mapping& mapping) {
  int levels = 1;
  for (int i = 0; i < mapping.size(); ++i) {
    if (mapping[i].kind == DirectiveKind::kCluster) ++levels;
  }
  return levels;
}

// The classes of docs/exact-model.md that explain where `maestro` departs from `exact`.
std::vector<std::string> Classify(const Layer& layer, const Mapping& mapping,
                                  const CostResult& exact, const CostResult& maestro) {
  std::vector<std::string> classes;
  const ExactCounts& c = *exact.exact;
  const bool strided = layer.shape.stride_y > 1 || layer.shape.stride_x > 1;
  if (strided && maestro.macs != exact.macs) classes.push_back("stride");
  if (Differ(maestro.offchip_energy_pj, exact.offchip_energy_pj, kLargeModelDifference)) {
    classes.push_back("off-chip");
  }
  if (ClusterLevels(mapping) > 1 &&
      Differ(static_cast<double>(maestro.runtime_cycles), static_cast<double>(exact.runtime_cycles),
             kLargeModelDifference)) {
    classes.push_back("inner levels");
  }
  const double maestro_outputs = static_cast<double>(maestro.accesses[Tensor::kOutput].l2_write);
  if (Differ(maestro_outputs, static_cast<double>(c.egress), kLargeModelDifference)) {
    classes.push_back("outputs");
  }
  const double maestro_reads = static_cast<double>(maestro.accesses[Tensor::kInput].l2_read +
                                                   maestro.accesses[Tensor::kFilter].l2_read);
  const double exact_reads = static_cast<double>(c.ingress[Tensor::kInput] + c.ingress[Tensor::kFilter]);
  if (Differ(maestro_reads, exact_reads, kLargeModelDifference)) classes.push_back("multicast");
  if (Differ(static_cast<double>(maestro.l1_size_elements), static_cast<double>(exact.l1_size_elements),
             kLargeModelDifference)) {
    classes.push_back("L1");
  }
  return classes;
}

}  // namespace

ModelComparison CompareModels(const Network& network, const SearchResult& result,
                              const Hardware& hw) {
  CADENZA_CHECK(result.layers.size() == network.layers.size());
  ModelComparison comparison;
  comparison.searched_with = result.model;
  // Layers searched as one (same representative) have the same shape and mapping.
  std::map<int, ModelComparisonRow> by_representative;
  for (size_t i = 0; i < network.layers.size(); ++i) {
    const LayerChoice& choice = result.layers[i];
    if (!choice.found) continue;
    const Layer& layer = network.layers[i];
    auto it = by_representative.find(choice.representative);
    if (it == by_representative.end()) {
      ModelComparisonRow one;
      try {
        const CostResult exact =
            MakeLayerCostModel(CostModelKind::kExact, layer, hw)->Evaluate(choice.mapping);
        const CostResult maestro =
            MakeLayerCostModel(CostModelKind::kMaestro, layer, hw)->Evaluate(choice.mapping);
        if (!exact.ok() || !exact.exact) {
          one.note = "the exact model rejects this mapping (" +
                     std::string(InfeasibleName(exact.infeasible)) + ")";
        } else if (!maestro.ok()) {
          one.note = "the MAESTRO-compatible model rejects this mapping (" +
                     std::string(InfeasibleName(maestro.infeasible)) + ")";
        } else {
          one.compared = true;
          one.exact_runtime_cycles = exact.runtime_cycles;
          one.maestro_runtime_cycles = maestro.runtime_cycles;
          one.exact_energy_pj = exact.total_energy_pj();
          one.maestro_energy_pj = maestro.total_energy_pj();
          one.exact_macs = exact.macs;
          one.maestro_macs = maestro.macs;
          const bool large =
              Differ(static_cast<double>(exact.runtime_cycles),
                     static_cast<double>(maestro.runtime_cycles), kLargeModelDifference) ||
              Differ(one.exact_energy_pj, one.maestro_energy_pj, kLargeModelDifference);
          if (large) one.classes = Classify(layer, choice.mapping, exact, maestro);
        }
      } catch (const InputError& e) {
        one.note = e.what();
      }
      it = by_representative.emplace(choice.representative, std::move(one)).first;
    }
    ModelComparisonRow row = it->second;
    row.layer = static_cast<int>(i);
    row.name = layer.name;
    const int64_t n = std::max<int64_t>(layer.instances, 1);
    row.exact_runtime_cycles *= n;
    row.maestro_runtime_cycles *= n;
    row.exact_energy_pj *= static_cast<double>(n);
    row.maestro_energy_pj *= static_cast<double>(n);
    row.exact_macs *= n;
    row.maestro_macs *= n;
    if (row.compared) {
      comparison.exact_runtime_cycles += row.exact_runtime_cycles;
      comparison.maestro_runtime_cycles += row.maestro_runtime_cycles;
      comparison.exact_energy_pj += row.exact_energy_pj;
      comparison.maestro_energy_pj += row.maestro_energy_pj;
    }
    comparison.rows.push_back(std::move(row));
  }
  return comparison;
}

}  // namespace cadenza
