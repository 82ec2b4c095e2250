// The folding pass between rounds of ONNX shape inference (onnx_shape_folding.h).

#include "importer/onnx_shape_folding.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>
#include <onnx/onnx_pb.h>

#include "importer/onnx_constant_eval.h"

namespace cadenza {

namespace {

int DefaultOpset(const onnx::ModelProto& model) {
  for (const onnx::OperatorSetIdProto& o : model.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") return static_cast<int>(o.version());
  }
  return 0;
}

}  // namespace

int FoldShapeArithmetic(onnx::ModelProto* model) {
  onnx::GraphProto* graph = model->mutable_graph();
  const int opset = DefaultOpset(*model);
  std::unordered_map<std::string, std::vector<int64_t>> shapes;
  auto add_shape = [&shapes](const onnx::ValueInfoProto& vi) {
    if (auto s = KnownShape(vi.type())) shapes.emplace(vi.name(), std::move(*s));
  };
  for (const onnx::ValueInfoProto& vi : graph->input()) add_shape(vi);
  for (const onnx::ValueInfoProto& vi : graph->value_info()) add_shape(vi);
  for (const onnx::ValueInfoProto& vi : graph->output()) add_shape(vi);
  std::unordered_map<std::string, ConstantValue> values;
  for (const onnx::TensorProto& t : graph->initializer()) {
    shapes.emplace(t.name(), std::vector<int64_t>(t.dims().begin(), t.dims().end()));
    if (auto v = ConstantFromTensor(t)) values.emplace(t.name(), std::move(*v));
  }

  std::vector<bool> fold(static_cast<size_t>(graph->node_size()), false);
  int folded = 0;
  for (int i = 0; i < graph->node_size(); ++i) {
    const onnx::NodeProto& node = graph->node(i);
    if (!node.domain().empty() && node.domain() != "ai.onnx") continue;
    if (node.output_size() != 1) continue;
    const ConstantEvaluator evaluate = FindConstantEvaluator(node.op_type());
    if (evaluate == nullptr) continue;
    FoldContext context{node, {}, {}, opset};
    for (const std::string& input : node.input()) {
      auto v = values.find(input);
      context.inputs.push_back(v == values.end() ? nullptr : &v->second);
      auto s = shapes.find(input);
      context.shapes.push_back(s == shapes.end() ? nullptr : &s->second);
    }
    // Shape and Size need only their input's shape; the others need every value.
    const bool shape_only = node.op_type() == "Shape" || node.op_type() == "Size";
    bool ready = true;
    for (size_t k = 0; k < context.inputs.size(); ++k) {
      if (node.input(static_cast<int>(k)).empty()) continue;
      if (shape_only ? context.shapes[k] == nullptr : context.inputs[k] == nullptr) ready = false;
    }
    if (!ready) continue;
    std::optional<ConstantValue> value;
    try {
      value = evaluate(context);
    } catch (const std::exception&) {
      value.reset();  // malformed shape code: leave it to shape inference to report
    }
    if (!value || ConstantElementCount(value->dims) > kMaxFoldedElements ||
        static_cast<int64_t>(value->size()) != ConstantElementCount(value->dims)) {
      continue;
    }
    shapes[node.output(0)] = value->dims;
    values[node.output(0)] = std::move(*value);
    if (node.op_type() != "Constant") {
      fold[static_cast<size_t>(i)] = true;
      ++folded;
    }
  }
  if (folded == 0) return 0;

  // Replace the folded nodes by initializers, keeping every other node in order. Their
  // earlier inferred types go: inference prefers a value_info entry over an initializer's type,
  // and the entry may hold a symbolic dim the value now settles.
  google::protobuf::RepeatedPtrField<onnx::NodeProto> kept;
  std::unordered_set<std::string> folded_names;
  for (int i = 0; i < graph->node_size(); ++i) {
    if (!fold[static_cast<size_t>(i)]) {
      kept.Add()->Swap(graph->mutable_node(i));
      continue;
    }
    const std::string& name = graph->node(i).output(0);
    *graph->add_initializer() = ConstantToTensor(values.at(name), name);
    folded_names.insert(name);
  }
  graph->mutable_node()->Swap(&kept);
  google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>* value_info =
      graph->mutable_value_info();
  value_info->erase(std::remove_if(value_info->begin(), value_info->end(),
                                   [&folded_names](const onnx::ValueInfoProto& vi) {
                                     return folded_names.count(vi.name()) > 0;
                                   }),
                    value_info->end());
  return folded;
}

bool AllShapesKnown(const onnx::GraphProto& graph) {
  std::unordered_set<std::string> known;
  for (const auto* list : {&graph.value_info(), &graph.output()}) {
    for (const onnx::ValueInfoProto& vi : *list) {
      if (!vi.type().has_tensor_type() || KnownShape(vi.type())) known.insert(vi.name());
    }
  }
  for (const onnx::NodeProto& node : graph.node()) {
    for (const std::string& out : node.output()) {
      if (!out.empty() && known.count(out) == 0) return false;
    }
  }
  return true;
}

}  // namespace cadenza
