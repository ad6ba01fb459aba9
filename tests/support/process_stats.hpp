#pragma once
// CPU time and peak memory of another process, from /proc, for tests and benchmarks.

#include <unistd.h>

#include <sstream>
#include <string>

#include "text_file.hpp"

namespace kv::localvault::testing {

/// User plus system CPU seconds the process has used, from /proc/<pid>/stat (0 when unreadable).
inline double cpu_seconds(pid_t pid) {
  std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  std::size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string skip;
  for (int i = 0; i < 11; ++i) fields >> skip;  // state .. cmajflt
  double utime = 0, stime = 0;
  fields >> utime >> stime;
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

/// Peak resident memory of the process in KiB (VmHWM in /proc/<pid>/status), 0 when unreadable.
inline std::size_t peak_rss_kib(pid_t pid) {
  std::string status = read_text("/proc/" + std::to_string(pid) + "/status");
  std::size_t at = status.find("VmHWM:");
  return at == std::string::npos ? 0 : std::stoul(status.substr(at + 6));
}

}  // namespace kv::localvault::testing
