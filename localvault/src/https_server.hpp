#pragma once
// The thin socket adapter: kv::httpserver's HTTPS server in front of VaultService.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kv/httpserver/server.hpp"
#include "kv/localvault/vault_service.hpp"

namespace kv::localvault {

/// How the adapter runs: worker threads, connection limits, clock (the service persists its own
/// changes).
struct ServeConfig {
  int threads = 32;
  std::size_t max_body_bytes = 256 * 1024;
  httpserver::Limits limits;  // its max_body_bytes is replaced by the one above
  std::vector<int> stop_signals;
  std::function<std::int64_t()> now_ms;  // Unix milliseconds
};

/// Serves one VaultService over HTTPS; calls into the service are serialised by a mutex.
class HttpsServer {
 public:
  /// Keeps the service and the identity (both must outlive the server) for bind().
  HttpsServer(VaultService& service, const httpserver::TlsIdentity& identity, ServeConfig config);
  ~HttpsServer();
  HttpsServer(const HttpsServer&) = delete;
  HttpsServer& operator=(const HttpsServer&) = delete;

  /// Binds host:port (0 = any free port) and returns the port; throws when it cannot bind or the
  /// TLS identity is unusable.
  int bind(const std::string& host, int port);

  /// Serves until stop() or a stop signal; requests in progress finish first.
  void run();

  /// Starts the graceful stop; safe from another thread.
  void stop();

 private:
  httpserver::Response handle(const httpserver::Request& request);

  VaultService& service_;
  const httpserver::TlsIdentity& identity_;
  ServeConfig config_;
  std::unique_ptr<httpserver::Server> server_;
  std::mutex mutex_;
};

}  // namespace kv::localvault
