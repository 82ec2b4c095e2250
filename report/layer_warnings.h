#pragma once
// What a reviewer should know about one usable layer result, in the same words for every command
// that evaluates a mapping (`cadenza search`, `cadenza dse`, `cadenza eval`).

#include <string>
#include <vector>

#include "analyzer/cost.h"
#include "analyzer/hardware.h"
#include "analyzer/layer.h"

namespace cadenza {

/// The warnings about `result` (one instance of `layer`, evaluated on `hw`), one sentence each,
/// without a file or layer prefix: the cost model's MAC count differs from the layer's; the L1
/// or L2 need exceeds the capacity (the MAESTRO-compatible model only warns about it, as the
/// original tool does); the peak NoC or the off-chip bandwidth need exceeds a soft limit
/// (Hardware::bandwidth_is_hard_limit false; a hard limit makes the result infeasible instead).
/// REQUIRES: result.ok().
std::vector<std::string> LayerResultWarnings(const Layer& layer, const CostResult& result,
                                             const Hardware& hw);

}  // namespace cadenza
