#include "importer/maestro_writer.h"

#include <set>
#include <string_view>

#include "analyzer/error.h"
#include "importer/maestro_reader.h"

namespace cadenza {

namespace {

// The reader's separators (maestro_reader.cc): none may appear inside a name.
bool IsSeparator(char c) {
  switch (c) {
    case ' ': case '\t': case '\r': case '\v': case '\f': case '\n': case ',': case '-':
    case '>': case '(': case ')': case ':': case ';': case '{': case '}': return true;
    default: return false;
  }
}

// Words the reader takes as keywords, which it refuses as names.
constexpr std::string_view kKeywords[] = {
    "Layer",   "Network", "Type",     "Dimensions", "Dataflow", "SpatialMap", "TemporalMap",
    "Cluster", "Stride",  "Constant", "Sz",         "Dilation", "Instances"};

// `name` as one `.m` word: separators, control bytes and the second '/' of "//" become '_'.
std::string WordFor(std::string_view name) {
  std::string word;
  for (const char c : name) {
    const bool control = static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    const bool comment = c == '/' && !word.empty() && word.back() == '/';
    word += IsSeparator(c) || control || comment ? '_' : c;
  }
  if (word.empty()) word = "layer";
  for (std::string_view keyword : kKeywords) {
    if (word == keyword) word += '_';
  }
  return word;
}

// A comment line's text: no line breaks or other control bytes.
std::string CommentText(std::string_view text) {
  std::string out;
  for (const char c : text) {
    out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
  }
  return out;
}

void WriteLayer(const Layer& layer, const std::string& name, const Mapping& mapping,
                std::string* out) {
  if (name != layer.name) *out += "  // layer '" + CommentText(layer.name) + "'\n";
  *out += "  Layer " + name + " {\n";
  *out += "    Type: " + std::string(OpKindName(layer.kind)) + "\n";
  const LayerShape& shape = layer.shape;
  if (shape.stride_y != 1 || shape.stride_x != 1) {
    *out += "    Stride { X: " + std::to_string(shape.stride_x) +
            ", Y: " + std::to_string(shape.stride_y) + " }\n";
  }
  if (shape.dilation_y != 1 || shape.dilation_x != 1) {
    *out += "    Dilation { X: " + std::to_string(shape.dilation_x) +
            ", Y: " + std::to_string(shape.dilation_y) + " }\n";
  }
  if (layer.instances > 1) *out += "    Instances: " + std::to_string(layer.instances) + "\n";
  *out += "    Dimensions { ";
  bool first = true;
  for (Dim d : kAllDims) {
    if (shape.size[d] <= 0) continue;
    *out += (first ? "" : ", ") + std::string(DimName(d)) + ": " + std::to_string(shape.size[d]);
    first = false;
  }
  *out += " }\n";
  *out += "    Dataflow {\n" + ToString(mapping, "      ") + "    }\n";
  *out += "  }\n";
}

}  // namespace

std::string MaestroNetworkText(const Network& network, const std::vector<const Mapping*>& mappings,
                               const std::vector<std::string>& comments) {
  CADENZA_CHECK(mappings.size() == network.layers.size());
  std::string text;
  for (const std::string& c : comments) text += "// " + CommentText(c) + "\n";
  const std::string network_name = WordFor(network.name.empty() ? "network" : network.name);
  if (network_name != network.name) text += "// network '" + CommentText(network.name) + "'\n";
  text += "Network " + network_name + " {\n";

  std::set<std::string> used;
  std::vector<size_t> written;  // network indices of the layers written, in order
  for (size_t i = 0; i < network.layers.size(); ++i) {
    const Layer& layer = network.layers[i];
    if (mappings[i] == nullptr) {
      text += "  // layer '" + CommentText(layer.name) + "' has no mapping: left out\n";
      continue;
    }
    std::string name = WordFor(layer.name);
    for (int n = 2; used.contains(name); ++n) name = WordFor(layer.name) + "_" + std::to_string(n);
    used.insert(name);
    WriteLayer(layer, name, *mappings[i], &text);
    written.push_back(i);
  }
  text += "}\n";
  if (written.empty()) {
    throw InputError(network.name, "no layer has a mapping, so there is no .m network to write");
  }

  // Read back: what `cadenza eval` will see must be what was chosen.
  MaestroModel back;
  try {
    back = ParseMaestroModel(text, "<the written .m network>");
  } catch (const InputError& e) {
    throw InputError("the .m network written for " + network.name,
                     std::string("cannot be read back: ") + e.what());
  }
  CADENZA_CHECK(back.network.layers.size() == written.size());
  for (size_t j = 0; j < written.size(); ++j) {
    const Layer& want = network.layers[written[j]];
    const Layer& got = back.network.layers[j];
    if (got.kind != want.kind || got.shape != want.shape || got.instances != want.instances ||
        back.mappings[j] != *mappings[written[j]]) {
      throw InputError("layer '" + want.name + "'",
                       "cannot be written as a MAESTRO .m layer: the file would read back as "
                       "another layer or mapping");
    }
  }
  return text;
}

}  // namespace cadenza
