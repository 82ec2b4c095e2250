#pragma once
// Cadenza's hardware configuration files and design-space sweep files: Protocol Buffers text
// format with the schema in importer/hardware_config.proto, described field by field in
// docs/hardware-config.md. MAESTRO hardware `.m` files are read too (ReadHardwareFile).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/hardware.h"

namespace cadenza {

/// Parses `text` as a cadenza.config.HardwareConfig in text format; `path` is used in messages.
/// num_pes is required. Every other unset field keeps Hardware's default: 1 SIMD lane,
/// unlimited L1, L2, NoC and off-chip bandwidth, NoC latency 1, 1 byte per element, 1 GHz,
/// MAESTRO's access energies, bandwidth not a hard limit. The `name` field is not kept.
/// Throws InputError "path:line:col: message" followed by the offending line and a caret, for
/// syntax errors (line and column as protobuf's parser counts them, 1-based: a tab advances the
/// column to the next multiple of 8), unknown fields (with a "did you mean"), fields given twice,
/// and values out of the ranges the schema documents.
Hardware ParseHardwareConfig(std::string_view text, const std::string& path);

/// Reads the hardware file at `path`. A MAESTRO hardware file (extension `.m`, or a line that
/// starts with a MAESTRO-only key such as `l1_size_cstr:`) is read by ReadMaestroHardware; a
/// JSON one (extension `.json`, or first character `{`) as the same configuration in Protocol
/// Buffers' JSON mapping (`{"num_pes": 256, "noc": {"bandwidth": 64}}`; field names as in the
/// text format or in lowerCamelCase), with the same defaults and range checks, its errors naming
/// the field but no line; anything else by ParseHardwareConfig.
/// Throws InputError naming `path` when the file cannot be read or parsed.
Hardware ReadHardwareFile(const std::string& path);

/// The built-in default accelerator in text format (also models/hw/default.textproto):
/// 256 PEs, 1 SIMD lane, 1 KiB L1 per PE, 1 MiB L2, 1 byte per element, NoC 64 elements/cycle
/// with latency 1, off-chip 32 elements/cycle, 1 GHz, MAESTRO's access energies.
std::string_view DefaultHardwareText();
/// DefaultHardwareText() parsed. Thread-safe.
Hardware DefaultHardware();

/// One hardware point of a sweep. `label` names its swept values, always in the same form:
/// "pes=256 simd=1 l1=1024 l2=1048576 noc=64 offchip=32" ("unlimited" for Hardware::kUnlimited).
struct SweepPoint {
  std::string label;
  Hardware hw;
};

/// Most points a sweep may have.
inline constexpr int64_t kMaxSweepPoints = 100'000;

/// Parses `text` as a cadenza.config.Sweep in text format and returns the cartesian product of
/// the swept values, each applied to the base configuration. Order: num_pes outermost, then
/// simd_lanes, l1_bytes, l2_bytes, noc_bandwidth, and offchip_bandwidth innermost (it changes
/// fastest); values in the order the file gives them, ranges ascending.
/// num_pes is required in the base unless it is swept. Throws InputError as
/// ParseHardwareConfig does, and when a sweep is malformed (none or several of values, range
/// and geometric; from > to; step < 1; factor < 2; a value listed twice) or has more than
/// kMaxSweepPoints points.
std::vector<SweepPoint> ParseSweep(std::string_view text, const std::string& path);
/// Reads and parses the sweep file at `path`. Throws InputError naming it when it cannot be
/// read or parsed.
std::vector<SweepPoint> ReadSweep(const std::string& path);

}  // namespace cadenza
