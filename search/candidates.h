#pragma once
// Internal to the search: distinct layer shapes and the enumeration of template candidates,
// shared by the per-layer search and the design-space exploration.

#include <cstdint>
#include <string>
#include <vector>

#include "analyzer/hardware.h"
#include "analyzer/layer.h"
#include "search/templates.h"

namespace cadenza::internal {

/// Layers of equal kind and shape are searched once; the first of them represents the others.
struct DistinctLayers {
  std::vector<int> layer_of;     // per distinct shape: the representative layer's index
  std::vector<int> distinct_of;  // per layer: its distinct shape
};
DistinctLayers FindDistinctLayers(const Network& network);

struct Candidate {
  int32_t distinct = 0;  // index into DistinctLayers::layer_of
  int32_t template_index = 0;
  ParamValues params{};
};

/// Candidates of every distinct layer, grouped: those of distinct shape d are
/// items[begin[d] .. begin[d+1]). The order is fixed: distinct shapes in network order,
/// templates in library order, parameters in odometer order; duplicates (parameter values that
/// give an already listed mapping) are skipped. At most `limit` per (shape, template), found
/// among at most 2^20 parameter combinations (so a template whose parameters barely change the
/// mapping cannot make the enumeration run without end).
struct CandidateList {
  std::vector<Candidate> items;
  std::vector<size_t> begin;
};
/// Enumerated on `threads` threads; the list is the same for any number.
CandidateList EnumerateCandidates(const Network& network, const DistinctLayers& distinct,
                                  const TemplateLibrary& library, int64_t num_pes, int64_t limit,
                                  int threads = 1);

}  // namespace cadenza::internal
