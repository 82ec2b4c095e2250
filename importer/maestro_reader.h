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
MaestroModel ParseMaestroModel(std::string_view text, const std::string& path);
/// Reads and parses the file at `path`. Throws InputError if it cannot be read or parsed.
MaestroModel ReadMaestroModel(const std::string& path);

/// Parses a MAESTRO hardware file (`num_pes: 256` ...). Unknown keys are errors.
Hardware ParseMaestroHardware(std::string_view text, const std::string& path);
Hardware ReadMaestroHardware(const std::string& path);

}  // namespace cadenza
