// Body classification: embedded JSON when the bytes are a JSON object or array, a string when
// they are UTF-8 text, base64 otherwise.
#include <algorithm>
#include <cctype>
#include <mutex>

#include "kv/harness/fixture.hpp"
#include "kv/harness/utf8.hpp"

#include "json_scanner.hpp"

namespace kv::harness {

namespace {

bool contains_json_media_type(std::string_view content_type) {
  constexpr std::string_view kJson = "json";
  for (std::size_t at = 0; at + kJson.size() <= content_type.size(); ++at) {
    if (http::iequals(content_type.substr(at, kJson.size()), kJson)) return true;
  }
  return false;
}

// Valid UTF-8 without control characters other than tab, CR and LF.
bool is_text(const http::Bytes& bytes) {
  const std::string_view text = http::as_text(bytes);
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<std::uint8_t>(text[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) return false;
      ++i;
      continue;
    }
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

bool looks_like_json_container(const http::Bytes& bytes) {
  for (std::uint8_t c : bytes) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{' || c == '[';
  }
  return false;
}

}  // namespace

struct Body::Parsed {
  std::once_flag once;
  Json value;
};

Body::Body(const Body& other)
    : kind(other.kind), bytes(other.bytes), parsed_(other.parsed_.load()) {}

Body::Body(Body&& other) noexcept
    : kind(other.kind), bytes(std::move(other.bytes)), parsed_(other.parsed_.exchange(nullptr)) {}

Body& Body::operator=(const Body& other) {
  if (this != &other) {
    kind = other.kind;
    bytes = other.bytes;
    parsed_.store(other.parsed_.load());
  }
  return *this;
}

Body& Body::operator=(Body&& other) noexcept {
  if (this != &other) {
    kind = other.kind;
    bytes = std::move(other.bytes);
    parsed_.store(other.parsed_.exchange(nullptr));
  }
  return *this;
}

const Json& Body::json() const {
  static const Json kNull;
  if (kind != Kind::Json) return kNull;
  std::shared_ptr<Parsed> cell = parsed_.load();
  if (!cell) {
    // Two threads may both make one; the first stored wins and the other is dropped.
    auto made = std::make_shared<Parsed>();
    if (parsed_.compare_exchange_strong(cell, made)) cell = std::move(made);
  }
  std::call_once(cell->once, [&] {
    cell->value = Json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  });
  return cell->value;
}

Json Body::take_json() {
  if (kind != Kind::Json) return Json();
  (void)json();
  std::shared_ptr<Parsed> cell = parsed_.load();
  // Moved out when no copy of this body shares it (this one and the local reference).
  if (cell.use_count() == 2) {
    parsed_.store(nullptr);
    return std::move(cell->value);
  }
  return cell->value;
}

namespace {

// A Parsed cell that already holds `value`.
template <class Cell>
std::shared_ptr<Cell> filled(Json value) {
  auto cell = std::make_shared<Cell>();
  std::call_once(cell->once, [&] { cell->value = std::move(value); });
  return cell;
}

}  // namespace

Body Body::from_bytes(http::Bytes bytes, std::string_view content_type) {
  Body body;
  if (bytes.empty()) return body;
  // JSON nested deeper than kMaxJsonDepth stays text (the scanner refuses it): copying, comparing
  // and printing a value recurse once per level, and a hostile answer must not overflow a stack.
  if (json_candidate(bytes, content_type)) {
    // Checked by the scanner, which accepts what nlohmann/json accepts; parsed on first use.
    try {
      detail::validate_json(http::as_text(bytes));
      return from_json_bytes(std::move(bytes));
    } catch (const detail::JsonScanner::Invalid&) {
    }
  }
  body.kind = is_text(bytes) ? Kind::Text : Kind::Binary;
  body.bytes = std::move(bytes);
  return body;
}

bool Body::json_candidate(const http::Bytes& bytes, std::string_view content_type) {
  return (contains_json_media_type(content_type) || content_type.empty()) &&
         looks_like_json_container(bytes);
}

Body Body::from_json(Json json) {
  Body body;
  body.kind = Kind::Json;
  body.bytes = http::to_bytes(json.dump(-1, ' ', false, Json::error_handler_t::replace));
  body.parsed_.store(filled<Parsed>(std::move(json)));
  return body;
}

Body Body::from_json_bytes(http::Bytes compact) {
  Body body;
  body.kind = Kind::Json;
  body.bytes = std::move(compact);
  return body;
}

Body Body::from_parsed(http::Bytes bytes, Json json) {
  Body body;
  body.kind = Kind::Json;
  body.bytes = std::move(bytes);
  body.parsed_.store(filled<Parsed>(std::move(json)));
  return body;
}

Body Body::from_text(std::string_view text) {
  Body body;
  if (text.empty()) return body;
  body.kind = Kind::Text;
  body.bytes = http::to_bytes(text);
  return body;
}

}  // namespace kv::harness
