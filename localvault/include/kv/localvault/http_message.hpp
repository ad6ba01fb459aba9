#pragma once
// Value types for one HTTP exchange as the vault core sees it; the socket adapter fills them.

#include <map>
#include <string>
#include <string_view>

namespace kv::localvault {

/// Orders header names case-insensitively, as HTTP requires.
struct HeaderNameLess {
  using is_transparent = void;
  /// True when a sorts before b ignoring ASCII case.
  bool operator()(std::string_view a, std::string_view b) const;
};

/// True when a and b are equal ignoring ASCII case (header names, tenants, hosts).
bool iequals(std::string_view a, std::string_view b);

/// Header fields keyed case-insensitively; one value per name.
using HeaderMap = std::map<std::string, std::string, HeaderNameLess>;

/// A request as received: method, raw path (still percent-encoded), decoded query, headers, body.
struct CoreRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> query;
  HeaderMap headers;
  std::string body;
};

/// A response to send back; `state_changed` is true when the request changed the vault (and the
/// service's StateStore, if it has one, persisted the change before this answer).
struct CoreResponse {
  int status = 200;
  HeaderMap headers;
  std::string body;
  bool state_changed = false;
};

/// Decodes %XX escapes (and '+' as space when asked); malformed escapes are kept verbatim.
std::string percent_decode(std::string_view text, bool plus_as_space);

/// Splits "a=1&b=2" into decoded pairs; the first occurrence of a name wins.
std::map<std::string, std::string> parse_query(std::string_view query);

/// Splits a request target "/path?query" into a CoreRequest's path and query.
void split_target(std::string_view target, CoreRequest& request);

}  // namespace kv::localvault
