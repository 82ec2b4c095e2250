// Where the exact model's time goes in a whole-network search: evaluates every `stride`-th
// candidate of every distinct layer of a model under the exact model (one thread), and prints the
// CPU time per distinct layer, the distribution of per-candidate times and the slowest candidates.
// Usage: cadenza_exact_search_profile [MODEL.onnx] [STRIDE|searched] [LAYER]
//   (defaults: resnet50, every candidate, every distinct layer; LAYER: one distinct layer index;
//   `searched`: only the candidates the default search, pruned by the bound, evaluates)

#include <algorithm>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <time.h>

#include "analyzer/cost_model.h"
#include "importer/onnx_importer.h"
#include "search/candidates.h"
#include "search/engine.h"
#include "search/templates.h"

namespace {

// CPU time of the calling thread: the machines this runs on are shared.
double ThreadCpuMicroseconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string model =
      argc > 1 ? argv[1] : std::string(CADENZA_SOURCE_DIR) + "/models/resnet50.onnx";
  const bool searched = argc > 2 && std::string(argv[2]) == "searched";
  const size_t stride = argc > 2 && !searched ? std::stoul(argv[2]) : 1;
  const long only = argc > 3 ? std::stol(argv[3]) : -1;
  const cadenza::Network net = cadenza::ImportOnnx(model).network;
  cadenza::Hardware hw;  // the search default: 256 PEs
  hw.num_pes = 256;
  hw.noc_bw = 64;
  hw.offchip_bw = 32;
  const cadenza::Hardware lifted = cadenza::internal::WithoutCapacityLimits(hw);
  const cadenza::TemplateLibrary& library = cadenza::TemplateLibrary::Builtin();
  const cadenza::internal::DistinctLayers distinct = cadenza::internal::FindDistinctLayers(net);
  const cadenza::internal::CandidateList list =
      cadenza::internal::EnumerateCandidates(net, distinct, library, hw.num_pes, 20'000);
  std::vector<char> evaluated(list.items.size(), 1);
  if (searched) {
    cadenza::SearchOptions options;
    options.model = cadenza::CostModelKind::kExact;
    options.threads = 1;
    const cadenza::internal::Evaluation e =
        cadenza::internal::EvaluateCandidates(net, library, hw, std::span(&hw, 1), options, {});
    for (size_t i = 0; i < e.stats.size(); ++i) evaluated[i] = !e.stats[i].skipped;
  }
  struct Sample {
    double us;
    size_t index;
    cadenza::ExactCounts counts;
    double runtime_gap, energy_gap;  // result over its lower bound (1: the bound is exact)
  };
  std::vector<Sample> samples;
  double total = 0;
  for (size_t d = 0; d + 1 < list.begin.size(); ++d) {
    if (only >= 0 && d != static_cast<size_t>(only)) continue;
    const cadenza::Layer& layer = net.layers[static_cast<size_t>(distinct.layer_of[d])];
    const auto m = cadenza::MakeLayerCostModel(cadenza::CostModelKind::kExact, layer, lifted);
    double layer_us = 0;
    size_t n = 0;
    for (size_t i = list.begin[d]; i < list.begin[d + 1]; i += stride) {
      if (!evaluated[i]) continue;
      const cadenza::internal::Candidate& c = list.items[i];
      const cadenza::ExprContext context{&layer.shape, hw.num_pes, &c.params};
      cadenza::Mapping mapping;
      if (!library.templates()[static_cast<size_t>(c.template_index)].Instantiate(context, &mapping)) continue;
      const double start = ThreadCpuMicroseconds();
      const cadenza::CostResult r = m->Evaluate(mapping);
      const double us = ThreadCpuMicroseconds() - start;
      const std::optional<cadenza::LayerCostModel::Bound> b = m->LowerBound(mapping);
      const bool gaps = r.ok() && b && b->runtime_cycles > 0 && b->energy_pj > 0;
      samples.push_back({us, i, r.exact.value_or(cadenza::ExactCounts{}),
                         gaps ? static_cast<double>(r.runtime_cycles) / static_cast<double>(b->runtime_cycles) : 0,
                         gaps ? r.total_energy_pj() / b->energy_pj : 0});
      layer_us += us;
      ++n;
    }
    total += layer_us;
    std::printf("layer %zu %s: %zu of %zu candidates, %.3f s\n", d, layer.name.c_str(), n,
                list.begin[d + 1] - list.begin[d], layer_us / 1e6);
    std::fflush(stdout);
  }
  if (samples.empty()) return 0;
  // How far the bound lies below the result, over the candidates with both.
  for (double Sample::*gap : {&Sample::runtime_gap, &Sample::energy_gap}) {
    std::vector<double> g;
    for (const Sample& s : samples) {
      if (s.*gap > 0) g.push_back(s.*gap);
    }
    if (g.empty()) continue;
    std::sort(g.begin(), g.end());
    auto at = [&](double f) { return g[static_cast<size_t>(f * static_cast<double>(g.size() - 1))]; };
    std::printf("%s over its bound: median %.3f, p90 %.3f, max %.3f (%zu candidates)\n",
                gap == &Sample::runtime_gap ? "runtime" : "energy", at(0.5), at(0.9), g.back(),
                g.size());
  }
  std::sort(samples.begin(), samples.end(), [](const Sample& a, const Sample& b) { return a.us < b.us; });
  auto q = [&](double f) { return samples[static_cast<size_t>(f * static_cast<double>(samples.size() - 1))].us; };
  std::printf("%zu evaluations, %.3f s: median %.1f us, p90 %.1f, p99 %.1f, max %.1f\n", samples.size(),
              total / 1e6, q(0.5), q(0.9), q(0.99), samples.back().us);
  double tail = 0;
  for (size_t k = samples.size(); k-- > 0 && k + 20 >= samples.size();) {
    const cadenza::internal::Candidate& c = list.items[samples[k].index];
    const cadenza::DataflowTemplate& t = library.templates()[static_cast<size_t>(c.template_index)];
    const cadenza::Layer& layer = net.layers[static_cast<size_t>(distinct.layer_of[static_cast<size_t>(c.distinct)])];
    std::string params;
    for (const auto& p : t.Named(c.params)) params += " " + p.name + "=" + std::to_string(p.value);
    const cadenza::ExactCounts& e = samples[k].counts;
    std::printf("  %.0f us  %s %s%s  top steps %lld (%lld from classes, %lld in blocks), steps %lld "
                "(%lld from rows, %lld in blocks)\n",
                samples[k].us, layer.name.c_str(), t.name.c_str(), params.c_str(),
                static_cast<long long>(e.top_steps), static_cast<long long>(e.class_top_steps),
                static_cast<long long>(e.block_top_steps),
                static_cast<long long>(e.steps), static_cast<long long>(e.class_steps),
                static_cast<long long>(e.block_steps));
    tail += samples[k].us;
  }
  std::printf("slowest 20: %.3f s\n", tail / 1e6);
  return 0;
}
