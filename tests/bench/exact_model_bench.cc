// Microseconds per ExactModel::Evaluate, one thread: every case of the exact-model reference sets
// (tests/data/exact-model, tests/data/exact-model-kinds) and ResNet-50's 3x3 conv 56x56x64x64
// under KC-P-like and YR-P-like two-level mappings on 256 PEs. Prints the median and slowest
// evaluation of the reference cases, then the ResNet-50 figures.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/exact_model.h"
#include "importer/maestro_reader.h"

namespace {

struct Run {
  std::string name;
  bool reference = true;
  cadenza::Layer layer;
  cadenza::Mapping mapping;
  cadenza::Hardware hw;
};

void LoadSet(const std::string& set, std::vector<Run>* runs) {
  const std::string dir = std::string(CADENZA_SOURCE_DIR) + "/tests/data/" + set + "/inputs/";
  std::ifstream csv(dir + "runs.csv");
  std::string line;
  std::getline(csv, line);
  while (std::getline(csv, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) f.push_back(cell);
    if (f.size() < 4) continue;
    const cadenza::MaestroModel model = cadenza::ReadMaestroModel(dir + "cases/" + f[1] + ".m");
    Run run{set + "/" + f[0], true, model.network.layers[0], model.mappings[0],
            cadenza::ReadMaestroHardware(dir + "hw/" + f[2] + ".m")};
    run.hw.simd_lanes = std::stoll(f[3]);
    runs->push_back(std::move(run));
  }
}

// ResNet-50 res2 3x3 conv: 64 -> 64 channels, 56x56 outputs (58x58 padded input).
constexpr const char* kResNetKcp = R"(Network r50 {
  Layer res2a_2b {
    Type: CONV
    Dimensions { K: 64, C: 64, R: 3, S: 3, Y: 58, X: 58 }
    Dataflow {
      SpatialMap(1,1) K;
      TemporalMap(64,64) C;
      TemporalMap(Sz(R),Sz(R)) R;
      TemporalMap(Sz(S),Sz(S)) S;
      TemporalMap(Sz(R),1) Y;
      TemporalMap(Sz(S),1) X;
      Cluster(64, P);
      SpatialMap(1,1) C;
      TemporalMap(Sz(R),1) Y;
      TemporalMap(Sz(S),1) X;
      TemporalMap(Sz(R),Sz(R)) R;
      TemporalMap(Sz(S),Sz(S)) S;
    }
  }
})";
constexpr const char* kResNetYrp = R"(Network r50 {
  Layer res2a_2b {
    Type: CONV
    Dimensions { K: 64, C: 64, R: 3, S: 3, Y: 58, X: 58 }
    Dataflow {
      SpatialMap(1,1) Y';
      TemporalMap(1,1) X';
      TemporalMap(1,1) C;
      TemporalMap(16,16) K;
      TemporalMap(Sz(R),Sz(R)) R;
      TemporalMap(Sz(S),Sz(S)) S;
      Cluster(Sz(R), P);
      SpatialMap(1,1) Y;
      SpatialMap(1,1) R;
      TemporalMap(Sz(S),Sz(S)) S;
    }
  }
})";

void AddResNet(const char* name, const char* text, std::vector<Run>* runs) {
  const cadenza::MaestroModel model = cadenza::ParseMaestroModel(text, name);
  cadenza::Hardware hw;
  hw.num_pes = 256;
  hw.noc_bw = 32;
  hw.offchip_bw = 16;
  runs->push_back({name, false, model.network.layers[0], model.mappings[0], hw});
}

class CollectingReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.run_type != Run::RT_Iteration || r.error_occurred) continue;
      const std::string name = r.benchmark_name();
      (name.rfind("exact-model", 0) == 0 ? reference_ : other_)
          .emplace_back(r.GetAdjustedRealTime(), name);
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void PrintSummary() {
    if (!reference_.empty()) {
      std::sort(reference_.begin(), reference_.end());
      std::cout << "\nExactModel::Evaluate over " << reference_.size()
                << " reference cases (one thread): median " << reference_[reference_.size() / 2].first
                << " us, slowest " << reference_.back().first << " us (" << reference_.back().second
                << ")\n";
    }
    for (const auto& [us, name] : other_) std::cout << name << ": " << us << " us\n";
  }

 private:
  std::vector<std::pair<double, std::string>> reference_, other_;
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<Run> runs;
  LoadSet("exact-model", &runs);
  LoadSet("exact-model-kinds", &runs);
  AddResNet("resnet50_3x3_56x56x64x64_kcp_256pe", kResNetKcp, &runs);
  AddResNet("resnet50_3x3_56x56x64x64_yrp_256pe", kResNetYrp, &runs);
  for (const Run& run : runs) {
    benchmark::RegisterBenchmark(run.name.c_str(), [&run](benchmark::State& state) {
      const cadenza::ExactModel model(run.layer, run.hw);
      for (auto _ : state) benchmark::DoNotOptimize(model.Evaluate(run.mapping));
    })->Unit(benchmark::kMicrosecond);
  }
  benchmark::Initialize(&argc, argv);
  CollectingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintSummary();
  benchmark::Shutdown();
  return 0;
}
