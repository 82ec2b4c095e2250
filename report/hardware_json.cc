#include "report/hardware_json.h"

#include "analyzer/dims.h"

namespace cadenza {

void WriteHardwareFields(JsonWriter& json, const Hardware& hw) {
  json.Field("num_pes", hw.num_pes);
  json.Field("simd_lanes", hw.simd_lanes);
  json.LimitField("l1_bytes", hw.l1_size);
  json.LimitField("l2_bytes", hw.l2_size);
  json.LimitField("noc_bw_per_cycle", hw.noc_bw);
  json.Field("noc_latency_cycles", hw.noc_latency);
  json.LimitField("offchip_bw_per_cycle", hw.offchip_bw);
  json.Field("clock_ghz", hw.clock_ghz);
  json.Key("bytes_per_element");
  json.BeginObject();
  for (Tensor t : kAllTensors) json.Field(TensorName(t), hw.bytes_per_element[t]);
  json.EndObject();
  json.Field("bandwidth_is_hard_limit", hw.bandwidth_is_hard_limit);
  json.Key("access_energy_pj");
  json.BeginObject();
  json.Field("mac", hw.energy.mac_pj);
  json.Field("l1", hw.energy.l1_pj);
  json.Field("l2", hw.energy.l2_pj);
  json.Field("offchip", hw.energy.offchip_pj);
  json.EndObject();
}

}  // namespace cadenza
