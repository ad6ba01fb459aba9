// The libcurl transport used for live traffic.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "kv/transport.hpp"

namespace kv::http {

/// Options of CurlTransport; defaults are safe for production use.
struct CurlTransportOptions {
  /// Verify the server's certificate and host name (never turn this off outside tests).
  bool verify_tls = true;
  /// PEM file with CA certificates to trust instead of the system bundle.
  std::optional<std::string> ca_bundle;
  /// PEM text with CA certificates to trust (in memory), e.g. localvault's certificate.
  std::optional<std::string> ca_pem;
  std::chrono::milliseconds connect_timeout{10'000};
  /// Whole-request timeout; 0 means none.
  std::chrono::milliseconds total_timeout{120'000};
  /// Explicit proxy URL; when unset libcurl honours http_proxy/https_proxy/no_proxy.
  std::optional<std::string> proxy;
};

/// Transport on libcurl. Keeps a pool of easy handles so connections are reused across calls.
/// libcurl (libcurl.so.4) is loaded by the first CurlTransport, so programs that only replay never
/// load it; the constructor throws std::runtime_error when it cannot be loaded.
class CurlTransport final : public Transport {
 public:
  explicit CurlTransport(CurlTransportOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Response send(const Request& request) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kv::http
