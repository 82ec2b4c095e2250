#include "importer/maestro_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analyzer/error.h"
#include "importer/maestro_reader.h"

namespace cadenza {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::ThrowsMessage;

// K on the PEs, everything else whole.
Mapping ConvMapping(const LayerShape& s) {
  Mapping m;
  m.Add({.kind = DirectiveKind::kSpatialMap, .dim = Dim::kK, .size = 1, .offset = 1});
  m.Add({.kind = DirectiveKind::kTemporalMap, .dim = Dim::kC, .size = 1, .offset = 1});
  m.Add({.kind = DirectiveKind::kTemporalMap, .dim = Dim::kY, .size = s.size[Dim::kY],
         .offset = s.size[Dim::kY]});
  m.Add({.kind = DirectiveKind::kTemporalMap, .dim = Dim::kX, .size = s.size[Dim::kX],
         .offset = s.size[Dim::kX]});
  m.Add({.kind = DirectiveKind::kTemporalMap, .dim = Dim::kR, .size = s.size[Dim::kR],
         .offset = s.size[Dim::kR]});
  m.Add({.kind = DirectiveKind::kTemporalMap, .dim = Dim::kS, .size = s.size[Dim::kS],
         .offset = s.size[Dim::kS]});
  return m;
}

Layer Conv(const std::string& name) {
  Layer l;
  l.name = name;
  l.op_type = "Conv";
  l.kind = OpKind::kConv;
  l.shape.size[Dim::kK] = 4;
  l.shape.size[Dim::kC] = 2;
  l.shape.size[Dim::kY] = 9;
  l.shape.size[Dim::kX] = 9;
  l.shape.size[Dim::kR] = 3;
  l.shape.size[Dim::kS] = 3;
  l.exact_macs = ExactMacs(l.kind, l.shape);
  return l;
}

TEST(MaestroWriterTest, NamesThatAreNotOneWordAreRewrittenUniquelyAndKept) {
  Network net;
  net.name = "my net: v2";
  for (const char* name : {"a-b c", "a_b_c", "x//y", "Layer", "ok/name.0"}) {
    net.layers.push_back(Conv(name));
  }
  std::vector<Mapping> mappings;
  for (const Layer& l : net.layers) mappings.push_back(ConvMapping(l.shape));
  std::vector<const Mapping*> pointers;
  for (const Mapping& m : mappings) pointers.push_back(&m);
  const std::string text = MaestroNetworkText(net, pointers, {"first line", "two\nlines"});
  EXPECT_THAT(text, HasSubstr("// first line\n// two lines\n// network 'my net: v2'\n"
                              "Network my_net__v2 {\n"));
  EXPECT_THAT(text, HasSubstr("  // layer 'a-b c'\n  Layer a_b_c {\n"));
  EXPECT_THAT(text, HasSubstr("  Layer a_b_c_2 {\n"));  // the name "a_b_c" is taken
  EXPECT_THAT(text, HasSubstr("  // layer 'x//y'\n  Layer x/_y {\n"));
  EXPECT_THAT(text, HasSubstr("  // layer 'Layer'\n  Layer Layer_ {\n"));
  EXPECT_THAT(text, HasSubstr("  Layer ok/name.0 {\n"));
  EXPECT_THAT(text, Not(HasSubstr("// layer 'ok/name.0'")));

  const MaestroModel back = ParseMaestroModel(text, "back.m");
  ASSERT_EQ(back.network.layers.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(back.network.layers[i].shape, net.layers[i].shape);
    EXPECT_EQ(back.mappings[i], mappings[i]);
  }
}

TEST(MaestroWriterTest, DilationAndInstancesUseCadenzasBlocks) {
  Network net;
  net.name = "n";
  Layer l = Conv("dilated");
  l.shape.dilation_y = 2;
  l.shape.dilation_x = 3;
  l.shape.stride_y = 2;
  l.shape.size[Dim::kY] = 12;
  l.shape.size[Dim::kX] = 14;
  l.instances = 5;
  l.exact_macs = ExactMacs(l.kind, l.shape) * 5;
  net.layers.push_back(l);
  const Mapping m = ConvMapping(l.shape);
  const std::string text = MaestroNetworkText(net, {&m}, {});
  EXPECT_THAT(text, HasSubstr("    Stride { X: 1, Y: 2 }\n    Dilation { X: 3, Y: 2 }\n"
                              "    Instances: 5\n"));
  const MaestroModel back = ParseMaestroModel(text, "back.m");
  ASSERT_EQ(back.network.layers.size(), 1u);
  EXPECT_EQ(back.network.layers[0].shape, l.shape);
  EXPECT_EQ(back.network.layers[0].instances, 5);
  EXPECT_EQ(back.network.layers[0].exact_macs, l.exact_macs);
}

TEST(MaestroWriterTest, LayersWithoutAMappingAreLeftOutWithAComment) {
  Network net;
  net.name = "n";
  net.layers = {Conv("kept"), Conv("no-fit")};
  const Mapping m = ConvMapping(net.layers[0].shape);
  const std::string text = MaestroNetworkText(net, {&m, nullptr}, {});
  EXPECT_THAT(text, HasSubstr("  // layer 'no-fit' has no mapping: left out\n"));
  EXPECT_EQ(ParseMaestroModel(text, "back.m").network.layers.size(), 1u);
  EXPECT_THAT([&] { MaestroNetworkText(net, {nullptr, nullptr}, {}); },
              ThrowsMessage<InputError>(HasSubstr("no layer has a mapping")));
}

// A size beyond what the reader accepts cannot be taken away as a .m file: an error naming it.
TEST(MaestroWriterTest, ALayerTheReaderWouldRefuseIsAnError) {
  Network net;
  net.name = "n";
  Layer l = Conv("huge");
  l.shape.size[Dim::kK] = int64_t{1} << 41;
  net.layers.push_back(l);
  const Mapping m = ConvMapping(net.layers[0].shape);
  EXPECT_THAT([&] { MaestroNetworkText(net, {&m}, {}); },
              ThrowsMessage<InputError>(HasSubstr("cannot be read back: <the written .m network>")));
}

}  // namespace
}  // namespace cadenza
