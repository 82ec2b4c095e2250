// The whole-network search and design-space exploration, timed: prints wall time with 1 and 2
// threads, candidates per second, the search under the exact model, and design points per second. Usage:
//   cadenza_search_bench [MODEL.onnx]    (default: models/resnet50.onnx)

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "importer/onnx_importer.h"
#include "search/dse.h"
#include "search/search.h"

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string model =
      argc > 1 ? argv[1] : std::string(CADENZA_SOURCE_DIR) + "/models/resnet50.onnx";
  const cadenza::Network net = cadenza::ImportOnnx(model).network;
  cadenza::Hardware hw;  // 256 PEs, NoC 64, off-chip 32, L1 1 KiB, L2 1 MiB
  hw.num_pes = 256;
  hw.l1_size = 1024;
  hw.l2_size = 1 << 20;
  hw.noc_bw = 64;
  hw.offchip_bw = 32;
  std::printf("%s: %zu layers\n", model.c_str(), net.layers.size());

  double one_thread = 0;
  for (int threads : {1, 2}) {
    cadenza::SearchOptions o;
    o.threads = threads;
    const auto start = std::chrono::steady_clock::now();
    const cadenza::SearchResult r =
        cadenza::SearchNetwork(net, hw, cadenza::TemplateLibrary::Builtin(), o);
    const double s = Seconds(start);
    if (threads == 1) one_thread = s;
    std::printf(
        "search, %d thread(s): %.3f s wall, %d distinct layers, %lld candidates "
        "(%.0f per distinct layer), %.0f candidates/s%s\n",
        threads, s, r.distinct_layers, static_cast<long long>(r.candidates_evaluated),
        static_cast<double>(r.candidates_evaluated) / r.distinct_layers,
        static_cast<double>(r.candidates_evaluated) / s,
        threads == 2 ? (" (speed-up " + std::to_string(one_thread / s) + ")").c_str() : "");
  }

  // The same search under the exact model (the command line's default), on 2 threads: a lower
  // bound skips the candidates that cannot win, so few are evaluated.
  {
    cadenza::SearchOptions o;
    o.threads = 2;
    o.model = cadenza::CostModelKind::kExact;
    const auto start = std::chrono::steady_clock::now();
    const cadenza::SearchResult r =
        cadenza::SearchNetwork(net, hw, cadenza::TemplateLibrary::Builtin(), o);
    std::printf("search under the exact model, 2 threads: %.3f s wall, %lld candidates evaluated, "
                "%lld skipped by the bound\n",
                Seconds(start), static_cast<long long>(r.candidates_evaluated),
                static_cast<long long>(r.candidates_skipped));
  }

  // A 640-point sweep: PEs x L1 x L2 x NoC x off-chip.
  std::vector<cadenza::Hardware> points;
  for (int64_t pes : {64, 128, 256, 512, 1024}) {
    for (int64_t noc : {32, 128}) {
      for (int64_t offchip : {16, 64}) {
        for (int64_t l1 : {256, 512, 1024, 2048}) {
          for (int64_t l2 : {64 << 10, 256 << 10, 1 << 20, 4 << 20}) {
            for (int64_t lanes : {1, 2}) {
              cadenza::Hardware p = hw;
              p.num_pes = pes;
              p.noc_bw = noc;
              p.offchip_bw = offchip;
              p.l1_size = l1;
              p.l2_size = l2;
              p.simd_lanes = lanes;
              points.push_back(p);
            }
          }
        }
      }
    }
  }
  cadenza::DseOptions o;
  o.search.threads = 2;
  o.search.max_candidates_per_template = 2000;
  const auto start = std::chrono::steady_clock::now();
  const cadenza::DseResult d =
      cadenza::ExploreDesigns(net, points, cadenza::TemplateLibrary::Builtin(), o);
  const double s = Seconds(start);
  int pareto = 0;
  for (const cadenza::DesignResult& p : d.points) pareto += p.pareto ? 1 : 0;
  std::printf(
      "dse, 2 threads: %zu points in %.2f s = %.1f points/s (%d evaluation groups, %lld "
      "candidates, %d on the Pareto front)\n",
      points.size(), s, static_cast<double>(points.size()) / s, d.evaluation_groups,
      static_cast<long long>(d.candidates_evaluated), pareto);
  return 0;
}
