#pragma once
// Reading an input file whole, with the same errors for every reader (.m networks, hardware
// files, templates, sweeps, reviews).

#include <string>

namespace cadenza {

/// The whole file, bytes as they are. Throws InputError "PATH: cannot open file: REASON" or
/// "PATH: cannot read file: REASON" (a directory, an I/O error). An empty file is returned as ""; what
/// emptiness means is the caller's to say.
std::string ReadInputFile(const std::string& path);

}  // namespace cadenza
