#pragma once
// Output files written the way careful Unix tools write them: whole or not at all.

#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

namespace cadenza::cli {

/// The path that names standard output.
inline constexpr std::string_view kStdoutPath = "-";

/// Writes `contents` to `path`:
/// - "-" is standard output;
/// - a regular file (or a path that does not exist yet) is replaced atomically: the bytes go to
///   a temporary file beside it, which is flushed to disk and renamed over it, so no reader ever
///   sees half a file; an existing file keeps its permission bits;
/// - a symbolic link is followed (through every link of a chain) and its final target replaced
///   atomically as above; the link itself is left as it is;
/// - a character or block device, a FIFO or a socket-like special file is opened and written
///   directly (it cannot be replaced, and /dev/null must stay a device).
/// Throws InputError naming `path` when it cannot be written (missing directory, no permission,
/// disk full, a directory, a symlink loop); a regular file is then unchanged and no temporary
/// file is left behind.
void WriteOutput(const std::string& path, std::string_view contents);

/// Renders with `write` into memory, then writes the result as above. If `write` throws, the
/// exception propagates and nothing is created.
void WriteOutput(const std::string& path, const std::function<void(std::ostream&)>& write);

/// Where `path` is written in the end: the final target of a symbolic-link chain (which may not
/// exist yet), else `path` itself. "-" stays "-". Throws InputError on a symlink loop.
std::string ResolveOutputPath(const std::string& path);

}  // namespace cadenza::cli
