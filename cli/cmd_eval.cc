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
#include "report/eval_run.h"
#include "report/eval_writers.h"

namespace cadenza::cli {

namespace {

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

  std::vector<std::pair<bool, std::string>> messages;
  EvalReport report = EvaluateNetwork(
      {&model.network, &model.mappings, &model.layer_lines, &model.directive_lines}, kind, hw,
      &messages);
  report.version = CADENZA_VERSION;
  report.mapping_path = mapping_path;
  report.hardware_path = loaded_hw.source;
  bool failed = false;
  for (const auto& [is_error, text] : messages) {
    failed = failed || is_error;
    std::cerr << (is_error ? "cadenza: error: " : "cadenza: warning: ") << text << '\n';
  }
  return WriteEvalOutputs(report, failed, args.count("keep-going") > 0, output_paths);
}

}  // namespace cadenza::cli
