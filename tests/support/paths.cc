#include "tests/support/paths.h"

namespace cadenza::test {

std::filesystem::path SourceDir() { return CADENZA_SOURCE_DIR; }

std::string SourcePath(const std::string& relative) {
  return (SourceDir() / relative).string();
}

std::string CadenzaBinary() { return CADENZA_BINARY; }

}  // namespace cadenza::test
