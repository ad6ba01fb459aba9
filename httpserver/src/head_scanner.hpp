#pragma once
// Checks a request head line by line as its bytes arrive, before the HTTP parser sees it: the
// size limits, and the framing rules that Beast 1.74 leaves open (duplicate Content-Length,
// Transfer-Encoding other than chunked, obs-fold, bare LF).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "kv/httpserver/options.hpp"

namespace kv::httpserver::detail {

/// The ErrorInfo of each refusal the server makes, with its status, code and message.
ErrorInfo bad_request(std::string message);
ErrorInfo request_line_too_long(std::size_t limit);
ErrorInfo too_many_headers(std::size_t limit);
ErrorInfo headers_too_large(std::size_t limit);
ErrorInfo body_too_large(std::size_t limit);
ErrorInfo request_timeout(std::chrono::milliseconds limit);
ErrorInfo expectation_failed(std::string_view expectation);
ErrorInfo version_not_supported();
ErrorInfo handler_failed();

/// Incremental checker of one request head (request line, fields, blank line).
class HeadScanner {
 public:
  /// What scan() found.
  enum class State { NeedMore, Complete, Failed };

  /// Uses the request-line and header limits.
  explicit HeadScanner(const Limits& limits) : limits_(limits) {}

  /// Looks at the head received so far (`data` starts at the request's first byte and only
  /// grows between calls; bytes already checked are not looked at again).
  State scan(std::string_view data);

  /// Why scan() returned Failed.
  const ErrorInfo& error() const { return *error_; }

  /// The header fields seen, in wire order with OWS trimmed (Beast's own list groups fields of
  /// one name together); valid once scan() returned Complete.
  Headers take_fields() { return std::move(fields_); }

  /// Starts over for the next request.
  void reset();

 private:
  State fail(ErrorInfo error);
  State check_line(std::string_view line);

  const Limits& limits_;
  std::size_t pos_ = 0;         // next byte to look at
  std::size_t line_start_ = 0;  // first byte of the current line
  std::size_t fields_start_ = 0;
  std::size_t lines_ = 0;  // complete lines seen, the request line included
  std::size_t content_lengths_ = 0;
  std::size_t transfer_encodings_ = 0;
  std::optional<ErrorInfo> error_;
  Headers fields_;
};

}  // namespace kv::httpserver::detail
