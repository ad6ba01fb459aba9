#pragma once
// A TLS client for tests that sends exactly the bytes it is given (malformed requests, floods)
// and reads responses byte by byte off the wire. Blocking, with socket timeouts so that a test
// never hangs; it trusts one PEM certificate.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kv::testing {

/// Status line, header fields and body of one response as read off the wire.
struct RawResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// The first value of a header (name compared ignoring case), or "".
  std::string header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (n.size() != name.size()) continue;
      bool same = true;
      for (std::size_t i = 0; i < n.size() && same; ++i)
        same = std::tolower(static_cast<unsigned char>(n[i])) ==
               std::tolower(static_cast<unsigned char>(name[i]));
      if (same) return v;
    }
    return "";
  }
};

/// Trust for the test server's certificate, shared by many clients.
class TlsTrust {
 public:
  /// Trusts the PEM certificate `pem` (and nothing else).
  explicit TlsTrust(const std::string& pem) : ctx_(SSL_CTX_new(TLS_client_method()), SSL_CTX_free) {
    if (!ctx_) throw std::runtime_error("SSL_CTX_new failed");
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), int(pem.size())),
                                                  BIO_free);
    X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (!cert) throw std::runtime_error("no PEM certificate to trust");
    X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx_.get()), cert);
    X509_free(cert);
    SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_PEER, nullptr);
  }
  /// The OpenSSL context clients are made from.
  SSL_CTX* get() const { return ctx_.get(); }

 private:
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx_{nullptr, SSL_CTX_free};
};

/// One TLS connection to 127.0.0.1:port.
class RawTlsClient {
 public:
  /// Connects and completes the handshake (verifying the certificate for 127.0.0.1); throws when
  /// that fails. `timeout` bounds every later read and write.
  RawTlsClient(const TlsTrust& trust, int port,
               std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    // Writing to a server that closed the connection must fail the write, not end the test.
    ::signal(SIGPIPE, SIG_IGN);
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket() failed");
    set_timeout(timeout);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
    }
    ssl_ = SSL_new(trust.get());
    SSL_set_fd(ssl_, fd_);
    SSL_set1_host(ssl_, "127.0.0.1");
    if (SSL_connect(ssl_) != 1) {
      SSL_free(ssl_);
      ::close(fd_);
      throw std::runtime_error("TLS handshake with 127.0.0.1:" + std::to_string(port) + " failed");
    }
  }
  RawTlsClient(const RawTlsClient&) = delete;
  RawTlsClient& operator=(const RawTlsClient&) = delete;
  ~RawTlsClient() {
    SSL_free(ssl_);
    ::close(fd_);
  }

  /// Changes the timeout of later reads and writes.
  void set_timeout(std::chrono::milliseconds timeout) {
    timeval tv{static_cast<time_t>(timeout.count() / 1000),
               static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }

  /// Writes all of `bytes`; false when the connection failed first.
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      int n = SSL_write(ssl_, bytes.data(),
                        static_cast<int>(std::min<std::size_t>(bytes.size(), 1 << 20)));
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  /// True when response bytes (or the peer's close) are waiting, after up to `wait`. TLS
  /// records that carry no data (TLS 1.3 session tickets) do not count.
  bool readable(std::chrono::milliseconds wait = std::chrono::milliseconds(0)) {
    if (pending_.size() > 0 || SSL_pending(ssl_) > 0) return true;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return false;
    int flags = ::fcntl(fd_, F_GETFL);
    ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
    char byte;
    int n = SSL_peek(ssl_, &byte, 1);
    int err = n > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl_, n);
    ERR_clear_error();
    ::fcntl(fd_, F_SETFL, flags);
    return err != SSL_ERROR_WANT_READ;
  }

  /// Reads one response (a 1xx interim one too); nullopt when the connection ended or timed out
  /// before a complete one arrived.
  std::optional<RawResponse> read_response() {
    std::size_t end;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos)
      if (!fill()) return std::nullopt;
    std::string head = pending_.substr(0, end + 2);
    pending_.erase(0, end + 4);
    RawResponse r;
    std::size_t eol = head.find("\r\n");
    std::string status_line = head.substr(0, eol);
    if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) return std::nullopt;
    r.status = std::stoi(status_line.substr(9, 3));
    for (std::size_t at = eol + 2; at < head.size();) {
      std::size_t next = head.find("\r\n", at);
      std::string line = head.substr(at, next - at);
      at = next + 2;
      std::size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      r.headers.emplace_back(line.substr(0, colon), value);
    }
    if (r.status < 200 || r.status == 204 || r.status == 304 || head_only_) return r;
    std::string length = r.header("Content-Length");
    std::size_t want = length.empty() ? 0 : std::stoul(length);
    while (pending_.size() < want)
      if (!fill()) return std::nullopt;
    r.body = pending_.substr(0, want);
    pending_.erase(0, want);
    return r;
  }

  /// Reads the final response, skipping 1xx interim ones.
  std::optional<RawResponse> read_final_response() {
    for (;;) {
      auto r = read_response();
      if (!r || r->status >= 200) return r;
    }
  }

  /// True when the server closes the connection (EOF or reset) within the read timeout, with no
  /// further response bytes.
  bool closed_by_peer() {
    if (!pending_.empty()) return false;
    char byte;
    int n = SSL_read(ssl_, &byte, 1);
    if (n > 0) return false;
    int err = SSL_get_error(ssl_, n);
    ERR_clear_error();
    // A read timeout is not a close.
    return !(err == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK));
  }

  /// The next response is to a HEAD request: no body follows its headers.
  void expect_head_response(bool head) { head_only_ = head; }

 private:
  bool fill() {
    char chunk[16384];
    int n = SSL_read(ssl_, chunk, sizeof chunk);
    if (n <= 0) {
      ERR_clear_error();
      return false;
    }
    pending_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  SSL* ssl_ = nullptr;
  std::string pending_;
  bool head_only_ = false;
};

/// "METHOD TARGET HTTP/1.1", Host, the given extra header lines (each ending in CRLF), a
/// Content-Length when `body` is not empty, the blank line and the body.
inline std::string raw_request(std::string_view method, std::string_view target,
                               std::string_view extra_headers = {}, std::string_view body = {}) {
  std::string out = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\n";
  out += "Host: 127.0.0.1\r\n";
  out += extra_headers;
  if (!body.empty()) out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += "\r\n";
  out += body;
  return out;
}

/// Sends a request head followed by `total` bytes of header lines ("X-Fill-N: aaa...\r\n", 8 KiB
/// each) without building it in memory, stopping early once the server answers or closes.
/// Returns the number of flood bytes sent.
inline std::size_t send_header_flood(RawTlsClient& client, std::size_t total,
                                     std::size_t line_bytes = 8192) {
  if (!client.send("GET /flood HTTP/1.1\r\nHost: 127.0.0.1\r\n")) return 0;
  std::string block;
  for (std::size_t i = 0; block.size() < 64 * 1024; ++i) {
    std::string name = "X-Fill-" + std::to_string(i) + ": ";
    block += name + std::string(line_bytes - name.size() - 2, 'a') + "\r\n";
  }
  std::size_t sent = 0;
  while (sent < total) {
    if (client.readable()) break;
    if (!client.send(block)) break;
    sent += block.size();
  }
  return sent;
}

}  // namespace kv::testing
