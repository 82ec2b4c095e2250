// `cadenza layers`: every multiply-accumulate layer of an ONNX model, with exact dimensions,
// as an aligned table, JSON or CSV.

#include <cxxopts.hpp>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/error.h"
#include "analyzer/layer.h"
#include "cli/layers_output.h"
#include "cli/output_file.h"
#include "cli/subcommands.h"
#include "importer/onnx_importer.h"

namespace cadenza::cli {

namespace {

// "name=value" with a positive integer value.
std::pair<std::string, int64_t> ParseDimBinding(const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw UsageError("layers: --dim expects NAME=VALUE, got '" + text + "'");
  }
  try {
    size_t used = 0;
    const int64_t value = std::stoll(text.substr(eq + 1), &used);
    if (used == text.size() - eq - 1 && value >= 1) return {text.substr(0, eq), value};
  } catch (const std::exception&) {
  }
  throw UsageError("layers: --dim " + text + ": the value must be a positive integer");
}

// "name=1x3x224x224".
std::pair<std::string, std::vector<int64_t>> ParseInputShape(const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    throw UsageError("layers: --input expects NAME=D1xD2x..., got '" + text + "'");
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
      throw UsageError("layers: --input " + text + ": '" + part + "' is not a dimension");
    }
    dims.push_back(d);
  }
  return {text.substr(0, eq), dims};
}

}  // namespace

int RunLayers(int argc, char** argv) {
  cxxopts::Options options(
      "cadenza layers",
      "Lists every multiply-accumulate layer of an ONNX model in graph order: node name, op,\n"
      "analyzer layer kind, all dimensions, strides, pads, dilations, groups and the exact MAC\n"
      "count; then the total, the other ops and the nodes left out, with the reason.\n"
      "The CSV has one row per analyzer layer; skipped nodes are then reported on stderr.\n");
  options.custom_help("MODEL.onnx [OPTIONS]");
  options.positional_help("");
  options.add_options()
      ("model", "the ONNX model", cxxopts::value<std::string>(), "MODEL.onnx")
      ("batch", "value for symbolic batch dims (the first dim of each input)",
       cxxopts::value<int64_t>()->default_value("1"), "N")
      ("dim", "value for a named symbolic dim, e.g. --dim sequence=128 (repeatable)",
       cxxopts::value<std::vector<std::string>>(), "NAME=N")
      ("input", "full shape of a graph input, e.g. --input x=1x3x512x512 (repeatable)",
       cxxopts::value<std::vector<std::string>>(), "NAME=SHAPE")
      ("format", "table, json or csv", cxxopts::value<std::string>()->default_value("table"),
       "FORMAT")
      ("o,output", "write to this file (replaced atomically) instead of stdout",
       cxxopts::value<std::string>(), "FILE")
      ("skip-unresolved", "list MAC nodes whose shapes cannot be settled and go on")
      ("h,help", "print this help");
  options.parse_positional({"model"});
  const cxxopts::ParseResult args = options.parse(argc, argv);
  if (args.count("help") > 0) {
    std::cout << options.help();
    return 0;
  }
  if (!args.unmatched().empty()) {
    throw UsageError("layers: unexpected argument '" + args.unmatched().front() + "'");
  }
  if (args.count("model") == 0) throw UsageError("layers: MODEL.onnx is required");
  const std::string format = args["format"].as<std::string>();
  if (format != "table" && format != "json" && format != "csv") {
    throw UsageError("layers: --format must be table, json or csv, not '" + format + "'");
  }
  ImportOptions import;
  import.batch_size = args["batch"].as<int64_t>();
  if (import.batch_size < 1) throw UsageError("layers: --batch must be at least 1");
  if (args.count("dim") > 0) {
    for (const std::string& d : args["dim"].as<std::vector<std::string>>()) {
      import.dim_values.insert(ParseDimBinding(d));
    }
  }
  if (args.count("input") > 0) {
    for (const std::string& s : args["input"].as<std::vector<std::string>>()) {
      import.input_shapes.insert(ParseInputShape(s));
    }
  }
  import.skip_unresolved = args.count("skip-unresolved") > 0;

  const std::string path = args["model"].as<std::string>();
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
