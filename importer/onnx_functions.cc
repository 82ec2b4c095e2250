#include "importer/onnx_functions.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>
#include <onnx/onnx_pb.h>

#include "analyzer/error.h"

namespace cadenza {

namespace {

using NodeList = google::protobuf::RepeatedPtrField<onnx::NodeProto>;
using Renames = std::unordered_map<std::string, std::string>;
using Attributes = std::unordered_map<std::string, const onnx::AttributeProto*>;

bool IsDefaultDomain(const std::string& domain) { return domain.empty() || domain == "ai.onnx"; }

std::string FunctionName(const std::string& domain, const std::string& name) {
  return IsDefaultDomain(domain) ? name : domain + ":" + name;
}

std::vector<onnx::GraphProto*> Subgraphs(onnx::NodeProto* node) {
  std::vector<onnx::GraphProto*> graphs;
  for (onnx::AttributeProto& a : *node->mutable_attribute()) {
    if (a.has_g()) graphs.push_back(a.mutable_g());
    for (onnx::GraphProto& g : *a.mutable_graphs()) graphs.push_back(&g);
  }
  return graphs;
}

// Every value name of a graph and its subgraphs, so that fresh names never collide.
void CollectNames(const onnx::GraphProto& graph, std::unordered_set<std::string>* names) {
  for (const auto* list : {&graph.input(), &graph.output(), &graph.value_info()}) {
    for (const onnx::ValueInfoProto& vi : *list) names->insert(vi.name());
  }
  for (const onnx::TensorProto& t : graph.initializer()) names->insert(t.name());
  for (const onnx::NodeProto& node : graph.node()) {
    names->insert(node.input().begin(), node.input().end());
    names->insert(node.output().begin(), node.output().end());
    for (const onnx::AttributeProto& a : node.attribute()) {
      if (a.has_g()) CollectNames(a.g(), names);
      for (const onnx::GraphProto& g : a.graphs()) CollectNames(g, names);
    }
  }
}

class Inliner {
 public:
  explicit Inliner(onnx::ModelProto* model) : model_(model) {
    for (const onnx::FunctionProto& f : model->functions()) {
      functions_.emplace(std::make_pair(f.domain(), f.name()), &f);
    }
    CollectNames(model->graph(), &taken_);
  }

  int calls() const { return calls_; }

  // Inlines the calls among `graph`'s nodes and inside its nodes' subgraphs.
  void InlineGraph(onnx::GraphProto* graph) {
    NodeList out;
    for (int i = 0; i < graph->node_size(); ++i) {
      onnx::NodeProto* node = graph->mutable_node(i);
      if (Find(*node) != nullptr) {
        const std::string prefix =
            node->name().empty() ? node->op_type() + "_" + std::to_string(i) : node->name();
        Expand(*node, prefix, &out);
        continue;
      }
      for (onnx::GraphProto* g : Subgraphs(node)) InlineGraph(g);
      out.Add()->Swap(node);
    }
    graph->mutable_node()->Swap(&out);
  }

 private:
  const onnx::FunctionProto* Find(const onnx::NodeProto& node) const {
    auto it = functions_.find({node.domain(), node.op_type()});
    if (it == functions_.end() && node.domain() == "ai.onnx") {
      it = functions_.find({"", node.op_type()});
    }
    return it == functions_.end() ? nullptr : it->second;
  }

  std::string Fresh(const std::string& wanted) {
    std::string name = wanted;
    for (int k = 2; taken_.count(name) > 0; ++k) name = wanted + "#" + std::to_string(k);
    taken_.insert(name);
    return name;
  }

  // The body's values renamed, the call's attributes put in for references, in `node` and,
  // recursively, in the subgraphs it holds (which may read the body's values by name).
  void Rewrite(onnx::NodeProto* node, const Renames& renames, const Attributes& attributes) {
    for (std::string& input : *node->mutable_input()) {
      if (auto it = renames.find(input); it != renames.end()) input = it->second;
    }
    for (std::string& output : *node->mutable_output()) {
      if (auto it = renames.find(output); it != renames.end()) output = it->second;
    }
    google::protobuf::RepeatedPtrField<onnx::AttributeProto> resolved;
    for (onnx::AttributeProto& a : *node->mutable_attribute()) {
      if (!a.ref_attr_name().empty()) {
        auto it = attributes.find(a.ref_attr_name());
        if (it == attributes.end()) continue;  // not given by the call: the default applies
        onnx::AttributeProto* value = resolved.Add();
        *value = *it->second;
        value->set_name(a.name());
        continue;
      }
      std::vector<onnx::GraphProto*> graphs;
      if (a.has_g()) graphs.push_back(a.mutable_g());
      for (onnx::GraphProto& g : *a.mutable_graphs()) graphs.push_back(&g);
      for (onnx::GraphProto* g : graphs) {
        for (onnx::NodeProto& inner : *g->mutable_node()) Rewrite(&inner, renames, attributes);
        for (onnx::ValueInfoProto& vi : *g->mutable_output()) {
          if (auto it = renames.find(vi.name()); it != renames.end()) vi.set_name(it->second);
        }
      }
      resolved.Add()->Swap(&a);
    }
    node->mutable_attribute()->Swap(&resolved);
  }

  void Expand(const onnx::NodeProto& call, const std::string& prefix, NodeList* out) {
    const onnx::FunctionProto& f = *Find(call);
    const std::string name = FunctionName(f.domain(), f.name());
    if (std::find(stack_.begin(), stack_.end(), &f) != stack_.end()) {
      std::string chain;
      for (const onnx::FunctionProto* g : stack_) chain += FunctionName(g->domain(), g->name()) + " -> ";
      throw InputError("node '" + call.name() + "' (" + name + "): the model-local function '" +
                       name + "' calls itself (" + chain + name + "); it cannot be inlined");
    }
    if (call.input_size() > f.input_size() || call.output_size() > f.output_size()) {
      throw InputError("node '" + call.name() + "' (" + name + ") has " +
                       std::to_string(call.input_size()) + " inputs and " +
                       std::to_string(call.output_size()) + " outputs; its model-local "
                       "function has " + std::to_string(f.input_size()) + " and " +
                       std::to_string(f.output_size()));
    }
    ++calls_;
    stack_.push_back(&f);
    for (const onnx::OperatorSetIdProto& o : f.opset_import()) AddOpset(o);

    Renames renames;
    for (int i = 0; i < f.input_size(); ++i) {
      renames[f.input(i)] = i < call.input_size() ? call.input(i) : "";
    }
    for (int i = 0; i < f.output_size(); ++i) {
      renames[f.output(i)] =
          i < call.output_size() && !call.output(i).empty() ? call.output(i)
                                                            : Fresh(prefix + "/" + f.output(i));
    }
    for (const onnx::NodeProto& node : f.node()) {
      for (const std::string& output : node.output()) {
        if (!output.empty() && renames.count(output) == 0) {
          renames[output] = Fresh(prefix + "/" + output);
        }
      }
    }
    Attributes attributes;
    for (const onnx::AttributeProto& a : call.attribute()) attributes.emplace(a.name(), &a);

    for (int j = 0; j < f.node_size(); ++j) {
      onnx::NodeProto node = f.node(j);
      std::string inner = node.name();
      inner.erase(0, inner.find_first_not_of('/'));
      if (inner.empty()) inner = node.op_type() + "_" + std::to_string(j);
      node.set_name(prefix + "/" + inner);
      Rewrite(&node, renames, attributes);
      if (Find(node) != nullptr) {
        Expand(node, node.name(), out);
        continue;
      }
      for (onnx::GraphProto* g : Subgraphs(&node)) InlineGraph(g);
      out->Add()->Swap(&node);
    }
    stack_.pop_back();
  }

  void AddOpset(const onnx::OperatorSetIdProto& wanted) {
    for (const onnx::OperatorSetIdProto& o : model_->opset_import()) {
      if (o.domain() == wanted.domain() ||
          (IsDefaultDomain(o.domain()) && IsDefaultDomain(wanted.domain()))) {
        return;
      }
    }
    *model_->add_opset_import() = wanted;
  }

  onnx::ModelProto* model_;
  std::map<std::pair<std::string, std::string>, const onnx::FunctionProto*> functions_;
  std::unordered_set<std::string> taken_;
  std::vector<const onnx::FunctionProto*> stack_;
  int calls_ = 0;
};

}  // namespace

int InlineModelFunctions(onnx::ModelProto* model) {
  if (model->functions_size() == 0) return 0;
  Inliner inliner(model);
  inliner.InlineGraph(model->mutable_graph());
  const int calls = inliner.calls();
  model->clear_functions();
  return calls;
}

}  // namespace cadenza
