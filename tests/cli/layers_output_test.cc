// `cadenza layers`'s documents (cli/layers_output.h) on a hand-made import: alignment by display
// width, CSV quoting, thousands separators and valid JSON escaping.

#include "cli/layers_output.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace cadenza::cli {
namespace {

using ::testing::HasSubstr;

// Two GEMM nodes, the first with a non-ASCII name, a comma and a quote in the second.
OnnxImport MakeImport() {
  OnnxImport model;
  model.network.source_path = "m.onnx";
  model.ir_version = 8;
  model.opset = 13;
  model.producer = "test";
  for (const char* name : {"proj_\u00e9\u00e9\u00e9", "a,\"b\""}) {
    Layer layer;
    layer.name = name;
    layer.op_type = "MatMul";
    layer.kind = OpKind::kGemm;
    layer.shape.size[Dim::kM] = 1000;
    layer.shape.size[Dim::kN] = 1000;
    layer.shape.size[Dim::kK] = 1000;
    layer.instances = 1;
    layer.exact_macs = 1'000'000'000;
    OnnxNodeInfo node;
    node.name = name;
    node.op_type = "MatMul";
    node.node_index = static_cast<int>(model.nodes.size());
    node.input_shapes = {{1000, 1000}, {1000, 1000}};
    node.output_shape = {1000, 1000};
    node.layer_indices = {static_cast<int>(model.network.layers.size())};
    node.macs = layer.exact_macs;
    model.network.layers.push_back(layer);
    model.nodes.push_back(node);
  }
  model.total_macs = 2'000'000'000;
  model.other_ops = {{"Add", 3}};
  return model;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Display columns before `needle` in `line` (UTF-8 continuation bytes take none).
size_t ColumnOf(const std::string& line, const std::string& needle) {
  const size_t at = line.find(needle);
  EXPECT_NE(at, std::string::npos) << needle << " in " << line;
  size_t column = 0;
  for (size_t i = 0; i < at; ++i) column += (static_cast<unsigned char>(line[i]) & 0xC0) != 0x80;
  return column;
}

TEST(LayersOutputTest, TableAlignsByDisplayWidthAndGroupsThousands) {
  std::ostringstream out;
  WriteLayersTable(MakeImport(), 1, out);
  const std::vector<std::string> lines = Lines(out.str());
  ASSERT_GE(lines.size(), 5u) << out.str();
  // lines[2] is the header, then one row per node.
  EXPECT_EQ(ColumnOf(lines[3], "MatMul"), ColumnOf(lines[2], "op"));
  EXPECT_EQ(ColumnOf(lines[4], "MatMul"), ColumnOf(lines[2], "op"));
  EXPECT_EQ(ColumnOf(lines[3], "GEMM"), ColumnOf(lines[4], "GEMM"));
  EXPECT_THAT(lines[3], HasSubstr("1,000,000,000"));
  EXPECT_THAT(out.str(), HasSubstr("2 MAC nodes, 2 analyzer layers, 2,000,000,000 MACs (2.00 G)"));
  EXPECT_THAT(out.str(), HasSubstr("other ops: Add 3"));
}

TEST(LayersOutputTest, CsvQuotesOnlyWhatNeedsIt) {
  std::ostringstream out;
  WriteLayersCsv(MakeImport(), out);
  const std::vector<std::string> lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_THAT(lines[1], testing::StartsWith("0,proj_\u00e9\u00e9\u00e9,MatMul,proj_"));
  EXPECT_THAT(lines[2], testing::StartsWith("1,\"a,\"\"b\"\"\",MatMul,\"a,\"\"b\"\"\",GEMM,"));
}

TEST(LayersOutputTest, JsonEscapesNamesAndCarriesEveryNode) {
  std::ostringstream out;
  WriteLayersJson(MakeImport(), 4, out);
  const std::string json = out.str();
  EXPECT_THAT(json, HasSubstr("\"batch\": 4,"));
  EXPECT_THAT(json, HasSubstr("\"name\": \"a,\\\"b\\\"\","));
  EXPECT_THAT(json, HasSubstr("\"dims\": {\n            \"M\": 1000,"));
  EXPECT_THAT(json, HasSubstr("\"total_macs\": 2000000000,"));
  EXPECT_THAT(json, HasSubstr("\"other_ops\": {\n    \"Add\": 3\n  },"));
  EXPECT_THAT(json, HasSubstr("\"skipped\": [],"));
  EXPECT_EQ(json.back(), '\n');
}

}  // namespace
}  // namespace cadenza::cli
