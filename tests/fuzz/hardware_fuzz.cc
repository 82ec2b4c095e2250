// Fuzzes the hardware readers: the same bytes as a MAESTRO hardware `.m` file, as a hardware
// configuration and as a sweep. Every hardware accepted evaluates a small convolution. Only
// InputError may leave the target: anything else (InternalError, another exception, a signal,
// a sanitizer report, a timeout) is a bug the fuzzer reports.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "analyzer/analyzer.h"
#include "analyzer/error.h"
#include "importer/hardware_config.h"
#include "importer/maestro_reader.h"

namespace {

using namespace cadenza;

// A 3x3 convolution over 8x8 inputs, 8 output channels across the PEs.
void Evaluate(const Hardware& hw) {
  static const Layer layer = [] {
    Layer l;
    l.name = "conv";
    l.op_type = "CONV";
    l.kind = OpKind::kConv;
    l.shape.size[Dim::kN] = 1;
    l.shape.size[Dim::kK] = 8;
    l.shape.size[Dim::kC] = 4;
    l.shape.size[Dim::kY] = 8;
    l.shape.size[Dim::kX] = 8;
    l.shape.size[Dim::kR] = 3;
    l.shape.size[Dim::kS] = 3;
    l.exact_macs = ExactMacs(l.kind, l.shape);
    return l;
  }();
  static const Mapping mapping = [] {
    Mapping m;
    m.Add({.kind = DirectiveKind::kSpatialMap, .dim = Dim::kK, .size = 2, .offset = 2});
    m.Add({.kind = DirectiveKind::kTemporalMap, .dim = Dim::kC, .size = 2, .offset = 2});
    m.Add({.kind = DirectiveKind::kTemporalMap, .dim = Dim::kR, .size = 3, .offset = 3});
    m.Add({.kind = DirectiveKind::kTemporalMap, .dim = Dim::kS, .size = 3, .offset = 3});
    m.Add({.kind = DirectiveKind::kTemporalMap, .dim = Dim::kY, .size = 3, .offset = 1});
    m.Add({.kind = DirectiveKind::kTemporalMap, .dim = Dim::kX, .size = 3, .offset = 1});
    return m;
  }();
  try {
    const Analyzer analyzer(layer, hw);
    CostResult result = analyzer.Evaluate(mapping);
    analyzer.CheckLimits(&result);
  } catch (const InputError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    Evaluate(ParseMaestroHardware(text, "fuzz.m"));
  } catch (const InputError&) {
  }
  try {
    Evaluate(ParseHardwareConfig(text, "fuzz.textproto"));
  } catch (const InputError&) {
  }
  try {
    const std::vector<SweepPoint> points = ParseSweep(text, "fuzz-sweep.textproto");
    CADENZA_CHECK(!points.empty() && static_cast<int64_t>(points.size()) <= kMaxSweepPoints);
    Evaluate(points.front().hw);
    Evaluate(points.back().hw);
  } catch (const InputError&) {
  }
  return 0;
}
