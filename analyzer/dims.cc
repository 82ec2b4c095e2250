#include "analyzer/dims.h"

namespace cadenza {

namespace {
constexpr std::array<std::string_view, kNumDims> kDimNames = {"N", "K", "C", "Y", "X",
                                                              "R", "S", "M", "G"};
constexpr std::array<std::string_view, kNumTensors> kTensorNames = {"input", "filter", "output"};
}  // namespace

std::string_view DimName(Dim d) { return kDimNames[static_cast<size_t>(d)]; }

std::optional<Dim> DimFromName(std::string_view name) {
  for (Dim d : kAllDims) {
    if (DimName(d) == name) return d;
  }
  return std::nullopt;
}

std::string_view TensorName(Tensor t) { return kTensorNames[static_cast<size_t>(t)]; }

}  // namespace cadenza
