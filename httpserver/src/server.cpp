// The only translation unit that sees Asio and Beast: they compile slowly, so they stay here.
#include "kv/httpserver/server.hpp"

#include <openssl/ssl.h>
#include <sys/resource.h>

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "head_scanner.hpp"
#include "wire.hpp"

namespace kv::httpserver {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {
constexpr std::size_t kMinBuffer = 4096;
constexpr std::size_t kBodyBuffer = 64 * 1024;
// After a refusal the server stops sending and reads (and drops) what the client still sends for
// this long, so that the client reads the answer instead of a reset.
constexpr std::chrono::milliseconds kLinger{2000};
constexpr std::chrono::milliseconds kAcceptRetry{50};

// Offers HTTP/1.1 only: a client that asks for h2 falls back to HTTP/1.1.
int select_http11(SSL*, const unsigned char** out, unsigned char* out_len, const unsigned char* in,
                  unsigned int in_len, void*) {
  static const unsigned char kHttp11[] = "\x08http/1.1";
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, out_len, kHttp11, sizeof kHttp11 - 1, in, in_len) !=
      OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

void configure_tls(ssl::context& tls, const TlsIdentity& identity) {
  if (!identity.certificate || !identity.key)
    throw std::runtime_error("cannot set up TLS: the identity has no certificate or key");
  tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                  ssl::context::single_dh_use);
  SSL_CTX* ctx = tls.native_handle();
  if (SSL_CTX_use_certificate(ctx, identity.certificate.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx, identity.key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1)
    throw std::runtime_error("cannot set up TLS with the given certificate and key");
  // Idle connections give their TLS read and write buffers back.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_alpn_select_cb(ctx, select_http11, nullptr);
}

tcp::endpoint resolve(asio::io_context& ioc, const std::string& host, std::uint16_t port) {
  error_code ec;
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(host, std::to_string(port),
                                  tcp::resolver::numeric_service | tcp::resolver::passive, ec);
  if (ec || results.empty())
    throw std::runtime_error("cannot resolve the listen address '" + host + "': " + ec.message());
  return results.begin()->endpoint();
}

std::string text(boost::beast::string_view s) {
  return std::string(s.data(), s.size());
}

ErrorInfo from_parser(const error_code& ec, const Limits& limits) {
  if (ec == http::error::body_limit) return detail::body_too_large(limits.max_body_bytes);
  if (ec == http::error::header_limit) return detail::headers_too_large(limits.max_header_bytes);
  if (ec == http::error::bad_version) return detail::version_not_supported();
  return detail::bad_request("The request is malformed: " + ec.message() + ".");
}
}  // namespace

class Connection;

struct detail::ServerCore {
  ServerCore(ServerOptions o, Handler h)
      : options(std::move(o)),
        handler(std::move(h)),
        ioc(options.io_threads),
        strand(asio::make_strand(ioc)),
        tls(ssl::context::tls_server),
        acceptor(strand),
        accept_retry(strand),
        stop_timer(strand),
        signals(strand),
        workers(static_cast<std::size_t>(options.worker_threads)) {}

  void start_accept();
  void begin_stop();
  void add(const std::shared_ptr<Connection>& c);
  void remove(Connection* c);
  std::vector<std::shared_ptr<Connection>> snapshot();
  Response render(const ErrorInfo& error) const;
  Response call(const Request& request) const;

  ServerOptions options;
  Handler handler;

  // Declared before the I/O context: handlers it destroys may still unregister connections.
  std::mutex mutex;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections;
  std::condition_variable run_done;
  bool running = false;

  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> open{0}, busy{0};
  std::atomic<std::uint64_t> accepted{0}, refused{0}, requests{0}, refused_requests{0};

  asio::io_context ioc;
  asio::strand<asio::io_context::executor_type> strand;
  ssl::context tls;
  tcp::acceptor acceptor;
  asio::steady_timer accept_retry;
  asio::steady_timer stop_timer;
  asio::signal_set signals;
  asio::thread_pool workers;
  std::uint16_t port = 0;
};

// One client connection. Every member is used only on the connection's strand.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(detail::ServerCore& server, tcp::socket socket)
      : server_(server),
        limits_(server.options.limits),
        stream_(std::move(socket), server.tls),
        timer_(stream_.get_executor()),
        scanner_(limits_) {
    ++server_.open;
  }

  ~Connection() {
    set_phase(Phase::Closed);
    server_.remove(this);
    --server_.open;
  }

  /// Called once after accepting, from the acceptor's strand.
  void start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->begin(); });
  }

  /// The server began a graceful stop.
  void on_stop() {
    if (phase_ == Phase::Handshake || phase_ == Phase::Idle) close_now();
  }

  /// The graceful stop ran out of time, or the server is going away.
  void close_now() {
    if (phase_ == Phase::Closed) return;
    set_phase(Phase::Closed);
    disarm();
    timer_.cancel();
    error_code ec;
    stream_.next_layer().shutdown(tcp::socket::shutdown_both, ec);
    stream_.next_layer().close(ec);
  }

  /// Runs `f` on this connection's strand.
  template <class F>
  void post(F&& f) {
    asio::post(stream_.get_executor(), std::forward<F>(f));
  }

 private:
  enum class Phase { Handshake, Idle, Reading, Handling, Writing, Lingering, Closed };

  void begin() {
    error_code ec;
    tcp::socket& socket = stream_.next_layer();
    socket.set_option(tcp::no_delay(true), ec);
    tcp::endpoint peer = socket.remote_endpoint(ec);
    if (!ec) {
      remote_address_ = peer.address().to_string();
      remote_port_ = peer.port();
    }
    server_.add(shared_from_this());
    if (server_.stopping) return close_now();
    arm(limits_.handshake_timeout);
    stream_.async_handshake(ssl::stream_base::server, [self = shared_from_this()](error_code e) {
      if (self->phase_ != Phase::Handshake) return;
      if (e) return self->close_now();
      self->next_request();
    });
  }

  void next_request() {
    // A stop that came while the last answer was being written found this connection busy.
    if (server_.stopping) return close_now();
    parser_.emplace();
    parser_->eager(true);
    // The scanner holds the real limits; Beast's own must never be the one that refuses.
    parser_->header_limit(
        static_cast<std::uint32_t>(limits_.max_request_line_bytes + limits_.max_header_bytes + 8));
    parser_->body_limit(limits_.max_body_bytes);
    scanner_.reset();
    timed_out_ = false;
    if (begin_ == end_) {
      begin_ = end_ = 0;
      if (buf_.size() > kMinBuffer) std::vector<char>().swap(buf_);
      set_phase(Phase::Idle);
      arm(limits_.idle_timeout);
      return read();
    }
    // Bytes of a pipelined request are already here.
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    start_reading();
    process();
  }

  void start_reading() {
    set_phase(Phase::Reading);
    arm(limits_.request_timeout);
  }

  void read() {
    if (end_ == buf_.size() && !make_room()) {
      // Only a chunk header or trailer can get here: the scanner bounds the head.
      return refuse(detail::bad_request("A chunk header or trailer of the request is longer than " +
                                        std::to_string(kBodyBuffer) + " bytes."));
    }
    stream_.async_read_some(
        asio::buffer(buf_.data() + end_, buf_.size() - end_),
        [self = shared_from_this()](error_code ec, std::size_t n) { self->on_read(ec, n); });
  }

  // Compacts or grows the buffer up to its cap; false when it is full at the cap.
  bool make_room() {
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (end_ < buf_.size()) return true;
    std::size_t cap = parser_->is_header_done()
                          ? kBodyBuffer
                          : limits_.max_request_line_bytes + limits_.max_header_bytes + 8;
    cap = std::max(cap, kMinBuffer);
    if (buf_.size() >= cap) return false;
    buf_.resize(std::min(std::max(buf_.size() * 2, kMinBuffer), cap));
    return true;
  }

  void on_read(error_code ec, std::size_t n) {
    if (phase_ != Phase::Idle && phase_ != Phase::Reading) return;
    if (timed_out_) return;
    // A client that goes away mid-request gets nothing: there is no one to answer.
    if (ec) return close_now();
    end_ += n;
    if (phase_ == Phase::Idle) start_reading();
    process();
  }

  void process() {
    if (!parser_->is_header_done()) {
      std::string_view data(buf_.data() + begin_, end_ - begin_);
      switch (scanner_.scan(data)) {
        case detail::HeadScanner::State::Failed:
          return refuse(scanner_.error());
        case detail::HeadScanner::State::NeedMore:
          return read();
        case detail::HeadScanner::State::Complete:
          break;
      }
      error_code ec;
      begin_ += parser_->put(asio::buffer(data.data(), data.size()), ec);
      if (ec && ec != http::error::need_more) return refuse(from_parser(ec, limits_));
      if (!parser_->is_header_done())
        return refuse(detail::bad_request("The request head could not be parsed."));
      if (!check_head()) return;
    }
    read_body();
  }

  // False when the head was refused or a 100 Continue is being sent first.
  bool check_head() {
    const auto& head = parser_->get();
    if (head.version() != 10 && head.version() != 11) {
      refuse(detail::version_not_supported());
      return false;
    }
    std::string expect = text(head[http::field::expect]);
    if (expect.empty()) return true;
    if (!iequals(expect, "100-continue")) {
      refuse(detail::expectation_failed(expect));
      return false;
    }
    if (head.version() != 11 || parser_->is_done() || begin_ != end_) return true;
    send_continue();
    return false;
  }

  void send_continue() {
    static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    writing_continue_ = true;
    asio::async_write(stream_, asio::buffer(kContinue),
                      [self = shared_from_this()](error_code ec, std::size_t) {
                        self->writing_continue_ = false;
                        if (self->phase_ != Phase::Reading) return;
                        if (ec) return self->close_now();
                        self->read_body();
                      });
  }

  void read_body() {
    while (!parser_->is_done()) {
      if (begin_ == end_) return read();
      error_code ec;
      begin_ += parser_->put(asio::buffer(buf_.data() + begin_, end_ - begin_), ec);
      if (ec == http::error::need_more) return read();
      if (ec) return refuse(from_parser(ec, limits_));
    }
    dispatch();
  }

  void dispatch() {
    http::request<http::string_body> message = parser_->release();
    Request request;
    request.method = text(message.method_string());
    request.target = text(message.target());
    request.version = static_cast<int>(message.version());
    request.headers = scanner_.take_fields();
    request.body = std::move(message.body());
    request.remote_address = remote_address_;
    request.remote_port = remote_port_;
    keep_alive_ = message.keep_alive();
    version_ = request.version;
    head_ = message.method() == http::verb::head;
    set_phase(Phase::Handling);
    disarm();
    ++server_.requests;
    asio::post(server_.workers, [self = shared_from_this(), request = std::move(request),
                                 work = asio::make_work_guard(server_.ioc)]() mutable {
      Response response = self->server_.call(request);
      Connection& c = *self;
      c.post([self = std::move(self), response = std::move(response)]() mutable {
        self->send(std::move(response), false);
      });
    });
  }

  void refuse(const ErrorInfo& error) {
    ++server_.refused_requests;
    keep_alive_ = false;
    head_ = false;
    Response response = server_.render(error);
    response.status = error.status;
    send(std::move(response), true, true);
  }

  // `linger`: the client may still be sending what was refused; read and drop it for a while
  // after the answer instead of resetting the connection under it.
  void send(Response response, bool close, bool linger = false) {
    if (phase_ == Phase::Closed) return;
    const std::string* connection = response.headers.find("Connection");
    close =
        close || !keep_alive_ || server_.stopping || (connection && iequals(*connection, "close"));
    detail::Framing framing{close, !close && version_ == 10, head_};
    out_.clear();
    if (!detail::serialize_response(response, framing, out_)) {
      framing.close = close = true;
      detail::serialize_response(server_.render(detail::handler_failed()), framing, out_);
    }
    set_phase(Phase::Writing);
    arm(limits_.write_timeout);
    asio::async_write(stream_, asio::buffer(out_),
                      [self = shared_from_this(), close, linger](error_code ec, std::size_t) {
                        if (self->phase_ != Phase::Writing) return;
                        if (ec || (close && !linger)) return self->close_now();
                        if (close) return self->linger();
                        self->next_request();
                      });
  }

  void linger() {
    set_phase(Phase::Lingering);
    error_code ec;
    stream_.next_layer().shutdown(tcp::socket::shutdown_send, ec);
    arm(kLinger);
    if (buf_.size() < kMinBuffer) buf_.resize(kMinBuffer);
    drain();
  }

  void drain() {
    stream_.next_layer().async_read_some(asio::buffer(buf_.data(), buf_.size()),
                                         [self = shared_from_this()](error_code ec, std::size_t) {
                                           if (self->phase_ != Phase::Lingering) return;
                                           if (ec) return self->close_now();
                                           self->drain();
                                         });
  }

  void on_timeout() {
    if (phase_ != Phase::Reading || writing_continue_) return close_now();
    // Stop the pending read, then answer: the client may still be reading.
    timed_out_ = true;
    error_code ec;
    stream_.next_layer().cancel(ec);
    refuse(detail::request_timeout(limits_.request_timeout));
  }

  // Keeps the server's count of connections with a request in progress.
  void set_phase(Phase next) {
    auto busy = [](Phase p) {
      return p == Phase::Reading || p == Phase::Handling || p == Phase::Writing;
    };
    if (busy(phase_) != busy(next)) busy(next) ? ++server_.busy : --server_.busy;
    phase_ = next;
  }

  // One deadline per connection. The timer is re-armed only when a deadline comes earlier than
  // the pending expiry (a request's start); a later one is picked up when the timer fires, so a
  // request costs one timer update instead of one per phase.
  void arm(std::chrono::milliseconds after) {
    deadline_ = std::chrono::steady_clock::now() + after;
    has_deadline_ = true;
    if (!timer_pending_ || deadline_ < timer_expiry_) start_timer();
  }

  void disarm() { has_deadline_ = false; }

  void start_timer() {
    ++timer_generation_;
    timer_pending_ = true;
    timer_expiry_ = deadline_;
    timer_.expires_at(deadline_);
    timer_.async_wait([self = shared_from_this(), generation = timer_generation_](error_code ec) {
      if (generation != self->timer_generation_) return;  // replaced by a later start_timer()
      self->timer_pending_ = false;
      if (ec || self->phase_ == Phase::Closed || !self->has_deadline_) return;
      if (std::chrono::steady_clock::now() < self->deadline_) return self->start_timer();
      self->on_timeout();
    });
  }

  detail::ServerCore& server_;
  const Limits& limits_;
  ssl::stream<tcp::socket> stream_;
  asio::steady_timer timer_;
  std::uint64_t timer_generation_ = 0;
  std::chrono::steady_clock::time_point deadline_, timer_expiry_;
  bool has_deadline_ = false;
  bool timer_pending_ = false;
  Phase phase_ = Phase::Handshake;
  detail::HeadScanner scanner_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::vector<char> buf_;
  std::size_t begin_ = 0, end_ = 0;
  std::string out_;
  std::string remote_address_;
  std::uint16_t remote_port_ = 0;
  int version_ = 11;
  bool keep_alive_ = true;
  bool head_ = false;
  bool timed_out_ = false;
  bool writing_continue_ = false;
};

void detail::ServerCore::start_accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](error_code ec, tcp::socket socket) {
    if (stopping || !acceptor.is_open()) return;
    if (ec) {
      // Out of descriptors (or another transient failure): wait instead of spinning.
      accept_retry.expires_after(kAcceptRetry);
      accept_retry.async_wait([this](error_code e) {
        if (!e && !stopping) start_accept();
      });
      return;
    }
    ++accepted;
    if (open >= options.limits.max_connections) {
      ++refused;
      error_code ignored;
      socket.close(ignored);
    } else {
      std::make_shared<Connection>(*this, std::move(socket))->start();
    }
    start_accept();
  });
}

void detail::ServerCore::begin_stop() {
  if (stopping.exchange(true)) return;
  error_code ec;
  acceptor.close(ec);
  accept_retry.cancel();
  signals.cancel(ec);
  std::vector<std::shared_ptr<Connection>> live = snapshot();
  if (live.empty()) return;
  for (const auto& c : live) c->post([c] { c->on_stop(); });
  stop_timer.expires_after(options.stop_timeout);
  stop_timer.async_wait([this](error_code e) {
    if (e) return;
    for (const auto& c : snapshot()) c->post([c] { c->close_now(); });
  });
}

void detail::ServerCore::add(const std::shared_ptr<Connection>& c) {
  std::lock_guard<std::mutex> lock(mutex);
  connections.emplace(c.get(), c);
}

void detail::ServerCore::remove(Connection* c) {
  std::lock_guard<std::mutex> lock(mutex);
  if (connections.erase(c) == 0) return;
  // The last connection of a graceful stop: nothing is left for the stop timer to close.
  if (stopping && connections.empty()) asio::post(strand, [this] { stop_timer.cancel(); });
}

std::vector<std::shared_ptr<Connection>> detail::ServerCore::snapshot() {
  std::lock_guard<std::mutex> lock(mutex);
  std::vector<std::shared_ptr<Connection>> out;
  out.reserve(connections.size());
  for (auto& [raw, weak] : connections)
    if (auto c = weak.lock()) out.push_back(std::move(c));
  return out;
}

Response detail::ServerCore::render(const ErrorInfo& error) const {
  if (options.error_response) {
    try {
      return options.error_response(error);
    } catch (...) {
      // A failing renderer must not cost the client its answer.
    }
  }
  return plain_text_error(error);
}

Response detail::ServerCore::call(const Request& request) const {
  try {
    return handler(request);
  } catch (...) {
    return render(detail::handler_failed());
  }
}

Server::Server(ServerOptions options, const TlsIdentity& identity, Handler handler) {
  if (!handler) throw std::invalid_argument("kv::httpserver::Server needs a handler");
  if (options.worker_threads < 1 || options.io_threads < 1)
    throw std::invalid_argument("kv::httpserver::Server needs at least one thread of each kind");
  if (options.raise_open_file_limit) raise_open_file_limit();
  impl_ = std::make_shared<detail::ServerCore>(std::move(options), std::move(handler));
  detail::ServerCore& s = *impl_;
  configure_tls(s.tls, identity);
  tcp::endpoint endpoint = resolve(s.ioc, s.options.host, s.options.port);
  std::string where = s.options.host + ":" + std::to_string(s.options.port);
  error_code ec;
  s.acceptor.open(endpoint.protocol(), ec);
  if (!ec) s.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(endpoint, ec);
  if (!ec) s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
  s.port = s.acceptor.local_endpoint().port();
  for (int signal_number : s.options.stop_signals) {
    s.signals.add(signal_number, ec);
    if (ec)
      throw std::runtime_error("cannot handle signal " + std::to_string(signal_number) + ": " +
                               ec.message());
  }
  asio::dispatch(s.strand, [&s] {
    if (s.stopping) return;
    s.start_accept();
    if (!s.options.stop_signals.empty())
      s.signals.async_wait([&s](error_code e, int) {
        if (!e) s.begin_stop();
      });
  });
}

Server::~Server() {
  stop();
  std::unique_lock<std::mutex> lock(impl_->mutex);
  impl_->run_done.wait(lock, [&] { return !impl_->running; });
}

std::uint16_t Server::port() const {
  return impl_->port;
}

void Server::run() {
  detail::ServerCore& s = *impl_;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.running = true;
  }
  std::vector<std::thread> extra;
  for (int i = 1; i < s.options.io_threads; ++i) extra.emplace_back([&s] { s.ioc.run(); });
  s.ioc.run();
  for (std::thread& t : extra) t.join();
  s.workers.join();
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.running = false;
  }
  s.run_done.notify_all();
}

void Server::stop() {
  detail::ServerCore& s = *impl_;
  asio::post(s.strand, [&s] { s.begin_stop(); });
}

ServerStats Server::stats() const {
  const detail::ServerCore& s = *impl_;
  ServerStats out;
  out.open_connections = s.open;
  out.busy_connections = s.busy;
  out.accepted_connections = s.accepted;
  out.refused_connections = s.refused;
  out.requests = s.requests;
  out.refused_requests = s.refused_requests;
  return out;
}

std::string_view reason_phrase(int status) {
  if (status < 100 || status > 999) return {};
  boost::beast::string_view reason = http::obsolete_reason(static_cast<http::status>(status));
  if (reason.empty() || reason.front() == '<') return {};  // Beast's "<unknown-status>"
  return std::string_view(reason.data(), reason.size());
}

std::uint64_t raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return static_cast<std::uint64_t>(limit.rlim_cur);
}

}  // namespace kv::httpserver
