// A small URL type: parsing, percent-encoding and query manipulation for the client and harness.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kv {

/// A parsed absolute URL: scheme://host[:port]/path?query. Query order is preserved.
class Url {
 public:
  using QueryParam = std::pair<std::string, std::string>;

  Url() = default;
  /// Parses an absolute http(s) URL; throws std::invalid_argument naming the URL when malformed.
  explicit Url(std::string_view text);

  const std::string& scheme() const { return scheme_; }
  const std::string& host() const { return host_; }
  /// Explicit port, or 0 when the URL has none.
  int port() const { return port_; }
  /// The port in effect (explicit, else 443 for https, 80 for http).
  int effective_port() const;
  /// Path as on the wire (still percent-encoded), always starting with '/'.
  const std::string& path() const { return path_; }
  /// The path's non-empty segments, percent-decoded ("/secrets/a%20b/" gives {"secrets", "a b"}).
  std::vector<std::string> path_segments() const;
  /// Decoded query parameters in their original order.
  const std::vector<QueryParam>& query() const { return query_; }

  /// The value of query parameter `name`, or nullptr.
  const std::string* query_value(std::string_view name) const;
  /// Sets (replacing) a query parameter.
  void set_query(std::string name, std::string value);
  /// Removes a query parameter.
  void remove_query(std::string_view name);
  /// Replaces the path (already encoded).
  void set_path(std::string path) { path_ = std::move(path); }
  void set_host(std::string host) { host_ = std::move(host); }
  void set_port(int port) { port_ = port; }

  /// scheme://host[:port]
  std::string authority_url() const;
  /// The whole URL, query re-encoded in order.
  std::string str() const;

 private:
  std::string scheme_;
  std::string host_;
  int port_ = 0;
  std::string path_ = "/";
  std::vector<QueryParam> query_;
};

/// The request target of `url` ("/path?query"): scheme, host and fragment removed, "/" when
/// there is no path. `url` may be absolute or already a target. No copy.
std::string_view url_target(std::string_view url);

/// Percent-encodes everything except unreserved characters (A-Z a-z 0-9 - . _ ~).
std::string url_encode(std::string_view text);
/// Decodes %XX escapes. Malformed escapes are kept as is.
std::string url_decode(std::string_view text);
/// The same for application/x-www-form-urlencoded text (form fields, query strings of forms),
/// where '+' also stands for a space.
std::string form_decode(std::string_view text);

}  // namespace kv
