// The search against a brute-force sweep of the canonical dataflows (search/canonical_sweep.h):
// per layer, the search's objective and the sweep's best, and every layer where the sweep finds
// a better mapping (a hole in the built-in templates' space). Usage:
//   cadenza_sweep_bench [MODEL.onnx [HW]] [--model exact|maestro] [--objective edp|latency|energy]
//                       [--batch N] [--layers I,J,...] [--all]
// Defaults: models/mobilenet_v2.onnx, models/hw/accel256.m (256 PEs, NoC 32), the exact model,
// EDP. --layers keeps only the listed layers (0-based, in network order), e.g. to compare large
// networks under the exact model a few layers at a time. --all prints every layer, not only the
// holes. Exits 1 when some layer has a hole.

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "importer/hardware_config.h"
#include "importer/onnx_importer.h"
#include "search/canonical_sweep.h"

namespace {

std::string Text(const std::vector<cadenza::NamedParam>& params) {
  std::string s;
  for (const cadenza::NamedParam& p : params) {
    s += (s.empty() ? "" : " ") + p.name + "=" + std::to_string(p.value);
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> files;
  cadenza::SearchOptions options;
  options.model = cadenza::CostModelKind::kExact;
  cadenza::ImportOptions import;
  bool all = false;
  std::vector<size_t> only;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--model" && has_value) {
      const auto kind = cadenza::CostModelFromName(argv[++i]);
      if (!kind) return std::fprintf(stderr, "unknown model '%s'\n", argv[i]), 2;
      options.model = *kind;
    } else if (arg == "--objective" && has_value) {
      const auto objective = cadenza::ObjectiveFromName(argv[++i]);
      if (!objective) return std::fprintf(stderr, "unknown objective '%s'\n", argv[i]), 2;
      options.objective = *objective;
    } else if (arg == "--batch" && has_value) {
      import.batch_size = std::atoll(argv[++i]);
      if (import.batch_size < 1) return std::fprintf(stderr, "--batch must be at least 1\n"), 2;
    } else if (arg == "--layers" && has_value) {
      for (const char* p = argv[++i]; *p != '\0';) {
        char* end = nullptr;
        only.push_back(static_cast<size_t>(std::strtoull(p, &end, 10)));
        if (end == p) return std::fprintf(stderr, "--layers takes I,J,...\n"), 2;
        p = *end == ',' ? end + 1 : end;
      }
    } else if (arg == "--all") {
      all = true;
    } else if (arg.rfind("--", 0) == 0) {
      return std::fprintf(stderr, "unknown option '%s'\n", arg.c_str()), 2;
    } else {
      files.push_back(arg);
    }
  }
  const std::string root = CADENZA_SOURCE_DIR;
  const std::string model = files.size() > 0 ? files[0] : root + "/models/mobilenet_v2.onnx";
  const std::string hw_path = files.size() > 1 ? files[1] : root + "/models/hw/accel256.m";
  cadenza::Network net = cadenza::ImportOnnx(model, import).network;
  if (!only.empty()) {
    std::vector<cadenza::Layer> kept;
    for (size_t i : only) {
      if (i >= net.layers.size()) return std::fprintf(stderr, "no layer %zu\n", i), 2;
      kept.push_back(net.layers[i]);
    }
    net.layers = std::move(kept);
  }
  const cadenza::Hardware hw = cadenza::ReadHardwareFile(hw_path);

  const cadenza::SweepReport r =
      cadenza::CompareWithSweep(net, hw, cadenza::TemplateLibrary::Builtin(), options);
  std::printf("%s on %s, %s model, objective %s, batch %lld\n", model.c_str(), hw_path.c_str(),
              std::string(cadenza::CostModelName(options.model)).c_str(),
              std::string(cadenza::ObjectiveName(options.objective)).c_str(),
              static_cast<long long>(import.batch_size));
  std::printf("%-4s %-40s %10s %-5s %10s %-5s %8s\n", "#", "layer", "search", "", "sweep", "",
              "ratio");
  int holes = 0;
  double worst = 1;
  int64_t search_candidates = 0, sweep_candidates = 0;
  for (const cadenza::SweepComparison& c : r.layers) {
    const cadenza::Layer& layer = net.layers[static_cast<size_t>(c.layer_index)];
    const double ratio = c.search_found && c.sweep_found && c.sweep_objective > 0
                             ? c.search_objective / c.sweep_objective
                             : 0;
    if (c.hole()) {
      ++holes;
      if (ratio > worst) worst = ratio;
    }
    search_candidates += c.search_candidates;
    sweep_candidates += c.sweep_candidates;
    if (!all && !c.hole()) continue;
    std::printf("%-4d %-40.40s %10.4g %-5s %10.4g %-5s %8.4f%s\n     search: %s\n     sweep:  %s\n",
                c.layer_index, layer.name.c_str(), c.search_objective, c.search_family.c_str(),
                c.sweep_objective, c.sweep_family.c_str(), ratio, c.hole() ? "  HOLE" : "",
                Text(c.search_params).c_str(), Text(c.sweep_params).c_str());
  }
  std::printf(
      "%zu layers, %d with a better sweep mapping (worst search/sweep %.4f)\n"
      "search: %lld candidates (layers searched once per shape counted per layer), %.3f s, "
      "network objective %.6g\nsweep:  %lld candidates, %.3f s, network objective %.6g\n",
      r.layers.size(), holes, worst, static_cast<long long>(search_candidates), r.search_seconds,
      cadenza::NetworkObjective(r.search_totals, options.objective),
      static_cast<long long>(sweep_candidates), r.sweep_seconds,
      cadenza::NetworkObjective(r.sweep_totals, options.objective));
  return holes == 0 ? 0 : 1;
}
