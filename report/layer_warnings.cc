#include "report/layer_warnings.h"

#include <algorithm>

#include "analyzer/cost_model.h"
#include "report/report.h"

namespace cadenza {

std::vector<std::string> LayerResultWarnings(const Layer& layer, const CostResult& result,
                                             const Hardware& hw) {
  std::vector<std::string> warnings;
  const int64_t model_macs = result.macs * std::max<int64_t>(layer.instances, 1);
  if (model_macs != layer.exact_macs) {
    const bool strided = layer.shape.stride_y > 1 || layer.shape.stride_x > 1;
    warnings.push_back("the cost model counts " + FormatThousands(model_macs) +
                       " MACs, the layer has " + FormatThousands(layer.exact_macs) + " (" +
                       (strided ? "strided layer" : "tiles that do not divide their dimension") +
                       "; see docs/maestro-compatibility.md)");
  }
  if (const int64_t l1 = L1NeedBytes(result, hw); l1 > hw.l1_size) {
    warnings.push_back("needs " + FormatThousands(l1) + " bytes of L1 per PE, the hardware has " +
                       FormatThousands(hw.l1_size));
  }
  if (const int64_t l2 = L2NeedBytes(result, hw); l2 > hw.l2_size) {
    warnings.push_back("needs " + FormatThousands(l2) + " bytes of L2, the hardware has " +
                       FormatThousands(hw.l2_size));
  }
  if (!hw.bandwidth_is_hard_limit) {
    if (result.noc_bw_peak_per_cycle > hw.noc_bw) {
      warnings.push_back("peak NoC bandwidth need " + FormatThousands(result.noc_bw_peak_per_cycle) +
                         " elements/cycle exceeds the " + FormatThousands(hw.noc_bw) +
                         " available (a soft limit on this hardware)");
    }
    if (result.offchip_bw_per_cycle > hw.offchip_bw) {
      warnings.push_back("off-chip bandwidth need " + FormatThousands(result.offchip_bw_per_cycle) +
                         " elements/cycle exceeds the " + FormatThousands(hw.offchip_bw) +
                         " available (a soft limit on this hardware)");
    }
  }
  return warnings;
}

}  // namespace cadenza
