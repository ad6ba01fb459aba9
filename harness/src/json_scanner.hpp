// A fast, non-allocating JSON scanner for the fixture reader (internal): it validates and skips
// values, decodes strings, and yields the byte span of any value, with a nesting limit. It accepts
// exactly what nlohmann/json's strict parser accepts for the shapes it reads; anything it refuses
// is handed to nlohmann/json, whose message then names the error.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "kv/harness/json_limits.hpp"
#include "kv/http.hpp"

namespace kv::harness::detail {

using kv::harness::kMaxJsonDepth;

/// Where JsonScanner::compact_value writes: a byte buffer that is reused and only grows.
class CompactBuffer {
 public:
  std::string_view view() const { return {bytes_.data(), size_}; }
  void clear() { size_ = 0; }
  void append(const char* data, std::size_t n) {
    if (n > bytes_.size() - size_)
      bytes_.resize(std::max<std::size_t>(2 * bytes_.size(), size_ + n));
    std::memcpy(bytes_.data() + size_, data, n);
    size_ += n;
  }

 private:
  std::vector<char> bytes_;
  std::size_t size_ = 0;
};

class JsonScanner {
 public:
  /// The text is not valid JSON here, or nests deeper than kMaxJsonDepth (`too_deep`).
  struct Invalid {
    std::size_t offset;
    bool too_deep;
  };

  /// `depth`: how deeply `text` lies inside a larger document (a part of a checked file read
  /// again on its own nests as deeply as it did there).
  explicit JsonScanner(std::string_view text, std::size_t depth = 0) : text_(text), depth_(depth) {}

  /// Skips whitespace and returns the next character ('\0' at the end).
  char peek() {
    skip_whitespace();
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }
  /// Consumes `c` (after whitespace) if it is next.
  bool consume(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  /// Consumes `c` or throws Invalid.
  void expect(char c) {
    if (!consume(c)) fail();
  }
  /// True when only whitespace is left.
  bool at_end() { return peek() == '\0' && pos_ >= text_.size(); }
  /// Reads a string value (the next token must be one) and decodes it into `out`.
  void string(std::string& out);
  /// Skips a string value (the next token must be one), checking it; returns its text between
  /// the quotes and sets `escaped` when that holds an escape (and so is not its decoded value).
  std::string_view raw_string(bool& escaped);
  /// Skips any value, checking its syntax and depth; returns its span in the text.
  std::string_view value();
  /// The same, and appends the value without its whitespace (outside strings) to `out`: one pass
  /// that checks and compacts a pretty-printed body.
  std::string_view compact_value(CompactBuffer& out);
  /// Reads `null`, `true` or `false` if one is next; `word` gets which.
  bool literal(std::string_view& word);
  /// Reads an integer number if one is next (no fraction or exponent) into `out`.
  bool integer(long long& out);
  /// The whole text.
  std::string_view text() const { return text_; }
  /// The current position in the text.
  std::size_t offset() const { return pos_; }
  /// Enters a container (after its opening character): counts nesting.
  void enter() {
    if (++depth_ > kMaxJsonDepth) throw Invalid{pos_ - 1, true};  // at the opening character
  }
  void leave() { --depth_; }
  [[noreturn]] void fail() const { throw Invalid{pos_, false}; }

 private:
  void skip_whitespace() {
    // Most tokens follow no whitespace, or the one space after a colon.
    if (pos_ < text_.size() && static_cast<unsigned char>(text_[pos_]) > ' ') return;
    if (sink_ == nullptr && pos_ + 1 < text_.size() && text_[pos_] == ' ' &&
        static_cast<unsigned char>(text_[pos_ + 1]) > ' ') {
      ++pos_;
      return;
    }
    skip_whitespace_run();
  }
  void skip_whitespace_run();
  void flush_segment(std::size_t end);
  void skip_string();
  /// At the opening quote: checks the string, decodes it into `out` unless null; true when it
  /// held an escape.
  bool scan_string(std::string* out);
  std::uint32_t unicode_escape();
  void skip_number();
  void skip_container(char open);
  std::size_t utf8_sequence(std::size_t at) const;

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t depth_ = 0;
  // While compacting: where the text not yet copied to `sink_` starts.
  CompactBuffer* sink_ = nullptr;
  std::size_t segment_ = 0;
};

/// Checks that the whole of `text` is one valid JSON value no deeper than kMaxJsonDepth; throws
/// JsonScanner::Invalid at the first problem.
void validate_json(std::string_view text);

}  // namespace kv::harness::detail
