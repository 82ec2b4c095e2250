#include "analyzer/input_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "analyzer/error.h"

namespace cadenza {

std::string ReadInputFile(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) throw InputError(path, std::string("cannot open file: ") + std::strerror(errno));
  std::string data;
  char buffer[1 << 16];
  for (;;) {
    const size_t n = std::fread(buffer, 1, sizeof buffer, file);
    data.append(buffer, n);
    if (n < sizeof buffer) break;
  }
  // fread on a directory fails with EISDIR: reported here, not as an empty file.
  const bool failed = std::ferror(file) != 0;
  const int error = errno;
  std::fclose(file);
  if (failed) throw InputError(path, std::string("cannot read file: ") + std::strerror(error));
  return data;
}

}  // namespace cadenza
