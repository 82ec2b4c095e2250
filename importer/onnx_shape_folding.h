#pragma once
// Internal to the importer: the pass that runs between rounds of ONNX shape inference
// (onnx_shape_inference.h), replacing the main graph's constant shape arithmetic by
// initializers so that the next round can read, e.g., a Reshape's computed target shape.

namespace onnx {
class GraphProto;
class ModelProto;
}  // namespace onnx

namespace cadenza {

/// One pass over the main graph in node order: every default-domain node with one output whose
/// inputs are known (Shape and Size: their input's shape) and that FindConstantEvaluator can
/// compute is replaced by an initializer of at most kMaxFoldedElements elements, and its inferred
/// type dropped. The other nodes stay, in order. Returns how many nodes it replaced.
int FoldShapeArithmetic(onnx::ModelProto* model);

/// Whether every tensor a main-graph node produces has a fully known shape (no further round
/// of inference is needed).
bool AllShapesKnown(const onnx::GraphProto& graph);

}  // namespace cadenza
