#include "cli/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>

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

}  // namespace

void WriteFileAtomically(const std::string& path, std::string_view contents) {
  const std::string temp = path + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) Fail(path, errno);
  int error = WriteAll(fd, contents);
  // fsync before rename: otherwise a crash can leave a complete-looking but empty file.
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && std::rename(temp.c_str(), path.c_str()) != 0) error = errno;
  if (error != 0) {
    std::remove(temp.c_str());
    Fail(path, error);
  }
}

void WriteFileAtomically(const std::string& path,
                         const std::function<void(std::ostream&)>& write) {
  std::ostringstream buffer;
  write(buffer);
  WriteFileAtomically(path, buffer.view());
}

}  // namespace cadenza::cli
