#pragma once
// ONNX shape inference, run until the shapes settle: between rounds, the small integer tensors
// that shape arithmetic computes (Shape -> Gather -> Concat -> Reshape, ...) are evaluated and
// stored as initializers, because ONNX 1.12 reads a Reshape's target shape only from an
// initializer or a Constant, not from its own data propagation.

#include <string>

namespace onnx {
class ModelProto;
}  // namespace onnx

namespace cadenza {

struct ShapeInferenceReport {
  int rounds = 0;        // ONNX inference passes over the graph
  int folded_nodes = 0;  // shape-arithmetic nodes replaced by initializers
};

/// Runs onnx::shape_inference::InferShapes (data propagation on, node errors not fatal) on
/// `model` and folds constant shape arithmetic between rounds, until nothing new folds.
/// The main graph's nodes that fold are removed from `model`; all others stay, in order.
/// Throws what InferShapes throws (e.g. a declared shape that contradicts an inferred one).
ShapeInferenceReport InferShapesWithFolding(onnx::ModelProto* model);

/// The node-level errors of ONNX's shape inference on a copy of `model` (strict mode), one per
/// line, or "" when it has none. For diagnosing shapes that did not settle.
std::string ShapeInferenceErrors(const onnx::ModelProto& model);

}  // namespace cadenza
