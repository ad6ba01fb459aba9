// A strict JSON pull reader for the service's answers (internal). It accepts exactly what
// nlohmann/json's parser accepts (RFC 8259, UTF-8 checked, one optional leading byte order mark),
// reads strings without copying unless they hold escapes, and never builds a document: the
// models take what they need while it reads, and skip the rest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace kv::detail {

/// The text is not JSON; `offset` is the byte where reading stopped.
class JsonSyntaxError : public std::exception {
 public:
  explicit JsonSyntaxError(std::size_t offset) : offset_(offset) {}
  std::size_t offset() const noexcept { return offset_; }
  const char* what() const noexcept override { return "not valid JSON"; }

 private:
  std::size_t offset_;
};

/// The kind of a JSON value. Absent marks a member that was not in the text (the reader itself
/// never produces it).
enum class JsonKind : std::uint8_t {
  Absent,
  Null,
  Boolean,
  Integer,
  Unsigned,
  Float,
  String,
  Object,
  Array
};

/// nlohmann/json's name of a kind ("null", "boolean", "number", "string", "object", "array").
const char* kind_name(JsonKind kind);

/// One value as read: the kind, and the content of a scalar.
struct JsonValue {
  JsonKind kind = JsonKind::Absent;
  bool boolean = false;
  std::int64_t integer = 0;            ///< Integer: negative whole numbers.
  std::uint64_t unsigned_integer = 0;  ///< Unsigned: non-negative whole numbers.
  double floating = 0;                 ///< Float: numbers with a fraction or exponent, or too big.

  /// String: the decoded text, valid while the reader's input and this value live.
  std::string_view text() const { return escaped_ ? std::string_view(storage_) : view_; }
  /// String: the decoded text as a string of its own.
  std::string take_text() { return escaped_ ? std::move(storage_) : std::string(view_); }
  /// True for null and absent: the models treat both as "not given".
  bool missing() const { return kind == JsonKind::Absent || kind == JsonKind::Null; }

 private:
  friend class JsonReader;
  std::string_view view_;  // into the input, when the string had no escapes
  std::string storage_;    // the decoded string, when it had escapes
  bool escaped_ = false;
};

/// Reads one JSON text front to back. Every method throws JsonSyntaxError at the first byte that
/// breaks the grammar.
class JsonReader {
 public:
  explicit JsonReader(std::string_view text);

  /// Reads the next value into `out`. For an object or an array the reader is then inside it:
  /// read its content with next_member / next_element, or skip it with skip_rest.
  void read(JsonValue& out);
  /// Reads one value of any kind, content included, and forgets it.
  void skip_value();
  /// Inside an object: reads the next member's key and its ':' into `key` and returns true, or
  /// reads the closing brace and returns false.
  bool next_member(JsonValue& key);
  /// Inside an array: returns true before each element, false after the closing bracket.
  bool next_element();
  /// Skips the rest of the object or array the reader is in, closing bracket included.
  void skip_rest();
  /// Checks that only whitespace follows the top-level value.
  void finish();

 private:
  void skip_whitespace();
  [[noreturn]] void fail() const;
  bool next_in_container(char close);
  void read_string(JsonValue& out);
  void read_escaped(JsonValue& out, std::size_t start);
  std::uint32_t read_hex4();
  void check_utf8();
  void read_number(JsonValue& out);
  void read_literal(std::string_view word);

  std::string_view text_;
  std::size_t pos_ = 0;
  // One entry per open container: bit 0 = object (else array), bit 1 = nothing read in it yet.
  std::vector<std::uint8_t> open_;
};

}  // namespace kv::detail
