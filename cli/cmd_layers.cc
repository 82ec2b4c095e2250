// `cadenza layers`: every multiply-accumulate layer of an ONNX model, with exact dimensions,
// as an aligned table, JSON or CSV.

#include <cxxopts.hpp>
#include <iostream>
#include <sstream>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/error.h"
#include "analyzer/layer.h"
#include "cli/common_options.h"
#include "cli/layers_output.h"
#include "cli/output_file.h"
#include "cli/subcommands.h"
#include "importer/onnx_importer.h"

namespace cadenza::cli {

int RunLayers(int argc, char** argv) {
  cxxopts::Options options(
      "cadenza layers",
      "Lists every multiply-accumulate layer of an ONNX model in graph order: node name, op,\n"
      "analyzer layer kind, all dimensions, strides, pads, dilations, groups and the exact MAC\n"
      "count; then the total, the other ops and the nodes left out, with the reason.\n"
      "The CSV has one row per analyzer layer; skipped nodes are then reported on stderr.\n");
  options.custom_help("MODEL.onnx [OPTIONS]");
  options.positional_help("");
  AddModelFileArgument(options);
  options.add_options()
      ("format", "table, json or csv", cxxopts::value<std::string>()->default_value("table"),
       "FORMAT");
  AddOutputOptions(options, "write to this file (replaced atomically) instead of stdout", "", "");
  options.add_options()("h,help", "print this help");
  AddModelShapeOptions(options);
  const std::optional<cxxopts::ParseResult> parsed =
      ParseCommandLine("layers", options, {std::string(kModelFileKey)}, argc, argv);
  if (!parsed) return 0;
  const cxxopts::ParseResult& args = *parsed;
  if (args.count(std::string(kModelFileKey)) == 0) {
    throw UsageError("layers: MODEL.onnx is required");
  }
  const std::string format = args["format"].as<std::string>();
  if (format != "table" && format != "json" && format != "csv") {
    throw UsageError("layers: --format must be table, json or csv, not '" + format + "'");
  }
  const ImportOptions import = ParseModelShapeOptions("layers", args, true);

  const std::string path = args[std::string(kModelFileKey)].as<std::string>();
  const OnnxImport model = ImportOnnx(path, import);
  for (const std::string& w : model.network.warnings) {
    std::cerr << "cadenza: warning: " << path << ": " << w << '\n';
  }
  if (format == "csv") {
    for (const SkippedNode& s : model.skipped) {
      std::cerr << "cadenza: warning: " << path << ": node '" << s.name << "' (" << s.op_type
                << ") skipped (" << SkipReasonName(s.why) << "): " << s.reason << '\n';
    }
  }
  auto write = [&](std::ostream& out) {
    if (format == "json") {
      WriteLayersJson(model, import.batch_size, out);
    } else if (format == "csv") {
      WriteLayersCsv(model, out);
    } else {
      WriteLayersTable(model, import.batch_size, out);
    }
  };
  if (args.count("output") > 0) {
    WriteOutput(args["output"].as<std::string>(), write);
  } else {
    write(std::cout);
  }
  return 0;
}

}  // namespace cadenza::cli
