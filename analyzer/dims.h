#pragma once
// The dimensions a layer and a mapping speak of, and fixed arrays indexed by them.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace cadenza {

/// The paper's dimension letters. Y and X are *input* rows and columns, as in MAESTRO's files.
/// GEMM layers use M, N, K with MAESTRO's meaning (M x K times K x N); G counts groups (NGCONV).
enum class Dim : uint8_t { kN, kK, kC, kY, kX, kR, kS, kM, kG };
inline constexpr int kNumDims = 9;
inline constexpr std::array<Dim, kNumDims> kAllDims = {Dim::kN, Dim::kK, Dim::kC, Dim::kY, Dim::kX,
                                                       Dim::kR, Dim::kS, Dim::kM, Dim::kG};

/// A value per dimension, in a fixed array (no maps on hot paths).
template <typename T>
struct PerDim {
  std::array<T, kNumDims> v{};
  constexpr T& operator[](Dim d) { return v[static_cast<size_t>(d)]; }
  constexpr const T& operator[](Dim d) const { return v[static_cast<size_t>(d)]; }
  friend constexpr bool operator==(const PerDim&, const PerDim&) = default;
  friend constexpr auto operator<=>(const PerDim&, const PerDim&) = default;
};

/// "N", "K", ... as written in `.m` files.
std::string_view DimName(Dim d);
/// The dimension named `name` (exact, case-sensitive), or nullopt.
std::optional<Dim> DimFromName(std::string_view name);

/// The three tensors of a MAC layer.
enum class Tensor : uint8_t { kInput, kFilter, kOutput };
inline constexpr int kNumTensors = 3;
inline constexpr std::array<Tensor, kNumTensors> kAllTensors = {Tensor::kInput, Tensor::kFilter,
                                                                Tensor::kOutput};
template <typename T>
struct PerTensor {
  std::array<T, kNumTensors> v{};
  constexpr T& operator[](Tensor t) { return v[static_cast<size_t>(t)]; }
  constexpr const T& operator[](Tensor t) const { return v[static_cast<size_t>(t)]; }
  friend constexpr bool operator==(const PerTensor&, const PerTensor&) = default;
};
/// "input", "filter", "output" (MAESTRO's names).
std::string_view TensorName(Tensor t);

}  // namespace cadenza
