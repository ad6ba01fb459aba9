// Prints what one client operation costs: the pipeline and JSON parsing over an in-memory
// transport, and a real HTTPS round trip on 127.0.0.1 with and without connection reuse.
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <kv/secrets.hpp>
#include <kv/version.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "test_certificates.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Returns the same canned response to every request.
class CannedTransport final : public kv::http::Transport {
 public:
  explicit CannedTransport(std::string body) {
    response_.status = 200;
    response_.headers.set("Content-Type", "application/json; charset=utf-8");
    response_.body = kv::http::to_bytes(body);
  }
  kv::http::Response send(const kv::http::Request&) override { return response_; }

 private:
  kv::http::Response response_;
};

template <class F>
double micros_per_call(int iterations, F&& call) {
  auto start = Clock::now();
  for (int i = 0; i < iterations; ++i) call();
  std::chrono::duration<double, std::micro> elapsed = Clock::now() - start;
  return elapsed.count() / iterations;
}

nlohmann::json bundle(int i) {
  return {{"value", std::string(64, 'v')},
          {"id", "https://bench.vault.azure.net/secrets/name-" + std::to_string(i) +
                     "/0123456789abcdef0123456789abcdef"},
          {"attributes",
           {{"enabled", true},
            {"created", 1700000000},
            {"updated", 1700000000},
            {"recoveryLevel", "Recoverable+Purgeable"},
            {"recoverableDays", 90}}},
          {"tags", {{"env", "bench"}}}};
}

kv::SecretClient client_over(std::shared_ptr<kv::http::Transport> transport) {
  kv::SecretClientOptions options;
  options.Transport = std::move(transport);
  options.Clock = std::make_shared<kv::ManualClock>();
  return kv::SecretClient("https://bench.vault.azure.net",
                          std::make_shared<kv::StaticTokenCredential>("t"), options);
}

void in_memory() {
  auto get = client_over(std::make_shared<CannedTransport>(bundle(0).dump()));
  double get_us = micros_per_call(20000, [&] { get.GetSecret("name-0"); });
  std::printf("GetSecret, in-memory transport:          %8.2f us/op\n", get_us);

  nlohmann::json page = {{"value", nlohmann::json::array()}};
  for (int i = 0; i < 25; ++i) page["value"].push_back(bundle(i));
  auto list = client_over(std::make_shared<CannedTransport>(page.dump()));
  double list_us = micros_per_call(5000, [&] { list.GetPropertiesOfSecrets(); });
  std::printf("GetPropertiesOfSecrets, 25-item page:    %8.2f us/page (%.2f us/item)\n", list_us,
              list_us / 25);
}

void over_https() {
  kvtest::TestPki pki;
  httplib::SSLServer server(pki.server.cert.get(), pki.server.key.get());
  server.set_keep_alive_max_count(100000);
  // httplib writes headers and body separately; with Nagle on, each response waits ~40 ms for
  // the client's delayed ACK.
  server.set_tcp_nodelay(true);
  const std::string body = bundle(0).dump();
  server.Get(R"(/secrets/.*)", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(body, "application/json");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread thread([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  kv::http::CurlTransportOptions options;
  options.ca_pem = pki.ca.pem();
  kv::http::Request request;
  request.method = "GET";
  request.url = "https://127.0.0.1:" + std::to_string(port) + "/secrets/name-0";

  kv::http::CurlTransport shared(options);
  shared.send(request);  // warm up: the one TLS handshake
  double reused_us = micros_per_call(500, [&] { shared.send(request); });
  double fresh_us = micros_per_call(50, [&] { kv::http::CurlTransport(options).send(request); });
  std::printf("HTTPS GET, reused connection:            %8.1f us/request\n", reused_us);
  std::printf("HTTPS GET, new transport + TLS handshake: %8.1f us/request\n", fresh_us);

  server.stop();
  thread.join();
}

}  // namespace

int main() {
  std::printf("kv::client %s benchmarks (wall time, one thread)\n", kv::kVersion);
  in_memory();
  over_https();
  return 0;
}
