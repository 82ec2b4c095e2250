// `cadenza eval`: the MAESTRO-compatible evaluation of a `.m` network, each layer under the
// dataflow its file gives it.

#include <algorithm>
#include <cxxopts.hpp>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "analyzer/cost_model.h"
#include "analyzer/error.h"
#include "analyzer/mapping.h"
#include "cli/common_options.h"
#include "cli/output_file.h"
#include "cli/run_support.h"
#include "cli/subcommands.h"
#include "importer/maestro_reader.h"
#include "report/eval_writers.h"
#include "report/layer_warnings.h"

namespace cadenza::cli {

namespace {

// "file:line: layer 'name'", the prefix of every message about a layer.
std::string Where(const MaestroModel& model, size_t layer, int line) {
  return model.network.source_path + ":" + std::to_string(line) + ": layer '" +
         model.network.layers[layer].name + "'";
}

int LayerLine(const MaestroModel& model, size_t layer) {
  return layer < model.layer_lines.size() ? model.layer_lines[layer] : 0;
}

// The error for an infeasible result, naming the directive at fault when there is one.
std::string InfeasibleMessage(const MaestroModel& model, size_t layer, const CostResult& r) {
  const Mapping& mapping = model.mappings[layer];
  if (r.infeasible == Infeasible::kCoverage && r.exact) {
    return Where(model, layer, LayerLine(model, layer)) + ": coverage: " +
           std::to_string(r.exact->missing_macs) + " MACs missing, " +
           std::to_string(r.exact->extra_macs) + " extra (" +
           std::string(InfeasibleExplanation(r.infeasible)) + ")";
  }
  const int d = r.infeasible_directive;
  if (d < 0 || d >= mapping.size()) {
    return Where(model, layer, LayerLine(model, layer)) + ": " +
           std::string(InfeasibleExplanation(r.infeasible));
  }
  int line = LayerLine(model, layer);
  if (layer < model.directive_lines.size() &&
      static_cast<size_t>(d) < model.directive_lines[layer].size()) {
    line = model.directive_lines[layer][static_cast<size_t>(d)];
  }
  std::string directive = ToString(mapping[d]);
  if (!directive.empty() && directive.back() == ';') directive.pop_back();
  return Where(model, layer, line) + ": " + directive + ": " +
         std::string(InfeasibleExplanation(r.infeasible));
}

// One layer under its file's dataflow with `kind`; an error, rather than a result, when the
// model cannot take the layer or the mapping is infeasible.
EvalRow EvaluateLayer(const MaestroModel& model, size_t i, CostModelKind kind, const Hardware& hw) {
  const Layer& layer = model.network.layers[i];
  EvalRow row;
  row.layer = &layer;
  row.mapping = &model.mappings[i];
  try {
    const std::unique_ptr<LayerCostModel> cost_model = MakeLayerCostModel(kind, layer, hw);
    row.result = cost_model->Evaluate(model.mappings[i]);
    if (!row.result.ok()) {
      row.error = InfeasibleMessage(model, i, row.result);
    } else {
      row.warnings = LayerResultWarnings(layer, row.result, hw);
    }
  } catch (const InputError& e) {
    // A layer the model cannot take; the others are still worth evaluating.
    row.error = Where(model, i, LayerLine(model, i)) + ": " + e.what();
  }
  return row;
}

cxxopts::Options EvalCommandOptions() {
  cxxopts::Options options(
      "cadenza eval",
      "Evaluates every layer of a MAESTRO .m network under the dataflow the file gives it,\n"
      "with the MAESTRO-compatible cost model (--model exact: the exact one). Prints a\n"
      "per-layer summary; --csv writes the original tool's 52 columns plus Cadenza's, --json\n"
      "every statistic. An ONNX model has no dataflows to evaluate: 'cadenza search' finds them.\n"
      "Exit codes: 0 done, 1 bad input or a layer that could not be evaluated, 2 bad command\n"
      "line.\n");
  options.custom_help("--mapping FILE.m [--hw HW] [OPTIONS]");
  AddMappingOption(options);
  AddHardwareOption(options);
  options.add_options()
      ("simd-lanes", "MACs per PE per cycle, overriding the hardware file's (MAESTRO's "
                     "--num_simd_lanes; default: the hardware's, 1 unless it says otherwise)",
       cxxopts::value<int64_t>(), "N");
  AddCostModelOption(options, kDefaultEvalCostModel);
  AddOutputOptions(options, "", "write the JSON here (replaced atomically; - is standard output)",
                   "write the CSV here (replaced atomically; - is standard output)");
  options.add_options()
      ("keep-going", "when some layer cannot be evaluated, still write --csv/--json with the "
       "other layers (an error row for it); the exit code is 1 all the same")
      ("h,help", "print this help");
  return options;
}

// Prints the table (on stderr when a document goes to stdout) and writes the documents, unless
// a layer failed without --keep-going. Returns the exit code.
int WriteEvalOutputs(const EvalReport& report, bool failed, bool keep_going,
                     const std::vector<std::pair<std::string, std::string>>& output_paths) {
  std::ostream& summary = AnyToStdout(output_paths) ? std::cerr : std::cout;
  WriteEvalTable(report, summary);
  if (failed && !keep_going && !output_paths.empty()) {
    // Exit 1 writes nothing: a file with a hole in it must be asked for.
    std::cerr << "cadenza: error: no output written because a layer could not be evaluated "
                 "(--keep-going writes the other layers)\n";
    return 1;
  }
  for (const auto& [flag, path] : output_paths) {
    WriteOutput(path, [&, &f = flag](std::ostream& out) {
      if (f == "--csv") {
        WriteEvalCsv(report, out);
      } else {
        WriteEvalJson(report, out);
      }
    });
    if (path != kStdoutPath) summary << "wrote " << path << '\n';
  }
  return failed ? 1 : 0;
}

}  // namespace

int RunEval(int argc, char** argv) {
  cxxopts::Options options = EvalCommandOptions();
  const std::optional<cxxopts::ParseResult> parsed =
      ParseCommandLine("eval", options, {}, argc, argv);
  if (!parsed) return 0;
  const cxxopts::ParseResult& args = *parsed;
  const std::string mapping_path = ParseMappingPath("eval", args);
  const std::string hw_path = HardwarePath(args);
  if (EndsWith(mapping_path, ".onnx")) {
    // Before the reader, whose parse error would not say what to do instead.
    throw UsageError("eval: '" + mapping_path + "' is an ONNX model, which gives no dataflows to "
                     "evaluate; 'cadenza search' finds them");
  }
  const std::optional<int64_t> simd_lanes = ParseSimdLanes("eval", args);
  const CostModelKind kind = ParseCostModel("eval", args);

  const std::vector<std::pair<std::string, std::string>> output_paths = ParseOutputOptions(args);
  CheckOutputPaths("eval", output_paths, {{"mapping file", mapping_path}, {"hardware file", hw_path}});
  const MaestroModel model = ReadMaestroModel(mapping_path);
  LoadedHardware loaded_hw = LoadHardware(args);
  Hardware& hw = loaded_hw.hw;
  if (simd_lanes) hw.simd_lanes = *simd_lanes;

  EvalReport report;
  report.version = CADENZA_VERSION;
  report.cost_model = std::string(CostModelName(kind));
  report.network = model.network.name;
  report.mapping_path = mapping_path;
  report.hardware_path = loaded_hw.source;
  report.hardware = hw;
  report.warnings = model.network.warnings;  // each names its file and line
  for (const std::string& w : report.warnings) std::cerr << "cadenza: warning: " << w << '\n';

  bool failed = false;
  for (size_t i = 0; i < model.network.layers.size(); ++i) {
    EvalRow row = EvaluateLayer(model, i, kind, hw);
    if (!row.ok()) {
      failed = true;
      std::cerr << "cadenza: error: " << row.error << '\n';
    }
    for (const std::string& w : row.warnings) {
      std::cerr << "cadenza: warning: " << Where(model, i, LayerLine(model, i)) << ": " << w
                << '\n';
    }
    report.rows.push_back(std::move(row));
  }
  return WriteEvalOutputs(report, failed, args.count("keep-going") > 0, output_paths);
}

}  // namespace cadenza::cli
