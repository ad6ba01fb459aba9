#pragma once
// The thin socket adapter: cpp-httplib's TLS server in front of VaultService.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "kv/localvault/tls_identity.hpp"
#include "kv/localvault/vault_service.hpp"

namespace httplib {
class SSLServer;
}

namespace kv::localvault {

/// How the adapter runs: worker threads, clock (the service persists its own changes).
struct ServeConfig {
  int threads = 32;
  std::size_t max_body_bytes = 256 * 1024;
  std::function<std::int64_t()> now_ms;  // Unix milliseconds
};

/// Serves one VaultService over HTTPS; calls into the service are serialised by a mutex.
class HttpsServer {
 public:
  /// Prepares the TLS context; throws std::runtime_error when the identity is unusable.
  HttpsServer(VaultService& service, const TlsIdentity& identity, ServeConfig config);
  ~HttpsServer();
  HttpsServer(const HttpsServer&) = delete;
  HttpsServer& operator=(const HttpsServer&) = delete;

  /// Binds host:port (0 = any free port) and returns the port; throws when it cannot bind.
  int bind(const std::string& host, int port);

  /// Accepts connections until stop(); returns false if listening failed.
  bool run();

  /// Stops accepting and returns from run(); safe from another thread.
  void stop();

  /// Waits for the request in progress (if any) and keeps every later one out, for good.
  void hold();

 private:
  VaultService& service_;
  ServeConfig config_;
  std::unique_ptr<httplib::SSLServer> server_;
  std::mutex mutex_;
};

}  // namespace kv::localvault
