#pragma once
// What the HTTPS benchmarks report of a load of several keep-alive connections: latency
// percentiles of every request, and the server's CPU time per request.

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "text_file.hpp"

namespace kv::testing {

/// The latencies of all connections of a run, merged and sorted.
class Latencies {
 public:
  explicit Latencies(const std::vector<std::vector<double>>& per_connection) {
    for (const auto& one : per_connection) all_.insert(all_.end(), one.begin(), one.end());
    std::sort(all_.begin(), all_.end());
  }

  std::size_t count() const { return all_.size(); }
  bool empty() const { return all_.empty(); }

  /// The value below which the share `p` (0 to 1) of the requests lie; 0 without requests.
  double at(double p) const {
    if (all_.empty()) return 0.0;
    return all_[std::min(all_.size() - 1, static_cast<std::size_t>(p * all_.size()))];
  }

  double max() const { return all_.empty() ? 0.0 : all_.back(); }

  /// "latency us: p50 ..  p90 ..  p99 ..  max .." on stdout.
  void print() const {
    std::printf("latency us: p50 %.0f  p90 %.0f  p99 %.0f  max %.0f\n", at(0.50), at(0.90),
                at(0.99), max());
  }

 private:
  std::vector<double> all_;
};

/// "WHO CPU: .. us/request (.. req/s per core), load average: .." on stdout, when there were
/// requests and CPU time was measured. A server's CPU per request does not depend on what else
/// shares the machine; it bounds what one core can serve when the clients run elsewhere.
inline void print_cpu_per_request(const char* who, double cpu_seconds, std::size_t requests) {
  if (requests == 0 || cpu_seconds <= 0) return;
  std::printf("%s CPU: %.1f us/request (%.0f req/s per core), load average: %s", who,
              1e6 * cpu_seconds / static_cast<double>(requests),
              static_cast<double>(requests) / cpu_seconds,
              kv::localvault::testing::read_text("/proc/loadavg").c_str());
}

}  // namespace kv::testing
