#include "importer/maestro_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "analyzer/error.h"
#include "tests/support/files.h"
#include "tests/support/paths.h"

namespace cadenza {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::testing::StrEq;
using ::testing::ThrowsMessage;

const std::string kDataDir = test::SourcePath("tests/data");

MaestroModel Parse(std::string_view text) { return ParseMaestroModel(text, "t.m"); }

// The InputError message `text` produces; fails the test when it parses.
std::string ErrorOf(std::string_view text) {
  try {
    Parse(text);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "parsed without error:\n" << text;
  return "";
}

std::string HardwareErrorOf(std::string_view text) {
  try {
    ParseMaestroHardware(text, "hw.m");
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "parsed without error:\n" << text;
  return "";
}

// One CONV layer whose Dataflow block holds `dataflow`.
std::string ConvWith(const std::string& dataflow,
                     const std::string& dims = "K: 4, C: 2, R: 3, S: 3, Y: 10, X: 12") {
  return "Network n {\n"
         "  Layer l {\n"
         "    Type: CONV\n"
         "    Dimensions { " +
         dims +
         " }\n"
         "    Dataflow {\n" +
         dataflow +
         "    }\n"
         "  }\n"
         "}\n";
}

Directive Map(DirectiveKind kind, int64_t size, int64_t offset, Dim dim, bool output = false) {
  Directive d;
  d.kind = kind;
  d.size = size;
  d.offset = offset;
  d.dim = dim;
  d.output_coord = output;
  return d;
}
Directive Spatial(int64_t s, int64_t o, Dim d, bool out = false) {
  return Map(DirectiveKind::kSpatialMap, s, o, d, out);
}
Directive Temporal(int64_t s, int64_t o, Dim d, bool out = false) {
  return Map(DirectiveKind::kTemporalMap, s, o, d, out);
}
Directive ClusterOf(int64_t size) {
  Directive d;
  d.kind = DirectiveKind::kCluster;
  d.size = size;
  return d;
}

std::vector<Directive> Directives(const Mapping& m) { return {m.begin(), m.end()}; }

// ---------------------------------------------------------------------------------------------
// Layers

TEST(MaestroReaderTest, ParsesConvLayer) {
  const MaestroModel model = Parse(R"(// VGG-like layer
Network vgg {
  Layer conv1 {
    Type: CONV
    Stride { X: 2, Y: 3 }
    Dimensions { N: 2, K: 64, C: 3, R: 3, S: 3, Y: 226, X: 226 }
    Dataflow {
      TemporalMap(16,16) K;
      SpatialMap(1,1) Y;
    }
  }
}
)");
  EXPECT_EQ(model.network.name, "vgg");
  EXPECT_EQ(model.network.source_path, "t.m");
  ASSERT_EQ(model.network.layers.size(), 1u);
  const Layer& l = model.network.layers[0];
  EXPECT_EQ(l.name, "conv1");
  EXPECT_EQ(l.op_type, "CONV");
  EXPECT_EQ(l.kind, OpKind::kConv);
  EXPECT_EQ(l.instances, 1);
  EXPECT_EQ(l.shape.size[Dim::kN], 2);
  EXPECT_EQ(l.shape.size[Dim::kK], 64);
  EXPECT_EQ(l.shape.size[Dim::kC], 3);
  EXPECT_EQ(l.shape.size[Dim::kR], 3);
  EXPECT_EQ(l.shape.size[Dim::kS], 3);
  EXPECT_EQ(l.shape.size[Dim::kY], 226);
  EXPECT_EQ(l.shape.size[Dim::kX], 226);
  EXPECT_EQ(l.shape.size[Dim::kM], 0);  // not declared
  EXPECT_EQ(l.shape.size[Dim::kG], 0);
  EXPECT_EQ(l.shape.stride_y, 3);
  EXPECT_EQ(l.shape.stride_x, 2);
  EXPECT_EQ(l.exact_macs, ExactMacs(OpKind::kConv, l.shape));
  EXPECT_EQ(l.exact_macs, int64_t{2} * 64 * 3 * 75 * 112 * 9);
  ASSERT_EQ(model.mappings.size(), 1u);
  EXPECT_EQ(Directives(model.mappings[0]),
            (std::vector<Directive>{Temporal(16, 16, Dim::kK), Spatial(1, 1, Dim::kY)}));
  EXPECT_EQ(model.layer_lines, std::vector<int>{3});
  EXPECT_EQ(model.directive_lines, (std::vector<std::vector<int>>{{8, 9}}));
  EXPECT_TRUE(model.network.warnings.empty());
}

TEST(MaestroReaderTest, StrideIsOptionalAndMayFollowDimensions) {
  const MaestroModel a = Parse(ConvWith("      TemporalMap(1,1) K;\n"));
  EXPECT_EQ(a.network.layers[0].shape.stride_y, 1);
  EXPECT_EQ(a.network.layers[0].shape.stride_x, 1);
  const MaestroModel b = Parse(R"(Network n {
  Layer l {
    Dimensions { K: 4, C: 2, R: 3, S: 3, Y: 10, X: 12 }
    Dataflow { TemporalMap(1,1) K; }
    Stride { Y: 2 }
    Type: CONV
  }
})");
  EXPECT_EQ(b.network.layers[0].shape.stride_y, 2);
  EXPECT_EQ(b.network.layers[0].shape.stride_x, 1);
}

// Cadenza's extensions (what `search --emit-maestro` writes where a layer needs them).
TEST(MaestroReaderTest, DilationAndInstancesExtendALayer) {
  const MaestroModel m = Parse(R"(Network n {
  Layer l {
    Type: CONV
    Dilation { Y: 2, X: 3 }
    Instances: 4
    Dimensions { K: 4, C: 2, R: 3, S: 3, Y': 6, X: 12 }
    Dataflow { TemporalMap(1,1) K; }
  }
})");
  const Layer& l = m.network.layers[0];
  EXPECT_EQ(l.shape.dilation_y, 2);
  EXPECT_EQ(l.shape.dilation_x, 3);
  EXPECT_EQ(l.instances, 4);
  EXPECT_EQ(l.shape.size[Dim::kY], 10);  // Y' + (R - 1) * 2: the rows one output reads
  EXPECT_EQ(l.exact_macs, 4 * ExactMacs(l.kind, l.shape));

  EXPECT_THAT(ErrorOf("Network n { Layer g { Type: GEMM Dilation { Y: 2 } "
                      "Dimensions { M: 2, N: 2, K: 2 } Dataflow { TemporalMap(1,1) K; } } }"),
              HasSubstr("a GEMM layer has no filter taps to dilate"));
  EXPECT_THAT(ErrorOf("Network n { Layer l { Type: CONV Instances: 0 "
                      "Dimensions { K: 1 } Dataflow { TemporalMap(1,1) K; } } }"),
              HasSubstr("the number of instances must be at least 1"));
  EXPECT_THAT(ErrorOf("Network n { Layer l { Type: CONV Dilation { Y: 2, Y: 2 } "
                      "Dimensions { K: 1 } Dataflow { TemporalMap(1,1) K; } } }"),
              HasSubstr("dilation Y is given twice"));
  EXPECT_THAT(ErrorOf("Network n { Layer l { Type: CONV Instances: 2 Instances: 2 "
                      "Dimensions { K: 1 } Dataflow { TemporalMap(1,1) K; } } }"),
              HasSubstr("layer has a second Instances"));
  EXPECT_THAT(ErrorOf("Network n { Layer l { Type: CONV Dilaton { Y: 2 } } }"),
              HasSubstr("did you mean 'Dilation'?"));
}

TEST(MaestroReaderTest, ColonsAndSeparatorsAreOptional) {
  const MaestroModel a = Parse(
      ConvWith("      TemporalMap(1,1) K;\n      Cluster(2, P);\n      SpatialMap(1,1) C;\n"));
  const MaestroModel b = Parse(
      "Network n { Layer l { Type CONV Dimensions { K 4 C 2 R 3 S 3 Y 10 X 12 }\n"
      "Dataflow { TemporalMap 1 1 K Cluster 2 P SpatialMap 1 1 C } } }");
  EXPECT_EQ(a.mappings[0], b.mappings[0]);
  EXPECT_EQ(a.network.layers[0].shape, b.network.layers[0].shape);
}

TEST(MaestroReaderTest, LayerTypes) {
  auto kind_of = [](const std::string& type, const std::string& dims) {
    const MaestroModel m = Parse("Network n { Layer l { Type: " + type + "\n Dimensions { " + dims +
                                 " }\n Dataflow { TemporalMap(1,1) K; } } }");
    EXPECT_EQ(m.network.layers[0].op_type, type);
    return m.network.layers[0].kind;
  };
  const std::string conv = "K: 2, C: 2, R: 1, S: 1, Y: 4, X: 4";
  EXPECT_EQ(kind_of("CONV", conv), OpKind::kConv);
  EXPECT_EQ(kind_of("TRCONV", conv), OpKind::kTransposedConv);
  EXPECT_EQ(kind_of("DSCONV", conv), OpKind::kDepthwiseConv);
  EXPECT_EQ(kind_of("NGCONV", "G: 2, " + conv), OpKind::kGroupedConv);
  EXPECT_EQ(kind_of("GEMM", "M: 2, N: 3, K: 4"), OpKind::kGemm);
}

TEST(MaestroReaderTest, GemmLayer) {
  const MaestroModel m = Parse(R"(Network g {
  Layer qkv {
    Type: GEMM
    Dimensions { K: 768, M: 512, N: 768 }
    Dataflow { TemporalMap(Sz(N),Sz(N)) N; SpatialMap(1,1) M; TemporalMap(64,64) K; }
  }
})");
  const Layer& l = m.network.layers[0];
  EXPECT_EQ(l.shape.size[Dim::kM], 512);
  EXPECT_EQ(l.shape.size[Dim::kN], 768);
  EXPECT_EQ(l.shape.size[Dim::kK], 768);
  EXPECT_EQ(l.shape.size[Dim::kC], 0);
  EXPECT_EQ(l.exact_macs, int64_t{512} * 768 * 768);
  EXPECT_EQ(Directives(m.mappings[0]),
            (std::vector<Directive>{Temporal(768, 768, Dim::kN), Spatial(1, 1, Dim::kM),
                                    Temporal(64, 64, Dim::kK)}));
}

TEST(MaestroReaderTest, DepthwiseLayerMayDeclareK) {
  const MaestroModel m = Parse(R"(Network n {
  Layer dw {
    Type: DSCONV
    Stride { X: 2, Y: 2 }
    Dimensions { K: 1, C: 96, R: 3, S: 3, Y: 114, X: 114 }
    Dataflow { TemporalMap(1,1) C; SpatialMap(Sz(R),1) Y; TemporalMap(Sz(R),Sz(R)) R; }
  }
  Layer dw2 {
    Type: DSCONV
    Dimensions { C: 8, R: 3, S: 3, Y: 10, X: 10 }
    Dataflow { TemporalMap(1,1) C; }
  }
})");
  EXPECT_EQ(m.network.layers[0].shape.size[Dim::kK], 1);
  EXPECT_EQ(m.network.layers[0].exact_macs, int64_t{96} * 56 * 56 * 9);
  EXPECT_EQ(m.network.layers[1].shape.size[Dim::kK], 0);
  EXPECT_TRUE(m.network.warnings.empty());
}

TEST(MaestroReaderTest, DepthwiseLayerWithLargeKWarns) {
  const MaestroModel m = Parse(
      "Network n { Layer dw { Type: DSCONV Dimensions { K: 4, C: 8, R: 3, S: 3, Y: 10, X: 10 }\n"
      "Dataflow { TemporalMap(1,1) C; } } }");
  ASSERT_EQ(m.network.warnings.size(), 1u);
  EXPECT_THAT(m.network.warnings[0], HasSubstr("K = 4 does not change it"));
}

TEST(MaestroReaderTest, FcWithConvNamesBecomesGemm) {
  const MaestroModel m = Parse(R"(Network n {
  Layer fc {
    Type: FC
    Dimensions { K: 1000, C: 2048 }
    Dataflow { SpatialMap(1,1) K; TemporalMap(64,64) C; TemporalMap(Sz(C),Sz(C)) C; }
  }
  Layer fc_batch {
    Type: FC
    Dimensions { N: 8, K: 10, C: 20 }
    Dataflow { TemporalMap(1,1) N; }
  }
})");
  const Layer& fc = m.network.layers[0];
  EXPECT_EQ(fc.kind, OpKind::kGemm);
  EXPECT_EQ(fc.op_type, "FC");
  EXPECT_EQ(fc.shape.size[Dim::kM], 1);
  EXPECT_EQ(fc.shape.size[Dim::kK], 2048);
  EXPECT_EQ(fc.shape.size[Dim::kN], 1000);
  EXPECT_EQ(fc.shape.size[Dim::kC], 0);
  EXPECT_EQ(fc.exact_macs, 2048000);
  EXPECT_EQ(Directives(m.mappings[0]),
            (std::vector<Directive>{Spatial(1, 1, Dim::kN), Temporal(64, 64, Dim::kK),
                                    Temporal(2048, 2048, Dim::kK)}));
  const Layer& batch = m.network.layers[1];
  EXPECT_EQ(batch.shape.size[Dim::kM], 8);
  EXPECT_EQ(batch.shape.size[Dim::kK], 20);
  EXPECT_EQ(batch.shape.size[Dim::kN], 10);
  EXPECT_EQ(Directives(m.mappings[1]), std::vector<Directive>{Temporal(1, 1, Dim::kM)});
}

TEST(MaestroReaderTest, FcWithGemmNamesIsAGemm) {
  const MaestroModel m = Parse(
      "Network n { Layer fc { Type: FC Dimensions { M: 4, N: 10, K: 20 }\n"
      "Dataflow { SpatialMap(1,1) N; TemporalMap(1,1) K; } } }");
  const Layer& fc = m.network.layers[0];
  EXPECT_EQ(fc.kind, OpKind::kGemm);
  EXPECT_EQ(fc.shape.size[Dim::kM], 4);
  EXPECT_EQ(fc.shape.size[Dim::kN], 10);
  EXPECT_EQ(fc.shape.size[Dim::kK], 20);
  EXPECT_EQ(Directives(m.mappings[0]),
            (std::vector<Directive>{Spatial(1, 1, Dim::kN), Temporal(1, 1, Dim::kK)}));
  EXPECT_THAT(ErrorOf("Network n { Layer fc { Type: FC Dimensions { K: 2, C: 3, Y: 1 } } }"),
              HasSubstr("an FC layer written with CONV names has no dimension Y (it has N, K, C)"));
}

TEST(MaestroReaderTest, NonMacLayerTypesAreRejected) {
  for (const std::string type : {"POOL", "LSTM", "RESIDUAL_IDENTITY"}) {
    EXPECT_THAT(ErrorOf("Network n { Layer p { Type: " + type + " Dimensions { K: 1 } } }"),
                HasSubstr("layer type " + type + " is not a MAC layer; "));
  }
  EXPECT_THAT(ErrorOf("Network n { Layer p { Type: CNOV Dimensions { K: 1 } } }"),
              HasSubstr("unknown layer type 'CNOV'; did you mean 'CONV'?"));
  EXPECT_THAT(ErrorOf("Network n { Layer p { Type: conv Dimensions { K: 1 } } }"),
              HasSubstr("did you mean 'CONV'?"));
}

// ---------------------------------------------------------------------------------------------
// Directives, constants, Sz, Y'/X'

TEST(MaestroReaderTest, EveryDirectiveForm) {
  const MaestroModel m =
      Parse("Constant T 2;\nConstant CL 3;\n" + ConvWith("      SpatialMap(1,1) K;\n"
                                                         "      TemporalMap(T,1) C;\n"
                                                         "      TemporalMap(Sz(R),Sz(R)) R;\n"
                                                         "      Cluster(CL, P);\n"
                                                         "      SpatialMap(Sz(S),T) X;\n"
                                                         "      Cluster(2, L);\n"
                                                         "      TemporalMap(4,2) Y';\n"
                                                         "      SpatialMap(Sz(X'),1) X';\n"
                                                         "      Cluster(Sz(K));\n"
                                                         "      TemporalMap(Sz(Y'),Sz(Y)) Y;\n"
                                                         "      TemporalMap(3,3) S;\n"));
  EXPECT_EQ(Directives(m.mappings[0]),
            (std::vector<Directive>{Spatial(1, 1, Dim::kK), Temporal(2, 1, Dim::kC),
                                    Temporal(3, 3, Dim::kR), ClusterOf(3), Spatial(3, 2, Dim::kX),
                                    ClusterOf(2), Temporal(4, 2, Dim::kY, true),
                                    Spatial(10, 1, Dim::kX, true), ClusterOf(4),
                                    Temporal(8, 10, Dim::kY), Temporal(3, 3, Dim::kS)}));
  EXPECT_EQ(m.directive_lines[0], (std::vector<int>{8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18}));
}

TEST(MaestroReaderTest, ConstantsAsDimensionsAndStrides) {
  const MaestroModel m = Parse(R"(Constant DY 229;
Constant TWO 2;
Network n {
  Constant KK 8;   // inside the Network block too
  Layer l {
    Type: CONV
    Stride { X: TWO, Y: TWO }
    Dimensions { K: KK, C: 4, R: 3, S: 3, Y: DY, X: 229 }
    Dataflow { TemporalMap(KK,KK) K; }
  }
})");
  const Layer& l = m.network.layers[0];
  EXPECT_EQ(l.shape.size[Dim::kY], 229);
  EXPECT_EQ(l.shape.size[Dim::kK], 8);
  EXPECT_EQ(l.shape.stride_x, 2);
  EXPECT_EQ(m.mappings[0][0].size, 8);
}

TEST(MaestroReaderTest, OutputSizesGiveInputSizes) {
  const MaestroModel m =
      Parse(ConvWith("      TemporalMap(Sz(Y'),1) Y';\n      TemporalMap(Sz(X),1) X;\n",
                     "K: 4, C: 2, R: 3, S: 5, Y': 8, X': 10"));
  const Layer& l = m.network.layers[0];
  EXPECT_EQ(l.shape.size[Dim::kY], 10);  // Y' + R - 1
  EXPECT_EQ(l.shape.size[Dim::kX], 14);  // X' + S - 1
  EXPECT_EQ(Directives(m.mappings[0]),
            (std::vector<Directive>{Temporal(8, 1, Dim::kY, true), Temporal(14, 1, Dim::kX)}));
  // Both given and consistent: fine. Inconsistent: an error (stride plays no part, as in MAESTRO).
  const MaestroModel both =
      Parse(ConvWith("      TemporalMap(1,1) K;\n", "K: 4, C: 2, R: 3, S: 3, Y: 10, Y': 8, X: 5"));
  EXPECT_EQ(both.network.layers[0].shape.size[Dim::kY], 10);
  EXPECT_EQ(both.network.layers[0].shape.size[Dim::kX], 5);
  EXPECT_THAT(ErrorOf(ConvWith("      TemporalMap(1,1) K;\n",
                               "K: 4, C: 2, R: 3, S: 3, Y: 10, Y': 4, X: 5")),
              HasSubstr("Y' = 4 disagrees with Y - R + 1 = 8"));
}

TEST(MaestroReaderTest, SzOfOutputIgnoresStride) {
  const MaestroModel m = Parse(R"(Network n {
  Layer l {
    Type: CONV
    Stride { X: 2, Y: 2 }
    Dimensions { K: 4, C: 2, R: 7, S: 7, Y: 230, X: 230 }
    Dataflow { TemporalMap(Sz(Y'),Sz(X')) Y'; }
  }
})");
  EXPECT_EQ(m.mappings[0][0].size, 224);
  EXPECT_EQ(m.mappings[0][0].offset, 224);
  EXPECT_EQ(m.network.layers[0].exact_macs, int64_t{4} * 2 * 112 * 112 * 49);
}

TEST(MaestroReaderTest, TemporalMapOnFilterMustCoverIt) {
  // R's whole extent (3) in one step; S is spatial, so it need not be covered.
  EXPECT_EQ(Directives(Parse(ConvWith("      TemporalMap(3,3) R;\n      SpatialMap(1,1) S;\n"))
                           .mappings[0]),
            (std::vector<Directive>{Temporal(3, 3, Dim::kR), Spatial(1, 1, Dim::kS)}));
  const std::string error = ErrorOf(ConvWith("      TemporalMap(1,1) R;\n"));
  EXPECT_THAT(error, StartsWith("t.m:6:7: TemporalMap on R must cover the whole filter"));
  EXPECT_THAT(ErrorOf(ConvWith("      TemporalMap(Sz(S),1) S;\n")),
              HasSubstr("TemporalMap on S must cover"));
}

TEST(MaestroReaderTest, DirectiveOnUndeclaredDimension) {
  const std::string error = ErrorOf(ConvWith("      SpatialMap(1,1) M;\n"));
  EXPECT_THAT(error, StartsWith("t.m:6:23: SpatialMap on M: layer 'l' (CONV) does not declare M"));
  EXPECT_THAT(ErrorOf(ConvWith("      SpatialMap(1,1) N;\n")), HasSubstr("does not declare N"));
  EXPECT_THAT(ErrorOf(ConvWith("      SpatialMap(Sz(N),1) K;\n")),
              HasSubstr("Sz(N): layer 'l' does not declare N"));
  EXPECT_THAT(ErrorOf("Network n { Layer g { Type: GEMM Dimensions { M: 2, N: 2, K: 2 }\n"
                      "Dataflow { SpatialMap(1,1) Y'; } } }"),
              HasSubstr("does not declare Y'"));
}

TEST(MaestroReaderTest, SizesAndOffsetsMustBePositive) {
  EXPECT_THAT(ErrorOf(ConvWith("      SpatialMap(0,1) K;\n")),
              StartsWith("t.m:6:18: the size of SpatialMap must be at least 1"));
  EXPECT_THAT(ErrorOf(ConvWith("      TemporalMap(1,0) K;\n")),
              StartsWith("t.m:6:21: the offset of TemporalMap must be at least 1"));
  EXPECT_THAT(ErrorOf(ConvWith("      Cluster(0, P);\n")),
              HasSubstr("the size of Cluster must be at least 1"));
  EXPECT_THAT(ErrorOf(ConvWith("      TemporalMap(-1,1) K;\n")),
              StartsWith("t.m:6:19: negative numbers are not allowed"));
  EXPECT_THAT(ErrorOf("Constant Z 0;\n" + ConvWith("      TemporalMap(Z,1) K;\n")),
              HasSubstr("the size of TemporalMap must be at least 1"));
  EXPECT_THAT(
      ErrorOf(ConvWith("      TemporalMap(Sz(Y'),1) Y;\n", "K: 1, C: 1, R: 5, S: 1, Y: 3, X: 3")),
      HasSubstr("Sz(Y') = -1 is not positive"));
  EXPECT_THAT(ErrorOf(ConvWith("      TemporalMap(1,1) K;\n", "K: 0, C: 1")),
              HasSubstr("dimension K must be at least 1"));
}

TEST(MaestroReaderTest, HugeNumbersAreRejected) {
  EXPECT_THAT(ErrorOf(ConvWith("      TemporalMap(99999999999999999999999999,1) K;\n")),
              HasSubstr("is too large (the limit is 2^40"));
  EXPECT_THAT(ErrorOf(ConvWith("      TemporalMap(1,1) K;\n", "K: 1099511627777, C: 1")),
              HasSubstr("too large"));
  EXPECT_EQ(Parse(ConvWith("      TemporalMap(1,1) K;\n", "K: 1099511627776, C: 1"))
                .network.layers[0]
                .shape.size[Dim::kK],
            int64_t{1} << 40);
  // Within the per-value limit, but the MAC count overflows int64.
  EXPECT_THAT(ErrorOf(ConvWith("      TemporalMap(1,1) K;\n",
                               "K: 1099511627776, C: 1099511627776, R: 1, S: 1, Y: 100, X: 100")),
              HasSubstr("overflows"));
}

TEST(MaestroReaderTest, ClusterTypeIsOptional) {
  const MaestroModel m =
      Parse(ConvWith("      Cluster(2);\n      SpatialMap(1,1) K;\n      Cluster(2 L)\n"));
  EXPECT_EQ(Directives(m.mappings[0]),
            (std::vector<Directive>{ClusterOf(2), Spatial(1, 1, Dim::kK), ClusterOf(2)}));
}

TEST(MaestroReaderTest, TooManyDirectives) {
  std::string dataflow;
  for (int i = 0; i <= Mapping::kCapacity; ++i) dataflow += "      TemporalMap(1,1) K;\n";
  EXPECT_THAT(ErrorOf(ConvWith(dataflow)), HasSubstr("too many directives"));
}

// ---------------------------------------------------------------------------------------------
// Inheritance of the previous layer's dataflow

TEST(MaestroReaderTest, LayerWithoutDataflowInheritsThePreviousOne) {
  const MaestroModel m = Parse(R"(Network n {
  Layer a {
    Type: CONV
    Dimensions { K: 4, C: 2, R: 3, S: 3, Y: 10, X: 10 }
    Dataflow {
      SpatialMap(1,1) K;
      TemporalMap(Sz(R),Sz(R)) R;
    }
  }
  Layer b {
    Type: CONV
    Dimensions { K: 8, C: 8, R: 3, S: 3, Y: 20, X: 20 }
  }
  Layer c {
    Type: CONV
    Dimensions { K: 8, C: 8, R: 3, S: 3, Y: 20, X: 20 }
    Dataflow { }
  }
})");
  ASSERT_EQ(m.mappings.size(), 3u);
  EXPECT_EQ(m.mappings[1], m.mappings[0]);
  EXPECT_EQ(m.mappings[2], m.mappings[0]);
  EXPECT_EQ(m.directive_lines[1], (std::vector<int>{6, 7}));
  EXPECT_EQ(m.layer_lines, (std::vector<int>{2, 10, 14}));
  EXPECT_EQ(m.network.layers[1].shape.size[Dim::kK], 8);
}

TEST(MaestroReaderTest, FirstLayerWithoutDataflowIsAnError) {
  EXPECT_EQ(
      ErrorOf(
          "Network n {\n  Layer first {\n    Type: CONV\n    Dimensions { K: 1, C: 1 }\n  }\n}\n"),
      "t.m:2:9: layer 'first' has no Dataflow block and there is no previous layer to inherit one "
      "from\n"
      "  Layer first {\n"
      "        ^");
}

TEST(MaestroReaderTest, InheritedDataflowMustFitTheLayer) {
  EXPECT_THAT(ErrorOf("Network n {\n"
                      "  Layer a { Type: GEMM Dimensions { M: 2, N: 2, K: 2 } Dataflow { "
                      "SpatialMap(1,1) M; } }\n"
                      "  Layer b { Type: CONV Dimensions { K: 2, C: 2, R: 1, S: 1, Y: 2, X: 2 } }\n"
                      "}\n"),
              AllOf(StartsWith("t.m:3:9: SpatialMap(1,1) M; maps M, which 'b' does not declare"),
                    HasSubstr("inherits the one of layer 'a'")));
  EXPECT_THAT(ErrorOf("Network n {\n"
                      "  Layer a { Type: CONV Dimensions { K: 2, R: 3, Y: 5 } Dataflow { "
                      "TemporalMap(3,3) R; } }\n"
                      "  Layer b { Type: CONV Dimensions { K: 2, R: 5, Y: 5 } }\n"
                      "}\n"),
              HasSubstr("TemporalMap on R must cover the whole filter"));
}

// ---------------------------------------------------------------------------------------------
// Text encodings

TEST(MaestroReaderTest, CrlfBomTabsAndComments) {
  const std::string unix_text =
      ConvWith("      TemporalMap(1,1) K; // tile K\n      SpatialMap(1,1) C;\n");
  std::string dos_text = "\xEF\xBB\xBF";
  for (char c : unix_text) {
    if (c == '\n') dos_text += '\r';
    dos_text += c == ' ' ? '\t' : c;
  }
  const MaestroModel a = Parse(unix_text);
  const MaestroModel b = Parse(dos_text);
  EXPECT_EQ(a.mappings[0], b.mappings[0]);
  EXPECT_EQ(a.network.layers[0].shape, b.network.layers[0].shape);
  EXPECT_EQ(a.directive_lines, b.directive_lines);
  EXPECT_EQ(a.layer_lines, b.layer_lines);
  // The error line is shown without its CR.
  std::string bad = dos_text;
  bad.replace(bad.find("SpatialMap"), 10, "SpatialMqp");
  EXPECT_EQ(
      ErrorOf(bad),
      "t.m:7:7: expected SpatialMap, TemporalMap, Cluster or '}' in the Dataflow block, found "
      "'SpatialMqp'; did you mean 'SpatialMap'?\n"
      "\t\t\t\t\t\tSpatialMqp(1,1)\tC;\n"
      "\t\t\t\t\t\t^");
}

// ---------------------------------------------------------------------------------------------
// Messages

TEST(MaestroReaderTest, ErrorShowsLineColumnAndCaret) {
  EXPECT_EQ(ErrorOf(ConvWith("      SpatialMap(1,1) Kx;\n")),
            "t.m:6:23: unknown dimension 'Kx'; did you mean 'K'?\n"
            "      SpatialMap(1,1) Kx;\n"
            "                      ^");
}

TEST(MaestroReaderTest, DidYouMeanForKeywords) {
  EXPECT_THAT(ErrorOf(ConvWith("      spatialmap(1,1) K;\n")),
              HasSubstr("found 'spatialmap'; did you mean 'SpatialMap'?"));
  EXPECT_THAT(ErrorOf(ConvWith("      TemporalMpa(1,1) K;\n")),
              HasSubstr("did you mean 'TemporalMap'?"));
  EXPECT_THAT(ErrorOf(ConvWith("      Clustr(2);\n")), HasSubstr("did you mean 'Cluster'?"));
  EXPECT_THAT(
      ErrorOf("Netwrk n { }"),
      StartsWith(
          "t.m:1:1: expected 'Network' or 'Constant', found 'Netwrk'; did you mean 'Network'?"));
  EXPECT_THAT(ErrorOf("constant A 1;"), HasSubstr("did you mean 'Constant'?"));
  EXPECT_THAT(ErrorOf("Network n { Layr l { } }"), HasSubstr("did you mean 'Layer'?"));
  EXPECT_THAT(ErrorOf("Network n { Layer l { Typ: CONV } }"), HasSubstr("did you mean 'Type'?"));
  EXPECT_THAT(ErrorOf("Network n { Layer l { Dimensons { K: 1 } } }"),
              HasSubstr("did you mean 'Dimensions'?"));
  EXPECT_THAT(ErrorOf("Network n { Layer l { DataFlow { } } }"),
              HasSubstr("did you mean 'Dataflow'?"));
  EXPECT_THAT(ErrorOf("Network n { Layer l { stride { X: 1 } } }"),
              HasSubstr("did you mean 'Stride'?"));
  EXPECT_THAT(ErrorOf("Network n { Layer l { Stride { x: 1 } } }"),
              HasSubstr("found 'x'; did you mean 'X'?"));
  EXPECT_THAT(ErrorOf(ConvWith("      TemporalMap(sz(K),1) K;\n")),
              HasSubstr("unknown constant 'sz'; did you mean 'Sz'?"));
  EXPECT_THAT(ErrorOf("Network n { Layer l { Type: CONV Dimensions { k: 1 } } }"),
              HasSubstr("unknown dimension 'k'; did you mean 'K'?"));
  // A one-letter name is never "corrected" into another one-letter name.
  EXPECT_THAT(ErrorOf("Network n { Layer l { Type: CONV Dimensions { Q: 1 } } }"),
              AllOf(HasSubstr("unknown dimension 'Q'"), Not(HasSubstr("did you mean"))));
}

TEST(MaestroReaderTest, UnknownConstant) {
  EXPECT_THAT(ErrorOf("Constant T9 1;\n" + ConvWith("      TemporalMap(T8,1) K;\n")),
              StartsWith("t.m:7:19: unknown constant 'T8'; did you mean 'T9'?"));
  EXPECT_THAT(ErrorOf(ConvWith("      TemporalMap(TILE,1) K;\n")),
              HasSubstr("unknown constant 'TILE' (no constants are defined"));
  EXPECT_THAT(ErrorOf(ConvWith("      TemporalMap(1,1) K;\n", "K: KK, C: 1")),
              HasSubstr("unknown constant 'KK'"));
  EXPECT_THAT(ErrorOf("Constant A 1;\nConstant A 2;\n" + ConvWith("      TemporalMap(1,1) K;\n")),
              StartsWith("t.m:2:10: constant 'A' is already defined as 1 at line 1"));
}

TEST(MaestroReaderTest, StructuralErrors) {
  EXPECT_THAT(
      ErrorOf(
          "Network n { Layer l { Type: CONV Dimensions { K: 1 } Dataflow { TemporalMap(1,1) K; }"),
      HasSubstr("is not closed (missing '}')"));
  const std::string unterminated =
      "Network n {\n  Layer l {\n    Type: CONV\n    Dataflow {\n      SpatialMap(1,1) K;\n";
  EXPECT_EQ(ErrorOf(unterminated),
            "t.m:5:24: unexpected end of file: the Dataflow block of layer 'l' is not closed "
            "(missing '}')\n"
            "      SpatialMap(1,1) K;\n"
            "                       ^");
  EXPECT_THAT(ErrorOf("Network n { Layer l { Type: CONV Dataflow { SpatialMap(1,1"),
              HasSubstr("expected the dimension of SpatialMap, found the end of the file"));
  EXPECT_THAT(ErrorOf("Network n { Layer l { Type: CONV Dataflow { SpatialMap(1,1) } } }"),
              HasSubstr("expected the dimension of SpatialMap, found '}'"));
  EXPECT_THAT(
      ErrorOf("Network n { Layer l { Type: CONV Dataflow { SpatialMap(1) K; } } }"),
      HasSubstr(
          "expected the offset of SpatialMap (an integer, a constant or Sz(dim)), found 'K'"));
  EXPECT_THAT(ErrorOf("Network n { Layer a { Type: CONV Dimensions { K: 1 }\n Layer b { } }"),
              HasSubstr("is the '}' of layer 'a' missing?"));
  EXPECT_THAT(
      ErrorOf("Network n { Layer l { Dimensions { K: 1 } Dataflow { TemporalMap(1,1) K; } } }"),
      HasSubstr("layer 'l' has no Type"));
  EXPECT_THAT(ErrorOf("Network n { Layer l { Type: CONV Dataflow { TemporalMap(1,1) K; } } }"),
              HasSubstr("layer 'l' has no Dimensions block"));
  EXPECT_THAT(ErrorOf("Network n { Layer l { Type: CONV Type: CONV } }"),
              HasSubstr("second Type (the first is at line 1)"));
  EXPECT_THAT(ErrorOf("Network n { Layer l { Type: CONV Dimensions { K: 1, K: 2 } } }"),
              HasSubstr("dimension K is declared twice"));
  EXPECT_THAT(ErrorOf("Network n { }"), StartsWith("t.m:1:13: the network has no layers"));
  EXPECT_THAT(ErrorOf("Constant A 1;"), StartsWith("t.m: no Network block"));
  EXPECT_THAT(ErrorOf(""), StartsWith("t.m: the file is empty"));
  EXPECT_THAT(ErrorOf("// only a comment\n"), StartsWith("t.m: the file is empty"));
  EXPECT_THAT(
      ErrorOf(
          "Network n { Layer l { Type: GEMM Stride { X: 2 } Dimensions { M: 1, N: 1, K: 1 } } }"),
      HasSubstr("a GEMM layer has no Y or X to stride over"));
  EXPECT_THAT(ErrorOf("Network n { Layer l { Type: GEMM Dimensions { M: 1, C: 1 } } }"),
              HasSubstr("a GEMM layer has no dimension C (it has N, K, M)"));
}

TEST(MaestroReaderTest, DuplicateLayerNames) {
  const std::string layer =
      "  Layer a { Type: CONV Dimensions { K: 1 } Dataflow { TemporalMap(1,1) K; } }\n";
  EXPECT_THAT(ErrorOf("Network n {\n" + layer + layer + "}\n"),
              StartsWith("t.m:3:9: duplicate layer name 'a' (first at line 2)"));
}

TEST(MaestroReaderTest, SeveralNetworkBlocksAppendTheirLayers) {
  const std::string layer =
      " { Type: CONV Dimensions { K: 1 } Dataflow { TemporalMap(1,1) K; } }\n";
  const MaestroModel m =
      Parse("Network a { Layer x" + layer + "}\nNetwork b { Layer y" + layer + "}\n");
  EXPECT_EQ(m.network.name, "a");
  EXPECT_EQ(m.network.layers.size(), 2u);
  ASSERT_EQ(m.network.warnings.size(), 1u);
  EXPECT_THAT(m.network.warnings[0], HasSubstr("network 'b' are added to network 'a'"));
}

TEST(MaestroReaderTest, UnnamedNetworkTakesTheFileName) {
  const MaestroModel m = ParseMaestroModel(
      "Network { Layer x { Type: CONV Dimensions { K: 1 } Dataflow { TemporalMap(1,1) K; } } }",
      "dir/model.m");
  EXPECT_EQ(m.network.name, "model");
}

TEST(MaestroReaderTest, LongAndBinaryLinesAreShownSafely) {
  std::string text = "Network n { Layer l { Type: CONV " + std::string(1000, ' ') +
                     "Dimensions { K: \x01\x02 } } }";
  const std::string error = ErrorOf(text);
  EXPECT_THAT(error, HasSubstr("found '?"
                               "?'"));
  const std::string shown = error.substr(error.find('\n') + 1);
  EXPECT_LT(shown.size(), 400u);
  EXPECT_THAT(shown, StartsWith("..."));
}

// Random corruptions of a valid file: the reader either parses them or throws InputError; it never
// crashes, hangs or throws anything else. (Run under the asan preset for the full benefit.)
TEST(MaestroReaderTest, CorruptedInputsFailCleanly) {
  const std::string valid =
      "Constant T 2;\n" +
      ConvWith(
          "      SpatialMap(Sz(R),1) Y';\n      TemporalMap(T,T) K;\n      Cluster(4, P);\n"
          "      TemporalMap(Sz(S),Sz(S)) S;\n");
  std::mt19937 rng(12345);
  const std::string alphabet =
      "{}(),:;-/'\r\n\t 0123456789KCRSXYNMGPLSzTypeDataflowLayer\xEF\xBB\xBF\x80\xFF";
  int parsed = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text = valid;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const size_t at = rng() % text.size();
      switch (rng() % 4) {
        case 0: text.erase(at, 1 + rng() % 8); break;
        case 1: text.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
        case 2: text[at] = alphabet[rng() % alphabet.size()]; break;
        default: text.resize(at); break;
      }
    }
    try {
      Parse(text);
      ++parsed;
    } catch (const InputError& e) {
      EXPECT_THAT(e.what(), StartsWith("t.m")) << text;
    }
  }
  EXPECT_GT(parsed, 0);
}

// ---------------------------------------------------------------------------------------------
// Hardware files

TEST(MaestroHardwareTest, ParsesEveryKey) {
  const Hardware hw = ParseMaestroHardware(
      "// accelerator\r\nnum_pes: 256\r\nl1_size_cstr: 512\r\nl2_size_cstr: 108000\r\nnoc_bw_cstr: "
      "32\r\n"
      "offchip_bw_cstr: 16\r\nNoC_NumHops: 3\r\nnum_simd_lanes: 4 // not a key of the original\r\n",
      "hw.m");
  EXPECT_EQ(hw.num_pes, 256);
  EXPECT_EQ(hw.l1_size, 512);
  EXPECT_EQ(hw.l2_size, 108000);
  EXPECT_EQ(hw.noc_bw, 32);
  EXPECT_EQ(hw.offchip_bw, 16);
  EXPECT_EQ(hw.noc_latency, 3);
  EXPECT_EQ(hw.simd_lanes, 4);
}

TEST(MaestroHardwareTest, AbsentKeysKeepTheirDefaults) {
  const Hardware hw = ParseMaestroHardware("num_pes: 7\n", "hw.m");
  Hardware expected;
  expected.num_pes = 7;
  EXPECT_EQ(hw, expected);
  EXPECT_EQ(hw.noc_bw, Hardware::kUnlimited);
  EXPECT_EQ(hw.noc_latency, 1);
}

TEST(MaestroHardwareTest, Errors) {
  EXPECT_EQ(HardwareErrorOf("num_pes: 4\nnoc_bw: 3\n"),
            "hw.m:2:1: unknown hardware key 'noc_bw'; did you mean 'noc_bw_cstr'?\nnoc_bw: 3\n^");
  EXPECT_THAT(HardwareErrorOf("num_pe: 4\n"), HasSubstr("did you mean 'num_pes'?"));
  EXPECT_THAT(HardwareErrorOf("noc_numhops: 4\n"), HasSubstr("did you mean 'NoC_NumHops'?"));
  EXPECT_THAT(HardwareErrorOf("num_pes: 0\n"), StartsWith("hw.m:1:10: num_pes must be at least 1"));
  EXPECT_THAT(HardwareErrorOf("num_pes: -4\n"), HasSubstr("negative numbers are not allowed"));
  EXPECT_THAT(HardwareErrorOf("num_pes: many\n"),
              HasSubstr("expected a positive integer value for num_pes, found 'many'"));
  EXPECT_THAT(HardwareErrorOf("num_pes:\n"), HasSubstr("found the end of the file"));
  EXPECT_THAT(HardwareErrorOf("num_pes: 4\nnum_pes: 8\n"),
              HasSubstr("num_pes is given twice (first at line 1)"));
  EXPECT_THAT(HardwareErrorOf("num_pes: 99999999999999\n"), HasSubstr("too large"));
  EXPECT_THAT(HardwareErrorOf("\n// nothing\n"), StartsWith("hw.m: the file is empty"));
  EXPECT_THAT(HardwareErrorOf("{ num_pes: 4 }"), HasSubstr("expected a hardware key, found '{'"));
}

// ---------------------------------------------------------------------------------------------
// Files

TEST(MaestroReaderFileTest, MissingAndEmptyFiles) {
  const std::string missing = kDataDir + "/maestro/no_such_file.m";
  const std::string not_found = missing + ": cannot open file: No such file or directory";
  EXPECT_THAT([&] { ReadMaestroModel(missing); }, ThrowsMessage<InputError>(StrEq(not_found)));
  EXPECT_THAT([&] { ReadMaestroHardware(missing); }, ThrowsMessage<InputError>(StrEq(not_found)));
  const test::TempDir dir;
  const std::string empty = dir.Write("empty.m", "");
  EXPECT_THAT([&] { ReadMaestroModel(empty); },
              ThrowsMessage<InputError>(StrEq(empty + ": the file is empty")));
  EXPECT_THAT([&] { ReadMaestroHardware(empty); },
              ThrowsMessage<InputError>(StrEq(empty + ": the file is empty")));
  EXPECT_THAT([&] { ReadMaestroModel(kDataDir); },
              ThrowsMessage<InputError>(
                  StrEq(kDataDir + ": cannot read file: Is a directory")));
}

// A CSV file as rows of named columns (quoted cells may hold commas; no escaped quotes).
class Csv {
 public:
  explicit Csv(const std::string& path) {
    std::ifstream in(path);
    EXPECT_TRUE(in) << path;
    std::string line;
    bool header = true;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      std::vector<std::string> cells(1);
      bool quoted = false;
      for (char c : line) {
        if (c == '"') {
          quoted = !quoted;
        } else if (c == ',' && !quoted) {
          cells.emplace_back();
        } else {
          cells.back() += c;
        }
      }
      if (header) {
        for (size_t i = 0; i < cells.size(); ++i) columns_[cells[i]] = i;
        header = false;
      } else {
        rows_.push_back(cells);
      }
    }
  }
  size_t size() const { return rows_.size(); }
  const std::string& Get(size_t row, const std::string& column) const {
    static const std::string kEmpty;
    const auto it = columns_.find(column);
    EXPECT_NE(it, columns_.end()) << column;
    if (it == columns_.end() || it->second >= rows_[row].size()) return kEmpty;
    return rows_[row][it->second];
  }
  int64_t Int(size_t row, const std::string& column) const {
    const std::string& cell = Get(row, column);
    return cell.empty() ? 0 : std::stoll(cell);
  }

 private:
  std::map<std::string, size_t> columns_;
  std::vector<std::vector<std::string>> rows_;
};

TEST(MaestroReferenceDataTest, SingleLayerFilesMatchTheSummary) {
  const Csv summary(kDataDir + "/maestro/summary.csv");
  ASSERT_EQ(summary.size(), 180u);
  for (size_t r = 0; r < summary.size(); ++r) {
    const std::string name = summary.Get(r, "layer") + "__" + summary.Get(r, "dataflow");
    SCOPED_TRACE(name);
    const MaestroModel m = ReadMaestroModel(kDataDir + "/maestro/single/" + name + ".m");
    ASSERT_EQ(m.network.layers.size(), 1u);
    const Layer& l = m.network.layers[0];
    EXPECT_EQ(l.name, summary.Get(r, "layer"));
    EXPECT_EQ(l.op_type, summary.Get(r, "type"));
    EXPECT_EQ(l.exact_macs, summary.Int(r, "macs_analytic"));
    // Every directive of the file is kept (the files have no comments that name one).
    const std::string text = test::ReadFile(kDataDir + "/maestro/single/" + name + ".m");
    EXPECT_EQ(static_cast<size_t>(m.mappings[0].size()),
              test::CountOf(text, "SpatialMap(") + test::CountOf(text, "TemporalMap(") +
                  test::CountOf(text, "Cluster("));
    EXPECT_TRUE(m.network.warnings.empty());
    EXPECT_TRUE(std::filesystem::exists(kDataDir + "/maestro/outputs/" + summary.Get(r, "hw") +
                                        "/" + name + ".csv"));
    const Hardware hw =
        ReadMaestroHardware(kDataDir + "/maestro/hw/" + summary.Get(r, "hw") + ".m");
    EXPECT_EQ(hw.num_pes, summary.Int(r, "num_pes"));
    EXPECT_EQ(hw.noc_bw, summary.Int(r, "noc_bw"));
    EXPECT_EQ(hw.offchip_bw, summary.Int(r, "offchip_bw"));
  }
  // The summary covers every file (each under two hardware configurations), and only those.
  std::set<std::string> summarized, files;
  for (size_t r = 0; r < summary.size(); ++r) {
    summarized.insert(summary.Get(r, "layer") + "__" + summary.Get(r, "dataflow") + ".m");
  }
  for (const auto& entry : std::filesystem::directory_iterator(kDataDir + "/maestro/single")) {
    files.insert(entry.path().filename().string());
  }
  EXPECT_EQ(files.size(), 90u);
  EXPECT_EQ(files, summarized);
}

TEST(MaestroReferenceDataTest, RandomCasesMatchTheirDescription) {
  const std::string dir = kDataDir + "/maestro-random/inputs";
  const Csv cases(dir + "/cases.csv");
  ASSERT_EQ(cases.size(), 300u);
  std::map<std::string, int64_t> macs_by_case;
  for (size_t r = 0; r < cases.size(); ++r) {
    const std::string id = cases.Get(r, "case_id");
    SCOPED_TRACE(id);
    const MaestroModel m = ReadMaestroModel(dir + "/cases/" + id + ".m");
    ASSERT_EQ(m.network.layers.size(), 1u);
    const Layer& l = m.network.layers[0];
    EXPECT_EQ(l.name, id);
    EXPECT_EQ(l.op_type, cases.Get(r, "layer_type"));
    for (const char* dim : {"N", "K", "C", "M", "R", "S", "Y", "X"}) {
      EXPECT_EQ(l.shape.size[*DimFromName(dim)], cases.Int(r, dim)) << dim;
    }
    EXPECT_EQ(l.shape.stride_y, cases.Int(r, "stride_y"));
    EXPECT_EQ(l.shape.stride_x, cases.Int(r, "stride_x"));
    EXPECT_EQ(l.exact_macs, cases.Int(r, "macs_analytic"));
    int maps = 0;
    int clusters = 0;
    for (const Directive& d : m.mappings[0])
      (d.kind == DirectiveKind::kCluster ? clusters : maps) += 1;
    EXPECT_EQ(maps, cases.Int(r, "n_map_directives"));
    EXPECT_EQ(clusters + 1, cases.Int(r, "n_levels"));
    macs_by_case[id] = l.exact_macs;
  }

  const Csv hw(dir + "/hw.csv");
  std::map<std::string, Hardware> hw_by_id;
  for (size_t r = 0; r < hw.size(); ++r) {
    const std::string id = hw.Get(r, "hw_id");
    const Hardware h = ReadMaestroHardware(dir + "/hw/" + id + ".m");
    EXPECT_EQ(h.num_pes, hw.Int(r, "num_pes"));
    EXPECT_EQ(h.l1_size, hw.Int(r, "l1_size_cstr"));
    EXPECT_EQ(h.l2_size, hw.Int(r, "l2_size_cstr"));
    EXPECT_EQ(h.noc_bw, hw.Int(r, "noc_bw_cstr"));
    EXPECT_EQ(h.offchip_bw, hw.Int(r, "offchip_bw_cstr"));
    EXPECT_EQ(h.noc_latency, hw.Int(r, "NoC_NumHops"));
    hw_by_id[id] = h;
  }
  EXPECT_EQ(hw_by_id.size(), 6u);

  const Csv runs(dir + "/runs.csv");
  const Csv results(kDataDir + "/maestro-random/results.csv");
  ASSERT_EQ(runs.size(), results.size());
  for (size_t r = 0; r < runs.size(); ++r) {
    EXPECT_EQ(runs.Get(r, "run_id"), results.Get(r, "run_id"));
    EXPECT_EQ(macs_by_case.count(runs.Get(r, "case_id")), 1u);
    EXPECT_EQ(hw_by_id.count(runs.Get(r, "hw_id")), 1u);
    EXPECT_EQ(results.Int(r, "macs_analytic"), macs_by_case[results.Get(r, "case_id")]);
  }
}

}  // namespace
}  // namespace cadenza
