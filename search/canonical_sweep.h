#pragma once
// A brute-force yardstick for the built-in templates: the five canonical dataflows of the MAESTRO
// reference runs (kcp, yrp, yxp, xp, cp; CONV, DSCONV and GEMM forms, as written in
// docs/templates.md), with every tile and cluster size of their text swept over powers of two
// and the batch tile swept too. The built-in library must contain a mapping at least as good as
// the sweep's best for every layer; CompareWithSweep measures that.

#include <cstdint>
#include <string>
#include <vector>

#include "analyzer/hardware.h"
#include "analyzer/layer.h"
#include "search/search.h"
#include "search/templates.h"

namespace cadenza {

/// The sweep as a template library (template file syntax): each size the canonical text fixes
/// is a parameter whose domain is tiles(dimension) (the powers of two below it, then the
/// dimension) or, for a cluster, every power of two up to the PE count.
const TemplateLibrary& CanonicalSweepLibrary();

/// One layer's search choice against the sweep's best, under the same model, hardware and
/// objective.
struct SweepComparison {
  int layer_index = 0;
  bool search_found = false, sweep_found = false;
  double search_objective = 0, sweep_objective = 0;
  std::string search_family, sweep_family;
  std::vector<NamedParam> search_params, sweep_params;
  int64_t search_candidates = 0, sweep_candidates = 0;
  /// The sweep found a strictly better mapping than the search (a hole in the search space).
  bool hole() const {
    return sweep_found && (!search_found || sweep_objective < search_objective);
  }
};

struct SweepReport {
  std::vector<SweepComparison> layers;  // one per network layer
  NetworkTotals search_totals, sweep_totals;  // the sweep's: its per-layer best, summed
  double search_seconds = 0, sweep_seconds = 0;
};

/// Searches `network` with `library` and with the sweep (every sweep candidate is evaluated:
/// no per-template limit) under `options`, and compares the choices layer by layer.
SweepReport CompareWithSweep(const Network& network, const Hardware& hw,
                             const TemplateLibrary& library, const SearchOptions& options);

}  // namespace cadenza
