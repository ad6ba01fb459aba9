// Measures GET secret on a live localvault over HTTPS with keep-alive from several connections.
// Prints requests/s and latency percentiles. Usage: localvault_get_bench [connections] [seconds]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>
#include <vector>

#include "https_client.hpp"
#include "load_figures.hpp"
#include "process_stats.hpp"

using namespace kv::localvault::testing;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  int connections = argc > 1 ? std::atoi(argv[1]) : 4;
  double seconds = argc > 2 ? std::atof(argv[2]) : 5.0;
  if (connections < 1 || seconds <= 0) {
    std::cerr << "usage: localvault_get_bench [connections>=1] [seconds>0]\n";
    return 2;
  }
  LocalVault server(launch(LOCALVAULT_EXE, {"--tenant", "bench", "--client-id", "bench",
                                            "--client-secret", "bench-secret"}));
  {
    VaultClient setup(server);
    setup.login("bench", "bench", "bench-secret");
    if (setup.send("PUT", "/secrets/bench?api-version=7.6", R"({"value":"benchmark value"})")
            .status != 200) {
      std::cerr << "cannot create the benchmark secret\n";
      return 1;
    }
  }
  std::atomic<bool> go{false}, stop{false};
  std::atomic<int> errors{0};
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(connections));
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      VaultClient client(server);
      client.login("bench", "bench", "bench-secret");
      std::vector<double>& mine = latencies[static_cast<std::size_t>(c)];
      mine.reserve(200000);
      while (!go) std::this_thread::yield();
      while (!stop) {
        auto start = Clock::now();
        WireResponse r = client.send("GET", "/secrets/bench?api-version=7.6");
        mine.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
        if (r.status != 200) ++errors;
      }
    });
  }
  double server_cpu_before = cpu_seconds(server.pid());
  auto start = Clock::now();
  go = true;
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (std::thread& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  double server_cpu = cpu_seconds(server.pid()) - server_cpu_before;

  const kv::testing::Latencies all(latencies);
  std::printf(
      "localvault GET secret, HTTPS keep-alive, %d connections, %.1f s (client on the same "
      "machine)\n",
      connections, elapsed);
  std::printf("requests: %zu  errors: %d  throughput: %.0f req/s\n", all.count(), errors.load(),
              static_cast<double>(all.count()) / elapsed);
  all.print();
  kv::testing::print_cpu_per_request("server", server_cpu, all.count());
  return errors == 0 ? 0 : 1;
}
