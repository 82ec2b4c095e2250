#pragma once
/// The exact-model reference sets (tests/data/exact-model and exact-model-kinds): their runs and
/// their expected counts, for every test that compares an implementation against them.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cadenza::test {

/// One run of a reference set: a one-layer `.m` case, its hardware file and SIMD width.
struct ExactReferenceRun {
  std::string set;  // "exact-model" or "exact-model-kinds"
  std::string id;   // "e000", "k017"
  int64_t simd_lanes = 1;

  std::string CasePath() const;
  std::string HwPath() const;
  std::string ExpectedPath() const;
};

/// Every run of `set`, in its runs.csv order (run_id,case_id,hw_id,simd_lanes; the ids are
/// equal). Throws std::runtime_error naming the file on a missing file or a malformed row.
std::vector<ExactReferenceRun> ExactReferenceRuns(const std::string& set);

/// The integers (and booleans, as 0/1) of a JSON object of objects, by dotted path
/// ("ingress.input"). Enough for the expected files, which hold nothing else; throws
/// std::runtime_error on anything it does not expect.
std::map<std::string, int64_t> FlattenJsonIntegers(const std::string& text);

}  // namespace cadenza::test
