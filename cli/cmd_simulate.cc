// `cadenza simulate`: the brute-force reference simulator of the exact model on every layer of a
// `.m` network, each under the dataflow its file gives it (docs/simulator.md).

#include <cxxopts.hpp>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/error.h"
#include "analyzer/layer.h"
#include "cli/common_options.h"
#include "cli/output_file.h"
#include "cli/run_support.h"
#include "cli/subcommands.h"
#include "importer/maestro_reader.h"
#include "report/eval_writers.h"
#include "report/hardware_json.h"
#include "report/json_writer.h"
#include "simulator/simulator.h"

namespace cadenza::cli {

namespace {

struct LayerRun {
  const Layer* layer = nullptr;
  bool simulated = false;  // false: an input error stopped it
  SimulationResult result;
  std::string error;  // set when the layer could not be simulated or its mapping is illegal
};

std::string TensorTriple(const PerTensor<int64_t>& v) {
  return "input " + std::to_string(v[Tensor::kInput]) + ", weight " +
         std::to_string(v[Tensor::kFilter]) + ", output " + std::to_string(v[Tensor::kOutput]);
}

void PrintRun(const LayerRun& run, std::ostream& out) {
  out << "layer " << run.layer->name << " (" << OpKindName(run.layer->kind) << ")";
  const SimulationResult& r = run.result;
  if (!run.simulated) {
    out << ": not simulated\n";
    return;
  }
  if (!r.legal) {
    out << ": illegal mapping, " << r.missing_macs << " MACs missing, " << r.extra_macs
        << " extra\n";
    return;
  }
  const std::pair<const char*, std::string> rows[] = {
      {"MACs", std::to_string(r.macs)},
      {"runtime", std::to_string(r.runtime_cycles) + " cycles (on-chip " +
                      std::to_string(r.onchip_cycles) + ")"},
      {"steps", std::to_string(r.steps) + " global, " + std::to_string(r.top_steps) + " top"},
      {"ingress", TensorTriple(r.ingress)},
      {"  unicast", TensorTriple(r.ingress_unicast)},
      {"egress", std::to_string(r.egress) + " (unicast " + std::to_string(r.egress_unicast) + ")"},
      {"L1 / L2 need", std::to_string(r.l1_elements) + " / " + std::to_string(r.l2_elements) +
                           " elements"},
      {"DRAM reads", TensorTriple(r.dram_reads)},
      {"DRAM writes", std::to_string(r.dram_writes)},
  };
  out << "\n";
  for (const auto& [name, value] : rows) {
    out << "  " << std::left << std::setw(14) << name << value << "\n";
  }
}

// The counts in the form of the reference files (tests/data/exact-model/README.md).
void WriteExact(JsonWriter& json, const SimulationResult& r) {
  json.BeginObject();
  json.Field("legal", r.legal);
  WriteExactCountFields(json, r);
  json.EndObject();
}

// One layer under its file's dataflow; an error instead of counts when the simulator cannot
// take it or the mapping does not cover every MAC exactly once.
LayerRun SimulateLayer(const MaestroModel& model, size_t i, const std::string& mapping_path,
                       const Hardware& hw, const SimulatorOptions& sim) {
  LayerRun run;
  run.layer = &model.network.layers[i];
  const std::string where = mapping_path + ": layer '" + run.layer->name + "'";
  try {
    run.result = Simulate(*run.layer, model.mappings[i], hw, sim);
    run.simulated = true;
    if (!run.result.legal) {
      run.error = where + ": coverage: " + std::to_string(run.result.missing_macs) +
                  " MACs missing, " + std::to_string(run.result.extra_macs) + " extra";
    }
  } catch (const InputError& e) {
    // The other layers are still worth simulating; the run fails at the end.
    run.error = where + ": " + e.what();
  }
  return run;
}

// Every layer's counts, with the inputs and the simulator's options, as one JSON document.
void WriteRunsJson(const MaestroModel& model, const std::string& mapping_path,
                   const std::string& hw_path, const Hardware& hw, const SimulatorOptions& sim,
                   const std::vector<LayerRun>& runs, std::ostream& out) {
  JsonWriter json(out);
  json.BeginObject();
  json.Field("tool", "cadenza");
  json.Field("version", CADENZA_VERSION);
  json.Field("command", "simulate");
  json.Field("network", model.network.name);
  json.Field("mapping_file", mapping_path);
  json.Field("hardware_file", hw_path);
  json.Key("hardware");
  json.BeginObject();
  WriteHardwareFields(json, hw);
  json.EndObject();
  json.Field("multicast", sim.multicast);
  json.Field("reduction", sim.reduction);
  json.Key("layers");
  json.BeginArray();
  for (const LayerRun& run : runs) {
    json.BeginObject();
    json.Field("name", run.layer->name);
    json.Field("type", OpKindName(run.layer->kind));
    json.Key("exact");
    WriteExact(json, run.result);
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  out << '\n';
}

}  // namespace

int RunSimulate(int argc, char** argv) {
  cxxopts::Options options(
      "cadenza simulate",
      "Runs the brute-force reference simulator of the exact model on every layer of a MAESTRO\n"
      ".m network, under the dataflow the file gives it: every global step, every sub-unit,\n"
      "explicit sets of elements. Slow on purpose; for small layers (docs/simulator.md).\n"
      "Prints the counts per layer; --json writes them. An illegal mapping (some MAC executed\n"
      "never or more than once) is an error.\n");
  options.custom_help("--mapping FILE.m [--hw HW] [OPTIONS]");
  AddMappingOption(options);
  AddHardwareOption(options, "; its PEs, NoC and off-chip bandwidths are used");
  options.add_options()
      ("simd-lanes", "MACs per PE per cycle, overriding the hardware file's (default: the "
                     "hardware's, 1 unless it says otherwise)",
       cxxopts::value<int64_t>(), "N")
      ("no-multicast", "count each PE's ingress separately in the step delays")
      ("no-reduction", "count each PE's partial sums separately in the step delays")
      ("json", "write the counts as JSON here (replaced atomically)",
       cxxopts::value<std::string>(), "OUT")
      ("h,help", "print this help");
  const std::optional<cxxopts::ParseResult> parsed =
      ParseCommandLine("simulate", options, {}, argc, argv);
  if (!parsed) return 0;
  const cxxopts::ParseResult& args = *parsed;
  const std::string mapping_path = ParseMappingPath("simulate", args);
  const std::string hw_path = HardwarePath(args);
  std::string json_path;
  if (args.count("json") > 0) {
    json_path = args["json"].as<std::string>();
    CheckOutputPaths("simulate", {{"--json", json_path}},
                     {{"mapping file", mapping_path}, {"hardware file", hw_path}});
  }
  SimulatorOptions sim;
  sim.multicast = args.count("no-multicast") == 0;
  sim.reduction = args.count("no-reduction") == 0;

  const MaestroModel model = ReadMaestroModel(mapping_path);
  const std::optional<int64_t> simd_lanes = ParseSimdLanes("simulate", args);
  LoadedHardware loaded_hw = LoadHardware(args);
  Hardware& hw = loaded_hw.hw;
  if (simd_lanes) hw.simd_lanes = *simd_lanes;
  for (const std::string& w : model.network.warnings) {
    std::cerr << "cadenza: warning: " << w << '\n';
  }

  std::vector<LayerRun> runs;
  bool failed = false;
  for (size_t i = 0; i < model.network.layers.size(); ++i) {
    LayerRun run = SimulateLayer(model, i, mapping_path, hw, sim);
    if (!run.error.empty()) {
      failed = true;
      std::cerr << "cadenza: error: " << run.error << '\n';
    }
    PrintRun(run, json_path == kStdoutPath ? std::cerr : std::cout);  // "-": the JSON is stdout
    runs.push_back(std::move(run));
  }
  if (failed) return 1;  // no output file for an illegal or unusable layer

  if (!json_path.empty()) {
    WriteOutput(json_path, [&](std::ostream& out) {
      WriteRunsJson(model, mapping_path, loaded_hw.source, hw, sim, runs, out);
    });
    if (json_path != kStdoutPath) std::cout << "wrote " << json_path << '\n';
  }
  return 0;
}

}  // namespace cadenza::cli
