#include "search/templates.h"

namespace cadenza {

// The built-in library, in the template file syntax (docs/templates.md). Each family has a form
// per layer kind; its parameters span the canonical dataflow of the MAESTRO reference runs
// (e.g. kcp with TK=1, CM=1, CL=64, TY=TX=1 is the NVDLA-like KC-P text of those runs) and the
// tile and cluster sizes around it. Row and column tiles count *output* rows/cols: their input
// extent is (T-1)*stride + the rows one output reads (Window: the filter's span, which
// dilation widens), so a dilated layer gets the same tiles of outputs.
std::string_view TemplateLibrary::BuiltinText() {
  return R"TEMPLATES(
// ---------------------------------------------------------------- NVDLA-like weight stationary
Template kcp {
  Description "NVDLA-like weight stationary (KC-P): output channels across clusters, input channels across the PEs of a cluster";
  Kinds CONV;
  Param TK tiles(Sz(K)) max 16;             // output channels per cluster
  Param TC tiles(Sz(C));                    // input channels per step
  Param CL pow2(1, PEs) max 2*TC-1 min TC/16;  // PEs per cluster: TC/CL in 1/2 .. 16
  Param TY divisors(Out(Y)) max 28;         // output rows per step
  Param TX divisors(Out(X)) max 28;         // output columns per step
  Param TB tiles(Sz(N));                    // images per step (batch tile)
  Dataflow {
    TemporalMap(TB,TB) N;
    SpatialMap(TK,TK) K;
    TemporalMap(TC,TC) C;
    TemporalMap(Sz(R),Sz(R)) R;
    TemporalMap(Sz(S),Sz(S)) S;
    TemporalMap((TY-1)*Stride(Y)+Window(Y),TY*Stride(Y)) Y;
    TemporalMap((TX-1)*Stride(X)+Window(X),TX*Stride(X)) X;
    Cluster(CL, P);
    SpatialMap(1,1) C;
    TemporalMap(Window(Y),Stride(Y)) Y;
    TemporalMap(Window(X),Stride(X)) X;
    TemporalMap(Sz(R),Sz(R)) R;
    TemporalMap(Sz(S),Sz(S)) S;
  }
}
Template kcp {
  Description "NVDLA-like channel parallel for depthwise layers: channel tiles across clusters, channels across PEs";
  Kinds DSCONV;
  Param CL pow2(1, Sz(C)) max PEs;
  Param TY divisors(Out(Y)) max 16;
  Param TX divisors(Out(X)) max 16;
  Param TB tiles(Sz(N));                    // images per step (batch tile)
  Dataflow {
    TemporalMap(TB,TB) N;
    SpatialMap(CL,CL) C;
    TemporalMap(Sz(R),Sz(R)) R;
    TemporalMap(Sz(S),Sz(S)) S;
    TemporalMap((TY-1)*Stride(Y)+Window(Y),TY*Stride(Y)) Y;
    TemporalMap((TX-1)*Stride(X)+Window(X),TX*Stride(X)) X;
    Cluster(CL, P);
    SpatialMap(1,1) C;
    TemporalMap(Window(Y),Stride(Y)) Y;
    TemporalMap(Window(X),Stride(X)) X;
    TemporalMap(Sz(R),Sz(R)) R;
    TemporalMap(Sz(S),Sz(S)) S;
  }
}
Template kcp {
  Description "NVDLA-like weight stationary for GEMM: N across clusters, the reduction K across the PEs of a cluster";
  Kinds GEMM;
  Param TN tiles(Sz(N)) max 16;
  Param TK tiles(Sz(K));
  Param CL pow2(1, PEs) max 2*TK-1 min TK/16;
  Param TM divisors(Sz(M)) max 64;
  Dataflow {
    SpatialMap(TN,TN) N;
    TemporalMap(TK,TK) K;
    TemporalMap(TM,TM) M;
    Cluster(CL, P);
    SpatialMap(1,1) K;
    TemporalMap(1,1) M;
  }
}

// ---------------------------------------------------------------- Eyeriss-like row stationary
Template yrp {
  Description "Eyeriss-like row stationary (YR-P): output rows across clusters of R PEs, filter rows across the PEs";
  Kinds CONV;
  Param TX tiles(Out(X)) max 32;
  Param TC tiles(Sz(C)) max 64;
  Param TK divisors(Sz(K)) max 256;
  Param TB tiles(Sz(N));                    // images per step (batch tile)
  Dataflow {
    TemporalMap(TB,TB) N;
    SpatialMap(1,1) Y';
    TemporalMap(TX,TX) X';
    TemporalMap(TC,TC) C;
    TemporalMap(TK,TK) K;
    TemporalMap(Sz(R),Sz(R)) R;
    TemporalMap(Sz(S),Sz(S)) S;
    Cluster(Sz(R), P);
    SpatialMap(1,Dilation(Y)) Y;
    SpatialMap(1,1) R;
    TemporalMap(Sz(S),Sz(S)) S;
  }
}
Template yrp {
  Description "Eyeriss-like row stationary for depthwise layers";
  Kinds DSCONV;
  Param TX tiles(Out(X)) max 32;
  Param TC tiles(Sz(C)) max 64;
  Param TB tiles(Sz(N));                    // images per step (batch tile)
  Dataflow {
    TemporalMap(TB,TB) N;
    SpatialMap(1,1) Y';
    TemporalMap(TX,TX) X';
    TemporalMap(TC,TC) C;
    TemporalMap(Sz(R),Sz(R)) R;
    TemporalMap(Sz(S),Sz(S)) S;
    Cluster(Sz(R), P);
    SpatialMap(1,Dilation(Y)) Y;
    SpatialMap(1,1) R;
    TemporalMap(Sz(S),Sz(S)) S;
  }
}
Template yrp {
  Description "MAERI-like spatial reduction for GEMM: M across clusters, the reduction K across the PEs of a cluster";
  Kinds GEMM;
  Param TN tiles(Sz(N));
  Param CL pow2(2, Sz(K)) max PEs;
  Dataflow {
    TemporalMap(TN,TN) N;
    SpatialMap(1,1) M;
    TemporalMap(CL,CL) K;
    Cluster(CL, P);
    TemporalMap(1,1) N;
    TemporalMap(1,1) M;
    SpatialMap(1,1) K;
  }
}

// ---------------------------------------------------------------- ShiDianNao-like output stationary
Template yxp {
  Description "ShiDianNao-like output stationary (YX-P): output rows across clusters, output columns across the PEs of a cluster";
  Kinds CONV;
  Param XT range(2, 64) max Out(X);
  Param TK tiles(Sz(K)) max 64;
  Param TC tiles(Sz(C)) max 64;
  Param TB tiles(Sz(N));                    // images per step (batch tile)
  Dataflow {
    TemporalMap(TB,TB) N;
    TemporalMap(TK,TK) K;
    TemporalMap(TC,TC) C;
    SpatialMap(Window(Y),Stride(Y)) Y;
    TemporalMap((XT-1)*Stride(X)+Window(X),XT*Stride(X)) X;
    TemporalMap(Sz(R),Sz(R)) R;
    TemporalMap(Sz(S),Sz(S)) S;
    Cluster(XT, P);
    SpatialMap(Window(X),Stride(X)) X;
    TemporalMap(Sz(R),Sz(R)) R;
    TemporalMap(Sz(S),Sz(S)) S;
  }
}
Template yxp {
  Description "ShiDianNao-like output stationary for depthwise layers";
  Kinds DSCONV;
  Param XT pow2(2, PEs);
  Param TC tiles(Sz(C)) max 64;
  Param TB tiles(Sz(N));                    // images per step (batch tile)
  Dataflow {
    TemporalMap(TB,TB) N;
    TemporalMap(TC,TC) C;
    SpatialMap(Window(Y),Stride(Y)) Y;
    TemporalMap((XT-1)*Stride(X)+Window(X),XT*Stride(X)) X;
    TemporalMap(Sz(R),Sz(R)) R;
    TemporalMap(Sz(S),Sz(S)) S;
    Cluster(XT, P);
    SpatialMap(Window(X),Stride(X)) X;
    TemporalMap(Sz(R),Sz(R)) R;
    TemporalMap(Sz(S),Sz(S)) S;
  }
}
Template yxp {
  Description "Output stationary for GEMM: M across clusters, N across the PEs of a cluster";
  Kinds GEMM;
  Param CL pow2(2, 64) max Sz(N);
  Param TK tiles(Sz(K)) max 64;
  Dataflow {
    SpatialMap(1,1) M;
    TemporalMap(CL,CL) N;
    TemporalMap(TK,TK) K;
    Cluster(CL, P);
    SpatialMap(1,1) N;
    TemporalMap(1,1) K;
  }
}

// ---------------------------------------------------------------- 1-D output-column parallel
Template xp {
  Description "Output-column parallel (X-P): filter windows along a row across all PEs";
  Kinds CONV;
  Param TK tiles(Sz(K)) max 128;
  Param TC tiles(Sz(C)) max 128;
  Param TB tiles(Sz(N));                    // images per step (batch tile)
  Dataflow {
    TemporalMap(TB,TB) N;
    TemporalMap(TK,TK) K;
    TemporalMap(TC,TC) C;
    TemporalMap(Window(Y),Stride(Y)) Y;
    SpatialMap(Window(X),Stride(X)) X;
    TemporalMap(Sz(R),Sz(R)) R;
    TemporalMap(Sz(S),Sz(S)) S;
  }
}
Template xp {
  Description "Output-column parallel for depthwise layers";
  Kinds DSCONV;
  Param TC tiles(Sz(C)) max 128;
  Param TB tiles(Sz(N));                    // images per step (batch tile)
  Dataflow {
    TemporalMap(TB,TB) N;
    TemporalMap(TC,TC) C;
    TemporalMap(Window(Y),Stride(Y)) Y;
    SpatialMap(Window(X),Stride(X)) X;
    TemporalMap(Sz(R),Sz(R)) R;
    TemporalMap(Sz(S),Sz(S)) S;
  }
}
Template xp {
  Description "Output-column parallel for GEMM: N across all PEs";
  Kinds GEMM;
  Param TM divisors(Sz(M)) max 128;
  Param TK tiles(Sz(K)) max 128;
  Dataflow {
    TemporalMap(TM,TM) M;
    TemporalMap(TK,TK) K;
    SpatialMap(1,1) N;
  }
}

// ---------------------------------------------------------------- channel parallel
Template cp {
  Description "Input-stationary-like channel parallel (C-P): input channels across all PEs, output channels innermost";
  Kinds CONV;
  Param SC tiles(Sz(C)) max 16;
  Param TY divisors(Out(Y)) max 28;
  Param TX divisors(Out(X)) max 28;
  Param TK divisors(Sz(K)) max 256;
  Param TB tiles(Sz(N));                    // images per step (batch tile)
  Dataflow {
    TemporalMap(TB,TB) N;
    SpatialMap(SC,SC) C;
    TemporalMap((TY-1)*Stride(Y)+Window(Y),TY*Stride(Y)) Y;
    TemporalMap((TX-1)*Stride(X)+Window(X),TX*Stride(X)) X;
    TemporalMap(Sz(R),Sz(R)) R;
    TemporalMap(Sz(S),Sz(S)) S;
    TemporalMap(TK,TK) K;
  }
}
Template cp {
  Description "Channel parallel for depthwise layers: channels across all PEs";
  Kinds DSCONV;
  Param SC tiles(Sz(C)) max 8;
  Param TY divisors(Out(Y)) max 16;
  Param TX divisors(Out(X)) max 16;
  Param TB tiles(Sz(N));                    // images per step (batch tile)
  Dataflow {
    TemporalMap(TB,TB) N;
    SpatialMap(SC,SC) C;
    TemporalMap((TY-1)*Stride(Y)+Window(Y),TY*Stride(Y)) Y;
    TemporalMap((TX-1)*Stride(X)+Window(X),TX*Stride(X)) X;
    TemporalMap(Sz(R),Sz(R)) R;
    TemporalMap(Sz(S),Sz(S)) S;
  }
}
Template cp {
  Description "Reduction parallel for GEMM: K across all PEs";
  Kinds GEMM;
  Param SK tiles(Sz(K));
  Param TM divisors(Sz(M)) max 128;
  Param TN divisors(Sz(N)) max 128;
  Dataflow {
    SpatialMap(SK,SK) K;
    TemporalMap(TM,TM) M;
    TemporalMap(TN,TN) N;
  }
}

// ---------------------------------------------------------------- TPU-like weight stationary
Template tpu {
  Description "TPU-like weight stationary: a K x C weight tile held in the array while every output position streams through";
  Kinds CONV;
  Param CL pow2(4, Sz(C)) max PEs;
  Param CM pow2(1, 16) max Sz(C) / CL;
  Param TK tiles(Sz(K)) max 8;
  Param TY divisors(Out(Y)) max 28;
  Param TX divisors(Out(X)) max 28;
  Param TB tiles(Sz(N));                    // images per step (batch tile)
  Dataflow {
    TemporalMap(TB,TB) N;
    TemporalMap(CL*CM,CL*CM) C;
    SpatialMap(TK,TK) K;
    TemporalMap(Sz(R),Sz(R)) R;
    TemporalMap(Sz(S),Sz(S)) S;
    TemporalMap((TY-1)*Stride(Y)+Window(Y),TY*Stride(Y)) Y;
    TemporalMap((TX-1)*Stride(X)+Window(X),TX*Stride(X)) X;
    Cluster(CL, P);
    SpatialMap(1,1) C;
    TemporalMap(Window(Y),Stride(Y)) Y;
    TemporalMap(Window(X),Stride(X)) X;
    TemporalMap(Sz(R),Sz(R)) R;
    TemporalMap(Sz(S),Sz(S)) S;
  }
}
Template tpu {
  Description "TPU-like for depthwise layers: channels across the array, filter taps held, output positions streamed";
  Kinds DSCONV;
  Param TY divisors(Out(Y)) max 16;
  Param TX divisors(Out(X)) max 16;
  Param TB tiles(Sz(N));                    // images per step (batch tile)
  Dataflow {
    TemporalMap(TB,TB) N;
    SpatialMap(1,1) C;
    TemporalMap(Sz(R),Sz(R)) R;
    TemporalMap(Sz(S),Sz(S)) S;
    TemporalMap((TY-1)*Stride(Y)+Window(Y),TY*Stride(Y)) Y;
    TemporalMap((TX-1)*Stride(X)+Window(X),TX*Stride(X)) X;
  }
}
Template tpu {
  Description "TPU-like weight stationary for GEMM: a K x N weight tile held while the rows of M stream through";
  Kinds GEMM;
  Param CL pow2(4, Sz(K)) max PEs;
  Param KM pow2(1, 8) max Sz(K) / CL;
  Param TN tiles(Sz(N)) max 4;
  Param TM divisors(Sz(M)) max 128;
  Dataflow {
    TemporalMap(CL*KM,CL*KM) K;
    SpatialMap(TN,TN) N;
    TemporalMap(TM,TM) M;
    Cluster(CL, P);
    SpatialMap(1,1) K;
    TemporalMap(1,1) M;
  }
}
)TEMPLATES";
}

}  // namespace cadenza
