// What the proxy changes in the traffic it passes on, so that a client that believes the proxy is
// its vault and its authority keeps talking to the proxy: origins in bodies and headers, the 401
// challenge, hop-by-hop headers, and the form fields of token requests.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kv::harness::detail {

/// "scheme://host[:port]" of an absolute URL (the host lower-cased); throws std::invalid_argument.
std::string origin_of(std::string_view url);

/// Replaces origins by others in text: each as written, with the default port spelled out (the
/// service writes nextLink so), JSON-escaped ("https:\/\/...") and URL-encoded.
class OriginRewriter {
 public:
  /// Adds `from` -> `to`; both are origins ("https://host[:port]"). Equal origins are ignored.
  void add(std::string_view from, std::string_view to);
  /// `text` with every known origin replaced (longest first).
  std::string apply(std::string text) const;
  /// True when `text` contains something apply() would replace.
  bool touches(std::string_view text) const;
  bool empty() const { return pairs_.empty(); }

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

/// Headers that describe one connection, not the message (RFC 9110 section 7.6.1), plus those the
/// server or libcurl computes itself: never passed on.
bool is_hop_by_hop(std::string_view name);

/// A Bearer challenge as passed to the client: the origin of `authorization` (or
/// `authorization_uri`) becomes `authority_origin`, and `resource` (or the origin of `scope`)
/// becomes `resource` (empty: kept). The challenge's own resource is stored in
/// *original_resource.
std::string rewrite_challenge(std::string_view challenge, std::string_view authority_origin,
                              std::string_view resource, std::string* original_resource);

/// The tenant a Bearer challenge names (first path segment of `authorization`), or "".
std::string challenge_tenant(std::string_view challenge);

/// The value of form field `name` in an application/x-www-form-urlencoded body (decoded), or "".
std::string form_field(std::string_view form, std::string_view name);
/// `form` with field `name` set to `value` (encoded); fields not present are left absent.
std::string replace_form_field(std::string_view form, std::string_view name,
                               std::string_view value);

}  // namespace kv::harness::detail
