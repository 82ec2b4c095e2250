// `cadenza search`: the best dataflow for every layer of an ONNX model or `.m` network, with a
// summary on stdout and the review report as HTML, JSON and CSV files.

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <cxxopts.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzer/error.h"
#include "analyzer/hardware.h"
#include "analyzer/layer.h"
#include "analyzer/input_file.h"
#include "cli/output_file.h"
#include "cli/run_support.h"
#include "cli/sha256.h"
#include "cli/subcommands.h"
#include "importer/hardware_config.h"
#include "importer/maestro_reader.h"
#include "importer/onnx_importer.h"
#include "report/report.h"
#include "search/search.h"
#include "search/templates.h"

namespace cadenza::cli {

namespace {

struct Output {
  std::string flag;  // "--json"
  std::string path;
  void (*write)(const NetworkReport&, std::ostream&);
};

}  // namespace

int RunSearch(int argc, char** argv) {
  cxxopts::Options options(
      "cadenza search",
      "Searches the best dataflow for every layer of an ONNX model or a MAESTRO .m network\n"
      "(the .m file's own dataflows are ignored) and reports whole-network latency and energy.\n"
      "Prints a per-layer summary; -o writes a self-contained HTML review report, --json and\n"
      "--csv the same data.\n");
  options.custom_help("MODEL.onnx|NETWORK.m [OPTIONS]");
  options.positional_help("");
  options.add_options()
      ("model", "the model", cxxopts::value<std::string>())
      ("hw", "hardware: Cadenza's text format or a MAESTRO hardware .m file (default: the "
             "built-in preset, models/hw/default.textproto)",
       cxxopts::value<std::string>(), "HW")
      ("objective", "what to minimise per layer: latency, energy or edp",
       cxxopts::value<std::string>()->default_value("edp"), "OBJ")
      ("latency-slack", "with --objective energy or edp: choose per layer only among the "
                        "mappings within PCT of its fastest (e.g. 5%)",
       cxxopts::value<std::string>(), "PCT")
      ("templates", "add the dataflow templates of FILE to the built-in ones",
       cxxopts::value<std::string>(), "FILE")
      ("threads", "search threads (0: all cores); the result never depends on it",
       cxxopts::value<int>()->default_value("0"), "N")
      ("max-candidates", "candidates kept per layer and template",
       cxxopts::value<int64_t>()->default_value("20000"), "N")
      ("batch", "ONNX: value of symbolic batch dimensions", cxxopts::value<int64_t>(), "N")
      ("skip-unresolved", "ONNX: leave out MAC nodes whose shapes cannot be settled, with a "
                          "warning, instead of failing")
      ("o,output", "write the HTML report here (replaced atomically)",
       cxxopts::value<std::string>(), "REPORT.html")
      ("json", "write the report's JSON here (replaced atomically)",
       cxxopts::value<std::string>(), "OUT")
      ("csv", "write one CSV row per layer here (replaced atomically)",
       cxxopts::value<std::string>(), "OUT")
      ("list-templates", "print the dataflow templates (with --templates, the file's too) and "
                         "exit")
      ("h,help", "print this help");
  options.parse_positional({"model"});
  const cxxopts::ParseResult args = options.parse(argc, argv);
  if (args.count("help") > 0) {
    std::cout << options.help();
    return 0;
  }
  if (!args.unmatched().empty()) {
    throw UsageError("search: unexpected argument '" + args.unmatched().front() + "'");
  }

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

  if (args.count("model") == 0) throw UsageError("search: a model file is required");
  const std::string model_path = args["model"].as<std::string>();
  const bool is_onnx = EndsWith(model_path, ".onnx");
  if (!is_onnx && !EndsWith(model_path, ".m")) {
    throw UsageError("search: '" + model_path + "' is neither an ONNX model (.onnx) nor a " +
                     "MAESTRO network (.m)");
  }
  const std::string objective_name = args["objective"].as<std::string>();
  const std::optional<Objective> objective = ObjectiveFromName(objective_name);
  if (!objective) {
    throw UsageError("search: unknown objective '" + objective_name +
                     "'; use latency, energy or edp");
  }
  SearchOptions search;
  search.objective = *objective;
  if (args.count("latency-slack") > 0) {
    // "5%" or "5": a percentage of the layer's fastest cycles.
    std::string text = args["latency-slack"].as<std::string>();
    if (!text.empty() && text.back() == '%') text.pop_back();
    char* end = nullptr;
    const double percent = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !(percent >= 0) ||
        !std::isfinite(percent)) {
      throw UsageError("search: --latency-slack needs a percentage of 0 or more, e.g. 5%");
    }
    if (search.objective == Objective::kLatency) {
      throw UsageError("search: --latency-slack bounds latency under --objective energy or edp");
    }
    search.latency_slack = percent / 100;
  }
  search.threads = args["threads"].as<int>();
  if (search.threads < 0) throw UsageError("search: --threads must be 0 or more");
  search.max_candidates_per_template = args["max-candidates"].as<int64_t>();
  if (search.max_candidates_per_template < 1) {
    throw UsageError("search: --max-candidates must be at least 1");
  }
  ImportOptions import;
  if (args.count("batch") > 0) {
    import.batch_size = args["batch"].as<int64_t>();
    if (import.batch_size < 1) throw UsageError("search: --batch must be at least 1");
  }
  import.skip_unresolved = args.count("skip-unresolved") > 0;
  if (!is_onnx && (args.count("batch") > 0 || import.skip_unresolved)) {
    throw UsageError(std::string("search: ") +
                     (args.count("batch") > 0 ? "--batch" : "--skip-unresolved") +
                     " applies to ONNX models only");
  }

  std::vector<Output> outputs;
  if (args.count("output") > 0) outputs.push_back({"-o", args["output"].as<std::string>(), WriteHtml});
  if (args.count("json") > 0) outputs.push_back({"--json", args["json"].as<std::string>(), WriteJson});
  if (args.count("csv") > 0) outputs.push_back({"--csv", args["csv"].as<std::string>(), WriteCsv});
  std::vector<std::pair<std::string, std::string>> output_paths;
  for (const Output& o : outputs) output_paths.emplace_back(o.flag, o.path);
  CheckOutputPaths("search", output_paths, {{"model", model_path}});

  ReportContext hw_context;
  Hardware hw;
  if (args.count("hw") > 0) {
    const std::string hw_path = args["hw"].as<std::string>();
    hw = ReadHardwareFile(hw_path);
    hw_context.hardware_source = hw_path;
    hw_context.hardware_text = ReadInputFile(hw_path);
  } else {
    hw = DefaultHardware();
    hw_context.hardware_source = "built-in default (models/hw/default.textproto)";
    hw_context.hardware_text = std::string(DefaultHardwareText());
  }

  LoadedModel loaded = LoadModel(model_path, is_onnx, import,
                                 "the dataflows this file gives are not used; the search picks "
                                 "its own ('cadenza eval' evaluates the file's)");

  Progress progress("searching", "candidates");
  search.progress = [&progress](int64_t done, int64_t total) { progress.Update(done, total); };
  const auto start = std::chrono::steady_clock::now();
  const SearchResult result = SearchNetwork(loaded.network, hw, library, search);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  ReportContext context = std::move(loaded.context);
  context.model_path = model_path;
  context.model_sha256 = Sha256OfFile(model_path);
  context.date = IsoDate();
  context.version = CADENZA_VERSION;
  context.command_line = "cadenza";
  for (int i = 0; i < argc; ++i) context.command_line += " " + ShellQuoted(argv[i]);
  context.hardware_source = hw_context.hardware_source;
  context.hardware_text = hw_context.hardware_text;
  if (!templates_path.empty()) {
    context.warnings.insert(context.warnings.begin(),
                            "dataflow templates of " + templates_path + " added to the built-in ones");
  }
  const NetworkReport report = BuildReport(loaded.network, result, hw, context);

  // Every document is rendered before any is written, so a failure leaves no partial set.
  std::vector<std::string> rendered;
  for (const Output& o : outputs) {
    std::ostringstream text;
    o.write(report, text);
    rendered.push_back(std::move(text).str());
  }
  // With a document on standard output, the summary goes to standard error.
  std::ostream& summary = AnyToStdout(output_paths) ? std::cerr : std::cout;
  WriteText(report, summary);
  summary << "search took " << FormatSi(seconds, "s") << '\n';
  for (size_t i = 0; i < outputs.size(); ++i) {
    WriteOutput(outputs[i].path, rendered[i]);
    if (outputs[i].path != kStdoutPath) summary << "wrote " << outputs[i].path << '\n';
  }
  if (result.totals.layers_without_mapping > 0) {
    std::cerr << "cadenza: error: " << result.totals.layers_without_mapping
              << " layer(s) have no feasible mapping on this hardware (see the report)\n";
    return 1;
  }
  return 0;
}

}  // namespace cadenza::cli
