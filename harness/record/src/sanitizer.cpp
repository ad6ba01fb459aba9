// Sanitizing: the vault host becomes the fake host, secrets disappear in every encoding, token
// exchanges are redacted wholesale, and the rules (headers, regexes, JSON Pointers) apply.
#include "kv/harness/sanitizer.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "kv/harness/internal/base64.hpp"
#include "kv/harness/internal/json_scanner.hpp"
#include "kv/url.hpp"

namespace kv::harness {

namespace {

bool is_ip_literal(std::string_view host) {
  if (!host.empty() && host.front() == '[') return true;
  return !host.empty() && std::all_of(host.begin(), host.end(),
                                      [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

void replace_all(std::string& text, std::string_view needle, std::string_view replacement) {
  if (needle.empty()) return;
  std::size_t pos = 0;
  while ((pos = text.find(needle, pos)) != std::string::npos) {
    text.replace(pos, needle.size(), replacement);
    pos += replacement.size();
  }
}

void append(http::Bytes& out, std::string_view text) {
  out.insert(out.end(), text.begin(), text.end());
}

// `text` as the inside of a JSON string (no quotes), appended to `out` (a std::string or
// http::Bytes).
template <typename Out>
void append_json_escaped(Out& out, std::string_view text) {
  // Printable ASCII without quotes or backslashes is its own JSON form (most URLs and ids).
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7F && c != '"' && c != '\\';
  });
  if (plain) {
    out.insert(out.end(), text.begin(), text.end());
    return;
  }
  const std::string dumped =
      Json(std::string(text)).dump(-1, ' ', false, Json::error_handler_t::replace);
  out.insert(out.end(), dumped.begin() + 1, dumped.end() - 1);
}

std::string json_escaped(std::string_view text) {
  std::string out;
  append_json_escaped(out, text);
  return out;
}

std::string form_encoded(std::string_view text) {
  std::string out = url_encode(text);
  replace_all(out, "%20", "+");
  return out;
}

// The base64 text that `secret` produces when it starts at byte offset k (0..2) inside a longer
// blob: only the characters that depend on the secret's bytes alone.
std::vector<std::string> base64_fragments(std::string_view secret) {
  std::vector<std::string> out;
  for (std::size_t k = 0; k < 3; ++k) {
    std::string padded(k, '\0');
    padded += secret;
    const std::string encoded = detail::base64_encode(padded);
    const std::size_t skip = k == 0 ? 0 : k + 1;
    const std::size_t keep = padded.size() / 3 * 4;
    if (keep <= skip + 7) continue;  // Too short to be told apart from ordinary base64 text.
    std::string fragment = encoded.substr(skip, keep - skip);
    out.push_back(fragment);
    std::string url = fragment;
    std::replace(url.begin(), url.end(), '+', '-');
    std::replace(url.begin(), url.end(), '/', '_');
    out.push_back(url);
  }
  // The whole secret encoded on its own, with and without padding.
  out.push_back(detail::base64_encode(secret));
  out.push_back(detail::base64_encode(secret, true));
  return out;
}

// Replaces the values of credential parameters in a form-encoded text ("a=1&client_secret=x").
void redact_form_fields(std::string& text, const std::vector<std::string>& keys) {
  for (const auto& key : keys) {
    const std::string needle = key + "=";
    std::size_t pos = 0;
    while ((pos = text.find(needle, pos)) != std::string::npos) {
      const bool at_boundary = pos == 0 || text[pos - 1] == '&' || text[pos - 1] == '?';
      pos += needle.size();
      if (!at_boundary) continue;
      const std::size_t end = std::min(text.find('&', pos), text.size());
      text.replace(pos, end - pos, kSanitized);
      pos += std::string_view(kSanitized).size();
    }
  }
}

void set_content_length(HeaderList& headers, const Body& body) {
  for (const auto [name, value] : headers) {
    if (http::iequals(name, "Content-Length")) {
      // Keep the recorded header name's casing.
      const std::string recorded(name);
      headers.set(recorded, std::to_string(body.bytes.size()));
      return;
    }
  }
}

// Of http::Headers (find() gives a pointer) and HeaderList (an optional view) alike.
template <class Headers>
std::string_view content_type_of(const Headers& headers) {
  const auto value = headers.find("Content-Type");
  return value ? std::string_view(*value) : std::string_view();
}

// The sampled guard search: four-byte strings, hashed into a set of 2^13 bits (1 KiB, so that
// a cold cache costs few misses; a dozen guards set about 1 % of them).
constexpr std::size_t kGram = 4;
constexpr std::size_t kMinSampledGuard = 8;  // so that a sample is taken every 5 bytes or more
constexpr int kGramHashBits = 13;

std::uint32_t gram_hash(const char* at) {
  std::uint32_t gram;
  std::memcpy(&gram, at, sizeof gram);
  return (gram * 0x9E3779B1u) >> (32 - kGramHashBits);
}

}  // namespace

Sanitizer::Sanitizer(SanitizerOptions options) : options_(std::move(options)) {
  const std::string fake_origin = std::string("https://") + kFakeVaultHost;
  std::string host_guard;  // the vault's host as the URL has it, without brackets
  if (!options_.vault_url.empty()) {
    const Url url(options_.vault_url);
    host_guard = url.host();
    // An IPv6 address is written in brackets in a URL ("https://[::1]:8443").
    const std::string host =
        url.host().find(':') != std::string::npos ? "[" + url.host() + "]" : url.host();
    std::vector<std::string> authorities;
    if (url.port() != 0) authorities.push_back(host + ":" + std::to_string(url.port()));
    // The service writes nextLink with the default port spelled out.
    authorities.push_back(host + ":" + std::to_string(url.effective_port()));
    authorities.push_back(host);
    for (const auto& authority : authorities) {
      for (const char* scheme : {"https://", "http://"}) {
        const std::string origin = scheme + authority;
        replacements_.emplace_back(origin, fake_origin);
        replacements_.emplace_back(json_escaped(origin), json_escaped(fake_origin));
        replacements_.emplace_back(url_encode(origin), url_encode(fake_origin));
      }
    }
    if (url.port() != 0) {
      replacements_.emplace_back(host + ":" + std::to_string(url.port()), kFakeVaultHost);
    }
    // A bare IP or "localhost" also appears in unrelated places (client addresses), so only a
    // DNS name is replaced on its own.
    if (!is_ip_literal(host) && host != "localhost") {
      replacements_.emplace_back(host, kFakeVaultHost);
    }
  }
  for (const auto& secret : options_.secrets) {
    if (secret.empty()) continue;
    replacements_.emplace_back(secret, kSanitized);
    replacements_.emplace_back(url_encode(secret), kSanitized);
    replacements_.emplace_back(form_encoded(secret), kSanitized);
    replacements_.emplace_back(json_escaped(secret), kSanitized);
    for (auto& fragment : base64_fragments(secret))
      replacements_.emplace_back(fragment, kSanitized);
  }
  // Longest first, so "https://host:port" wins over "host"; drop duplicates.
  std::vector<std::pair<std::string, std::string>> unique;
  for (auto& item : replacements_) {
    if (item.first.empty() || item.first == item.second) continue;
    auto same = [&](const auto& u) { return u.first == item.first; };
    if (std::none_of(unique.begin(), unique.end(), same)) unique.push_back(std::move(item));
  }
  std::stable_sort(unique.begin(), unique.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  replacements_ = std::move(unique);
  if (replacements_.size() >= std::numeric_limits<std::uint16_t>::max()) {
    throw std::invalid_argument("kvharness sanitizer: more than 65535 values to replace");
  }
  // The guards: a few strings, one of which every needle contains (the vault's host is in every
  // form of its origin), so that a text without any guard is known to hold no needle. Shortest
  // first: a needle that contains a guard needs none of its own.
  std::vector<std::string> candidates;
  for (const auto& [needle, replacement] : replacements_) candidates.push_back(needle);
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const auto& a, const auto& b) { return a.size() < b.size(); });
  if (!host_guard.empty()) guards_.push_back(std::move(host_guard));
  // (For an IPv6 host the bracketed forms contain it; their URL-encoded forms become guards.)
  for (auto& candidate : candidates) {
    const bool covered = std::any_of(guards_.begin(), guards_.end(), [&](const std::string& g) {
      return candidate.find(g) != std::string::npos;
    });
    if (!covered) guards_.push_back(std::move(candidate));
  }
  for (std::size_t i = 0; i < guards_.size(); ++i) {
    const auto first = static_cast<unsigned char>(guards_[i].front());
    guards_by_first_byte_[first].push_back(static_cast<std::uint16_t>(i));
    starts_guard_[first] = true;
  }
  for (const auto& [needle, replacement] : replacements_) {
    std::size_t g = 0;
    while (needle.find(guards_[g]) == std::string::npos) ++g;  // one always matches
    needle_guard_.push_back(static_cast<std::uint16_t>(g));
  }
  static_assert(std::tuple_size_v<decltype(gram_bits_)> * 64 == 1u << kGramHashBits);
  const auto shortest =
      std::min_element(guards_.begin(), guards_.end(),
                       [](const auto& a, const auto& b) { return a.size() < b.size(); });
  if (shortest != guards_.end() && shortest->size() >= kMinSampledGuard) {
    gram_stride_ = shortest->size() - (kGram - 1);
    for (const auto& guard : guards_) {
      for (std::size_t at = 0; at < gram_stride_; ++at) {
        const std::uint32_t h = gram_hash(guard.data() + at);
        gram_bits_[h / 64] |= std::uint64_t{1} << (h % 64);
      }
    }
  }
}

bool Sanitizer::sampled_guard_search(std::string_view text, std::uint64_t* found) const {
  const std::size_t stride = gram_stride_;
  std::size_t checked_to = 0;  // positions below this were checked exactly
  for (std::size_t sample = 0; sample + kGram <= text.size(); sample += stride) {
    const std::uint32_t h = gram_hash(text.data() + sample);
    if ((gram_bits_[h / 64] >> (h % 64) & 1) == 0) continue;
    // A guard holding these four bytes at its offset k (< stride) starts at sample - k.
    const std::size_t first = sample + 1 >= stride ? sample + 1 - stride : 0;
    for (std::size_t at = std::max(checked_to, first); at <= sample; ++at) {
      for (const std::uint16_t i : guards_by_first_byte_[static_cast<unsigned char>(text[at])]) {
        const std::string& guard = guards_[i];
        if (text.size() - at < guard.size() || text.compare(at, guard.size(), guard) != 0) continue;
        if (found == nullptr) return true;
        *found |= std::uint64_t{1} << i;
      }
    }
    checked_to = sample + 1;
  }
  return found != nullptr && *found != 0;
}

std::uint64_t Sanitizer::guards_in(std::string_view text) const {
  std::uint64_t found = 0;
  if (gram_stride_ != 0) {
    sampled_guard_search(text, &found);
    return found;
  }
  for (std::size_t g = 0; g < guards_.size(); ++g) {
    if (text.find(guards_[g]) != std::string_view::npos) found |= std::uint64_t{1} << g;
  }
  return found;
}

bool Sanitizer::contains_needle(std::string_view text) const {
  if (replacements_.empty()) return false;
  if (gram_stride_ != 0) return sampled_guard_search(text, nullptr);
  // Long texts (a backup blob) are searched guard by guard, where memchr's vector search wins;
  // short ones (header values, ids) in one pass over their bytes.
  constexpr std::size_t kShort = 96;
  if (text.size() > kShort) {
    return std::any_of(guards_.begin(), guards_.end(), [&](const std::string& guard) {
      return text.find(guard) != std::string_view::npos;
    });
  }
  for (std::size_t at = 0; at < text.size(); ++at) {
    if (!starts_guard_[static_cast<unsigned char>(text[at])]) continue;
    const auto& candidates = guards_by_first_byte_[static_cast<unsigned char>(text[at])];
    for (const std::uint16_t i : candidates) {
      const std::string& needle = guards_[i];
      if (text.size() - at >= needle.size() && text.compare(at, needle.size(), needle) == 0) {
        return true;
      }
    }
  }
  return false;
}

bool Sanitizer::is_token_request(std::string_view url) {
  // The path ends at the query or fragment (a plain loop: find_first_of searches the set of two
  // per character).
  const auto end =
      std::find_if(url.begin(), url.end(), [](char c) { return c == '?' || c == '#'; });
  const std::string_view path = url.substr(0, static_cast<std::size_t>(end - url.begin()));
  auto ends_with = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
  };
  return ends_with("/oauth2/v2.0/token") || ends_with("/oauth2/token");
}

bool Sanitizer::replace_needles(std::string& value) const {
  if (replacements_.empty()) return false;
  // Only needles whose guard the value holds are searched for; with more than 64 guards (too
  // many for a mask) every needle is, once any guard is found.
  const bool masked = guards_.size() <= 64;
  std::uint64_t present =
      masked ? guards_in(value) : (contains_needle(value) ? ~std::uint64_t{0} : 0);
  bool changed = false;
  for (std::size_t i = 0; present != 0 && i < replacements_.size(); ++i) {
    const auto& [needle, replacement] = replacements_[i];
    if (masked && (present >> needle_guard_[i] & 1) == 0) continue;
    if (value.size() < needle.size() || value.find(needle) == std::string::npos) continue;
    replace_all(value, needle, replacement);
    changed = true;
    if (masked) present = guards_in(value);  // the replacement may remove guards, or bring some
  }
  return changed;
}

std::string Sanitizer::scrub_string(std::string value) const {
  replace_needles(value);
  return value;
}

std::string Sanitizer::scrub(std::string_view text) const {
  return scrub_string(std::string(text));
}

bool Sanitizer::scrub_value(std::string& value) const {
  // In place: most strings (a multi-kilobyte backup blob, say) contain nothing to replace.
  bool changed = replace_needles(value);
  for (const auto& rewrite : options_.rules.body_regexes) {
    std::string rewritten = rewrite.apply(value);
    if (rewritten != value) {
      value = std::move(rewritten);
      changed = true;
    }
  }
  return changed;
}

bool Sanitizer::is_secret_key(std::string_view key) const {
  return std::find(options_.rules.body_keys.begin(), options_.rules.body_keys.end(), key) !=
         options_.rules.body_keys.end();
}

// Scrubs a JSON text without building a document: the bytes are copied as they are except for
// the string values that change and the values of secret keys, exactly the places scrub_json
// changes. Member names are kept, as scrub_json keeps them.
class Sanitizer::TextScrubber {
 public:
  TextScrubber(const Sanitizer& sanitizer, std::string_view text)
      : sanitizer_(sanitizer), text_(text), scan_(text) {}

  /// The scrubbed text, or nothing when no byte changed. Throws JsonScanner::Invalid.
  /// The bytes are built as a body's, so that a changed body is not copied once more.
  std::optional<http::Bytes> run() {
    value();
    if (!scan_.at_end()) scan_.fail();
    if (copied_ == 0) return std::nullopt;
    append(out_, text_.substr(copied_));
    return std::move(out_);
  }

 private:
  /// Copies the text up to `begin` and skips it to `end`: what comes next replaces that span.
  void replace_span(std::size_t begin, std::size_t end) {
    if (out_.empty()) out_.reserve(text_.size() + 64);
    append(out_, text_.substr(copied_, begin - copied_));
    copied_ = end;
  }
  void replace(std::size_t begin, std::size_t end, std::string_view with) {
    replace_span(begin, end);
    append(out_, with);
  }

  void value() {
    const char c = scan_.peek();
    if (c == '{' || c == '[') {
      scan_.consume(c);
      scan_.enter();
      const char close = c == '{' ? '}' : ']';
      if (!scan_.consume(close)) {
        do {
          if (c == '[') {
            value();
            continue;
          }
          scan_.string(key_);
          scan_.expect(':');
          if (!sanitizer_.is_secret_key(key_)) {
            value();
            continue;
          }
          std::string_view word;
          if (scan_.peek() == 'n' && scan_.literal(word)) continue;  // null stays null
          const std::size_t begin = scan_.offset();
          const std::string_view span = scan_.value();
          if (span != kQuotedSanitized) replace(begin, begin + span.size(), kQuotedSanitized);
        } while (scan_.consume(','));
        scan_.expect(close);
      }
      scan_.leave();
      return;
    }
    if (c != '"') {
      (void)scan_.value();
      return;
    }
    const std::size_t begin = scan_.offset();
    if (sanitizer_.options_.rules.body_regexes.empty()) {
      // Only needles can change the string: one without a guard (a backup blob, say) is
      // checked where it lies and never copied.
      bool escaped = false;
      const std::string_view raw = scan_.raw_string(escaped);
      if (!escaped) {
        if (!sanitizer_.contains_needle(raw)) return;
        string_.assign(raw);
      } else {
        detail::JsonScanner(text_.substr(begin, raw.size() + 2)).string(string_);
      }
    } else {
      scan_.string(string_);
    }
    if (!sanitizer_.scrub_value(string_)) return;
    replace_span(begin, scan_.offset());
    out_.push_back('"');
    append_json_escaped(out_, string_);
    out_.push_back('"');
  }

  static constexpr std::string_view kQuotedSanitized = "\"Sanitized\"";
  static_assert(kQuotedSanitized.substr(1, kQuotedSanitized.size() - 2) ==
                std::string_view(kSanitized));
  const Sanitizer& sanitizer_;
  std::string_view text_;
  detail::JsonScanner scan_;
  http::Bytes out_;
  std::size_t copied_ = 0;
  std::string key_;
  std::string string_;
};

bool Sanitizer::scrub_json(Json& json) const {
  if (json.is_string()) return scrub_value(json.get_ref<std::string&>());
  bool changed = false;
  if (json.is_object()) {
    for (auto& [key, value] : json.items()) {
      if (is_secret_key(key) && !value.is_null()) {
        if (value != kSanitized) {
          value = kSanitized;
          changed = true;
        }
      } else {
        changed = scrub_json(value) || changed;
      }
    }
  } else if (json.is_array()) {
    for (auto& item : json) changed = scrub_json(item) || changed;
  }
  return changed;
}

void Sanitizer::sanitize_body(Body& body, const std::string& uri, HeaderList& headers) const {
  if (body.kind == Body::Kind::None) return;
  if (body.kind == Body::Kind::Json) {
    if (!pointers_apply(uri)) {
      // The common case: no JSON Pointer rule, so the text is scrubbed as it is.
      try {
        std::optional<http::Bytes> scrubbed = TextScrubber(*this, http::as_text(body.bytes)).run();
        if (scrubbed) {
          body = Body::from_json_bytes(std::move(*scrubbed));
          set_content_length(headers, body);
        }
        return;
      } catch (const detail::JsonScanner::Invalid&) {
        // Not reachable for a body classified as JSON; the document path below decides.
      }
    }
    bool changed = false;
    Json json = body.take_json();
    for (const auto& rule : options_.rules.body_pointers) {
      if (rule.uri_compiled && !rule.uri_compiled->search(uri)) continue;
      const Json::json_pointer pointer(rule.pointer);
      if (json.contains(pointer)) {
        json[pointer] = rule.value;
        changed = true;
      }
    }
    changed = scrub_json(json) || changed;
    // Unchanged bodies keep their recorded bytes; changed ones are serialised again.
    if (changed) {
      body = Body::from_json(std::move(json));
      set_content_length(headers, body);
    } else {
      body = Body::from_parsed(std::move(body.bytes), std::move(json));
    }
    return;
  }
  const http::Bytes before = body.bytes;
  {
    std::string text = scrub_string(std::string(http::as_text(body.bytes)));
    if (body.kind == Body::Kind::Text) {
      redact_form_fields(text, options_.rules.body_keys);
      for (const auto& rewrite : options_.rules.body_regexes) {
        text = rewrite.apply(text);
      }
    }
    body.bytes = http::to_bytes(text);
  }
  if (body.bytes != before) set_content_length(headers, body);
}

bool Sanitizer::pointers_apply(const std::string& uri) const {
  return std::any_of(options_.rules.body_pointers.begin(), options_.rules.body_pointers.end(),
                     [&](const BodyPointerRule& rule) {
                       return !rule.uri_compiled || rule.uri_compiled->search(uri);
                     });
}

std::string Sanitizer::sanitized_uri(std::string uri) const {
  uri = scrub_string(std::move(uri));
  for (const auto& rewrite : options_.rules.uri_regexes) uri = rewrite.apply(uri);
  return uri;
}

const HeaderRule* Sanitizer::header_rule(std::string_view name) const {
  // Lengths first: most header names match no rule and differ in length from all of them.
  auto rule = std::find_if(options_.rules.headers.begin(), options_.rules.headers.end(),
                           [&](const HeaderRule& r) {
                             return r.name.size() == name.size() && http::iequals(r.name, name);
                           });
  return rule != options_.rules.headers.end() ? &*rule : nullptr;
}

void Sanitizer::rewrite_header(std::string_view name, std::string& value) const {
  for (const auto& r : options_.rules.header_regexes) {
    if (r.name.size() == name.size() && http::iequals(r.name, name))
      r.rewrite.apply_in_place(value);
  }
  replace_needles(value);
}

std::string_view Sanitizer::kept_header_value(std::string_view name, std::string_view value,
                                              std::string& scratch) const {
  if (const HeaderRule* rule = header_rule(name)) value = rule->value;
  const bool regex = std::any_of(
      options_.rules.header_regexes.begin(), options_.rules.header_regexes.end(),
      [&](const auto& r) { return r.name.size() == name.size() && http::iequals(r.name, name); });
  // Most values hold nothing to replace: they are kept as they are, without a copy.
  if (!regex && !contains_needle(value)) return value;
  scratch.assign(value);
  rewrite_header(name, scratch);
  return scratch;
}

template <class Fields>
HeaderList Sanitizer::kept_headers(const Fields& from, std::string& scratch) const {
  HeaderList kept;
  // Some room for values that grow (a local vault's address becomes the longer fake host), so
  // that the buffer is allocated once.
  kept.reserve(from.size(), HeaderList::bytes_of(from) + 64);
  for (const auto& [name, value] : from) kept.add(name, kept_header_value(name, value, scratch));
  return kept;
}

namespace {
// A token exchange carries the client secret one way and the access token the other: nothing of
// either body is kept.
// `request_body`, `response_body`: whether the exchange had them.
void redact_token_bodies(Entry& entry, bool request_body, bool response_body) {
  if (request_body) {
    entry.request_body = Body::from_text(kSanitized);
    set_content_length(entry.request_headers, entry.request_body);
  }
  if (response_body) {
    entry.response_body = Body::from_text(kSanitized);
    set_content_length(entry.response_headers, entry.response_body);
  }
}
}  // namespace

void Sanitizer::sanitize(Entry& entry) const {
  const bool token_exchange = is_token_request(entry.request_uri);
  entry.request_uri = sanitized_uri(std::move(entry.request_uri));
  std::string scratch;
  for (HeaderList* headers : {&entry.request_headers, &entry.response_headers}) {
    *headers = kept_headers(*headers, scratch);
  }
  if (token_exchange) {
    redact_token_bodies(entry, !entry.request_body.empty(), !entry.response_body.empty());
    return;
  }
  sanitize_body(entry.request_body, entry.request_uri, entry.request_headers);
  sanitize_body(entry.response_body, entry.request_uri, entry.response_headers);
}

Body Sanitizer::recorded_body(const http::Bytes& bytes, std::string_view content_type,
                              const std::string& uri, HeaderList& headers) const {
  if (bytes.empty()) return {};
  if (Body::json_candidate(bytes, content_type) && !pointers_apply(uri)) {
    // The scrubber checks the text as it goes: valid JSON is a JSON body, scrubbed or not.
    try {
      std::optional<http::Bytes> scrubbed = TextScrubber(*this, http::as_text(bytes)).run();
      if (!scrubbed) return Body::from_json_bytes(bytes);
      Body body = Body::from_json_bytes(std::move(*scrubbed));
      set_content_length(headers, body);
      return body;
    } catch (const detail::JsonScanner::Invalid&) {
      // Not JSON after all: classified and scrubbed as text below.
    }
  }
  Body body = Body::from_bytes(bytes, content_type);
  sanitize_body(body, uri, headers);
  return body;
}

Entry Sanitizer::record(const http::Request& request, const http::Response& response) const {
  Entry entry;
  std::string scratch;
  entry.request_method = request.method;
  {
    // Room for the fake host, which is longer than a local vault's "127.0.0.1:port": the
    // replacement then stays in this one allocation.
    std::string uri;
    uri.reserve(request.url.size() + 32);
    uri.assign(request.url);
    entry.request_uri = sanitized_uri(std::move(uri));
  }
  entry.request_headers = kept_headers(request.headers, scratch);
  entry.status_code = response.status;
  entry.response_headers = kept_headers(response.headers, scratch);
  if (is_token_request(request.url)) {
    redact_token_bodies(entry, !request.body.empty(), !response.body.empty());
    return entry;
  }
  entry.request_body = recorded_body(request.body, content_type_of(request.headers),
                                     entry.request_uri, entry.request_headers);
  entry.response_body = recorded_body(response.body, content_type_of(response.headers),
                                      entry.request_uri, entry.response_headers);
  return entry;
}

http::Request Sanitizer::sanitize_request(const http::Request& request) const {
  Entry entry = record(request, http::Response{});
  http::Request out;
  out.method = std::move(entry.request_method);
  out.url = std::move(entry.request_uri);
  out.headers = entry.request_headers.to_http();
  out.body = std::move(entry.request_body.bytes);
  return out;
}

bool Sanitizer::rewrites_requests() const {
  if (!options_.secrets.empty()) return true;
  const SanitizerRules defaults = SanitizerRules::defaults();
  return !options_.rules.uri_regexes.empty() || !options_.rules.body_pointers.empty() ||
         options_.rules.body_regexes.size() != defaults.body_regexes.size() ||
         options_.rules.body_keys.size() != defaults.body_keys.size();
}

Json Sanitizer::describe() const {
  Json out = options_.rules.to_json();
  out["vaultHost"] =
      options_.vault_url.empty() ? "kept" : std::string("replaced by ") + kFakeVaultHost;
  out["tokenExchanges"] = "bodies replaced by Sanitized";
  out["secretsRedacted"] = options_.secrets.size();
  return out;
}

}  // namespace kv::harness
