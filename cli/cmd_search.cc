// `cadenza search`: the best dataflow for every layer of an ONNX model or `.m` network, with a
// summary on stdout and the review report as HTML, JSON and CSV files.

#include <chrono>
#include <cxxopts.hpp>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzer/error.h"
#include "analyzer/hardware.h"
#include "analyzer/layer.h"
#include "analyzer/input_file.h"
#include "cli/common_options.h"
#include "cli/output_file.h"
#include "cli/run_support.h"
#include "cli/sha256.h"
#include "cli/subcommands.h"
#include "importer/maestro_reader.h"
#include "importer/onnx_importer.h"
#include "report/report.h"
#include "search/search.h"
#include "search/templates.h"

namespace cadenza::cli {

namespace {

cxxopts::Options SearchCommandOptions() {
  cxxopts::Options options(
      "cadenza search",
      "Searches the best dataflow for every layer of an ONNX model or a MAESTRO .m network\n"
      "(the .m file's own dataflows are ignored) and reports whole-network latency and energy.\n"
      "Prints a per-layer summary; -o writes a self-contained HTML review report, --json and\n"
      "--csv the same data. Exit codes: 0 done, 1 bad input or a layer without a feasible\n"
      "mapping, 2 bad command line.\n");
  options.custom_help("MODEL.onnx|NETWORK.m [OPTIONS]");
  options.positional_help("");
  AddModelFileArgument(options);
  AddHardwareOption(options);
  AddCostModelOption(options, kDefaultSearchCostModel);
  AddObjectiveOption(options, "what to minimise per layer: latency, energy or edp");
  AddCandidateOptions(options, 20'000, "candidates kept per layer and template");
  AddThreadsOption(options);
  AddStrictOption(options);
  AddOutputOptions(options, "write the HTML report here (replaced atomically)",
                   "write the report's JSON here (replaced atomically)",
                   "write one CSV row per layer here (replaced atomically)");
  AddEmitMaestroOption(options, "write the chosen mapping of every layer as a MAESTRO .m network "
                                "here, which 'cadenza eval --mapping OUT.m' evaluates (replaced "
                                "atomically)");
  options.add_options()
      ("compare-models", "also evaluate every chosen mapping under the other cost model and "
                         "list the differences per layer (adds seconds: about 8 s on "
                         "ResNet-50)")
      ("exhaustive", "evaluate every candidate: without it, candidates whose lower bound "
                     "cannot beat their family's best are skipped, which changes no choice, only "
                     "the feasible counts")
      ("list-templates", "print the dataflow templates (with --templates, the file's too) and "
                         "exit")
      ("h,help", "print this help");
  AddModelShapeOptions(options);
  return options;
}

// Renders every document before writing any, so a failure leaves no partial set; prints the
// summary (on stderr when a document goes to stdout) and the files written.
// `maestro_text` is the --emit-maestro document.
void WriteSearchOutputs(const NetworkReport& report, const std::string& maestro_text,
                        double seconds,
                        const std::vector<std::pair<std::string, std::string>>& output_paths) {
  std::vector<std::string> rendered;
  for (const auto& [flag, path] : output_paths) {
    std::ostringstream text;
    if (flag == "--emit-maestro") {
      text << maestro_text;
    } else if (flag == "-o") {
      WriteHtml(report, text);
    } else if (flag == "--json") {
      WriteJson(report, text);
    } else {
      WriteCsv(report, text);
    }
    rendered.push_back(std::move(text).str());
  }
  std::ostream& summary = AnyToStdout(output_paths) ? std::cerr : std::cout;
  WriteText(report, summary);
  summary << "search took " << FormatSi(seconds, "s") << '\n';
  for (size_t i = 0; i < output_paths.size(); ++i) {
    WriteOutput(output_paths[i].second, rendered[i]);
    if (output_paths[i].second != kStdoutPath) summary << "wrote " << output_paths[i].second << '\n';
  }
}

}  // namespace

int RunSearch(int argc, char** argv) {
  cxxopts::Options options = SearchCommandOptions();
  const std::optional<cxxopts::ParseResult> parsed =
      ParseCommandLine("search", options, {std::string(kModelFileKey)}, argc, argv);
  if (!parsed) return 0;
  const cxxopts::ParseResult& args = *parsed;

  TemplateLibrary library = TemplateLibrary::Builtin();
  std::string templates_path;
  if (args.count("templates") > 0) {
    templates_path = args["templates"].as<std::string>();
    library.Append(TemplateLibrary::Read(templates_path));
  }
  if (args.count("list-templates") > 0) {
    std::cout << TemplateLibrary::BuiltinText();
    if (!templates_path.empty()) {
      std::cout << "\n// ---------------------------------------------------------------- "
                << templates_path << "\n"
                << ReadInputFile(templates_path);
    }
    return 0;
  }

  const ModelFile model = ParseModelFile("search", args);
  SearchOptions search = ParseSearchOptions("search", args);
  search.prune = args.count("exhaustive") == 0;
  const ImportOptions import = ParseModelShapeOptions("search", args, model.is_onnx);
  const std::vector<std::pair<std::string, std::string>> output_paths = ParseOutputOptions(args);
  CheckOutputPaths("search", output_paths,
                   {{"model", model.path}, {"hardware file", HardwarePath(args)}});

  const LoadedHardware loaded_hw = LoadHardware(args);
  const Hardware& hw = loaded_hw.hw;
  LoadedModel loaded = LoadModel(model.path, model.is_onnx, import, search.model,
                                 "the dataflows this file gives are not used; the search picks "
                                 "its own ('cadenza eval' evaluates the file's)");
  CheckStrict(args, model.path, loaded);

  Progress progress("searching", "candidates");
  search.progress = [&progress](int64_t done, int64_t total) { progress.Update(done, total); };
  const auto start = std::chrono::steady_clock::now();
  const SearchResult result = SearchNetwork(loaded.network, hw, library, search);
  const double seconds = SecondsSince(start);

  ReportContext context = std::move(loaded.context);
  context.model_path = model.path;
  context.model_sha256 = Sha256OfFile(model.path);
  context.date = IsoDate();
  context.version = CADENZA_VERSION;
  context.command_line = CommandLine(argc, argv);
  context.hardware_source = loaded_hw.source;
  context.hardware_text = loaded_hw.text;
  context.compare_models = args.count("compare-models") > 0;
  if (!templates_path.empty()) {
    context.warnings.insert(context.warnings.begin(),
                            "dataflow templates of " + templates_path + " added to the built-in ones");
  }
  std::string maestro_text;
  if (args.count("emit-maestro") > 0) {
    maestro_text = ChosenMappingsText(
        loaded.network, result,
        EmittedMappingComments(context.command_line, loaded_hw.source, HardwarePath(args),
                               search.model));
  }
  WriteSearchOutputs(BuildReport(loaded.network, result, hw, context), maestro_text, seconds,
                     output_paths);
  if (result.totals.layers_without_mapping > 0) {
    std::cerr << "cadenza: error: " << result.totals.layers_without_mapping
              << " layer(s) have no feasible mapping on this hardware (see the report)\n";
    return 1;
  }
  return 0;
}

}  // namespace cadenza::cli
