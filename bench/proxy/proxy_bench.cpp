// Replayed GETs through `kvharness proxy` in playback over HTTPS with keep-alive, from 1 and 8
// connections, beside localvault's own GET figure (localvault_get_bench) measured in the same run.
// Prints requests/s, latency percentiles and the proxy's CPU per request.
// Usage: kv_proxy_bench [requests per connection (default 4000)] [localvault seconds (default 3)]
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

#include "https_client.hpp"
#include "kv/harness/fixture.hpp"
#include "kv/harness/internal/random.hpp"
#include "load_figures.hpp"
#include "process_stats.hpp"
#include "text_file.hpp"

extern char** environ;

namespace {

using namespace kv::localvault::testing;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// A fixture of `count` identical GET exchanges, shaped like localvault's answer.
kv::harness::Fixture get_fixture(std::size_t count) {
  kv::harness::Entry entry;
  entry.request_method = "GET";
  entry.request_uri = "https://fakevault.vault.azure.net/secrets/bench?api-version=7.6";
  entry.request_headers = {{"Authorization", "Sanitized"}};
  entry.status_code = 200;
  entry.response_headers = {{"Content-Type", "application/json; charset=utf-8"},
                            {"x-ms-keyvault-service-version", "localvault-0.1.0"}};
  entry.response_body = kv::harness::Body::from_json(nlohmann::json::parse(
      R"({"value":"benchmark value","id":"https://fakevault.vault.azure.net/secrets/bench/)"
      R"(0123456789abcdef0123456789abcdef","attributes":{"enabled":true,"created":1700000000,)"
      R"("updated":1700000000,"recoveryLevel":"Recoverable+Purgeable","recoverableDays":90}})"));
  kv::harness::Fixture fixture;
  fixture.entries.assign(count, entry);
  return fixture;
}

struct Child {
  pid_t pid = -1;
};

Child spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  Child child;
  // The proxy's own lines would interleave with the figures; its exit status says enough.
  posix_spawn_file_actions_t quiet;
  posix_spawn_file_actions_init(&quiet);
  posix_spawn_file_actions_addopen(&quiet, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&quiet, 2, "/dev/null", O_WRONLY, 0);
  const int failed = posix_spawn(&child.pid, argv[0], &quiet, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&quiet);
  if (failed != 0) throw std::runtime_error("cannot start " + args[0]);
  return child;
}

int bench_proxy(const fs::path& dir, int connections, int per_connection) {
  const fs::path fixture = dir / ("bench-" + std::to_string(connections) + ".json");
  kv::harness::save_fixture(get_fixture(static_cast<std::size_t>(connections * per_connection)),
                            fixture.string());
  const fs::path ready = dir / "ready";
  const fs::path cert = dir / "proxy.pem";
  fs::remove(ready);
  Child proxy = spawn({KVHARNESS_EXE, "proxy", "--mode", "playback", "--fixture", fixture.string(),
                       "--ready-file", ready.string(), "--cert-out", cert.string()});
  for (int i = 0; i < 1000 && !fs::exists(ready); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const std::string url = read_text(ready.string());
  const int port = std::stoi(url.substr(url.rfind(':') + 1));

  std::atomic<int> waiting{connections};
  std::atomic<bool> go{false};
  std::atomic<int> errors{0};
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(connections));
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      VaultClient client(port, cert.string());
      std::vector<double>& mine = latencies[static_cast<std::size_t>(c)];
      mine.reserve(static_cast<std::size_t>(per_connection));
      // The connection is opened before the clock starts: the first request pays the handshake.
      const httplib::Headers auth = {{"Authorization", "Bearer bench"}};
      WireResponse first = client.send("GET", "/secrets/bench?api-version=7.6", "", auth);
      if (first.status != 200) ++errors;
      --waiting;
      while (!go) std::this_thread::yield();
      for (int i = 1; i < per_connection; ++i) {
        auto start = Clock::now();
        WireResponse r = client.send("GET", "/secrets/bench?api-version=7.6", "", auth);
        mine.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
        if (r.status != 200) ++errors;
      }
    });
  }
  while (waiting > 0) std::this_thread::yield();
  const double cpu_before = cpu_seconds(proxy.pid);
  const auto start = Clock::now();
  go = true;
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = cpu_seconds(proxy.pid) - cpu_before;
  kill(proxy.pid, SIGTERM);
  int status = 0;
  waitpid(proxy.pid, &status, 0);

  const kv::testing::Latencies all(latencies);
  std::printf("kvharness proxy playback GET, HTTPS keep-alive, %d connection%s, %zu requests\n",
              connections, connections == 1 ? "" : "s", all.count());
  std::printf("requests: %zu  errors: %d  throughput: %.0f req/s  (%.2f s wall)\n", all.count(),
              errors.load(), static_cast<double>(all.count()) / elapsed, elapsed);
  all.print();
  kv::testing::print_cpu_per_request("proxy", cpu, all.count());
  const bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  std::printf("proxy exit: %s\n\n", clean ? "0 (every entry used, no miss)" : "not clean");
  return errors == 0 && clean ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const int per_connection = argc > 1 ? std::atoi(argv[1]) : 4000;
  const std::string lv_seconds = argc > 2 ? argv[2] : "3";
  if (per_connection < 2) {
    std::cerr << "usage: kv_proxy_bench [requests per connection >= 2] [localvault seconds]\n";
    return 2;
  }
  const fs::path dir =
      fs::temp_directory_path() / ("kv-proxy-bench-" + kv::harness::random_suffix(8));
  fs::create_directories(dir);
  int failures = 0;
  for (int connections : {1, 8}) {
    std::fflush(stdout);
    const std::string lv =
        std::string(LOCALVAULT_GET_BENCH) + " " + std::to_string(connections) + " " + lv_seconds;
    if (std::system(lv.c_str()) != 0) ++failures;
    std::printf("\n");
    std::fflush(stdout);
    failures += bench_proxy(dir, connections, per_connection);
  }
  fs::remove_all(dir);
  return failures == 0 ? 0 : 1;
}
