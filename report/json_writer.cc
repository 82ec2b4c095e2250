#include "report/json_writer.h"

#include "analyzer/hardware.h"

#include <array>
#include <charconv>
#include <cmath>

#include "analyzer/error.h"

namespace cadenza {

void AppendJsonString(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  *out += '"';
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': *out += "\\\""; break;
        case '\\': *out += "\\\\"; break;
        case '\n': *out += "\\n"; break;
        case '\r': *out += "\\r"; break;
        case '\t': *out += "\\t"; break;
        default:
          if (c < 0x20) {
            *out += "\\u00";
            *out += kHex[c >> 4];
            *out += kHex[c & 0xF];
          } else {
            *out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    // A multi-byte sequence: a lead byte and 1-3 continuation bytes, in RFC 3629's ranges.
    size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) low = 0xA0;
      if (c == 0xED) high = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) low = 0x90;
      if (c == 0xF4) high = 0x8F;
    }
    bool valid = length > 0 && i + length <= text.size();
    for (size_t k = 1; valid && k < length; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      valid = k == 1 ? (b >= low && b <= high) : (b >= 0x80 && b <= 0xBF);
    }
    if (valid) {
      out->append(text.substr(i, length));
      i += length;
    } else {
      *out += "\\ufffd";
      ++i;
    }
  }
  *out += '"';
}

void JsonWriter::Key(std::string_view key) {
  CADENZA_CHECK(!open_.empty() && !after_key_);
  NextItem();
  std::string text;
  AppendJsonString(key, &text);
  out_ << text << ": ";
  after_key_ = true;
}

void JsonWriter::String(std::string_view value) {
  BeforeValue();
  std::string text;
  AppendJsonString(value, &text);
  out_ << text;
}

void JsonWriter::Int(int64_t value) {
  BeforeValue();
  out_ << value;
}

std::string JsonNumber(double value) {
  if (!std::isfinite(value)) return "null";
  std::array<char, 32> buffer{};
  const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  CADENZA_CHECK(ec == std::errc());
  return std::string(buffer.data(), static_cast<size_t>(end - buffer.data()));
}

void JsonWriter::Double(double value) {
  BeforeValue();
  out_ << JsonNumber(value);
}

void JsonWriter::Bool(bool value) {
  BeforeValue();
  out_ << (value ? "true" : "false");
}

void JsonWriter::Null() {
  BeforeValue();
  out_ << "null";
}

void JsonWriter::Open(char bracket) {
  BeforeValue();
  out_ << bracket;
  open_.push_back(true);
}

void JsonWriter::Close(char bracket) {
  CADENZA_CHECK(!open_.empty() && !after_key_);
  const bool empty = open_.back();
  open_.pop_back();
  if (!empty) Newline();
  out_ << bracket;
  if (open_.empty()) out_ << '\n';
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!open_.empty()) NextItem();
}

void JsonWriter::NextItem() {
  if (!open_.back()) out_ << ',';
  open_.back() = false;
  Newline();
}

void JsonWriter::Newline() { out_ << '\n' << std::string(2 * open_.size(), ' '); }

void JsonWriter::LimitField(std::string_view key, int64_t value) {
  Key(key);
  if (Hardware::IsUnlimited(value)) {
    Null();
  } else {
    Int(value);
  }
}

}  // namespace cadenza
