#include "importer/onnx_shape_inference.h"

#include <exception>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include "importer/onnx_inference_guards.h"
#include "importer/onnx_shape_folding.h"

namespace cadenza {

namespace {

// A chain of reshapes whose every step needs the previous one's shape can take one round per
// step (e.g. one per transformer block); real models settle in far fewer.
constexpr int kMaxRounds = 256;

}  // namespace

ShapeInferenceReport InferShapesWithFolding(onnx::ModelProto* model) {
  const onnx::ShapeInferenceOptions options(/*check_type_val=*/false, /*strict_mode_val=*/0,
                                            /*data_prop_val=*/true);
  ShapeInferenceReport report;
  while (report.rounds < kMaxRounds) {
    onnx::shape_inference::InferShapes(*model, GuardedSchemaRegistry(), options);
    ++report.rounds;
    if (AllShapesKnown(model->graph())) break;
    const int folded = FoldShapeArithmetic(model);
    if (folded == 0) break;
    report.folded_nodes += folded;
  }
  return report;
}

std::string ShapeInferenceErrors(const onnx::ModelProto& model) {
  onnx::ModelProto copy = model;
  const onnx::ShapeInferenceOptions options(false, /*strict_mode_val=*/1, true);
  try {
    onnx::shape_inference::InferShapes(copy, GuardedSchemaRegistry(), options);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace cadenza
