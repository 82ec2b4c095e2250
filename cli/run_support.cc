#include "cli/run_support.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "analyzer/error.h"
#include "analyzer/input_file.h"
#include "analyzer/polyphase.h"
#include "cli/output_file.h"
#include "cli/subcommands.h"
#include "importer/maestro_reader.h"
#include "importer/maestro_writer.h"

namespace cadenza::cli {

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

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

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Progress::Progress(std::string what, std::string unit)
    : what_(std::move(what)),
      unit_(std::move(unit)),
      enabled_(::isatty(STDERR_FILENO) == 1),
      start_(Clock::now()) {}

void Progress::Update(int64_t done, int64_t total) {
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
  const std::string line = what_ + ": " + std::to_string(total > 0 ? 100 * done / total : 100) +
                           "% (" + FormatThousands(done) + "/" + FormatThousands(total) + " " +
                           unit_ + ")";
  width_ = std::max(width_, line.size());
  std::fprintf(stderr, "\r%-*s", static_cast<int>(width_), line.c_str());
  std::fflush(stderr);
}

void CheckOutputPaths(std::string_view command,
                      const std::vector<std::pair<std::string, std::string>>& outputs,
                      const std::vector<std::pair<std::string, std::string>>& inputs) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const std::string prefix = std::string(command) + ": ";
  // Where each output lands (symbolic links followed), settled once: two outputs through links
  // to one file are one file.
  std::vector<std::string> target(outputs.size());
  std::vector<fs::path> landing(outputs.size());
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i].second != kStdoutPath) {
      target[i] = ResolveOutputPath(outputs[i].second);
      landing[i] = fs::weakly_canonical(target[i], ec);
    }
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    const auto& [flag, out] = outputs[i];
    if (out == kStdoutPath) {
      for (size_t j = 0; j < i; ++j) {
        if (outputs[j].second == kStdoutPath) {
          throw UsageError(prefix + outputs[j].first + " and " + flag +
                           " both write to standard output ('-')");
        }
      }
      continue;
    }
    const fs::path& path = landing[i];
    const fs::file_status status = fs::status(target[i], ec);
    // A device may take several outputs (--csv /dev/null --json /dev/null).
    const bool special = fs::exists(status) && !fs::is_regular_file(status) &&
                         !fs::is_directory(status);
    for (size_t j = 0; j < i && !special; ++j) {
      if (outputs[j].second != kStdoutPath && path == landing[j]) {
        throw UsageError(prefix + outputs[j].first + " and " + flag + " name the same file '" +
                         out + "'");
      }
    }
    for (const auto& [what, input] : inputs) {
      if (!input.empty() && path == fs::weakly_canonical(input, ec)) {
        throw UsageError(prefix + flag + " '" + out + "' would overwrite the " + what);
      }
    }
    if (fs::is_directory(status)) throw InputError(out, "cannot write: it is a directory");
    // A device or FIFO is written in place: its directory need not be writable.
    if (special) continue;
    fs::path dir = fs::path(target[i]).parent_path();
    if (dir.empty()) dir = ".";
    if (!fs::is_directory(dir, ec)) {
      throw InputError(out, "cannot write: directory '" + dir.string() + "' does not exist");
    }
    if (::access(dir.c_str(), W_OK) != 0) {
      throw InputError(out, "cannot write: directory '" + dir.string() + "' is not writable");
    }
  }
}

bool AnyToStdout(const std::vector<std::pair<std::string, std::string>>& outputs) {
  for (const auto& output : outputs) {
    if (output.second == kStdoutPath) return true;
  }
  return false;
}

std::string ChosenMappingsText(const Network& network, const SearchResult& result,
                               const std::vector<std::string>& comments) {
  std::vector<const Mapping*> mappings(network.layers.size(), nullptr);
  int left_out = 0;
  for (size_t i = 0; i < network.layers.size() && i < result.layers.size(); ++i) {
    if (result.layers[i].found) {
      mappings[i] = &result.layers[i].mapping;
    } else {
      ++left_out;
    }
  }
  if (left_out > 0) {
    std::cerr << "cadenza: warning: --emit-maestro: " << left_out
              << (left_out == 1 ? " layer has" : " layers have")
              << " no feasible mapping and " << (left_out == 1 ? "is" : "are")
              << " left out of the .m network\n";
  }
  return MaestroNetworkText(network, mappings, comments);
}

std::vector<std::string> EmittedMappingComments(const std::string& command_line,
                                                const std::string& hardware_source,
                                                const std::string& hw_path,
                                                CostModelKind cost_model) {
  std::string eval = "cadenza eval --mapping THIS.m";
  if (!hw_path.empty()) eval += " --hw " + ShellQuoted(hw_path);
  eval += " --model " + std::string(CostModelName(cost_model));
  return {"The mapping chosen for every layer by cadenza " + std::string(CADENZA_VERSION) + ":",
          "  " + command_line,
          "hardware: " + hardware_source,
          "cost model: " + std::string(CostModelName(cost_model)),
          "Evaluate it: " + eval};
}

LoadedModel LoadModel(const std::string& path, bool is_onnx, const ImportOptions& import,
                      CostModelKind cost_model, std::string_view dataflow_note) {
  LoadedModel loaded;
  if (is_onnx) {
    OnnxImport onnx = ImportOnnx(path, import);
    loaded.network = std::move(onnx.network);
    for (const SkippedNode& s : onnx.skipped) {
      loaded.context.skipped.push_back(
          {s.name, s.op_type, std::string(SkipReasonName(s.why)) + ": " + s.reason, s.macs});
    }
    for (const auto& [op, count] : onnx.other_ops) loaded.context.other_ops.emplace_back(op, count);
  } else {
    MaestroModel model = ReadMaestroModel(path);
    loaded.network = std::move(model.network);
    std::cerr << "cadenza: note: " << path << ": " << dataflow_note << "\n";
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
  loaded.network = ForCostModel(loaded.network, cost_model);
  return loaded;
}

}  // namespace cadenza::cli
