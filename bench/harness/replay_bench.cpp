// kv_replay_bench: how fast the replay path is, how it scales, and what recording costs.
//
//   kv_replay_bench [--seconds S] [--sizes 1000,10000,100000] [--localvault PATH] [--rounds N]
//
// 1. Seed flow (set, get, backup, delete + 2 x 404 polls + 200, purge, restore: 9 exchanges,
//    ~7 KB backup blob each way) replayed through the whole SecretClient stack, with the split
//    between matching, copying the response and client-side work.
// 2. Fixtures of N distinct entries: load MB/s, peak memory, per-exchange replay cost.
// 3. Recording overhead: the same flow against localvault, live vs recorded.
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <new>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "in_process_vault.hpp"
#include "kv/harness/fixture.hpp"
#include "kv/harness/playback_transport.hpp"
#include "kv/harness/recording_transport.hpp"
#include "kv/harness/session.hpp"
#include "kv/harness/target.hpp"
#include "seed_flow.hpp"

// Every allocation through operator new is counted (one relaxed increment), so that the bench can
// print how many a path makes: a figure no neighbour on the machine can disturb.
namespace {
std::atomic<std::uint64_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
// Not inlined: GCC would otherwise see free() meet a new-expression and warn of a mismatch.
[[gnu::noinline]] void operator delete(void* p) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

using namespace kv;
using namespace kv::harness;
using Clock_ = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

// Backup blobs of the real service's size (~5 KB decoded, ~7 KB of base64url each way).
test::InProcessVaultOptions real_sized_backups() {
  test::InProcessVaultOptions options;
  options.backup_bytes = 5000;
  return options;
}

double seconds_since(Clock_::time_point start) {
  return std::chrono::duration<double>(Clock_::now() - start).count();
}

// CPU time of this process: on a shared 2-core machine wall time measures the neighbours too.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Remembers every request and response that pass through, to time the layers separately.
class Tap final : public http::Transport {
 public:
  explicit Tap(std::shared_ptr<http::Transport> inner) : inner_(std::move(inner)) {}
  http::Response send(const http::Request& r) override {
    requests.push_back(r);
    auto response = inner_->send(r);
    responses.push_back(response);
    return response;
  }
  std::vector<http::Request> requests;
  std::vector<http::Response> responses;

 private:
  std::shared_ptr<http::Transport> inner_;
};

SecretClient make_client(std::shared_ptr<http::Transport> transport, const std::string& url,
                         std::shared_ptr<kv::Clock> clock) {
  SecretClientOptions options;
  options.Transport = std::move(transport);
  options.Clock = std::move(clock);
  return SecretClient(url, std::make_shared<StaticTokenCredential>(), options);
}

Fixture record_seed_fixture() {
  const std::string vault = "https://benchvault.vault.azure.net";
  SanitizerOptions sanitizer;
  sanitizer.vault_url = vault;
  auto recorder = std::make_shared<RecordingTransport>(
      std::make_shared<test::InProcessVault>(vault, real_sized_backups()),
      std::make_shared<Sanitizer>(sanitizer));
  auto client = make_client(recorder, vault, std::make_shared<ManualClock>());
  test::run_seed_flow(client, "bench-secret", "my secret value", 2s);
  Fixture fixture;
  fixture.entries = recorder->take_entries();
  // Through the file format, exactly as a committed recording would be replayed.
  return parse_fixture(serialize_fixture(fixture), "seed.json");
}

// The seed flow recorded through a Session, as a user's test would write its fixture (metadata,
// rules and all); returns the file's text.
std::string record_seed_file(const std::string& path) {
  const std::string vault = "https://benchvault.vault.azure.net";
  SessionOptions options;
  options.mode = Mode::Record;
  options.fixture_path = path;
  options.vault_url = vault;
  options.live_transport = std::make_shared<test::InProcessVault>(vault, real_sized_backups());
  options.secrets_to_redact = {"bench-client-secret"};
  Session session(options);
  auto client = make_client(session.transport(), vault, session.clock());
  test::run_seed_flow(client, "bench-secret", "my secret value", 2s);
  session.finish();
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// How tests really replay: each test opens its own fixture and replays it once. Three patterns,
// per 9-exchange flow, CPU time beside wall time.
void per_test_bench(double budget_seconds) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("kv-bench-per-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "seed.json").string();
  const std::string text = record_seed_file(path);
  const auto shared = std::make_shared<const Fixture>(load_fixture(path));
  PlaybackOptions named;
  named.fixture_path = path;
  const std::size_t per_flow = shared->entries.size();

  struct Figure {
    double cpu_us_per_flow;
    double wall_us_per_flow;
  };
  auto measure = [&](auto&& one_flow) {
    std::size_t flows = 0;
    const auto start = Clock_::now();
    const double cpu_start = cpu_seconds();
    while (seconds_since(start) < budget_seconds) {
      for (int i = 0; i < 50; ++i) one_flow();
      flows += 50;
    }
    return Figure{(cpu_seconds() - cpu_start) / static_cast<double>(flows) * 1e6,
                  seconds_since(start) / static_cast<double>(flows) * 1e6};
  };
  const std::string url = std::string("https://") + kFakeVaultHost;
  // 1. A Session per flow from the file: read, parse, prepare, replay, finish.
  const Figure session = measure([&] {
    SessionOptions options;
    options.mode = Mode::Playback;
    options.fixture_path = path;
    Session s(options);
    auto client = make_client(s.transport(), s.vault_url(), s.clock());
    test::run_seed_flow(client, "bench-secret", "my secret value", 2s);
    s.finish();
  });
  // 2. Parsed once; a new (prepared) PlaybackTransport per flow.
  const Figure transport = measure([&] {
    auto playback = std::make_shared<PlaybackTransport>(shared, named);
    auto client = make_client(playback, url, std::make_shared<ManualClock>());
    test::run_seed_flow(client, "bench-secret", "my secret value", 2s);
    playback->verify_all_used();
  });
  // 3. Prepared once; a new PlaybackTransport (only its "used" marks) per flow.
  const auto prepared = PreparedFixture::prepare(shared, named);
  const Figure marks = measure([&] {
    auto playback = std::make_shared<PlaybackTransport>(prepared);
    auto client = make_client(playback, url, std::make_shared<ManualClock>());
    test::run_seed_flow(client, "bench-secret", "my secret value", 2s);
    playback->verify_all_used();
  });
  // Where the per-test time goes: reading and parsing the file, preparing it.
  const Figure parse = measure([&] { (void)parse_fixture(text, path); });
  const Figure prepare = measure([&] { (void)PreparedFixture::prepare(shared, named); });
  std::filesystem::remove_all(dir);

  auto line = [&](const char* label, const Figure& f) {
    std::printf("%-44s %8.1f us CPU %8.0f exchanges/s CPU  (%.1f us wall)\n", label,
                f.cpu_us_per_flow, static_cast<double>(per_flow) / f.cpu_us_per_flow * 1e6,
                f.wall_us_per_flow);
  };
  std::printf("\n== One fixture per test (%zu exchanges, %zu B file), per flow\n", per_flow,
              text.size());
  line("Session per flow (read + parse + replay)", session);
  std::printf("%-44s goal >= 65,000 exchanges/s (<= 140 us per flow; go-vcr 6,514)\n", "");
  line("parsed once, new PlaybackTransport per flow", transport);
  line("prepared once, new PlaybackTransport per flow", marks);
  std::printf("%-44s %8.1f us CPU  (%.0f MB/s; goal >= 500 MB/s)\n", "  parsing the fixture text",
              parse.cpu_us_per_flow, static_cast<double>(text.size()) / parse.cpu_us_per_flow);
  std::printf("%-44s %8.1f us CPU\n", "  preparing it (keys, index, responses)",
              prepare.cpu_us_per_flow);
}

// The CPU cost recording adds per exchange, measured in-process so that network noise cannot
// hide it: the seed flow against the in-process vault, with and without the recorder, in
// alternating batches (so that a neighbour's burst hits both alike); medians of the batches.
void record_cost_bench(double budget_seconds) {
  const std::string vault_url = "https://benchvault.vault.azure.net";
  constexpr int kFlowsPerBatch = 20;
  auto batch = [&](bool record) {
    const double cpu_start = cpu_seconds();
    for (int i = 0; i < kFlowsPerBatch; ++i) {
      std::shared_ptr<http::Transport> transport =
          std::make_shared<test::InProcessVault>(vault_url, real_sized_backups());
      if (record) {
        SanitizerOptions sanitizer;
        sanitizer.vault_url = vault_url;
        sanitizer.secrets = {"client-secret-value"};
        transport =
            std::make_shared<RecordingTransport>(transport, std::make_shared<Sanitizer>(sanitizer));
      }
      auto client = make_client(transport, vault_url, std::make_shared<ManualClock>());
      test::run_seed_flow(client, "bench-secret", "my secret value", 2s);
    }
    return (cpu_seconds() - cpu_start) / (kFlowsPerBatch * 9.0) * 1e6;
  };
  std::vector<double> plain, recorded, added;
  const auto start = Clock_::now();
  while (seconds_since(start) < budget_seconds || plain.size() < 5) {
    const double p = batch(false);
    const double r = batch(true);
    plain.push_back(p);
    recorded.push_back(r);
    added.push_back(r - p);
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::printf(
      "\n== Recording cost per exchange (in-process vault, CPU time, median of %zu batch pairs)\n",
      plain.size());
  std::printf("without recorder          %.2f us per exchange\n", median(plain));
  std::printf("with recorder             %.2f us per exchange\n", median(recorded));
  std::printf(
      "added by the recorder     %.2f us per exchange (copy, classify, sanitize; goal <= 10)\n",
      median(added));
}

// Answers the requests of one captured flow with its captured responses, in turn.
class Canned final : public http::Transport {
 public:
  explicit Canned(const std::vector<http::Response>& responses) : responses_(responses) {}
  http::Response send(const http::Request&) override {
    return responses_[next_++ % responses_.size()];
  }

 private:
  const std::vector<http::Response>& responses_;
  std::size_t next_ = 0;
};

// The recorder on its own: the seed flow's 9 captured exchanges (real-sized backups, the
// in-process vault's headers) sent straight through a RecordingTransport over canned answers,
// without the client. The difference to the canned answers alone is what the recorder adds to
// each exchange on the caller's thread.
void recorder_alone_bench(double budget_seconds) {
  const std::string vault_url = "https://benchvault.vault.azure.net";
  auto tap = std::make_shared<Tap>(
      std::make_shared<test::InProcessVault>(vault_url, real_sized_backups()));
  auto client = make_client(tap, vault_url, std::make_shared<ManualClock>());
  test::run_seed_flow(client, "bench-secret", "my secret value", 2s);
  SanitizerOptions options;
  options.vault_url = vault_url;
  options.secrets = {"client-secret-value"};
  const auto sanitizer = std::make_shared<const Sanitizer>(options);
  constexpr int kFlowsPerBatch = 200;
  auto batch = [&](bool record) {
    const double cpu_start = cpu_seconds();
    for (int f = 0; f < kFlowsPerBatch; ++f) {
      std::shared_ptr<http::Transport> transport = std::make_shared<Canned>(tap->responses);
      std::shared_ptr<RecordingTransport> recorder;
      if (record) transport = recorder = std::make_shared<RecordingTransport>(transport, sanitizer);
      for (const auto& request : tap->requests) {
        if (transport->send(request).status == 0) std::abort();
      }
      if (recorder && recorder->take_entries().size() != tap->requests.size()) std::abort();
    }
    return (cpu_seconds() - cpu_start) /
           (kFlowsPerBatch * static_cast<double>(tap->requests.size())) * 1e6;
  };
  std::vector<double> added;
  const auto start = Clock_::now();
  while (seconds_since(start) < budget_seconds || added.size() < 5) {
    const double plain = batch(false);
    added.push_back(batch(true) - plain);
  }
  std::sort(added.begin(), added.end());
  // Allocations: one recorded flow less one plain flow, per exchange.
  auto allocations = [&](bool record) {
    const std::uint64_t before = g_allocations.load(std::memory_order_relaxed);
    std::shared_ptr<http::Transport> transport = std::make_shared<Canned>(tap->responses);
    std::shared_ptr<RecordingTransport> recorder;
    if (record) transport = recorder = std::make_shared<RecordingTransport>(transport, sanitizer);
    for (const auto& request : tap->requests) (void)transport->send(request);
    return g_allocations.load(std::memory_order_relaxed) - before;
  };
  const double allocations_per_exchange =
      static_cast<double>(allocations(true) - allocations(false)) /
      static_cast<double>(tap->requests.size());
  std::printf(
      "recorder alone            %.2f us per exchange (%zu exchanges, median of %zu batch pairs)\n"
      "                          %.1f allocations per exchange\n",
      added[added.size() / 2], tap->requests.size(), added.size(), allocations_per_exchange);
}

void seed_flow_bench(double budget_seconds) {
  Fixture fixture = record_seed_fixture();
  std::size_t request_bytes = 0;
  std::size_t response_bytes = 0;
  for (const auto& e : fixture.entries) {
    request_bytes += e.request_body.bytes.size();
    response_bytes += e.response_body.bytes.size();
  }
  const std::size_t per_flow = fixture.entries.size();
  auto playback = std::make_shared<PlaybackTransport>(
      fixture, PlaybackOptions{"seed.json", MatchRules::defaults(), nullptr, nullptr});
  std::printf("goal >= 150,000 exchanges/s per CPU second with the fixture already open\n");
  const std::string url = std::string("https://") + kFakeVaultHost;
  auto client = make_client(playback, url, std::make_shared<ManualClock>());

  // Warm up, and capture the exact requests the client sends.
  auto tap = std::make_shared<Tap>(playback);
  {
    auto tapped = make_client(tap, url, std::make_shared<ManualClock>());
    test::run_seed_flow(tapped, "bench-secret", "my secret value", 2s);
    playback->verify_all_used();
    playback->reset();
  }

  // Whole stack.
  std::size_t flows = 0;
  auto start = Clock_::now();
  double cpu_start = cpu_seconds();
  while (seconds_since(start) < budget_seconds) {
    for (int i = 0; i < 100; ++i) {
      test::run_seed_flow(client, "bench-secret", "my secret value", 2s);
      playback->reset();
    }
    flows += 100;
  }
  const double wall = seconds_since(start);
  const double whole = cpu_seconds() - cpu_start;
  const double exchanges = static_cast<double>(flows * per_flow);
  const double per_exchange_us = whole / exchanges * 1e6;

  // Transport only (match + copy), same requests.
  std::size_t rounds = 0;
  start = Clock_::now();
  cpu_start = cpu_seconds();
  while (seconds_since(start) < budget_seconds / 2) {
    for (int i = 0; i < 1000; ++i) {
      for (const auto& r : tap->requests) {
        auto response = playback->send(r);
        if (response.status == 0) std::abort();
      }
      playback->reset();
    }
    rounds += 1000;
  }
  const double transport_us =
      (cpu_seconds() - cpu_start) / static_cast<double>(rounds * per_flow) * 1e6;

  // Copy only: the response copy the transport hands back.
  rounds = 0;
  start = Clock_::now();
  cpu_start = cpu_seconds();
  while (seconds_since(start) < budget_seconds / 4) {
    for (int i = 0; i < 1000; ++i) {
      for (const auto& response : tap->responses) {
        http::Response copy = response;
        if (copy.status == 0) std::abort();
      }
    }
    rounds += 1000;
  }
  const double copy_us = (cpu_seconds() - cpu_start) / static_cast<double>(rounds * per_flow) * 1e6;
  const double match_us = std::max(0.0, transport_us - copy_us);
  const double client_us = std::max(0.0, per_exchange_us - transport_us);

  std::printf(
      "== Seed flow replay through SecretClient (%zu exchanges per flow, request bodies %zu B,"
      " response bodies %zu B per flow)\n",
      per_flow, request_bytes, response_bytes);
  std::printf("flows replayed            %zu in %.2f s CPU (%.2f s wall)\n", flows, whole, wall);
  std::printf(
      "exchanges per second      %.0f per CPU second, one thread   (go-vcr ~9,000; vcrpy/Ruby VCR "
      "~1,000; nock/Polly.js ~250)\n",
      exchanges / whole);
  std::printf("                          %.0f per wall second (lower when the machine is shared)\n",
              exchanges / wall);
  std::printf("cost per exchange         %.2f us CPU\n", per_exchange_us);
  std::printf("  matching (incl. lock)   %.2f us  (%.0f %%)\n", match_us,
              100 * match_us / per_exchange_us);
  std::printf("  copying the response    %.2f us  (%.0f %%)\n", copy_us,
              100 * copy_us / per_exchange_us);
  std::printf(
      "  client side             %.2f us  (%.0f %%)  request building, pipeline, JSON parsing\n",
      client_us, 100 * client_us / per_exchange_us);
}

std::string synthetic_fixture_text(std::size_t n) {
  Fixture f;
  f.entries.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    Entry e;
    const std::string name = "secret-" + std::to_string(i);
    e.request_uri =
        std::string("https://") + kFakeVaultHost + "/secrets/" + name + "?api-version=7.5";
    e.request_method = "GET";
    e.request_headers.add("Accept", "application/json");
    e.request_headers.add("Authorization", "Sanitized");
    e.status_code = 200;
    e.response_headers.add("Cache-Control", "no-cache");
    e.response_headers.add("Content-Type", "application/json; charset=utf-8");
    e.response_headers.add("x-ms-request-id", "0f6a1b2c-0000-4000-8000-000000000001");
    e.response_headers.add("Date", "Wed, 12 Mar 2025 22:16:18 GMT");
    char version[40];
    std::snprintf(version, sizeof version, "%032zx", i);
    e.response_body = Body::from_json(
        {{"value", "value-" + std::to_string(i)},
         {"id", std::string("https://") + kFakeVaultHost + "/secrets/" + name + "/" + version},
         {"attributes",
          {{"enabled", true},
           {"created", 1741817778},
           {"updated", 1741817778},
           {"recoveryLevel", "Recoverable+Purgeable"},
           {"recoverableDays", 90}}}});
    e.response_headers.add("Content-Length", std::to_string(e.response_body.bytes.size()));
    f.entries.push_back(std::move(e));
  }
  return serialize_fixture(f);
}

// Peak resident memory (VmHWM) of this process in kB.
long peak_rss_kb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}
long current_rss_kb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

// Runs in a child process so that peak memory is this size's alone.
void scaling_child(const std::string& path, std::size_t n, std::size_t file_bytes, int out_fd) {
  const long rss_before = current_rss_kb();
  const double start = cpu_seconds();
  const auto wall_start = Clock_::now();
  // As a test's Session opens it: entries checked, read when first replayed.
  auto fixture = open_fixture(path);
  const double parse_s = cpu_seconds() - start;
  auto playback = std::make_shared<PlaybackTransport>(PreparedFixture::prepare(
      std::move(fixture), PlaybackOptions{path, MatchRules::defaults(), nullptr, nullptr}));
  const double load_s = cpu_seconds() - start;
  const double load_wall_s = seconds_since(wall_start);
  const long rss_after = peak_rss_kb();
  auto client = make_client(playback, std::string("https://") + kFakeVaultHost,
                            std::make_shared<ManualClock>());
  // Every entry once, in a scattered order (stride coprime with n), through SecretClient.
  const std::size_t samples = std::min<std::size_t>(n, 20000);
  const std::size_t stride = 7919;
  const double cpu_start = cpu_seconds();
  for (std::size_t k = 0; k < samples; ++k) {
    const std::size_t i = (k * stride) % n;
    client.GetSecret("secret-" + std::to_string(i));
  }
  const double per_exchange_us = (cpu_seconds() - cpu_start) / static_cast<double>(samples) * 1e6;
  // For the parent: entries, parse s, load s, peak kB over the start, us per exchange, load wall s.
  char line[256];
  const int len =
      std::snprintf(line, sizeof line, "%zu %zu %.6f %.6f %ld %.4f %.6f\n", n, file_bytes, parse_s,
                    load_s, rss_after - rss_before, per_exchange_us, load_wall_s);
  if (write(out_fd, line, static_cast<std::size_t>(len)) < 0) std::abort();
}

struct LoadFigures {
  double parse_s = 0;
  double load_s = 0;
  double peak_mb = 0;
  double per_exchange_us = 0;
  double load_wall_s = 0;
};

// One load of `path` in a fresh process (exec, not just fork) so that its peak memory is this
// load's alone; `huge_pages` lets that process's malloc use transparent huge pages.
std::optional<LoadFigures> load_in_child(const std::string& path, std::size_t n, std::size_t bytes,
                                         bool huge_pages) {
  int fds[2];
  if (pipe(fds) != 0) return std::nullopt;
  std::fflush(stdout);
  const pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    dup2(fds[1], STDOUT_FILENO);
    if (huge_pages) setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 1);
    const std::string count = std::to_string(n);
    const std::string size = std::to_string(bytes);
    execl("/proc/self/exe", "kv_replay_bench", "--load-child", path.c_str(), count.c_str(),
          size.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  char buffer[512];
  ssize_t got;
  std::string out;
  while ((got = read(fds[0], buffer, sizeof buffer)) > 0)
    out.append(buffer, static_cast<std::size_t>(got));
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  LoadFigures f;
  std::size_t entries = 0, file = 0;
  long peak_kb = 0;
  if (std::sscanf(out.c_str(), "%zu %zu %lf %lf %ld %lf %lf", &entries, &file, &f.parse_s,
                  &f.load_s, &peak_kb, &f.per_exchange_us, &f.load_wall_s) != 7) {
    return std::nullopt;
  }
  f.peak_mb = static_cast<double>(peak_kb) / 1024.0;
  return f;
}

void scaling_bench(const std::vector<std::size_t>& sizes) {
  std::printf("\n== Fixture size scaling (GET of N distinct secrets through SecretClient)\n");
  std::printf("%-8s %11s %10s %10s %13s %12s %13s %13s\n", "entries", "file", "parse", "load+index",
              "load rate", "peak memory", "per exchange", "wall rate");
  const auto dir =
      std::filesystem::temp_directory_path() / ("kv-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  for (std::size_t n : sizes) {
    const std::string path = (dir / ("fixture-" + std::to_string(n) + ".json")).string();
    std::size_t bytes = 0;
    {
      const std::string text = synthetic_fixture_text(n);
      bytes = text.size();
      std::ofstream(path, std::ios::binary) << text;
    }
    // Best of three loads (the least disturbed by neighbours), then one with huge pages.
    auto best = [&](bool huge_pages) {
      std::optional<LoadFigures> chosen;
      for (int run = 0; run < 3; ++run) {
        auto f = load_in_child(path, n, bytes, huge_pages);
        if (f && (!chosen || f->load_s < chosen->load_s)) chosen = f;
      }
      return chosen;
    };
    for (const bool huge_pages : {false, true}) {
      const auto f = best(huge_pages);
      if (!f) {
        std::printf("%-8zu the load child failed\n", n);
        continue;
      }
      const double mb = static_cast<double>(bytes) / 1e6;
      std::printf("%-8zu %8.1f MB %8.3f s %8.3f s %8.1f MB/s %9.1f MB %10.2f us   %6.1f MB/s%s\n",
                  n, mb, f->parse_s, f->load_s, mb / f->load_s, f->peak_mb, f->per_exchange_us,
                  mb / f->load_wall_s, huge_pages ? "  (malloc on huge pages)" : "");
    }
  }
  std::filesystem::remove_all(dir);
  std::printf(
      "(best of 3 runs each; times are CPU time, the last column the same load by wall time;\n"
      " goal >= 500 MB/s and peak memory <= 2x the file;\n"
      " peak memory = peak RSS while loading and indexing minus the RSS before; huge pages:\n"
      " GLIBC_TUNABLES=glibc.malloc.hugetlb=1, which saves most of the page faults)\n");
}

// Adds the wall time spent inside the wrapped transport to `total`.
class Timed final : public http::Transport {
 public:
  Timed(std::shared_ptr<http::Transport> inner, double& total)
      : inner_(std::move(inner)), total_(total) {}
  http::Response send(const http::Request& request) override {
    const auto start = Clock_::now();
    http::Response response = inner_->send(request);
    total_ += seconds_since(start);
    return response;
  }

 private:
  std::shared_ptr<http::Transport> inner_;
  double& total_;
};

void record_overhead_bench(const std::string& binary, int rounds) {
  std::printf("\n== Recording overhead against localvault (%s)\n", binary.c_str());
  struct Sample {
    double wall;
    double cpu;
  };
  // The launcher every kvharness part uses; windows of 0 ms so that no poll or 409 waits.
  LocalVaultOptions lv;
  lv.executable = binary;
  lv.arguments = {"--delete-delay", "0", "--purge-delay", "0"};
  std::optional<VaultTarget> started;
  try {
    started = local_vault_target(lv);
  } catch (const std::exception& e) {
    std::printf("localvault did not start (%s); skipped\n", e.what());
    return;
  }
  const VaultTarget& vault = *started;
  auto curl = vault.transport;
  auto credential = vault.credential;
  double save_seconds = 0;
  // The recorder's own time inside recorded flows of their own (timing wrappers around and
  // inside the recorder, not in the flows compared with live ones): around minus inside.
  double around_recorder = 0;
  double inside_recorder = 0;
  std::size_t timed_exchanges = 0;
  auto run = [&](bool record, int round, bool timed = false) {
    std::shared_ptr<http::Transport> transport = curl;
    std::shared_ptr<RecordingTransport> recorder;
    if (record) {
      SanitizerOptions sanitizer;
      sanitizer.vault_url = vault.vault_url;
      sanitizer.secrets = vault.secrets_to_redact;
      std::shared_ptr<http::Transport> inner = curl;
      if (timed) inner = std::make_shared<Timed>(curl, inside_recorder);
      transport = recorder =
          std::make_shared<RecordingTransport>(inner, std::make_shared<Sanitizer>(sanitizer));
      if (timed) transport = std::make_shared<Timed>(recorder, around_recorder);
    }
    SecretClientOptions options;
    options.Transport = transport;
    options.DisableChallengeResourceVerification = true;
    SecretClient client(vault.vault_url, credential, options);
    const std::string name = std::string(record ? "rec-" : "live-") + std::to_string(round + 1);
    auto start = Clock_::now();
    const double cpu_start = cpu_seconds();
    test::run_seed_flow(client, name, "my secret value", 20ms);
    const Sample sample{seconds_since(start), cpu_seconds() - cpu_start};
    if (record) {
      // Writing the fixture happens once per session, at finish(); timed on its own.
      Fixture fixture;
      fixture.entries = recorder->take_entries();
      if (timed) timed_exchanges += fixture.entries.size();
      auto save_start = Clock_::now();
      const std::string text = serialize_fixture(fixture);
      save_seconds += seconds_since(save_start);
      if (text.empty()) std::abort();
    }
    return sample;
  };
  std::vector<Sample> live;
  std::vector<Sample> recorded;
  run(false, -1);  // warm up connections and the token
  for (int i = 0; i < rounds; ++i) {
    // Alternate which mode goes first, so drift on a shared machine hits both alike.
    if (i % 2 == 0) {
      live.push_back(run(false, i));
      recorded.push_back(run(true, i));
    } else {
      recorded.push_back(run(true, i));
      live.push_back(run(false, i));
    }
  }
  for (int i = 0; i < std::max(1, rounds / 4); ++i) (void)run(true, rounds + i, true);
  // In ms; q = 0.5 is the median.
  auto quantile = [](const std::vector<Sample>& samples, double Sample::*field, double q) {
    std::vector<double> v;
    for (const auto& s : samples) v.push_back(s.*field);
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5)] * 1e3;
  };
  auto median = [&](const std::vector<Sample>& samples, double Sample::*field) {
    return quantile(samples, field, 0.5);
  };
  const double live_ms = median(live, &Sample::wall);
  const double record_ms = median(recorded, &Sample::wall);
  const double live_cpu = median(live, &Sample::cpu);
  const double record_cpu = median(recorded, &Sample::cpu);
  // Each round's recorded flow against its own live flow: drift on a shared machine cancels.
  std::vector<Sample> paired;
  for (std::size_t i = 0; i < live.size(); ++i) {
    paired.push_back({recorded[i].wall - live[i].wall, recorded[i].cpu - live[i].cpu});
  }
  const double added_wall = median(paired, &Sample::wall);
  const double added_cpu = median(paired, &Sample::cpu);
  std::printf("flows per mode            %d (interleaved, medians)\n", rounds);
  std::printf("%-25s %8s %8s\n", "", "wall ms", "CPU ms");
  std::printf("%-25s %8.2f %8.3f\n", "live", live_ms, live_cpu);
  std::printf("%-25s %8.2f %8.3f\n", "record", record_ms, record_cpu);
  std::printf(
      "%-25s %+7.1f%% %+7.1f%%   (goal: <= +3 %% wall; the client's CPU "
      "is what the recorder adds to)\n",
      "overhead", (record_ms - live_ms) / live_ms * 100, (record_cpu - live_cpu) / live_cpu * 100);
  std::printf(
      "%-25s %+7.1f%% %+7.1f%%   (median of the per-round differences: %+.3f ms wall, %+.3f ms "
      "CPU)\n",
      "overhead, paired", added_wall / live_ms * 100, added_cpu / live_cpu * 100, added_wall,
      added_cpu);
  std::printf("%-25s %+7.1f%% to %+.1f%% wall   (how widely single rounds differ)\n",
              "paired, quartiles", quantile(paired, &Sample::wall, 0.25) / live_ms * 100,
              quantile(paired, &Sample::wall, 0.75) / live_ms * 100);
  std::printf(
      "the recorder's own time   %.2f us per exchange in such flows (goal <= 10; caches "
      "as the flow leaves them)\n",
      (around_recorder - inside_recorder) / static_cast<double>(timed_exchanges) * 1e6);
  std::printf("serialising the fixture   %.2f ms per flow (once per session, at finish)\n",
              save_seconds / (rounds + std::max(1, rounds / 4)) * 1e3);
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3;
  // Record-overhead rounds: the per-round differences spread over several per cent of a flow on
  // a shared host, so their median needs a thousand or so to settle to a few tenths of one.
  int rounds = 1000;
  std::vector<std::size_t> sizes = {1000, 10000, 100000};
  std::string localvault;
  std::string only;  // one section: seed, per-test, scaling, record-cost, record-overhead
#ifdef KV_LOCALVAULT_PATH
  localvault = KV_LOCALVAULT_PATH;
#endif
  if (argc == 5 && std::string(argv[1]) == "--load-child") {
    scaling_child(argv[2], std::stoul(argv[3]), std::stoul(argv[4]), STDOUT_FILENO);
    return 0;
  }
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "kv_replay_bench: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--seconds") {
      seconds = std::stod(value());
    } else if (arg == "--rounds") {
      rounds = std::stoi(value());
    } else if (arg == "--localvault") {
      localvault = value();
    } else if (arg == "--only") {
      only = value();
    } else if (arg == "--sizes") {
      sizes.clear();
      std::stringstream list(value());
      for (std::string item; std::getline(list, item, ',');) sizes.push_back(std::stoul(item));
    } else {
      std::fprintf(stderr,
                   "usage: kv_replay_bench [--seconds S] [--sizes 1000,10000] [--rounds N] "
                   "[--localvault PATH]\n"
                   "                       [--only seed|per-test|scaling|record-cost|"
                   "record-overhead]\n");
      return 2;
    }
  }
  const auto wanted = [&](const char* section) { return only.empty() || only == section; };
  if (wanted("seed")) seed_flow_bench(seconds);
  if (wanted("per-test")) per_test_bench(seconds / 2);
  if (wanted("scaling")) scaling_bench(sizes);
  if (wanted("record-cost")) {
    record_cost_bench(seconds / 2);
    recorder_alone_bench(seconds / 2);
  }
  if (!wanted("record-overhead")) return 0;
  if (!localvault.empty() && std::filesystem::exists(localvault)) {
    try {
      record_overhead_bench(localvault, rounds);
    } catch (const std::exception& e) {
      std::printf("recording overhead: the flow failed against localvault: %s\n", e.what());
      return 1;
    }
  } else {
    std::printf(
        "\n== Recording overhead: skipped (no localvault binary; pass --localvault PATH)\n");
  }
  return 0;
}
