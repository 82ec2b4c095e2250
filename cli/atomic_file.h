#pragma once
// Output files that appear whole or not at all.

#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

namespace cadenza::cli {

/// Writes `contents` to `path` atomically: the bytes go to "<path>.tmp-<pid>", which is flushed
/// to disk and then renamed over `path`, so no reader ever sees half a file and an existing file
/// is replaced only by a complete one.
/// Throws InputError naming `path` when it cannot be written (missing directory, no permission,
/// disk full); then `path` is unchanged and no temporary file is left behind.
void WriteFileAtomically(const std::string& path, std::string_view contents);

/// Renders with `write` into memory, then writes the result as above. If `write` throws, the
/// exception propagates and nothing is created.
void WriteFileAtomically(const std::string& path,
                         const std::function<void(std::ostream&)>& write);

}  // namespace cadenza::cli
