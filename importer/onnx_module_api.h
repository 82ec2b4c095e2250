#pragma once
// The function table of the ONNX module (importer/onnx_module.cc, built as cadenza_onnx.so):
// the readers that need ONNX and protobuf (onnx_importer.h, hardware_config.h). The cadenza
// binary loads it with dlopen on first use (importer/onnx_module_loader.cc), so that commands
// that never read an ONNX model or a text-format hardware file do not pay for loading and
// relocating libonnx and libprotobuf at start-up (docs/building.md, "Start-up time").
// Internal to the importer: both sides are built from the same tree, and `abi` makes the loader
// refuse a module from another build.

#include <string>
#include <string_view>
#include <vector>

#include "analyzer/hardware.h"
#include "importer/hardware_config.h"
#include "importer/onnx_importer.h"

namespace cadenza::onnx_module {

struct Api {
  const char* abi;
  OnnxImport (*import_onnx)(const std::string& path, const ImportOptions& options);
  OnnxImport (*import_onnx_bytes)(std::string_view bytes, const std::string& name_for_errors,
                                  const ImportOptions& options);
  OnnxImport (*import_onnx_text)(std::string_view text, const std::string& name_for_errors,
                                 const ImportOptions& options);
  std::string_view (*skip_reason_name)(SkippedNode::Why why);
  Hardware (*parse_hardware_config)(std::string_view text, const std::string& path);
  Hardware (*read_hardware_file)(const std::string& path);
  std::string_view (*default_hardware_text)();
  Hardware (*default_hardware)();
  std::vector<SweepPoint> (*parse_sweep)(std::string_view text, const std::string& path);
  std::vector<SweepPoint> (*read_sweep)(const std::string& path);
};

/// The name of the module's one exported symbol: `extern "C" const Api* <name>()`.
inline constexpr char kEntryPoint[] = "cadenza_onnx_module_api";

}  // namespace cadenza::onnx_module

// Raised whenever the table or a type crossing it changes. With the project version (defined by
// importer/CMakeLists.txt for both sides) and the compiler it forms the `abi` string the two
// sides must agree on.
#define CADENZA_ONNX_MODULE_REVISION "1"
#define CADENZA_ONNX_MODULE_ABI \
  CADENZA_VERSION "/" CADENZA_ONNX_MODULE_REVISION "/" __VERSION__
