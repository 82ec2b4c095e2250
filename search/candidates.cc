#include "search/candidates.h"

#include <algorithm>
#include <map>
#include <unordered_set>

namespace cadenza::internal {

namespace {

struct LayerKey {
  OpKind kind;
  LayerShape shape;
  friend auto operator<=>(const LayerKey&, const LayerKey&) = default;
};

uint64_t HashMapping(const Mapping& m) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  auto mix = [&h](uint64_t v) {
    h ^= v;
    h *= 1099511628211ull;
  };
  for (const Directive& d : m) {
    mix(static_cast<uint64_t>(d.kind) | static_cast<uint64_t>(d.dim) << 8 |
        static_cast<uint64_t>(d.output_coord) << 16);
    mix(static_cast<uint64_t>(d.size));
    mix(static_cast<uint64_t>(d.offset));
  }
  return h;
}

// Appends the candidates of one template for one layer in odometer order (first parameter
// outermost).
class Enumerator {
 public:
  Enumerator(const DataflowTemplate& t, const LayerShape& shape, int64_t num_pes,
             int32_t distinct, int32_t template_index, int64_t limit, std::vector<Candidate>* out)
      : t_(t), distinct_(distinct), template_index_(template_index), limit_(limit), out_(out) {
    context_.shape = &shape;
    context_.num_pes = num_pes;
    context_.params = &values_;
  }

  void Run() { Recurse(0); }

 private:
  void Recurse(size_t p) {
    if (added_ >= limit_ || tried_ >= kMaxTried) return;
    if (p == t_.params.size()) {
      ++tried_;
      Mapping m;
      if (!t_.Instantiate(context_, &m)) return;
      if (!seen_.insert(HashMapping(m)).second) return;
      out_->push_back({distinct_, template_index_, values_});
      ++added_;
      return;
    }
    for (int64_t v : t_.params[p].Values(context_)) {
      values_[p] = v;
      Recurse(p + 1);
    }
    values_[p] = 0;
  }

  const DataflowTemplate& t_;
  int32_t distinct_, template_index_;
  int64_t limit_;
  std::vector<Candidate>* out_;
  ParamValues values_{};
  ExprContext context_;
  std::unordered_set<uint64_t> seen_;
  int64_t added_ = 0;
  // Parameter combinations looked at, kept or not. A user template whose parameters do not all
  // change the mapping (or whose domains are huge) would otherwise enumerate without end while
  // finding only duplicates; the search stops looking after this many.
  static constexpr int64_t kMaxTried = int64_t{1} << 20;
  int64_t tried_ = 0;
};

}  // namespace

DistinctLayers FindDistinctLayers(const Network& network) {
  DistinctLayers d;
  std::map<LayerKey, int> first_seen;
  for (const Layer& l : network.layers) {
    const auto [it, inserted] =
        first_seen.try_emplace(LayerKey{l.kind, l.shape}, static_cast<int>(d.layer_of.size()));
    if (inserted) d.layer_of.push_back(static_cast<int>(d.distinct_of.size()));
    d.distinct_of.push_back(it->second);
  }
  return d;
}

CandidateList EnumerateCandidates(const Network& network, const DistinctLayers& distinct,
                                  const TemplateLibrary& library, int64_t num_pes, int64_t limit,
                                  int threads) {
  const std::vector<DataflowTemplate>& templates = library.templates();
  // One job per (distinct layer, template that applies), enumerated in parallel into lists of
  // their own and joined in job order, so the list never depends on the threads.
  std::vector<std::pair<size_t, size_t>> jobs;
  for (size_t d = 0; d < distinct.layer_of.size(); ++d) {
    const Layer& layer = network.layers[static_cast<size_t>(distinct.layer_of[d])];
    for (size_t t = 0; t < templates.size(); ++t) {
      if (templates[t].AppliesTo(layer.kind)) jobs.emplace_back(d, t);
    }
  }
  std::vector<std::vector<Candidate>> found(jobs.size());
  const int64_t num_jobs = static_cast<int64_t>(jobs.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(std::max(threads, 1))
  for (int64_t j = 0; j < num_jobs; ++j) {
    const auto [d, t] = jobs[static_cast<size_t>(j)];
    const Layer& layer = network.layers[static_cast<size_t>(distinct.layer_of[d])];
    Enumerator(templates[t], layer.shape, num_pes, static_cast<int32_t>(d), static_cast<int32_t>(t),
               limit, &found[static_cast<size_t>(j)])
        .Run();
  }
  CandidateList list;
  size_t job = 0;
  for (size_t d = 0; d < distinct.layer_of.size(); ++d) {
    list.begin.push_back(list.items.size());
    for (; job < jobs.size() && jobs[job].first == d; ++job) {
      list.items.insert(list.items.end(), found[job].begin(), found[job].end());
    }
  }
  list.begin.push_back(list.items.size());
  return list;
}

}  // namespace cadenza::internal
