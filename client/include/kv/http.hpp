// HTTP value types that cross the transport seam: requests, responses and their headers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kv::http {

/// Raw body bytes of a request or response.
using Bytes = std::vector<std::uint8_t>;

/// Converts text to body bytes.
Bytes to_bytes(std::string_view text);
/// Views body bytes as text (no copy).
std::string_view as_text(const Bytes& bytes);

/// Case-insensitive ASCII comparison of header names.
bool iequals(std::string_view a, std::string_view b);

/// HTTP headers: names compare case-insensitively, insertion order and original casing are kept.
class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  Headers() = default;
  Headers(std::initializer_list<Field> fields);
  /// The fields in this order (duplicates kept).
  explicit Headers(std::vector<Field> fields) : fields_(std::move(fields)) {}

  /// Replaces every field named `name` with one field.
  void set(std::string name, std::string value);
  /// Appends a field, keeping any existing one of the same name.
  void add(std::string name, std::string value);
  /// Removes every field named `name`; returns how many were removed.
  std::size_t erase(std::string_view name);
  /// The first value of `name`, if present.
  std::optional<std::string> get(std::string_view name) const;
  /// A pointer to the first value of `name`, or nullptr; avoids a copy on hot paths.
  const std::string* find(std::string_view name) const;
  bool contains(std::string_view name) const { return find(name) != nullptr; }

  auto begin() const { return fields_.begin(); }
  auto end() const { return fields_.end(); }
  /// Fields to change in place (names and values; the order is kept).
  auto begin() { return fields_.begin(); }
  auto end() { return fields_.end(); }
  std::size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  void clear() { fields_.clear(); }
  void reserve(std::size_t n) { fields_.reserve(n); }

  friend bool operator==(const Headers&, const Headers&) = default;

 private:
  std::vector<Field> fields_;
};

/// One HTTP request as sent on the wire.
struct Request {
  std::string method;  ///< "GET", "PUT", "PATCH", "POST", "DELETE", ...
  std::string url;     ///< Absolute URL including the query string.
  Headers headers;
  Bytes body;

  /// The body as text.
  std::string_view body_text() const { return as_text(body); }
};

/// One HTTP response as received from the wire.
struct Response {
  int status = 0;
  std::string reason;  ///< Reason phrase, may be empty.
  Headers headers;
  Bytes body;

  /// The body as text.
  std::string_view body_text() const { return as_text(body); }
};

/// The reason phrase HTTP/1.1 defines for a status code ("OK", "Not Found"...), or "".
std::string_view reason_phrase(int status);

}  // namespace kv::http
