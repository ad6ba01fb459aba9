// Connection handling of a live localvault: time to first answer for a new client (TCP connect,
// TLS handshake, one GET) with no idle keep-alive connections open and with many, and the
// server's peak memory under header floods.
// Usage: localvault_connections_bench [idle connections, default 500] [samples, default 100]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include "process_stats.hpp"
#include "raw_tls_client.hpp"
#include "server_process.hpp"

using namespace kv::localvault::testing;
using kv::testing::raw_request;
using kv::testing::RawTlsClient;
using kv::testing::TlsTrust;
using Clock = std::chrono::steady_clock;

namespace {
const std::string kList = raw_request("GET", "/secrets?api-version=7.6");

// Wall milliseconds from connect to the complete answer, one new client per sample.
std::vector<double> first_answer_ms(const TlsTrust& trust, int port, int samples) {
  std::vector<double> out;
  for (int i = 0; i < samples; ++i) {
    auto start = Clock::now();
    RawTlsClient client(trust, port);
    if (!client.send(kList) || !client.read_final_response()) throw std::runtime_error("no answer");
    out.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Wall time only: the server's CPU for a handful of handshakes is below what /proc's clock ticks
// resolve (localvault_get_bench reports CPU per request under steady load).
void print_first_answer(const char* label, const std::vector<double>& ms) {
  std::printf("%-28s p50 %6.2f ms  max %6.2f ms  (%zu clients)\n", label, ms[ms.size() / 2],
              ms.back(), ms.size());
}
}  // namespace

int main(int argc, char** argv) {
  int idle_count = argc > 1 ? std::atoi(argv[1]) : 500;
  int samples = argc > 2 ? std::atoi(argv[2]) : 100;
  if (idle_count < 0 || samples < 1) {
    std::cerr << "usage: localvault_connections_bench [idle>=0] [samples>=1]\n";
    return 2;
  }
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);

  LocalVault server(launch(LOCALVAULT_EXE, {"--no-auth"}));
  TlsTrust trust(read_text(server.certificate_file()));
  std::printf("localvault connections, client on the same machine; load average: %s",
              read_text("/proc/loadavg").c_str());

  print_first_answer("new client, 0 idle:", first_answer_ms(trust, server.port(), samples));

  std::size_t rss_before = peak_rss_kib(server.pid());
  std::vector<std::unique_ptr<RawTlsClient>> idle;
  auto open_start = Clock::now();
  for (int i = 0; i < idle_count; ++i) {
    idle.push_back(std::make_unique<RawTlsClient>(trust, server.port()));
    if (!idle.back()->send(kList) || !idle.back()->read_final_response()) {
      std::cerr << "idle connection " << i << " got no answer\n";
      return 1;
    }
  }
  double open_s = std::chrono::duration<double>(Clock::now() - open_start).count();
  std::size_t rss_idle = peak_rss_kib(server.pid());
  std::string label = "new client, " + std::to_string(idle_count) + " idle:";
  print_first_answer(label.c_str(), first_answer_ms(trust, server.port(), samples));
  std::printf(
      "opening %d keep-alive connections took %.2f s; server peak RSS %zu KiB before, %zu KiB "
      "with them\n",
      idle_count, open_s, rss_before, rss_idle);
  idle.clear();

  // Header floods: one of 256 MiB, then 8 in parallel of 64 MiB each.
  auto flood = [&](std::size_t bytes) {
    RawTlsClient client(trust, server.port());
    kv::testing::send_header_flood(client, bytes);
    auto r = client.read_final_response();
    return r ? r->status : 0;
  };
  auto start = Clock::now();
  int status = flood(256u << 20);
  double flood_s = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("256 MiB header flood: answer %d after %.3f s; server peak RSS %zu KiB\n", status,
              flood_s, peak_rss_kib(server.pid()));
  start = Clock::now();
  std::vector<std::thread> floods;
  std::vector<int> statuses(8);
  for (std::size_t i = 0; i < 8; ++i)
    floods.emplace_back([&, i] { statuses[i] = flood(64u << 20); });
  for (std::thread& t : floods) t.join();
  flood_s = std::chrono::duration<double>(Clock::now() - start).count();
  bool all_refused = std::all_of(statuses.begin(), statuses.end(), [](int s) { return s == 431; });
  std::printf("8 parallel 64 MiB floods: %s after %.3f s; server peak RSS %zu KiB\n",
              all_refused ? "all 431" : "NOT all 431", flood_s, peak_rss_kib(server.pid()));
  return all_refused && status == 431 ? 0 : 1;
}
