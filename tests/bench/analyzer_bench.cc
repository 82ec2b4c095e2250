// Microseconds per Analyzer::Evaluate for every (layer, dataflow, hardware) of the reference
// runs in tests/data/maestro, one thread. After the per-run table it prints the median and the
// slowest case, the figures the analyzer is held to (median <= 3 us).

#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "analyzer/analyzer.h"
#include "importer/maestro_reader.h"

namespace {

struct Run {
  std::string name;
  cadenza::Layer layer;
  cadenza::Mapping mapping;
  cadenza::Hardware hw;
};

std::vector<Run> LoadRuns() {
  const std::string data = std::string(CADENZA_SOURCE_DIR) + "/tests/data/maestro/";
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(data + "single")) {
    files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<Run> runs;
  for (const char* hw_name : {"hw256_bw32", "hw1024_bw256"}) {
    const cadenza::Hardware hw = cadenza::ReadMaestroHardware(data + "hw/" + hw_name + ".m");
    for (const std::string& file : files) {
      const cadenza::MaestroModel model = cadenza::ReadMaestroModel(file);
      runs.push_back({std::string(hw_name) + "/" + std::filesystem::path(file).stem().string(),
                      model.network.layers[0], model.mappings[0], hw});
    }
  }
  return runs;
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
    std::cout << "\nEvaluate over " << times_.size() << " reference runs (one thread): median "
              << times_[times_.size() / 2].first << " us, slowest " << times_.back().first
              << " us (" << times_.back().second << ")\n";
  }

 private:
  std::vector<std::pair<double, std::string>> times_;
};

}  // namespace

int main(int argc, char** argv) {
  const std::vector<Run> runs = LoadRuns();
  for (const Run& run : runs) {
    benchmark::RegisterBenchmark(run.name.c_str(), [&run](benchmark::State& state) {
      const cadenza::Analyzer analyzer(run.layer, run.hw);
      for (auto _ : state) benchmark::DoNotOptimize(analyzer.Evaluate(run.mapping));
    })->Unit(benchmark::kMicrosecond);
  }
  benchmark::Initialize(&argc, argv);
  CollectingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintSummary();
  benchmark::Shutdown();
  return 0;
}
