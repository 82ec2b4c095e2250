// cadenza._core: the compiled half of the Python package. Deliberately thin: it loads networks,
// reads hardware descriptions, runs SearchNetwork and BuildReport, and hands back the report's
// documents (JSON, HTML, CSV, text) as the C++ writers render them. The typed objects users see
// are built in Python from the JSON (python/cadenza/), so the documented schema
// (docs/report-schema.md) is the one interface between the two halves.
//
// The sharded design-space exploration (cadenza.dse, python/cadenza/_dse.py) uses three calls:
// Sweep (a parsed sweep file and its evaluation groups), explore_subset (some points' results as
// a plain dict, picklable and exact: every number is a Python int or float) and dse_report (the
// merge of every subset into the report `cadenza dse` writes).
//
// A search runs in a worker thread without the GIL while the calling thread wakes every 50 ms,
// takes the GIL, runs Python's signal handlers (so Ctrl-C raises KeyboardInterrupt within a
// fraction of a second) and calls the progress callback; an exception from either cancels the
// search (SearchOptions::cancel), waits for the worker and propagates, with no partial result.
//
// Errors: InputError becomes cadenza.InputError (a ValueError) with the library's message, which
// names the file and the node or line; InternalError becomes RuntimeError. Nothing here prints
// or exits.

#include <nanobind/nanobind.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <span>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzer/cost_model.h"
#include "analyzer/dims.h"
#include "analyzer/error.h"
#include "analyzer/hardware.h"
#include "analyzer/layer.h"
#include "analyzer/polyphase.h"
#include "importer/hardware_config.h"
#include "importer/hardware_config_text.h"
#include "importer/maestro_reader.h"
#include "importer/maestro_writer.h"
#include "importer/onnx_importer.h"
#include "report/dse_report.h"
#include "report/eval_run.h"
#include "report/eval_writers.h"
#include "report/report.h"
#include "search/dse.h"
#include "search/search.h"
#include "search/templates.h"

namespace nb = nanobind;

namespace cadenza::python {
namespace {

/// A loaded network and what the report says about its source beyond the layers.
struct LoadedNetwork {
  Network network;
  std::vector<std::pair<std::string, int64_t>> other_ops;  // ONNX ops without MACs, by type
};

ImportOptions MakeImportOptions(std::optional<int64_t> batch,
                                const std::map<std::string, int64_t>& dims, bool skip_unresolved) {
  ImportOptions options;
  options.skip_unresolved = skip_unresolved;
  if (batch) {
    if (*batch < 1) throw InputError("batch must be at least 1, not " + std::to_string(*batch));
    options.batch_size = *batch;
  }
  for (const auto& [name, value] : dims) {
    if (value < 1) {
      throw InputError("dims['" + name + "'] must be at least 1, not " + std::to_string(value));
    }
  }
  options.dim_values = dims;
  return options;
}

LoadedNetwork FromOnnx(OnnxImport onnx) {
  LoadedNetwork loaded{std::move(onnx.network), {}};
  for (const auto& [op, count] : onnx.other_ops) loaded.other_ops.emplace_back(op, count);
  return loaded;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

LoadedNetwork LoadFile(const std::string& path, std::optional<int64_t> batch,
                       const std::map<std::string, int64_t>& dims, bool skip_unresolved) {
  LoadedNetwork loaded;
  if (EndsWith(path, ".onnx")) {
    loaded = FromOnnx(ImportOnnx(path, MakeImportOptions(batch, dims, skip_unresolved)));
  } else if (EndsWith(path, ".m")) {
    if (batch || !dims.empty() || skip_unresolved) {
      throw InputError(path, "batch, dims and skip_unresolved apply to ONNX models only");
    }
    loaded.network = ReadMaestroModel(path).network;
  } else {
    throw InputError(path, "is neither an ONNX model (.onnx) nor a MAESTRO network (.m)");
  }
  if (loaded.network.source_path.empty()) loaded.network.source_path = path;
  return loaded;
}

LoadedNetwork LoadOnnxBytes(const nb::bytes& data, const std::string& name,
                            std::optional<int64_t> batch,
                            const std::map<std::string, int64_t>& dims, bool skip_unresolved) {
  const std::string_view bytes(data.c_str(), data.size());
  const ImportOptions options = MakeImportOptions(batch, dims, skip_unresolved);
  OnnxImport onnx;
  {
    nb::gil_scoped_release release;
    onnx = ImportOnnxBytes(bytes, name, options);
  }
  return FromOnnx(std::move(onnx));
}

nb::dict LayerDict(const Layer& layer) {
  nb::dict d;
  d["name"] = layer.name;
  d["op_type"] = layer.op_type;
  d["kind"] = std::string(OpKindName(layer.kind));
  nb::dict dims;
  for (Dim dim : kAllDims) {
    if (layer.shape.size[dim] != 0) dims[std::string(DimName(dim)).c_str()] = layer.shape.size[dim];
  }
  d["dims"] = dims;
  d["stride"] = nb::make_tuple(layer.shape.stride_y, layer.shape.stride_x);
  d["dilation"] = nb::make_tuple(layer.shape.dilation_y, layer.shape.dilation_x);
  d["instances"] = layer.instances;
  d["exact_macs"] = layer.exact_macs;
  return d;
}

nb::dict NotAnalysedDict(const NotAnalysedNode& node) {
  nb::dict d;
  d["name"] = node.name;
  d["op_type"] = node.op_type;
  d["macs"] = node.macs >= 0 ? nb::object(nb::int_(node.macs)) : nb::none();
  d["reason"] = node.reason;
  return d;
}

// Capacities and bandwidths that are unlimited are None on the Python side.
nb::object Limit(int64_t value) {
  return Hardware::IsUnlimited(value) ? nb::none() : nb::object(nb::int_(value));
}

/// The fields of hardware_config.proto, by the names Python's Hardware uses.
nb::dict HardwareDict(const Hardware& hw) {
  nb::dict d;
  d["num_pes"] = hw.num_pes;
  d["simd_lanes"] = hw.simd_lanes;
  d["l1_bytes"] = Limit(hw.l1_size);
  d["l2_bytes"] = Limit(hw.l2_size);
  d["noc_bandwidth"] = Limit(hw.noc_bw);
  d["noc_latency"] = hw.noc_latency;
  nb::list levels;
  int used = 0;
  for (int i = 0; i < kMaxNocLevels; ++i) {
    const NocLevel& level = hw.noc_levels[static_cast<size_t>(i)];
    if (level.bw > 0 || level.latency >= 0) used = i + 1;
  }
  for (int i = 0; i < used; ++i) {
    const NocLevel& level = hw.noc_levels[static_cast<size_t>(i)];
    levels.append(nb::make_tuple(level.bw > 0 ? nb::object(nb::int_(level.bw)) : nb::none(),
                                 level.latency >= 0 ? nb::object(nb::int_(level.latency))
                                                    : nb::none()));
  }
  d["noc_levels"] = nb::tuple(levels);
  d["offchip_bandwidth"] = Limit(hw.offchip_bw);
  d["clock_ghz"] = hw.clock_ghz;
  d["bytes_per_element"] = nb::make_tuple(hw.bytes_per_element[Tensor::kInput],
                                          hw.bytes_per_element[Tensor::kFilter],
                                          hw.bytes_per_element[Tensor::kOutput]);
  d["mac_pj"] = hw.energy.mac_pj;
  d["l1_pj"] = hw.energy.l1_pj;
  d["l2_pj"] = hw.energy.l2_pj;
  d["dram_pj"] = hw.energy.offchip_pj;
  d["bandwidth_is_hard_limit"] = hw.bandwidth_is_hard_limit;
  return d;
}

/// Runs SearchNetwork in a worker thread; see the top of the file. Called without the GIL;
/// `progress` (None or a callable taking (candidates done, total)) is called with it.
SearchResult SearchInterruptibly(const Network& network, const Hardware& hw,
                                 SearchOptions options, const nb::object& progress) {
  std::atomic<bool> cancel{false};
  std::atomic<int64_t> done{0}, total{0};
  options.cancel = &cancel;
  options.progress = [&done, &total](int64_t d, int64_t t) {
    total.store(t, std::memory_order_relaxed);
    done.store(d, std::memory_order_relaxed);
  };
  std::mutex mutex;
  std::condition_variable finished_cv;
  bool finished = false;
  std::optional<SearchResult> result;
  std::exception_ptr error;
  std::thread worker([&] {
    try {
      result = SearchNetwork(network, hw, TemplateLibrary::Builtin(), options);
    } catch (...) {
      error = std::current_exception();
    }
    const std::lock_guard<std::mutex> lock(mutex);
    finished = true;
    finished_cv.notify_one();
  });
  int64_t reported = -1;
  // With the GIL: signals, then the callback. On an exception the search is cancelled and the
  // worker joined (without the GIL: it never needs it) before the exception leaves.
  auto poll = [&](bool last) {
    nb::gil_scoped_acquire gil;
    try {
      if (PyErr_CheckSignals() != 0) throw nb::python_error();
      const int64_t d = done.load(std::memory_order_relaxed);
      if (!progress.is_none() && d != reported && (last || total.load() > 0)) {
        reported = d;
        progress(d, total.load(std::memory_order_relaxed));
      }
    } catch (...) {
      cancel = true;
      nb::gil_scoped_release release;
      if (worker.joinable()) worker.join();
      throw;
    }
  };
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex);
      if (finished_cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return finished; })) {
        break;
      }
    }
    poll(false);
  }
  worker.join();
  if (error) std::rethrow_exception(error);
  poll(true);  // (total, total)
  return std::move(*result);
}

/// A finished search: the report, and its documents rendered on demand.
class Report {
 public:
  explicit Report(NetworkReport report, int threads = 0)
      : report_(std::move(report)), threads_(threads) {}
  int threads() const { return threads_; }
  /// Keeps what MaestroText writes: the network searched and each layer's chosen mapping.
  void KeepMappings(const Network& network, const SearchResult& result) {
    network_ = network;
    mappings_.clear();
    for (const LayerChoice& layer : result.layers) {
      mappings_.push_back(layer.found ? std::optional<Mapping>(layer.mapping) : std::nullopt);
    }
  }
  std::string MaestroText(const std::vector<std::string>& comments) const;
  std::string Render(void (*write)(const NetworkReport&, std::ostream&)) const {
    std::ostringstream out;
    write(report_, out);
    return std::move(out).str();
  }

 private:
  NetworkReport report_;
  int threads_ = 0;  // the OpenMP threads the search ran on
  Network network_;  // as searched (ForCostModel's)
  std::vector<std::optional<Mapping>> mappings_;  // per layer; nullopt: none found
};

/// `cadenza search --emit-maestro`'s document (cli/run_support.cc, ChosenMappingsText) with the
/// caller's comments; the layers without a mapping are left out (the caller warns).
std::string Report::MaestroText(const std::vector<std::string>& comments) const {
  std::vector<const Mapping*> mappings(network_.layers.size(), nullptr);
  for (size_t i = 0; i < mappings.size() && i < mappings_.size(); ++i) {
    if (mappings_[i]) mappings[i] = &*mappings_[i];
  }
  return MaestroNetworkText(network_, mappings, comments);
}

struct SearchArgs {
  std::string hardware_text;    // hardware_config.proto text format, validated here
  std::string objective;        // "latency", "energy", "edp"
  std::string model;            // "maestro", "exact"
  int threads = 0;
  int64_t max_candidates = 20'000;
  double latency_slack = -1;    // SearchOptions::latency_slack (< 0: none)
  ReportContext context;        // provenance, filled by the Python layer
};

// The CLI's check of --latency-slack (cli/common_options.cc), for a fraction: 0.05 is 5%.
void CheckLatencySlack(double latency_slack, Objective objective) {
  if (!std::isfinite(latency_slack) || (latency_slack < 0 && latency_slack != -1)) {
    throw InputError("latency_slack must be a fraction of 0 or more (0.05: within 5%)");
  }
  if (latency_slack >= 0 && objective == Objective::kLatency) {
    throw InputError("latency_slack bounds latency under the energy or edp objective");
  }
}

Report Search(const LoadedNetwork& loaded, SearchArgs args, const nb::object& progress) {
  const std::optional<Objective> objective = ObjectiveFromName(args.objective);
  if (!objective) {
    throw InputError("unknown objective '" + args.objective + "'; use latency, energy or edp");
  }
  const std::optional<CostModelKind> model = CostModelFromName(args.model);
  if (!model) throw InputError("unknown cost model '" + args.model + "'; use maestro or exact");
  if (args.threads < 0) throw InputError("threads must be 0 or more");
  if (args.max_candidates < 1) throw InputError("max_candidates must be at least 1");
  CheckLatencySlack(args.latency_slack, *objective);
  // As the CLI's LoadModel gives it: the MAESTRO-compatible model gets a dilated layer's
  // undilated phases, and the report shows the layers that were searched.
  const Network network = ForCostModel(loaded.network, *model);
  const std::string& source = network.source_path.empty() ? network.name : network.source_path;
  if (network.layers.empty()) {
    throw InputError(source, "has no layers with multiply-accumulates to search");
  }

  nb::gil_scoped_release release;
  const Hardware hw = ParseHardwareConfig(args.hardware_text, args.context.hardware_source);
  SearchOptions options;
  options.objective = *objective;
  options.model = *model;
  // Resolved here: the worker thread would see OpenMP's defaults, not this thread's.
  options.threads = SearchThreads(args.threads);
  options.max_candidates_per_template = args.max_candidates;
  options.latency_slack = args.latency_slack;
  const SearchResult result = SearchInterruptibly(network, hw, options, progress);
  // The context the CLI assembles from its model loader (cli/run_support.cc, LoadModel).
  ReportContext& context = args.context;
  context.warnings.insert(context.warnings.begin(), network.warnings.begin(),
                          network.warnings.end());
  for (const NotAnalysedNode& node : network.not_analysed) {
    context.skipped.push_back({node.name, node.op_type, node.reason});
  }
  context.other_ops = loaded.other_ops;
  Report report(BuildReport(network, result, hw, context), options.threads);
  report.KeepMappings(network, result);
  return report;
}

// ---- Evaluation of a .m network's own dataflows (`cadenza eval`) ---------------------------

/// A finished `cadenza eval` run: its report, documents rendered on demand, and the lines the
/// command prints on stderr.
class EvalDocuments {
 public:
  EvalDocuments(std::unique_ptr<const MaestroModel> model, EvalReport report,
                std::vector<std::pair<bool, std::string>> messages)
      : model_(std::move(model)), report_(std::move(report)), messages_(std::move(messages)) {}
  std::string Render(void (*write)(const EvalReport&, std::ostream&)) const {
    std::ostringstream out;
    write(report_, out);
    return std::move(out).str();
  }
  const std::vector<std::pair<bool, std::string>>& Messages() const { return messages_; }

 private:
  std::unique_ptr<const MaestroModel> model_;  // the rows point into it
  EvalReport report_;
  std::vector<std::pair<bool, std::string>> messages_;  // (is an error, text)
};

/// `cadenza eval --mapping F.m --hw H --model M [--simd-lanes N]` (cli/cmd_eval.cc): `mapping`
/// is the file's path, or its text when `name` is given (then the name messages use).
EvalDocuments Evaluate(const std::string& mapping, const std::optional<std::string>& name,
                       const std::string& hardware_text, const std::string& hardware_source,
                       const std::string& model_name, std::optional<int64_t> simd_lanes) {
  const std::optional<CostModelKind> kind = CostModelFromName(model_name);
  if (!kind) throw InputError("unknown cost model '" + model_name + "'; use maestro or exact");
  if (simd_lanes && *simd_lanes < 1) {
    throw InputError("simd_lanes must be at least 1, not " + std::to_string(*simd_lanes));
  }
  nb::gil_scoped_release release;
  if (!name && EndsWith(mapping, ".onnx")) {
    throw InputError(mapping, "is an ONNX model, which gives no dataflows to evaluate; "
                              "cadenza.search finds them");
  }
  auto model = std::make_unique<MaestroModel>(name ? ParseMaestroModel(mapping, *name)
                                                   : ReadMaestroModel(mapping));
  if (name && model->network.source_path.empty()) model->network.source_path = *name;
  Hardware hw = ParseHardwareConfig(hardware_text, hardware_source);
  if (simd_lanes) hw.simd_lanes = *simd_lanes;
  std::vector<std::pair<bool, std::string>> messages;
  EvalReport report = EvaluateNetwork(
      {&model->network, &model->mappings, &model->layer_lines, &model->directive_lines}, *kind,
      hw, &messages);
  report.version = CADENZA_VERSION;
  report.mapping_path = name ? *name : mapping;
  report.hardware_path = hardware_source;
  return EvalDocuments(std::move(model), std::move(report), std::move(messages));
}


// ---- Design-space exploration -------------------------------------------------------------

/// A sweep file's design points, parsed once per process.
struct Sweep {
  std::string path;
  std::string text;
  std::vector<Hardware> points;
  std::vector<std::string> labels;
};

Sweep ParseSweepText(const std::string& text, const std::string& path) {
  Sweep sweep{path, text, {}, {}};
  for (SweepPoint& p : ParseSweep(text, path)) {
    sweep.points.push_back(p.hw);
    sweep.labels.push_back(std::move(p.label));
  }
  return sweep;
}

struct DseArgs {
  std::string objective;
  std::string model;
  int threads = 1;
  int64_t max_candidates = 2000;
  double area_budget_um2 = 0;
  double power_budget_mw = 0;
  double latency_slack = -1;  // SearchOptions::latency_slack (< 0: none)
};

DseOptions MakeDseOptions(const DseArgs& args) {
  const std::optional<Objective> objective = ObjectiveFromName(args.objective);
  if (!objective) {
    throw InputError("unknown objective '" + args.objective + "'; use latency, energy or edp");
  }
  const std::optional<CostModelKind> model = CostModelFromName(args.model);
  if (!model) throw InputError("unknown cost model '" + args.model + "'; use maestro or exact");
  if (args.threads < 0) throw InputError("threads must be 0 or more");
  if (args.max_candidates < 1) throw InputError("max_candidates must be at least 1");
  if (args.area_budget_um2 < 0 || args.power_budget_mw < 0) {
    throw InputError("budgets must be positive (0: none)");
  }
  CheckLatencySlack(args.latency_slack, *objective);
  DseOptions options;
  options.search.objective = *objective;
  options.search.model = *model;
  options.search.threads = args.threads;
  options.search.max_candidates_per_template = args.max_candidates;
  options.search.latency_slack = args.latency_slack;
  options.area_budget_um2 = args.area_budget_um2;
  options.power_budget_mw = args.power_budget_mw;
  return options;
}

nb::dict AreaPowerDict(const AreaPower& a) {
  nb::dict d;
  d["area_um2"] = a.area_um2;
  d["power_mw"] = a.power_mw;
  d["pe_power_mw"] = a.pe_power_mw;
  d["l1_power_mw"] = a.l1_power_mw;
  d["l2_power_mw"] = a.l2_power_mw;
  d["noc_power_mw"] = a.noc_power_mw;
  return d;
}

AreaPower AreaPowerFrom(const nb::dict& d) {
  AreaPower a;
  a.area_um2 = nb::cast<double>(d["area_um2"]);
  a.power_mw = nb::cast<double>(d["power_mw"]);
  a.pe_power_mw = nb::cast<double>(d["pe_power_mw"]);
  a.l1_power_mw = nb::cast<double>(d["l1_power_mw"]);
  a.l2_power_mw = nb::cast<double>(d["l2_power_mw"]);
  a.noc_power_mw = nb::cast<double>(d["noc_power_mw"]);
  return a;
}

/// A subset's outcome as plain Python data; PartialFrom reads it back exactly.
nb::dict PartialDict(const DsePartial& partial) {
  nb::list points;
  for (const DesignResult& r : partial.points) {
    nb::dict d;
    d["index"] = r.index;
    d["feasible"] = r.feasible;
    d["reason"] = r.reason;
    d["runtime_cycles"] = r.totals.runtime_cycles;
    d["energy_pj"] = r.totals.energy_pj;
    d["macs"] = r.totals.macs;
    d["exact_macs"] = r.totals.exact_macs;
    d["layers_without_mapping"] = r.totals.layers_without_mapping;
    d["provisioned"] = AreaPowerDict(r.provisioned);
    d["required"] = AreaPowerDict(r.required);
    d["l1_required_bytes"] = r.l1_required_bytes;
    d["l2_required_bytes"] = r.l2_required_bytes;
    d["objective"] = r.objective;
    points.append(d);
  }
  nb::list groups;
  for (const auto& [first, candidates] : partial.groups) groups.append(nb::make_tuple(first, candidates));
  nb::dict d;
  d["points"] = points;
  d["groups"] = groups;
  return d;
}

DsePartial PartialFrom(const nb::dict& d) {
  DsePartial partial;
  for (nb::handle item : nb::cast<nb::list>(d["points"])) {
    const nb::dict p = nb::cast<nb::dict>(item);
    DesignResult r;
    r.index = nb::cast<int>(p["index"]);
    r.feasible = nb::cast<bool>(p["feasible"]);
    r.reason = nb::cast<std::string>(p["reason"]);
    r.totals.runtime_cycles = nb::cast<int64_t>(p["runtime_cycles"]);
    r.totals.energy_pj = nb::cast<double>(p["energy_pj"]);
    r.totals.macs = nb::cast<int64_t>(p["macs"]);
    r.totals.exact_macs = nb::cast<int64_t>(p["exact_macs"]);
    r.totals.layers_without_mapping = nb::cast<int>(p["layers_without_mapping"]);
    r.provisioned = AreaPowerFrom(nb::cast<nb::dict>(p["provisioned"]));
    r.required = AreaPowerFrom(nb::cast<nb::dict>(p["required"]));
    r.l1_required_bytes = nb::cast<int64_t>(p["l1_required_bytes"]);
    r.l2_required_bytes = nb::cast<int64_t>(p["l2_required_bytes"]);
    r.objective = nb::cast<double>(p["objective"]);
    partial.points.push_back(std::move(r));
  }
  // (first, candidates) pairs: tuples as PartialDict makes them, lists once through JSON.
  for (nb::handle item : nb::cast<nb::list>(d["groups"])) {
    const nb::object g = nb::borrow<nb::object>(item);
    partial.groups.emplace_back(nb::cast<int>(g[0]), nb::cast<int64_t>(g[1]));
  }
  return partial;
}

nb::dict ExploreSubset(const LoadedNetwork& loaded, const Sweep& sweep,
                       const std::vector<int>& indices, const DseArgs& args) {
  const DseOptions options = MakeDseOptions(args);
  DsePartial partial;
  {
    nb::gil_scoped_release release;
    // As `cadenza dse` loads it: the MAESTRO-compatible model takes a dilated layer's phases.
    const Network network = ForCostModel(loaded.network, options.search.model);
    partial = ExploreDesignSubset(network, sweep.points, indices, TemplateLibrary::Builtin(),
                                  options);
  }
  return PartialDict(partial);
}

/// A finished exploration's report, its documents rendered on demand, and what
/// `cadenza dse --emit-maestro` writes: the chosen design's hardware and mappings.
class DseReportDocuments {
 public:
  explicit DseReportDocuments(DseReport report) : report_(std::move(report)) {}
  std::string Render(void (*write)(const DseReport&, std::ostream&)) const {
    std::ostringstream out;
    write(report_, out);
    return std::move(out).str();
  }
  int Best() const { return report_.best; }
  /// Keeps the chosen design: the network searched, its hardware and each layer's mapping.
  void KeepChosen(const Network& network, const Hardware& hw, const SearchResult& chosen) {
    network_ = network;
    hardware_text_ = HardwareConfigText(hw);
    mappings_.clear();
    for (const LayerChoice& layer : chosen.layers) {
      mappings_.push_back(layer.found ? std::optional<Mapping>(layer.mapping) : std::nullopt);
    }
  }
  /// The chosen design's hardware configuration, in Cadenza's text format ("" when none).
  const std::string& ChosenHardwareText() const { return hardware_text_; }
  /// Where the chosen design comes from: "design point #N of SWEEP: LABEL" ("" when none).
  std::string ChosenHardwareSource() const {
    return report_.chosen ? report_.chosen->context.hardware_source : "";
  }
  int LayersWithoutMapping() const {
    return static_cast<int>(std::count(mappings_.begin(), mappings_.end(), std::nullopt));
  }
  /// The chosen mappings as a .m network headed by `comments` (MaestroNetworkText); the layers
  /// without a mapping are left out (the caller warns).
  std::string MaestroText(const std::vector<std::string>& comments) const {
    std::vector<const Mapping*> mappings(network_.layers.size(), nullptr);
    for (size_t i = 0; i < mappings.size() && i < mappings_.size(); ++i) {
      if (mappings_[i]) mappings[i] = &*mappings_[i];
    }
    return MaestroNetworkText(network_, mappings, comments);
  }

 private:
  DseReport report_;
  Network network_;  // as searched (ForCostModel's)
  std::string hardware_text_;
  std::vector<std::optional<Mapping>> mappings_;  // per layer; nullopt: none found
};

/// The report `cadenza dse` (cli/cmd_dse.cc) writes for the same exploration: its context,
/// warnings and the chosen design's per-layer view are assembled as the command assembles them.
DseReportDocuments DseReportOf(const LoadedNetwork& loaded, const Sweep& sweep,
                               const nb::list& partial_dicts, const DseArgs& args,
                               std::map<std::string, std::string> provenance,
                               double explore_seconds) {
  const DseOptions options = MakeDseOptions(args);
  std::vector<DsePartial> partials;
  for (nb::handle item : partial_dicts) partials.push_back(PartialFrom(nb::cast<nb::dict>(item)));

  nb::gil_scoped_release release;
  const Network network = ForCostModel(loaded.network, options.search.model);
  ReportContext model_context;  // what the command's model loader gathers
  model_context.warnings = network.warnings;
  for (const NotAnalysedNode& node : network.not_analysed) {
    model_context.skipped.push_back({node.name, node.op_type, node.reason, node.macs});
  }
  model_context.other_ops = loaded.other_ops;

  DseContext context;
  context.model_path = provenance["model_path"];
  context.model_sha256 = provenance["model_sha256"];
  context.date = provenance["date"];
  context.version = CADENZA_VERSION;
  context.command_line = provenance["command_line"];
  context.cost_model = std::string(CostModelName(options.search.model));
  context.sweep_path = sweep.path;
  context.sweep_text = sweep.text;
  context.area_budget_um2 = options.area_budget_um2;
  context.power_budget_mw = options.power_budget_mw;
  context.max_candidates_per_template = options.search.max_candidates_per_template;
  context.explore_seconds = explore_seconds;
  // The command's warnings, in its order (no templates: the package takes only the built-in ones).
  bool unlimited = false;
  context.warnings = DseInputWarnings(network, model_context.skipped, model_context.warnings,
                                      "", sweep.points, &unlimited);

  const DseResult result =
      MergeDesignSubsets(network, sweep.points, partials, TemplateLibrary::Builtin(), options);
  std::optional<NetworkReport> chosen;
  if (result.best >= 0) {
    const size_t best = static_cast<size_t>(result.best);
    ReportContext chosen_context = model_context;
    chosen_context.warnings.clear();  // the page shows them once, above, with the sweep's
    chosen_context.model_path = context.model_path;
    chosen_context.model_sha256 = context.model_sha256;
    chosen_context.version = context.version;
    chosen_context.command_line = context.command_line;
    chosen_context.date = context.date;
    chosen_context.hardware_source = "design point #" + std::to_string(best) + " of " +
                                     context.sweep_path + ": " + sweep.labels[best];
    chosen = BuildReport(network, result.chosen, sweep.points[best], chosen_context);
  }
  DseReportDocuments documents(
      BuildDseReport(network, result, sweep.points, sweep.labels, std::move(chosen), context));
  if (result.best >= 0) {
    documents.KeepChosen(network, sweep.points[static_cast<size_t>(result.best)], result.chosen);
  }
  return documents;
}

DseArgs MakeDseArgs(std::string objective, std::string model, int threads, int64_t max_candidates,
                    double area_budget_um2, double power_budget_mw, double latency_slack) {
  return {std::move(objective), std::move(model), threads, max_candidates, area_budget_um2,
          power_budget_mw, latency_slack};
}

}  // namespace
}  // namespace cadenza::python

NB_MODULE(_core, m) {
  using namespace cadenza;
  using namespace cadenza::python;
  m.doc() = "Cadenza's compiled core; use the cadenza package, not this module.";

  static nb::exception<InputError> input_error(m, "InputError", PyExc_ValueError);
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const InternalError& e) {
      PyErr_SetString(PyExc_RuntimeError,
                      (std::string("internal error (a bug in Cadenza): ") + e.what()).c_str());
    }
  });

  m.attr("__version__") = CADENZA_VERSION;

  nb::class_<LoadedNetwork>(m, "Network")
      .def_prop_ro("name", [](const LoadedNetwork& n) { return n.network.name; })
      .def_prop_ro("source_path", [](const LoadedNetwork& n) { return n.network.source_path; })
      .def_prop_ro("warnings", [](const LoadedNetwork& n) { return n.network.warnings; })
      .def_prop_ro("other_ops", [](const LoadedNetwork& n) { return n.other_ops; })
      .def("layers",
           [](const LoadedNetwork& n) {
             nb::list out;
             for (const Layer& layer : n.network.layers) out.append(LayerDict(layer));
             return out;
           })
      .def("not_analysed", [](const LoadedNetwork& n) {
        nb::list out;
        for (const NotAnalysedNode& node : n.network.not_analysed) out.append(NotAnalysedDict(node));
        return out;
      });

  m.def("load_file", &LoadFile, nb::arg("path"), nb::arg("batch").none(), nb::arg("dims"),
        nb::arg("skip_unresolved"), nb::call_guard<nb::gil_scoped_release>());
  m.def("load_onnx_bytes", &LoadOnnxBytes, nb::arg("data"), nb::arg("name"),
        nb::arg("batch").none(), nb::arg("dims"), nb::arg("skip_unresolved"));

  m.def("read_hardware_file", [](const std::string& path) {
    Hardware hw;
    {
      nb::gil_scoped_release release;
      hw = ReadHardwareFile(path);
    }
    return HardwareDict(hw);
  });
  m.def("parse_hardware_config", [](const std::string& text, const std::string& name) {
    return HardwareDict(ParseHardwareConfig(text, name));
  });
  m.def("default_hardware_text", [] { return std::string(DefaultHardwareText()); });

  nb::class_<Report>(m, "Report")
      .def("json", [](const Report& r) { return r.Render(WriteJson); })
      .def("html", [](const Report& r) { return r.Render(WriteHtml); })
      .def("csv", [](const Report& r) { return r.Render(WriteCsv); })
      .def("text", [](const Report& r) { return r.Render(WriteText); })
      .def_prop_ro("threads", &Report::threads);

  m.def(
      "search",
      [](const LoadedNetwork& network, std::string hardware_text, std::string hardware_source,
         std::string objective, std::string model, int threads, int64_t max_candidates,
         std::map<std::string, std::string> provenance, nb::object progress,
         double latency_slack) {
        SearchArgs args;
        args.latency_slack = latency_slack;
        args.hardware_text = std::move(hardware_text);
        args.objective = std::move(objective);
        args.model = std::move(model);
        args.threads = threads;
        args.max_candidates = max_candidates;
        args.context.hardware_source = std::move(hardware_source);
        args.context.hardware_text = args.hardware_text;
        args.context.model_path = provenance["model_path"];
        args.context.model_sha256 = provenance["model_sha256"];
        args.context.date = provenance["date"];
        args.context.version = CADENZA_VERSION;
        args.context.command_line = provenance["command_line"];
        if (!provenance["hardware_text"].empty()) {
          args.context.hardware_text = provenance["hardware_text"];
        }
        return Search(network, std::move(args), progress);
      },
      nb::arg("network"), nb::arg("hardware_text"), nb::arg("hardware_source"),
      nb::arg("objective"), nb::arg("model"), nb::arg("threads"), nb::arg("max_candidates"),
      nb::arg("provenance"), nb::arg("progress").none(), nb::arg("latency_slack") = -1.0);

  m.def("format_si", &FormatSi, nb::arg("value"), nb::arg("unit"));
  nb::class_<EvalDocuments>(m, "EvalReport")
      .def("json", [](const EvalDocuments& r) { return r.Render(WriteEvalJson); })
      .def("csv", [](const EvalDocuments& r) { return r.Render(WriteEvalCsv); })
      .def("text", [](const EvalDocuments& r) { return r.Render(WriteEvalTable); })
      .def("messages", &EvalDocuments::Messages);
  m.def("evaluate", &Evaluate, nb::arg("mapping"), nb::arg("name").none(),
        nb::arg("hardware_text"), nb::arg("hardware_source"), nb::arg("model"),
        nb::arg("simd_lanes").none());
  m.def("search_maestro_text", [](const Report& r, const std::vector<std::string>& comments) {
    return r.MaestroText(comments);
  }, nb::arg("report"), nb::arg("comments"));

  m.def("load_maestro_text",
        [](const std::string& text, const std::string& name) {
          LoadedNetwork loaded;
          loaded.network = ParseMaestroModel(text, name).network;
          if (loaded.network.source_path.empty()) loaded.network.source_path = name;
          return loaded;
        },
        nb::arg("text"), nb::arg("name"), nb::call_guard<nb::gil_scoped_release>());

  nb::class_<Sweep>(m, "Sweep")
      .def("__init__",
           [](Sweep* self, const std::string& text, const std::string& path) {
             new (self) Sweep(ParseSweepText(text, path));
           },
           nb::arg("text"), nb::arg("path"))
      .def_prop_ro("path", [](const Sweep& s) { return s.path; })
      .def_prop_ro("labels", [](const Sweep& s) { return s.labels; })
      .def("__len__", [](const Sweep& s) { return s.points.size(); })
      .def("hardware", [](const Sweep& s, size_t i) {
        if (i >= s.points.size()) throw nb::index_error();
        return HardwareDict(s.points[i]);
      })
      .def("evaluation_groups", [](const Sweep& s) { return EvaluationGroups(s.points); })
      // A sampled exploration's points as a sweep of their own (same file and text), so that its
      // merge and report run unchanged; the points keep their labels, in the order given.
      .def("subset", [](const Sweep& s, const std::vector<int>& indices) {
        Sweep sub{s.path, s.text, {}, {}};
        for (int i : indices) {
          if (i < 0 || static_cast<size_t>(i) >= s.points.size()) {
            throw InputError("design point " + std::to_string(i) + " is not in the sweep (it has " +
                             std::to_string(s.points.size()) + " points)");
          }
          sub.points.push_back(s.points[static_cast<size_t>(i)]);
          sub.labels.push_back(s.labels[static_cast<size_t>(i)]);
        }
        return sub;
      }, nb::arg("indices"));

  nb::class_<DseReportDocuments>(m, "DseReport")
      .def_prop_ro("best", &DseReportDocuments::Best)
      .def("json", [](const DseReportDocuments& r) { return r.Render(WriteDseJson); })
      .def("html", [](const DseReportDocuments& r) { return r.Render(WriteDseHtml); })
      .def("csv", [](const DseReportDocuments& r) { return r.Render(WriteDseCsv); })
      .def("text", [](const DseReportDocuments& r) { return r.Render(WriteDseText); })
      .def_prop_ro("chosen_hardware_text", &DseReportDocuments::ChosenHardwareText)
      .def_prop_ro("chosen_hardware_source", &DseReportDocuments::ChosenHardwareSource)
      .def_prop_ro("layers_without_mapping", &DseReportDocuments::LayersWithoutMapping)
      .def("maestro_text", &DseReportDocuments::MaestroText, nb::arg("comments"));

  m.def(
      "explore_subset",
      [](const LoadedNetwork& network, const Sweep& sweep, const std::vector<int>& indices,
         std::string objective, std::string model, int threads, int64_t max_candidates,
         double area_budget_um2, double power_budget_mw, double latency_slack) {
        return ExploreSubset(network, sweep, indices,
                             MakeDseArgs(std::move(objective), std::move(model), threads,
                                         max_candidates, area_budget_um2, power_budget_mw,
                                         latency_slack));
      },
      nb::arg("network"), nb::arg("sweep"), nb::arg("indices"), nb::arg("objective"),
      nb::arg("model"), nb::arg("threads"), nb::arg("max_candidates"), nb::arg("area_budget_um2"),
      nb::arg("power_budget_mw"), nb::arg("latency_slack") = -1.0);
  m.def(
      "dse_report",
      [](const LoadedNetwork& network, const Sweep& sweep, const nb::list& partials,
         std::string objective, std::string model, int threads, int64_t max_candidates,
         double area_budget_um2, double power_budget_mw,
         std::map<std::string, std::string> provenance, double explore_seconds,
         double latency_slack) {
        return DseReportOf(network, sweep, partials,
                           MakeDseArgs(std::move(objective), std::move(model), threads,
                                       max_candidates, area_budget_um2, power_budget_mw,
                                       latency_slack),
                           std::move(provenance), explore_seconds);
      },
      nb::arg("network"), nb::arg("sweep"), nb::arg("partials"), nb::arg("objective"),
      nb::arg("model"), nb::arg("threads"), nb::arg("max_candidates"), nb::arg("area_budget_um2"),
      nb::arg("power_budget_mw"), nb::arg("provenance"), nb::arg("explore_seconds"),
      nb::arg("latency_slack") = -1.0);
}
