#pragma once
// Internal to the importer: the operator schemas ONNX shape inference runs with. ONNX 1.12's
// inference functions trust operands and attributes a model may get wrong (a weight of lower
// rank than its input, a stride of 0) and then crash; and Einsum's infers only the rank. The
// registry wraps those ops' inference with the checks they lack (a failed check is an ordinary
// node-level inference error) and completes Einsum's output shape.

namespace onnx {
class ISchemaRegistry;
}  // namespace onnx

namespace cadenza {

/// ONNX's own schemas, with the guarded ops' inference wrapped. Thread-safe; lives as long as
/// the program.
onnx::ISchemaRegistry* GuardedSchemaRegistry();

}  // namespace cadenza
