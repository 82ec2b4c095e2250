// `cadenza dse`: hardware design-space exploration of an ONNX model or `.m` network over a sweep
// file, with the best dataflow per layer inside every design point; a summary and the Pareto
// table on stdout, and the review report as HTML, JSON and CSV files.

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
#include "cli/output_file.h"
#include "cli/run_support.h"
#include "cli/sha256.h"
#include "cli/subcommands.h"
#include "importer/hardware_config.h"
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

struct Output {
  std::string flag;  // "--json"
  std::string path;
  void (*write)(const DseReport&, std::ostream&);
};

double PositiveBudget(const cxxopts::ParseResult& args, const std::string& name) {
  if (args.count(name) == 0) return 0;
  const double value = args[name].as<double>();
  if (!(value > 0) || !std::isfinite(value)) {
    throw UsageError("dse: --" + name + " must be a positive number");
  }
  return value;
}

}  // namespace

int RunDse(int argc, char** argv) {
  cxxopts::Options options(
      "cadenza dse",
      "Explores the hardware design points of a sweep file for an ONNX model or a MAESTRO .m\n"
      "network: inside every point each layer gets its best dataflow; whole-network latency,\n"
      "energy, area and power per point; budgets; the Pareto front over latency, energy and\n"
      "provisioned area. Prints a summary and the Pareto table; -o writes a self-contained\n"
      "HTML report (with the chosen design's per-layer view), --json and --csv the data.\n");
  options.custom_help("MODEL.onnx|NETWORK.m --sweep SWEEP [OPTIONS]");
  options.positional_help("");
  options.add_options()
      ("model", "the model", cxxopts::value<std::string>())
      ("sweep", "the design points: a sweep file (docs/hardware-config.md)",
       cxxopts::value<std::string>(), "SWEEP")
      ("objective", "what to minimise per layer, and over the network to choose the design: "
                    "latency, energy or edp",
       cxxopts::value<std::string>()->default_value("edp"), "OBJ")
      ("area-budget", "rule out designs whose provisioned area exceeds UM2 (square micrometres)",
       cxxopts::value<double>(), "UM2")
      ("power-budget", "rule out designs whose provisioned power exceeds MW (milliwatts)",
       cxxopts::value<double>(), "MW")
      ("templates", "add the dataflow templates of FILE to the built-in ones",
       cxxopts::value<std::string>(), "FILE")
      ("threads", "threads (0: all cores); the result never depends on it",
       cxxopts::value<int>()->default_value("0"), "N")
      ("max-candidates", "candidates kept per layer and template (cadenza search keeps 20000)",
       cxxopts::value<int64_t>()->default_value(std::to_string(kDefaultMaxCandidates)), "N")
      ("batch", "ONNX: value of symbolic batch dimensions", cxxopts::value<int64_t>(), "N")
      ("skip-unresolved", "ONNX: leave out MAC nodes whose shapes cannot be settled, with a "
                          "warning, instead of failing")
      ("o,output", "write the HTML report here (replaced atomically)",
       cxxopts::value<std::string>(), "REPORT.html")
      ("json", "write the report's JSON here (replaced atomically)",
       cxxopts::value<std::string>(), "OUT")
      ("csv", "write one CSV row per design point here (replaced atomically)",
       cxxopts::value<std::string>(), "OUT")
      ("h,help", "print this help");
  options.parse_positional({"model"});
  const cxxopts::ParseResult args = options.parse(argc, argv);
  if (args.count("help") > 0) {
    std::cout << options.help();
    return 0;
  }
  if (!args.unmatched().empty()) {
    throw UsageError("dse: unexpected argument '" + args.unmatched().front() + "'");
  }

  if (args.count("model") == 0) throw UsageError("dse: a model file is required");
  const std::string model_path = args["model"].as<std::string>();
  const bool is_onnx = EndsWith(model_path, ".onnx");
  if (!is_onnx && !EndsWith(model_path, ".m")) {
    throw UsageError("dse: '" + model_path + "' is neither an ONNX model (.onnx) nor a " +
                     "MAESTRO network (.m)");
  }
  if (args.count("sweep") == 0) throw UsageError("dse: --sweep SWEEP is required");
  const std::string sweep_path = args["sweep"].as<std::string>();
  const std::string objective_name = args["objective"].as<std::string>();
  const std::optional<Objective> objective = ObjectiveFromName(objective_name);
  if (!objective) {
    throw UsageError("dse: unknown objective '" + objective_name +
                     "'; use latency, energy or edp");
  }
  DseOptions dse;
  dse.search.objective = *objective;
  dse.area_budget_um2 = PositiveBudget(args, "area-budget");
  dse.power_budget_mw = PositiveBudget(args, "power-budget");
  dse.search.threads = args["threads"].as<int>();
  if (dse.search.threads < 0) throw UsageError("dse: --threads must be 0 or more");
  dse.search.max_candidates_per_template = args["max-candidates"].as<int64_t>();
  if (dse.search.max_candidates_per_template < 1) {
    throw UsageError("dse: --max-candidates must be at least 1");
  }
  ImportOptions import;
  if (args.count("batch") > 0) {
    import.batch_size = args["batch"].as<int64_t>();
    if (import.batch_size < 1) throw UsageError("dse: --batch must be at least 1");
  }
  import.skip_unresolved = args.count("skip-unresolved") > 0;
  if (!is_onnx && (args.count("batch") > 0 || import.skip_unresolved)) {
    throw UsageError(std::string("dse: ") +
                     (args.count("batch") > 0 ? "--batch" : "--skip-unresolved") +
                     " applies to ONNX models only");
  }

  std::vector<Output> outputs;
  if (args.count("output") > 0) {
    outputs.push_back({"-o", args["output"].as<std::string>(), WriteDseHtml});
  }
  if (args.count("json") > 0) outputs.push_back({"--json", args["json"].as<std::string>(), WriteDseJson});
  if (args.count("csv") > 0) outputs.push_back({"--csv", args["csv"].as<std::string>(), WriteDseCsv});
  std::vector<std::pair<std::string, std::string>> output_paths;
  for (const Output& o : outputs) output_paths.emplace_back(o.flag, o.path);
  CheckOutputPaths("dse", output_paths, {{"model", model_path}, {"sweep file", sweep_path}});

  TemplateLibrary library = TemplateLibrary::Builtin();
  std::string templates_path;
  if (args.count("templates") > 0) {
    templates_path = args["templates"].as<std::string>();
    library.Append(TemplateLibrary::Read(templates_path));
  }

  // The sweep first: it is quick to read, and a mistake in it should not wait for the model.
  const std::vector<SweepPoint> sweep = ReadSweep(sweep_path);
  const std::string sweep_text = ReadInputFile(sweep_path);
  std::vector<Hardware> points;
  std::vector<std::string> labels;
  points.reserve(sweep.size());
  labels.reserve(sweep.size());
  for (const SweepPoint& p : sweep) {
    points.push_back(p.hw);
    labels.push_back(p.label);
  }

  LoadedModel loaded = LoadModel(model_path, is_onnx, import,
                                 "the dataflows this file gives are not used; every design "
                                 "point's search picks its own ('cadenza eval' evaluates the "
                                 "file's)");

  DseContext context;
  context.model_path = model_path;
  context.model_sha256 = Sha256OfFile(model_path);
  context.version = CADENZA_VERSION;
  context.command_line = "cadenza";
  for (int i = 0; i < argc; ++i) context.command_line += " " + ShellQuoted(argv[i]);
  context.sweep_path = sweep_path;
  context.sweep_text = sweep_text;
  context.area_budget_um2 = dse.area_budget_um2;
  context.power_budget_mw = dse.power_budget_mw;
  context.max_candidates_per_template = dse.search.max_candidates_per_template;
  if (!templates_path.empty()) {
    context.warnings.push_back("dataflow templates of " + templates_path +
                               " added to the built-in ones");
  }
  context.warnings.insert(context.warnings.end(), loaded.context.warnings.begin(),
                          loaded.context.warnings.end());
  for (const ReportSkippedNode& s : loaded.context.skipped) {
    context.warnings.push_back("node '" + s.name + "' (" + s.op_type +
                               ") is not in the network: " + s.reason);
  }
  for (const Hardware& hw : points) {
    if (Hardware::IsUnlimited(hw.l1_size) || Hardware::IsUnlimited(hw.l2_size) ||
        Hardware::IsUnlimited(hw.noc_bw)) {
      const std::string w =
          "some design points leave L1, L2 or the NoC bandwidth unlimited: their area and power "
          "leave those out (give l1_bytes, l2_bytes and noc in the sweep's base)";
      context.warnings.push_back(w);
      std::cerr << "cadenza: warning: " << sweep_path << ": " << w << '\n';
      break;
    }
  }

  Progress explore_progress("exploring", "design points");
  dse.search.progress = [&explore_progress](int64_t done, int64_t total) {
    explore_progress.Update(done, total);
  };
  const auto explore_start = std::chrono::steady_clock::now();
  const DseResult result = ExploreDesigns(loaded.network, points, library, dse);
  context.explore_seconds = SecondsSince(explore_start);
  explore_progress.Update(1, 1);

  // The chosen design's per-layer view, from the exploration's own evaluations (the same
  // choices as a search of that hardware on its own).
  std::optional<NetworkReport> chosen;
  if (result.best >= 0) {
    const size_t best = static_cast<size_t>(result.best);
    ReportContext chosen_context = loaded.context;
    chosen_context.warnings.clear();  // the page shows them once, above, with the sweep's
    chosen_context.model_path = model_path;
    chosen_context.model_sha256 = context.model_sha256;
    chosen_context.version = context.version;
    chosen_context.command_line = context.command_line;
    chosen_context.hardware_source =
        "design point #" + std::to_string(best) + " of " + sweep_path + ": " + labels[best];
    chosen = BuildReport(loaded.network, result.chosen, points[best], chosen_context);
  }
  context.date = IsoDate();
  if (chosen) chosen->context.date = context.date;
  const DseReport report =
      BuildDseReport(loaded.network, result, points, labels, std::move(chosen), context);

  // Every document is rendered before any is written, so a failure leaves no partial set.
  std::vector<std::string> rendered;
  for (const Output& o : outputs) {
    std::ostringstream text;
    o.write(report, text);
    rendered.push_back(std::move(text).str());
  }
  // With a document on standard output, the summary goes to standard error.
  std::ostream& summary = AnyToStdout(output_paths) ? std::cerr : std::cout;
  WriteDseText(report, summary);
  summary << "\nexplored " << FormatThousands(static_cast<int64_t>(points.size()))
            << " design points in " << FormatSi(context.explore_seconds, "s");
  if (context.explore_seconds > 0) {
    char rate[32];
    std::snprintf(rate, sizeof rate, "%.1f",
                  static_cast<double>(points.size()) / context.explore_seconds);
    summary << " (" << rate << " points/s)";
  }
  summary << '\n';
  for (size_t i = 0; i < outputs.size(); ++i) {
    WriteOutput(outputs[i].path, rendered[i]);
    if (outputs[i].path != kStdoutPath) summary << "wrote " << outputs[i].path << '\n';
  }
  if (result.best < 0) {
    std::cerr << "cadenza: error: no design point of " << sweep_path
              << " is feasible (see the infeasible points above)\n";
    return 1;
  }
  return 0;
}

}  // namespace cadenza::cli
