#pragma once
// `cadenza layers`'s documents: an imported ONNX model's MAC layers as an aligned table, JSON or
// CSV (README.md, "cadenza layers"). Written to a stream; the command chooses the file.

#include <cstdint>
#include <ostream>

#include "importer/onnx_importer.h"

namespace cadenza::cli {

/// The model line, one row per MAC node (and one per analyzer layer when a node lowers to
/// several), the totals, the other ops and the skipped nodes. `batch` is the value given for
/// symbolic batch dims.
void WriteLayersTable(const OnnxImport& model, int64_t batch, std::ostream& out);

/// One object: model, ir_version, opset, producer, batch, layers (per MAC node, with its
/// analyzer layers), total_macs, other_ops, skipped, warnings.
void WriteLayersJson(const OnnxImport& model, int64_t batch, std::ostream& out);

/// One header line, then one row per analyzer layer (RFC 4180 quoting where needed). Skipped
/// nodes are not in it.
void WriteLayersCsv(const OnnxImport& model, std::ostream& out);

}  // namespace cadenza::cli
