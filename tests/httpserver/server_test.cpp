// kv::httpserver in-process: value types, the handler contract, keep-alive and pipelining,
// refusals and their shape, connection limits, graceful stop.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "kv/httpserver/server.hpp"
#include "raw_tls_client.hpp"

using namespace kv::httpserver;
using kv::testing::raw_request;
using kv::testing::RawResponse;
using kv::testing::RawTlsClient;
using kv::testing::TlsTrust;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {
const TlsIdentity& identity() {
  static const TlsIdentity id = generate_self_signed({});
  return id;
}

const TlsTrust& trust() {
  static const TlsTrust t(certificate_pem(identity()));
  return t;
}

Response echo(const Request& r) {
  Response out;
  out.headers.add("Content-Type", "text/plain");
  out.body = r.method + " " + r.target + " " + r.body;
  return out;
}

// A server running on its own thread for the length of a test.
class Running {
 public:
  explicit Running(Handler handler, ServerOptions options = {})
      : server_(std::move(options), identity(), std::move(handler)), thread_([this] {
          server_.run();
          returned_ = true;
        }) {}
  ~Running() {
    server_.stop();
    thread_.join();
  }
  Server& server() { return server_; }
  int port() const { return server_.port(); }
  bool returned() const { return returned_; }
  void join() { thread_.join(); }

 private:
  Server server_;
  std::atomic<bool> returned_{false};
  std::thread thread_;
};

template <class Predicate>
bool eventually(Predicate done, std::chrono::milliseconds bound = 5000ms) {
  auto until = Clock::now() + bound;
  while (!done()) {
    if (Clock::now() > until) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}
}  // namespace

TEST_CASE("Header lookups ignore case and keep wire order", "[httpserver][headers]") {
  Headers h{{"Content-Type", "a"}, {"x-ms-id", "1"}, {"X-MS-ID", "2"}};
  struct Case {
    std::string name;
    std::string get;
    std::size_t count;
  };
  for (const Case& c : std::vector<Case>{{"content-type", "a", 1},
                                         {"CONTENT-TYPE", "a", 1},
                                         {"X-Ms-Id", "1", 2},
                                         {"missing", "", 0},
                                         {"Content-Typ", "", 0}}) {
    INFO(c.name);
    CHECK(h.get(c.name) == c.get);
    CHECK(h.count(c.name) == c.count);
    CHECK(h.contains(c.name) == (c.count > 0));
  }
  CHECK(h.get("missing", "fallback") == "fallback");
  h.set("x-MS-id", "3");
  REQUIRE(h.size() == 2);
  CHECK(h.begin()[1].name == "x-ms-id");
  CHECK(h.begin()[1].value == "3");
  h.add("Via", "p");
  CHECK(h.erase("VIA") == 1);
  CHECK(h.erase("via") == 0);
  CHECK(iequals("Transfer-Encoding", "transfer-encoding"));
  CHECK_FALSE(iequals("chunked", "chunked "));
  CHECK(reason_phrase(431) == "Request Header Fields Too Large");
  CHECK(reason_phrase(299).empty());
}

TEST_CASE("The handler gets the method, target, version, ordered headers, body and peer",
          "[httpserver]") {
  std::mutex m;
  Request seen;
  Running s([&](const Request& r) {
    std::lock_guard<std::mutex> lock(m);
    seen = r;
    return echo(r);
  });
  RawTlsClient c(trust(), s.port());
  REQUIRE(c.send(
      raw_request("PATCH", "/a%2Fb?x=1", "X-One: 1\r\nx-two: 2\r\nX-One: 3\r\n", "body bytes")));
  std::optional<RawResponse> r = c.read_response();
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "PATCH /a%2Fb?x=1 body bytes");
  CHECK(r->header("Content-Length") == "27");
  CHECK_FALSE(r->header("Date").empty());
  std::lock_guard<std::mutex> lock(m);
  CHECK(seen.version == 11);
  CHECK(seen.remote_address == "127.0.0.1");
  CHECK(seen.remote_port != 0);
  std::vector<std::string> names;
  for (const Header& h : seen.headers) names.push_back(h.name + "=" + h.value);
  CHECK(names == std::vector<std::string>{"Host=127.0.0.1", "X-One=1", "x-two=2", "X-One=3",
                                          "Content-Length=10"});
}

TEST_CASE("A blocking handler delays neither other connections nor the I/O of idle ones",
          "[httpserver][workers]") {
  std::mutex m;
  std::condition_variable cv;
  bool release = false;
  ServerOptions options;
  options.worker_threads = 2;
  Running s(
      [&](const Request& r) {
        if (r.target == "/slow") {
          std::unique_lock<std::mutex> lock(m);
          cv.wait_for(lock, 10s, [&] { return release; });
        }
        return echo(r);
      },
      options);
  RawTlsClient slow(trust(), s.port());
  REQUIRE(slow.send(raw_request("GET", "/slow")));
  std::this_thread::sleep_for(50ms);
  // Many idle connections and a second worker: the fast request does not wait for the slow one.
  std::vector<std::unique_ptr<RawTlsClient>> idle;
  for (int i = 0; i < 20; ++i) idle.push_back(std::make_unique<RawTlsClient>(trust(), s.port()));
  auto start = Clock::now();
  RawTlsClient fast(trust(), s.port());
  REQUIRE(fast.send(raw_request("GET", "/fast")));
  std::optional<RawResponse> r = fast.read_response();
  REQUIRE(r);
  CHECK(r->body == "GET /fast ");
  CHECK(seconds_since(start) < 2.0);
  CHECK_FALSE(slow.readable());
  {
    std::lock_guard<std::mutex> lock(m);
    release = true;
  }
  cv.notify_all();
  REQUIRE(slow.read_response());
  CHECK(s.server().stats().open_connections == 22);
}

TEST_CASE("Pipelined requests are answered in order on one connection", "[httpserver]") {
  Running s(echo);
  RawTlsClient c(trust(), s.port());
  REQUIRE(c.send(raw_request("GET", "/1") + raw_request("POST", "/2", "", "two") +
                 raw_request("GET", "/3")));
  for (std::string want : {"GET /1 ", "POST /2 two", "GET /3 "}) {
    std::optional<RawResponse> r = c.read_response();
    REQUIRE(r);
    CHECK(r->body == want);
  }
  CHECK(s.server().stats().requests == 3);
}

TEST_CASE("HEAD gets the headers with the body's length and no body", "[httpserver]") {
  Running s(echo);
  RawTlsClient c(trust(), s.port());
  REQUIRE(c.send(raw_request("HEAD", "/h") + raw_request("GET", "/after")));
  c.expect_head_response(true);
  std::optional<RawResponse> head = c.read_response();
  REQUIRE(head);
  CHECK(head->header("Content-Length") == "8");
  c.expect_head_response(false);
  std::optional<RawResponse> next = c.read_response();
  REQUIRE(next);
  CHECK(next->body == "GET /after ");
}

TEST_CASE("HTTP/1.0 connections close unless they ask for keep-alive", "[httpserver]") {
  Running s(echo);
  {
    RawTlsClient c(trust(), s.port());
    REQUIRE(c.send("GET /old HTTP/1.0\r\n\r\n"));
    std::optional<RawResponse> r = c.read_response();
    REQUIRE(r);
    CHECK(r->header("Connection") == "close");
    CHECK(c.closed_by_peer());
  }
  RawTlsClient c(trust(), s.port());
  REQUIRE(c.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  std::optional<RawResponse> r = c.read_response();
  REQUIRE(r);
  CHECK(r->header("Connection") == "keep-alive");
  REQUIRE(c.send("GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  CHECK(c.read_response()->body == "GET /b ");
}

TEST_CASE("Refusals use the error renderer, plain text by default", "[httpserver][errors]") {
  SECTION("default") {
    Running s(echo);
    RawTlsClient c(trust(), s.port());
    REQUIRE(c.send(raw_request("GET", "/", "Content-Length: 1\r\nContent-Length: 1\r\n", "")));
    std::optional<RawResponse> r = c.read_response();
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(r->header("Content-Type") == "text/plain; charset=utf-8");
    CHECK(r->body == "The request has more than one Content-Length field.\n");
  }
  SECTION("shaped by the application") {
    ServerOptions options;
    options.limits.max_header_count = 2;
    options.error_response = [](const ErrorInfo& e) {
      Response r;
      r.status = 999;  // the server keeps the refusal's own status
      r.headers.add("Content-Type", "application/json");
      r.body = "{\"code\":\"" + e.code + "\",\"status\":" + std::to_string(e.status) + "}";
      return r;
    };
    Running s(echo, options);
    RawTlsClient c(trust(), s.port());
    REQUIRE(c.send(raw_request("GET", "/", "A: 1\r\nB: 2\r\n")));
    std::optional<RawResponse> r = c.read_response();
    REQUIRE(r);
    CHECK(r->status == 431);
    CHECK(r->body == R"({"code":"RequestHeaderFieldsTooLarge","status":431})");
    CHECK(s.server().stats().refused_requests == 1);
  }
}

TEST_CASE("A handler that throws or returns an unsendable response gets a 500",
          "[httpserver][errors]") {
  Running s([](const Request& r) -> Response {
    if (r.target == "/throw") throw std::runtime_error("boom");
    Response bad;
    bad.headers.add("X-Split", "a\r\nInjected: yes");
    return bad;
  });
  RawTlsClient c(trust(), s.port());
  REQUIRE(c.send(raw_request("GET", "/throw")));
  std::optional<RawResponse> thrown = c.read_response();
  REQUIRE(thrown);
  CHECK(thrown->status == 500);
  CHECK(thrown->body == "The server failed to handle the request.\n");
  // The connection survives a handler's exception.
  REQUIRE(c.send(raw_request("GET", "/split")));
  std::optional<RawResponse> split = c.read_response();
  REQUIRE(split);
  CHECK(split->status == 500);
  CHECK(split->header("Injected").empty());
}

TEST_CASE("Connections above max_connections are accepted and closed at once",
          "[httpserver][connections]") {
  ServerOptions options;
  options.limits.max_connections = 2;
  Running s(echo, options);
  RawTlsClient a(trust(), s.port()), b(trust(), s.port());
  CHECK_THROWS_WITH(RawTlsClient(trust(), s.port()),
                    "TLS handshake with 127.0.0.1:" + std::to_string(s.port()) + " failed");
  CHECK(eventually([&] { return s.server().stats().refused_connections == 1; }));
  REQUIRE(a.send(raw_request("GET", "/still")));
  CHECK(a.read_response()->body == "GET /still ");
}

TEST_CASE("Clients that vanish mid-request or mid-response leave no connection behind",
          "[httpserver][connections]") {
  ServerOptions options;
  options.limits.write_timeout = 500ms;
  Running s(
      [](const Request& r) {
        Response out;
        if (r.target == "/big") out.body.assign(32 * 1024 * 1024, 'b');
        return out;
      },
      options);
  for (int i = 0; i < 10; ++i) {
    RawTlsClient c(trust(), s.port());
    if (i % 3 == 0) c.send("GET / HTTP/1.1\r\nHost: x\r\nContent-Len");
    if (i % 3 == 1) c.send(raw_request("POST", "/", "Content-Length: 100\r\n") + "abc");
    if (i % 3 == 2) c.send(raw_request("GET", "/big"));
  }
  // A client that stays but never reads a 32 MB answer is dropped after the write timeout.
  RawTlsClient stuck(trust(), s.port());
  REQUIRE(stuck.send(raw_request("GET", "/big")));
  CHECK(eventually([&] { return s.server().stats().open_connections == 0; }, 10s));
  CHECK(s.server().stats().busy_connections == 0);
  RawTlsClient after(trust(), s.port());
  REQUIRE(after.send(raw_request("GET", "/ok")));
  CHECK(after.read_response()->status == 200);
}

TEST_CASE("A graceful stop finishes the request in progress and closes idle connections",
          "[httpserver][stop]") {
  std::atomic<bool> in_handler{false};
  auto server = std::make_unique<Running>([&](const Request& r) {
    in_handler = true;
    std::this_thread::sleep_for(300ms);
    return echo(r);
  });
  int port = server->port();
  RawTlsClient idle(trust(), port);
  RawTlsClient busy(trust(), port);
  REQUIRE(busy.send(raw_request("GET", "/busy")));
  REQUIRE(eventually([&] { return in_handler.load(); }));
  auto start = Clock::now();
  server->server().stop();
  CHECK(idle.closed_by_peer());
  std::optional<RawResponse> r = busy.read_response();
  REQUIRE(r);
  CHECK(r->body == "GET /busy ");
  CHECK(r->header("Connection") == "close");
  CHECK(eventually([&] { return server->returned(); }, 3s));
  CHECK(seconds_since(start) < 2.0);
  CHECK_THROWS(RawTlsClient(trust(), port));
}

TEST_CASE("A graceful stop closes a request that never completes after stop_timeout",
          "[httpserver][stop]") {
  ServerOptions options;
  options.stop_timeout = 300ms;
  Running s(echo, options);
  RawTlsClient partial(trust(), s.port());
  REQUIRE(partial.send("GET / HTTP/1.1\r\nHost: x\r\n"));
  REQUIRE(eventually([&] { return s.server().stats().busy_connections == 1; }));
  auto start = Clock::now();
  s.server().stop();
  CHECK(eventually([&] { return s.returned(); }, 3s));
  CHECK(seconds_since(start) > 0.2);
  CHECK(partial.closed_by_peer());
}

TEST_CASE("A stop signal stops the server gracefully", "[httpserver][stop]") {
  ServerOptions options;
  options.stop_signals = {SIGUSR2};
  Running s(echo, options);
  RawTlsClient idle(trust(), s.port());
  REQUIRE(idle.send(raw_request("GET", "/")));
  REQUIRE(idle.read_response());
  ::raise(SIGUSR2);
  CHECK(eventually([&] { return s.returned(); }, 3s));
  CHECK(idle.closed_by_peer());
}

TEST_CASE("A server that cannot listen says where", "[httpserver][errors]") {
  Running s(echo);
  ServerOptions options;
  options.port = static_cast<std::uint16_t>(s.port());
  CHECK_THROWS_WITH(
      Server(options, identity(), echo),
      "cannot listen on 127.0.0.1:" + std::to_string(s.port()) + ": Address already in use");
  options.host = "no such host.invalid";
  options.port = 0;
  CHECK_THROWS_WITH(
      Server(options, identity(), echo),
      Catch::StartsWith("cannot resolve the listen address 'no such host.invalid': "));
}

TEST_CASE("TLS identities load from PEM files with errors naming the file", "[httpserver][tls]") {
  CHECK_THROWS_WITH(load_identity("/nonexistent/cert.pem", "/nonexistent/key.pem"),
                    "cannot open certificate file /nonexistent/cert.pem");
  CHECK(certificate_pem(identity()).rfind("-----BEGIN CERTIFICATE-----\n", 0) == 0);
}

TEST_CASE("The open-file limit is raised to the hard limit", "[httpserver][connections]") {
  rlimit before{};
  getrlimit(RLIMIT_NOFILE, &before);
  std::uint64_t now = raise_open_file_limit();
  rlimit after{};
  getrlimit(RLIMIT_NOFILE, &after);
  CHECK(now == after.rlim_cur);
  CHECK(after.rlim_cur == before.rlim_max);
}
