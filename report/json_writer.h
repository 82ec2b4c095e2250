#pragma once
// A small streaming JSON writer for the report module's documents: two-space indentation, keys in
// the order written, strings always valid UTF-8, non-finite numbers as null.

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace cadenza {

/// Appends `text` as a JSON string literal; invalid UTF-8 becomes U+FFFD.
void AppendJsonString(std::string_view text, std::string* out);

/// The shortest text that reads back as the same double ("0.1", "1e+21"); "null" when not finite.
std::string JsonNumber(double value);

class JsonWriter {
 public:
  explicit JsonWriter(std::ostream& out) : out_(out) {}
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  /// REQUIRES: inside an object, not right after another Key.
  void Key(std::string_view key);
  void String(std::string_view value);
  void Int(int64_t value);
  /// The shortest text that reads back as the same double; null when not finite.
  void Double(double value);
  void Bool(bool value);
  void Null();
  /// A capacity or bandwidth: null when Hardware::IsUnlimited(value), else the number.
  void LimitField(std::string_view key, int64_t value);

  void Field(std::string_view key, std::string_view value) {
    Key(key);
    String(value);
  }
  void Field(std::string_view key, const std::string& value) {
    Key(key);
    String(value);
  }
  void Field(std::string_view key, const char* value) {
    Key(key);
    String(value);
  }
  void Field(std::string_view key, int64_t value) {
    Key(key);
    Int(value);
  }
  void Field(std::string_view key, int value) {
    Key(key);
    Int(value);
  }
  void Field(std::string_view key, double value) {
    Key(key);
    Double(value);
  }
  void Field(std::string_view key, bool value) {
    Key(key);
    Bool(value);
  }

 private:
  void Open(char bracket);
  void Close(char bracket);
  void BeforeValue();
  void NextItem();
  void Newline();

  std::ostream& out_;
  std::vector<bool> open_;  // per open bracket: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace cadenza
