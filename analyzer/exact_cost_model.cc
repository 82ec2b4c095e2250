#include "analyzer/exact_cost_model.h"

#include <algorithm>

#include "analyzer/analyzer.h"
#include "analyzer/error.h"

namespace cadenza {

namespace {

int64_t Sum(const PerTensor<int64_t>& v) {
  int64_t total = 0;
  for (Tensor t : kAllTensors) total += v[t];
  return total;
}

ExactOptions OptionsOf(const Hardware& hw) {
  ExactOptions options;
  options.multicast = hw.multicast;
  options.spatial_reduction = hw.spatial_reduction;
  return options;
}

}  // namespace

void SetExactEnergy(const ExactCounts& c, const Hardware& hw, CostResult* r) {
  // Every access the machine makes (docs/exact-model.md, "Energy"). A MAC reads its input,
  // weight and partial sum from L1 and writes the sum back (4 accesses); every element a PE
  // receives is written into its L1 and every partial sum it sends up is read from it, one per
  // PE whatever the NoC does. L2 serves one read per transfer (so multicast saves L2 reads),
  // takes one write per partial sum arriving (so spatial reduction saves writes), and is
  // filled from and drained to DRAM.
  const int64_t ingress = hw.multicast ? Sum(c.ingress) : Sum(c.ingress_unicast);
  const int64_t egress = hw.spatial_reduction ? c.egress : c.egress_unicast;
  const double l1 = static_cast<double>(4 * c.macs + c.egress_unicast + Sum(c.ingress_unicast));
  const double l2 = static_cast<double>(ingress + egress + Sum(c.dram_reads) + c.dram_writes);
  const double dram = static_cast<double>(Sum(c.dram_reads) + c.dram_writes);
  r->mac_energy_pj = hw.energy.mac_pj * static_cast<double>(c.macs);
  r->l1_energy_pj = hw.energy.l1_pj * l1;
  r->l2_energy_pj = hw.energy.l2_pj * l2;
  r->offchip_energy_pj = hw.energy.offchip_pj * dram;
  r->energy_nj = r->total_energy_pj() / 1000;
}

ExactCostModel::ExactCostModel(const Layer& layer, const Hardware& hw)
    : layer_(layer), hw_(hw), model_(layer, hw, OptionsOf(hw)),
      exact_macs_(ExactMacs(layer.kind, layer.shape)) {}

CostResult ExactCostModel::Evaluate(const Mapping& mapping) const {
  CostResult r;
  r.exact_macs = exact_macs_;
  ExactCounts c;
  try {
    c = model_.Evaluate(mapping);
  } catch (const InputError&) {
    // A malformed mapping (a dimension the layer lacks, a level without a SpatialMap, clusters
    // beyond the PEs): a candidate without a result, as under the MAESTRO-compatible model.
    r.infeasible = Infeasible::kBadStructure;
    return r;
  }
  r.exact = c;
  if (!c.legal) {
    r.infeasible = Infeasible::kCoverage;
    return r;
  }
  r.runtime_cycles = c.runtime_cycles;
  r.macs = c.macs;
  for (Tensor t : kAllTensors) {
    r.l1_size_per_tensor[t] = 2 * c.l1_max[t];  // double-buffered, as MAESTRO's sizes are
    r.l2_size_per_tensor[t] = 2 * c.l2_max[t];
  }
  r.l1_size_elements = c.l1_elements;
  r.l2_size_elements = c.l2_elements;
  r.area_power = EstimateAreaPower(hw_, r.l1_size_elements, r.l2_size_elements);
  SetExactEnergy(c, hw_, &r);
  const double cycles = static_cast<double>(c.runtime_cycles);
  const double capacity = static_cast<double>(hw_.num_pes * hw_.simd_lanes) * cycles;
  r.utilization = capacity > 0 ? static_cast<double>(c.macs) / capacity : 0;
  r.throughput_macs_per_cycle = cycles > 0 ? static_cast<double>(c.macs) / cycles : 0;
  return r;
}

std::optional<LayerCostModel::Bound> ExactCostModel::LowerBound(const Mapping& mapping) const {
  return Priced(mapping, false);
}

std::optional<LayerCostModel::Bound> ExactCostModel::QuickLowerBound(const Mapping& mapping) const {
  return Priced(mapping, true);
}

// Every price below is monotone in the counts, and the quick counts are <= the whole bound's,
// so the quick bound is <= the whole one field by field.
std::optional<LayerCostModel::Bound> ExactCostModel::Priced(const Mapping& mapping, bool quick) const {
  ExactModel::Bound b;
  try {
    b = quick ? model_.QuickLowerBound(mapping) : model_.LowerBound(mapping);
  } catch (const InputError&) {
    return std::nullopt;
  }
  // Counts no legal result goes below, priced by SetExactEnergy itself: every term is a
  // non-negative price times a count, so (rounding being monotone) the energy is a bound too.
  // A legal mapping runs every MAC once; each element of an outer tile reaches some PE (with
  // multicast at least once), and each output touched leaves a PE at least once.
  ExactCounts c;
  c.macs = exact_macs_;
  // Unicast, each PE receives every element its tiles hold and sends up every output of them;
  // with the per-PE counts, exactly the elements entering its tiles step by step (and outputs
  // entering again after leaving are read back). A multicast transfer (a reduced partial sum)
  // reaches (leaves) at least the busiest PE, and at least every PE of a set whose tiles never
  // meet.
  for (Tensor t : {Tensor::kInput, Tensor::kFilter}) {
    c.ingress[t] = std::max({b.touched[t], b.pe_most[t], b.pe_apart[t]});
    c.ingress_unicast[t] = std::max({b.touched[t], b.pe_touched[t], b.pe_entering[t]});
  }
  c.ingress[Tensor::kOutput] = b.readbacks;
  c.ingress_unicast[Tensor::kOutput] = b.readbacks_unicast;
  c.egress = std::max({b.touched[Tensor::kOutput], b.pe_most[Tensor::kOutput], b.pe_apart[Tensor::kOutput]});
  c.egress_unicast =
      std::max({b.touched[Tensor::kOutput], b.pe_touched[Tensor::kOutput], b.pe_entering[Tensor::kOutput]});
  if (b.dram_known) {
    c.dram_reads = b.dram_reads;
    c.dram_writes = b.dram_writes;
  }
  CostResult energy;
  SetExactEnergy(c, hw_, &energy);
  Bound bound{b.runtime_cycles, energy.total_energy_pj(), {}, {}};
  for (Tensor t : kAllTensors) {
    // Double-buffered, as Evaluate's sizes.
    bound.l1[t] = 2 * std::max(b.l1_tile[t], b.pe_tile_most[t]);
    bound.l2[t] = 2 * b.l2_tile[t];
  }
  return bound;
}

void ExactCostModel::CheckLimits(CostResult* result) const {
  if (!result->ok()) return;
  result->infeasible = CheckCapacity(result->l1_size_per_tensor, result->l2_size_per_tensor, hw_);
}

}  // namespace cadenza
