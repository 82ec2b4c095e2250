// The ONNX module (cadenza_onnx.so): exports the table of importer/onnx_module_api.h, backed by
// the importer's own ONNX and protobuf readers, which this module links statically.

#include "importer/onnx_module_api.h"

namespace {

const cadenza::onnx_module::Api kApi = {
    .abi = CADENZA_ONNX_MODULE_ABI,
    .import_onnx = cadenza::ImportOnnx,
    .import_onnx_bytes = cadenza::ImportOnnxBytes,
    .import_onnx_text = cadenza::ImportOnnxText,
    .skip_reason_name = cadenza::SkipReasonName,
    .parse_hardware_config = cadenza::ParseHardwareConfig,
    .read_hardware_file = cadenza::ReadHardwareFile,
    .default_hardware_text = cadenza::DefaultHardwareText,
    .default_hardware = cadenza::DefaultHardware,
    .parse_sweep = cadenza::ParseSweep,
    .read_sweep = cadenza::ReadSweep,
};

}  // namespace

// The one symbol the module exports (the build hides every other; importer/CMakeLists.txt).
extern "C" __attribute__((visibility("default"))) const cadenza::onnx_module::Api*
cadenza_onnx_module_api() {
  return &kApi;
}
