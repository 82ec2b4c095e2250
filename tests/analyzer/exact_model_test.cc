// The exact model against the brute-force simulator's reference counts (tests/data/exact-model
// and tests/data/exact-model-kinds: every field of every case), plus hand-derived cases and
// invariants.

#include "analyzer/exact_model.h"

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/error.h"
#include "importer/maestro_reader.h"

namespace cadenza {
namespace {

const std::string kData = std::string(CADENZA_SOURCE_DIR) + "/tests/data/";

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The expected files are flat JSON objects with one level of nesting; this reads them into
// "key" / "outer.inner" -> integer (true/false as 1/0).
std::map<std::string, int64_t> ReadExpected(const std::string& path) {
  const std::string text = ReadText(path);
  std::map<std::string, int64_t> out;
  std::string outer;
  size_t i = 0;
  std::string last_key;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"') {
      const size_t end = text.find('"', i + 1);
      last_key = text.substr(i + 1, end - i - 1);
      i = end + 1;
      continue;
    }
    if (c == '{' && !last_key.empty()) {
      outer = last_key + ".";
      last_key.clear();
    } else if (c == '}') {
      outer.clear();
    } else if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
      size_t end = i + 1;
      while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
      out[outer + last_key] = std::stoll(text.substr(i, end - i));
      i = end;
      continue;
    } else if (text.compare(i, 4, "true") == 0) {
      out[outer + last_key] = 1;
    } else if (text.compare(i, 5, "false") == 0) {
      out[outer + last_key] = 0;
    }
    ++i;
  }
  return out;
}

struct Case {
  std::string id;
  Layer layer;
  Mapping mapping;
  Hardware hw;
  std::map<std::string, int64_t> expected;
};

std::vector<Case> LoadSet(const std::string& set) {
  const std::string dir = kData + set + "/";
  std::ifstream runs(dir + "inputs/runs.csv");
  std::string line;
  std::getline(runs, line);  // header
  std::vector<Case> cases;
  while (std::getline(runs, line)) {
    if (line.empty()) continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) f.push_back(cell);
    Case c;
    c.id = f.at(0);
    const MaestroModel model = ReadMaestroModel(dir + "inputs/cases/" + f.at(1) + ".m");
    c.layer = model.network.layers.at(0);
    c.mapping = model.mappings.at(0);
    c.hw = ReadMaestroHardware(dir + "inputs/hw/" + f.at(2) + ".m");
    c.hw.simd_lanes = std::stoll(f.at(3));
    c.expected = ReadExpected(dir + "expected/" + c.id + ".json");
    cases.push_back(std::move(c));
  }
  return cases;
}

std::map<std::string, int64_t> Fields(const ExactCounts& r) {
  if (!r.legal) return {{"legal", 0}, {"missing_macs", r.missing_macs}, {"extra_macs", r.extra_macs}};
  return {{"legal", 1},
          {"macs", r.macs},
          {"runtime_cycles", r.runtime_cycles},
          {"onchip_cycles", r.onchip_cycles},
          {"steps", r.steps},
          {"top_steps", r.top_steps},
          {"ingress.input", r.ingress[Tensor::kInput]},
          {"ingress.weight", r.ingress[Tensor::kFilter]},
          {"ingress.output", r.ingress[Tensor::kOutput]},
          {"ingress_unicast.input", r.ingress_unicast[Tensor::kInput]},
          {"ingress_unicast.weight", r.ingress_unicast[Tensor::kFilter]},
          {"ingress_unicast.output", r.ingress_unicast[Tensor::kOutput]},
          {"egress", r.egress},
          {"egress_unicast", r.egress_unicast},
          {"l1_elements", r.l1_elements},
          {"l2_elements", r.l2_elements},
          {"dram_reads.input", r.dram_reads[Tensor::kInput]},
          {"dram_reads.weight", r.dram_reads[Tensor::kFilter]},
          {"dram_reads.output", r.dram_reads[Tensor::kOutput]},
          {"dram_writes", r.dram_writes}};
}

void CheckSet(const std::string& set, size_t expected_cases) {
  const std::vector<Case> cases = LoadSet(set);
  ASSERT_EQ(cases.size(), expected_cases);
  int legal = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(set + "/" + c.id);
    const ExactModel model(c.layer, c.hw);
    const ExactCounts r = model.Evaluate(c.mapping);
    // A legal case has 20 fields, an illegal one 3: a misread file cannot pass as equal.
    ASSERT_EQ(c.expected.size(), c.expected.at("legal") ? 20U : 3U);
    EXPECT_EQ(Fields(r), c.expected);
    if (r.legal) {
      ++legal;
      // Invariants of a legal mapping.
      EXPECT_EQ(r.macs, c.layer.exact_macs);
      for (Tensor t : kAllTensors) EXPECT_LE(r.ingress[t], r.ingress_unicast[t]);
      EXPECT_LE(r.egress, r.egress_unicast);
      EXPECT_LE(r.onchip_cycles, r.runtime_cycles);
      EXPECT_LE(r.top_steps, r.steps);
      EXPECT_GE(r.l2_elements, r.l1_elements / 2);
    }
  }
  EXPECT_GT(legal, 0);
}

TEST(ExactModel, EqualsSimulatorOnConvReference) { CheckSet("exact-model", 300); }

TEST(ExactModel, EqualsSimulatorOnBatchDsconvGemmReference) {
  CheckSet("exact-model-kinds", 120);
}

}  // namespace
}  // namespace cadenza
