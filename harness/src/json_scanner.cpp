// The fixture reader's JSON scanner: RFC 8259 syntax, UTF-8 checked as nlohmann/json checks it,
// numbers that overflow a double refused, nesting bounded.
#include "json_scanner.hpp"
#include "kv/detail/json_text.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace kv::harness::detail {

namespace {

using kv::detail::append_utf8;
using kv::detail::hex_digit;
using kv::detail::is_digit;

// Eight bytes at a time: the length of the leading run of `text` (from `at`) that holds no byte
// `stop` would stop at. SWAR tests for '"', '\\', control characters and non-ASCII bytes.
inline std::uint64_t load8(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
inline std::uint64_t zero_bytes(std::uint64_t v) {
  return (v - kOnes) & ~v & kHighs;
}
// Bytes of a string body that need attention: '"', '\\', < 0x20, >= 0x80.
inline bool has_string_stop(std::uint64_t v) {
  const std::uint64_t quote = zero_bytes(v ^ (kOnes * '"'));
  const std::uint64_t backslash = zero_bytes(v ^ (kOnes * '\\'));
  const std::uint64_t control = (v - kOnes * 0x20) & ~v & kHighs;
  return (quote | backslash | control | (v & kHighs)) != 0;
}

std::size_t plain_string_run(std::string_view text, std::size_t at) {
  const std::size_t start = at;
#if defined(__SSE2__)
  // Sixteen bytes at a time where the target has SSE2 (every x86-64).
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  while (at + 16 <= text.size()) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + at));
    // Signed compare: bytes >= 0x80 are negative, so "< 0x20" catches them and controls.
    const __m128i stop =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                     _mm_cmpgt_epi8(space, v));
    const int mask = _mm_movemask_epi8(stop);
    if (mask != 0) return at - start + static_cast<std::size_t>(__builtin_ctz(mask));
    at += 16;
  }
#endif
  while (at + 8 <= text.size() && !has_string_stop(load8(text.data() + at))) at += 8;
  while (at < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[at]);
    if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
    ++at;
  }
  return at - start;
}

constexpr std::uint64_t kSpaces = kOnes * ' ';

// How many of the eight bytes in `v` (a load at `p`) come before the first one that is not a
// space; v ^ kSpaces is zero exactly where they are spaces.
inline std::size_t leading_spaces(std::uint64_t v) {
  const std::uint64_t other = v ^ kSpaces;
  if (other == 0) return 8;
  // The byte at the lowest address is the lowest one on a little-endian machine.
  const int bit =
      std::endian::native == std::endian::little ? __builtin_ctzll(other) : __builtin_clzll(other);
  return static_cast<std::size_t>(bit / 8);
}

bool is_space(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

}  // namespace

void JsonScanner::skip_whitespace_run() {
  if (sink_) flush_segment(pos_);
  // Pretty-printed files are mostly a newline and then indentation: spaces eight at a time.
  const char* p = text_.data() + pos_;
  const char* const end = text_.data() + text_.size();
  while (p < end) {
    if (*p == ' ' && end - p >= 8) {
      p += leading_spaces(load8(p));
      continue;
    }
    if (!is_space(*p)) break;
    ++p;
  }
  pos_ = static_cast<std::size_t>(p - text_.data());
  segment_ = pos_;
}

void JsonScanner::flush_segment(std::size_t end) {
  sink_->append(text_.data() + segment_, end - segment_);
  segment_ = end;
}

std::string_view JsonScanner::compact_value(CompactBuffer& out) {
  (void)peek();
  out.clear();
  sink_ = &out;
  segment_ = pos_;
  struct Detach {
    JsonScanner& scanner;
    ~Detach() { scanner.sink_ = nullptr; }
  } detach{*this};
  const std::string_view span = value();
  flush_segment(pos_);
  return span;
}

// The length of the well-formed UTF-8 sequence at `at` (RFC 3629, as nlohmann/json checks it),
// or 0.
std::size_t JsonScanner::utf8_sequence(std::size_t at) const {
  auto byte = [&](std::size_t i) -> unsigned {
    return at + i < text_.size() ? static_cast<unsigned char>(text_[at + i]) : 0x100u;
  };
  auto in = [](unsigned b, unsigned lo, unsigned hi) { return b >= lo && b <= hi; };
  const unsigned b0 = byte(0);
  if (in(b0, 0xC2, 0xDF)) return in(byte(1), 0x80, 0xBF) ? 2 : 0;
  if (b0 == 0xE0) return in(byte(1), 0xA0, 0xBF) && in(byte(2), 0x80, 0xBF) ? 3 : 0;
  if (in(b0, 0xE1, 0xEC) || in(b0, 0xEE, 0xEF)) {
    return in(byte(1), 0x80, 0xBF) && in(byte(2), 0x80, 0xBF) ? 3 : 0;
  }
  if (b0 == 0xED) return in(byte(1), 0x80, 0x9F) && in(byte(2), 0x80, 0xBF) ? 3 : 0;
  if (b0 == 0xF0) {
    return in(byte(1), 0x90, 0xBF) && in(byte(2), 0x80, 0xBF) && in(byte(3), 0x80, 0xBF) ? 4 : 0;
  }
  if (in(b0, 0xF1, 0xF3)) {
    return in(byte(1), 0x80, 0xBF) && in(byte(2), 0x80, 0xBF) && in(byte(3), 0x80, 0xBF) ? 4 : 0;
  }
  if (b0 == 0xF4) {
    return in(byte(1), 0x80, 0x8F) && in(byte(2), 0x80, 0xBF) && in(byte(3), 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

void JsonScanner::string(std::string& out) {
  if (peek() != '"') fail();
  // Most strings hold nothing to decode: one assignment of exactly their length.
  const std::size_t start = pos_ + 1;
  const std::size_t end = start + plain_string_run(text_, start);
  if (end < text_.size() && text_[end] == '"') {
    out.assign(text_.data() + start, end - start);
    pos_ = end + 1;
    return;
  }
  out.clear();
  scan_string(&out);
}

void JsonScanner::skip_string() {
  scan_string(nullptr);
}

std::string_view JsonScanner::raw_string(bool& escaped) {
  if (peek() != '"') fail();
  const std::size_t start = pos_;
  escaped = scan_string(nullptr);
  return text_.substr(start + 1, pos_ - start - 2);
}

bool JsonScanner::scan_string(std::string* out) {
  // With no `out` the string is validated, not copied.
  ++pos_;
  bool escaped = false;
  while (true) {
    const std::size_t run = pos_;
    pos_ += plain_string_run(text_, pos_);
    if (out) out->append(text_.data() + run, pos_ - run);
    if (pos_ >= text_.size()) fail();
    const unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c == '"') {
      ++pos_;
      return escaped;
    }
    if (c < 0x20) fail();
    if (c >= 0x80) {
      const std::size_t n = utf8_sequence(pos_);
      if (n == 0) fail();
      if (out) out->append(text_.data() + pos_, n);
      pos_ += n;
      continue;
    }
    // An escape.
    escaped = true;
    if (pos_ + 1 >= text_.size()) fail();
    const char e = text_[pos_ + 1];
    pos_ += 2;
    char decoded = 0;
    switch (e) {
      case '"':
      case '\\':
      case '/':
        decoded = e;
        break;
      case 'b':
        decoded = '\b';
        break;
      case 'f':
        decoded = '\f';
        break;
      case 'n':
        decoded = '\n';
        break;
      case 'r':
        decoded = '\r';
        break;
      case 't':
        decoded = '\t';
        break;
      case 'u': {
        const std::uint32_t code = unicode_escape();
        if (out) append_utf8(*out, code);
        continue;
      }
      default:
        fail();
    }
    if (out) *out += decoded;
  }
}

std::uint32_t JsonScanner::unicode_escape() {
  // After "\u": four hex digits, and a high surrogate only with a low one after it.
  auto read4 = [&]() -> std::uint32_t {
    if (pos_ + 4 > text_.size()) fail();
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      const int h = hex_digit(text_[pos_ + i]);
      if (h < 0) fail();
      v = (v << 4) | static_cast<std::uint32_t>(h);
    }
    pos_ += 4;
    return v;
  };
  std::uint32_t code = read4();
  if (code >= 0xDC00 && code <= 0xDFFF) fail();
  if (code >= 0xD800 && code <= 0xDBFF) {
    if (pos_ + 2 > text_.size() || text_[pos_] != '\\' || text_[pos_ + 1] != 'u') fail();
    pos_ += 2;
    const std::uint32_t low = read4();
    if (low < 0xDC00 || low > 0xDFFF) fail();
    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
  }
  return code;
}

void JsonScanner::skip_number() {
  const std::size_t start = pos_;
  if (text_[pos_] == '-') ++pos_;
  if (pos_ >= text_.size()) fail();
  if (text_[pos_] == '0') {
    ++pos_;
  } else if (is_digit(text_[pos_])) {
    while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
  } else {
    fail();
  }
  bool floating = false;
  if (pos_ < text_.size() && text_[pos_] == '.') {
    floating = true;
    ++pos_;
    if (pos_ >= text_.size() || !is_digit(text_[pos_])) fail();
    while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
  }
  if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
    floating = true;
    ++pos_;
    if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
    if (pos_ >= text_.size() || !is_digit(text_[pos_])) fail();
    while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
  }
  if (floating) {
    // nlohmann/json refuses a number a double cannot hold ("1e400"); so does this.
    const std::string number(text_.substr(start, pos_ - start));
    if (std::isinf(std::strtod(number.c_str(), nullptr))) throw Invalid{start, false};
  }
}

void JsonScanner::skip_container(char open) {
  const char close = open == '{' ? '}' : ']';
  ++pos_;
  enter();
  if (!consume(close)) {
    do {
      if (open == '{') {
        if (peek() != '"') fail();
        skip_string();
        expect(':');
      }
      (void)value();
    } while (consume(','));
    expect(close);
  }
  leave();
}

std::string_view JsonScanner::value() {
  const char c = peek();
  const std::size_t start = pos_;
  switch (c) {
    case '"':
      skip_string();
      break;
    case '{':
    case '[':
      skip_container(c);
      break;
    case 't':
    case 'f':
    case 'n': {
      std::string_view word;
      if (!literal(word)) fail();
      break;
    }
    default:
      if (c == '-' || is_digit(c)) {
        skip_number();
      } else {
        fail();
      }
  }
  return text_.substr(start, pos_ - start);
}

bool JsonScanner::literal(std::string_view& word) {
  const char c = peek();
  if (c != 'n' && c != 't' && c != 'f') return false;
  for (std::string_view w :
       {std::string_view("null"), std::string_view("true"), std::string_view("false")}) {
    if (c == w.front() && text_.substr(pos_, w.size()) == w) {
      pos_ += w.size();
      word = w;
      return true;
    }
  }
  return false;
}

bool JsonScanner::integer(long long& out) {
  const char c = peek();
  if (c != '-' && !is_digit(c)) return false;
  const std::size_t start = pos_;
  skip_number();
  const std::string_view number = text_.substr(start, pos_ - start);
  if (number.find_first_of(".eE") != std::string_view::npos) {
    pos_ = start;
    return false;
  }
  const bool negative = number.front() == '-';
  long long v = 0;
  for (std::size_t i = negative ? 1 : 0; i < number.size(); ++i) {
    const int d = number[i] - '0';
    if (v > (9'223'372'036'854'775'807LL - d) / 10) {
      pos_ = start;
      return false;
    }
    v = v * 10 + d;
  }
  out = negative ? -v : v;
  return true;
}

void validate_json(std::string_view text) {
  JsonScanner scanner(text);
  (void)scanner.value();
  if (!scanner.at_end()) scanner.fail();
}

}  // namespace kv::harness::detail
