#include "importer/onnx_importer.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iterator>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <onnx/checker.h>
#include <onnx/defs/parser.h>
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>

#include "analyzer/error.h"
#include "importer/checked_math.h"
#include "importer/onnx_functions.h"
#include "importer/onnx_model_reader.h"
#include "importer/onnx_ops.h"
#include "importer/onnx_shape_inference.h"

namespace cadenza {

std::string_view SkipReasonName(SkippedNode::Why why) {
  switch (why) {
    case SkippedNode::Why::kUnsupported: return "unsupported";
    case SkippedNode::Why::kControlFlow: return "control flow";
    case SkippedNode::Why::kUnresolved: return "unresolved";
  }
  return "?";
}

namespace {

bool IsDefaultDomain(const std::string& domain) { return domain.empty() || domain == "ai.onnx"; }

// "Conv", or "com.microsoft:FusedConv" for ops of other domains.
std::string OpKey(const onnx::NodeProto& node) {
  return IsDefaultDomain(node.domain()) ? node.op_type() : node.domain() + ":" + node.op_type();
}

std::string NodeContext(const std::string& path, const onnx::NodeProto& node) {
  return path + ": node '" + node.name() + "' (" + node.op_type() + ")";
}

// Why a node that is not a standard MAC op still does MACs we leave out, or "".
std::string UnsupportedReason(const onnx::NodeProto& node) {
  if (IsDefaultDomain(node.domain())) return std::string(UnsupportedMacOpReason(node.op_type()));
  for (std::string_view word : {"Conv", "Gemm", "MatMul", "Attention"}) {
    if (node.op_type().find(word) != std::string::npos) {
      return "operator of domain '" + node.domain() + "' is not standard ONNX";
    }
  }
  return "";
}

bool IsMacNode(const onnx::NodeProto& node) {
  return IsDefaultDomain(node.domain()) && IsMacOp(node.op_type());
}

bool HasSubgraphs(const onnx::NodeProto& node) {
  for (const onnx::AttributeProto& a : node.attribute()) {
    if (a.has_g() || a.graphs_size() > 0) return true;
  }
  return false;
}

int64_t DefaultOpset(const onnx::ModelProto& model) {
  for (const onnx::OperatorSetIdProto& o : model.opset_import()) {
    if (IsDefaultDomain(o.domain())) return o.version();
  }
  return 0;
}

ValueShape ShapeOf(const onnx::TypeProto& type) {
  ValueShape shape;
  if (!type.has_tensor_type() || !type.tensor_type().has_shape()) return shape;
  shape.has_rank = true;
  for (const onnx::TensorShapeProto::Dimension& d : type.tensor_type().shape().dim()) {
    shape.dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
    shape.symbols.push_back(d.has_dim_param() ? d.dim_param() : "");
  }
  return shape;
}

ValueShape ShapeOf(const std::vector<int64_t>& dims) {
  ValueShape shape;
  shape.has_rank = true;
  shape.dims = dims;
  shape.symbols.assign(dims.size(), "");
  return shape;
}

// Every value's shape after inference: graph inputs, inferred value_info, outputs, initializers
// and the weights whose values were not loaded.
class ShapeTable {
 public:
  ShapeTable(const onnx::GraphProto& graph, const std::vector<WeightStub>& stubs) {
    for (const WeightStub& s : stubs) shapes_[s.name] = ShapeOf(s.dims);
    for (const onnx::TensorProto& t : graph.initializer()) {
      shapes_[t.name()] = ShapeOf(std::vector<int64_t>(t.dims().begin(), t.dims().end()));
    }
    for (const auto* list : {&graph.input(), &graph.value_info(), &graph.output()}) {
      for (const onnx::ValueInfoProto& vi : *list) {
        ValueShape s = ShapeOf(vi.type());
        auto [it, inserted] = shapes_.try_emplace(vi.name(), s);
        if (!inserted && !it->second.Known() && s.has_rank) it->second = std::move(s);
      }
    }
  }
  ValueShape Get(const std::string& name) const {
    auto it = shapes_.find(name);
    return it == shapes_.end() ? ValueShape{} : it->second;
  }
  // The table of a subgraph body: the values it defines (shape inference writes their types
  // into the body's value_info), over the outer scope's.
  ShapeTable Nested(const onnx::GraphProto& body) const {
    ShapeTable inner = *this;
    for (const onnx::TensorProto& t : body.initializer()) {
      inner.shapes_[t.name()] = ShapeOf(std::vector<int64_t>(t.dims().begin(), t.dims().end()));
    }
    for (const auto* list : {&body.input(), &body.value_info(), &body.output()}) {
      for (const onnx::ValueInfoProto& vi : *list) {
        ValueShape s = ShapeOf(vi.type());
        ValueShape& slot = inner.shapes_[vi.name()];
        if (!slot.Known() && s.has_rank) slot = std::move(s);
      }
    }
    return inner;
  }

 private:
  std::unordered_map<std::string, ValueShape> shapes_;
};

NodeView MakeView(const onnx::NodeProto& node, const ShapeTable& shapes) {
  NodeView view;
  view.name = node.name();
  view.op_type = node.op_type();
  for (const std::string& input : node.input()) {
    view.inputs.push_back(input);
    view.input_shapes.push_back(input.empty() ? ValueShape{} : shapes.Get(input));
  }
  for (const std::string& output : node.output()) view.output_shapes.push_back(shapes.Get(output));
  for (const onnx::AttributeProto& a : node.attribute()) {
    AttrValue v;
    v.i = a.i();
    v.f = a.f();
    v.s = a.s();
    v.ints.assign(a.ints().begin(), a.ints().end());
    view.attributes.emplace(a.name(), std::move(v));
  }
  return view;
}

// Gives every main-graph node a unique name: its own, "<op_type>_<index>" when it has none,
// with "#2", "#3", ... appended to repeats. Later messages and layers use these names.
void NameNodes(onnx::GraphProto* graph) {
  std::unordered_set<std::string> taken;
  for (const onnx::NodeProto& node : graph->node()) {
    if (!node.name().empty()) taken.insert(node.name());
  }
  std::unordered_set<std::string> used;
  for (int i = 0; i < graph->node_size(); ++i) {
    onnx::NodeProto* node = graph->mutable_node(i);
    std::string name = node->name();
    if (name.empty()) {
      name = node->op_type() + "_" + std::to_string(i);
      while (taken.count(name) > 0) name += "_";
    }
    const std::string base = name;
    for (int k = 2; used.count(name) > 0; ++k) name = base + "#" + std::to_string(k);
    used.insert(name);
    node->set_name(name);
  }
}

// Names a node reads, its subgraphs' references to outer values included.
void CollectReads(const onnx::NodeProto& node, std::vector<std::string>* reads) {
  for (const std::string& input : node.input()) {
    if (!input.empty()) reads->push_back(input);
  }
  for (const onnx::AttributeProto& a : node.attribute()) {
    std::vector<const onnx::GraphProto*> graphs;
    if (a.has_g()) graphs.push_back(&a.g());
    for (const onnx::GraphProto& g : a.graphs()) graphs.push_back(&g);
    for (const onnx::GraphProto* g : graphs) {
      for (const onnx::NodeProto& inner : g->node()) CollectReads(inner, reads);
    }
  }
}

// The checker wants nodes in topological order. A graph that is merely out of order is sorted
// (stable) with a warning; a cycle is an error naming the nodes on it.
void SortTopologically(onnx::GraphProto* graph, const std::string& path,
                       std::vector<std::string>* warnings) {
  const int n = graph->node_size();
  std::unordered_map<std::string, int> producer;
  for (int i = 0; i < n; ++i) {
    for (const std::string& out : graph->node(i).output()) {
      if (!out.empty()) producer.emplace(out, i);
    }
  }
  std::vector<std::vector<int>> deps(static_cast<size_t>(n));
  bool ordered = true;
  for (int i = 0; i < n; ++i) {
    std::vector<std::string> reads;
    CollectReads(graph->node(i), &reads);
    for (const std::string& r : reads) {
      auto it = producer.find(r);
      if (it == producer.end() || it->second == i) continue;
      deps[static_cast<size_t>(i)].push_back(it->second);
      if (it->second > i) ordered = false;
    }
  }
  if (ordered) return;

  // Kahn's algorithm, always taking the lowest-index ready node to keep the order stable.
  std::vector<int> pending(static_cast<size_t>(n), 0);
  std::vector<std::vector<int>> users(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    std::sort(deps[static_cast<size_t>(i)].begin(), deps[static_cast<size_t>(i)].end());
    deps[static_cast<size_t>(i)].erase(
        std::unique(deps[static_cast<size_t>(i)].begin(), deps[static_cast<size_t>(i)].end()),
        deps[static_cast<size_t>(i)].end());
    pending[static_cast<size_t>(i)] = static_cast<int>(deps[static_cast<size_t>(i)].size());
    for (int d : deps[static_cast<size_t>(i)]) users[static_cast<size_t>(d)].push_back(i);
  }
  std::set<int> ready;
  for (int i = 0; i < n; ++i) {
    if (pending[static_cast<size_t>(i)] == 0) ready.insert(i);
  }
  std::vector<int> order;
  while (!ready.empty()) {
    const int i = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(i);
    for (int u : users[static_cast<size_t>(i)]) {
      if (--pending[static_cast<size_t>(u)] == 0) ready.insert(u);
    }
  }
  if (static_cast<int>(order.size()) < n) {
    // Walk back along unfinished dependencies until a node repeats: that is a cycle.
    int at = 0;
    while (pending[static_cast<size_t>(at)] == 0) ++at;
    std::vector<int> walk;
    std::vector<int> seen_at(static_cast<size_t>(n), -1);
    while (seen_at[static_cast<size_t>(at)] < 0) {
      seen_at[static_cast<size_t>(at)] = static_cast<int>(walk.size());
      walk.push_back(at);
      for (int d : deps[static_cast<size_t>(at)]) {
        if (pending[static_cast<size_t>(d)] > 0) {
          at = d;
          break;
        }
      }
    }
    std::string cycle;
    for (size_t k = walk.size(); k-- > static_cast<size_t>(seen_at[static_cast<size_t>(at)]);) {
      cycle += "'" + graph->node(walk[k]).name() + "' -> ";
    }
    cycle += "'" + graph->node(walk.back()).name() + "'";
    throw InputError(NodeContext(path, graph->node(at)),
                     "the graph has a cycle: " + cycle);
  }
  google::protobuf::RepeatedPtrField<onnx::NodeProto> sorted;
  for (int i : order) *sorted.Add() = graph->node(i);
  graph->mutable_node()->Swap(&sorted);
  warnings->push_back("the nodes were not in topological order; they were sorted");
}

std::string ToLower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Applies ImportOptions to the graph inputs, and declares the weights whose values were not
// loaded as typed inputs (their shapes are all shape inference needs).
void BindInputs(onnx::GraphProto* graph, const std::vector<WeightStub>& stubs,
                const ImportOptions& options, std::vector<std::string>* warnings) {
  std::unordered_set<std::string> initializers;
  for (const onnx::TensorProto& t : graph->initializer()) initializers.insert(t.name());
  std::unordered_map<std::string, onnx::ValueInfoProto*> inputs;
  for (onnx::ValueInfoProto& vi : *graph->mutable_input()) inputs.emplace(vi.name(), &vi);
  for (const WeightStub& stub : stubs) {
    initializers.insert(stub.name);
    auto it = inputs.find(stub.name);
    onnx::ValueInfoProto* vi = it != inputs.end() ? it->second : graph->add_input();
    vi->set_name(stub.name);
    onnx::TypeProto_Tensor* tensor = vi->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(stub.data_type);
    tensor->mutable_shape()->clear_dim();
    for (int64_t d : stub.dims) tensor->mutable_shape()->add_dim()->set_dim_value(d);
  }

  std::set<std::string> used_dims;
  for (const auto& [name, shape] : options.input_shapes) {
    auto it = inputs.find(name);
    if (it == inputs.end() || initializers.count(name) > 0) {
      std::string names;
      for (const onnx::ValueInfoProto& vi : graph->input()) {
        if (initializers.count(vi.name()) == 0) names += (names.empty() ? "'" : ", '") + vi.name() + "'";
      }
      throw InputError("no graph input named '" + name + "' (inputs: " + names + ")");
    }
  }
  for (onnx::ValueInfoProto& vi : *graph->mutable_input()) {
    if (initializers.count(vi.name()) > 0 || !vi.type().has_tensor_type()) continue;
    onnx::TensorShapeProto* shape = vi.mutable_type()->mutable_tensor_type()->mutable_shape();
    if (auto it = options.input_shapes.find(vi.name()); it != options.input_shapes.end()) {
      shape->clear_dim();
      for (int64_t d : it->second) shape->add_dim()->set_dim_value(d);
      continue;
    }
    if (!vi.type().tensor_type().has_shape()) continue;
    for (int i = 0; i < shape->dim_size(); ++i) {
      onnx::TensorShapeProto::Dimension* dim = shape->mutable_dim(i);
      if (dim->has_dim_value() && dim->dim_value() < 0) {
        throw InputError("graph input '" + vi.name() + "' declares dim " + std::to_string(i) +
                         " as " + std::to_string(dim->dim_value()) + "; dims are >= 0");
      }
      if (dim->has_dim_value()) {
        if (i == 0 && options.batch_size != 1 && dim->dim_value() != options.batch_size) {
          warnings->push_back("input '" + vi.name() + "' has a fixed batch of " +
                              std::to_string(dim->dim_value()) + "; batch " +
                              std::to_string(options.batch_size) + " does not apply to it");
        }
        continue;
      }
      const std::string symbol = dim->dim_param();
      if (auto it = options.dim_values.find(symbol); !symbol.empty() && it != options.dim_values.end()) {
        dim->set_dim_value(it->second);
        used_dims.insert(symbol);
      } else if (i == 0 || ToLower(symbol).find("batch") != std::string::npos) {
        dim->set_dim_value(options.batch_size);
      }
    }
  }
  for (const auto& [name, value] : options.dim_values) {
    if (used_dims.count(name) == 0) {
      warnings->push_back("no graph input has a symbolic dim named '" + name + "'");
    }
  }
}

// The MAC count of a node the importer leaves out, when a rule and its shapes give one, else
// -1. Never throws: the count is information about a node that is skipped anyway.
int64_t MacsIfKnown(const onnx::NodeProto& node, const std::string& name,
                    const ShapeTable& shapes) {
  if (!IsMacNode(node)) return -1;
  try {
    NodeView view = MakeView(node, shapes);
    view.name = name;
    return ExtractMacNode(view).info.macs;
  } catch (const std::exception&) {
    return -1;
  }
}

// A Constant node whose tensor lives in external data (paddle2onnx stores every weight so).
// ONNX's checker insists that the data file exist, though the importer needs only the dims.
bool IsExternalConstant(const onnx::NodeProto& node) {
  if (node.op_type() != "Constant" || !IsDefaultDomain(node.domain()) || node.output_size() != 1) {
    return false;
  }
  for (const onnx::AttributeProto& a : node.attribute()) {
    if (a.name() == "value" && a.has_t() &&
        a.t().data_location() == onnx::TensorProto::EXTERNAL) {
      return true;
    }
  }
  return false;
}

const onnx::TensorProto& ConstantTensor(const onnx::NodeProto& node) {
  for (const onnx::AttributeProto& a : node.attribute()) {
    if (a.name() == "value") return a.t();
  }
  CADENZA_CHECK(false);
  return node.attribute(0).t();
}

// The external-data Constant nodes of `graph` and its subgraphs become weight stubs: a main-
// graph node is removed and its output declared as a typed graph input; one in a subgraph
// reads such an input through an Identity (a body may read outer values). Returns how many,
// and the external files they name.
int StubExternalConstants(onnx::GraphProto* graph, bool main_graph,
                          std::unordered_set<std::string>* taken,
                          std::vector<WeightStub>* stubs, std::set<std::string>* files) {
  int count = 0;
  google::protobuf::RepeatedPtrField<onnx::NodeProto> kept;
  for (onnx::NodeProto& node : *graph->mutable_node()) {
    for (onnx::AttributeProto& a : *node.mutable_attribute()) {
      if (a.has_g()) count += StubExternalConstants(a.mutable_g(), false, taken, stubs, files);
      for (onnx::GraphProto& g : *a.mutable_graphs()) {
        count += StubExternalConstants(&g, false, taken, stubs, files);
      }
    }
    if (!IsExternalConstant(node)) {
      kept.Add()->Swap(&node);
      continue;
    }
    ++count;
    const onnx::TensorProto& t = ConstantTensor(node);
    for (const onnx::StringStringEntryProto& e : t.external_data()) {
      if (e.key() == "location") files->insert(e.value());
    }
    WeightStub stub;
    stub.data_type = t.data_type();
    stub.dims.assign(t.dims().begin(), t.dims().end());
    if (main_graph) {
      stub.name = node.output(0);
      stubs->push_back(std::move(stub));
      continue;
    }
    std::string name = node.output(0) + "/external";
    while (taken->count(name) > 0) name += "_";
    taken->insert(name);
    stub.name = name;
    stubs->push_back(std::move(stub));
    onnx::NodeProto* identity = kept.Add();
    identity->set_name(node.name());
    identity->set_op_type("Identity");
    identity->add_input(name);
    identity->add_output(node.output(0));
  }
  graph->mutable_node()->Swap(&kept);
  return count;
}

void CollectValueNames(const onnx::GraphProto& graph, std::unordered_set<std::string>* names) {
  for (const onnx::ValueInfoProto& vi : graph.input()) names->insert(vi.name());
  for (const onnx::TensorProto& t : graph.initializer()) names->insert(t.name());
  for (const onnx::NodeProto& node : graph.node()) {
    names->insert(node.output().begin(), node.output().end());
    for (const onnx::AttributeProto& a : node.attribute()) {
      if (a.has_g()) CollectValueNames(a.g(), names);
      for (const onnx::GraphProto& g : a.graphs()) CollectValueNames(g, names);
    }
  }
}

// MAC nodes inside the subgraphs of a control-flow node, listed as skipped (recursively).
void SkipSubgraphs(const onnx::NodeProto& node, const std::string& where,
                   const ShapeTable& outer, OnnxImport* result, int* inner_nodes) {
  for (const onnx::AttributeProto& a : node.attribute()) {
    std::vector<const onnx::GraphProto*> graphs;
    if (a.has_g()) graphs.push_back(&a.g());
    for (const onnx::GraphProto& g : a.graphs()) graphs.push_back(&g);
    for (const onnx::GraphProto* g : graphs) {
      const std::string scope = where + " " + a.name();
      const ShapeTable shapes = outer.Nested(*g);
      for (int i = 0; i < g->node_size(); ++i) {
        const onnx::NodeProto& inner = g->node(i);
        ++*inner_nodes;
        const std::string name = inner.name().empty()
                                     ? node.name() + "/" + a.name() + "/" + inner.op_type() +
                                           "_" + std::to_string(i)
                                     : inner.name();
        if (IsMacNode(inner) || !UnsupportedReason(inner).empty()) {
          result->skipped.push_back({name, OpKey(inner), SkippedNode::Why::kControlFlow,
                                     "inside the " + scope + "; control-flow bodies are not "
                                     "analysed",
                                     MacsIfKnown(inner, name, shapes)});
        }
        if (HasSubgraphs(inner)) {
          SkipSubgraphs(inner, inner.op_type() + " '" + name + "'", shapes, result,
                        inner_nodes);
        }
      }
    }
  }
}

// Why the shape of `value` is unknown: follows unknown inputs back to the first node whose
// inputs are all known (where inference stopped) or to a graph input.
class UnresolvedExplainer {
 public:
  UnresolvedExplainer(const onnx::ModelProto& model, const ShapeTable& shapes)
      : model_(model), shapes_(shapes) {
    const onnx::GraphProto& graph = model.graph();
    for (const onnx::NodeProto& node : graph.node()) {
      for (const std::string& out : node.output()) producers_.emplace(out, &node);
    }
    for (const onnx::ValueInfoProto& vi : graph.input()) inputs_.insert(vi.name());
  }

  std::string Explain(std::string value) {
    std::unordered_set<std::string> visited;
    while (visited.insert(value).second) {
      const ValueShape shape = shapes_.Get(value);
      if (inputs_.count(value) > 0) {
        std::string symbols;
        for (const std::string& s : shape.symbols) {
          if (!s.empty()) symbols += (symbols.empty() ? "'" : ", '") + s + "'";
        }
        if (!shape.has_rank) return "graph input '" + value + "' declares no shape";
        return "graph input '" + value + "' has shape " + shape.ToString() +
               (symbols.empty() ? "" : "; bind the symbolic dims " + symbols + " (--dim NAME=N)");
      }
      auto it = producers_.find(value);
      if (it == producers_.end()) return "no node produces '" + value + "'";
      const onnx::NodeProto& node = *it->second;
      std::string unknown;
      for (const std::string& input : node.input()) {
        if (!input.empty() && !shapes_.Get(input).Known()) {
          unknown = input;
          break;
        }
      }
      if (unknown.empty()) return StoppedAt(node);
      value = unknown;
    }
    return "its inputs form a loop";
  }

 private:
  std::string StoppedAt(const onnx::NodeProto& node) {
    std::string text = "ONNX shape inference stopped at node '" + node.name() + "' (" +
                       node.op_type() + ")";
    if (const std::string input = UnknownShapeGivingInput(node); !input.empty()) {
      return text + ": its output shape depends on the values of its input '" + input +
             "', which are only known at run time";
    }
    if (!errors_) errors_ = ShapeInferenceErrors(model_);
    const std::string key = "node name: " + node.name() + ")";
    const size_t at = errors_->find(key);
    if (at != std::string::npos) {
      size_t end = errors_->find('\n', at);
      if (end == std::string::npos) end = errors_->size();
      std::string detail = errors_->substr(at + key.size(), end - at - key.size());
      while (!detail.empty() && (detail[0] == ':' || detail[0] == ' ')) detail.erase(0, 1);
      text += ": " + detail;
    }
    return text;
  }

  // An input whose values give the node's output shape and are not constants, or "".
  std::string UnknownShapeGivingInput(const onnx::NodeProto& node) {
    static const auto* const kShapeInputs = new std::unordered_map<std::string, std::vector<int>>{
        {"Reshape", {1}},      {"Expand", {1}},    {"ConstantOfShape", {0}}, {"Tile", {1}},
        {"Slice", {1, 2, 3, 4}}, {"Range", {0, 1, 2}}, {"Resize", {1, 2, 3}}, {"Upsample", {1}},
        {"Pad", {1}},          {"TopK", {1}},      {"OneHot", {1}},   {"Squeeze", {1}},
        {"Unsqueeze", {1}},    {"Split", {1}},     {"NonZero", {0}},  {"Compress", {1}},
        {"NonMaxSuppression", {2}}, {"Unique", {0}},
    };
    auto it = kShapeInputs->find(node.op_type());
    if (it == kShapeInputs->end()) return "";
    if (constants_.empty()) {
      for (const onnx::TensorProto& t : model_.graph().initializer()) constants_.insert(t.name());
      for (const onnx::NodeProto& n : model_.graph().node()) {
        if (n.op_type() == "Constant" && n.output_size() == 1) constants_.insert(n.output(0));
      }
    }
    for (int i : it->second) {
      if (i < node.input_size() && !node.input(i).empty() &&
          constants_.count(node.input(i)) == 0) {
        return node.input(i);
      }
    }
    return "";
  }

  const onnx::ModelProto& model_;
  const ShapeTable& shapes_;
  std::unordered_set<std::string> constants_;
  std::unordered_map<std::string, const onnx::NodeProto*> producers_;
  std::unordered_set<std::string> inputs_;
  std::optional<std::string> errors_;
};

// ONNX's checker, except that a main-graph input or output may leave its shape to inference
// (the 1.12 checker insists on a shape field there; some exporters write none).
void CheckModel(onnx::ModelProto* model, const std::string& path) {
  std::vector<onnx::TypeProto_Tensor*> shapeless;
  onnx::GraphProto* graph = model->mutable_graph();
  for (auto* list : {graph->mutable_input(), graph->mutable_output()}) {
    for (onnx::ValueInfoProto& vi : *list) {
      if (vi.type().has_tensor_type() && !vi.type().tensor_type().has_shape()) {
        shapeless.push_back(vi.mutable_type()->mutable_tensor_type());
        shapeless.back()->mutable_shape();
      }
    }
  }
  try {
    onnx::checker::check_model(*model);
  } catch (const std::exception& e) {
    throw InputError(path + ": not a valid ONNX model: " + e.what());
  }
  for (onnx::TypeProto_Tensor* tensor : shapeless) tensor->clear_shape();
}

int64_t CheckedAdd(int64_t a, int64_t b, const std::string& path) {
  const std::optional<int64_t> sum = checked::TryAdd(a, b);
  if (!sum) throw InputError(path + ": the model's total MAC count overflows 64 bits");
  return *sum;
}

// The graph's name, unless an exporter wrote its default there ("torch_jit" for every PyTorch
// model): then the file's stem says more.
std::string NetworkName(const std::string& graph_name, const std::string& path) {
  static constexpr std::string_view kExporterDefaults[] = {
      "", "torch_jit", "torch-jit-export", "main_graph", "tf2onnx", "graph"};
  if (std::find(std::begin(kExporterDefaults), std::end(kExporterDefaults), graph_name) ==
      std::end(kExporterDefaults)) {
    return graph_name;
  }
  const std::string stem = std::filesystem::path(path).stem().string();
  return stem.empty() ? graph_name : stem;
}

OnnxImport Import(onnx::ModelProto& model, std::vector<WeightStub> stubs,
                  const std::string& path, const ImportOptions& options) {
  if (options.batch_size < 1) throw InputError("the batch size must be >= 1");
  for (const auto& [name, value] : options.dim_values) {
    if (value < 1) throw InputError("dim '" + name + "' must be >= 1");
  }
  if (!model.has_graph()) throw InputError(path + ": not an ONNX model: it has no graph");
  OnnxImport result;
  result.ir_version = model.ir_version();
  result.opset = DefaultOpset(model);
  result.producer = model.producer_name() +
                    (model.producer_version().empty() ? "" : " " + model.producer_version());
  result.network.name = NetworkName(model.graph().name(), path);
  result.network.source_path = path;
  std::vector<std::string>& warnings = result.network.warnings;

  const int max_opset =
      onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map().at(onnx::ONNX_DOMAIN).second;
  if (result.opset > max_opset) {
    throw InputError(path + ": the model uses opset " + std::to_string(result.opset) +
                     "; this build's ONNX library knows opsets up to " +
                     std::to_string(max_opset));
  }

  onnx::GraphProto* graph = model.mutable_graph();
  try {
    InlineModelFunctions(&model);
  } catch (const InputError& e) {
    throw InputError(path, e.what());
  }
  {
    std::unordered_set<std::string> taken;
    CollectValueNames(*graph, &taken);
    std::set<std::string> files;
    if (const int n = StubExternalConstants(graph, true, &taken, &stubs, &files); n > 0) {
      std::string names;
      for (const std::string& f : files) names += (names.empty() ? "'" : ", '") + f + "'";
      warnings.push_back(std::to_string(n) + " Constant node(s) keep their values in external "
                         "data" + (names.empty() ? "" : " (" + names + ")") +
                         ", which was not read: their shapes come from the tensor dims");
    }
  }
  NameNodes(graph);
  try {
    BindInputs(graph, stubs, options, &warnings);
  } catch (const InputError& e) {
    throw InputError(path, e.what());
  }
  SortTopologically(graph, path, &warnings);
  CheckModel(&model, path);

  // Node order and the ops that do no MACs are read before folding removes nodes.
  std::unordered_map<std::string, int> index_of;
  for (int i = 0; i < graph->node_size(); ++i) {
    const onnx::NodeProto& node = graph->node(i);
    index_of.emplace(node.name(), i);
    if (!IsMacNode(node) && UnsupportedReason(node).empty()) ++result.other_ops[OpKey(node)];
  }

  try {
    InferShapesWithFolding(&model);
  } catch (const std::exception& first) {
    // A shape the model declares contradicts inference (e.g. a fixed batch in value_info
    // against a bound one): keep only the element types of the declared shapes, once more.
    graph->clear_value_info();
    for (onnx::ValueInfoProto& vi : *graph->mutable_output()) {
      if (vi.type().has_tensor_type()) vi.mutable_type()->mutable_tensor_type()->clear_shape();
    }
    try {
      InferShapesWithFolding(&model);
    } catch (const std::exception& e) {
      throw InputError(path + ": ONNX shape inference failed: " + e.what());
    }
    warnings.push_back(std::string("the model's declared shapes contradict ONNX shape "
                                   "inference and were ignored: ") + first.what());
  }

  const ShapeTable shapes(*graph, stubs);
  std::optional<UnresolvedExplainer> explainer;
  int inner_nodes = 0;
  for (const onnx::NodeProto& node : graph->node()) {
    if (HasSubgraphs(node)) {
      const int before = inner_nodes;
      SkipSubgraphs(node, node.op_type() + " '" + node.name() + "'", shapes, &result,
                    &inner_nodes);
      warnings.push_back(node.op_type() + " '" + node.name() + "': " +
                         std::to_string(inner_nodes - before) +
                         " nodes inside its subgraphs are not analysed");
    }
    if (const std::string reason = UnsupportedReason(node); !reason.empty()) {
      result.skipped.push_back(
          {node.name(), OpKey(node), SkippedNode::Why::kUnsupported, reason, -1});
      continue;
    }
    if (!IsMacNode(node)) continue;
    ExtractedNode extracted;
    try {
      extracted = ExtractMacNode(MakeView(node, shapes));
    } catch (const UnresolvedShape& e) {
      if (!explainer) explainer.emplace(model, shapes);
      const std::string reason = std::string(e.what()) + ": " + explainer->Explain(e.value);
      if (!options.skip_unresolved) throw InputError(NodeContext(path, node), reason);
      result.skipped.push_back(
          {node.name(), node.op_type(), SkippedNode::Why::kUnresolved, reason, -1});
      continue;
    } catch (const UnsupportedNode& e) {
      result.skipped.push_back(
          {node.name(), node.op_type(), SkippedNode::Why::kUnsupported, e.what(), -1});
      continue;
    } catch (const InputError& e) {
      throw InputError(NodeContext(path, node), e.what());
    }
    extracted.info.node_index = index_of.at(node.name());
    for (Layer& layer : extracted.layers) {
      extracted.info.layer_indices.push_back(static_cast<int>(result.network.layers.size()));
      result.network.layers.push_back(std::move(layer));
    }
    result.total_macs = CheckedAdd(result.total_macs, extracted.info.macs, path);
    result.nodes.push_back(std::move(extracted.info));
  }
  const auto unresolved = std::count_if(result.skipped.begin(), result.skipped.end(),
                                        [](const SkippedNode& s) {
                                          return s.why == SkippedNode::Why::kUnresolved;
                                        });
  if (unresolved > 0) {
    warnings.push_back(std::to_string(unresolved) +
                       " MAC node(s) have unresolved shapes; their MACs are not in the total");
  }
  for (const SkippedNode& s : result.skipped) {
    result.network.not_analysed.push_back(
        {s.name, s.op_type, s.macs, std::string(SkipReasonName(s.why)) + ": " + s.reason});
  }
  return result;
}

}  // namespace

OnnxImport ImportOnnx(const std::string& path, const ImportOptions& options) {
  onnx::ModelProto model;
  std::vector<WeightStub> stubs;
  try {
    stubs = ReadModelFile(path, &model);
  } catch (const InputError& e) {
    throw InputError(path, e.what());
  }
  return Import(model, std::move(stubs), path, options);
}

OnnxImport ImportOnnxBytes(std::string_view bytes, const std::string& name_for_errors,
                           const ImportOptions& options) {
  onnx::ModelProto model;
  std::vector<WeightStub> stubs;
  try {
    stubs = ReadModelBytes(bytes, &model);
  } catch (const InputError& e) {
    throw InputError(name_for_errors, e.what());
  }
  return Import(model, std::move(stubs), name_for_errors, options);
}

OnnxImport ImportOnnxText(std::string_view text, const std::string& name_for_errors,
                          const ImportOptions& options) {
  onnx::ModelProto model;
  const std::string source(text);
  const onnx::Status status = onnx::OnnxParser::Parse(model, source.c_str());
  if (!status.IsOK()) {
    throw InputError(name_for_errors + ": not ONNX text syntax: " + status.ErrorMessage());
  }
  // Through the serialized form, so that large initializers are treated as in a file.
  std::string bytes;
  model.SerializeToString(&bytes);
  return ImportOnnxBytes(bytes, name_for_errors, options);
}

}  // namespace cadenza
