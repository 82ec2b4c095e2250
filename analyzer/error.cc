#include "analyzer/error.h"

namespace cadenza {

void FailCheck(const char* condition, const char* file, int line) {
  throw InternalError(std::string(file) + ":" + std::to_string(line) +
                      ": internal check failed: " + condition);
}

}  // namespace cadenza
