#pragma once
// Reads a serialized ONNX ModelProto without the values of its weights: the importer needs only
// their types and shapes, so large tensor data is skipped on the wire and never held in memory.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace onnx {
class ModelProto;
}  // namespace onnx

namespace cadenza {

/// A main-graph initializer whose values were left out: what shape inference needs of it.
struct WeightStub {
  std::string name;
  int32_t data_type = 0;  // onnx::TensorProto::DataType
  std::vector<int64_t> dims;
};

/// Tensors at most this large (data bytes) keep their values: shape constants live there.
inline constexpr int64_t kMaxKeptTensorBytes = 4096;

/// Parses the model at `path` into `model`. Main-graph initializers with more than
/// kMaxKeptTensorBytes of data, or stored as external data, are not added to the graph; they
/// are returned as stubs instead (the external data file is never opened).
/// Throws InputError (without the path; the caller adds it) for a file that cannot be read,
/// is empty, is not a protobuf ModelProto or ends early.
std::vector<WeightStub> ReadModelFile(const std::string& path, onnx::ModelProto* model);

/// The same for serialized bytes in memory.
std::vector<WeightStub> ReadModelBytes(std::string_view bytes, onnx::ModelProto* model);

}  // namespace cadenza
