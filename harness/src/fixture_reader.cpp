// Reading fixtures: the test-proxy / .NET SessionRecord shape and the legacy azure-sdk-for-cpp
// recorder shape, with errors that name the file, the position and what was expected.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <sstream>
#include "kv/harness/json_pointer.hpp"

#include "base64.hpp"
#include "json_scanner.hpp"
#include "kv/harness/diagnostic.hpp"
#include "kv/harness/fixture.hpp"
#include "once_slots.hpp"

namespace kv::harness {

using namespace std::string_view_literals;
using detail::JsonScanner;
using detail::kMaxJsonDepth;
using detail::validate_json;

FixtureError::FixtureError(Diagnostic diagnostic)
    : std::runtime_error(diagnostic.message()), diagnostic_(std::move(diagnostic)) {}

namespace {

class Reader {
 public:
  explicit Reader(std::string name) : name_(std::move(name)) {}

  [[noreturn]] void fail(const std::string& pointer, const std::string& expected,
                         const std::string& found, const char* id = "wrong-type",
                         std::string hint = {}) const {
    throw FixtureError(
        Diagnostic{name_, pointer.empty() ? "/" : pointer, id, expected, found, std::move(hint)});
  }

  const Json& require(const Json& object, const std::string& pointer, const char* key,
                      const char* expected) const {
    auto it = object.find(key);
    if (it == object.end()) {
      fail(pointer + "/" + key, expected, "nothing (the key is missing)", "missing-field");
    }
    return *it;
  }

  std::string string_at(const Json& object, const std::string& pointer, const char* key) const {
    const Json& value = require(object, pointer, key, "a string");
    if (!value.is_string()) fail(pointer + "/" + key, "a string", describe_json(value));
    return value.get<std::string>();
  }

  HeaderList headers_at(const Json& object, const std::string& pointer, const char* key) const {
    HeaderList headers;
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return headers;
    const std::string here = pointer + "/" + key;
    if (!it->is_object()) fail(here, "an object of header names to strings", describe_json(*it));
    for (const auto& [name, value] : it->items()) {
      const std::string field = here + "/" + escape_pointer_token(name);
      if (value.is_string()) {
        headers.add(name, value.get<std::string>());
      } else if (value.is_array()) {
        // Older .NET files store some headers (User-Agent, Set-Cookie) as arrays of strings.
        for (std::size_t i = 0; i < value.size(); ++i) {
          if (!value[i].is_string()) {
            fail(field + "/" + std::to_string(i), "a string", describe_json(value[i]));
          }
          headers.add(name, value[i].get<std::string>());
        }
      } else {
        fail(field, "a string or an array of strings", describe_json(value));
      }
    }
    return headers;
  }

  Body body_at(const Json& entry, const std::string& pointer, const char* key,
               const char* encoding_key, const HeaderList& headers) const {
    auto it = entry.find(key);
    if (it == entry.end() || it->is_null()) return {};
    const std::string here = pointer + "/" + key;
    std::string encoding;
    if (auto enc = entry.find(encoding_key); enc != entry.end()) {
      if (!enc->is_string() || (*enc != "base64" && *enc != "text")) {
        fail(pointer + "/" + encoding_key, "\"base64\" or \"text\"", describe_json(*enc));
      }
      encoding = enc->get<std::string>();
    }
    const auto content_type = headers.find("Content-Type");
    const bool json_type = content_type && content_type->find("json") != std::string_view::npos;
    if (encoding == "base64") {
      if (!it->is_string()) fail(here, "a base64 string", describe_json(*it));
      auto bytes = detail::base64_decode(it->get_ref<const std::string&>());
      if (!bytes) {
        fail(here, "valid base64", "a string with characters outside base64", "bad-base64");
      }
      Body body;
      body.kind = Body::Kind::Binary;
      body.bytes = std::move(*bytes);
      return body;
    }
    if (it->is_string()) return Body::from_text(it->get_ref<const std::string&>());
    // The test proxy stores text bodies of non-JSON content split into an array of lines.
    if (it->is_array() && !json_type && !it->empty() &&
        std::all_of(it->begin(), it->end(), [](const Json& v) { return v.is_string(); })) {
      std::string text;
      for (std::size_t i = 0; i < it->size(); ++i) {
        if (i > 0) text += '\n';
        text += (*it)[i].get<std::string>();
      }
      return Body::from_text(text);
    }
    return Body::from_json(*it);
  }

  int status_at(const Json& object, const std::string& pointer, const char* key) const {
    const Json& value = require(object, pointer, key, "an HTTP status code");
    int status = 0;
    if (value.is_number_integer()) {
      status = value.get<int>();
    } else if (value.is_string()) {
      // The legacy recorder writes statuses as strings ("200").
      const std::string& text = value.get_ref<const std::string&>();
      if (text.empty() || text.size() > 3 ||
          text.find_first_not_of("0123456789") != std::string::npos) {
        fail(pointer + "/" + key, "an HTTP status code", describe_json(value), "bad-status");
      }
      status = std::stoi(text);
    } else {
      fail(pointer + "/" + key, "an HTTP status code", describe_json(value));
    }
    if (status < 100 || status > 599) {
      fail(pointer + "/" + key, "an HTTP status code between 100 and 599", describe_json(value),
           "bad-status");
    }
    return status;
  }

  Entry test_proxy_entry(const Json& item, const std::string& pointer) const {
    if (!item.is_object()) fail(pointer, "an entry object", describe_json(item));
    Entry entry;
    entry.request_uri = string_at(item, pointer, "RequestUri");
    entry.request_method = string_at(item, pointer, "RequestMethod");
    entry.request_headers = headers_at(item, pointer, "RequestHeaders");
    entry.request_body =
        body_at(item, pointer, "RequestBody", "RequestBodyEncoding", entry.request_headers);
    if (auto it = item.find("RequestBodyRecorded"); it != item.end()) {
      if (!it->is_boolean())
        fail(pointer + "/RequestBodyRecorded", "true or false", describe_json(*it));
      entry.request_body_recorded = it->get<bool>();
    }
    entry.status_code = status_at(item, pointer, "StatusCode");
    entry.response_headers = headers_at(item, pointer, "ResponseHeaders");
    entry.response_body =
        body_at(item, pointer, "ResponseBody", "ResponseBodyEncoding", entry.response_headers);
    return entry;
  }

  Entry legacy_entry(const Json& item, const std::string& pointer) const {
    if (!item.is_object()) fail(pointer, "a network call record object", describe_json(item));
    Entry entry;
    entry.request_uri = string_at(item, pointer, "Url");
    entry.request_method = string_at(item, pointer, "Method");
    entry.request_headers = headers_at(item, pointer, "Headers");
    // The legacy recorder never stored request bodies.
    entry.request_body_recorded = false;
    const std::string response_pointer = pointer + "/Response";
    const Json& response = require(item, pointer, "Response", "a response object");
    if (!response.is_object()) fail(response_pointer, "a response object", describe_json(response));
    entry.status_code = status_at(response, response_pointer, "STATUS_CODE");
    std::string body;
    for (const auto& [name, value] : response.items()) {
      if (name == "STATUS_CODE" || name == "REASON_PHRASE") continue;
      if (!value.is_string()) {
        fail(response_pointer + "/" + escape_pointer_token(name), "a string", describe_json(value));
      }
      if (name == "BODY") {
        body = value.get<std::string>();
      } else {
        entry.response_headers.add(name, value.get<std::string>());
      }
    }
    const auto content_type = entry.response_headers.find("content-type");
    entry.response_body =
        Body::from_bytes(http::to_bytes(body), content_type ? *content_type : std::string_view{});
    return entry;
  }

  // Our metadata object, "/kvharness".
  void read_metadata(const Json& meta_object, Fixture& fixture) const {
    const Json* meta = &meta_object;
    if (!meta->is_object()) fail("/kvharness", "an object", describe_json(*meta));
    fixture.has_metadata = true;
    auto& m = fixture.metadata;
    auto read_string = [&](const char* key, std::string& out) {
      if (auto it = meta->find(key); it != meta->end()) {
        if (!it->is_string())
          fail(std::string("/kvharness/") + key, "a string", describe_json(*it));
        out = it->get<std::string>();
      }
    };
    if (auto it = meta->find("formatVersion"); it != meta->end()) {
      if (!it->is_number_integer()) {
        fail("/kvharness/formatVersion", "an integer", describe_json(*it));
      }
      m.format_version = it->get<int>();
      if (m.format_version != 1) {
        fail("/kvharness/formatVersion", "format version 1 (this kvharness reads only 1)",
             describe_json(*it), "unsupported-version",
             "the fixture was written by a newer kvharness; upgrade kvharness");
      }
    }
    read_string("toolVersion", m.tool_version);
    read_string("apiVersion", m.api_version);
    read_string("serviceVersion", m.service_version);
    read_string("recordedAt", m.recorded_at);
    if (auto it = meta->find("sanitizers"); it != meta->end()) m.sanitizers = *it;
    read_string("sanitizersDigest", m.sanitizers_digest);
    if (auto it = meta->find("matchRules"); it != meta->end()) {
      if (!it->is_object()) fail("/kvharness/matchRules", "an object", describe_json(*it));
      m.match_rules = *it;
    }
  }

  // Takes the document by reference and frees each entry's node once converted, so that a large
  // fixture does not hold the whole parsed document and the whole converted fixture at once.
  Fixture read(Json& root) const {
    if (!root.is_object()) {
      fail("", "an object with \"Entries\"", describe_json(root), "not-a-fixture");
    }
    Fixture fixture;
    if (auto legacy = root.find("networkCallRecords"); legacy != root.end()) {
      if (!legacy->is_array()) fail("/networkCallRecords", "an array", describe_json(*legacy));
      fixture.source = FixtureSource::LegacyCpp;
      for (std::size_t i = 0; i < legacy->size(); ++i) {
        fixture.entries.push_back(
            legacy_entry((*legacy)[i], "/networkCallRecords/" + std::to_string(i)));
      }
      return fixture;
    }
    auto entries = root.find("Entries");
    if (entries == root.end()) {
      fail("/Entries", "an array of entries (or \"networkCallRecords\")",
           "nothing (the key is missing)", "not-a-fixture",
           "a test-proxy recording has \"Entries\"; a legacy C++ one \"networkCallRecords\"");
    }
    if (!entries->is_array()) fail("/Entries", "an array of entries", describe_json(*entries));
    fixture.source = FixtureSource::TestProxy;
    fixture.entries.reserve(entries->size());
    for (std::size_t i = 0; i < entries->size(); ++i) {
      fixture.entries.push_back(test_proxy_entry((*entries)[i], "/Entries/" + std::to_string(i)));
      (*entries)[i] = nullptr;
    }
    if (auto vars = root.find("Variables"); vars != root.end() && !vars->is_null()) {
      if (!vars->is_object())
        fail("/Variables", "an object of names to strings", describe_json(*vars));
      for (const auto& [name, value] : vars->items()) {
        if (!value.is_string()) {
          fail("/Variables/" + escape_pointer_token(name), "a string", describe_json(value));
        }
        fixture.variables[name] = value.get<std::string>();
      }
    }
    if (auto meta = root.find("kvharness"); meta != root.end()) read_metadata(*meta, fixture);
    return fixture;
  }

  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

// How many times "RequestUri" (with its quotes) occurs in `text`, an upper bound of the entries.
// Candidates are found sixteen positions at a time by two of its bytes that no other key of a
// fixture has at that distance ('R' and the 'U' seven bytes on), then compared whole.
std::size_t count_request_uris(std::string_view text) {
  constexpr std::string_view kKey = "\"RequestUri\"";
  std::size_t count = 0;
  std::size_t i = 0;
  auto key_at = [&](std::size_t at) { return text.compare(at, kKey.size(), kKey) == 0; };
#if defined(__SSE2__)
  const __m128i r = _mm_set1_epi8('R');
  const __m128i u = _mm_set1_epi8('U');
  while (i + 16 + kKey.size() <= text.size()) {
    const __m128i first = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i + 1));
    const __m128i eighth = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i + 8));
    auto mask = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(first, r), _mm_cmpeq_epi8(eighth, u))));
    while (mask != 0) {
      if (key_at(i + static_cast<std::size_t>(__builtin_ctz(mask)))) ++count;
      mask &= mask - 1;
    }
    i += 16;
  }
#endif
  for (; i + kKey.size() <= text.size(); ++i) {
    if (text[i] == '"' && key_at(i)) ++count;
  }
  return count;
}

// True when two fields come from different keys of one JSON object but have the same name
// (`key_of[i]` numbers the key field i came from: a key's list of values gives several fields);
// `name(field)` is a field's name; the fields are the first key_of.size() ones of `fields`. Small
// lists are compared pairwise; long ones are sorted.
template <class Field, class Name>
bool repeats_a_name(const std::vector<Field>& fields, const std::vector<std::size_t>& key_of,
                    Name name) {
  const std::size_t n = key_of.size();
  if (n < 2) return false;
  if (n <= 24) {
    for (std::size_t i = 0; i + 1 < n; ++i) {
      const std::string_view a = name(fields[i]);
      for (std::size_t j = i + 1; j < n; ++j) {
        if (key_of[i] != key_of[j] && a == name(fields[j])) return true;
      }
    }
    return false;
  }
  std::vector<std::pair<std::string_view, std::size_t>> names;
  names.reserve(n);
  for (std::size_t i = 0; i < n; ++i) names.emplace_back(name(fields[i]), key_of[i]);
  std::sort(names.begin(), names.end());
  for (std::size_t k = 0; k + 1 < n; ++k) {
    if (names[k].first == names[k + 1].first && names[k].second != names[k + 1].second) return true;
  }
  return false;
}

// Where an entry of an opened fixture lies in the text, and its method and URI (views of the
// text, or of decoded copies when they hold escapes).
struct EntryPlace {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string_view method;
  std::string_view uri;
};

// The fast path: one pass of the scanner straight into entries, without a document; bodies are
// kept as compact bytes and parsed only when asked for. It reads the shapes kvharness and the
// test-proxy write; for anything else (the legacy recorder's shape, a value of a surprising type)
// it gives up and the document reader above, which explains every problem, takes over.
class FastReader {
 public:
  /// `consumed` (may be empty) learns, after each entry, how much of the text is behind.
  FastReader(std::string_view text, const Reader& reader,
             std::function<void(std::size_t)> consumed = {})
      : scan_(text), reader_(reader), consumed_(std::move(consumed)) {}
  /// Reads one entry of a checked file (`text` is the entry, `depth` how deep it lies there).
  FastReader(std::string_view text, std::size_t depth, const Reader& reader)
      : scan_(text, depth), reader_(reader) {}

  /// The fixture, or nothing when the document reader must take over. With `places`, entries are
  /// only checked (as read_entry() would accept them) and where they lie is noted there, decoded
  /// methods and URIs kept in `decoded`; nothing then also means that the eager path must read
  /// the file.
  std::optional<Fixture> read(std::vector<EntryPlace>* places = nullptr,
                              std::deque<std::string>* decoded = nullptr) {
    places_ = places;
    decoded_ = decoded;
    // One pass for the number of entries: the vector never grows and copies.
    expected_entries_ = count_request_uris(scan_.text());
    Fixture fixture;
    fixture.source = FixtureSource::TestProxy;
    bool entries_seen = false, variables_seen = false, metadata_seen = false;
    scan_.expect('{');
    scan_.enter();
    if (!scan_.consume('}')) {
      do {
        scan_.string(key_);
        scan_.expect(':');
        // A key given twice: the document reader says what that means (the last one wins).
        if (key_ == "Entries"sv) {
          if (entries_seen || !entries(fixture)) return std::nullopt;
          entries_seen = true;
        } else if (key_ == "Variables"sv) {
          if (variables_seen || !variables(fixture)) return std::nullopt;
          variables_seen = true;
        } else if (key_ == "kvharness"sv) {
          if (metadata_seen) return std::nullopt;
          metadata_seen = true;
          reader_.read_metadata(document(), fixture);
        } else if (key_ == "networkCallRecords"sv) {
          return std::nullopt;
        } else {
          (void)scan_.value();
        }
      } while (scan_.consume(','));
      scan_.expect('}');
    }
    scan_.leave();
    if (!scan_.at_end() || !entries_seen) return std::nullopt;
    return fixture;
  }

  /// Reads the one entry the text holds (the second constructor).
  bool entry(Entry& out) { return read_entry(out) && scan_.at_end(); }

 private:
  struct BodyValue {
    std::string_view span;  // empty: absent or null
    std::string encoding;
    // A JSON object or array, compacted while it was checked (reused from entry to entry).
    const detail::CompactBuffer* compact = nullptr;
  };

  // A value as a document, built by the scanner (the metadata object: small, but parsed for every
  // fixture, so not worth nlohmann's lexer).
  Json document() {
    const char c = scan_.peek();
    if (c == '"') {
      std::string text;
      scan_.string(text);
      return Json(std::move(text));
    }
    if (c == '{') {
      scan_.expect('{');
      scan_.enter();
      Json object = Json::object();
      if (!scan_.consume('}')) {
        do {
          std::string name;
          scan_.string(name);
          scan_.expect(':');
          object[std::move(name)] = document();
        } while (scan_.consume(','));
        scan_.expect('}');
      }
      scan_.leave();
      return object;
    }
    if (c == '[') {
      scan_.expect('[');
      scan_.enter();
      Json array = Json::array();
      if (!scan_.consume(']')) {
        do {
          array.push_back(document());
        } while (scan_.consume(','));
        scan_.expect(']');
      }
      scan_.leave();
      return array;
    }
    std::string_view word;
    if (scan_.literal(word)) {
      if (word == "null") return Json();
      return Json(word == "true");
    }
    long long integer = 0;
    // As nlohmann/json reads them: non-negative integers unsigned.
    if (scan_.integer(integer)) {
      return integer >= 0 ? Json(static_cast<std::uint64_t>(integer)) : Json(integer);
    }
    // Any other number (a fraction, an exponent, beyond 64 bits): nlohmann reads its text.
    const std::string_view number = scan_.value();
    return Json::parse(number.begin(), number.end());
  }

  bool entries(Fixture& fixture) {
    if (!scan_.consume('[')) return false;
    scan_.enter();
    if (places_ != nullptr) return entry_places();
    fixture.entries.reserve(expected_entries_);
    if (!scan_.consume(']')) {
      do {
        Entry entry;
        if (!read_entry(entry)) return false;
        fixture.entries.push_back(std::move(entry));
        if (consumed_) consumed_(scan_.offset());
      } while (scan_.consume(','));
      scan_.expect(']');
    }
    scan_.leave();
    return true;
  }

  // The lazy path: each entry checked and its place noted (the caller has entered the array).
  bool entry_places() {
    places_->reserve(expected_entries_);
    if (!scan_.consume(']')) {
      do {
        EntryPlace place;
        if (!check_entry(place)) return false;
        places_->push_back(place);
      } while (scan_.consume(','));
      scan_.expect(']');
    }
    scan_.leave();
    return true;
  }

  // A string member kept as a view of the text (or of a decoded copy when it holds escapes).
  bool string_view_member(std::string_view& out) {
    if (scan_.peek() != '"') return false;
    const std::string_view span = scan_.value();
    const std::string_view inner = span.substr(1, span.size() - 2);
    if (inner.find('\\') == std::string_view::npos) {
      out = inner;
      return true;
    }
    JsonScanner text(span);
    text.string(decoded_->emplace_back());
    out = decoded_->back();
    return true;
  }

  // What read_entry() checks of one entry, keeping nothing but its place, method and URI. False
  // also where telling would need decoding (an escaped header name): the eager path reads those.
  bool check_entry(EntryPlace& place) {
    (void)scan_.peek();
    place.begin = scan_.offset();
    if (!scan_.consume('{')) return false;
    scan_.enter();
    bool uri = false, method = false, code = false;
    std::string_view request_body, response_body;
    std::string request_encoding, response_encoding;
    std::string_view request_type, response_type;
    if (!scan_.consume('}')) {
      do {
        scan_.string(key_);
        scan_.expect(':');
        if (key_ == "RequestUri"sv) {
          if (!(uri = string_view_member(place.uri))) return false;
        } else if (key_ == "RequestMethod"sv) {
          if (!(method = string_view_member(place.method))) return false;
        } else if (key_ == "RequestHeaders"sv) {
          if (!check_headers(request_type)) return false;
        } else if (key_ == "ResponseHeaders"sv) {
          if (!check_headers(response_type)) return false;
        } else if (key_ == "RequestBody"sv) {
          request_body = scan_.value();
        } else if (key_ == "ResponseBody"sv) {
          response_body = scan_.value();
        } else if (key_ == "RequestBodyEncoding"sv) {
          if (!string_member(request_encoding)) return false;
        } else if (key_ == "ResponseBodyEncoding"sv) {
          if (!string_member(response_encoding)) return false;
        } else if (key_ == "RequestBodyRecorded"sv) {
          std::string_view word;
          if (!scan_.literal(word) || word == "null") return false;
        } else if (key_ == "StatusCode"sv) {
          int status_code = 0;
          if (!(code = status(status_code))) return false;
        } else {
          (void)scan_.value();
        }
      } while (scan_.consume(','));
      scan_.expect('}');
    }
    scan_.leave();
    place.end = scan_.offset();
    return uri && method && code && check_body(request_body, request_encoding, request_type) &&
           check_body(response_body, response_encoding, response_type);
  }

  // read_entry()'s headers() check; `content_type` gets the raw first Content-Type value.
  bool check_headers(std::string_view& content_type) {
    std::string_view word;
    content_type = {};
    if (scan_.literal(word)) return word == "null";
    if (!scan_.consume('{')) return false;
    scan_.enter();
    names_.clear();
    key_of_field_.clear();
    bool type_seen = false;
    std::size_t key = 0;
    auto value = [&](std::string_view name) {
      if (scan_.peek() != '"') return false;
      const std::string_view span = scan_.value();
      if (!type_seen && http::iequals(name, "Content-Type")) {
        type_seen = true;
        content_type = span.substr(1, span.size() - 2);
        // Escapes would need decoding to look inside: the eager path.
        if (content_type.find('\\') != std::string_view::npos) return false;
      }
      names_.push_back(name);
      key_of_field_.push_back(key);
      return true;
    };
    if (!scan_.consume('}')) {
      do {
        if (scan_.peek() != '"') return false;
        const std::string_view name_span = scan_.value();
        const std::string_view name = name_span.substr(1, name_span.size() - 2);
        if (name.find('\\') != std::string_view::npos) return false;
        scan_.expect(':');
        if (scan_.consume('[')) {
          scan_.enter();
          do {
            if (!value(name)) return false;
          } while (scan_.consume(','));
          scan_.expect(']');
          scan_.leave();
        } else if (!value(name)) {
          return false;
        }
        ++key;
      } while (scan_.consume(','));
      scan_.expect('}');
    }
    scan_.leave();
    return !repeats_a_name(names_, key_of_field_, [](std::string_view n) { return n; });
  }

  // read_entry()'s body() check of a body's span, encoding and its headers' raw Content-Type.
  bool check_body(std::string_view span, const std::string& encoding,
                  std::string_view content_type) {
    if (span.empty()) return true;
    if (!encoding.empty() && encoding != "base64" && encoding != "text") return false;
    const char first = span.front();
    if (first == 'n') return true;
    if (first == '"') {
      if (encoding != "base64") return true;
      JsonScanner text(span);
      text.string(value_);
      return detail::base64_decode(value_).has_value();
    }
    if (encoding == "base64") return false;
    if (first == '[' && content_type.find("json") == std::string_view::npos) return false;
    return first == '{' || first == '[';
  }

  bool variables(Fixture& fixture) {
    std::string_view word;
    if (scan_.literal(word)) return word == "null";
    if (!scan_.consume('{')) return false;
    scan_.enter();
    if (!scan_.consume('}')) {
      do {
        std::string name;
        scan_.string(name);
        scan_.expect(':');
        if (scan_.peek() != '"') return false;
        scan_.string(value_);
        fixture.variables[std::move(name)] = value_;
      } while (scan_.consume(','));
      scan_.expect('}');
    }
    scan_.leave();
    return true;
  }

  bool headers(HeaderList& out) {
    std::string_view word;
    if (scan_.literal(word)) return word == "null";
    if (!scan_.consume('{')) return false;
    scan_.enter();
    // Collected first, so that the headers get exactly the room they need. The scratch fields
    // are kept from entry to entry, and their strings with their room: key_of_field_ counts
    // the ones in use.
    key_of_field_.clear();
    auto next_field = [&]() -> std::pair<std::string, std::string>& {
      if (key_of_field_.size() == fields_.size()) fields_.emplace_back();
      return fields_[key_of_field_.size()];
    };
    std::size_t key = 0;
    if (!scan_.consume('}')) {
      do {
        auto& field = next_field();
        scan_.string(field.first);
        scan_.expect(':');
        if (scan_.peek() == '"') {
          scan_.string(field.second);
          key_of_field_.push_back(key);
        } else if (scan_.consume('[')) {
          // Older .NET files store some headers (User-Agent, Set-Cookie) as arrays of strings.
          scan_.enter();
          // An empty list (it may undo an earlier value of the name): the document reader.
          const std::size_t first = key_of_field_.size();
          do {
            if (scan_.peek() != '"') return false;
            auto& repeated = next_field();
            if (key_of_field_.size() != first) repeated.first = fields_[first].first;
            scan_.string(repeated.second);
            key_of_field_.push_back(key);
          } while (scan_.consume(','));
          scan_.expect(']');
          scan_.leave();
        } else {
          return false;
        }
        ++key;
      } while (scan_.consume(','));
      scan_.expect('}');
    }
    scan_.leave();
    // A name given twice: the document reader says what that means (the last one wins).
    using Field = std::pair<std::string, std::string>;
    if (repeats_a_name(fields_, key_of_field_,
                       [](const Field& f) -> std::string_view { return f.first; })) {
      return false;
    }
    const std::span<const Field> used(fields_.data(), key_of_field_.size());
    out.clear();
    out.reserve(used.size(), HeaderList::bytes_of(used));
    for (const auto& [name, value] : used) out.add(name, value);
    return true;
  }

  bool string_member(std::string& out) {
    if (scan_.peek() != '"') return false;
    scan_.string(out);
    return true;
  }

  bool status(int& out) {
    long long number = 0;
    if (scan_.integer(number)) {
      if (number < 100 || number > 599) return false;
      out = static_cast<int>(number);
      return true;
    }
    // The legacy recorder writes statuses as strings ("200").
    if (!string_member(value_)) return false;
    if (value_.size() != 3 || value_.find_first_not_of("0123456789") != std::string::npos) {
      return false;
    }
    out = std::stoi(value_);
    return out >= 100 && out <= 599;
  }

  bool body(const BodyValue& value, const HeaderList& headers, Body& out) {
    if (value.span.empty()) return true;
    if (!value.encoding.empty() && value.encoding != "base64" && value.encoding != "text") {
      return false;
    }
    const char first = value.span.front();
    if (first == 'n') return true;  // null
    if (first == '"') {
      JsonScanner text(value.span);
      text.string(value_);
      if (value.encoding == "base64") {
        auto bytes = detail::base64_decode(value_);
        if (!bytes) return false;
        out.kind = Body::Kind::Binary;
        out.bytes = std::move(*bytes);
      } else {
        out = Body::from_text(value_);
      }
      return true;
    }
    if (value.encoding == "base64") return false;
    if (first == '[') {
      // The test proxy stores text bodies of non-JSON content as an array of lines.
      const auto content_type = headers.find("Content-Type");
      const bool json_type = content_type && content_type->find("json") != std::string_view::npos;
      if (!json_type) return false;
    }
    if (first != '{' && first != '[') return false;
    // Exactly the compact length (the scratch buffer's capacity is larger).
    const std::string_view compact = value.compact->view();
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(compact.data());
    out = Body::from_json_bytes(http::Bytes(bytes, bytes + compact.size()));
    return true;
  }

  void body_value(BodyValue& value, detail::CompactBuffer& scratch) {
    const char first = scan_.peek();
    if (first == '{' || first == '[') {
      value.span = scan_.compact_value(scratch);
      value.compact = &scratch;
    } else {
      value.span = scan_.value();
      value.compact = nullptr;
    }
  }

  bool read_entry(Entry& entry) {
    if (!scan_.consume('{')) return false;
    scan_.enter();
    bool uri = false, method = false, code = false;
    BodyValue request_body, response_body;
    if (!scan_.consume('}')) {
      do {
        scan_.string(key_);
        scan_.expect(':');
        if (key_ == "RequestUri"sv) {
          if (!(uri = string_member(entry.request_uri))) return false;
        } else if (key_ == "RequestMethod"sv) {
          if (!(method = string_member(entry.request_method))) return false;
        } else if (key_ == "RequestHeaders"sv) {
          if (!headers(entry.request_headers)) return false;
        } else if (key_ == "ResponseHeaders"sv) {
          if (!headers(entry.response_headers)) return false;
        } else if (key_ == "RequestBody"sv) {
          body_value(request_body, request_compact_);
        } else if (key_ == "ResponseBody"sv) {
          body_value(response_body, response_compact_);
        } else if (key_ == "RequestBodyEncoding"sv) {
          if (!string_member(request_body.encoding)) return false;
        } else if (key_ == "ResponseBodyEncoding"sv) {
          if (!string_member(response_body.encoding)) return false;
        } else if (key_ == "RequestBodyRecorded"sv) {
          std::string_view word;
          if (!scan_.literal(word) || word == "null") return false;
          entry.request_body_recorded = word == "true";
        } else if (key_ == "StatusCode"sv) {
          if (!(code = status(entry.status_code))) return false;
        } else {
          (void)scan_.value();
        }
      } while (scan_.consume(','));
      scan_.expect('}');
    }
    scan_.leave();
    return uri && method && code && body(request_body, entry.request_headers, entry.request_body) &&
           body(response_body, entry.response_headers, entry.response_body);
  }

  JsonScanner scan_;
  const Reader& reader_;
  std::string key_;
  std::string value_;
  std::vector<std::pair<std::string, std::string>> fields_;
  std::vector<std::size_t> key_of_field_;
  detail::CompactBuffer request_compact_;
  detail::CompactBuffer response_compact_;
  std::size_t expected_entries_ = 0;
  std::function<void(std::size_t)> consumed_;
  // The lazy path's: where entries are noted, decoded methods and URIs, header names seen.
  std::vector<EntryPlace>* places_ = nullptr;
  std::deque<std::string>* decoded_ = nullptr;
  std::vector<std::string_view> names_;
};

}  // namespace

namespace {

// Parses fixture text; `consumed` (may be empty) is told how much of the text is behind the
// reader, so that a large mapped file need not stay in memory whole.
Fixture parse_text(std::string_view text, const std::string& name,
                   std::function<void(std::size_t)> consumed) {
  const Reader reader(name);
  try {
    if (auto fixture = FastReader(text, reader, std::move(consumed)).read()) {
      return std::move(*fixture);
    }
    // A shape the fast path does not read: check depth (and syntax) before building a document.
    validate_json(text);
  } catch (const JsonScanner::Invalid& invalid) {
    if (invalid.too_deep) {
      throw FixtureError(Diagnostic{
          name, line_column(text, invalid.offset), "too-deep",
          "JSON nested at most " + std::to_string(kMaxJsonDepth) + " levels deep", "deeper nesting",
          "no recording nests this deep; the file is damaged or not a fixture"});
    }
    // A syntax error: the document parser below names it.
  }
  return detail::parse_fixture_document(text, name);
}

// A read-only private mapping of a fixture file. The reader releases the pages behind it
// (they are read again from the file should the document reader need them), so loading a large
// fixture holds little more than what is built from it.
class MappedFile {
 public:
  MappedFile(int fd, std::size_t size) : size_(size) {
    void* at = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (at == MAP_FAILED) return;
    data_ = static_cast<const char*>(at);
    ::madvise(const_cast<char*>(data_), size_, MADV_SEQUENTIAL);
  }
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  bool ok() const { return data_ != nullptr; }
  std::string_view text() const { return {data_, size_}; }
  /// Gives back the whole pages before `offset`.
  void release(std::size_t offset) {
    static const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    const std::size_t end = offset / page * page;
    if (end < released_ + 64 * page) return;  // in batches: one call per 256 KiB
    ::madvise(const_cast<char*>(data_) + released_, end - released_, MADV_DONTNEED);
    released_ = end;
  }

 private:
  const char* data_ = nullptr;
  std::size_t size_;
  std::size_t released_ = 0;
};

// Closes a file descriptor.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Fixture detail::parse_fixture_document(std::string_view text, const std::string& name) {
  const Reader reader(name);
  Json root;
  try {
    root = Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& error) {
    // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..."
    std::string message = error.what();
    if (auto colon = message.find(": "); colon != std::string::npos) {
      message = message.substr(colon + 2);
    }
    const std::size_t byte = error.byte > 0 ? error.byte - 1 : 0;
    throw FixtureError(
        Diagnostic{name, line_column(text, byte), "syntax-error", "valid JSON", message, ""});
  } catch (const Json::exception& error) {
    std::string message = error.what();
    if (auto bracket = message.find("] "); bracket != std::string::npos) {
      message = message.substr(bracket + 2);
    }
    throw FixtureError(Diagnostic{name, "", "syntax-error", "valid JSON", message, ""});
  }
  return reader.read(root);
}

Fixture parse_fixture(std::string_view text, const std::string& name) {
  return parse_text(text, name, {});
}

namespace {

// A fixture file's text: mapped when it is large, else read into memory.
struct FileText {
  std::shared_ptr<MappedFile> mapped;
  std::string content;
  std::string_view text() const { return mapped ? mapped->text() : std::string_view(content); }
};

// Opens `path` with load_fixture()'s checks and errors; files of `map_from` bytes or more are
// mapped.
FileText read_file_text(const std::string& path, std::size_t map_from) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!ec && std::filesystem::is_directory(status)) {
    throw FixtureError(Diagnostic{path, "", "unreadable-file", "a fixture file", "a folder",
                                  "give the path of a .json recording inside it"});
  }
  if (!ec && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    throw FixtureError(Diagnostic{path, "", "unreadable-file", "a fixture file",
                                  "a device, pipe or socket, not a regular file", ""});
  }
  auto unreadable = [&](const char* what) {
    return FixtureError(Diagnostic{path, "", "unreadable-file", "a readable fixture file",
                                   std::string(what) + " (" + std::strerror(errno) + ")", ""});
  };
  const FdCloser file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) throw unreadable("it cannot be opened");
  struct stat info {};
  if (::fstat(file.fd, &info) != 0) throw unreadable("it cannot be read");
  const std::size_t size = static_cast<std::size_t>(info.st_size);
  FileText out;
  if (size >= map_from && size > 0) {
    auto mapped = std::make_shared<MappedFile>(file.fd, size);
    if (mapped->ok()) {
      out.mapped = std::move(mapped);
      return out;
    }
  }
  out.content.assign(size, '\0');
  std::size_t got = 0;
  while (got < size) {
    const ssize_t n = ::read(file.fd, out.content.data() + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw unreadable("a read error");
    if (n == 0) break;  // shorter than it was: read what is there
    got += static_cast<std::size_t>(n);
  }
  out.content.resize(got);
  return out;
}

}  // namespace

Fixture load_fixture(const std::string& path) {
  // Large files are mapped and released as they are read; small ones are simply read.
  constexpr std::size_t kMapFrom = 1 << 20;
  FileText file = read_file_text(path, kMapFrom);
  if (file.mapped) {
    MappedFile& mapped = *file.mapped;
    return parse_text(mapped.text(), path, [&](std::size_t offset) { mapped.release(offset); });
  }
  return parse_text(file.content, path, {});
}

struct OpenedFixture::Lazy {
  FileText file;
  Reader reader;
  Fixture head;
  std::vector<EntryPlace> places;
  std::deque<std::string> decoded;
  // Entries read so far, each once.
  detail::OnceSlots<Entry> read;
  std::once_flag whole_once;
  std::shared_ptr<const Fixture> whole;

  explicit Lazy(std::string name) : reader(std::move(name)) {}

  // Entry `i` read from its place. The text was checked at opening: a refusal here is a fault
  // of the reader (or a file changed in place), reported as such.
  Entry read_entry(std::size_t i) const {
    const EntryPlace& place = places[i];
    Entry entry;
    bool ok = false;
    try {
      // Inside the top-level object and the "Entries" array.
      FastReader one(file.text().substr(place.begin, place.end - place.begin), 2, reader);
      ok = one.entry(entry);
    } catch (const JsonScanner::Invalid&) {
    }
    if (!ok) {
      throw FixtureError(Diagnostic{reader.name(), "/Entries/" + std::to_string(i), "changed-file",
                                    "the entry checked when the fixture was opened",
                                    "text that no longer reads as that entry",
                                    "the file was changed in place while open; open it again"});
    }
    return entry;
  }
};

OpenedFixture::OpenedFixture(std::shared_ptr<const Fixture> fixture) : eager_(std::move(fixture)) {
  if (!eager_) throw std::invalid_argument("OpenedFixture: the fixture is null");
}
OpenedFixture::OpenedFixture(std::unique_ptr<Lazy> lazy) : lazy_(std::move(lazy)) {}
OpenedFixture::~OpenedFixture() = default;

std::size_t OpenedFixture::size() const {
  return lazy_ ? lazy_->places.size() : eager_->entries.size();
}

const Entry& OpenedFixture::entry(std::size_t i) const {
  if (!lazy_) return eager_->entries.at(i);
  if (i >= lazy_->places.size()) throw std::out_of_range("OpenedFixture::entry: no such entry");
  return lazy_->read.get(i, [&] { return lazy_->read_entry(i); });
}

std::string_view OpenedFixture::method(std::size_t i) const {
  return lazy_ ? lazy_->places.at(i).method
               : std::string_view(eager_->entries.at(i).request_method);
}

std::string_view OpenedFixture::uri(std::size_t i) const {
  return lazy_ ? lazy_->places.at(i).uri : std::string_view(eager_->entries.at(i).request_uri);
}

const Fixture& OpenedFixture::head() const {
  return lazy_ ? lazy_->head : *eager_;
}

std::shared_ptr<const Fixture> OpenedFixture::whole() const {
  if (!lazy_) return eager_;
  std::call_once(lazy_->whole_once, [this] {
    auto fixture = std::make_shared<Fixture>(lazy_->head);
    fixture->entries.reserve(size());
    for (std::size_t i = 0; i < size(); ++i) fixture->entries.push_back(entry(i));
    lazy_->whole = std::move(fixture);
  });
  return lazy_->whole;
}

namespace {

// Opens `file` lazily when the fast reader's check accepts every entry, else reads it whole.
std::shared_ptr<const OpenedFixture> open_text(FileText file, const std::string& name) {
  auto lazy = std::make_unique<OpenedFixture::Lazy>(name);
  // In its final place first: the entries' methods and URIs are views of it.
  lazy->file = std::move(file);
  const std::string_view text = lazy->file.text();
  std::optional<Fixture> head;
  try {
    head = FastReader(text, lazy->reader).read(&lazy->places, &lazy->decoded);
  } catch (const JsonScanner::Invalid&) {
    // Explained by the eager path below.
  }
  if (!head) {
    return std::make_shared<const OpenedFixture>(
        std::make_shared<const Fixture>(parse_text(text, name, {})));
  }
  lazy->head = std::move(*head);
  lazy->read = detail::OnceSlots<Entry>(lazy->places.size());
  // Entries are now read where tests ask for them, not in order.
  if (lazy->file.mapped) ::madvise(const_cast<char*>(text.data()), text.size(), MADV_NORMAL);
  return std::make_shared<const OpenedFixture>(std::move(lazy));
}

}  // namespace

std::shared_ptr<const OpenedFixture> open_fixture(const std::string& path) {
  constexpr std::size_t kLazyFrom = 256 << 10;
  FileText file = read_file_text(path, kLazyFrom);
  if (file.mapped) return open_text(std::move(file), path);
  return std::make_shared<const OpenedFixture>(
      std::make_shared<const Fixture>(parse_text(file.content, path, {})));
}

std::shared_ptr<const OpenedFixture> detail::open_fixture_text(std::string text,
                                                               const std::string& name) {
  FileText file;
  file.content = std::move(text);
  return open_text(std::move(file), name);
}

}  // namespace kv::harness
