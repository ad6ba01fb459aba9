#pragma once
// How a server listens, what it accepts, and how it words the answers it gives on its own.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "kv/httpserver/message.hpp"

namespace kv::httpserver {

/// Why the server answered a request itself instead of calling the handler.
enum class ErrorKind {
  BadRequest,           // 400: malformed or ambiguous framing; the connection is closed
  RequestLineTooLong,   // 414
  TooManyHeaders,       // 431: more header fields than Limits::max_header_count
  HeadersTooLarge,      // 431: header section above Limits::max_header_bytes
  BodyTooLarge,         // 413: body above Limits::max_body_bytes
  RequestTimeout,       // 408: request not complete within Limits::request_timeout
  ExpectationFailed,    // 417: an Expect other than 100-continue
  VersionNotSupported,  // 505: not HTTP/1.0 or HTTP/1.1
  HandlerFailed,        // 500: the handler threw or returned an unsendable response
};

/// What the server tells the client about a request it refused.
struct ErrorInfo {
  ErrorKind kind = ErrorKind::BadRequest;
  int status = 400;
  std::string code;     // a stable name, e.g. "RequestHeaderFieldsTooLarge"
  std::string message;  // one sentence for a person, e.g. "The request has more than 100 ..."
};

/// Shapes the response for a refused request; the server keeps its status and closes the
/// connection afterwards (except after a 500 from the handler). Called on the I/O thread (and on
/// workers for 500s): it must be quick and thread-safe; if it throws, plain_text_error is used.
using ErrorRenderer = std::function<Response(const ErrorInfo&)>;

/// The default error body: `message` and a newline as text/plain.
Response plain_text_error(const ErrorInfo& error);

/// What one request and one connection may use. Checked while reading, before more is buffered.
struct Limits {
  std::size_t max_request_line_bytes = 8 * 1024;  // longer: 414
  std::size_t max_header_count = 100;             // more fields: 431
  std::size_t max_header_bytes = 64 * 1024;       // header section (after the request line): 431
  std::size_t max_body_bytes = 1024 * 1024;       // declared or decoded body: 413
  /// From a request's first byte to its last (header and body): 408, then close.
  std::chrono::milliseconds request_timeout{10'000};
  /// A keep-alive connection with no request in progress is closed after this long.
  std::chrono::milliseconds idle_timeout{240'000};
  /// A TLS handshake not finished in this time: closed.
  std::chrono::milliseconds handshake_timeout{10'000};
  /// Writing one response (a client that stops reading): closed.
  std::chrono::milliseconds write_timeout{30'000};
  /// Open connections at most; more are accepted and closed at once (no TLS, no answer).
  std::size_t max_connections = 10'000;
};

/// Everything a Server is built from.
struct ServerOptions {
  std::string host = "127.0.0.1";  // an IP address to listen on
  std::uint16_t port = 0;          // 0: any free port (see Server::port())
  int worker_threads = 8;          // threads that run handlers
  int io_threads = 1;              // threads that do socket and TLS work
  Limits limits;
  ErrorRenderer error_response;  // empty: plain_text_error
  /// Signals that start a graceful stop (e.g. SIGINT, SIGTERM); empty: only Server::stop().
  std::vector<int> stop_signals;
  /// How long a graceful stop lets requests in progress finish before it closes them.
  std::chrono::milliseconds stop_timeout{5'000};
  /// Raise RLIMIT_NOFILE's soft limit to the hard limit when the server is built.
  bool raise_open_file_limit = true;
};

/// Counters of a running server.
struct ServerStats {
  std::size_t open_connections = 0;  // accepted and not yet closed
  std::size_t busy_connections = 0;  // with a request being read, handled or answered
  std::uint64_t accepted_connections = 0;
  std::uint64_t refused_connections = 0;  // closed at once: max_connections reached
  std::uint64_t requests = 0;             // handed to the handler
  std::uint64_t refused_requests = 0;     // answered with an ErrorInfo
};

}  // namespace kv::httpserver
