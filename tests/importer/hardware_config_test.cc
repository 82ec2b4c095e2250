#include "importer/hardware_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "analyzer/error.h"
#include "importer/maestro_reader.h"
#include "tests/support/files.h"
#include "tests/support/paths.h"

namespace cadenza {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::testing::StrEq;
using ::testing::ThrowsMessage;
using test::ReadFile;
using test::TempDir;

const std::string kSourceDir = test::SourceDir().string();
const std::string kHwDir = kSourceDir + "/models/hw";

Hardware Parse(std::string_view text) { return ParseHardwareConfig(text, "hw.textproto"); }

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

std::string SweepErrorOf(std::string_view text) {
  try {
    ParseSweep(text, "sweep.textproto");
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "parsed without error:\n" << text;
  return "";
}

// ------------------------------------------------------------------------------------------------
// Hardware configurations

TEST(HardwareConfigTest, FullConfig) {
  const Hardware hw = Parse(R"(
    name: "full"
    num_pes: 168
    simd_lanes: 4
    l1_bytes: 512
    l2_bytes: 110592
    bytes_per_element { input: 2 filter: 1 output: 4 }
    noc {
      bandwidth: 16
      latency: 2
      level { bandwidth: 32 }
      level { latency: 0 }
      level { bandwidth: 8 latency: 5 }
    }
    offchip_bandwidth: 4
    clock_ghz: 0.2
    energy { mac_pj: 1.5 l1_pj: 2.5 l2_pj: 3.5 dram_pj: 100 }
    bandwidth_is_hard_limit: true
  )");
  EXPECT_EQ(hw.num_pes, 168);
  EXPECT_EQ(hw.simd_lanes, 4);
  EXPECT_EQ(hw.l1_size, 512);
  EXPECT_EQ(hw.l2_size, 110592);
  EXPECT_EQ(hw.bytes_per_element[Tensor::kInput], 2);
  EXPECT_EQ(hw.bytes_per_element[Tensor::kFilter], 1);
  EXPECT_EQ(hw.bytes_per_element[Tensor::kOutput], 4);
  EXPECT_EQ(hw.noc_bw, 16);
  EXPECT_EQ(hw.noc_latency, 2);
  EXPECT_EQ(hw.offchip_bw, 4);
  EXPECT_DOUBLE_EQ(hw.clock_ghz, 0.2);
  EXPECT_EQ(hw.energy, (AccessEnergy{1.5, 2.5, 3.5, 100}));
  EXPECT_TRUE(hw.bandwidth_is_hard_limit);

  // Level overrides: an unset field falls back to noc.
  EXPECT_EQ(hw.noc_levels[0], (NocLevel{32, -1}));
  EXPECT_EQ(hw.noc_levels[1], (NocLevel{0, 0}));
  EXPECT_EQ(hw.noc_levels[2], (NocLevel{8, 5}));
  EXPECT_EQ(hw.noc_levels[3], NocLevel{});
  EXPECT_EQ(hw.NocBandwidth(0), 32);
  EXPECT_EQ(hw.NocLatency(0), 2);
  EXPECT_EQ(hw.NocBandwidth(1), 16);
  EXPECT_EQ(hw.NocLatency(1), 0);
  EXPECT_EQ(hw.NocBandwidth(2), 8);
  EXPECT_EQ(hw.NocLatency(2), 5);
  EXPECT_EQ(hw.NocBandwidth(3), 16);
  EXPECT_EQ(hw.NocLatency(3), 2);
}

TEST(HardwareConfigTest, UnsetFieldsKeepHardwareDefaults) {
  Hardware expected;
  expected.num_pes = 4;
  EXPECT_EQ(Parse("num_pes: 4"), expected);
  EXPECT_EQ(expected.l1_size, Hardware::kUnlimited);
  EXPECT_EQ(expected.l2_size, Hardware::kUnlimited);
  EXPECT_EQ(expected.noc_bw, Hardware::kUnlimited);
  EXPECT_EQ(expected.offchip_bw, Hardware::kUnlimited);

  // Empty messages set nothing either.
  EXPECT_EQ(Parse("num_pes: 4 noc { level {} } energy {} bytes_per_element {}"), expected);
}

TEST(HardwareConfigTest, AcceptsProtobufTextForms) {
  // Comments, hex, list-free colons before messages, CRLF and a byte order mark.
  const Hardware hw = Parse(
      "\xEF\xBB\xBF# accelerator\r\nnum_pes: 0x100\r\nnoc: { bandwidth: 8 }\r\n"
      "bandwidth_is_hard_limit: True\r\n");
  EXPECT_EQ(hw.num_pes, 256);
  EXPECT_EQ(hw.noc_bw, 8);
  EXPECT_TRUE(hw.bandwidth_is_hard_limit);
}

TEST(HardwareConfigTest, NumPesIsRequired) {
  EXPECT_EQ(ErrorOf("simd_lanes: 2\n"),
            "hw.textproto: num_pes is required: the number of PEs, e.g. 'num_pes: 256'");
}

TEST(HardwareConfigTest, EmptyFile) {
  EXPECT_THAT(ErrorOf(""), StartsWith("hw.textproto: the file is empty"));
  EXPECT_THAT(ErrorOf("  # only a comment\n\n"), StartsWith("hw.textproto: the file is empty"));
}

struct BadValue {
  std::string text;
  std::string message;  // the whole first line of the error
};

TEST(HardwareConfigTest, ValuesOutOfRange) {
  const std::vector<BadValue> cases = {
      {"num_pes: 0", "hw.textproto:1:10: num_pes must be at least 1, found 0"},
      {"num_pes: -3", "hw.textproto:1:10: num_pes must be at least 1, found -3"},
      {"num_pes: 16777217",
       "hw.textproto:1:10: num_pes must be at most 2^24 = 16777216, found 16777217"},
      {"num_pes: 1 simd_lanes: 0", "hw.textproto:1:24: simd_lanes must be at least 1, found 0"},
      {"num_pes: 1 simd_lanes: 65537",
       "hw.textproto:1:24: simd_lanes must be at most 65536, found 65537"},
      {"num_pes: 1 l1_bytes: 0", "hw.textproto:1:22: l1_bytes must be at least 1, found 0"},
      {"num_pes: 1 l2_bytes: 1099511627777",
       "hw.textproto:1:22: l2_bytes must be at most 2^40 = 1099511627776, found 1099511627777"},
      {"num_pes: 1 bytes_per_element { input: 0 }",
       "hw.textproto:1:39: bytes_per_element.input must be at least 1, found 0"},
      {"num_pes: 1 bytes_per_element { filter: 65 }",
       "hw.textproto:1:40: bytes_per_element.filter must be at most 64, found 65"},
      {"num_pes: 1 bytes_per_element { output: -1 }",
       "hw.textproto:1:40: bytes_per_element.output must be at least 1, found -1"},
      {"num_pes: 1 noc { bandwidth: 0 }",
       "hw.textproto:1:29: noc.bandwidth must be at least 1, found 0"},
      {"num_pes: 1 noc { latency: -1 }",
       "hw.textproto:1:27: noc.latency must be at least 0, found -1"},
      {"num_pes: 1 noc { latency: 1048577 }",
       "hw.textproto:1:27: noc.latency must be at most 2^20 = 1048576, found 1048577"},
      {"num_pes: 1 noc { level {} level { bandwidth: 0 } }",
       "hw.textproto:1:46: noc.level[1].bandwidth must be at least 1, found 0"},
      {"num_pes: 1 noc { level { latency: -2 } }",
       "hw.textproto:1:35: noc.level[0].latency must be at least 0, found -2"},
      {"num_pes: 1 noc { level{} level{} level{} level{} level{} level{} level{} level{} "
       "level{} }",
       "hw.textproto:1:82: noc.level has 9 entries; there are at most 8 cluster levels"},
      {"num_pes: 1 offchip_bandwidth: 0",
       "hw.textproto:1:31: offchip_bandwidth must be at least 1, found 0"},
      {"num_pes: 1 clock_ghz: 0",
       "hw.textproto:1:23: clock_ghz must be a finite number > 0, found 0"},
      {"num_pes: 1 clock_ghz: -1.5",
       "hw.textproto:1:23: clock_ghz must be a finite number > 0, found -1.5"},
      {"num_pes: 1 clock_ghz: nan",
       "hw.textproto:1:23: clock_ghz must be a finite number > 0, found nan"},
      {"num_pes: 1 clock_ghz: inf",
       "hw.textproto:1:23: clock_ghz must be a finite number > 0, found inf"},
      {"num_pes: 1 energy { mac_pj: -0.5 }",
       "hw.textproto:1:29: energy.mac_pj must be a finite number >= 0, found -0.5"},
      {"num_pes: 1 energy { l1_pj: nan }",
       "hw.textproto:1:28: energy.l1_pj must be a finite number >= 0, found nan"},
      {"num_pes: 1 energy { l2_pj: -1 }",
       "hw.textproto:1:28: energy.l2_pj must be a finite number >= 0, found -1"},
      {"num_pes: 1 energy { dram_pj: -inf }",
       "hw.textproto:1:30: energy.dram_pj must be a finite number >= 0, found -inf"},
  };
  for (const BadValue& c : cases) {
    const std::string error = ErrorOf(c.text);
    EXPECT_EQ(error.substr(0, error.find('\n')), c.message) << c.text;
  }
  // Zero energies and latencies are allowed: an ideal NoC, a component left out of the sum.
  const Hardware hw = Parse("num_pes: 1 noc { latency: 0 } energy { dram_pj: 0 }");
  EXPECT_EQ(hw.noc_latency, 0);
  EXPECT_EQ(hw.energy.offchip_pj, 0);
}

TEST(HardwareConfigTest, ValueErrorShowsLineAndCaret) {
  EXPECT_EQ(ErrorOf("num_pes: 16\n"
                    "noc {\n"
                    "  bandwidth: 0  # none\n"
                    "}\n"),
            "hw.textproto:3:14: noc.bandwidth must be at least 1, found 0\n"
            "  bandwidth: 0  # none\n"
            "             ^");
}

TEST(HardwareConfigTest, SyntaxErrorKeepsProtobufLineAndColumn) {
  // protobuf reports line 2, column 13 (0-based); the message is 1-based.
  EXPECT_EQ(ErrorOf("num_pes: 16\n"
                    "noc {\n"
                    "  bandwidth: wide\n"
                    "}\n"),
            "hw.textproto:3:14: Expected integer, got: wide\n"
            "  bandwidth: wide\n"
            "             ^");
  EXPECT_EQ(ErrorOf("num_pes 16\n"),
            "hw.textproto:1:9: Expected \":\", found \"16\".\n"
            "num_pes 16\n"
            "        ^");
  EXPECT_EQ(ErrorOf("num_pes: 1.5\n"),
            "hw.textproto:1:10: Expected integer, got: 1.5\n"
            "num_pes: 1.5\n"
            "         ^");
  EXPECT_THAT(ErrorOf("num_pes: 99999999999999999999\n"),
              StartsWith("hw.textproto:1:10: Integer out of range"));
  EXPECT_THAT(ErrorOf("name: \"x\nnum_pes: 1\n"),
              StartsWith("hw.textproto:1:9: String literals cannot cross line boundaries."));
}

TEST(HardwareConfigTest, SyntaxErrorColumnsCountTabsAsProtobufDoes) {
  // A tab advances protobuf's column to the next multiple of 8; the caret keeps the tab.
  EXPECT_EQ(ErrorOf("\tnum_pes: x\n"),
            "hw.textproto:1:18: Expected integer, got: x\n"
            "\tnum_pes: x\n"
            "\t         ^");
}

TEST(HardwareConfigTest, UnexpectedEndOfFile) {
  EXPECT_EQ(ErrorOf("num_pes: 16\nnoc {\n  bandwidth: 4\n"),
            "hw.textproto:4:1: Expected identifier, got: the end of the file\n"
            "\n"
            "^");
}

TEST(HardwareConfigTest, UnknownFieldSuggestsTheClosestName) {
  EXPECT_EQ(ErrorOf("num_pes: 16\nnum_pe: 4\n"),
            "hw.textproto:2:1: unknown field 'num_pe' in HardwareConfig; did you mean "
            "'num_pes'?\n"
            "num_pe: 4\n"
            "^");
  EXPECT_EQ(ErrorOf("num_pes: 16\nnoc { bandwith: 4 }\n"),
            "hw.textproto:2:7: unknown field 'bandwith' in Noc; did you mean 'bandwidth'?\n"
            "noc { bandwith: 4 }\n"
            "      ^");
  EXPECT_THAT(ErrorOf("num_pes: 1 energy { DRAM_pj: 4 }"),
              HasSubstr("unknown field 'DRAM_pj' in Energy; did you mean 'dram_pj'?"));
  EXPECT_THAT(ErrorOf("num_pes: 1 offchip: 4"),
              HasSubstr("unknown field 'offchip' in HardwareConfig; did you mean "
                        "'offchip_bandwidth'?"));
  EXPECT_EQ(ErrorOf("num_pes: 1\nfrequency: 4\n").substr(0, 62),
            "hw.textproto:2:1: unknown field 'frequency' in HardwareConfig\n");
  // Names from elsewhere get a pointer to the right place.
  EXPECT_THAT(ErrorOf("num_pes: 1 noc_bw: 4"),
              HasSubstr("unknown field 'noc_bw' in HardwareConfig; NoC bandwidth is written "
                        "'noc { bandwidth: N }'"));
  EXPECT_THAT(ErrorOf("base { num_pes: 1 }"),
              HasSubstr("unknown field 'base' in HardwareConfig (it belongs in a sweep file)"));
}

TEST(HardwareConfigTest, FieldGivenTwice) {
  EXPECT_EQ(ErrorOf("num_pes: 16\nnum_pes: 32\n"),
            "hw.textproto:2:1: 'num_pes' is given more than once\n"
            "num_pes: 32\n"
            "^");
  EXPECT_THAT(ErrorOf("num_pes: 16\nnoc { latency: 1 }\nnoc { bandwidth: 2 }\n"),
              StartsWith("hw.textproto:3:1: 'noc' is given more than once"));
}

// ------------------------------------------------------------------------------------------------
// Files

TEST(HardwareConfigTest, ReadsMaestroHardwareByExtension) {
  const std::string path = kSourceDir + "/tests/data/maestro/hw/hw256_bw32.m";
  const Hardware hw = ReadHardwareFile(path);
  EXPECT_EQ(hw, ReadMaestroHardware(path));
  EXPECT_EQ(hw.num_pes, 256);
  EXPECT_EQ(hw.l1_size, 512);
  EXPECT_EQ(hw.l2_size, 108000);
  EXPECT_EQ(hw.noc_bw, 32);
  EXPECT_EQ(hw.offchip_bw, 16);
}

TEST(HardwareConfigTest, ReadsMaestroHardwareByContent) {
  const TempDir dir;
  const std::string maestro = ReadFile(kSourceDir + "/tests/data/maestro/hw/hw256_bw32.m");
  const std::string file = dir.Write("hw256_bw32.txt", maestro);
  EXPECT_EQ(ReadHardwareFile(file), ParseMaestroHardware(maestro, file));

  // MAESTRO's own errors (and names) then apply.
  const std::string bad = dir.Write("bad_hw.cfg", "num_pes: 16\n  NoC_NumHops : 0\n");
  EXPECT_THAT([&] { ReadHardwareFile(bad); },
              ThrowsMessage<InputError>(AllOf(StartsWith(bad + ":2:"),
                                              HasSubstr("NoC_NumHops must be at least 1"))));

  // num_pes alone is text format (and means the same in both).
  const std::string shared = dir.Write("pes.textproto", "num_pes: 16\n");
  Hardware expected;
  expected.num_pes = 16;
  EXPECT_EQ(ReadHardwareFile(shared), expected);
}

// The JSON form of the same configuration: the same hardware as the text format, by extension
// or by its opening brace, with the same checks.
TEST(HardwareConfigTest, ReadsJsonFiles) {
  const TempDir dir;
  const std::string json = dir.Write("default.json", R"({
    "name": "default", "num_pes": 256, "simd_lanes": 1, "l1_bytes": 1024, "l2_bytes": 1048576,
    "bytes_per_element": {"input": 1, "filter": 1, "output": 1},
    "noc": {"bandwidth": 64, "latency": 1}, "offchipBandwidth": 32, "clock_ghz": 1.0,
    "energy": {"mac_pj": 0.23, "l1_pj": 0.3864, "l2_pj": 4.2803, "dram_pj": 46},
    "bandwidth_is_hard_limit": false, "multicast": true, "spatial_reduction": true})");
  EXPECT_EQ(ReadHardwareFile(json), ReadHardwareFile(kHwDir + "/default.textproto"));
  const std::string braced = dir.Write("hw.cfg", "\n  {\"num_pes\": 16, \"simd_lanes\": 2}");
  Hardware expected;
  expected.num_pes = 16;
  expected.simd_lanes = 2;
  EXPECT_EQ(ReadHardwareFile(braced), expected);

  const std::string unknown = dir.Write("unknown.json", R"({"num_pes": 16, "num_pe": 3})");
  EXPECT_THAT([&] { ReadHardwareFile(unknown); },
              ThrowsMessage<InputError>(AllOf(StartsWith(unknown + ": cannot be read as a "
                                                         "HardwareConfig in JSON: "),
                                              HasSubstr("num_pe"))));
  const std::string range = dir.Write("range.json", R"({"num_pes": 16, "noc": {"bandwidth": 0}})");
  EXPECT_THAT([&] { ReadHardwareFile(range); },
              ThrowsMessage<InputError>(StrEq(range + ": noc.bandwidth must be at least 1, "
                                                      "found 0")));
  const std::string missing = dir.Write("missing.json", R"({"simd_lanes": 2})");
  EXPECT_THAT([&] { ReadHardwareFile(missing); },
              ThrowsMessage<InputError>(HasSubstr("num_pes is required")));
}

TEST(HardwareConfigTest, ReadsTextFormatFiles) {
  const Hardware eyeriss = ReadHardwareFile(kHwDir + "/eyeriss_like.textproto");
  EXPECT_EQ(eyeriss.num_pes, 168);
  EXPECT_EQ(eyeriss.l1_size, 512);
  EXPECT_EQ(eyeriss.l2_size, 108 * 1024);
  EXPECT_EQ(eyeriss.bytes_per_element, (PerTensor<int64_t>{{2, 2, 2}}));
  EXPECT_DOUBLE_EQ(eyeriss.clock_ghz, 0.2);

  const Hardware edge = ReadHardwareFile(kHwDir + "/edge_like.textproto");
  EXPECT_EQ(edge.num_pes, 64);
  EXPECT_EQ(edge.simd_lanes, 4);
  EXPECT_EQ(edge.bytes_per_element[Tensor::kOutput], 4);
}

TEST(HardwareConfigTest, FileErrorsNameTheFile) {
  const std::string missing = kSourceDir + "/tests/data/no_such_hardware.textproto";
  const std::string not_found = ": cannot open file: No such file or directory";
  EXPECT_THAT([&] { ReadHardwareFile(missing); },
              ThrowsMessage<InputError>(StrEq(missing + not_found)));
  const std::string missing_m = kSourceDir + "/tests/data/no_such_hardware.m";
  EXPECT_THAT([&] { ReadHardwareFile(missing_m); },
              ThrowsMessage<InputError>(StrEq(missing_m + not_found)));
  EXPECT_THAT([&] { ReadSweep(missing); }, ThrowsMessage<InputError>(StrEq(missing + not_found)));

  const TempDir dir;
  const std::string bad = dir.Write("bad.textproto", "num_pes: 16\nl1_bytes: 0\n");
  EXPECT_THAT([&] { ReadHardwareFile(bad); },
              ThrowsMessage<InputError>(StartsWith(bad + ":2:11: l1_bytes must be at least 1")));
}

// ------------------------------------------------------------------------------------------------
// The default preset

TEST(HardwareConfigTest, DefaultPresetHasItsDocumentedValues) {
  const Hardware hw = DefaultHardware();
  EXPECT_EQ(hw.num_pes, 256);
  EXPECT_EQ(hw.simd_lanes, 1);
  EXPECT_EQ(hw.l1_size, 1024);
  EXPECT_EQ(hw.l2_size, 1024 * 1024);
  EXPECT_EQ(hw.bytes_per_element, (PerTensor<int64_t>{{1, 1, 1}}));
  EXPECT_EQ(hw.noc_bw, 64);
  EXPECT_EQ(hw.noc_latency, 1);
  EXPECT_EQ(hw.noc_levels, Hardware{}.noc_levels);
  EXPECT_EQ(hw.offchip_bw, 32);
  EXPECT_EQ(hw.clock_ghz, 1.0);
  EXPECT_FALSE(hw.bandwidth_is_hard_limit);
  // The text's decimals are exactly the products AccessEnergy's defaults compute.
  EXPECT_EQ(hw.energy, AccessEnergy{});
  EXPECT_EQ(hw.energy.mac_pj, 0.23);
  EXPECT_EQ(hw.energy.l1_pj, 0.23 * 1.68);
  EXPECT_EQ(hw.energy.l2_pj, 0.23 * 18.61);
  EXPECT_EQ(hw.energy.offchip_pj, 0.23 * 200);
}

TEST(HardwareConfigTest, DefaultPresetFileIsTheEmbeddedText) {
  EXPECT_EQ(ReadFile(kHwDir + "/default.textproto"), DefaultHardwareText());
  EXPECT_EQ(ReadHardwareFile(kHwDir + "/default.textproto"), DefaultHardware());
}

// ------------------------------------------------------------------------------------------------
// Sweeps

std::vector<SweepPoint> Sweep(std::string_view text) { return ParseSweep(text, "sweep.textproto"); }

std::vector<std::string> Labels(const std::vector<SweepPoint>& points) {
  std::vector<std::string> labels;
  for (const SweepPoint& p : points) labels.push_back(p.label);
  return labels;
}

TEST(SweepTest, CartesianProductInDocumentedOrder) {
  const std::vector<SweepPoint> points = Sweep(R"(
    base { num_pes: 256 l1_bytes: 1024 l2_bytes: 1048576 noc { bandwidth: 64 }
           offchip_bandwidth: 32 clock_ghz: 0.5 }
    offchip_bandwidth { values: [16, 8] }
    num_pes { values: [64, 128] }
    l2_bytes { values: 4096 }
  )");
  EXPECT_THAT(Labels(points),
              ::testing::ElementsAre("pes=64 simd=1 l1=1024 l2=4096 noc=64 offchip=16",
                                     "pes=64 simd=1 l1=1024 l2=4096 noc=64 offchip=8",
                                     "pes=128 simd=1 l1=1024 l2=4096 noc=64 offchip=16",
                                     "pes=128 simd=1 l1=1024 l2=4096 noc=64 offchip=8"));
  EXPECT_EQ(points[1].hw.num_pes, 64);
  EXPECT_EQ(points[1].hw.offchip_bw, 8);
  EXPECT_EQ(points[1].hw.l2_size, 4096);
  EXPECT_DOUBLE_EQ(points[1].hw.clock_ghz, 0.5);  // the rest comes from the base
}

TEST(SweepTest, EveryParameterNestsInOrder) {
  const std::vector<SweepPoint> points = Sweep(R"(
    noc_bandwidth { values: [1, 2] }
    l2_bytes { values: [1, 2] }
    offchip_bandwidth { values: [1, 2] }
    simd_lanes { values: [1, 2] }
    num_pes { values: [1, 2] }
    l1_bytes { values: [1, 2] }
  )");
  ASSERT_EQ(points.size(), 64u);
  // Point i spells i in binary, num_pes the most significant digit.
  for (size_t i = 0; i < points.size(); ++i) {
    const Hardware& hw = points[i].hw;
    const int64_t got = (hw.num_pes - 1) << 5 | (hw.simd_lanes - 1) << 4 | (hw.l1_size - 1) << 3 |
                        (hw.l2_size - 1) << 2 | (hw.noc_bw - 1) << 1 | (hw.offchip_bw - 1);
    EXPECT_EQ(got, static_cast<int64_t>(i));
  }
  EXPECT_EQ(points[0].label, "pes=1 simd=1 l1=1 l2=1 noc=1 offchip=1");
  EXPECT_EQ(points[63].label, "pes=2 simd=2 l1=2 l2=2 noc=2 offchip=2");
}

TEST(SweepTest, NoSweptParameterIsTheBaseAlone) {
  const std::vector<SweepPoint> points = Sweep("base { num_pes: 8 }");
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].label,
            "pes=8 simd=1 l1=unlimited l2=unlimited noc=unlimited offchip=unlimited");
  Hardware expected;
  expected.num_pes = 8;
  EXPECT_EQ(points[0].hw, expected);
}

TEST(SweepTest, SweptNocBandwidthKeepsLevelOverrides) {
  const std::vector<SweepPoint> points = Sweep(
      "base { num_pes: 8 noc { bandwidth: 4 level { bandwidth: 100 } } }\n"
      "noc_bandwidth { values: [16, 32] }");
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[1].hw.noc_bw, 32);
  EXPECT_EQ(points[1].hw.NocBandwidth(0), 100);
  EXPECT_EQ(points[1].hw.NocBandwidth(1), 32);
}

std::vector<int64_t> PesOf(const std::vector<SweepPoint>& points) {
  std::vector<int64_t> pes;
  for (const SweepPoint& p : points) pes.push_back(p.hw.num_pes);
  return pes;
}

TEST(SweepTest, RangeForms) {
  using ::testing::ElementsAre;
  EXPECT_THAT(PesOf(Sweep("num_pes { range { from: 8 to: 32 step: 8 } }")),
              ElementsAre(8, 16, 24, 32));
  EXPECT_THAT(PesOf(Sweep("num_pes { range { from: 8 to: 30 step: 8 } }")), ElementsAre(8, 16, 24));
  EXPECT_THAT(PesOf(Sweep("num_pes { range { from: 5 to: 5 step: 3 } }")), ElementsAre(5));
  EXPECT_THAT(PesOf(Sweep("num_pes { geometric { from: 16 to: 256 factor: 2 } }")),
              ElementsAre(16, 32, 64, 128, 256));
  EXPECT_THAT(PesOf(Sweep("num_pes { geometric { from: 3 to: 100 factor: 3 } }")),
              ElementsAre(3, 9, 27, 81));
  EXPECT_THAT(PesOf(Sweep("num_pes { geometric { from: 1 to: 16777216 factor: 16777216 } }")),
              ElementsAre(1, 16777216));
  EXPECT_THAT(PesOf(Sweep("num_pes { values: 32 values: [4, 8] values: 2 }")),
              ElementsAre(32, 4, 8, 2));
  // The largest range the limits allow stays within int64.
  const std::vector<SweepPoint> big =
      Sweep("base { num_pes: 1 } l2_bytes { geometric { from: 1 to: 1099511627776 factor: 2 } }");
  ASSERT_EQ(big.size(), 41u);
  EXPECT_EQ(big.back().hw.l2_size, int64_t{1} << 40);
}

TEST(SweepTest, MalformedSweeps) {
  const std::vector<BadValue> cases = {
      {"num_pes { }",
       "sweep.textproto:1:1: num_pes: give the values to sweep as 'values', 'range' or "
       "'geometric'"},
      {"num_pes { values: 4 range { from: 1 to: 2 step: 1 } }",
       "sweep.textproto:1:21: num_pes: give only one of 'values', 'range' and 'geometric'"},
      {"num_pes { range { from: 1 to: 2 step: 1 } geometric { from: 1 to: 2 factor: 2 } }",
       "sweep.textproto:1:43: num_pes: give only one of 'values', 'range' and 'geometric'"},
      {"num_pes { range { from: 1 to: 2 } }",
       "sweep.textproto:1:11: num_pes.range needs 'step' (range { from: A to: B step: C })"},
      {"num_pes { geometric { to: 2 factor: 2 } }",
       "sweep.textproto:1:11: num_pes.geometric needs 'from' (geometric { from: A to: B factor: "
       "C })"},
      {"num_pes { range { from: 8 to: 4 step: 1 } }",
       "sweep.textproto:1:31: num_pes.range.to must be at least from (8), found 4"},
      {"num_pes { range { from: 1 to: 4 step: 0 } }",
       "sweep.textproto:1:39: num_pes.range.step must be at least 1, found 0"},
      {"num_pes { geometric { from: 1 to: 4 factor: 1 } }",
       "sweep.textproto:1:45: num_pes.geometric.factor must be at least 2, found 1"},
      {"num_pes { geometric { from: 0 to: 4 factor: 2 } }",
       "sweep.textproto:1:29: num_pes.geometric.from must be at least 1, found 0"},
      {"num_pes { range { from: 1 to: 16777217 step: 1 } }",
       "sweep.textproto:1:31: num_pes.range.to must be at most 2^24 = 16777216, found 16777217"},
      {"num_pes { values: [4, 0, 8] }",
       "sweep.textproto:1:23: num_pes.values[1] must be at least 1, found 0"},
      {"num_pes { values: 4\n values: [8,\n  # comment\n  16, -2] }",
       "sweep.textproto:4:7: num_pes.values[3] must be at least 1, found -2"},
      {"num_pes { values: [4, 8, 16, 8] }", "sweep.textproto:1:30: num_pes lists 8 twice"},
      {"base { num_pes: 1 } simd_lanes { values: [65537] }",
       "sweep.textproto:1:43: simd_lanes.values[0] must be at most 65536, found 65537"},
      {"base { num_pes: 1 l1_bytes: 0 }",
       "sweep.textproto:1:29: base.l1_bytes must be at least 1, found 0"},
      {"base { l1_bytes: 4 }",
       "sweep.textproto: base.num_pes is required: the number of PEs, "
       "e.g. 'num_pes: 256'"},
      {"base { num_pes: 1 } l1_byte { values: 1 }",
       "sweep.textproto:1:21: unknown field 'l1_byte' in Sweep; did you mean 'l1_bytes'?"},
      {"clock_ghz: 2",
       "sweep.textproto:1:1: unknown field 'clock_ghz' in Sweep; the fixed hardware of a sweep "
       "goes in 'base { ... }'"},
      {"",
       "sweep.textproto: the file is empty (expected a sweep, e.g. 'base { ... } num_pes { "
       "values: [64, 256] }')"},
  };
  for (const BadValue& c : cases) {
    const std::string error = SweepErrorOf(c.text);
    EXPECT_EQ(error.substr(0, error.find('\n')), c.message) << c.text;
  }
  EXPECT_EQ(SweepErrorOf("num_pes { values: [4, 0, 8] }"),
            "sweep.textproto:1:23: num_pes.values[1] must be at least 1, found 0\n"
            "num_pes { values: [4, 0, 8] }\n"
            "                      ^");
}

TEST(SweepTest, PointCap) {
  // Exactly at the cap is fine.
  EXPECT_EQ(Sweep("num_pes { range { from: 1 to: 100 step: 1 } }\n"
                  "l1_bytes { range { from: 1 to: 1000 step: 1 } }")
                .size(),
            static_cast<size_t>(kMaxSweepPoints));
  EXPECT_EQ(SweepErrorOf("num_pes { range { from: 1 to: 101 step: 1 } }\n"
                         "l1_bytes { range { from: 1 to: 1000 step: 1 } }"),
            "sweep.textproto: the sweep has more than 100000 points (num_pes 101 x simd_lanes 1 x "
            "l1_bytes 1000 x l2_bytes 1 x noc_bandwidth 1 x offchip_bandwidth 1)");
  // One parameter alone over the cap is caught before its values are made.
  const std::string error =
      SweepErrorOf("base { num_pes: 1 }\nl2_bytes { range { from: 1 to: 1099511627776 step: 1 } }");
  EXPECT_EQ(error.substr(0, error.find('\n')),
            "sweep.textproto:2:12: l2_bytes gives 1099511627776 values; a sweep has at most 100000 "
            "points");
}

TEST(SweepTest, ExampleFile) {
  const std::vector<SweepPoint> points = ReadSweep(kHwDir + "/sweep_example.textproto");
  EXPECT_EQ(points.size(), 7u * 4 * 5 * 3 * 4);
  EXPECT_EQ(points.front().label, "pes=16 simd=1 l1=256 l2=65536 noc=16 offchip=8");
  EXPECT_EQ(points.back().label, "pes=1024 simd=1 l1=2048 l2=1048576 noc=64 offchip=32");
  // Its base is the default preset apart from the swept parameters.
  Hardware expected = DefaultHardware();
  expected.num_pes = 16;
  expected.l1_size = 256;
  expected.l2_size = 65536;
  expected.noc_bw = 16;
  expected.offchip_bw = 8;
  EXPECT_EQ(points.front().hw, expected);
}

}  // namespace
}  // namespace cadenza
