#pragma once
// Reader for the original MAESTRO tool's text files: network/layer/dataflow `.m` files and
// hardware `.m` files, accepted unchanged (CRLF too).

#include <string>
#include <string_view>
#include <vector>

#include "analyzer/hardware.h"
#include "analyzer/layer.h"
#include "analyzer/mapping.h"

namespace cadenza {

/// A `.m` network: its layers and, for each layer, the dataflow it declares (or inherits from
/// the layer before it, as the original tool does).
struct MaestroModel {
  Network network;
  std::vector<Mapping> mappings;  // one per layer, same index
  // Per layer, the 1-based line of each directive of its mapping (for error messages).
  std::vector<std::vector<int>> directive_lines;
  std::vector<int> layer_lines;   // 1-based line of each `Layer` keyword
};

/// Parses `text` as a `.m` network file; `path` is used in messages only.
/// Throws InputError "path:line:col: message" with the offending line and a caret beneath.
/// Beyond the original: `FC` layers are read as GEMM (with CONV names N, K, C they become
/// M = N or 1, K = C, N = K), Stride may follow Dimensions, CRLF and a UTF-8 BOM are fine.
/// Undeclared dimensions stay 0 in Layer::shape. Y = Y' + R - 1 when only Y' is declared, and
/// Sz(Y') = Y - R + 1: the stride plays no part, as in the original (same for X', S).
MaestroModel ParseMaestroModel(std::string_view text, const std::string& path);
/// Reads and parses the file at `path`. Throws InputError if it cannot be read or parsed.
MaestroModel ReadMaestroModel(const std::string& path);

/// Parses a MAESTRO hardware file (`num_pes: 256` ...). Unknown keys are errors.
/// Keys: num_pes, l1_size_cstr, l2_size_cstr, noc_bw_cstr, offchip_bw_cstr, NoC_NumHops
/// (-> noc_latency), and num_simd_lanes (-> simd_lanes; the original only takes it from its
/// command line). Values are positive integers; absent keys keep Hardware's defaults.
Hardware ParseMaestroHardware(std::string_view text, const std::string& path);
Hardware ReadMaestroHardware(const std::string& path);

/// Whether the hardware file at `path` with contents `text` is a MAESTRO hardware file rather
/// than a Cadenza configuration (ReadHardwareFile, importer/hardware_config.h): its name ends in
/// `.m`, or a line starts with a key only MAESTRO's files have (`l1_size_cstr:` ...; `num_pes`
/// is shared by both and decides nothing).
bool IsMaestroHardwareFile(std::string_view path, std::string_view text);

}  // namespace cadenza
