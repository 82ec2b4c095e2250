// The ONNX and hardware-configuration readers of the cadenza binary: each call loads the ONNX
// module (cadenza_onnx.so, importer/onnx_module.cc) on first use and forwards to it, so that the
// binary itself never links libonnx or libprotobuf (importer/onnx_module_api.h says why).
// Linked instead of the readers' own definitions (importer/CMakeLists.txt: cadenza_importer_lazy).
//
// The module is looked up next to the running binary (the build tree) and then in
// CADENZA_ONNX_MODULE_RELATIVE_DIR relative to it (an install tree: bin/ -> lib/cadenza/).

#include <dlfcn.h>

#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>

#include "analyzer/error.h"
#include "analyzer/input_file.h"
#include "importer/maestro_reader.h"
#include "importer/onnx_module_api.h"

namespace cadenza {

namespace {

constexpr char kModuleFile[] = CADENZA_ONNX_MODULE_FILE;

std::filesystem::path RunningBinaryDir() {
  std::error_code error;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) {
    throw InternalError("cannot find the running binary (/proc/self/exe): " + error.message() +
                        "; it is needed to locate " + kModuleFile);
  }
  return exe.parent_path();
}

const onnx_module::Api* Load() {
  const std::filesystem::path dir = RunningBinaryDir();
  const std::filesystem::path candidates[] = {
      dir / kModuleFile,
      (dir / CADENZA_ONNX_MODULE_RELATIVE_DIR / kModuleFile).lexically_normal(),
  };
  std::string tried;
  for (const std::filesystem::path& path : candidates) {
    std::error_code error;
    if (!std::filesystem::exists(path, error)) {
      tried += "\n  " + path.string() + ": not found";
      continue;
    }
    // RTLD_LOCAL: the module's copies of the project's code stay its own (it exports one symbol).
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      tried += "\n  " + path.string() + ": " + dlerror();
      continue;
    }
    using Entry = const onnx_module::Api* (*)();
    const auto entry = reinterpret_cast<Entry>(dlsym(handle, onnx_module::kEntryPoint));
    if (entry == nullptr) {
      throw InternalError(path.string() + " is not Cadenza's ONNX module (no " +
                          onnx_module::kEntryPoint + ")");
    }
    const onnx_module::Api* api = entry();
    if (std::strcmp(api->abi, CADENZA_ONNX_MODULE_ABI) != 0) {
      throw InternalError(path.string() + " is from another build of Cadenza (" + api->abi +
                          ", this binary is " + CADENZA_ONNX_MODULE_ABI + "); reinstall Cadenza");
    }
    // Never unloaded: objects it made (exceptions, strings) may outlive any call.
    return api;
  }
  throw InternalError(std::string("cannot load ") + kModuleFile +
                      ", which reads ONNX models and hardware configuration files; tried:" +
                      tried + "\nReinstall Cadenza or rebuild it (it is built with the binary).");
}

const onnx_module::Api& Module() {
  static std::once_flag once;
  static const onnx_module::Api* api = nullptr;
  std::call_once(once, [] { api = Load(); });
  return *api;
}

}  // namespace

OnnxImport ImportOnnx(const std::string& path, const ImportOptions& options) {
  return Module().import_onnx(path, options);
}

OnnxImport ImportOnnxBytes(std::string_view bytes, const std::string& name_for_errors,
                           const ImportOptions& options) {
  return Module().import_onnx_bytes(bytes, name_for_errors, options);
}

OnnxImport ImportOnnxText(std::string_view text, const std::string& name_for_errors,
                          const ImportOptions& options) {
  return Module().import_onnx_text(text, name_for_errors, options);
}

std::string_view SkipReasonName(SkippedNode::Why why) { return Module().skip_reason_name(why); }

Hardware ParseHardwareConfig(std::string_view text, const std::string& path) {
  return Module().parse_hardware_config(text, path);
}

Hardware ReadHardwareFile(const std::string& path) {
  // A MAESTRO file needs neither ONNX nor protobuf: `eval` of .m inputs never loads the module.
  if (IsMaestroHardwareFile(path, "")) return ReadMaestroHardware(path);  // by its name
  const std::string text = ReadInputFile(path);
  if (IsMaestroHardwareFile(path, text)) return ParseMaestroHardware(text, path);
  return Module().read_hardware_file(path);
}

std::string_view DefaultHardwareText() { return Module().default_hardware_text(); }

Hardware DefaultHardware() { return Module().default_hardware(); }

std::vector<SweepPoint> ParseSweep(std::string_view text, const std::string& path) {
  return Module().parse_sweep(text, path);
}

std::vector<SweepPoint> ReadSweep(const std::string& path) { return Module().read_sweep(path); }

}  // namespace cadenza
