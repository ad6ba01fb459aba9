// Session through the real SecretClient: record against an in-process vault, replay offline.
#include <catch2/catch.hpp>

#include "in_process_vault.hpp"
#include "kv/harness/fixture.hpp"
#include "kv/harness/playback_transport.hpp"
#include "kv/harness/session.hpp"
#include "seed_flow.hpp"
#include "test_paths.hpp"

using namespace kv;
using namespace kv::harness;
using namespace std::chrono_literals;

namespace {

constexpr const char* kVault = "https://myvault.vault.azure.net";

SecretClient client_for(const Session& session) {
  SecretClientOptions options;
  options.Transport = session.transport();
  options.Clock = session.clock();
  return SecretClient(session.vault_url(), std::make_shared<StaticTokenCredential>(), options);
}

SessionOptions record_options(const std::string& path, std::shared_ptr<http::Transport> live) {
  SessionOptions options;
  options.mode = Mode::Record;
  options.fixture_path = path;
  options.vault_url = kVault;
  options.live_transport = std::move(live);
  return options;
}

SessionOptions playback_options(const std::string& path) {
  SessionOptions options;
  options.mode = Mode::Playback;
  options.fixture_path = path;
  options.record_command = "kvharness run --mode record scenarios/seed.json";
  return options;
}

// Records the seed flow into `path` (no network: the vault is in-process).
test::SeedFlowResult record_seed(const std::string& path) {
  auto vault = std::make_shared<test::InProcessVault>(kVault);
  Session session(record_options(path, vault));
  const std::string name = session.variable("secretName", [] { return std::string("seed-7f3a"); });
  auto result = test::run_seed_flow(client_for(session), name, "my secret value", 1ms);
  session.finish();
  return result;
}

}  // namespace

TEST_CASE("Modes parse case-insensitively and unknown ones are refused", "[session][playback]") {
  CHECK(parse_mode("Playback") == Mode::Playback);
  CHECK(parse_mode("RECORD") == Mode::Record);
  CHECK(std::string(to_string(Mode::Live)) == "live");
  CHECK_THROWS_WITH(parse_mode("replay"),
                    "unknown mode \"replay\": expected live, record or playback");
}

TEST_CASE("The recorded seed flow replays through SecretClient with identical results",
          "[session][playback]") {
  test::ScratchDir dir("seed");
  const std::string path = dir.file("seed.json");
  const auto recorded = record_seed(path);
  const Fixture fixture = load_fixture(path);
  REQUIRE(fixture.entries.size() == 9);
  CHECK(fixture.metadata.api_version == "7.5");
  CHECK(fixture.variables.at("secretName") == "seed-7f3a");
  // The real host is gone from every entry.
  CHECK(test::read_text(path).find("myvault") == std::string::npos);

  Session session(playback_options(path));
  CHECK(session.vault_url() == "https://fakevault.vault.azure.net");
  const std::string name = session.variable("secretName", []() -> std::string {
    FAIL("playback must not generate variables");
    return "";
  });
  // A long poll interval costs nothing: waits go through the session's virtual clock.
  const auto replayed = test::run_seed_flow(client_for(session), name, "my secret value", 30s);
  CHECK(replayed.value == recorded.value);
  CHECK(replayed.version == recorded.version);
  CHECK(replayed.backup_size == recorded.backup_size);
  CHECK(replayed.restored_version == recorded.restored_version);
  CHECK(replayed.deleted_recovery_id ==
        "https://fakevault.vault.azure.net/deletedsecrets/seed-7f3a");
  CHECK(session.clock()->virtual_time());
  CHECK(session.clock()->slept() == 60s);
  CHECK_NOTHROW(session.finish());
}

TEST_CASE("Record mode overwrites the fixture and keeps only this run's entries",
          "[session][playback]") {
  test::ScratchDir dir("overwrite");
  const std::string path = dir.file("f.json");
  record_seed(path);
  {
    auto vault = std::make_shared<test::InProcessVault>(kVault);
    Session session(record_options(path, vault));
    client_for(session).SetSecret("only", "one");
    session.finish();
  }
  const Fixture fixture = load_fixture(path);
  REQUIRE(fixture.entries.size() == 1);
  CHECK(fixture.entries[0].request_method == "PUT");
  CHECK(fixture.variables.empty());
}

TEST_CASE("A challenge and a retried 503 are recorded as their own entries and replay alike",
          "[session][playback]") {
  test::ScratchDir dir("challenge");
  const std::string path = dir.file("f.json");
  {
    auto vault = std::make_shared<test::InProcessVault>(kVault);
    Session session(record_options(path, vault));
    SecretClientOptions options;
    options.Transport = session.transport();
    options.Clock = std::make_shared<ManualClock>();  // No real back-off wait while recording.
    SecretClient client(session.vault_url(), std::make_shared<StaticTokenCredential>(), options);
    vault->challenge_next();
    client.SetSecret("a", "1");
    vault->fail_next(503);
    client.GetSecret("a");
    session.finish();
  }
  const Fixture fixture = load_fixture(path);
  std::vector<int> statuses;
  for (const auto& e : fixture.entries) statuses.push_back(e.status_code);
  CHECK(statuses == std::vector<int>{401, 200, 503, 200});
  CHECK(*fixture.entries[0].response_headers.find("WWW-Authenticate") ==
        "Bearer authorization=\"https://login.windows.net/00000000-0000-0000-0000-000000000000\", "
        "resource=\"https://vault.azure.net\"");
  CHECK(*fixture.entries[1].request_headers.find("Authorization") == "Sanitized");

  Session session(playback_options(path));
  auto client = client_for(session);
  CHECK(client.SetSecret("a", "1").Value.Value == "1");
  CHECK(client.GetSecret("a").Value.Value == "1");
  CHECK_NOTHROW(session.finish());
}

TEST_CASE("A missing fixture in playback names the path and the command that records it",
          "[session][playback]") {
  SessionOptions options = playback_options("/nonexistent/recordings/seed.json");
  CHECK_THROWS_WITH(Session(options),
                    "fixture not found: /nonexistent/recordings/seed.json\n"
                    "  playback needs a recording; create it with: kvharness run --mode record "
                    "scenarios/seed.json");
}

TEST_CASE("A playback that leaves entries unused fails at finish", "[session][playback]") {
  test::ScratchDir dir("unused");
  const std::string path = dir.file("seed.json");
  record_seed(path);
  Session session(playback_options(path));
  auto client = client_for(session);
  client.SetSecret("seed-7f3a", "my secret value");
  CHECK_THROWS_AS(session.finish(), UnusedEntriesError);
}

TEST_CASE("A variable missing from the fixture is an error in playback", "[session][playback]") {
  test::ScratchDir dir("variables");
  const std::string path = dir.file("seed.json");
  record_seed(path);
  Session session(playback_options(path));
  CHECK_THROWS_WITH(
      session.variable("other", [] { return std::string("x"); }),
      "fixture " + path + " has no variable \"other\"; re-record it so the value is stored");
}

TEST_CASE("A playback miss through SecretClient surfaces as PlaybackMismatch, not retried",
          "[session][playback]") {
  test::ScratchDir dir("miss");
  const std::string path = dir.file("seed.json");
  record_seed(path);
  Session session(playback_options(path));
  auto client = client_for(session);
  CHECK_THROWS_AS(client.GetSecret("never-recorded"), PlaybackMismatch);
}
