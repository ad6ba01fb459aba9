#pragma once
// Value types for one HTTP/1.1 exchange: what a handler receives and what it returns.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace kv::httpserver {

/// True when a and b are equal ignoring ASCII case (header names, tokens).
bool iequals(std::string_view a, std::string_view b);

/// One header field, as received or to be sent.
struct Header {
  std::string name;
  std::string value;
};

/// Header fields in wire order; every lookup ignores the case of the name.
class Headers {
 public:
  /// An empty list.
  Headers() = default;
  /// The given fields, in order.
  Headers(std::initializer_list<Header> fields);

  /// The value of the first field called `name`, or nullptr.
  const std::string* find(std::string_view name) const;
  /// The value of the first field called `name`, or `fallback`.
  std::string get(std::string_view name, std::string_view fallback = {}) const;
  /// True when at least one field is called `name`.
  bool contains(std::string_view name) const { return find(name) != nullptr; }
  /// How many fields are called `name`.
  std::size_t count(std::string_view name) const;

  /// Appends a field; earlier fields of the same name stay.
  void add(std::string name, std::string value);
  /// Replaces every field called `name` by one, kept where the first one was (else appended).
  void set(std::string_view name, std::string value);
  /// Removes every field called `name`; returns how many there were.
  std::size_t erase(std::string_view name);

  /// Number of fields.
  std::size_t size() const { return fields_.size(); }
  /// True when there is no field.
  bool empty() const { return fields_.empty(); }
  /// First field, in wire order.
  std::vector<Header>::const_iterator begin() const { return fields_.begin(); }
  /// Past the last field.
  std::vector<Header>::const_iterator end() const { return fields_.end(); }

 private:
  std::vector<Header> fields_;
};

/// A complete request: the whole body has been read (chunked bodies are decoded).
struct Request {
  std::string method;          // as sent, e.g. "GET"
  std::string target;          // the request target as sent, still percent-encoded
  int version = 11;            // 10 for HTTP/1.0, 11 for HTTP/1.1
  Headers headers;             // as sent, in order
  std::string body;            // decoded body bytes
  std::string remote_address;  // the peer's IP address, e.g. "127.0.0.1"
  std::uint16_t remote_port = 0;
};

/// A response to send. The server adds Content-Length (and Connection, Date when absent) itself;
/// a handler's own Content-Length or Transfer-Encoding is dropped.
struct Response {
  int status = 200;
  Headers headers;
  std::string body;
};

/// Answers one request. Runs on a worker thread, never on the thread that does the I/O; it may
/// block (an upstream call) without delaying other connections. An exception becomes a 500.
using Handler = std::function<Response(const Request&)>;

/// The standard reason phrase of a status code ("Not Found"), or "" (as kv::http::reason_phrase;
/// the status line then says "Unknown").
std::string_view reason_phrase(int status);

}  // namespace kv::httpserver
