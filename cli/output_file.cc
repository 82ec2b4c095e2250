#include "cli/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <vector>

#include "analyzer/error.h"

namespace cadenza::cli {

namespace {

[[noreturn]] void Fail(const std::string& path, int error) {
  throw InputError(path, std::string("cannot write: ") + std::strerror(error));
}

// Writes all of `data` to `fd`; returns 0 or the errno of the failure.
int WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Standard output: written directly; a closed or full stdout is the user's error, not ours.
void WriteStdout(std::string_view contents) {
  std::fflush(stdout);  // what the program printed before comes first
  const int error = WriteAll(STDOUT_FILENO, contents);
  if (error != 0) Fail("standard output", error);
}

// A device, FIFO or other special file: opened for writing as it is. O_TRUNC is not given:
// devices ignore it and a FIFO has nothing to truncate.
void WriteSpecial(const std::string& shown, const std::string& target, std::string_view contents) {
  const int fd = ::open(target.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) Fail(shown, errno);
  int error = WriteAll(fd, contents);
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error != 0) Fail(shown, error);
}

// A regular file, or a name that does not exist yet: temporary file beside it, fsync, rename.
void ReplaceAtomically(const std::string& shown, const std::string& target,
                       std::string_view contents, const struct stat* existing) {
  const std::string temp = target + ".tmp-" + std::to_string(::getpid());
  // O_EXCL: never write through something planted at the temporary name; a leftover of an
  // earlier run killed with the same process id is removed once.
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0 && errno == EEXIST && ::unlink(temp.c_str()) == 0) {
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  }
  if (fd < 0) Fail(shown, errno);
  int error = 0;
  // The replacement keeps the permission bits of the file it replaces (a private 0600 report
  // must not become world-readable by being rewritten).
  if (existing != nullptr && ::fchmod(fd, existing->st_mode & 07777) != 0) error = errno;
  if (error == 0) error = WriteAll(fd, contents);
  // fsync before rename: otherwise a crash can leave a complete-looking but empty file.
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && std::rename(temp.c_str(), target.c_str()) != 0) error = errno;
  if (error != 0) {
    std::remove(temp.c_str());
    Fail(shown, error);
  }
}

}  // namespace

std::string ResolveOutputPath(const std::string& path) {
  if (path == kStdoutPath) return path;
  std::string current = path;
  // Linux gives up after 40 links (ELOOP); so do we.
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st {};
    if (::lstat(current.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return current;
    std::vector<char> buffer(static_cast<size_t>(st.st_size > 0 ? st.st_size : 255) + 1);
    const ssize_t n = ::readlink(current.c_str(), buffer.data(), buffer.size());
    if (n < 0) throw InputError(path, std::string("cannot write: ") + std::strerror(errno));
    const std::string link(buffer.data(), static_cast<size_t>(n));
    // A relative link is relative to the directory that holds the link.
    current = (!link.empty() && link[0] == '/') ? link : DirectoryOf(current) + "/" + link;
  }
  throw InputError(path, "cannot write: too many levels of symbolic links");
}

void WriteOutput(const std::string& path, std::string_view contents) {
  if (path == kStdoutPath) {
    WriteStdout(contents);
    return;
  }
  const std::string target = ResolveOutputPath(path);
  struct stat st {};
  if (::stat(target.c_str(), &st) != 0) {
    if (errno != ENOENT) Fail(path, errno);
    ReplaceAtomically(path, target, contents, nullptr);
    return;
  }
  if (S_ISDIR(st.st_mode)) throw InputError(path, "cannot write: it is a directory");
  if (S_ISREG(st.st_mode)) {
    ReplaceAtomically(path, target, contents, &st);
  } else {
    WriteSpecial(path, target, contents);
  }
}

void WriteOutput(const std::string& path, const std::function<void(std::ostream&)>& write) {
  std::ostringstream buffer;
  write(buffer);
  WriteOutput(path, buffer.view());
}

}  // namespace cadenza::cli
