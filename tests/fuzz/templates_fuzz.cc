// Fuzzes the dataflow template reader, then instantiates every template on a small convolution,
// a small GEMM and a strided depthwise layer with parameter values from its own domains, and
// evaluates the mappings, as `cadenza search --templates` does. Only InputError may leave the
// target: anything else (InternalError, another exception, a signal, a sanitizer report, a
// timeout) is a bug the fuzzer reports.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "analyzer/analyzer.h"
#include "analyzer/error.h"
#include "search/templates.h"

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

// A 3x3 convolution over 8x8 inputs, a 12x10 by 10x16 GEMM and a strided depthwise 3x3.
std::vector<Layer> SmallLayers() {
  Layer conv;
  conv.name = "conv";
  conv.op_type = "CONV";
  conv.kind = OpKind::kConv;
  conv.shape.size[Dim::kN] = 1;
  conv.shape.size[Dim::kK] = 8;
  conv.shape.size[Dim::kC] = 4;
  conv.shape.size[Dim::kY] = 8;
  conv.shape.size[Dim::kX] = 8;
  conv.shape.size[Dim::kR] = 3;
  conv.shape.size[Dim::kS] = 3;
  conv.exact_macs = ExactMacs(conv.kind, conv.shape);
  std::vector<Layer> layers = {conv};
  Layer gemm;
  gemm.name = "gemm";
  gemm.op_type = "GEMM";
  gemm.kind = OpKind::kGemm;
  gemm.shape.size[Dim::kM] = 12;
  gemm.shape.size[Dim::kN] = 16;
  gemm.shape.size[Dim::kK] = 10;
  gemm.exact_macs = ExactMacs(gemm.kind, gemm.shape);
  layers.push_back(gemm);
  Layer dw = conv;
  dw.name = "dw";
  dw.kind = OpKind::kDepthwiseConv;
  dw.shape.size[Dim::kK] = 0;
  dw.shape.stride_y = dw.shape.stride_x = 2;
  dw.exact_macs = ExactMacs(dw.kind, dw.shape);
  layers.push_back(dw);
  return layers;
}

// Walks the parameter combinations in odometer order, as the search's enumeration does, with a
// small cap on values per parameter and on combinations (the inputs are fuzzed, the layers
// are not: the cap bounds the work per input).
class Walker {
 public:
  Walker(const DataflowTemplate& t, const Layer& layer, const Hardware& hw)
      : t_(t), layer_(layer), hw_(hw) {
    context_.shape = &layer.shape;
    context_.num_pes = hw.num_pes;
    context_.params = &values_;
  }
  void Run() { Recurse(0); }

 private:
  static constexpr size_t kValuesPerParam = 8;
  static constexpr int kMaxCombinations = 64;

  void Recurse(size_t p) {
    if (combinations_ >= kMaxCombinations) return;
    if (p == t_.params.size()) {
      ++combinations_;
      Mapping mapping;
      if (t_.Instantiate(context_, &mapping)) Evaluate(mapping);
      (void)t_.Named(values_);
      return;
    }
    for (int64_t v : t_.params[p].Values(context_, kValuesPerParam)) {
      CADENZA_CHECK(v >= 1);
      values_[p] = v;
      Recurse(p + 1);
    }
    values_[p] = 0;
  }

  void Evaluate(const Mapping& mapping) const {
    try {
      const Analyzer analyzer(layer_, hw_);
      CostResult result = analyzer.Evaluate(mapping);
      analyzer.CheckLimits(&result);
    } catch (const InputError&) {
    }
  }

  const DataflowTemplate& t_;
  const Layer& layer_;
  const Hardware& hw_;
  ParamValues values_{};
  ExprContext context_;
  int combinations_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  TemplateLibrary library;
  try {
    library = TemplateLibrary::Parse(text, "fuzz.tmpl");
  } catch (const InputError&) {
    return 0;
  }
  static const std::vector<Layer> layers = SmallLayers();
  static const Hardware hw = SmallHardware();
  for (const DataflowTemplate& t : library.templates()) {
    CADENZA_CHECK(!t.kinds.empty() && !t.directives.empty());
    CADENZA_CHECK(static_cast<int>(t.params.size()) <= kMaxTemplateParams);
    for (const Layer& layer : layers) {
      if (t.AppliesTo(layer.kind)) Walker(t, layer, hw).Run();
    }
  }
  return 0;
}
