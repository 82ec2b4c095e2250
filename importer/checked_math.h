#pragma once
// Internal to the importer: int64 arithmetic that detects overflow. A model may set any shape or
// attribute to any 64-bit value, so a product or sum beyond 64 bits is the model's error (an
// InputError, or no value), never a wrapped number.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "analyzer/error.h"

namespace cadenza::checked {

/// a + b, a - b, a * b; nullopt when the result does not fit in 64 bits.
inline std::optional<int64_t> TryAdd(int64_t a, int64_t b) {
  int64_t r = 0;
  return __builtin_add_overflow(a, b, &r) ? std::nullopt : std::optional<int64_t>(r);
}
inline std::optional<int64_t> TrySub(int64_t a, int64_t b) {
  int64_t r = 0;
  return __builtin_sub_overflow(a, b, &r) ? std::nullopt : std::optional<int64_t>(r);
}
inline std::optional<int64_t> TryMul(int64_t a, int64_t b) {
  int64_t r = 0;
  return __builtin_mul_overflow(a, b, &r) ? std::nullopt : std::optional<int64_t>(r);
}

/// `value`, or throws InputError("WHAT overflows 64 bits") when there is none.
inline int64_t OrThrow(std::optional<int64_t> value, std::string_view what) {
  if (!value) throw InputError(std::string(what) + " overflows 64 bits");
  return *value;
}

/// MAC counts: throw InputError("the MAC count overflows 64 bits").
inline int64_t MacAdd(int64_t a, int64_t b) { return OrThrow(TryAdd(a, b), "the MAC count"); }
inline int64_t MacMul(int64_t a, int64_t b) { return OrThrow(TryMul(a, b), "the MAC count"); }

/// Extents computed from a convolution's shapes and attributes: throw
/// InputError("a spatial extent overflows 64 bits").
inline int64_t ExtentAdd(int64_t a, int64_t b) {
  return OrThrow(TryAdd(a, b), "a spatial extent");
}
inline int64_t ExtentSub(int64_t a, int64_t b) {
  return OrThrow(TrySub(a, b), "a spatial extent");
}
inline int64_t ExtentMul(int64_t a, int64_t b) {
  return OrThrow(TryMul(a, b), "a spatial extent");
}

}  // namespace cadenza::checked
