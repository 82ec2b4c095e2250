// `cadenza dse`: hardware design-space exploration of an ONNX model or `.m` network over a sweep
// file, with the best dataflow per layer inside every design point; a summary and the Pareto
// table on stdout, and the review report as HTML, JSON and CSV files.

#include <chrono>
#include <cmath>
#include <cstdio>
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
#include "importer/hardware_config.h"
#include "importer/hardware_config_text.h"
#include "importer/maestro_reader.h"
#include "importer/onnx_importer.h"
#include "report/dse_report.h"
#include "report/report.h"
#include "search/dse.h"
#include "search/search.h"
#include "search/templates.h"

namespace cadenza::cli {

namespace {

// Fewer than `cadenza search`'s 20,000: every evaluation group evaluates every candidate, and a
// sweep has many groups. The best mapping of common layers is usually found well within it.
constexpr int64_t kDefaultMaxCandidates = 2000;

double PositiveBudget(const cxxopts::ParseResult& args, const std::string& name) {
  if (args.count(name) == 0) return 0;
  const double value = args[name].as<double>();
  if (!(value > 0) || !std::isfinite(value)) {
    throw UsageError("dse: --" + name + " must be a positive number");
  }
  return value;
}

cxxopts::Options DseCommandOptions() {
  cxxopts::Options options(
      "cadenza dse",
      "Explores the hardware design points of a sweep file for an ONNX model or a MAESTRO .m\n"
      "network: inside every point each layer gets its best dataflow; whole-network latency,\n"
      "energy, area and power per point; budgets; the Pareto front over latency, energy and\n"
      "provisioned area. Prints a summary and the Pareto table; -o writes a self-contained\n"
      "HTML report (with the chosen design's per-layer view), --json and --csv the data.\n"
      "Exit codes: 0 done, 1 bad input or no feasible design point, 2 bad command line.\n");
  options.custom_help("MODEL.onnx|NETWORK.m --sweep SWEEP [OPTIONS]");
  options.positional_help("");
  AddModelFileArgument(options);
  options.add_options()
      ("sweep", "the design points: a sweep file (docs/hardware-config.md)",
       cxxopts::value<std::string>(), "SWEEP")
      ("area-budget", "rule out designs whose provisioned area exceeds UM2 (square micrometres)",
       cxxopts::value<double>(), "UM2")
      ("power-budget", "rule out designs whose provisioned power exceeds MW (milliwatts)",
       cxxopts::value<double>(), "MW");
  AddCostModelOption(options, kDefaultSearchCostModel);
  AddObjectiveOption(options, "what to minimise per layer, and over the network to choose the "
                              "design: latency, energy or edp");
  AddCandidateOptions(options, kDefaultMaxCandidates,
                      "candidates kept per layer and template (cadenza search keeps 20000)");
  AddThreadsOption(options);
  AddStrictOption(options);
  AddOutputOptions(options, "write the HTML report here (replaced atomically)",
                   "write the report's JSON here (replaced atomically)",
                   "write one CSV row per design point here (replaced atomically)");
  AddEmitMaestroOption(options, "write the chosen design's mapping of every layer as a MAESTRO "
                                ".m network here, with that design's hardware configuration in "
                                "its comments (replaced atomically)");
  options.add_options()("h,help", "print this help");
  AddModelShapeOptions(options);
  return options;
}

// The sweep's design points and their labels.
void ReadDesignPoints(const std::string& sweep_path, std::vector<Hardware>* points,
                      std::vector<std::string>* labels) {
  const std::vector<SweepPoint> sweep = ReadSweep(sweep_path);
  points->reserve(sweep.size());
  labels->reserve(sweep.size());
  for (const SweepPoint& p : sweep) {
    points->push_back(p.hw);
    labels->push_back(p.label);
  }
}

// The report's warnings (DseInputWarnings); the one about unlimited resources also on stderr.
void AddDseWarnings(const std::string& templates_path, const LoadedModel& loaded,
                    const std::vector<Hardware>& points, const std::string& sweep_path,
                    DseContext* context) {
  bool unlimited = false;
  context->warnings = DseInputWarnings(loaded.network, loaded.context.skipped,
                                       loaded.context.warnings, templates_path, points,
                                       &unlimited);
  if (unlimited) {
    std::cerr << "cadenza: warning: " << sweep_path << ": " << context->warnings.back()
              << '\n';
  }
}

// The chosen design's per-layer view, from the exploration's own evaluations (the same
// choices as a search of that hardware on its own); nothing when no design is feasible.
std::optional<NetworkReport> ChosenDesignReport(const LoadedModel& loaded, const DseResult& result,
                                                const std::vector<Hardware>& points,
                                                const std::vector<std::string>& labels,
                                                const DseContext& context) {
  if (result.best < 0) return std::nullopt;
  const size_t best = static_cast<size_t>(result.best);
  ReportContext chosen_context = loaded.context;
  chosen_context.warnings.clear();  // the page shows them once, above, with the sweep's
  chosen_context.model_path = context.model_path;
  chosen_context.model_sha256 = context.model_sha256;
  chosen_context.version = context.version;
  chosen_context.command_line = context.command_line;
  chosen_context.date = context.date;
  chosen_context.hardware_source =
      "design point #" + std::to_string(best) + " of " + context.sweep_path + ": " + labels[best];
  return BuildReport(loaded.network, result.chosen, points[best], chosen_context);
}

// The --emit-maestro document: the chosen design's mappings, headed by its hardware as a
// configuration to save and give to `cadenza eval --hw`. Empty when no design is feasible.
std::string ChosenDesignMappings(const LoadedModel& loaded, const DseResult& result,
                                 const std::vector<Hardware>& points,
                                 const DseContext& context, const std::string& hardware_source) {
  if (result.best < 0) return "";
  std::vector<std::string> comments = EmittedMappingComments(
      context.command_line, hardware_source, "HW.textproto", result.chosen.model);
  comments.push_back("");
  comments.push_back("The chosen design's hardware (save these lines as HW.textproto):");
  std::istringstream lines(HardwareConfigText(points[static_cast<size_t>(result.best)]));
  for (std::string line; std::getline(lines, line);) comments.push_back("  " + line);
  return ChosenMappingsText(loaded.network, result.chosen, comments);
}

// Renders every document before writing any, so a failure leaves no partial set; prints the
// summary (on stderr when a document goes to stdout) and the files written. `maestro_text` is
// the --emit-maestro document, empty when there is none to write.
void WriteDseOutputs(const DseReport& report, const LoadedModel& loaded, size_t num_points,
                     double seconds, const std::string& maestro_text,
                     std::vector<std::pair<std::string, std::string>> output_paths) {
  if (maestro_text.empty()) {
    std::erase_if(output_paths, [](const auto& o) { return o.first == "--emit-maestro"; });
  }
  std::vector<std::string> rendered;
  for (const auto& [flag, path] : output_paths) {
    std::ostringstream text;
    if (flag == "--emit-maestro") {
      text << maestro_text;
    } else if (flag == "-o") {
      WriteDseHtml(report, text);
    } else if (flag == "--json") {
      WriteDseJson(report, text);
    } else {
      WriteDseCsv(report, text);
    }
    rendered.push_back(std::move(text).str());
  }
  std::ostream& summary = AnyToStdout(output_paths) ? std::cerr : std::cout;
  // Ahead of the figures: the MACs of these nodes are in none of them.
  if (const std::string s = NotAnalysedSummary(loaded.network, loaded.context.skipped);
      !s.empty()) {
    summary << "warning: " << s << '\n';
  }
  WriteDseText(report, summary);
  summary << "\nexplored " << FormatThousands(static_cast<int64_t>(num_points))
          << " design points in " << FormatSi(seconds, "s");
  if (seconds > 0) {
    char rate[32];
    std::snprintf(rate, sizeof rate, "%.1f", static_cast<double>(num_points) / seconds);
    summary << " (" << rate << " points/s)";
  }
  summary << '\n';
  for (size_t i = 0; i < output_paths.size(); ++i) {
    WriteOutput(output_paths[i].second, rendered[i]);
    if (output_paths[i].second != kStdoutPath) summary << "wrote " << output_paths[i].second << '\n';
  }
}

}  // namespace

int RunDse(int argc, char** argv) {
  cxxopts::Options options = DseCommandOptions();
  std::optional<cxxopts::ParseResult> parsed;
  try {
    parsed = ParseCommandLine("dse", options, {std::string(kModelFileKey)}, argc, argv);
  } catch (const UsageError& e) {
    // A second model: the exploration of several networks at once is cadenza-dse's.
    const std::string message = e.what();
    if (message.find("unexpected argument") != std::string::npos &&
        (message.find(".onnx'") != std::string::npos || message.find(".m'") != std::string::npos)) {
      throw UsageError(message + "; several models in one exploration: cadenza-dse (docs/dse.md)");
    }
    throw;
  }
  if (!parsed) return 0;
  const cxxopts::ParseResult& args = *parsed;

  const ModelFile model = ParseModelFile("dse", args);
  if (args.count("sweep") == 0) throw UsageError("dse: --sweep SWEEP is required");
  const std::string sweep_path = args["sweep"].as<std::string>();
  DseOptions dse;
  dse.search = ParseSearchOptions("dse", args);
  dse.area_budget_um2 = PositiveBudget(args, "area-budget");
  dse.power_budget_mw = PositiveBudget(args, "power-budget");
  const ImportOptions import = ParseModelShapeOptions("dse", args, model.is_onnx);
  const std::vector<std::pair<std::string, std::string>> output_paths = ParseOutputOptions(args);
  CheckOutputPaths("dse", output_paths, {{"model", model.path}, {"sweep file", sweep_path}});

  TemplateLibrary library = TemplateLibrary::Builtin();
  std::string templates_path;
  if (args.count("templates") > 0) {
    templates_path = args["templates"].as<std::string>();
    library.Append(TemplateLibrary::Read(templates_path));
  }

  // The sweep first: it is quick to read, and a mistake in it should not wait for the model.
  std::vector<Hardware> points;
  std::vector<std::string> labels;
  ReadDesignPoints(sweep_path, &points, &labels);
  const std::string sweep_text = ReadInputFile(sweep_path);
  LoadedModel loaded = LoadModel(model.path, model.is_onnx, import, dse.search.model,
                                 "the dataflows this file gives are not used; every design "
                                 "point's search picks its own ('cadenza eval' evaluates the "
                                 "file's)");
  CheckStrict(args, model.path, loaded);

  DseContext context;
  context.model_path = model.path;
  context.model_sha256 = Sha256OfFile(model.path);
  context.version = CADENZA_VERSION;
  context.command_line = CommandLine(argc, argv);
  context.cost_model = std::string(CostModelName(dse.search.model));
  context.sweep_path = sweep_path;
  context.sweep_text = sweep_text;
  context.area_budget_um2 = dse.area_budget_um2;
  context.power_budget_mw = dse.power_budget_mw;
  context.max_candidates_per_template = dse.search.max_candidates_per_template;
  AddDseWarnings(templates_path, loaded, points, sweep_path, &context);

  Progress explore_progress("exploring", "design points");
  dse.search.progress = [&explore_progress](int64_t done, int64_t total) {
    explore_progress.Update(done, total);
  };
  const auto explore_start = std::chrono::steady_clock::now();
  const DseResult result = ExploreDesigns(loaded.network, points, library, dse);
  context.explore_seconds = SecondsSince(explore_start);
  explore_progress.Update(1, 1);

  context.date = IsoDate();
  std::optional<NetworkReport> chosen = ChosenDesignReport(loaded, result, points, labels, context);
  const std::optional<std::string> chosen_source =
      chosen ? std::optional<std::string>(chosen->context.hardware_source) : std::nullopt;
  const DseReport report =
      BuildDseReport(loaded.network, result, points, labels, std::move(chosen), context);
  std::string maestro_text;
  if (args.count("emit-maestro") > 0 && chosen_source) {
    maestro_text = ChosenDesignMappings(loaded, result, points, context, *chosen_source);
  }
  WriteDseOutputs(report, loaded, points.size(), context.explore_seconds, maestro_text,
                  output_paths);
  if (result.best < 0) {
    std::cerr << "cadenza: error: no design point of " << sweep_path
              << " is feasible (see the infeasible points above)"
              << (args.count("emit-maestro") > 0 ? "; no .m network written" : "") << "\n";
    return 1;
  }
  return 0;
}

}  // namespace cadenza::cli
