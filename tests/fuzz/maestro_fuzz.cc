// Fuzzes the MAESTRO `.m` network reader, then evaluates every layer it accepts under its own
// dataflow on a small accelerator, as `cadenza eval` does. Only InputError may leave the
// target: anything else (InternalError, another exception, a signal, a sanitizer report, a
// timeout) is a bug the fuzzer reports.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "analyzer/analyzer.h"
#include "analyzer/error.h"
#include "importer/maestro_reader.h"

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  MaestroModel model;
  try {
    model = ParseMaestroModel(text, "fuzz.m");
  } catch (const InputError&) {
    return 0;
  }
  const size_t layers = model.network.layers.size();
  CADENZA_CHECK(model.mappings.size() == layers && model.directive_lines.size() == layers &&
                model.layer_lines.size() == layers);
  static const Hardware hw = SmallHardware();
  for (size_t i = 0; i < layers; ++i) {
    CADENZA_CHECK(static_cast<size_t>(model.mappings[i].size()) ==
                  model.directive_lines[i].size());
    try {
      const Analyzer analyzer(model.network.layers[i], hw);
      CostResult result = analyzer.Evaluate(model.mappings[i]);
      analyzer.CheckLimits(&result);
    } catch (const InputError&) {
    }
  }
  return 0;
}
