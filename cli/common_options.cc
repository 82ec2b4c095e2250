#include "cli/common_options.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <sstream>

#include "analyzer/diagnostics.h"
#include "analyzer/error.h"
#include "analyzer/input_file.h"
#include "cli/run_support.h"
#include "cli/subcommands.h"
#include "importer/hardware_config.h"
#include "report/report.h"

namespace cadenza::cli {

namespace {

std::string Prefix(std::string_view command) { return std::string(command) + ": "; }

// The option cxxopts did not know, as typed ("--objectve", "-x"), with the option it most
// likely misspells. cxxopts' message ("Option 'objectve' does not exist") names it without its
// dashes and suggests nothing. Taken from the message rather than from argv, where an option's
// value may look like an option ("--threads -1").
std::string UnknownOptionMessage(std::string_view command, const cxxopts::Options& options,
                                 const std::vector<std::string>& positional,
                                 const std::string& message) {
  const std::string& open = cxxopts::LQUOTE;
  const size_t begin = message.find(open);
  const size_t end = begin == std::string::npos
                         ? std::string::npos
                         : message.find(cxxopts::RQUOTE, begin + open.size());
  if (end == std::string::npos) return Prefix(command) + message;
  const std::string name = message.substr(begin + open.size(), end - begin - open.size());
  // Any one-letter flag is one edit from every other: no suggestion would mean anything.
  if (name.size() == 1) return Prefix(command) + "unknown option '-" + name + "'";
  std::vector<std::string> flags;
  for (const std::string& group : options.groups()) {
    for (const cxxopts::HelpOptionDetails& o : options.group_help(group).options) {
      for (const std::string& l : o.l) {
        if (std::find(positional.begin(), positional.end(), l) == positional.end()) {
          flags.push_back("--" + l);
        }
      }
    }
  }
  const std::string flag = "--" + name;
  return Prefix(command) + "unknown option '" + flag + "'" + DidYouMean(flag, flags);
}

// "name=value" with a positive integer value.
std::pair<std::string, int64_t> ParseDimBinding(std::string_view command, const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw UsageError(Prefix(command) + "--dim expects NAME=VALUE, got '" + text + "'");
  }
  try {
    size_t used = 0;
    const int64_t value = std::stoll(text.substr(eq + 1), &used);
    if (used == text.size() - eq - 1 && value >= 1) return {text.substr(0, eq), value};
  } catch (const std::exception&) {
  }
  throw UsageError(Prefix(command) + "--dim " + text + ": the value must be a positive integer");
}

// "name=1x3x224x224".
std::pair<std::string, std::vector<int64_t>> ParseInputShape(std::string_view command,
                                                             const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    throw UsageError(Prefix(command) + "--input expects NAME=D1xD2x..., got '" + text + "'");
  }
  std::vector<int64_t> dims;
  std::stringstream parts(text.substr(eq + 1));
  std::string part;
  while (std::getline(parts, part, 'x')) {
    size_t used = 0;
    int64_t d = -1;
    try {
      d = std::stoll(part, &used);
    } catch (const std::exception&) {
    }
    if (used != part.size() || d < 0) {
      throw UsageError(Prefix(command) + "--input " + text + ": '" + part +
                       "' is not a dimension");
    }
    dims.push_back(d);
  }
  return {text.substr(0, eq), dims};
}

}  // namespace

std::optional<cxxopts::ParseResult> ParseCommandLine(std::string_view command,
                                                     cxxopts::Options& options,
                                                     const std::vector<std::string>& positional,
                                                     int argc, char** argv) {
  if (!positional.empty()) options.parse_positional(positional);
  std::optional<cxxopts::ParseResult> args;
  try {
    args = options.parse(argc, argv);
  } catch (const cxxopts::exceptions::no_such_option& e) {
    throw UsageError(UnknownOptionMessage(command, options, positional, e.what()));
  }
  if (args->count("help") > 0) {
    std::cout << options.help();
    return std::nullopt;
  }
  if (!args->unmatched().empty()) {
    throw UsageError(Prefix(command) + "unexpected argument '" + args->unmatched().front() + "'");
  }
  return args;
}

std::string CommandLine(int argc, char** argv) {
  std::string line = "cadenza";
  for (int i = 0; i < argc; ++i) line += " " + ShellQuoted(argv[i]);
  return line;
}

void AddModelFileArgument(cxxopts::Options& options) {
  options.add_options()(std::string(kModelFileKey), "the model (given without a flag)",
                        cxxopts::value<std::string>());
}

ModelFile ParseModelFile(std::string_view command, const cxxopts::ParseResult& args) {
  const std::string key(kModelFileKey);
  if (args.count(key) == 0) throw UsageError(Prefix(command) + "a model file is required");
  ModelFile model{args[key].as<std::string>(), false};
  model.is_onnx = EndsWith(model.path, ".onnx");
  if (!model.is_onnx && !EndsWith(model.path, ".m")) {
    throw UsageError(Prefix(command) + "'" + model.path + "' is neither an ONNX model (.onnx) " +
                     "nor a MAESTRO network (.m)");
  }
  return model;
}

void AddHardwareOption(cxxopts::Options& options, const std::string& help_suffix) {
  options.add_options()(
      "hw",
      "the hardware: Cadenza's text format (.textproto) or a MAESTRO hardware .m file (default: "
      "the built-in preset, models/hw/default.textproto)" + help_suffix,
      cxxopts::value<std::string>(), "HW");
}

LoadedHardware LoadHardware(const cxxopts::ParseResult& args) {
  LoadedHardware loaded;
  if (args.count("hw") == 0) {
    loaded.source = "built-in default (models/hw/default.textproto)";
    loaded.text = std::string(DefaultHardwareText());
    loaded.hw = DefaultHardware();
    return loaded;
  }
  loaded.source = args["hw"].as<std::string>();
  loaded.hw = ReadHardwareFile(loaded.source);
  loaded.text = ReadInputFile(loaded.source);
  return loaded;
}

std::string HardwarePath(const cxxopts::ParseResult& args) {
  return args.count("hw") > 0 ? args["hw"].as<std::string>() : std::string();
}

std::optional<int64_t> ParseSimdLanes(std::string_view command, const cxxopts::ParseResult& args) {
  if (args.count("simd-lanes") == 0) return std::nullopt;
  const int64_t lanes = args["simd-lanes"].as<int64_t>();
  if (lanes < 1) throw UsageError(Prefix(command) + "--simd-lanes must be at least 1");
  return lanes;
}

void AddMappingOption(cxxopts::Options& options) {
  options.add_options()("mapping", "the network, its layers and their dataflows (.m)",
                        cxxopts::value<std::string>(), "FILE.m");
}

std::string ParseMappingPath(std::string_view command, const cxxopts::ParseResult& args) {
  if (args.count("mapping") == 0) throw UsageError(Prefix(command) + "--mapping is required");
  return args["mapping"].as<std::string>();
}

void AddModelShapeOptions(cxxopts::Options& options) {
  options.add_options("model shape (ONNX)")
      ("batch", "value for symbolic batch dims (the first dim of each input, and dims named "
                "*batch*; default 1)",
       cxxopts::value<int64_t>(), "N")
      ("dim", "value for a named symbolic dim, e.g. --dim seq=128 (repeatable)",
       cxxopts::value<std::vector<std::string>>(), "NAME=N")
      ("input", "full shape of a graph input, e.g. --input x=1x3x512x512 (repeatable)",
       cxxopts::value<std::vector<std::string>>(), "NAME=SHAPE")
      ("skip-unresolved", "leave out MAC nodes whose shapes cannot be settled, with a warning, "
                          "instead of failing");
}

ImportOptions ParseModelShapeOptions(std::string_view command, const cxxopts::ParseResult& args,
                                     bool is_onnx) {
  if (!is_onnx) {
    for (const char* flag : {"batch", "dim", "input", "skip-unresolved"}) {
      if (args.count(flag) > 0) {
        throw UsageError(Prefix(command) + "--" + flag + " applies to ONNX models only");
      }
    }
  }
  ImportOptions import;
  if (args.count("batch") > 0) {
    import.batch_size = args["batch"].as<int64_t>();
    if (import.batch_size < 1) throw UsageError(Prefix(command) + "--batch must be at least 1");
  }
  if (args.count("dim") > 0) {
    for (const std::string& d : args["dim"].as<std::vector<std::string>>()) {
      auto [name, value] = ParseDimBinding(command, d);
      import.dim_values.insert_or_assign(std::move(name), value);
    }
  }
  if (args.count("input") > 0) {
    for (const std::string& s : args["input"].as<std::vector<std::string>>()) {
      auto [name, shape] = ParseInputShape(command, s);
      import.input_shapes.insert_or_assign(std::move(name), std::move(shape));
    }
  }
  import.skip_unresolved = args.count("skip-unresolved") > 0;
  return import;
}

void AddCostModelOption(cxxopts::Options& options, CostModelKind default_kind) {
  options.add_options()(
      "model",
      "the cost model: maestro (MAESTRO-compatible, analytical) or exact (counts every step)",
      cxxopts::value<std::string>()->default_value(std::string(CostModelName(default_kind))),
      "MODEL");
}

CostModelKind ParseCostModel(std::string_view command, const cxxopts::ParseResult& args) {
  const std::string name = args["model"].as<std::string>();
  if (const std::optional<CostModelKind> kind = CostModelFromName(name)) return *kind;
  const std::vector<std::string> names = {std::string(CostModelName(CostModelKind::kMaestro)),
                                          std::string(CostModelName(CostModelKind::kExact))};
  throw UsageError(Prefix(command) + "--model: unknown cost model '" + name + "' (use " +
                   names[0] + " or " + names[1] + ")" + DidYouMean(name, names));
}

void AddObjectiveOption(cxxopts::Options& options, const std::string& help) {
  options.add_options()
      ("objective", help, cxxopts::value<std::string>()->default_value("edp"), "OBJ")
      ("latency-slack", "with --objective energy or edp: choose per layer only among the "
                        "mappings within PCT of its fastest (e.g. 5%)",
       cxxopts::value<std::string>(), "PCT");
}

void AddThreadsOption(cxxopts::Options& options) {
  options.add_options()("threads", "threads (0: all cores); the result never depends on it",
                        cxxopts::value<int>()->default_value("0"), "N");
}

void AddCandidateOptions(cxxopts::Options& options, int64_t default_count,
                         const std::string& max_candidates_help) {
  options.add_options()
      ("max-candidates", max_candidates_help,
       cxxopts::value<int64_t>()->default_value(std::to_string(default_count)), "N")
      ("templates", "add the dataflow templates of FILE to the built-in ones",
       cxxopts::value<std::string>(), "FILE");
}

SearchOptions ParseSearchOptions(std::string_view command, const cxxopts::ParseResult& args) {
  SearchOptions search;
  const std::string objective_name = args["objective"].as<std::string>();
  const std::optional<Objective> objective = ObjectiveFromName(objective_name);
  if (!objective) {
    throw UsageError(Prefix(command) + "unknown objective '" + objective_name +
                     "'; use latency, energy or edp");
  }
  search.objective = *objective;
  if (args.count("latency-slack") > 0) {
    // "5%" or "5": a percentage of the layer's fastest cycles.
    std::string text = args["latency-slack"].as<std::string>();
    if (!text.empty() && text.back() == '%') text.pop_back();
    char* end = nullptr;
    const double percent = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !(percent >= 0) ||
        !std::isfinite(percent)) {
      throw UsageError(Prefix(command) + "--latency-slack needs a percentage of 0 or more, e.g. 5%");
    }
    if (search.objective == Objective::kLatency) {
      throw UsageError(Prefix(command) +
                       "--latency-slack bounds latency under --objective energy or edp");
    }
    search.latency_slack = percent / 100;
  }
  search.model = ParseCostModel(command, args);
  search.threads = args["threads"].as<int>();
  if (search.threads < 0) throw UsageError(Prefix(command) + "--threads must be 0 or more");
  search.max_candidates_per_template = args["max-candidates"].as<int64_t>();
  if (search.max_candidates_per_template < 1) {
    throw UsageError(Prefix(command) + "--max-candidates must be at least 1");
  }
  return search;
}

void AddStrictOption(cxxopts::Options& options) {
  options.add_options()("strict", "fail (exit 1) when MAC nodes of the model are not analysed, "
                                  "instead of reporting them");
}

std::string NotAnalysedSummary(const Network& network,
                               const std::vector<ReportSkippedNode>& skipped) {
  int64_t analysed_macs = 0;
  for (const Layer& layer : network.layers) analysed_macs += layer.exact_macs;
  return cadenza::NotAnalysedSummary(analysed_macs, skipped);
}

void CheckStrict(const cxxopts::ParseResult& args, const std::string& path,
                 const LoadedModel& model) {
  if (args.count("strict") == 0 || model.context.skipped.empty()) return;
  throw InputError(path, NotAnalysedSummary(model.network, model.context.skipped) +
                             "; --strict makes this an error (without it they are left out "
                             "of the totals and reported)");
}

void AddOutputOptions(cxxopts::Options& options, const std::string& output_help,
                      const std::string& json_help, const std::string& csv_help) {
  auto add = options.add_options();
  if (!output_help.empty()) add("o,output", output_help, cxxopts::value<std::string>(), "FILE");
  if (!json_help.empty()) add("json", json_help, cxxopts::value<std::string>(), "OUT");
  if (!csv_help.empty()) add("csv", csv_help, cxxopts::value<std::string>(), "OUT");
}

void AddEmitMaestroOption(cxxopts::Options& options, const std::string& help) {
  options.add_options()("emit-maestro", help, cxxopts::value<std::string>(), "OUT.m");
}

std::vector<std::pair<std::string, std::string>> ParseOutputOptions(
    const cxxopts::ParseResult& args) {
  std::vector<std::pair<std::string, std::string>> outputs;
  for (const auto& [key, flag] : {std::pair{"output", "-o"}, std::pair{"json", "--json"},
                                  std::pair{"csv", "--csv"},
                                  std::pair{"emit-maestro", "--emit-maestro"}}) {
    // count() is 0 for an option the command does not declare.
    if (args.count(key) > 0) outputs.emplace_back(flag, args[key].as<std::string>());
  }
  return outputs;
}

}  // namespace cadenza::cli
