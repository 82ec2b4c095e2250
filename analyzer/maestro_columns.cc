#include "analyzer/maestro_columns.h"

#include <sstream>

namespace cadenza {

std::string_view MaestroCsvHeader() {
  return "Neural Network Name, Layer Number, NumPEs, Runtime (Cycles), Activity count-based Energy (nJ), Throughput (MACs/Cycle), Throughput Per Energy (GMACs/s*J), Area, Power, NoC BW Req (Elements/cycle), Avg BW Req, Peak BW Req, Vector Width, Offchip BW Req (Elements/cycle),  L2 SRAM Size Req (Bytes), L1 SRAM Size Req (Bytes), Multicasting Factor (Weight), Multicasting Factor (Input), Num Total Input Pixels, Num Total Weight Pixels, Ops/J, Num MACs, PE power, L1 power, L2 power, NOC power, input l1 read, input l1 write, input l2 read, input l2 write, input reuse factor,filter l1 read, filter l1 write, filter l2 read, filter l2 write, filter reuse factor,output l1 read, output l1 write, output l2 read, output l2 write, output reuse factor,Ingress Delay (Min), Ingress Delay (Max), Ingress Delay (Avg), Egress Delay (Min), Egress Delay (Max),  Egress Delay (Avg),Compute Delay (Min), Compute Delay (Min), Compute Delay (Avg),Avg number of utilized PEs, Arithmetic Intensity";
}

const std::array<std::string_view, kMaestroColumnCount>& MaestroColumnNames() {
  static const std::array<std::string_view, kMaestroColumnCount> names = {
      "Neural Network Name",
      "Layer Number",
      "NumPEs",
      "Runtime (Cycles)",
      "Activity count-based Energy (nJ)",
      "Throughput (MACs/Cycle)",
      "Throughput Per Energy (GMACs/s*J)",
      "Area",
      "Power",
      "NoC BW Req (Elements/cycle)",
      "Avg BW Req",
      "Peak BW Req",
      "Vector Width",
      "Offchip BW Req (Elements/cycle)",
      "L2 SRAM Size Req (Bytes)",
      "L1 SRAM Size Req (Bytes)",
      "Multicasting Factor (Weight)",
      "Multicasting Factor (Input)",
      "Num Total Input Pixels",
      "Num Total Weight Pixels",
      "Ops/J",
      "Num MACs",
      "PE power",
      "L1 power",
      "L2 power",
      "NOC power",
      "input l1 read",
      "input l1 write",
      "input l2 read",
      "input l2 write",
      "input reuse factor",
      "filter l1 read",
      "filter l1 write",
      "filter l2 read",
      "filter l2 write",
      "filter reuse factor",
      "output l1 read",
      "output l1 write",
      "output l2 read",
      "output l2 write",
      "output reuse factor",
      "Ingress Delay (Min)",
      "Ingress Delay (Max)",
      "Ingress Delay (Avg)",
      "Egress Delay (Min)",
      "Egress Delay (Max)",
      "Egress Delay (Avg)",
      "Compute Delay (Min)",
      "Compute Delay (Min)",
      "Compute Delay (Avg)",
      "Avg number of utilized PEs",
      "Arithmetic Intensity"};
  return names;
}

namespace {
MaestroValue Int(int64_t v) { return {.is_integer = true, .integer = v}; }
MaestroValue Real(long double v) { return {.is_integer = false, .real = v}; }
long double L(int64_t v) { return static_cast<long double>(v); }
}  // namespace

std::array<MaestroValue, kMaestroColumnCount> MaestroValues(const CostResult& r,
                                                            const Hardware& hw) {
  const TensorAccesses& in = r.accesses[Tensor::kInput];
  const TensorAccesses& w = r.accesses[Tensor::kFilter];
  const TensorAccesses& out = r.accesses[Tensor::kOutput];
  // docs/cost-model.md 3.9, with this layer's own L1 counts.
  const long double energy =
      0.00023L * (18.61L * (L(in.l2_read) + L(in.l2_write) + L(w.l2_read) + L(w.l2_write) +
                            L(out.l2_write)) +
                  1.68L * (L(in.l1_read) + L(in.l1_write) + L(w.l1_read) + L(w.l1_write) +
                           L(out.l1_read) + L(out.l1_write)));
  const long double macs = L(r.macs);
  const long double runtime = L(r.runtime_cycles);
  std::array<MaestroValue, kMaestroColumnCount> v{};
  v[2] = Int(hw.num_pes);
  v[3] = Int(r.runtime_cycles);
  v[4] = Real(energy);
  v[5] = Real(macs / runtime);
  v[6] = Real(macs / runtime / energy * 1e9L);
  v[7] = Real(r.area_power.area_um2);
  v[8] = Real(r.area_power.power_mw);
  v[9] = Int(r.noc_bw_peak_per_cycle);
  v[10] = Real(r.noc_bw_avg_per_cycle);
  v[11] = Int(r.noc_bw_peak_per_cycle);
  v[12] = Int(hw.simd_lanes);
  v[13] = Int(r.offchip_bw_per_cycle);
  v[14] = Int(r.l2_size_elements);
  v[15] = Int(r.l1_size_elements);
  v[16] = Real(L(w.l1_write) / L(w.l2_read));
  v[17] = Real(L(in.l1_write) / L(in.l2_read));
  v[18] = Int(r.input_elements);
  v[19] = Int(r.filter_elements);
  v[20] = Real(macs / energy * 1e9L);
  v[21] = Int(r.macs);
  v[22] = Real(r.area_power.pe_power_mw);
  v[23] = Real(r.area_power.l1_power_mw);
  v[24] = Real(r.area_power.l2_power_mw);
  v[25] = Real(r.area_power.noc_power_mw);
  int col = 26;
  for (const TensorAccesses* t : {&in, &w, &out}) {
    v[static_cast<size_t>(col++)] = Int(t->l1_read);
    v[static_cast<size_t>(col++)] = Int(t->l1_write);
    v[static_cast<size_t>(col++)] = Int(t->l2_read);
    v[static_cast<size_t>(col++)] = Int(t->l2_write);
    v[static_cast<size_t>(col++)] = Real(L(t->l1_read) / L(t->l1_write));
  }
  for (const DelayStats* d : {&r.ingress_cycles, &r.egress_cycles, &r.compute_cycles}) {
    v[static_cast<size_t>(col++)] = Int(d->min);
    v[static_cast<size_t>(col++)] = Int(d->max);
    v[static_cast<size_t>(col++)] = Int(d->avg);
  }
  v[50] = Real(r.avg_utilized_pes);
  v[51] = Real(r.arithmetic_intensity);
  return v;
}

std::string FormatMaestroValue(const MaestroValue& value) {
  if (value.is_integer) return std::to_string(value.integer);
  std::ostringstream out;
  out << value.real;
  return out.str();
}

}  // namespace cadenza
