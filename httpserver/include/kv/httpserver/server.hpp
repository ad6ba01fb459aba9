#pragma once
// An HTTPS/1.1 server: one event loop for every connection's I/O, a worker pool for handlers.

#include <cstdint>
#include <memory>

#include "kv/httpserver/message.hpp"
#include "kv/httpserver/options.hpp"
#include "kv/httpserver/tls_identity.hpp"

namespace kv::httpserver {

namespace detail {
struct ServerCore;
}

/// Serves HTTPS on one address. An idle keep-alive connection costs a socket and its TLS state,
/// never a thread. Requests on one connection are answered in order, one at a time.
class Server {
 public:
  /// Binds and listens, prepares TLS; throws std::runtime_error naming what failed.
  Server(ServerOptions options, const TlsIdentity& identity, Handler handler);
  /// Stops (if running, from another thread) and waits for run() to return.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// The bound port (the one picked when options.port was 0).
  std::uint16_t port() const;

  /// Serves until stop() or a stop signal, then returns once every connection is closed and no
  /// handler is running. Call it once, from one thread.
  void run();

  /// Starts a graceful stop: no new connections, idle ones closed at once, requests in progress
  /// finish (their responses carry Connection: close) for up to options.stop_timeout, then every
  /// connection is closed. Safe from any thread, before or during run(); not from a signal
  /// handler (use options.stop_signals).
  void stop();

  /// Current counters; safe from any thread.
  ServerStats stats() const;

 private:
  std::shared_ptr<detail::ServerCore> impl_;
};

/// Raises RLIMIT_NOFILE's soft limit to its hard limit; returns the soft limit now in force.
std::uint64_t raise_open_file_limit();

}  // namespace kv::httpserver
