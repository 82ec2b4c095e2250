#pragma once
// What the subcommands that load a model and write documents share: reading inputs, checking
// output paths before the work starts, the progress line, and the run's provenance (date,
// command line).

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzer/cost_model.h"
#include "analyzer/layer.h"
#include "importer/onnx_importer.h"
#include "report/report.h"
#include "search/search.h"

namespace cadenza::cli {

bool EndsWith(std::string_view text, std::string_view suffix);

/// The argument as a POSIX shell would need it to read back the same.
std::string ShellQuoted(std::string_view arg);

/// Now in UTC, ISO 8601; SOURCE_DATE_EPOCH (reproducible builds' convention) overrides the clock.
std::string IsoDate();

double SecondsSince(std::chrono::steady_clock::time_point start);

/// A `\r`-updated progress line on stderr ("searching: 45% (123/270 candidates)"), only on a
/// terminal and only once the work has taken longer than a second; erased when it ends.
class Progress {
 public:
  Progress(std::string what, std::string unit);
  void Update(int64_t done, int64_t total);

 private:
  using Clock = std::chrono::steady_clock;
  std::string what_, unit_;
  bool enabled_;
  bool shown_ = false;
  size_t width_ = 0;
  Clock::time_point start_, last_;
};

/// Settles, before the work runs, everything that would make writing fail: two outputs on one
/// path (symbolic links followed) or both on standard output ("-"), an output over an input, a
/// missing or unwritable directory (not asked of a device or FIFO, which is written in place). `outputs` are
/// (flag, path); `inputs` are (what, path), e.g. ("model", "resnet50.onnx").
/// Throws UsageError or InputError; `command` prefixes usage messages.
void CheckOutputPaths(std::string_view command,
                      const std::vector<std::pair<std::string, std::string>>& outputs,
                      const std::vector<std::pair<std::string, std::string>>& inputs);

/// Some output is "-": the document goes to standard output, so the human-readable summary and
/// the "wrote" lines must go to standard error instead.
bool AnyToStdout(const std::vector<std::pair<std::string, std::string>>& outputs);

/// The chosen mapping of every layer of `network` (`result` of searching it) as a MAESTRO `.m`
/// network (importer/maestro_writer.h), headed by comments saying where it came from and how to
/// evaluate it; a layer without a mapping is left out, with a warning on stderr.
/// Throws InputError when no layer has a mapping or one cannot be written.
std::string ChosenMappingsText(const Network& network, const SearchResult& result,
                               const std::vector<std::string>& comments);

/// The comments that head an --emit-maestro file: the run that chose the mappings, its
/// hardware, and the `cadenza eval` command that evaluates the file (`hw_path` empty: the
/// built-in hardware, no --hw).
std::vector<std::string> EmittedMappingComments(const std::string& command_line,
                                                const std::string& hardware_source,
                                                const std::string& hw_path,
                                                CostModelKind cost_model);

/// A model to search, and what the report says about where it came from.
struct LoadedModel {
  Network network;
  ReportContext context;  // warnings, skipped nodes and other ops filled in
};

/// Reads an ONNX model (`is_onnx`) or a `.m` network, printing its warnings on stderr, and
/// returns its network as `cost_model` takes it (ForCostModel: the MAESTRO-compatible
/// model gets a dilated layer's undilated phases), so that what is searched and what is
/// reported are the same layers. For a `.m` file, `dataflow_note` says on stderr that its
/// dataflows are not used.
/// Throws InputError naming the file when it cannot be used or has no MAC layers.
LoadedModel LoadModel(const std::string& path, bool is_onnx, const ImportOptions& import,
                      CostModelKind cost_model, std::string_view dataflow_note);

}  // namespace cadenza::cli
