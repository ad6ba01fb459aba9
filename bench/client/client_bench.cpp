// Prints what one client operation costs: the pipeline and JSON parsing over an in-memory
// transport, the seed flow with nothing but the client's own work, and a real HTTPS round trip
// on 127.0.0.1 with and without connection reuse.
//
//   kv_client_bench [--seconds S] [--seed-flow-only] [--flows N]
//
// --seed-flow-only runs just the seed flow section; --flows runs it exactly N times instead of
// for S seconds. Together they make a run for valgrind --tool=callgrind --toggle-collect=
// 'kv::test::run_seed_flow*' whose instruction count divided by 9 N is the cost per exchange.
#include <httplib.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <kv/secrets.hpp>
#include <kv/version.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "in_process_vault.hpp"
#include "model_json.hpp"
#include "seed_flow.hpp"
#include "test_certificates.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Backup blobs of the real service's size (~5 KB decoded, ~7 KB of base64url each way).
kv::test::InProcessVaultOptions real_sized_backups() {
  kv::test::InProcessVaultOptions options;
  options.backup_bytes = 5000;
  return options;
}

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

// CPU time of this process: on a shared machine wall time measures the neighbours too.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Remembers the responses of one run, then answers the same sequence again and again by
// position: no matching and no copy beyond the one every transport makes.
class RepeatTransport final : public kv::http::Transport {
 public:
  explicit RepeatTransport(std::shared_ptr<kv::http::Transport> inner) : inner_(std::move(inner)) {}
  kv::http::Response send(const kv::http::Request& request) override {
    if (inner_) {
      responses_.push_back(inner_->send(request));
      return responses_.back();
    }
    const kv::http::Response& next = responses_[next_];
    next_ = (next_ + 1) % responses_.size();
    return next;
  }
  // Stops recording; from now on the recorded responses are replayed in order.
  void freeze() {
    inner_.reset();
    next_ = 0;
  }
  std::size_t size() const { return responses_.size(); }
  const std::vector<kv::http::Response>& responses() const { return responses_; }

 private:
  std::shared_ptr<kv::http::Transport> inner_;
  std::vector<kv::http::Response> responses_;
  std::size_t next_ = 0;
};

// Microseconds per call, CPU time and wall time.
struct PerCall {
  double cpu_us;
  double wall_us;
};

template <class F>
PerCall micros_per_call(int iterations, F&& call) {
  const auto start = Clock::now();
  const double cpu_start = cpu_seconds();
  for (int i = 0; i < iterations; ++i) call();
  const double cpu = cpu_seconds() - cpu_start;
  std::chrono::duration<double, std::micro> wall = Clock::now() - start;
  return {cpu * 1e6 / iterations, wall.count() / iterations};
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
  PerCall get_us = micros_per_call(20000, [&] { get.GetSecret("name-0"); });
  std::printf("GetSecret, in-memory transport:          %8.2f us CPU/op (%.2f us wall)\n",
              get_us.cpu_us, get_us.wall_us);

  nlohmann::json page = {{"value", nlohmann::json::array()}};
  for (int i = 0; i < 25; ++i) page["value"].push_back(bundle(i));
  auto list = client_over(std::make_shared<CannedTransport>(page.dump()));
  PerCall list_us = micros_per_call(5000, [&] { list.GetPropertiesOfSecrets(); });
  std::printf(
      "GetPropertiesOfSecrets, 25-item page:    %8.2f us CPU/page (%.2f us/item; %.2f us "
      "wall/page)\n",
      list_us.cpu_us, list_us.cpu_us / 25, list_us.wall_us);
}

// The seed flow (set, get, backup, delete + 2 polls, purge, restore) over canned responses: what
// remains is the client's own work per exchange (request building, pipeline, JSON parsing).
void seed_flow(double budget_seconds, std::size_t fixed_flows) {
  using namespace std::chrono_literals;
  const std::string vault = "https://bench.vault.azure.net";
  auto transport = std::make_shared<RepeatTransport>(
      std::make_shared<kv::test::InProcessVault>(vault, real_sized_backups()));
  auto client = client_over(transport);
  kv::test::run_seed_flow(client, "bench-secret", "my secret value", 2s);
  transport->freeze();
  const double exchanges_per_flow = static_cast<double>(transport->size());
  std::size_t flows = 0;
  const auto start = Clock::now();
  const double cpu_start = cpu_seconds();
  while (fixed_flows > 0
             ? flows < fixed_flows
             : std::chrono::duration<double>(Clock::now() - start).count() < budget_seconds) {
    const std::size_t batch =
        fixed_flows > 0 ? std::min<std::size_t>(100, fixed_flows - flows) : 100;
    for (std::size_t i = 0; i < batch; ++i) {
      kv::test::run_seed_flow(client, "bench-secret", "my secret value", 2s);
    }
    flows += batch;
  }
  const double cpu = cpu_seconds() - cpu_start;
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  const double exchanges = static_cast<double>(flows) * exchanges_per_flow;
  std::printf("Seed flow, client work only (%.0f exchanges per flow, %zu flows):\n",
              exchanges_per_flow, flows);
  std::printf("                                         %8.2f us CPU per exchange (%.2f us wall)\n",
              cpu / exchanges * 1e6, wall / exchanges * 1e6);
}

// A SAX handler that keeps nothing: what any nlohmann-based reader costs at the least.
struct NullSax final : nlohmann::json_sax<nlohmann::json> {
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }
};

// Reading the seed flow's response bodies (set, get, backup, delete, the final poll, restore)
// three ways, per flow: nlohmann's document parse (the client's former read path, before the
// models were built from it), nlohmann's SAX parse into a handler that keeps nothing, and the
// client's own reader building the models.
void json_reading(double budget_seconds) {
  using namespace std::chrono_literals;
  auto transport = std::make_shared<RepeatTransport>(std::make_shared<kv::test::InProcessVault>(
      "https://bench.vault.azure.net", real_sized_backups()));
  auto client = client_over(transport);
  kv::test::run_seed_flow(client, "bench-secret", "my secret value", 2s);
  const auto& r = transport->responses();
  // Exchange order: set, get, backup, delete, 404, 404, deleted 200, purge 204, restore.
  const std::string_view set = r[0].body_text(), get = r[1].body_text(), backup = r[2].body_text(),
                         deleted = r[3].body_text(), polled = r[6].body_text(),
                         restored = r[8].body_text();
  const std::vector<std::string_view> bodies = {set, get, backup, deleted, polled, restored};
  auto per_flow = [&](auto&& read_all) {
    std::size_t flows = 0;
    const double cpu_start = cpu_seconds();
    const auto start = Clock::now();
    while (std::chrono::duration<double>(Clock::now() - start).count() < budget_seconds) {
      for (int i = 0; i < 1000; ++i) read_all();
      flows += 1000;
    }
    return (cpu_seconds() - cpu_start) / static_cast<double>(flows) * 1e6;
  };
  std::size_t sink = 0;
  const double dom = per_flow([&] {
    for (auto body : bodies) sink += nlohmann::json::parse(body).size();
  });
  const double sax = per_flow([&] {
    NullSax handler;
    for (auto body : bodies) sink += nlohmann::json::sax_parse(body, &handler) ? 1 : 0;
  });
  const double reader = per_flow([&] {
    sink += kv::detail::read_secret(set).Name.size();
    sink += kv::detail::read_secret(get).Name.size();
    sink += kv::detail::read_backup(backup).size();
    sink += kv::detail::read_deleted_secret(deleted).Name.size();
    sink += kv::detail::read_deleted_secret(polled).Name.size();
    sink += kv::detail::read_secret(restored).Name.size();
  });
  std::size_t bytes = 0;
  for (auto body : bodies) bytes += body.size();
  std::printf("JSON reading of the seed flow's 6 response bodies (%zu B), CPU per flow:\n", bytes);
  std::printf("  nlohmann document parse (no models)     %8.2f us\n", dom);
  std::printf("  nlohmann SAX, handler keeping nothing   %8.2f us\n", sax);
  std::printf("  client reader, models built             %8.2f us%s\n", reader,
              sink == 0 ? " (?)" : "");
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
  PerCall reused = micros_per_call(500, [&] { shared.send(request); });
  PerCall fresh = micros_per_call(50, [&] { kv::http::CurlTransport(options).send(request); });
  // CPU time here includes the in-process server's thread.
  std::printf(
      "HTTPS GET, reused connection:            %8.1f us wall/request (%.1f us CPU, "
      "client and server)\n",
      reused.wall_us, reused.cpu_us);
  std::printf(
      "HTTPS GET, new transport + TLS handshake: %8.1f us wall/request (%.1f us CPU, "
      "client and server)\n",
      fresh.wall_us, fresh.cpu_us);

  server.stop();
  thread.join();
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 2;
  bool seed_flow_only = false;
  std::size_t flows = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::stod(argv[++i]);
    } else if (std::strcmp(argv[i], "--flows") == 0 && i + 1 < argc) {
      flows = std::stoul(argv[++i]);
    } else if (std::strcmp(argv[i], "--seed-flow-only") == 0) {
      seed_flow_only = true;
    } else {
      std::fprintf(stderr, "usage: kv_client_bench [--seconds S] [--seed-flow-only] [--flows N]\n");
      return 2;
    }
  }
  std::printf("kv::client %s benchmarks (one thread)\n", kv::kVersion);
  seed_flow(seconds, flows);
  if (seed_flow_only) return 0;
  json_reading(seconds / 2);
  in_memory();
  over_https();
  return 0;
}
