#pragma once
// The one JSON form of a Hardware (docs/report-schema.md, `hardware`): the search report, the
// design-space exploration report, `cadenza eval` and `cadenza simulate` all write it.

#include "analyzer/hardware.h"
#include "report/json_writer.h"

namespace cadenza {

/// Writes the hardware's keys into the object `json` has open: num_pes, simd_lanes, l1_bytes,
/// l2_bytes, noc_bw_per_cycle, noc_latency_cycles, offchip_bw_per_cycle, clock_ghz,
/// bytes_per_element, bandwidth_is_hard_limit, access_energy_pj. A capacity or bandwidth that
/// Hardware::IsUnlimited is null.
void WriteHardwareFields(JsonWriter& json, const Hardware& hw);

}  // namespace cadenza
