#include "search/templates.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "analyzer/error.h"
#include "importer/maestro_reader.h"
#include "tests/support/paths.h"

namespace cadenza {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::ThrowsMessage;

LayerShape ConvShape(int64_t k, int64_t c, int64_t r, int64_t y, int64_t stride = 1) {
  LayerShape s;
  s.size[Dim::kK] = k;
  s.size[Dim::kC] = c;
  s.size[Dim::kR] = s.size[Dim::kS] = r;
  s.size[Dim::kY] = s.size[Dim::kX] = y;
  s.stride_y = s.stride_x = stride;
  return s;
}

const DataflowTemplate& Find(const TemplateLibrary& lib, std::string_view name, OpKind kind) {
  for (const DataflowTemplate& t : lib.templates()) {
    if (t.name == name && t.AppliesTo(kind)) return t;
  }
  throw std::logic_error("no such template");
}

TEST(TemplateLibraryTest, BuiltinHasEveryFamilyForEveryKind) {
  const TemplateLibrary& lib = TemplateLibrary::Builtin();
  EXPECT_THAT(lib.Families(), ElementsAre("kcp", "yrp", "yxp", "xp", "cp", "tpu"));
  for (const std::string& family : lib.Families()) {
    for (OpKind kind : {OpKind::kConv, OpKind::kDepthwiseConv, OpKind::kGemm}) {
      // Exactly one form, so that the family means one dataflow per kind.
      const auto forms = std::count_if(
          lib.templates().begin(), lib.templates().end(),
          [&](const DataflowTemplate& t) { return t.name == family && t.AppliesTo(kind); });
      EXPECT_EQ(forms, 1) << family << " " << OpKindName(kind);
    }
  }
}

// With its canonical parameters the built-in kcp template is the NVDLA-like KC-P text of the
// MAESTRO reference runs, directive for directive.
TEST(TemplateLibraryTest, CanonicalKcpEqualsTheReferenceDataflow) {
  const MaestroModel ref = ReadMaestroModel(std::string(CADENZA_SOURCE_DIR) +
                                            "/tests/data/maestro/single/vgg16_conv3_1__kcp.m");
  const Layer& layer = ref.network.layers[0];
  const DataflowTemplate& kcp = Find(TemplateLibrary::Builtin(), "kcp", OpKind::kConv);
  const ParamValues params = {1, 64, 64, 1, 1, 1};  // TK TC CL TY TX TB
  const ExprContext context{&layer.shape, 256, &params};
  Mapping m;
  ASSERT_TRUE(kcp.Instantiate(context, &m));
  // The reference layer declares no batch, so the batch tile's directive is left out.
  ASSERT_EQ(layer.shape.size[Dim::kN], 0);
  EXPECT_EQ(ToString(m), ToString(ref.mappings[0]));
  // With a batch of one image it is the first directive and maps the whole batch.
  LayerShape one = layer.shape;
  one.size[Dim::kN] = 1;
  ASSERT_TRUE(kcp.Instantiate({&one, 256, &params}, &m));
  EXPECT_EQ(ToString(m[0]), "TemporalMap(1,1) N;");
}

TEST(TemplateExprTest, StrideAwareRowTile) {
  const TemplateLibrary lib = TemplateLibrary::Parse(R"(
    Template t { Kinds CONV; Param TY range(1, 4);
      Dataflow { SpatialMap(1,1) K; TemporalMap((TY-1)*Stride(Y)+Sz(R), TY*Stride(Y)) Y; } })",
                                                     "t.m");
  const LayerShape shape = ConvShape(8, 8, 7, 230, 2);
  const ParamValues params = {3};
  Mapping m;
  ASSERT_TRUE(lib.templates()[0].Instantiate({&shape, 16, &params}, &m));
  EXPECT_EQ(m[1].size, 2 * 2 + 7);
  EXPECT_EQ(m[1].offset, 6);
}

TEST(TemplateExprTest, DilationWidensTheWindow) {
  // 3 taps 4 apart span 9 input rows; Window is Sz(R) for an undilated layer.
  const TemplateLibrary lib = TemplateLibrary::Parse(R"(
    Template t { Kinds CONV; Param TY range(1, 4);
      Dataflow { SpatialMap(1,Dilation(Y)) K;
                 TemporalMap((TY-1)*Stride(Y)+Window(Y), TY*Stride(Y)) Y;
                 TemporalMap(Window(X), Dilation(X)) X; } })",
                                                     "t.m");
  LayerShape shape = ConvShape(8, 8, 3, 30, 2);
  shape.dilation_y = 4;
  shape.dilation_x = 2;
  const ParamValues params = {3};
  Mapping m;
  ASSERT_TRUE(lib.templates()[0].Instantiate({&shape, 16, &params}, &m));
  EXPECT_EQ(m[0].offset, 4);
  EXPECT_EQ(m[1].size, 2 * 2 + 9);
  EXPECT_EQ(m[1].offset, 6);
  EXPECT_EQ(m[2].size, 5);
  EXPECT_EQ(m[2].offset, 2);
  shape.dilation_y = shape.dilation_x = 1;
  ASSERT_TRUE(lib.templates()[0].Instantiate({&shape, 16, &params}, &m));
  EXPECT_EQ(m[0].offset, 1);
  EXPECT_EQ(m[1].size, 2 * 2 + 3);
  EXPECT_EQ(m[2].size, 3);
}

TEST(TemplateParamTest, Domains) {
  const TemplateLibrary lib = TemplateLibrary::Parse(R"(
    Template t { Kinds CONV;
      Param A divisors(Sz(C));
      Param B pow2(2, PEs) max Sz(K);
      Param C range(1, 10, 3);
      Param D values(8, 2, 2, 5) min 3;
      Param E divisors(A * 2) max B;
      Dataflow { SpatialMap(1,1) K; } })",
                                                     "t.m");
  const LayerShape shape = ConvShape(/*k=*/20, /*c=*/12, 3, 10);
  ParamValues values{};
  const ExprContext context{&shape, 64, &values};
  const std::vector<TemplateParam>& p = lib.templates()[0].params;
  EXPECT_THAT(p[0].Values(context), ElementsAre(1, 2, 3, 4, 6, 12));
  EXPECT_THAT(p[1].Values(context), ElementsAre(2, 4, 8, 16));
  EXPECT_THAT(p[2].Values(context), ElementsAre(1, 4, 7, 10));
  EXPECT_THAT(p[3].Values(context), ElementsAre(5, 8));
  values[0] = 6;  // A
  values[1] = 4;  // B
  EXPECT_THAT(p[4].Values(context), ElementsAre(1, 2, 3, 4));
}

TEST(TemplateParserTest, ErrorsAreLocatedWithACaretAndASuggestion) {
  EXPECT_THAT(
      [] {
        TemplateLibrary::Parse(
            "Template t {\n  Kinds CONV;\n  Dataflow {\n    SpatialMaps(1,1) K;\n  }\n}\n",
            "my.tmpl");
      },
      ThrowsMessage<InputError>(
          AllOf(HasSubstr("my.tmpl:4:5: expected SpatialMap, TemporalMap or Cluster"),
                HasSubstr("did you mean 'SpatialMap'?"),
                HasSubstr("\n    SpatialMaps(1,1) K;\n    ^"))));
}

TEST(TemplateParserTest, RejectsBadTemplates) {
  auto error = [](std::string_view text) -> std::string {
    try {
      TemplateLibrary::Parse(text, "x");
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_THAT(error(""), HasSubstr("no templates"));
  EXPECT_THAT(error("Template t { Dataflow { SpatialMap(1,1) K; } }"), HasSubstr("no Kinds"));
  EXPECT_THAT(error("Template t { Kinds CONV; }"), HasSubstr("no Dataflow"));
  EXPECT_THAT(error("Template t { Kinds CONVV; }"), HasSubstr("did you mean 'CONV'"));
  EXPECT_THAT(error("Template t { Kinds CONV; Dataflow { SpatialMap(TQ,1) K; } }"),
              HasSubstr("unknown name 'TQ'"));
  EXPECT_THAT(error("Template t { Kinds CONV; Param A range(1); Dataflow { SpatialMap(A,1) K; } }"),
              HasSubstr("wrong number of arguments"));
  EXPECT_THAT(error("Template t { Kinds CONV; Dataflow { SpatialMap(1,1) Q; } }"),
              HasSubstr("unknown dimension 'Q'"));
  EXPECT_THAT(error("Template t { Kinds CONV; Dataflow { SpatialMap(1,1) K; }"),
              HasSubstr("not closed"));
  EXPECT_THAT(error("Template t { Kinds CONV; Dataflow { SpatialMap(Window(K),1) K; } }"),
              HasSubstr("Window() takes Y or X"));
  EXPECT_THAT(error("Template t { Kinds CONV; Param Dilation values(1); "
                    "Dataflow { SpatialMap(1,1) K; } }"),
              HasSubstr("'Dilation' is a reserved name"));
  EXPECT_THAT(error("Template t { Kinds CONV; Param A values(1); Param A values(2); "
                    "Dataflow { SpatialMap(1,1) K; } }"),
              HasSubstr("declared twice"));
}

// A forgotten ';' after the kinds is reported as such, not as a layer kind named "Param".
TEST(TemplateParserTest, MissingSemicolonAfterKindsIsNamed) {
  try {
    TemplateLibrary::Parse(
        "Template t {\n  Kinds CONV\n  Param A values(1);\n  Dataflow { SpatialMap(A,1) K; }\n}\n",
        "my.tmpl");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("my.tmpl:3:3: expected ';' after the layer kinds but found"));
    EXPECT_THAT(e.what(), Not(HasSubstr("unknown layer kind")));
  }
  // Kinds still end at their ';' when it is there.
  EXPECT_EQ(TemplateLibrary::Parse("Template t { Kinds CONV GEMM; Dataflow { SpatialMap(1,1) K; } }",
                                   "x")
                .templates()[0]
                .kinds,
            (std::vector<OpKind>{OpKind::kConv, OpKind::kGemm}));
}

// A user's template named like a built-in family would silently become one of its forms.
TEST(TemplateLibraryTest, AppendingAFamilyThatExistsIsAnError) {
  TemplateLibrary library = TemplateLibrary::Builtin();
  const TemplateLibrary user = TemplateLibrary::Parse(
      "\nTemplate kcp { Kinds GEMM; Dataflow { SpatialMap(1,1) K; } }\n", "user.tmpl");
  EXPECT_THAT([&] { library.Append(user); },
              ThrowsMessage<InputError>(AllOf(HasSubstr("user.tmpl:2: template 'kcp'"),
                                              HasSubstr("already defined (<built-in templates>:"))));
  EXPECT_EQ(library.templates().size(), TemplateLibrary::Builtin().templates().size());
  // A new name is appended as before.
  library.Append(TemplateLibrary::Parse(
      "Template mine { Kinds GEMM; Dataflow { SpatialMap(1,1) K; } }", "user.tmpl"));
  EXPECT_EQ(library.Families().back(), "mine");
}

TEST(TemplateLibraryTest, ReadingADirectoryNamesIt) {
  const std::string dir = test::SourcePath("models/templates");
  EXPECT_THAT([&] { TemplateLibrary::Read(dir); },
              ThrowsMessage<InputError>(AllOf(HasSubstr(dir + ": a directory, not a template file"),
                                              Not(HasSubstr("no templates")))));
}

TEST(TemplateLibraryTest, ExampleTemplateFileLoads) {
  const TemplateLibrary lib =
      TemplateLibrary::Read(test::SourcePath("models/templates/example.tmpl"));
  // One family, ws_row, in a CONV form and a GEMM form, each with its description, and the
  // grouped form derived from the CONV form.
  ASSERT_EQ(lib.templates().size(), 3u);
  EXPECT_EQ(lib.Families(), std::vector<std::string>{"ws_row"});
  const DataflowTemplate& conv = lib.templates()[0];
  const DataflowTemplate& gemm = lib.templates()[1];
  EXPECT_EQ(conv.name, "ws_row");
  EXPECT_EQ(conv.kinds, std::vector<OpKind>{OpKind::kConv});
  EXPECT_EQ(conv.description,
            "Weight stationary, output channels across PEs, TC input channels per step");
  EXPECT_EQ(gemm.name, "ws_row");
  EXPECT_EQ(gemm.kinds, std::vector<OpKind>{OpKind::kGemm});
  EXPECT_EQ(gemm.description,
            "Weight stationary for GEMM: N across PEs, TK of the reduction per step");
  EXPECT_EQ(lib.templates()[2].kinds, std::vector<OpKind>{OpKind::kGroupedConv});
}

// A family's grouped form is its CONV form inside each group, TG groups at a time: an outermost
// TemporalMap(TG,TG) G, TG over 1, 2, 4 (never above the groups), the other directives as written.
TEST(TemplateLibraryTest, GroupedFormTakesTheConvFormGroupByGroup) {
  const TemplateLibrary lib = TemplateLibrary::Parse(R"(
    Template f { Kinds CONV; Param TK pow2(1, 8) max Sz(K);
      Dataflow { SpatialMap(TK,TK) K; TemporalMap(1,1) C; } }
    Template f { Kinds GEMM; Dataflow { SpatialMap(1,1) N; TemporalMap(1,1) K; } })",
                                                     "t.tmpl");
  ASSERT_EQ(lib.templates().size(), 3u);
  const DataflowTemplate& grouped = lib.templates()[2];
  EXPECT_EQ(grouped.name, "f");
  EXPECT_EQ(grouped.kinds, std::vector<OpKind>{OpKind::kGroupedConv});
  ASSERT_EQ(grouped.params.size(), 2u);
  EXPECT_EQ(grouped.params[1].name, "TG");
  LayerShape shape = ConvShape(8, 4, 3, 10, 1);
  shape.size[Dim::kG] = 6;
  ParamValues params = {4};
  const ExprContext context{&shape, 16, &params};
  EXPECT_EQ(grouped.params[1].Values(context), (std::vector<int64_t>{1, 2, 4}));
  shape.size[Dim::kG] = 3;
  EXPECT_EQ(grouped.params[1].Values(context), (std::vector<int64_t>{1, 2, 3}));
  params[1] = 2;
  Mapping m;
  ASSERT_TRUE(grouped.Instantiate(context, &m));
  ASSERT_EQ(m.size(), 3);
  EXPECT_EQ(m[0].kind, DirectiveKind::kTemporalMap);
  EXPECT_EQ(m[0].dim, Dim::kG);
  EXPECT_EQ(m[0].size, 2);
  EXPECT_EQ(m[0].offset, 2);
  EXPECT_EQ(m[1].dim, Dim::kK);
  EXPECT_EQ(m[1].size, 4);
}

// A written template has at most six parameters; a six-parameter CONV form still gets its
// grouped form, whose group tile is the seventh.
TEST(TemplateLibraryTest, SixWrittenParametersAndTheGroupTile) {
  const std::string six = R"(Template f { Kinds CONV;
      Param A values(1); Param B values(1); Param C values(1);
      Param D values(1); Param E values(1); Param F values(1);
      Dataflow { SpatialMap(A,A) K; } })";
  const TemplateLibrary lib = TemplateLibrary::Parse(six, "six.tmpl");
  ASSERT_EQ(lib.templates().size(), 2u);
  EXPECT_EQ(lib.templates()[1].params.size(), 7u);
  EXPECT_EQ(lib.templates()[1].params.back().name, "TG");
  const std::string seven = R"(Template f { Kinds CONV;
      Param A values(1); Param B values(1); Param C values(1); Param D values(1);
      Param E values(1); Param F values(1); Param G values(1);
      Dataflow { SpatialMap(A,A) K; } })";
  EXPECT_THAT([&] { TemplateLibrary::Parse(seven, "seven.tmpl"); },
              ThrowsMessage<InputError>(HasSubstr("at most 6 parameters")));
}

// A family that writes its own NGCONV form keeps it; one without a CONV form gets none.
TEST(TemplateLibraryTest, WrittenGroupedFormsAreKept) {
  const TemplateLibrary lib = TemplateLibrary::Parse(R"(
    Template own { Kinds CONV; Dataflow { SpatialMap(1,1) K; } }
    Template own { Kinds NGCONV; Dataflow { SpatialMap(1,1) G; } }
    Template gemm_only { Kinds GEMM; Dataflow { SpatialMap(1,1) N; } })",
                                                     "t.tmpl");
  ASSERT_EQ(lib.templates().size(), 3u);
  EXPECT_EQ(lib.templates()[1].directives[0].dim, Dim::kG);
  EXPECT_TRUE(lib.templates()[1].params.empty());
}

}  // namespace
}  // namespace cadenza
