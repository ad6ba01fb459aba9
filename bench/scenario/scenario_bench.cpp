// Where the time of `kvharness run scenarios/` (playback) goes: parsing the scenario files,
// loading the fixtures, replaying each scenario in-process, and the whole CLI process from start
// to exit. Each figure is the median of several runs. Usage: kv_scenario_bench [ROUNDS]
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "kv/harness/fixture.hpp"
#include "kv/scenario/discovery.hpp"
#include "kv/scenario/parser.hpp"
#include "kv/scenario/session_runner.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double median_ms(int rounds, const std::function<void()>& work) {
  std::vector<double> samples;
  for (int i = 0; i < rounds; ++i) {
    auto start = Clock::now();
    work();
    samples.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

int run_process(const std::vector<std::string>& args) {
  std::fflush(stdout);  // the child must not inherit (and print again) our buffered output
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    if (std::freopen("/dev/null", "w", stdout) == nullptr) _exit(126);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 15;
  const std::string source = KV_SOURCE_DIR;
  auto files = kv::scenario::collect_scenario_files({source + "/scenarios"});
  std::vector<kv::scenario::Scenario> scenarios;
  for (const auto& f : files) scenarios.push_back(kv::scenario::load_scenario(f));
  std::size_t entries = 0;
  for (const auto& f : files) {
    entries += kv::harness::load_fixture(kv::scenario::fixture_path_for(f, "")).entries.size();
  }
  std::printf("scenario library: %zu scenarios, %zu recorded exchanges; median of %d rounds\n\n",
              files.size(), entries, rounds);

  double parse = median_ms(rounds, [&] {
    for (const auto& f : files) kv::scenario::load_scenario(f);
  });
  double load = median_ms(rounds, [&] {
    for (const auto& f : files) kv::harness::load_fixture(kv::scenario::fixture_path_for(f, ""));
  });
  std::printf("%-40s %9.2f ms\n", "parse + validate all scenario files", parse);
  std::printf("%-40s %9.2f ms\n\n", "load all fixtures (once)", load);

  double total = 0;
  for (const auto& s : scenarios) {
    kv::scenario::SessionRunOptions options;
    options.fixture_path = kv::scenario::fixture_path_for(s.file, "");
    bool passed = true;
    double ms = median_ms(rounds, [&] {
      passed =
          kv::scenario::run_in_session(s, options).status == kv::scenario::Status::Passed && passed;
    });
    total += ms;
    std::printf("replay %-33s %9.2f ms%s\n", s.name.c_str(), ms, passed ? "" : "  (FAILED)");
  }
  std::printf("%-40s %9.2f ms\n\n", "replay all scenarios in-process (sum)", total);

#ifdef KV_CLI_PATH
  const std::string cli = KV_CLI_PATH;
  double version = median_ms(rounds, [&] { run_process({cli, "--version"}); });
  int status = 0;
  double whole = median_ms(rounds, [&] {
    status = run_process({cli, "run", "--mode", "playback", source + "/scenarios"});
  });
  std::printf("%-40s %9.2f ms\n", "kvharness --version (process start/exit)", version);
  std::printf("%-40s %9.2f ms%s\n", "kvharness run scenarios/ (start to exit)", whole,
              status == 0 ? "" : "  (FAILED)");
#endif
  return 0;
}
