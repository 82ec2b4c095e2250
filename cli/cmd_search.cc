// `cadenza search`: the best dataflow for every layer of an ONNX model or `.m` network, with a
// summary on stdout and the review report as HTML, JSON and CSV files.

#include <unistd.h>

#include <chrono>
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
#include "cli/atomic_file.h"
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

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot read");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The argument as a POSIX shell would need it to read back the same.
std::string ShellQuoted(std::string_view arg) {
  constexpr std::string_view kSafe =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:=,@%+";
  if (!arg.empty() && arg.find_first_not_of(kSafe) == std::string_view::npos) {
    return std::string(arg);
  }
  std::string quoted = "'";
  for (char c : arg) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

// Now in UTC, ISO 8601; SOURCE_DATE_EPOCH (reproducible builds' convention) overrides the clock.
std::string IsoDate() {
  std::time_t now = std::time(nullptr);
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch != nullptr && *epoch != '\0') {
    char* end = nullptr;
    const long long value = std::strtoll(epoch, &end, 10);
    if (end != nullptr && *end == '\0' && value >= 0) now = static_cast<std::time_t>(value);
  }
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// A `\r`-updated progress line on stderr, only on a terminal and only once the search has taken
// longer than a second; erased when the search ends.
class Progress {
 public:
  Progress() : enabled_(::isatty(STDERR_FILENO) == 1), start_(Clock::now()) {}

  void Update(int64_t done, int64_t total) {
    if (!enabled_) return;
    const Clock::time_point now = Clock::now();
    if (done >= total) {
      if (shown_) std::fprintf(stderr, "\r%*s\r", static_cast<int>(width_), "");
      shown_ = false;
      return;
    }
    if (now - start_ < std::chrono::seconds(1)) return;
    if (shown_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    shown_ = true;
    const std::string line = "searching: " +
                             std::to_string(total > 0 ? 100 * done / total : 100) + "% (" +
                             FormatThousands(done) + "/" + FormatThousands(total) + " candidates)";
    width_ = std::max(width_, line.size());
    std::fprintf(stderr, "\r%-*s", static_cast<int>(width_), line.c_str());
    std::fflush(stderr);
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  bool shown_ = false;
  size_t width_ = 0;
  Clock::time_point start_, last_;
};

struct Output {
  std::string flag;  // "--json"
  std::string path;
  void (*write)(const NetworkReport&, std::ostream&);
};

// Settles, before the search runs, everything that would make writing fail: two outputs on one
// path, an output over the model, a missing or unwritable directory.
void CheckOutputs(const std::vector<Output>& outputs, const std::string& model_path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path model = fs::weakly_canonical(model_path, ec);
  for (size_t i = 0; i < outputs.size(); ++i) {
    const fs::path path = fs::weakly_canonical(outputs[i].path, ec);
    for (size_t j = 0; j < i; ++j) {
      if (path == fs::weakly_canonical(outputs[j].path, ec)) {
        throw UsageError("search: " + outputs[j].flag + " and " + outputs[i].flag +
                         " name the same file '" + outputs[i].path + "'");
      }
    }
    if (!model_path.empty() && path == model) {
      throw UsageError("search: " + outputs[i].flag + " '" + outputs[i].path +
                       "' would overwrite the model");
    }
    fs::path dir = fs::path(outputs[i].path).parent_path();
    if (dir.empty()) dir = ".";
    if (!fs::is_directory(dir, ec)) {
      throw InputError(outputs[i].path,
                       "cannot write: directory '" + dir.string() + "' does not exist");
    }
    if (::access(dir.c_str(), W_OK) != 0) {
      throw InputError(outputs[i].path, "cannot write: directory '" + dir.string() +
                                            "' is not writable");
    }
    if (fs::is_directory(outputs[i].path, ec)) {
      throw InputError(outputs[i].path, "cannot write: it is a directory");
    }
  }
}

struct LoadedModel {
  Network network;
  ReportContext context;  // warnings, skipped nodes and other ops filled in
};

LoadedModel LoadModel(const std::string& path, bool is_onnx, const ImportOptions& import) {
  LoadedModel loaded;
  if (is_onnx) {
    OnnxImport onnx = ImportOnnx(path, import);
    loaded.network = std::move(onnx.network);
    for (const SkippedNode& s : onnx.skipped) {
      loaded.context.skipped.push_back(
          {s.name, s.op_type, std::string(SkipReasonName(s.why)) + ": " + s.reason});
    }
    for (const auto& [op, count] : onnx.other_ops) loaded.context.other_ops.emplace_back(op, count);
  } else {
    MaestroModel model = ReadMaestroModel(path);
    loaded.network = std::move(model.network);
    std::cerr << "cadenza: note: " << path
              << ": the dataflows this file gives are not used; the search picks its own "
                 "('cadenza eval' evaluates the file's)\n";
  }
  if (loaded.network.source_path.empty()) loaded.network.source_path = path;
  for (const std::string& w : loaded.network.warnings) {
    loaded.context.warnings.push_back(w);
    std::cerr << "cadenza: warning: " << path << ": " << w << '\n';
  }
  for (const ReportSkippedNode& s : loaded.context.skipped) {
    std::cerr << "cadenza: warning: " << path << ": node '" << s.name << "' (" << s.op_type
              << ") is not in the network: " << s.reason << '\n';
  }
  if (loaded.network.layers.empty()) {
    throw InputError(path, "has no layers with multiply-accumulates to search");
  }
  return loaded;
}

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
                << ReadText(templates_path);
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
  CheckOutputs(outputs, model_path);

  ReportContext hw_context;
  Hardware hw;
  if (args.count("hw") > 0) {
    const std::string hw_path = args["hw"].as<std::string>();
    hw = ReadHardwareFile(hw_path);
    hw_context.hardware_source = hw_path;
    hw_context.hardware_text = ReadText(hw_path);
  } else {
    hw = DefaultHardware();
    hw_context.hardware_source = "built-in default (models/hw/default.textproto)";
    hw_context.hardware_text = std::string(DefaultHardwareText());
  }

  LoadedModel loaded = LoadModel(model_path, is_onnx, import);

  Progress progress;
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
  WriteText(report, std::cout);
  std::cout << "search took " << FormatSi(seconds, "s") << '\n';
  for (size_t i = 0; i < outputs.size(); ++i) {
    WriteFileAtomically(outputs[i].path, rendered[i]);
    std::cout << "wrote " << outputs[i].path << '\n';
  }
  if (result.totals.layers_without_mapping > 0) {
    std::cerr << "cadenza: error: " << result.totals.layers_without_mapping
              << " layer(s) have no feasible mapping on this hardware (see the report)\n";
    return 1;
  }
  return 0;
}

}  // namespace cadenza::cli
