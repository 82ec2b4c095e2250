#pragma once
/// Where the tests find the repository's files and the built `cadenza` binary.

#include <filesystem>
#include <string>

namespace cadenza::test {

/// The repository root (CADENZA_SOURCE_DIR at build time).
std::filesystem::path SourceDir();

/// `relative` under the repository root, as a string, e.g. SourcePath("tests/data/bad").
std::string SourcePath(const std::string& relative);

/// The built `cadenza` binary (CADENZA_BINARY at build time). The cli suite depends on it, so it
/// exists whenever that suite has been built by CMake.
std::string CadenzaBinary();

}  // namespace cadenza::test
