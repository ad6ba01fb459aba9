// PlaybackTransport: strict order, unused entries, explained misses (golden files), threads.
#include <catch2/catch.hpp>

#include <thread>

#include "kv/harness/playback_transport.hpp"
#include "kv/harness/recording_transport.hpp"
#include "test_paths.hpp"

using namespace kv;
using namespace kv::harness;

namespace {

Entry entry(std::string method, std::string path, int status, std::string response = "",
            std::string request = "") {
  Entry e;
  e.request_method = std::move(method);
  e.request_uri = "https://fakevault.vault.azure.net" + path;
  if (!request.empty())
    e.request_body = Body::from_bytes(http::to_bytes(request), "application/json");
  e.status_code = status;
  if (!response.empty()) {
    e.response_headers.add("Content-Type", "application/json; charset=utf-8");
    e.response_headers.add("Content-Length", "1");
    e.response_body = Body::from_bytes(http::to_bytes(response), "application/json");
  }
  return e;
}

http::Request request(std::string method, std::string path, std::string body = "") {
  http::Request r;
  r.method = std::move(method);
  r.url = "https://fakevault.vault.azure.net" + path;
  r.headers.add("Authorization", "Bearer token-value");
  r.body = http::to_bytes(body);
  return r;
}

Fixture delete_flow() {
  Fixture f;
  f.entries.push_back(
      entry("PUT", "/secrets/s1?api-version=7.5", 200,
            R"({"value":"v","id":"https://fakevault.vault.azure.net/secrets/s1/01"})",
            R"({"value":"v"})"));
  f.entries.push_back(
      entry("DELETE", "/secrets/s1?api-version=7.5", 200,
            R"({"recoveryId":"https://fakevault.vault.azure.net/deletedsecrets/s1"})"));
  f.entries.push_back(entry("GET", "/deletedsecrets/s1?api-version=7.5", 404,
                            R"({"error":{"code":"SecretNotFound"}})"));
  f.entries.push_back(entry("GET", "/deletedsecrets/s1?api-version=7.5", 404,
                            R"({"error":{"code":"SecretNotFound"}})"));
  f.entries.push_back(
      entry("GET", "/deletedsecrets/s1?api-version=7.5", 200, R"({"recoveryId":"x"})"));
  f.entries.push_back(entry("DELETE", "/deletedsecrets/s1?api-version=7.5", 204));
  return f;
}

PlaybackOptions options(std::string path) {
  PlaybackOptions o;
  o.fixture_path = std::move(path);
  return o;
}

}  // namespace

TEST_CASE("Identical requests replay their recorded responses in order: 404, 404, 200",
          "[playback]") {
  PlaybackTransport t(delete_flow(), options("flow.json"));
  CHECK(t.send(request("PUT", "/secrets/s1?api-version=7.5", R"({"value":"v"})")).status == 200);
  CHECK(t.send(request("DELETE", "/secrets/s1?api-version=7.5")).status == 200);
  CHECK(t.send(request("GET", "/deletedsecrets/s1?api-version=7.5")).status == 404);
  CHECK(t.send(request("GET", "/deletedsecrets/s1?api-version=7.5")).status == 404);
  const http::Response done = t.send(request("GET", "/deletedsecrets/s1?api-version=7.5"));
  CHECK(done.status == 200);
  CHECK(done.body_text() == R"({"recoveryId":"x"})");
  // Content-Length is the length of the body actually replayed.
  CHECK(*done.headers.find("Content-Length") == "18");
  CHECK(done.reason == "OK");
  CHECK(t.send(request("DELETE", "/deletedsecrets/s1?api-version=7.5")).status == 204);
  CHECK(t.unused_entries().empty());
  CHECK_NOTHROW(t.verify_all_used());
}

TEST_CASE("Thousands of paths, each recorded several times, replay their own entries in order",
          "[playback]") {
  // Entries of 2,000 paths and two methods, three of each, interleaved as a long recording would
  // hold them; replayed in a different order, every request gets its own path's next entry.
  Fixture f;
  constexpr int kPaths = 2000;
  for (int round = 0; round < 3; ++round) {
    for (int p = 0; p < kPaths; ++p) {
      const std::string path = "/secrets/s" + std::to_string(p) + "?api-version=7.5";
      const std::string tag = std::to_string(p) + "." + std::to_string(round);
      f.entries.push_back(entry("GET", path, 200, R"({"value":")" + tag + R"("})"));
      f.entries.push_back(entry("DELETE", path, 200, R"({"value":"d)" + tag + R"("})"));
    }
  }
  PlaybackTransport t(std::move(f), options("many.json"));
  for (int p = kPaths - 1; p >= 0; --p) {
    const std::string path = "/secrets/s" + std::to_string(p) + "?api-version=7.5";
    for (int round = 0; round < 3; ++round) {
      const std::string tag = std::to_string(p) + "." + std::to_string(round);
      REQUIRE(t.send(request("DELETE", path)).body_text() == R"({"value":"d)" + tag + R"("})");
      REQUIRE(t.send(request("GET", path)).body_text() == R"({"value":")" + tag + R"("})");
    }
  }
  CHECK_THROWS_AS(t.send(request("GET", "/secrets/s0?api-version=7.5")), PlaybackMismatch);
  CHECK_THROWS_AS(t.send(request("GET", "/secrets/s2000?api-version=7.5")), PlaybackMismatch);
}

TEST_CASE("A miss explains the request, the closest candidates with diffs and the unused entries",
          "[playback]") {
  PlaybackTransport t(delete_flow(), options("recordings/flow.json"));
  t.send(request("PUT", "/secrets/s1?api-version=7.5", R"({"value":"v"})"));
  std::string message;
  try {
    t.send(request("PUT", "/secrets/s1?api-version=7.4",
                   R"({"value":"other","contentType":"text/plain"})"));
  } catch (const PlaybackMismatch& e) {
    message = e.what();
  }
  CHECK(message == test::golden("miss-set-secret.txt", message));
}

TEST_CASE("A request beyond the recorded count says the matching entry was already used",
          "[playback]") {
  PlaybackTransport t(delete_flow(), options("recordings/flow.json"));
  t.send(request("PUT", "/secrets/s1?api-version=7.5", R"({"value":"v"})"));
  t.send(request("DELETE", "/secrets/s1?api-version=7.5"));
  for (int i = 0; i < 3; ++i) t.send(request("GET", "/deletedsecrets/s1?api-version=7.5"));
  std::string message;
  try {
    t.send(request("GET", "/deletedsecrets/s1?api-version=7.5"));
  } catch (const PlaybackMismatch& e) {
    message = e.what();
  }
  CHECK(message == test::golden("miss-extra-poll.txt", message));
}

TEST_CASE("Unused entries at the end are an error listing them", "[playback]") {
  PlaybackTransport t(delete_flow(), options("recordings/flow.json"));
  t.send(request("PUT", "/secrets/s1?api-version=7.5", R"({"value":"v"})"));
  std::string message;
  try {
    t.verify_all_used();
  } catch (const UnusedEntriesError& e) {
    message = e.what();
  }
  CHECK(message == test::golden("unused-entries.txt", message));
  CHECK(t.unused_entries() == std::vector<std::size_t>{1, 2, 3, 4, 5});
}

TEST_CASE("A playback miss is not a transport error, so the client does not retry it",
          "[playback]") {
  PlaybackTransport t(Fixture{}, options("empty.json"));
  try {
    t.send(request("GET", "/secrets/a?api-version=7.5"));
    FAIL("no error");
  } catch (const http::TransportError&) {
    FAIL("a miss must not be a TransportError");
  } catch (const PlaybackMismatch& e) {
    CHECK(std::string(e.what()) ==
          "kvharness playback: no recorded entry matches the request\n"
          "  fixture: empty.json\n"
          "  request: GET /secrets/a?api-version=7.5 (GetSecret)\n"
          "  the fixture has no entries\n"
          "  unused entries (0 of 0)\n"
          "  to fix: re-record the fixture, or loosen the match rules (docs/record-replay.md)");
  }
}

TEST_CASE("Several threads replaying one fixture each get a distinct entry, none torn",
          "[playback]") {
  Fixture f;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 200;
  for (int i = 0; i < kThreads * kPerThread; ++i) {
    // The same request recorded many times, each with its own response: every response must be
    // handed out exactly once.
    f.entries.push_back(
        entry("GET", "/secrets/poll?api-version=7.5", 200, "{\"n\":" + std::to_string(i) + "}"));
  }
  PlaybackTransport t(std::move(f), options("threads.json"));
  std::vector<std::vector<int>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int k = 0; k < kThreads; ++k) {
    threads.emplace_back([&, k] {
      for (int i = 0; i < kPerThread; ++i) {
        const auto r = t.send(request("GET", "/secrets/poll?api-version=7.5"));
        seen[static_cast<std::size_t>(k)].push_back(Json::parse(r.body_text())["n"].get<int>());
      }
    });
  }
  for (auto& th : threads) th.join();
  std::vector<int> all;
  for (const auto& v : seen) {
    // Within one thread, entries come in fixture order (the earliest unused match).
    CHECK(std::is_sorted(v.begin(), v.end()));
    all.insert(all.end(), v.begin(), v.end());
  }
  std::sort(all.begin(), all.end());
  std::vector<int> expected(kThreads * kPerThread);
  for (int i = 0; i < kThreads * kPerThread; ++i) expected[static_cast<std::size_t>(i)] = i;
  CHECK(all == expected);
  CHECK(t.unused_entries().empty());
}

TEST_CASE("Reset makes a fixture replayable again", "[playback]") {
  PlaybackTransport t(delete_flow(), options("flow.json"));
  t.send(request("DELETE", "/deletedsecrets/s1?api-version=7.5"));
  CHECK_THROWS_AS(t.send(request("DELETE", "/deletedsecrets/s1?api-version=7.5")),
                  PlaybackMismatch);
  t.reset();
  CHECK(t.send(request("DELETE", "/deletedsecrets/s1?api-version=7.5")).status == 204);
}

namespace {
// Answers every request with its own path as the body.
class Echo final : public http::Transport {
 public:
  http::Response send(const http::Request& r) override {
    http::Response response;
    response.status = 200;
    response.headers.add("Content-Type", "text/plain");
    response.body = http::to_bytes(r.url);
    return response;
  }
};
}  // namespace

TEST_CASE("Several threads recording through one transport each leave one whole entry",
          "[playback]") {
  RecordingTransport recorder(std::make_shared<Echo>(), std::make_shared<Sanitizer>());
  constexpr int kThreads = 4;
  constexpr int kPerThread = 100;
  std::vector<std::thread> threads;
  for (int k = 0; k < kThreads; ++k) {
    threads.emplace_back([&, k] {
      for (int i = 0; i < kPerThread; ++i) {
        recorder.send(request("GET", "/t" + std::to_string(k) + "/" + std::to_string(i)));
      }
    });
  }
  for (auto& th : threads) th.join();
  const auto entries = recorder.take_entries();
  REQUIRE(entries.size() == kThreads * kPerThread);
  std::vector<int> next(kThreads, 0);
  for (const auto& e : entries) {
    // Each entry's response belongs to its own request, and one thread's entries keep its order.
    CHECK(http::as_text(e.response_body.bytes) == e.request_uri);
    const auto path = e.request_uri.substr(e.request_uri.find("/t") + 2);
    const int k = std::stoi(path.substr(0, path.find('/')));
    CHECK(std::stoi(path.substr(path.find('/') + 1)) == next[static_cast<std::size_t>(k)]++);
    CHECK(*e.request_headers.find("Authorization") == "Sanitized");
  }
  CHECK(recorder.entries().empty());
}

TEST_CASE("A fixture opened lazily replays and explains misses as one read whole", "[playback]") {
  // Entries read on first use (what open_fixture() does with a large file), here from text.
  auto lazily = [](const Fixture& fixture, const char* name) {
    const auto opened = detail::open_fixture_text(serialize_fixture(fixture), name);
    REQUIRE(opened->lazy());
    return std::make_shared<PlaybackTransport>(PreparedFixture::prepare(opened, options(name)));
  };
  {
    auto t = lazily(delete_flow(), "recordings/flow.json");
    t->send(request("PUT", "/secrets/s1?api-version=7.5", R"({"value":"v"})"));
    std::string message;
    try {
      t->send(request("PUT", "/secrets/s1?api-version=7.4",
                      R"({"value":"other","contentType":"text/plain"})"));
    } catch (const PlaybackMismatch& e) {
      message = e.what();
    }
    CHECK(message == test::golden("miss-set-secret.txt", message));
    try {
      t->verify_all_used();
    } catch (const std::exception& e) {
      message = e.what();
    }
    // The miss above comes first; then the unused entries, as when read whole.
    CHECK(message.find("no recorded entry matches") != std::string::npos);
  }
  {
    auto t = lazily(delete_flow(), "recordings/flow.json");
    t->send(request("PUT", "/secrets/s1?api-version=7.5", R"({"value":"v"})"));
    std::string message;
    try {
      t->verify_all_used();
    } catch (const UnusedEntriesError& e) {
      message = e.what();
    }
    CHECK(message == test::golden("unused-entries.txt", message));
    CHECK(t->fixture().entries.size() == delete_flow().entries.size());
  }
  Fixture f;
  for (int round = 0; round < 2; ++round) {
    for (int p = 0; p < 500; ++p) {
      const std::string path = "/secrets/s" + std::to_string(p) + "?api-version=7.5";
      const std::string tag = std::to_string(p) + "." + std::to_string(round);
      f.entries.push_back(entry("GET", path, 200, R"({"value":")" + tag + R"("})"));
    }
  }
  auto t = lazily(f, "many.json");
  for (int p = 499; p >= 0; --p) {
    const std::string path = "/secrets/s" + std::to_string(p) + "?api-version=7.5";
    for (int round = 0; round < 2; ++round) {
      const std::string tag = std::to_string(p) + "." + std::to_string(round);
      REQUIRE(t->send(request("GET", path)).body_text() == R"({"value":")" + tag + R"("})");
    }
  }
  CHECK(t->replayed().size() == 1000);
  CHECK(t->replayed().front().operation == "GetSecret");
  CHECK_NOTHROW(t->verify_all_used());
}
