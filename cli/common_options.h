#pragma once
// The options several subcommands share, declared, parsed and checked in one place, so that
// every command spells, documents and validates them the same way (README.md, "Options").
// Each Add* declares options on a cxxopts::Options; the matching Parse* reads and checks them
// and throws UsageError, prefixed with the command's name, when a value is bad.

#include <cxxopts.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzer/cost_model.h"
#include "analyzer/hardware.h"
#include "analyzer/layer.h"
#include "cli/run_support.h"
#include "importer/onnx_importer.h"
#include "report/report.h"
#include "search/search.h"

namespace cadenza::cli {

/// The cost model of `search` and `dse` when --model is not given: the exact model, whose
/// numbers count what the machine does (its bound keeps the search to the candidates that can
/// win).
inline constexpr CostModelKind kDefaultSearchCostModel = CostModelKind::kExact;
/// The cost model of `eval` when --model is not given: the one its `.m` inputs were written for.
inline constexpr CostModelKind kDefaultEvalCostModel = CostModelKind::kMaestro;

/// Parses argv (argv[0] is the subcommand) with `options`; `positional` are the keys that take
/// bare arguments, in order (declared on `options` by the caller). Returns nullopt after
/// printing the help when --help is given. Throws UsageError for an option the command does not
/// have (with the nearest one it has, "did you mean '--objective'?"), a missing value, or a bare
/// argument beyond `positional`.
std::optional<cxxopts::ParseResult> ParseCommandLine(std::string_view command,
                                                     cxxopts::Options& options,
                                                     const std::vector<std::string>& positional,
                                                     int argc, char** argv);

/// `cadenza ` followed by argv, each argument shell-quoted: the run as typed, for the report.
std::string CommandLine(int argc, char** argv);

// ---- The model file of search and dse: a bare argument, ONNX or MAESTRO .m ----

/// The key of the bare model argument. Not "model": that is the cost model option.
inline constexpr std::string_view kModelFileKey = "model-file";
void AddModelFileArgument(cxxopts::Options& options);
struct ModelFile {
  std::string path;
  bool is_onnx = false;  // else a MAESTRO .m network
};
/// Throws UsageError if no model is given or its name ends in neither .onnx nor .m.
ModelFile ParseModelFile(std::string_view command, const cxxopts::ParseResult& args);

// ---- The hardware of every command that evaluates: --hw FILE ----

/// --hw FILE, read by ReadHardwareFile in every command (Cadenza's text format or a MAESTRO
/// hardware .m file), so a file means the same hardware to search, eval and simulate.
/// `help_suffix` adds what the command does with it.
void AddHardwareOption(cxxopts::Options& options, const std::string& help_suffix = "");
/// The hardware of a run and where it came from, as the documents record it.
struct LoadedHardware {
  Hardware hw;
  std::string source;  // the path given, or the built-in preset's description
  std::string text;    // the file's text (the preset's without --hw)
};
/// The hardware of --hw, or the built-in preset (models/hw/default.textproto) without it.
/// Throws InputError naming the file when it cannot be read or parsed.
LoadedHardware LoadHardware(const cxxopts::ParseResult& args);
/// --hw's path, or "" without it (for CheckOutputPaths' inputs).
std::string HardwarePath(const cxxopts::ParseResult& args);
/// --simd-lanes N of eval and simulate, which overrides the hardware's SIMD width; nullopt
/// without it. Throws UsageError when N < 1.
std::optional<int64_t> ParseSimdLanes(std::string_view command, const cxxopts::ParseResult& args);

// ---- The network with its dataflows of eval and simulate: --mapping FILE.m ----

void AddMappingOption(cxxopts::Options& options);
/// Throws UsageError when --mapping is missing.
std::string ParseMappingPath(std::string_view command, const cxxopts::ParseResult& args);

// ---- Model shape (ONNX): --batch, --dim NAME=N, --input NAME=SHAPE, --skip-unresolved ----

void AddModelShapeOptions(cxxopts::Options& options);
/// The import options the shape flags ask for. `is_onnx` false (a .m network, whose shapes are
/// fixed): any of them given is a usage error.
ImportOptions ParseModelShapeOptions(std::string_view command, const cxxopts::ParseResult& args,
                                     bool is_onnx);

// ---- What the model is evaluated with: --model, --objective, --threads, --max-candidates ----

/// --model exact|maestro, defaulting to `default_kind`.
void AddCostModelOption(cxxopts::Options& options, CostModelKind default_kind);
/// Throws UsageError listing the valid names for an unknown one.
CostModelKind ParseCostModel(std::string_view command, const cxxopts::ParseResult& args);

/// --objective latency|energy|edp (default edp); `help` says what it is minimised over.
void AddObjectiveOption(cxxopts::Options& options, const std::string& help);
/// --threads N (default 0: all cores).
void AddThreadsOption(cxxopts::Options& options);
/// --max-candidates N (default `default_count`), and --templates FILE.
void AddCandidateOptions(cxxopts::Options& options, int64_t default_count,
                         const std::string& max_candidates_help);
/// The search options of --model, --objective, --threads and --max-candidates.
SearchOptions ParseSearchOptions(std::string_view command, const cxxopts::ParseResult& args);

/// NotAnalysedSummary (report/report.h) for a loaded network: the model's MACs are its layers'
/// and the left-out nodes'.
std::string NotAnalysedSummary(const Network& network,
                               const std::vector<ReportSkippedNode>& skipped);

/// --strict: a model with MAC nodes that are not analysed is an error (exit 1), not a warning.
void AddStrictOption(cxxopts::Options& options);
/// With --strict, throws InputError naming `path`, the nodes not analysed and their share of the
/// model's MACs, if `model` has any. Without it, does nothing.
void CheckStrict(const cxxopts::ParseResult& args, const std::string& path,
                 const LoadedModel& model);

// ---- Documents: -o/--output (HTML or the command's one document), --json, --csv ----

/// Declares the output flags whose help is not empty.
void AddOutputOptions(cxxopts::Options& options, const std::string& output_help,
                      const std::string& json_help, const std::string& csv_help);
/// --emit-maestro OUT.m (search and dse): the chosen per-layer mappings as a `.m` network.
void AddEmitMaestroOption(cxxopts::Options& options, const std::string& help);
/// The (flag, path) pairs given, in the order -o, --json, --csv, --emit-maestro.
std::vector<std::pair<std::string, std::string>> ParseOutputOptions(
    const cxxopts::ParseResult& args);

}  // namespace cadenza::cli
