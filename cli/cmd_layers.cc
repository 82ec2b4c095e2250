// `cadenza layers`: every multiply-accumulate layer of an ONNX model, with exact dimensions,
// as an aligned table, JSON or CSV.

#include <cstdio>
#include <cxxopts.hpp>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/error.h"
#include "analyzer/layer.h"
#include "cli/common_options.h"
#include "cli/output_file.h"
#include "cli/subcommands.h"
#include "importer/onnx_importer.h"
#include "report/json_writer.h"

namespace cadenza::cli {

namespace {

std::string WithCommas(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

// "4.09 G", "301 M", "16.4 k".
std::string Abbreviated(int64_t value) {
  const char* units[] = {"", " k", " M", " G", " T", " P"};
  double v = static_cast<double>(value);
  int unit = 0;
  while (v >= 1000 && unit < 5) {
    v /= 1000;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, v >= 100 || unit == 0 ? "%.0f%s" : "%.3g%s", v, units[unit]);
  return text;
}

std::string Joined(const std::vector<int64_t>& v, const char* sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + std::to_string(v[i]);
  return out;
}

// The dims a layer kind uses, in the order people read them.
std::vector<Dim> DisplayDims(OpKind kind) {
  if (kind == OpKind::kGemm) return {Dim::kM, Dim::kN, Dim::kK};
  return {Dim::kN, Dim::kG, Dim::kK, Dim::kC, Dim::kY, Dim::kX, Dim::kR, Dim::kS};
}

std::string DimsText(const Layer& layer) {
  std::string out;
  for (Dim d : DisplayDims(layer.kind)) {
    if (layer.shape.size[d] == 0) continue;
    out += (out.empty() ? "" : " ") + std::string(DimName(d)) + std::to_string(layer.shape.size[d]);
  }
  return out;
}

bool IsConvLike(const OnnxNodeInfo& node) { return !node.kernel.empty(); }

// ---- table ----

class Table {
 public:
  explicit Table(std::vector<std::string> header, std::vector<bool> right_aligned)
      : right_(std::move(right_aligned)) {
    rows_.push_back(std::move(header));
  }
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void Write(std::ostream& out) const {
    std::vector<size_t> width(rows_[0].size(), 0);
    for (const auto& row : rows_) {
      for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    }
    for (const auto& row : rows_) {
      std::string line;
      for (size_t c = 0; c < row.size(); ++c) {
        const std::string pad(width[c] - row[c].size(), ' ');
        line += c == 0 ? "" : "  ";
        line += right_[c] ? pad + row[c] : row[c] + pad;
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out << line << '\n';
    }
  }

 private:
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

void WriteTable(const OnnxImport& model, int64_t batch, std::ostream& out) {
  out << "model: " << model.network.source_path << " (ONNX IR " << model.ir_version
      << ", opset " << model.opset
      << (model.producer.empty() ? "" : ", " + model.producer) << "), batch " << batch
      << "\n\n";
  Table table({"#", "node", "op", "kind", "dims", "inst", "stride", "pads", "dilation", "group",
               "MACs"},
              {true, false, false, false, false, true, false, false, false, true, true});
  const std::vector<Layer>& layers = model.network.layers;
  for (size_t i = 0; i < model.nodes.size(); ++i) {
    const OnnxNodeInfo& node = model.nodes[i];
    const bool conv = IsConvLike(node);
    const std::string strides = conv ? Joined(node.strides, "x") : "";
    const std::string pads = conv ? Joined(node.pads, ",") : "";
    const std::string dilations = conv ? Joined(node.dilations, "x") : "";
    const std::string group = conv ? std::to_string(node.group) : "";
    if (node.layer_indices.size() == 1) {
      const Layer& layer = layers[static_cast<size_t>(node.layer_indices[0])];
      table.Add({std::to_string(i), node.name, node.op_type, std::string(OpKindName(layer.kind)),
                 DimsText(layer), layer.instances > 1 ? "x" + WithCommas(layer.instances) : "",
                 strides, pads, dilations, group, WithCommas(node.macs)});
      continue;
    }
    table.Add({std::to_string(i), node.name, node.op_type,
               std::to_string(node.layer_indices.size()) + " layers:", "", "", strides, pads,
               dilations, group, WithCommas(node.macs)});
    for (int index : node.layer_indices) {
      const Layer& layer = layers[static_cast<size_t>(index)];
      const std::string suffix = layer.name.substr(std::min(layer.name.size(), node.name.size()));
      table.Add({"", "  " + suffix, "", std::string(OpKindName(layer.kind)), DimsText(layer),
                 layer.instances > 1 ? "x" + WithCommas(layer.instances) : "",
                 std::to_string(layer.shape.stride_y) + "x" + std::to_string(layer.shape.stride_x),
                 "", "", "", WithCommas(layer.exact_macs)});
    }
  }
  table.Write(out);
  out << "\n" << model.nodes.size() << " MAC nodes, " << layers.size() << " analyzer layers, "
      << WithCommas(model.total_macs) << " MACs (" << Abbreviated(model.total_macs) << ")\n";

  std::string other;
  for (const auto& [op, count] : model.other_ops) {
    other += (other.empty() ? " " : ", ") + op + " " + std::to_string(count);
  }
  out << "\nother ops:" << (other.empty() ? " none" : other) << "\n";
  if (!model.skipped.empty()) {
    out << "\nskipped nodes:\n";
    Table skipped({"node", "op", "why", "reason"}, {false, false, false, false});
    for (const SkippedNode& s : model.skipped) {
      skipped.Add({s.name, s.op_type, std::string(SkipReasonName(s.why)), s.reason});
    }
    skipped.Write(out);
  }
}

// ---- JSON ----

// A JSON string literal; invalid UTF-8 in node names becomes U+FFFD, so the document stays valid.
std::string JsonString(std::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

std::string JsonInts(const std::vector<int64_t>& v) { return "[" + Joined(v, ", ") + "]"; }

void WriteJson(const OnnxImport& model, int64_t batch, std::ostream& out) {
  out << "{\n  \"model\": " << JsonString(model.network.source_path)
      << ",\n  \"ir_version\": " << model.ir_version << ",\n  \"opset\": " << model.opset
      << ",\n  \"producer\": " << JsonString(model.producer) << ",\n  \"batch\": " << batch
      << ",\n  \"layers\": [";
  for (size_t i = 0; i < model.nodes.size(); ++i) {
    const OnnxNodeInfo& node = model.nodes[i];
    out << (i ? "," : "") << "\n    {\"name\": " << JsonString(node.name)
        << ", \"op_type\": " << JsonString(node.op_type) << ", \"node_index\": "
        << node.node_index << ", \"macs\": " << node.macs << ",\n     \"inputs\": [";
    for (size_t k = 0; k < node.input_shapes.size(); ++k) {
      out << (k ? ", " : "") << JsonInts(node.input_shapes[k]);
    }
    out << "], \"output\": " << JsonInts(node.output_shape);
    if (IsConvLike(node)) {
      out << ",\n     \"kernel\": " << JsonInts(node.kernel)
          << ", \"strides\": " << JsonInts(node.strides)
          << ", \"pads\": " << JsonInts(node.pads)
          << ", \"dilations\": " << JsonInts(node.dilations) << ", \"group\": " << node.group;
      if (!node.output_padding.empty()) {
        out << ", \"output_padding\": " << JsonInts(node.output_padding);
      }
    }
    if (!node.detail.empty()) out << ",\n     \"detail\": " << JsonString(node.detail);
    out << ",\n     \"cadenza_layers\": [";
    for (size_t k = 0; k < node.layer_indices.size(); ++k) {
      const Layer& layer = model.network.layers[static_cast<size_t>(node.layer_indices[k])];
      out << (k ? "," : "") << "\n       {\"name\": " << JsonString(layer.name)
          << ", \"kind\": " << JsonString(OpKindName(layer.kind)) << ", \"dims\": {";
      bool first = true;
      for (Dim d : DisplayDims(layer.kind)) {
        if (layer.shape.size[d] == 0) continue;
        out << (first ? "" : ", ") << JsonString(DimName(d)) << ": " << layer.shape.size[d];
        first = false;
      }
      out << "}, \"stride\": [" << layer.shape.stride_y << ", " << layer.shape.stride_x
          << "], \"instances\": " << layer.instances << ", \"macs\": " << layer.exact_macs
          << "}";
    }
    out << "]}";
  }
  out << (model.nodes.empty() ? "" : "\n  ") << "],\n  \"total_macs\": " << model.total_macs
      << ",\n  \"other_ops\": {";
  bool first = true;
  for (const auto& [op, count] : model.other_ops) {
    out << (first ? "" : ", ") << JsonString(op) << ": " << count;
    first = false;
  }
  out << "},\n  \"skipped\": [";
  for (size_t i = 0; i < model.skipped.size(); ++i) {
    const SkippedNode& s = model.skipped[i];
    out << (i ? "," : "") << "\n    {\"name\": " << JsonString(s.name)
        << ", \"op_type\": " << JsonString(s.op_type)
        << ", \"why\": " << JsonString(SkipReasonName(s.why))
        << ", \"reason\": " << JsonString(s.reason) << "}";
  }
  out << (model.skipped.empty() ? "" : "\n  ") << "],\n  \"warnings\": [";
  for (size_t i = 0; i < model.network.warnings.size(); ++i) {
    out << (i ? ", " : "") << JsonString(model.network.warnings[i]);
  }
  out << "]\n}\n";
}

// ---- CSV (RFC 4180), one row per analyzer layer ----

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void WriteCsv(const OnnxImport& model, std::ostream& out) {
  out << "node_index,node,op_type,layer,kind";
  for (Dim d : kAllDims) out << ',' << DimName(d);
  out << ",stride_y,stride_x,instances,macs,node_macs,strides,pads,dilations,group\n";
  for (const OnnxNodeInfo& node : model.nodes) {
    const bool conv = IsConvLike(node);
    for (int index : node.layer_indices) {
      const Layer& layer = model.network.layers[static_cast<size_t>(index)];
      out << node.node_index << ',' << CsvField(node.name) << ',' << node.op_type << ','
          << CsvField(layer.name) << ',' << OpKindName(layer.kind);
      for (Dim d : kAllDims) out << ',' << layer.shape.size[d];
      out << ',' << layer.shape.stride_y << ',' << layer.shape.stride_x << ','
          << layer.instances << ',' << layer.exact_macs << ',' << node.macs << ','
          << (conv ? Joined(node.strides, "x") : "") << ','
          << (conv ? Joined(node.pads, " ") : "") << ','
          << (conv ? Joined(node.dilations, "x") : "") << ','
          << (conv ? std::to_string(node.group) : "") << '\n';
    }
  }
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
      WriteJson(model, import.batch_size, out);
    } else if (format == "csv") {
      WriteCsv(model, out);
    } else {
      WriteTable(model, import.batch_size, out);
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
