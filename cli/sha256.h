#pragma once
// SHA-256 digests of input files, for reports that name exactly which model they describe.

#include <string>

namespace cadenza::cli {

/// The SHA-256 of the file at `path` as 64 lowercase hex digits. Reads the file in chunks.
/// Throws InputError naming `path` when it cannot be read.
std::string Sha256OfFile(const std::string& path);

}  // namespace cadenza::cli
