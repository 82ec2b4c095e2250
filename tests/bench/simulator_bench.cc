// Milliseconds per Simulate for every reference case of tests/data/exact-model and
// tests/data/exact-model-kinds (420 single-layer mappings, each on its own hardware and SIMD
// width), one thread. After the per-case table it prints the median and the slowest case.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "importer/maestro_reader.h"
#include "simulator/simulator.h"

namespace {

struct Case {
  std::string name;
  cadenza::Layer layer;
  cadenza::Mapping mapping;
  cadenza::Hardware hw;
};

std::vector<Case> LoadCases() {
  std::vector<Case> cases;
  for (const char* set : {"exact-model", "exact-model-kinds"}) {
    const std::string dir = std::string(CADENZA_SOURCE_DIR) + "/tests/data/" + set + "/inputs/";
    std::ifstream runs(dir + "runs.csv");
    std::string line;
    std::getline(runs, line);  // run_id,case_id,hw_id,simd_lanes
    while (std::getline(runs, line)) {
      std::vector<std::string> f;
      std::stringstream row(line);
      for (std::string field; std::getline(row, field, ',');) f.push_back(field);
      if (f.size() != 4) continue;
      const cadenza::MaestroModel model = cadenza::ReadMaestroModel(dir + "cases/" + f[1] + ".m");
      cadenza::Hardware hw = cadenza::ReadMaestroHardware(dir + "hw/" + f[2] + ".m");
      hw.simd_lanes = std::stoll(f[3]);
      cases.push_back({f[0], model.network.layers[0], model.mappings[0], hw});
    }
  }
  return cases;
}

class CollectingReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.run_type == Run::RT_Iteration && !r.error_occurred) {
        times_.emplace_back(r.GetAdjustedRealTime(), r.benchmark_name());
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void PrintSummary() {
    if (times_.empty()) return;
    std::sort(times_.begin(), times_.end());
    double total = 0;
    for (const auto& t : times_) total += t.first;
    std::cout << "\nSimulate over " << times_.size() << " reference cases (one thread): median "
              << times_[times_.size() / 2].first << " ms, slowest " << times_.back().first
              << " ms (" << times_.back().second << "), all " << total << " ms\n";
  }

 private:
  std::vector<std::pair<double, std::string>> times_;
};

}  // namespace

int main(int argc, char** argv) {
  const std::vector<Case> cases = LoadCases();
  for (const Case& c : cases) {
    benchmark::RegisterBenchmark(c.name.c_str(), [&c](benchmark::State& state) {
      for (auto _ : state) benchmark::DoNotOptimize(cadenza::Simulate(c.layer, c.mapping, c.hw));
    })->Unit(benchmark::kMillisecond);
  }
  benchmark::Initialize(&argc, argv);
  CollectingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintSummary();
  benchmark::Shutdown();
  return 0;
}
