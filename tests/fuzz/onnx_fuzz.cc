// Fuzzes the ONNX importer (bytes -> model -> checker -> shape inference -> layers), then
// evaluates every layer it returns with each dimension whole in one tile. Only InputError may
// leave the target: anything else (InternalError, another exception, a signal, a sanitizer
// report, a timeout) is a bug the fuzzer reports.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "analyzer/analyzer.h"
#include "analyzer/error.h"
#include "importer/onnx_importer.h"

namespace {

using namespace cadenza;

Hardware SmallHardware() {
  Hardware hw;
  hw.num_pes = 16;
  hw.l1_size = 512;
  hw.l2_size = 64 * 1024;
  hw.noc_bw = 16;
  hw.offchip_bw = 8;
  return hw;
}

// Every declared dimension of `layer` whole in one tile, the first one spatially mapped.
Mapping WholeLayerMapping(const Layer& layer) {
  Mapping m;
  bool spatial = false;
  for (Dim d : kAllDims) {
    const int64_t size = layer.shape.size[d];
    if (size < 1) continue;
    m.Add({.kind = spatial ? DirectiveKind::kTemporalMap : DirectiveKind::kSpatialMap,
           .dim = d,
           .size = size,
           .offset = size});
    spatial = true;
  }
  return m;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  OnnxImport model;
  try {
    model = ImportOnnxBytes(bytes, "fuzz.onnx");
  } catch (const InputError&) {
    return 0;
  }
  int64_t total = 0;
  for (const OnnxNodeInfo& node : model.nodes) {
    for (int index : node.layer_indices) {
      CADENZA_CHECK(index >= 0 && static_cast<size_t>(index) < model.network.layers.size());
    }
    CADENZA_CHECK(!__builtin_add_overflow(total, node.macs, &total));
  }
  CADENZA_CHECK(total == model.total_macs);
  static const Hardware hw = SmallHardware();
  for (const Layer& layer : model.network.layers) {
    CADENZA_CHECK(layer.instances >= 1);
    try {
      const Analyzer analyzer(layer, hw);
      CostResult result = analyzer.Evaluate(WholeLayerMapping(layer));
      analyzer.CheckLimits(&result);
    } catch (const InputError&) {
    }
  }
  return 0;
}
