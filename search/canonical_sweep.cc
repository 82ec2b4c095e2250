#include "search/canonical_sweep.h"

#include <chrono>
#include <limits>

namespace cadenza {

namespace {

// docs/templates.md ("The canonical sweep") lists where each parameter comes from. Row and
// column steps are stride-correct (Window/Stride), as in the built-in library; the batch tile is
// outermost, so a tile of TB images shares each weight fetch.
constexpr std::string_view kSweepText = R"SWEEP(
Template kcp { Kinds CONV;
  Param TB tiles(Sz(N)); Param TK tiles(Sz(K)); Param TC tiles(Sz(C)); Param CL pow2(1, PEs);
  Dataflow {
    TemporalMap(TB,TB) N; SpatialMap(TK,TK) K; TemporalMap(TC,TC) C;
    TemporalMap(Sz(R),Sz(R)) R; TemporalMap(Sz(S),Sz(S)) S;
    TemporalMap(Window(Y),Stride(Y)) Y; TemporalMap(Window(X),Stride(X)) X;
    Cluster(CL, P);
    SpatialMap(1,1) C; TemporalMap(Window(Y),Stride(Y)) Y; TemporalMap(Window(X),Stride(X)) X;
    TemporalMap(Sz(R),Sz(R)) R; TemporalMap(Sz(S),Sz(S)) S; } }
Template kcp { Kinds DSCONV;
  Param TB tiles(Sz(N)); Param TC tiles(Sz(C)); Param CL pow2(1, PEs);
  Dataflow {
    TemporalMap(TB,TB) N; SpatialMap(TC,TC) C; TemporalMap(Sz(R),Sz(R)) R; TemporalMap(Sz(S),Sz(S)) S;
    TemporalMap(Window(Y),Stride(Y)) Y; TemporalMap(Window(X),Stride(X)) X;
    Cluster(CL, P);
    SpatialMap(1,1) C; TemporalMap(Window(Y),Stride(Y)) Y; TemporalMap(Window(X),Stride(X)) X;
    TemporalMap(Sz(R),Sz(R)) R; TemporalMap(Sz(S),Sz(S)) S; } }
Template kcp { Kinds GEMM;
  Param TN tiles(Sz(N)); Param TK tiles(Sz(K)); Param TM tiles(Sz(M)); Param CL pow2(1, PEs);
  Dataflow {
    SpatialMap(TN,TN) N; TemporalMap(TK,TK) K; TemporalMap(TM,TM) M;
    Cluster(CL, P);
    SpatialMap(1,1) K; TemporalMap(1,1) M; } }

Template yrp { Kinds CONV;
  Param TB tiles(Sz(N)); Param TX tiles(Out(X)); Param TC tiles(Sz(C)); Param TK tiles(Sz(K));
  Dataflow {
    TemporalMap(TB,TB) N; SpatialMap(1,1) Y'; TemporalMap(TX,TX) X'; TemporalMap(TC,TC) C;
    TemporalMap(TK,TK) K; TemporalMap(Sz(R),Sz(R)) R; TemporalMap(Sz(S),Sz(S)) S;
    Cluster(Sz(R), P);
    SpatialMap(1,Dilation(Y)) Y; SpatialMap(1,1) R; TemporalMap(Sz(S),Sz(S)) S; } }
Template yrp { Kinds DSCONV;
  Param TB tiles(Sz(N)); Param TX tiles(Out(X)); Param TC tiles(Sz(C));
  Dataflow {
    TemporalMap(TB,TB) N; SpatialMap(1,1) Y'; TemporalMap(TX,TX) X'; TemporalMap(TC,TC) C;
    TemporalMap(Sz(R),Sz(R)) R; TemporalMap(Sz(S),Sz(S)) S;
    Cluster(Sz(R), P);
    SpatialMap(1,Dilation(Y)) Y; SpatialMap(1,1) R; TemporalMap(Sz(S),Sz(S)) S; } }
Template yrp { Kinds GEMM;
  Param TN tiles(Sz(N)); Param TK tiles(Sz(K)); Param CL pow2(1, PEs);
  Dataflow {
    TemporalMap(TN,TN) N; SpatialMap(1,1) M; TemporalMap(TK,TK) K;
    Cluster(CL, P);
    TemporalMap(1,1) N; TemporalMap(1,1) M; SpatialMap(1,1) K; } }

Template yxp { Kinds CONV;
  Param TB tiles(Sz(N)); Param TK tiles(Sz(K)); Param TC tiles(Sz(C)); Param CL pow2(1, PEs);
  Dataflow {
    TemporalMap(TB,TB) N; TemporalMap(TK,TK) K; TemporalMap(TC,TC) C;
    SpatialMap(Window(Y),Stride(Y)) Y;
    TemporalMap((CL-1)*Stride(X)+Window(X),CL*Stride(X)) X;
    TemporalMap(Sz(R),Sz(R)) R; TemporalMap(Sz(S),Sz(S)) S;
    Cluster(CL, P);
    SpatialMap(Window(X),Stride(X)) X; TemporalMap(Sz(R),Sz(R)) R; TemporalMap(Sz(S),Sz(S)) S; } }
Template yxp { Kinds DSCONV;
  Param TB tiles(Sz(N)); Param TC tiles(Sz(C)); Param CL pow2(1, PEs);
  Dataflow {
    TemporalMap(TB,TB) N; TemporalMap(TC,TC) C;
    SpatialMap(Window(Y),Stride(Y)) Y;
    TemporalMap((CL-1)*Stride(X)+Window(X),CL*Stride(X)) X;
    TemporalMap(Sz(R),Sz(R)) R; TemporalMap(Sz(S),Sz(S)) S;
    Cluster(CL, P);
    SpatialMap(Window(X),Stride(X)) X; TemporalMap(Sz(R),Sz(R)) R; TemporalMap(Sz(S),Sz(S)) S; } }
Template yxp { Kinds GEMM;
  Param TN tiles(Sz(N)); Param TK tiles(Sz(K)); Param CL pow2(1, PEs);
  Dataflow {
    SpatialMap(1,1) M; TemporalMap(TN,TN) N; TemporalMap(TK,TK) K;
    Cluster(CL, P);
    SpatialMap(1,1) N; TemporalMap(1,1) K; } }

Template xp { Kinds CONV;
  Param TB tiles(Sz(N)); Param TK tiles(Sz(K)); Param TC tiles(Sz(C));
  Dataflow {
    TemporalMap(TB,TB) N; TemporalMap(TK,TK) K; TemporalMap(TC,TC) C;
    TemporalMap(Window(Y),Stride(Y)) Y; SpatialMap(Window(X),Stride(X)) X;
    TemporalMap(Sz(R),Sz(R)) R; TemporalMap(Sz(S),Sz(S)) S; } }
Template xp { Kinds DSCONV;
  Param TB tiles(Sz(N)); Param TC tiles(Sz(C));
  Dataflow {
    TemporalMap(TB,TB) N; TemporalMap(TC,TC) C;
    TemporalMap(Window(Y),Stride(Y)) Y; SpatialMap(Window(X),Stride(X)) X;
    TemporalMap(Sz(R),Sz(R)) R; TemporalMap(Sz(S),Sz(S)) S; } }
Template xp { Kinds GEMM;
  Param TM tiles(Sz(M)); Param TK tiles(Sz(K));
  Dataflow { TemporalMap(TM,TM) M; TemporalMap(TK,TK) K; SpatialMap(1,1) N; } }

Template cp { Kinds CONV;
  Param TB tiles(Sz(N)); Param SC tiles(Sz(C)); Param TK tiles(Sz(K));
  Dataflow {
    TemporalMap(TB,TB) N; SpatialMap(SC,SC) C;
    TemporalMap(Window(Y),Stride(Y)) Y; TemporalMap(Window(X),Stride(X)) X;
    TemporalMap(Sz(R),Sz(R)) R; TemporalMap(Sz(S),Sz(S)) S; TemporalMap(TK,TK) K; } }
Template cp { Kinds DSCONV;
  Param TB tiles(Sz(N)); Param SC tiles(Sz(C));
  Dataflow {
    TemporalMap(TB,TB) N; SpatialMap(SC,SC) C;
    TemporalMap(Window(Y),Stride(Y)) Y; TemporalMap(Window(X),Stride(X)) X;
    TemporalMap(Sz(R),Sz(R)) R; TemporalMap(Sz(S),Sz(S)) S; } }
Template cp { Kinds GEMM;
  Param SK tiles(Sz(K)); Param TM tiles(Sz(M)); Param TN tiles(Sz(N));
  Dataflow { SpatialMap(SK,SK) K; TemporalMap(TM,TM) M; TemporalMap(TN,TN) N; } }
)SWEEP";

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

const TemplateLibrary& CanonicalSweepLibrary() {
  static const TemplateLibrary library = TemplateLibrary::Parse(kSweepText, "<canonical sweep>");
  return library;
}

SweepReport CompareWithSweep(const Network& network, const Hardware& hw,
                             const TemplateLibrary& library, const SearchOptions& options) {
  SweepReport report;
  auto start = std::chrono::steady_clock::now();
  const SearchResult searched = SearchNetwork(network, hw, library, options);
  report.search_seconds = Seconds(start);
  SearchOptions brute = options;
  brute.max_candidates_per_template = std::numeric_limits<int64_t>::max();
  start = std::chrono::steady_clock::now();
  const SearchResult swept = SearchNetwork(network, hw, CanonicalSweepLibrary(), brute);
  report.sweep_seconds = Seconds(start);
  report.search_totals = searched.totals;
  report.sweep_totals = swept.totals;
  for (size_t i = 0; i < network.layers.size(); ++i) {
    const LayerChoice& a = searched.layers[i];
    const LayerChoice& b = swept.layers[i];
    report.layers.push_back({.layer_index = static_cast<int>(i),
                             .search_found = a.found,
                             .sweep_found = b.found,
                             .search_objective = a.objective,
                             .sweep_objective = b.objective,
                             .search_family = a.family,
                             .sweep_family = b.family,
                             .search_params = a.named_params,
                             .sweep_params = b.named_params,
                             .search_candidates = a.candidates,
                             .sweep_candidates = b.candidates});
  }
  return report;
}

}  // namespace cadenza
