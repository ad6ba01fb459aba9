// The one transport seam: everything that moves an HTTP request implements Transport.
#pragma once

#include <stdexcept>
#include <string>

#include "kv/http.hpp"

namespace kv::http {

/// Sends one request and returns the response. Implementations: CurlTransport, and in the harness
/// RecordingTransport and PlaybackTransport. Must be safe to call from several threads.
class Transport {
 public:
  virtual ~Transport() = default;
  /// Sends `request`; throws TransportError when no HTTP response could be obtained.
  virtual Response send(const Request& request) = 0;
};

/// No HTTP response was obtained (DNS, connect, TLS, timeout, reset). Retried by the pipeline.
class TransportError : public std::runtime_error {
 public:
  /// `code` is the libcurl CURLcode (or another transport's own code), `detail` its explanation.
  TransportError(int code, std::string detail, std::string method, std::string url);

  int code() const noexcept { return code_; }
  const std::string& detail() const noexcept { return detail_; }
  const std::string& method() const noexcept { return method_; }
  const std::string& url() const noexcept { return url_; }

 private:
  int code_;
  std::string detail_;
  std::string method_;
  std::string url_;
};

}  // namespace kv::http
