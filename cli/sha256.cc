#include "cli/sha256.h"

// libmd (the BSD message digest functions; Debian's libmd0, which dpkg itself depends on) rather
// than OpenSSL's libcrypto: one SHA-256 per report does not justify loading and relocating
// libcrypto at every start of the binary, which cost about 1 ms (docs/building.md).
#include <sha2.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>

#include "analyzer/error.h"

namespace cadenza::cli {

std::string Sha256OfFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, std::string("cannot read: ") + std::strerror(errno));
  SHA2_CTX context;
  SHA256Init(&context);
  std::array<char, 1 << 16> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    const std::streamsize n = in.gcount();
    if (n > 0) {
      SHA256Update(&context, reinterpret_cast<const uint8_t*>(buffer.data()),
                   static_cast<size_t>(n));
    }
  }
  if (in.bad()) throw InputError(path, "read error while computing its SHA-256");
  std::array<uint8_t, SHA256_DIGEST_LENGTH> digest{};
  SHA256Final(digest.data(), &context);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * digest.size());
  for (const uint8_t byte : digest) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 0xF];
  }
  return hex;
}

}  // namespace cadenza::cli
