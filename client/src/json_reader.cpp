// The strict JSON pull reader. The one hot loop is string scanning: secret values and backup
// blobs are kilobytes of plain ASCII, so strings are scanned eight bytes at a time until a quote,
// a backslash, a control character or a non-ASCII byte needs a closer look.
#include "json_reader.hpp"
#include "kv/detail/json_text.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <system_error>

namespace kv::detail {

namespace {

constexpr std::uint8_t kObject = 1;
constexpr std::uint8_t kFirst = 2;

constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighs = 0x8080808080808080ULL;

// True when some byte of `word` is '"', '\\', below 0x20 or above 0x7F: one that the plain
// string loop cannot pass over. Each term sets a byte's high bit for such a byte (zero bytes of
// w ^ '"' and w ^ '\\'; borrows of w - 0x20; w's own high bits); borrows can flag a byte too
// many, never one too few, and a false alarm only sends the loop to the byte-wise check.
bool needs_attention(std::uint64_t word) {
  const std::uint64_t quote = word ^ (kOnes * '"');
  const std::uint64_t backslash = word ^ (kOnes * '\\');
  const std::uint64_t flags = ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) |
                              (word - kOnes * 0x20) | word;
  return (flags & kHighs) != 0;
}

// The power of ten of a valid JSON number's first significant digit (1.5e3 -> 3, 0.02 -> -2),
// saturated far beyond the range of double; 0 when every digit is zero.
long long decimal_magnitude(std::string_view token) {
  std::size_t i = token.empty() || token[0] != '-' ? 0 : 1;
  long long magnitude = 0;
  bool found = false;
  long long integer_digits = 0;
  for (; i < token.size() && is_digit(token[i]); ++i, ++integer_digits) {
    if (!found && token[i] != '0') {
      found = true;
      magnitude = -integer_digits;  // corrected by the digit count below
    }
  }
  if (found) magnitude += integer_digits - 1;
  if (i < token.size() && token[i] == '.') {
    ++i;
    for (long long k = 1; i < token.size() && is_digit(token[i]); ++i, ++k) {
      if (!found && token[i] != '0') {
        found = true;
        magnitude = -k;
      }
    }
  }
  if (!found) return 0;
  if (i < token.size() && (token[i] == 'e' || token[i] == 'E')) {
    ++i;
    const bool minus = i < token.size() && token[i] == '-';
    if (i < token.size() && (token[i] == '-' || token[i] == '+')) ++i;
    long long exponent = 0;
    for (; i < token.size() && is_digit(token[i]); ++i) {
      exponent = std::min<long long>(exponent * 10 + (token[i] - '0'), 1'000'000'000);
    }
    magnitude += minus ? -exponent : exponent;
  }
  return magnitude;
}

}  // namespace

const char* kind_name(JsonKind kind) {
  switch (kind) {
    case JsonKind::Absent:
    case JsonKind::Null:
      return "null";
    case JsonKind::Boolean:
      return "boolean";
    case JsonKind::Integer:
    case JsonKind::Unsigned:
    case JsonKind::Float:
      return "number";
    case JsonKind::String:
      return "string";
    case JsonKind::Object:
      return "object";
    case JsonKind::Array:
      return "array";
  }
  return "?";
}

JsonReader::JsonReader(std::string_view text) : text_(text) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

void JsonReader::fail() const {
  throw JsonSyntaxError(pos_);
}

void JsonReader::skip_whitespace() {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
    ++pos_;
  }
}

void JsonReader::read(JsonValue& out) {
  skip_whitespace();
  if (pos_ >= text_.size()) fail();
  switch (text_[pos_]) {
    case '{':
      ++pos_;
      out.kind = JsonKind::Object;
      open_.push_back(kObject | kFirst);
      return;
    case '[':
      ++pos_;
      out.kind = JsonKind::Array;
      open_.push_back(kFirst);
      return;
    case '"':
      ++pos_;
      out.kind = JsonKind::String;
      read_string(out);
      return;
    case 't':
      read_literal("true");
      out.kind = JsonKind::Boolean;
      out.boolean = true;
      return;
    case 'f':
      read_literal("false");
      out.kind = JsonKind::Boolean;
      out.boolean = false;
      return;
    case 'n':
      read_literal("null");
      out.kind = JsonKind::Null;
      return;
    default:
      read_number(out);
      return;
  }
}

void JsonReader::skip_value() {
  JsonValue scratch;
  read(scratch);
  if (scratch.kind == JsonKind::Object || scratch.kind == JsonKind::Array) skip_rest();
}

// Inside a container: reads its closing `close` and returns false, or the ',' before every
// element but the first and returns true.
bool JsonReader::next_in_container(char close) {
  std::uint8_t& state = open_.back();
  skip_whitespace();
  if (pos_ >= text_.size()) fail();
  if (text_[pos_] == close) {
    ++pos_;
    open_.pop_back();
    return false;
  }
  if (state & kFirst) {
    state &= static_cast<std::uint8_t>(~kFirst);
  } else {
    if (text_[pos_] != ',') fail();
    ++pos_;
  }
  return true;
}

bool JsonReader::next_member(JsonValue& key) {
  if (!next_in_container('}')) return false;
  skip_whitespace();
  if (pos_ >= text_.size() || text_[pos_] != '"') fail();
  ++pos_;
  key.kind = JsonKind::String;
  read_string(key);
  skip_whitespace();
  if (pos_ >= text_.size() || text_[pos_] != ':') fail();
  ++pos_;
  return true;
}

bool JsonReader::next_element() {
  return next_in_container(']');
}

void JsonReader::skip_rest() {
  // Iterative, so that deeply nested input cannot exhaust the stack.
  const std::size_t depth = open_.size();
  JsonValue scratch;
  while (open_.size() >= depth) {
    const bool more = (open_.back() & kObject) ? next_member(scratch) : next_element();
    if (more) read(scratch);
  }
}

void JsonReader::finish() {
  skip_whitespace();
  if (!open_.empty()) fail();
  // nlohmann/json reads a NUL byte where a token would start as the end of the input (a C
  // string's end), so it accepts anything after one that follows the value. So does this reader.
  if (pos_ != text_.size() && text_[pos_] != '\0') fail();
}

void JsonReader::read_literal(std::string_view word) {
  if (text_.compare(pos_, word.size(), word) != 0) {
    // Stop at the first byte that differs, as a character-by-character reader would.
    while (pos_ < text_.size() && !word.empty() && text_[pos_] == word.front()) {
      ++pos_;
      word.remove_prefix(1);
    }
    fail();
  }
  pos_ += word.size();
}

void JsonReader::read_string(JsonValue& out) {
  const std::size_t start = pos_;
  const char* data = text_.data();
  const std::size_t size = text_.size();
  while (true) {
    while (pos_ + 8 <= size) {
      std::uint64_t word;
      std::memcpy(&word, data + pos_, 8);
      if (needs_attention(word)) break;
      pos_ += 8;
    }
    if (pos_ >= size) fail();
    const auto c = static_cast<unsigned char>(data[pos_]);
    if (c == '"') {
      out.view_ = text_.substr(start, pos_ - start);
      out.escaped_ = false;
      ++pos_;
      return;
    }
    if (c == '\\') {
      read_escaped(out, start);
      return;
    }
    if (c < 0x20) fail();
    if (c < 0x80) {
      ++pos_;
    } else {
      check_utf8();
    }
  }
}

// Continues a string at its first backslash, decoding into the value's own storage.
void JsonReader::read_escaped(JsonValue& out, std::size_t start) {
  std::string& decoded = out.storage_;
  decoded.assign(text_.data() + start, pos_ - start);
  while (true) {
    if (pos_ >= text_.size()) fail();
    const auto c = static_cast<unsigned char>(text_[pos_]);
    if (c == '"') {
      ++pos_;
      out.escaped_ = true;
      return;
    }
    if (c < 0x20) fail();
    if (c >= 0x80) {
      const std::size_t from = pos_;
      check_utf8();
      decoded.append(text_.data() + from, pos_ - from);
      continue;
    }
    if (c != '\\') {
      decoded += static_cast<char>(c);
      ++pos_;
      continue;
    }
    ++pos_;
    if (pos_ >= text_.size()) fail();
    switch (text_[pos_]) {
      case '"':
        decoded += '"';
        break;
      case '\\':
        decoded += '\\';
        break;
      case '/':
        decoded += '/';
        break;
      case 'b':
        decoded += '\b';
        break;
      case 'f':
        decoded += '\f';
        break;
      case 'n':
        decoded += '\n';
        break;
      case 'r':
        decoded += '\r';
        break;
      case 't':
        decoded += '\t';
        break;
      case 'u': {
        ++pos_;
        std::uint32_t code = read_hex4();
        if (code >= 0xDC00 && code <= 0xDFFF) fail();  // a low surrogate alone
        if (code >= 0xD800 && code <= 0xDBFF) {
          // A high surrogate must be followed by an escaped low one.
          if (text_.compare(pos_, 2, "\\u") != 0) fail();
          pos_ += 2;
          const std::uint32_t low = read_hex4();
          if (low < 0xDC00 || low > 0xDFFF) fail();
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
        }
        append_utf8(decoded, code);
        continue;  // read_hex4 moved past the digits
      }
      default:
        fail();
    }
    ++pos_;
  }
}

std::uint32_t JsonReader::read_hex4() {
  std::uint32_t code = 0;
  for (int i = 0; i < 4; ++i) {
    if (pos_ >= text_.size()) fail();
    const int digit = hex_digit(text_[pos_]);
    if (digit < 0) fail();
    code = code * 16 + static_cast<std::uint32_t>(digit);
    ++pos_;
  }
  return code;
}

// One UTF-8 sequence starting at pos_ (a byte >= 0x80), as RFC 3629 allows it: no overlong
// forms, no surrogates, nothing above U+10FFFF.
void JsonReader::check_utf8() {
  const auto byte = [&](std::size_t at) -> unsigned {
    return at < text_.size() ? static_cast<unsigned char>(text_[at]) : 0u;
  };
  const unsigned lead = byte(pos_);
  unsigned low = 0x80;
  unsigned high = 0xBF;
  int continuation = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    continuation = 1;
  } else if (lead == 0xE0) {
    continuation = 2;
    low = 0xA0;
  } else if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF) {
    continuation = 2;
  } else if (lead == 0xED) {
    continuation = 2;
    high = 0x9F;
  } else if (lead == 0xF0) {
    continuation = 3;
    low = 0x90;
  } else if (lead >= 0xF1 && lead <= 0xF3) {
    continuation = 3;
  } else if (lead == 0xF4) {
    continuation = 3;
    high = 0x8F;
  } else {
    fail();
  }
  ++pos_;
  for (int i = 0; i < continuation; ++i) {
    const unsigned next = byte(pos_);
    if (next < low || next > high) fail();
    low = 0x80;
    high = 0xBF;
    ++pos_;
  }
}

void JsonReader::read_number(JsonValue& out) {
  const std::size_t start = pos_;
  const auto digit_at = [&](std::size_t at) { return at < text_.size() && is_digit(text_[at]); };
  const bool negative = text_[pos_] == '-';
  if (negative) ++pos_;
  if (!digit_at(pos_)) fail();
  if (text_[pos_] == '0') {
    ++pos_;
  } else {
    while (digit_at(pos_)) ++pos_;
  }
  const std::size_t digits_end = pos_;
  bool whole = true;
  if (pos_ < text_.size() && text_[pos_] == '.') {
    ++pos_;
    if (!digit_at(pos_)) fail();
    while (digit_at(pos_)) ++pos_;
    whole = false;
  }
  if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
    ++pos_;
    if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
    if (!digit_at(pos_)) fail();
    while (digit_at(pos_)) ++pos_;
    whole = false;
  }
  if (whole) {
    // Whole numbers that fit 64 bits are integers, like strtoll/strtoull would read them.
    std::uint64_t value = 0;
    bool fits = true;
    for (std::size_t i = start + (negative ? 1 : 0); i < digits_end; ++i) {
      const auto digit = static_cast<std::uint64_t>(text_[i] - '0');
      if (value > (UINT64_MAX - digit) / 10) {
        fits = false;
        break;
      }
      value = value * 10 + digit;
    }
    constexpr std::uint64_t kMinMagnitude = std::uint64_t{1} << 63;
    if (fits && !negative) {
      out.kind = JsonKind::Unsigned;
      out.unsigned_integer = value;
      return;
    }
    if (fits && value <= kMinMagnitude) {
      out.kind = JsonKind::Integer;
      out.integer = value == kMinMagnitude ? INT64_MIN : -static_cast<std::int64_t>(value);
      return;
    }
  }
  const std::string_view token = text_.substr(start, pos_ - start);
  double value = 0;
  // from_chars, unlike strtod, does not depend on the C locale's decimal point.
  const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), value);
  static_cast<void>(end);
  if (error == std::errc::result_out_of_range) {
    // Too large is an error, as it is for nlohmann/json; too small is zero, as strtod has it.
    if (decimal_magnitude(token) >= 0) {
      pos_ = start;
      fail();
    }
    value = negative ? -0.0 : 0.0;
  }
  out.kind = JsonKind::Float;
  out.floating = value;
}

}  // namespace kv::detail
