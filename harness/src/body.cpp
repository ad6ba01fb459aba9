// Body classification: embedded JSON when the bytes are a JSON object or array, a string when
// they are UTF-8 text, base64 otherwise.
#include <algorithm>
#include <cctype>
#include <mutex>

#include "kv/harness/fixture.hpp"

#include "json_scanner.hpp"

namespace kv::harness {

namespace {

bool contains_json_media_type(std::string_view content_type) {
  std::string lower(content_type);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("json") != std::string::npos;
}

// Valid UTF-8 without control characters other than tab, CR and LF.
bool is_text(const http::Bytes& bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    const std::uint8_t c = bytes[i];
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
      if (c == 0x7F) return false;
      ++i;
      continue;
    }
    int extra = 0;
    std::uint32_t code = 0;
    if ((c & 0xE0) == 0xC0) {
      extra = 1;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + static_cast<std::size_t>(extra) >= bytes.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      const std::uint8_t next = bytes[i + static_cast<std::size_t>(k)];
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    // Reject overlong forms and surrogates, which JSON writers refuse.
    if ((extra == 1 && code < 0x80) || (extra == 2 && code < 0x800) ||
        (extra == 3 && (code < 0x10000 || code > 0x10FFFF)) || (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    i += static_cast<std::size_t>(extra) + 1;
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

const Json& Body::json() const {
  static const Json kNull;
  if (kind != Kind::Json || !parsed_) return kNull;
  std::call_once(parsed_->once, [this] {
    parsed_->value = Json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  });
  return parsed_->value;
}

Json Body::take_json() {
  if (kind != Kind::Json || !parsed_) return Json();
  (void)json();
  if (parsed_.use_count() == 1) return std::move(parsed_->value);
  return parsed_->value;
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
  if ((contains_json_media_type(content_type) || content_type.empty()) &&
      looks_like_json_container(bytes)) {
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

Body Body::from_json(Json json) {
  Body body;
  body.kind = Kind::Json;
  body.bytes = http::to_bytes(json.dump(-1, ' ', false, Json::error_handler_t::replace));
  body.parsed_ = filled<Parsed>(std::move(json));
  return body;
}

Body Body::from_json_bytes(http::Bytes compact) {
  Body body;
  body.kind = Kind::Json;
  body.bytes = std::move(compact);
  body.parsed_ = std::make_shared<Parsed>();
  return body;
}

Body Body::from_parsed(http::Bytes bytes, Json json) {
  Body body;
  body.kind = Kind::Json;
  body.bytes = std::move(bytes);
  body.parsed_ = filled<Parsed>(std::move(json));
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
