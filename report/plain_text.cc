#include "report/plain_text.h"

#include "analyzer/hardware.h"
#include "report/json_writer.h"

namespace cadenza::internal {

std::string CsvNumber(double value) {
  const std::string text = JsonNumber(value);
  return text == "null" ? "" : text;
}

std::string CsvLimit(int64_t value) {
  return Hardware::IsUnlimited(value) ? std::string() : std::to_string(value);
}

}  // namespace cadenza::internal
