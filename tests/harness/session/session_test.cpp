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

TEST_CASE("A recording stores the service version and the digest of its sanitizer set",
          "[session][sanitizers]") {
  test::ScratchDir dir("digest");
  const std::string path = dir.file("seed.json");
  record_seed(path);
  const Fixture fixture = load_fixture(path);
  CHECK(fixture.metadata.sanitizers_digest == sanitizer_set_digest(fixture.metadata.sanitizers));
  CHECK(fixture.metadata.sanitizers_digest.rfind("sha256:", 0) == 0);
  CHECK(fixture.metadata.sanitizers_digest.size() == 7 + 64);
  // Saved again, the fields are written as read.
  const Fixture again = parse_fixture(serialize_fixture(fixture), "again");
  CHECK(again.metadata.sanitizers_digest == fixture.metadata.sanitizers_digest);
  CHECK(again.metadata.service_version == fixture.metadata.service_version);
}

TEST_CASE("The sanitizer digest ignores key order and changes with any rule",
          "[session][sanitizers]") {
  const Json a = Json::parse(R"({"headers": [{"name": "A", "value": "S"}], "bodyKeys": ["k"]})");
  const Json b = Json::parse(R"({"bodyKeys": ["k"], "headers": [{"value": "S", "name": "A"}]})");
  const Json c = Json::parse(R"({"bodyKeys": ["j"], "headers": [{"value": "S", "name": "A"}]})");
  CHECK(sanitizer_set_digest(a) == sanitizer_set_digest(b));
  CHECK(sanitizer_set_digest(a) != sanitizer_set_digest(c));
}

TEST_CASE("A weaker sanitizer set names each stored rule it lacks", "[session][sanitizers]") {
  const Json stored = Json::parse(R"({
    "headers": [{"name": "Authorization", "value": "Sanitized"}, {"name": "x-secret", "value": "S"}],
    "headerRegexes": [{"name": "x-id", "pattern": "[0-9]+", "replacement": "N"}],
    "uriRegexes": [{"pattern": "/user-[0-9]+", "replacement": "/user-N"}],
    "bodyRegexes": [{"pattern": "[0-9]{3}", "replacement": "000"}],
    "bodyPointers": [{"pointer": "/value", "value": "S"},
                     {"pointer": "/tags/owner", "value": "S", "uriPattern": "/secrets/"}],
    "bodyKeys": ["connectionString"],
    "vaultHost": "replaced by fakevault.vault.azure.net",
    "secretsRedacted": 2})");
  SECTION("the same set, or a stronger one, lacks nothing") {
    CHECK(missing_sanitizers(stored, stored, true).empty());
    Json stronger = stored;
    stronger["bodyKeys"].push_back("password2");
    stronger["headers"][1]["name"] = "X-SECRET";      // header names compare case-insensitively
    stronger["bodyPointers"][1].erase("uriPattern");  // every URI now: broader
    stronger["secretsRedacted"] = 3;
    CHECK(missing_sanitizers(stored, stronger, true).empty());
  }
  SECTION("removed and narrowed rules are named") {
    Json weaker = stored;
    weaker["headers"].erase(1);
    weaker["headerRegexes"][0]["pattern"] = "[0-9]";
    weaker["uriRegexes"] = Json::array();
    weaker["bodyRegexes"][0]["pattern"] = "[0-9]{4}";
    weaker["bodyPointers"][0]["uriPattern"] = "/deletedsecrets/";
    weaker["bodyKeys"] = Json::array();
    weaker["vaultHost"] = "kept";
    weaker["secretsRedacted"] = 1;
    CHECK(missing_sanitizers(stored, weaker, true) ==
          std::vector<std::string>{"headers \"x-secret\"", "headerRegexes \"x-id\" \"[0-9]+\"",
                                   "uriRegexes \"/user-[0-9]+\"", "bodyRegexes \"[0-9]{3}\"",
                                   "bodyPointers \"/value\"", "bodyKeys \"connectionString\"",
                                   "vaultHost (\"replaced by fakevault.vault.azure.net\", now "
                                   "\"kept\")",
                                   "secretsRedacted (2 registered secrets, now 1)"});
    // A playback sends nothing: the vault host and the secrets do not count there.
    CHECK(missing_sanitizers(stored, weaker, false).size() == 6);
  }
}

TEST_CASE("The stored form-body regex of older fixtures is covered by the body keys",
          "[session][sanitizers]") {
  const Json stored = Json::parse(R"({"bodyRegexes": [{
      "pattern": "((?:^|&)(?:client_secret|client_assertion|refresh_token|password)=)[^&]*",
      "replacement": "$1Sanitized"}], "bodyKeys": []})");
  Json current = Json::parse(R"({"bodyRegexes": [], "bodyKeys": []})");
  current["bodyKeys"] = SanitizerRules::defaults().body_keys;
  CHECK(missing_sanitizers(stored, current, true).empty());
  current["bodyKeys"] = {"client_secret", "client_assertion", "refresh_token"};
  CHECK(missing_sanitizers(stored, current, true) ==
        std::vector<std::string>{"bodyRegexes \"((?:^|&)(?:client_secret|client_assertion|"
                                 "refresh_token|password)=)[^&]*\""});
}

TEST_CASE("Re-recording with a weaker sanitizer set is refused unless allowed",
          "[session][sanitizers]") {
  test::ScratchDir dir("weaker");
  const std::string path = dir.file("seed.json");
  auto vault = std::make_shared<test::InProcessVault>(kVault);
  {
    SessionOptions options = record_options(path, vault);
    options.rules_json = R"({"sanitize": {"bodyKeys": ["connectionString"]}})";
    Session session(options);
    (void)client_for(session).SetSecret("a", "b");
    session.finish();
  }
  const std::string before = test::read_text(path);
  CHECK_THROWS_MATCHES(
      Session(record_options(path, vault)), SanitizerSetError,
      Catch::Message("refusing to re-record " + path +
                     " with a weaker sanitizer set than it was recorded with; missing: bodyKeys "
                     "\"connectionString\"; keep those rules, or allow it with "
                     "allow_weaker_sanitizers (kvharness run --allow-weaker-sanitizers)"));
  CHECK(test::read_text(path) == before);
  SessionOptions allowed = record_options(path, vault);
  allowed.sanitizer_permissions.allow_weaker_sanitizers = true;
  Session session(allowed);
  (void)client_for(session).SetSecret("a", "b");
  session.finish();
  CHECK(load_fixture(path).metadata.sanitizers["bodyKeys"] ==
        Json(SanitizerRules::defaults().body_keys));
}

TEST_CASE("Playback of a fixture whose sanitizer set no longer matches its digest is refused",
          "[session][sanitizers]") {
  test::ScratchDir dir("tampered");
  const std::string path = dir.file("seed.json");
  record_seed(path);
  Fixture fixture = load_fixture(path);
  fixture.metadata.sanitizers["bodyKeys"] = Json::array();
  save_fixture(fixture, path);
  CHECK_THROWS_MATCHES(
      Session(playback_options(path)), SanitizerSetError,
      Catch::Message(path +
                     ": the stored sanitizer set /kvharness/sanitizers does not match "
                     "/kvharness/sanitizersDigest (the metadata was edited); re-record it, or "
                     "allow it with allow_sanitizer_digest_mismatch (kvharness run "
                     "--allow-sanitizer-digest-mismatch)"));
  // The permission for a weaker set is not the one for an edited set.
  SessionOptions weaker = playback_options(path);
  weaker.sanitizer_permissions.allow_weaker_sanitizers = true;
  CHECK_THROWS_AS(Session(weaker), SanitizerSetError);
  SessionOptions allowed = playback_options(path);
  allowed.sanitizer_permissions.allow_sanitizer_digest_mismatch = true;
  CHECK_NOTHROW(Session(allowed));
  // A fixture from before digests were stored plays back as always.
  fixture.metadata.sanitizers_digest.clear();
  save_fixture(fixture, path);
  CHECK_NOTHROW(Session(playback_options(path)));
}
