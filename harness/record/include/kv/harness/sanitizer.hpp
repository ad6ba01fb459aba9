// The sanitizer: applied to every entry before it is kept, so nothing secret is ever written.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kv/harness/fixture.hpp"
#include "kv/harness/rules.hpp"

namespace kv::harness {

/// What to sanitize besides the rules: the real vault and the strings that must never appear.
struct SanitizerOptions {
  SanitizerRules rules = SanitizerRules::defaults();
  /// The real vault URL; its host becomes kFakeVaultHost everywhere. Empty: no host rewrite.
  std::string vault_url;
  /// Exact strings (client secret, sensitive values) replaced in every form: raw, URL-encoded,
  /// JSON-escaped and base64.
  std::vector<std::string> secrets;
};

/// The fixed host that replaces the real vault host in every recording.
inline constexpr const char* kFakeVaultHost = "fakevault.vault.azure.net";

/// The text secrets and canaries are replaced with.
inline constexpr const char* kSanitized = "Sanitized";

/// Applies SanitizerOptions to entries, requests and free text. Immutable, so thread-safe.
class Sanitizer {
 public:
  explicit Sanitizer(SanitizerOptions options = {});

  /// Sanitizes one entry in place (URI, headers, bodies; token exchanges fully redacted) and
  /// recomputes Content-Length headers for bodies it changed.
  void sanitize(Entry& entry) const;
  /// The sanitized entry of one exchange, as sanitize() would leave an entry built from it
  /// (bodies classified by their Content-Type): what a recorder keeps. Copies only what is kept
  /// (a replaced header value or a redacted body is never copied) and checks and scrubs a JSON
  /// body in one pass.
  Entry record(const http::Request& request, const http::Response& response) const;
  /// Replaces secrets (in every form) and the vault host in free text (messages, logs).
  std::string scrub(std::string_view text) const;
  /// The request as it would be recorded (used in playback so both sides compare alike).
  http::Request sanitize_request(const http::Request& request) const;
  /// True when the rules or secrets could change a request (playback then sanitizes actual
  /// requests the same way before matching).
  bool rewrites_requests() const;
  /// The rules as JSON for the fixture metadata (secrets are listed by count only).
  Json describe() const;

  /// True for OAuth token endpoints (path ends with /oauth2/v2.0/token or /oauth2/token).
  static bool is_token_request(std::string_view url);

 private:
  class TextScrubber;
  std::string scrub_string(std::string value) const;
  /// Scrubs one string value in place (replacements, body regexes); true when it changed.
  bool scrub_value(std::string& value) const;
  /// Every needle of replacements_ in `value` replaced, in place; true when any was found.
  bool replace_needles(std::string& value) const;
  /// False when `text` cannot hold any needle of replacements_ (it holds no guard).
  bool contains_needle(std::string_view text) const;
  bool is_secret_key(std::string_view key) const;
  /// Scrubs every string in place; true when anything changed.
  bool scrub_json(Json& json) const;
  void sanitize_body(Body& body, const std::string& uri, HeaderList& headers) const;
  /// The body record() keeps for `bytes` sent with `content_type`.
  Body recorded_body(const http::Bytes& bytes, std::string_view content_type,
                     const std::string& uri, HeaderList& headers) const;
  /// True when a JSON Pointer rule applies to `uri`.
  bool pointers_apply(const std::string& uri) const;
  std::string sanitized_uri(std::string uri) const;
  /// The header rule that replaces the value of `name`, or nullptr.
  const HeaderRule* header_rule(std::string_view name) const;
  /// The header regexes for `name` and the needles, in place.
  void rewrite_header(std::string_view name, std::string& value) const;
  /// The value a header `name: value` is kept with: its rule's value or its own, rewritten;
  /// `scratch` holds it when rewriting changed it, else it views `value` or the rule.
  std::string_view kept_header_value(std::string_view name, std::string_view value,
                                     std::string& scratch) const;
  /// The headers kept of `from` (http::Headers or HeaderList), each with kept_header_value().
  template <class Fields>
  HeaderList kept_headers(const Fields& from, std::string& scratch) const;
  /// True when any guard occurs in `text`, by sampling (see gram_bits_); with `found`, every
  /// guard found (indices below 64) is added to it.
  bool sampled_guard_search(std::string_view text, std::uint64_t* found) const;
  /// The guards (of at most 64) that occur in `text`, a bit per index into guards_.
  std::uint64_t guards_in(std::string_view text) const;

  SanitizerOptions options_;
  /// (needle, replacement) pairs, longest needle first.
  std::vector<std::pair<std::string, std::string>> replacements_;
  /// Strings one of which every needle contains: a text holding none of them needs no scrubbing.
  std::vector<std::string> guards_;
  /// Per needle of replacements_: a guard it contains (index into guards_).
  std::vector<std::uint16_t> needle_guard_;
  /// Per byte value: the guards that start with it (indices into guards_), so that one pass over
  /// a short string tells whether any guard occurs in it.
  std::array<std::vector<std::uint16_t>, 256> guards_by_first_byte_;
  /// Which byte values start a guard: most bytes of a text are rejected by one lookup.
  std::array<bool, 256> starts_guard_{};
  /// The sampled search, when every guard is at least kMinSampledGuard bytes long: with L the
  /// shortest guard, any occurrence of a guard covers one of the positions 0, S, 2S, ... (S =
  /// L - 3) with four of its first L bytes, so only those positions' four bytes are looked up,
  /// in a set (a bit per hash) of each guard's four-byte strings at offsets 0..S-1. A hit is
  /// checked exactly at the S positions it could start from. Not used when a guard is shorter.
  std::array<std::uint64_t, 128> gram_bits_{};
  std::size_t gram_stride_ = 0;  // 0: no sampled search
};

/// The digest stored as the fixture's sanitizersDigest: "sha256:" and the hex SHA-256 of `set`
/// (a Sanitizer::describe() value) as compact JSON with sorted keys.
std::string sanitizer_set_digest(const Json& set);

/// The rules of the stored sanitizer set `stored` that `current` no longer has, each named as
/// `headers "Cookie"`, `bodyKeys "client_secret"`, ... (docs/fixture-format.md, "Weaker
/// sanitizers", defines when a rule is covered). Empty when `current` is as strong or stronger.
/// `recording`: `current` is about to record, so a vault host no longer replaced and fewer
/// registered secrets than stored count as weaker too (a playback sends nothing anywhere).
std::vector<std::string> missing_sanitizers(const Json& stored, const Json& current,
                                            bool recording);

}  // namespace kv::harness
