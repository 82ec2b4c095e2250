// Microseconds (CPU time, one thread) per ExactModel::Evaluate: every case of the exact-model
// reference sets (tests/data/exact-model, tests/data/exact-model-kinds) and ResNet-50 3x3 and 1x1
// layers under the built-in KC-P and YR-P templates' canonical mappings on 256 PEs. Prints the
// median and slowest evaluation of the reference cases, then the ResNet-50 figures. CPU time,
// because the machines it runs on are shared. `--quick` skips Google Benchmark's calibration
// (slow on a loaded machine): the fastest of 20 evaluations per reference case, one per ResNet-50
// case. `--band` evaluates a fixed set of reference cases a fixed number of times (below).

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <time.h>

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

// ResNet-50 layers (padding folded into Y, X) under the built-in templates' canonical KC-P and
// YR-P parameters (search/builtin_templates.cc: kcp with TK=1, TC=64, CL=64, TY=TX=1; yrp with
// TX=1, TC=1, TK=16) on 256 PEs.
struct ResNetLayer {
  const char* name;
  int k, c, r, y;  // R = S, Y = X (input, padding included)
};
constexpr ResNetLayer kResNetLayers[] = {
    {"res2_3x3_56x56x64x64", 64, 64, 3, 58},
    {"res4_3x3_14x14x256x256", 256, 256, 3, 16},
    {"res2_1x1_56x56x64to256", 256, 64, 1, 56},
    {"res4_1x1_14x14x1024to256", 256, 1024, 1, 14},
};

constexpr const char* kKcp = R"(
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
)";
constexpr const char* kYrp = R"(
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
)";

// The mappings `cadenza search models/resnet50.onnx` chooses for res4's 1x1 1024->256 layer
// (tpu: CL=16 CM=16 TK=1 TY=14 TX=14) and res4's 1x1 256->1024 layer (kcp: TK=1 CL=16 CM=16
// TY=14 TX=14): one level-0 step spans the whole output plane, so the walked top steps are long.
constexpr const char* kTpuChosen = R"(
      TemporalMap(256,256) C;
      SpatialMap(1,1) K;
      TemporalMap(Sz(R),Sz(R)) R;
      TemporalMap(Sz(S),Sz(S)) S;
      TemporalMap(14,14) Y;
      TemporalMap(14,14) X;
      Cluster(16, P);
      SpatialMap(1,1) C;
      TemporalMap(Sz(R),1) Y;
      TemporalMap(Sz(S),1) X;
      TemporalMap(Sz(R),Sz(R)) R;
      TemporalMap(Sz(S),Sz(S)) S;
)";
constexpr const char* kKcpChosen = R"(
      SpatialMap(1,1) K;
      TemporalMap(256,256) C;
      TemporalMap(Sz(R),Sz(R)) R;
      TemporalMap(Sz(S),Sz(S)) S;
      TemporalMap(14,14) Y;
      TemporalMap(14,14) X;
      Cluster(16, P);
      SpatialMap(1,1) C;
      TemporalMap(Sz(R),1) Y;
      TemporalMap(Sz(S),1) X;
      TemporalMap(Sz(R),Sz(R)) R;
      TemporalMap(Sz(S),Sz(S)) S;
)";

std::string ResNetText(const ResNetLayer& l, const char* dataflow) {
  const std::string r = std::to_string(l.r), y = std::to_string(l.y);
  return "Network r50 {\n  Layer " + std::string(l.name) + " {\n    Type: CONV\n    Dimensions { K: " +
         std::to_string(l.k) + ", C: " + std::to_string(l.c) + ", R: " + r + ", S: " + r +
         ", Y: " + y + ", X: " + y + " }\n    Dataflow {" + dataflow + "    }\n  }\n}\n";
}

void AddResNet(const std::string& name, const std::string& text, std::vector<Run>* runs) {
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
          .emplace_back(r.GetAdjustedCPUTime(), name);
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void PrintSummary() {
    if (!reference_.empty()) {
      std::sort(reference_.begin(), reference_.end());
      std::cout << "\nExactModel::Evaluate over " << reference_.size()
                << " reference cases (one thread, CPU time): median " << reference_[reference_.size() / 2].first
                << " us, slowest " << reference_.back().first << " us (" << reference_.back().second
                << ")\n";
    }
    for (const auto& [us, name] : other_) std::cout << name << ": " << us << " us (CPU)\n";
  }

 private:
  std::vector<std::pair<double, std::string>> reference_, other_;
};

// CPU time of the calling thread.
double ThreadCpuMicroseconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

// --quick: each run evaluated `repeats` times, the fastest taken (a loaded machine only ever
// adds time), without Google Benchmark's calibration; prints the same summary.
int Quick(const std::vector<Run>& runs, int repeats) {
  std::vector<std::pair<double, std::string>> reference;
  for (const Run& run : runs) {
    const cadenza::ExactModel model(run.layer, run.hw);
    double best = 0;
    for (int i = 0; i < (run.reference ? repeats : 1); ++i) {
      const double start = ThreadCpuMicroseconds();
      benchmark::DoNotOptimize(model.Evaluate(run.mapping));
      const double us = ThreadCpuMicroseconds() - start;
      best = i == 0 ? us : std::min(best, us);
    }
    if (run.reference) {
      reference.emplace_back(best, run.name);
    } else {
      std::cout << run.name << ": " << best << " us (CPU)\n";
    }
  }
  std::sort(reference.begin(), reference.end());
  // The spread as well as the median: which end of the set a change moved.
  std::cout << "percentiles of the reference cases (us):";
  for (int p : {10, 25, 50, 75, 90}) {
    std::cout << " p" << p << " " << reference[reference.size() * static_cast<size_t>(p) / 100].first;
  }
  std::cout << "\n";
  if (std::getenv("CADENZA_BENCH_MEDIAN_CASES") != nullptr && reference.size() >= 12) {
    for (size_t i = reference.size() / 2 - 6; i < reference.size() / 2 + 6; ++i) {
      std::cout << "  " << reference[i].second << " " << reference[i].first << " us\n";
    }
  }
  std::cout << "ExactModel::Evaluate over " << reference.size()
            << " reference cases (one thread, CPU time, fastest of " << repeats << "): median "
            << reference[reference.size() / 2].first << " us, slowest " << reference.back().first
            << " us (" << reference.back().second << ")\n";
  return 0;
}

// --band [CASES] [TIMES]: only the named reference cases (ids such as e124 or k029, comma
// separated; by default twelve cases near the median), each evaluated TIMES times (2,000 by
// default): a fixed amount of work, for alternating timed runs of two builds on a loaded machine
// or for an instruction count (valgrind --tool=callgrind), which no load moves.
constexpr const char* kMedianBand = "e124,e043,k029,e197,e017,e290,e181,k038,e215,e172,k003,e228";

int Band(const std::vector<Run>& runs, const std::string& list, int times) {
  std::vector<std::string> wanted;
  std::stringstream ss(list);
  std::string id;
  while (std::getline(ss, id, ',')) wanted.push_back(id);
  int64_t evaluations = 0;
  const double start = ThreadCpuMicroseconds();
  for (const std::string& want : wanted) {
    const auto run = std::find_if(runs.begin(), runs.end(), [&](const Run& r) {
      return r.reference && r.name.substr(r.name.find('/') + 1) == want;
    });
    if (run == runs.end()) {
      std::cerr << "exact_model_bench: no reference case '" << want << "'\n";
      return 1;
    }
    const cadenza::ExactModel model(run->layer, run->hw);
    for (int i = 0; i < times; ++i) benchmark::DoNotOptimize(model.Evaluate(run->mapping));
    evaluations += times;
    if (wanted.size() == 1) {
      // How the counts were reached: steps walked one by one cost the most.
      const cadenza::ExactCounts c = model.Evaluate(run->mapping);
      std::cout << want << ": " << c.macs << " MACs, " << c.steps << " global steps ("
                << c.class_steps << " from the step before, " << c.block_steps
                << " in level-1 blocks), " << c.top_steps << " top steps (" << c.class_top_steps
                << " from classes, " << c.block_top_steps << " in outer blocks)\n";
    }
  }
  const double us = ThreadCpuMicroseconds() - start;
  std::cout << evaluations << " evaluations of " << wanted.size() << " reference cases: "
            << us / static_cast<double>(evaluations) << " us each (one thread, CPU time)\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<Run> runs;
  LoadSet("exact-model", &runs);
  LoadSet("exact-model-kinds", &runs);
  for (const ResNetLayer& l : kResNetLayers) {
    AddResNet(std::string("resnet50_") + l.name + "_kcp_256pe", ResNetText(l, kKcp), &runs);
    AddResNet(std::string("resnet50_") + l.name + "_yrp_256pe", ResNetText(l, kYrp), &runs);
  }
  AddResNet("resnet50_res4_1x1_14x14x1024to256_tpu_chosen_256pe",
            ResNetText(kResNetLayers[3], kTpuChosen), &runs);
  AddResNet("resnet50_res4_1x1_14x14x256to1024_kcp_chosen_256pe",
            ResNetText({"res4_1x1_14x14x256to1024", 1024, 256, 1, 14}, kKcpChosen), &runs);
  if (argc > 1 && std::string(argv[1]) == "--quick") return Quick(runs, 20);
  if (argc > 1 && std::string(argv[1]) == "--band") {
    const std::string list = argc > 2 ? argv[2] : kMedianBand;
    const int times = argc > 3 ? std::max(1, std::atoi(argv[3])) : 2000;
    return Band(runs, list, times);
  }
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
