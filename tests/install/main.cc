// Evaluates one layer with the installed Cadenza libraries: the C-P worked example of
// docs/cost-model.md (section 3.10), a ResNet-50 1x1 convolution read from MAESTRO text, on
// 256 PEs with NoC 32 and off-chip 16 elements per cycle. Exits 1 if a number differs.

#include <cstdint>
#include <iostream>

#include "analyzer/analyzer.h"
#include "importer/hardware_config.h"
#include "importer/maestro_reader.h"

namespace {

int failures = 0;

void Expect(const char* what, int64_t actual, int64_t expected) {
  if (actual == expected) return;
  std::cerr << "consumer: " << what << " is " << actual << ", expected " << expected << "\n";
  ++failures;
}

}  // namespace

int main() {
  const cadenza::MaestroModel model = cadenza::ParseMaestroModel(R"(
Network resnet50 {
  Layer r50_res2b_2a_1x1 {
    Type: CONV
    Dimensions { K: 64, C: 256, R: 1, S: 1, Y: 56, X: 56 }
    Dataflow {
      SpatialMap(1,1) C;
      TemporalMap(Sz(R),1) Y;
      TemporalMap(Sz(S),1) X;
      TemporalMap(Sz(R),Sz(R)) R;
      TemporalMap(Sz(S),Sz(S)) S;
      TemporalMap(1,1) K;
    }
  }
}
)",
                                                                 "<consumer>");
  const cadenza::Hardware hw = cadenza::ParseMaestroHardware(
      "num_pes: 256\nnoc_bw_cstr: 32\noffchip_bw_cstr: 16\n", "<consumer hw>");
  Expect("layers", static_cast<int64_t>(model.network.layers.size()), 1);
  if (failures > 0) return 1;

  const cadenza::Analyzer analyzer(model.network.layers[0], hw);
  const cadenza::CostResult result = analyzer.Evaluate(model.mappings[0]);
  Expect("ok", result.ok() ? 1 : 0, 1);
  Expect("runtime_cycles", result.runtime_cycles, 200'704LL * 32);
  Expect("macs", result.macs, 64LL * 256 * 56 * 56);
  Expect("l2_size_elements", result.l2_size_elements, 512 + 512 + 2);

  // The protobuf text-format reader links too: the built-in default accelerator.
  Expect("default num_pes", cadenza::DefaultHardware().num_pes, 256);

  if (failures > 0) return 1;
  std::cout << "consumer: " << result.runtime_cycles << " cycles, " << result.macs << " MACs\n";
  return 0;
}
