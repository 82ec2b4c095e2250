#pragma once
// Model-local ONNX functions (ModelProto::functions, e.g. the modules of a PyTorch export with
// export_modules_as_functions) replaced by their bodies, so that the MAC nodes inside them are
// ordinary graph nodes. ONNX 1.12 has no model inliner (onnx/inliner arrived in 1.16), and its
// FunctionExpandHelper expands one call without nesting or origin-showing names.

#include <string>

namespace onnx {
class ModelProto;
}  // namespace onnx

namespace cadenza {

/// Replaces every call of a model-local function in the main graph and in every subgraph by
/// the function's body, recursively (a body may call other local functions). The call's inputs
/// and outputs take the places of the function's formal ones; the body's other values get
/// fresh names under the call; attribute references (ref_attr_name) take the call's attribute
/// or, when the call has none, are dropped (the operator default applies). Inlined nodes are
/// named "<call>/<inner name>", e.g. "ResBlock_0/conv1/Conv", where <call> is the call node's
/// name ("<op_type>_<index>" when it has none). Afterwards the model has no functions, and
/// the opsets the bodies import are imported by the model.
/// Returns the number of calls inlined. Throws InputError (without the path; the caller adds
/// it) for a function that calls itself or a call with more inputs or outputs than its function.
int InlineModelFunctions(onnx::ModelProto* model);

}  // namespace cadenza
