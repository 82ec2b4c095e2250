#include "cli/layers_output.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/cost_model.h"
#include "analyzer/layer.h"
#include "analyzer/polyphase.h"
#include "report/json_writer.h"
#include "report/report.h"
#include "report/text_table.h"

namespace cadenza::cli {

namespace {

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

std::string Instances(const Layer& layer) {
  return layer.instances > 1 ? "x" + FormatThousands(layer.instances) : "";
}

void Ints(JsonWriter& json, std::string_view key, const std::vector<int64_t>& values) {
  json.Key(key);
  json.BeginArray();
  for (int64_t v : values) json.Int(v);
  json.EndArray();
}

void WriteAnalyzerLayer(JsonWriter& json, const Layer& layer) {
  json.BeginObject();
  json.Field("name", layer.name);
  json.Field("kind", OpKindName(layer.kind));
  json.Key("dims");
  json.BeginObject();
  for (Dim d : DisplayDims(layer.kind)) {
    if (layer.shape.size[d] != 0) json.Field(DimName(d), layer.shape.size[d]);
  }
  json.EndObject();
  Ints(json, "stride", {layer.shape.stride_y, layer.shape.stride_x});
  Ints(json, "dilation", {layer.shape.dilation_y, layer.shape.dilation_x});
  json.Field("instances", layer.instances);
  json.Field("macs", layer.exact_macs);
  json.EndObject();
}

}  // namespace

void WriteLayersTable(const OnnxImport& model, int64_t batch, std::ostream& out) {
  out << "model: " << model.network.source_path << " (ONNX IR " << model.ir_version
      << ", opset " << model.opset
      << (model.producer.empty() ? "" : ", " + model.producer) << "), batch " << batch
      << "\n\n";
  TextTable table({true, false, false, false, false, true, false, false, false, true, true});
  table.Add({"#", "node", "op", "kind", "dims", "inst", "stride", "pads", "dilation", "group",
             "MACs"});
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
                 DimsText(layer), Instances(layer), strides, pads, dilations, group,
                 FormatThousands(node.macs)});
      continue;
    }
    table.Add({std::to_string(i), node.name, node.op_type,
               std::to_string(node.layer_indices.size()) + " layers:", "", "", strides, pads,
               dilations, group, FormatThousands(node.macs)});
    for (int index : node.layer_indices) {
      const Layer& layer = layers[static_cast<size_t>(index)];
      const std::string suffix = layer.name.substr(std::min(layer.name.size(), node.name.size()));
      table.Add({"", "  " + suffix, "", std::string(OpKindName(layer.kind)), DimsText(layer),
                 Instances(layer),
                 std::to_string(layer.shape.stride_y) + "x" + std::to_string(layer.shape.stride_x),
                 "", "", "", FormatThousands(layer.exact_macs)});
    }
  }
  table.Write(out, "");
  // `search` and `dse` under the default model show more layers than this: say why here.
  const size_t maestro_layers = ForCostModel(model.network, CostModelKind::kMaestro).layers.size();
  out << "\n" << model.nodes.size() << " MAC nodes, " << layers.size() << " analyzer layers";
  if (maestro_layers != layers.size()) {
    out << " (" << maestro_layers
        << " for the MAESTRO-compatible model, which takes a dilated conv as its undilated "
           "phases)";
  }
  out << ", " << FormatThousands(model.total_macs) << " MACs (" << FormatSi(static_cast<double>(model.total_macs), "")
      << ")\n";

  std::string other;
  for (const auto& [op, count] : model.other_ops) {
    other += (other.empty() ? " " : ", ") + op + " " + std::to_string(count);
  }
  out << "\nother ops:" << (other.empty() ? " none" : other) << "\n";
  if (!model.skipped.empty()) {
    out << "\nskipped nodes:\n";
    TextTable skipped({false, false, false, false});
    skipped.Add({"node", "op", "why", "reason"});
    for (const SkippedNode& s : model.skipped) {
      skipped.Add({s.name, s.op_type, std::string(SkipReasonName(s.why)), s.reason});
    }
    skipped.Write(out, "");
  }
}

void WriteLayersJson(const OnnxImport& model, int64_t batch, std::ostream& out) {
  JsonWriter json(out);
  json.BeginObject();
  json.Field("model", model.network.source_path);
  json.Field("ir_version", model.ir_version);
  json.Field("opset", model.opset);
  json.Field("producer", model.producer);
  json.Field("batch", batch);
  json.Key("layers");
  json.BeginArray();
  for (const OnnxNodeInfo& node : model.nodes) {
    json.BeginObject();
    json.Field("name", node.name);
    json.Field("op_type", node.op_type);
    json.Field("node_index", node.node_index);
    json.Field("macs", node.macs);
    json.Key("inputs");
    json.BeginArray();
    for (const std::vector<int64_t>& shape : node.input_shapes) {
      json.BeginArray();
      for (int64_t d : shape) json.Int(d);
      json.EndArray();
    }
    json.EndArray();
    Ints(json, "output", node.output_shape);
    if (IsConvLike(node)) {
      Ints(json, "kernel", node.kernel);
      Ints(json, "strides", node.strides);
      Ints(json, "pads", node.pads);
      Ints(json, "dilations", node.dilations);
      json.Field("group", node.group);
      if (!node.output_padding.empty()) Ints(json, "output_padding", node.output_padding);
    }
    if (!node.detail.empty()) json.Field("detail", node.detail);
    json.Key("cadenza_layers");
    json.BeginArray();
    for (int index : node.layer_indices) {
      WriteAnalyzerLayer(json, model.network.layers[static_cast<size_t>(index)]);
    }
    json.EndArray();
    json.EndObject();
  }
  json.EndArray();
  json.Field("total_macs", model.total_macs);
  json.Key("other_ops");
  json.BeginObject();
  for (const auto& [op, count] : model.other_ops) json.Field(op, count);
  json.EndObject();
  json.Key("skipped");
  json.BeginArray();
  for (const SkippedNode& s : model.skipped) {
    json.BeginObject();
    json.Field("name", s.name);
    json.Field("op_type", s.op_type);
    json.Field("why", SkipReasonName(s.why));
    json.Field("reason", s.reason);
    json.EndObject();
  }
  json.EndArray();
  json.Key("warnings");
  json.BeginArray();
  for (const std::string& w : model.network.warnings) json.String(w);
  json.EndArray();
  json.EndObject();
}

void WriteLayersCsv(const OnnxImport& model, std::ostream& out) {
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

}  // namespace cadenza::cli
