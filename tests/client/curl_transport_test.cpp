// CurlTransport against a real HTTPS server on 127.0.0.1 with a certificate made at test time.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "kv/curl_transport.hpp"
#include "test_certificates.hpp"

using namespace std::chrono_literals;
using kv::http::CurlTransport;
using kv::http::CurlTransportOptions;

namespace {

// An httplib HTTPS server on an ephemeral port, stopped and joined on destruction.
class TestServer {
 public:
  explicit TestServer(const kvtest::Identity& identity)
      : server_(identity.cert.get(), identity.key.get()) {
    // httplib closes a connection after 5 requests by default, which would hide reuse.
    server_.set_keep_alive_max_count(1000);
    server_.Get("/hello", [this](const httplib::Request& req, httplib::Response& res) {
      note(req);
      res.set_header("X-Reply", "yes");
      res.set_content("hi", "text/plain");
    });
    server_.Get("/missing", [this](const httplib::Request& req, httplib::Response& res) {
      note(req);
      res.status = 404;
      res.set_content(R"({"error":{"code":"NotFound"}})", "application/json");
    });
    server_.Get("/slow", [this](const httplib::Request& req, httplib::Response& res) {
      note(req);
      std::this_thread::sleep_for(600ms);
      res.set_content("late", "text/plain");
    });
    auto echo = [this](const httplib::Request& req, httplib::Response& res) {
      note(req);
      res.set_header("X-Method", req.method);
      res.set_header("X-Custom", req.get_header_value("X-Custom"));
      res.set_content(req.body, "application/octet-stream");
    };
    server_.Put("/echo", echo);
    server_.Post("/echo", echo);
    server_.Patch("/echo", echo);
    server_.Delete("/echo", echo);
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("cannot bind 127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~TestServer() {
    server_.stop();
    thread_.join();
  }
  std::string url(const std::string& path) const {
    return "https://127.0.0.1:" + std::to_string(port_) + path;
  }
  /// How many distinct client connections (remote ports) served requests.
  std::size_t connections() const {
    std::lock_guard lock(mutex_);
    return remote_ports_.size();
  }

 private:
  void note(const httplib::Request& req) {
    std::lock_guard lock(mutex_);
    remote_ports_.insert(req.remote_port);
  }

  httplib::SSLServer server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::set<int> remote_ports_;
};

kv::http::Request make_request(std::string method, std::string url, std::string body = "") {
  kv::http::Request request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.body = kv::http::to_bytes(body);
  return request;
}

CurlTransportOptions trusting(const kvtest::TestPki& pki) {
  CurlTransportOptions options;
  options.ca_pem = pki.ca.pem();
  return options;
}

struct TempFile {
  std::filesystem::path path;
  explicit TempFile(const std::string& content) {
    path = std::filesystem::temp_directory_path() /
           ("kv-ca-" + std::to_string(::getpid()) + "-" +
            std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + ".pem");
    std::ofstream(path) << content;
  }
  ~TempFile() { std::filesystem::remove(path); }
};

}  // namespace

TEST_CASE("CurlTransport trusts a server through a CA bundle file") {
  kvtest::TestPki pki;
  TestServer server(pki.server);
  TempFile bundle(pki.ca.pem());
  CurlTransportOptions options;
  options.ca_bundle = bundle.path.string();
  CurlTransport transport(options);
  auto response = transport.send(make_request("GET", server.url("/hello")));
  CHECK(response.status == 200);
  CHECK(response.reason == "OK");
  CHECK(response.body_text() == "hi");
  CHECK(response.headers.get("x-reply") == "yes");
  CHECK(response.headers.get("Content-Type") == "text/plain");
}

TEST_CASE(
    "CurlTransport trusts a server through in-memory PEM and sends methods, headers and bodies") {
  kvtest::TestPki pki;
  TestServer server(pki.server);
  CurlTransport transport(trusting(pki));
  // Debian's cpp-httplib answers 413 to bodies of about 8 KiB and more.
  const std::string big(5'000, 'b');
  for (const char* method : {"PUT", "POST", "PATCH", "DELETE"}) {
    INFO(method);
    auto request =
        make_request(method, server.url("/echo"), std::string(method) == "DELETE" ? "" : big);
    request.headers.set("X-Custom", "custom value");
    auto response = transport.send(request);
    CHECK(response.status == 200);
    CHECK(response.headers.get("X-Method") == method);
    CHECK(response.headers.get("X-Custom") == "custom value");
    CHECK(response.body == request.body);
  }
  // A POST without a body (BackupSecret) still sends Content-Length: 0.
  auto empty = transport.send(make_request("POST", server.url("/echo")));
  CHECK(empty.status == 200);
  CHECK(empty.body.empty());
}

TEST_CASE("CurlTransport never sends Expect: 100-continue, even for bodies over 1 MiB") {
  // libcurl 7.88 adds the header above 1 MiB; httplib refuses such bodies, so a raw socket
  // captures the request head instead.
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(listener >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(listener, 1) == 0);
  REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  const std::size_t body_size = 1'200'000;
  std::string head;
  std::size_t body_received = 0;
  std::thread server([&] {
    int connection = ::accept(listener, nullptr, nullptr);
    if (connection < 0) return;
    std::string data;
    char buffer[65536];
    while (true) {
      auto n = ::recv(connection, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      data.append(buffer, static_cast<std::size_t>(n));
      auto end = data.find("\r\n\r\n");
      if (end != std::string::npos && data.size() - end - 4 >= body_size) {
        head = data.substr(0, end);
        body_received = data.size() - end - 4;
        break;
      }
    }
    const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    ::send(connection, reply, sizeof reply - 1, 0);
    ::close(connection);
  });
  CurlTransport transport;
  auto response = transport.send(
      make_request("PUT", "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/big",
                   std::string(body_size, 'x')));
  server.join();
  ::close(listener);
  CHECK(response.status == 200);
  CHECK(body_received == body_size);
  CHECK(head.rfind("PUT /big HTTP/1.1\r\n", 0) == 0);
  for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  CHECK(head.find("expect:") == std::string::npos);
  CHECK(head.find("content-length: 1200000") != std::string::npos);
}

TEST_CASE("CurlTransport returns error statuses as responses") {
  kvtest::TestPki pki;
  TestServer server(pki.server);
  CurlTransport transport(trusting(pki));
  auto response = transport.send(make_request("GET", server.url("/missing")));
  CHECK(response.status == 404);
  CHECK(response.reason == "Not Found");
  CHECK(response.body_text() == R"({"error":{"code":"NotFound"}})");
}

TEST_CASE("CurlTransport rejects a server whose certificate is not trusted") {
  kvtest::TestPki pki;
  kvtest::TestPki other("another test CA");  // did not sign the server certificate
  TestServer server(pki.server);
  for (auto options : {CurlTransportOptions{}, trusting(other)}) {
    CurlTransport transport(options);
    try {
      transport.send(make_request("GET", server.url("/hello")));
      FAIL("no exception");
    } catch (const kv::http::TransportError& e) {
      CHECK(e.code() == 60);  // CURLE_PEER_FAILED_VERIFICATION
      CHECK_FALSE(e.detail().empty());
      CHECK(e.method() == "GET");
      CHECK(e.url() == server.url("/hello"));
    }
  }
}

TEST_CASE("CurlTransport honours the total timeout") {
  kvtest::TestPki pki;
  TestServer server(pki.server);
  auto options = trusting(pki);
  options.total_timeout = 150ms;
  CurlTransport transport(options);
  try {
    transport.send(make_request("GET", server.url("/slow")));
    FAIL("no exception");
  } catch (const kv::http::TransportError& e) {
    CHECK(e.code() == 28);  // CURLE_OPERATION_TIMEDOUT
    CHECK(e.detail().rfind("Operation timed out after", 0) == 0);
  }
}

TEST_CASE("CurlTransport reports a refused connection with libcurl's error text") {
  // A port that was free a moment ago and on which nothing listens.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  ::close(fd);
  const int port = ntohs(address.sin_port);
  CurlTransport transport;
  const std::string url = "https://127.0.0.1:" + std::to_string(port) + "/";
  try {
    transport.send(make_request("GET", url));
    FAIL("no exception");
  } catch (const kv::http::TransportError& e) {
    CHECK(e.code() == 7);  // CURLE_COULDNT_CONNECT
    CHECK(std::string(e.what()) == "GET " + url + " failed: transport error 7: " + e.detail());
    CHECK(e.detail().find("127.0.0.1") != std::string::npos);
  }
}

TEST_CASE("CurlTransport reuses one connection for consecutive requests") {
  kvtest::TestPki pki;
  TestServer server(pki.server);
  CurlTransport transport(trusting(pki));
  CHECK(transport.send(make_request("GET", server.url("/hello"))).status == 200);
  CHECK(transport.send(make_request("POST", server.url("/echo"), "x")).status == 200);
  CHECK(transport.send(make_request("GET", server.url("/hello"))).status == 200);
  CHECK(server.connections() == 1);

  CurlTransport second(trusting(pki));  // a separate transport has its own connection
  CHECK(second.send(make_request("GET", server.url("/hello"))).status == 200);
  CHECK(server.connections() == 2);
}

TEST_CASE("CurlTransport can be used from several threads at once") {
  kvtest::TestPki pki;
  TestServer server(pki.server);
  CurlTransport transport(trusting(pki));
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        if (transport.send(make_request("GET", server.url("/hello"))).body_text() == "hi") ++ok;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(ok == 20);
  CHECK(server.connections() <= 4);  // at most one connection per concurrent caller
}
