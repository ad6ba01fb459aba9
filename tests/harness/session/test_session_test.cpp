// open_test() and what a test can see through it: mode from the environment, the embedded local
// vault in record mode, exchanges in order, the clock's sleeps, misses a caller swallowed, shared
// fixtures, and the rules a fixture carries on every playback path.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include "in_process_vault.hpp"
#include "kv/harness/playback_transport.hpp"
#include "kv/harness/session.hpp"
#include "kv/harness/test_session.hpp"
#include "seed_flow.hpp"
#include "test_paths.hpp"

using namespace kv;
using namespace kv::harness;
using namespace std::chrono_literals;

namespace {

// Sets an environment variable for the scope of a test and restores it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

std::vector<std::string> operations(const std::vector<Exchange>& exchanges) {
  std::vector<std::string> out;
  for (const auto& e : exchanges) out.push_back(e.operation + " " + std::to_string(e.status));
  return out;
}

// The seed flow with the retried restore a real test needs after a purge.
std::string seed_flow(TestSession& t) {
  SecretClient& client = t.client();
  const std::string name = t.random_name("secretName", "seed-");
  client.SetSecret(name, "my secret value");
  const auto backup = client.BackupSecret(name).Value.Secret;
  client.StartDeleteSecret(name).PollUntilDone(200ms);
  client.PurgeDeletedSecret(name);
  t.retry_while_conflict([&] { return client.RestoreSecretBackup(backup); }, 30, 200ms);
  return client.GetSecret(name).Value.Value.ValueOr("");
}

}  // namespace

TEST_CASE("The mode comes from the option, else AZURE_TEST_MODE, else playback",
          "[target][playback]") {
  {
    ScopedEnv env("AZURE_TEST_MODE", nullptr);
    CHECK(resolve_mode() == Mode::Playback);
    CHECK(resolve_mode(Mode::Live) == Mode::Live);
  }
  {
    ScopedEnv env("AZURE_TEST_MODE", "Record");
    CHECK(resolve_mode() == Mode::Record);
    CHECK(resolve_mode(Mode::Playback) == Mode::Playback);
  }
  {
    ScopedEnv env("AZURE_TEST_MODE", "replay");
    CHECK_THROWS_WITH(resolve_mode(),
                      "unknown mode \"replay\" (from AZURE_TEST_MODE); expected live, record or "
                      "playback");
  }
}

TEST_CASE("A real vault needs its service principal, and the missing variables are named",
          "[target][playback]") {
  ScopedEnv url("AZURE_KEYVAULT_URL", "https://myvault.vault.azure.net");
  ScopedEnv tenant("AZURE_TENANT_ID", "t");
  ScopedEnv client("AZURE_CLIENT_ID", nullptr);
  ScopedEnv secret("AZURE_CLIENT_SECRET", nullptr);
  CHECK(uses_real_vault());
  CHECK_THROWS_WITH(open_target(),
                    "using the vault https://myvault.vault.azure.net needs a "
                    "service principal; set AZURE_CLIENT_ID AZURE_CLIENT_SECRET");
  TargetOptions local;
  local.force_local_vault = true;
  CHECK_FALSE(uses_real_vault(local));
}

TEST_CASE("A real vault target uses the service principal and redacts its secret",
          "[target][playback]") {
  VaultSettings settings;
  settings.vault_url = "https://myvault.vault.azure.net";
  settings.tenant_id = "tenant";
  settings.client_id = "client";
  settings.client_secret = "very-secret-value";
  const VaultTarget target = real_vault_target(settings);
  CHECK(target.vault_url == settings.vault_url);
  CHECK(target.secrets_to_redact == std::vector<std::string>{"very-secret-value"});
  CHECK_FALSE(target.disable_challenge_verification);
  CHECK(target.localvault == nullptr);
  CHECK(target.description() == "the vault https://myvault.vault.azure.net");
  settings.vault_url = "myvault";
  CHECK_THROWS_WITH(real_vault_target(settings),
                    "the vault URL \"myvault\" is not an absolute https URL such as "
                    "https://myvault.vault.azure.net");
}

TEST_CASE("open_test records against the embedded local vault and replays what it recorded",
          "[session]") {
  test::ScratchDir dir("open-test");
  const std::string path = dir.file("recordings/Seed.Flow.json");
  std::string client_secret;
  std::vector<Exchange> recorded;
  {
    TestOptions options;
    options.mode = Mode::Record;
    options.target.force_local_vault = true;
    auto t = open_test(path, options);
    REQUIRE(t.target() != nullptr);
    REQUIRE(t.target()->localvault != nullptr);
    CHECK(t.target()->description() == "the local vault at " + t.target()->vault_url);
    client_secret = t.target()->localvault->client_secret();
    CHECK(seed_flow(t) == "my secret value");
    recorded = t.exchanges();
    t.finish();
  }
  const std::string text = test::read_text(path);
  CHECK(text.find(client_secret) == std::string::npos);
  CHECK(text.find("127.0.0.1") == std::string::npos);
  CHECK(text.find("\"Authorization\": \"Sanitized\"") != std::string::npos);
  CHECK(operations(recorded).front() == "SetSecret 200");
  CHECK(operations(recorded).back() == "GetSecret 200");

  TestOptions playback;
  playback.mode = Mode::Playback;
  auto t = open_test(path, playback);
  CHECK(seed_flow(t) == "my secret value");
  CHECK(operations(t.exchanges()) == operations(recorded));
  CHECK_NOTHROW(t.finish());
}

TEST_CASE("A playback test sees the replayed exchanges, polls included, and the client's waits",
          "[session][playback]") {
  test::ScratchDir dir("exchanges");
  const std::string path = dir.file("seed.json");
  {
    TestOptions options;
    options.mode = Mode::Record;
    options.open_target = VaultTarget{};
    auto vault = std::make_shared<test::InProcessVault>("https://myvault.vault.azure.net");
    options.open_target->vault_url = "https://myvault.vault.azure.net";
    options.open_target->transport = vault;
    options.open_target->credential = std::make_shared<StaticTokenCredential>();
    auto t = open_test(path, options);
    test::run_seed_flow(t.client(), t.random_name("secretName"), "v", 2s);
    CHECK(t.clock().sleeps() == std::vector<std::chrono::milliseconds>{2s, 2s});
    t.finish();
  }
  TestOptions playback;
  playback.mode = Mode::Playback;
  auto t = open_test(path, playback);
  CHECK(t.mode() == Mode::Playback);
  CHECK(t.target() == nullptr);
  const auto result = test::run_seed_flow(t.client(), t.random_name("secretName"), "v", 2s);
  CHECK(result.value == "v");
  const std::vector<std::string> expected = {
      "SetSecret 200",        "GetSecret 200",          "BackupSecret 200",
      "DeleteSecret 200",     "GetDeletedSecret 404",   "GetDeletedSecret 404",
      "GetDeletedSecret 200", "PurgeDeletedSecret 204", "RestoreSecret 200"};
  CHECK(operations(t.exchanges()) == expected);
  CHECK(t.exchanges()[5].entry == 5);
  // Virtual time: the two 2 s poll waits cost nothing but are visible.
  CHECK(t.clock().virtual_time());
  CHECK(t.clock().slept() == 4s);
  CHECK_NOTHROW(t.finish());
}

TEST_CASE("A miss the code under test swallowed still fails the playback at finish",
          "[session][playback]") {
  test::ScratchDir dir("swallowed");
  const std::string path = dir.file("f.json");
  Fixture fixture;
  save_fixture(fixture, path);
  TestOptions options;
  options.mode = Mode::Playback;
  auto t = open_test(path, options);
  try {
    t.client().GetSecret("never-recorded");
  } catch (const std::exception&) {
    // Code under test that catches everything hides the miss from the test...
  }
  // ...but not from the harness.
  CHECK_THROWS_AS(t.finish(), PlaybackMismatch);
  CHECK(t.finished());
}

TEST_CASE("Sessions share one parsed fixture, and one can be opened on fixture text",
          "[session][playback]") {
  test::ScratchDir dir("shared");
  const std::string path = dir.file("seed.json");
  {
    auto vault = std::make_shared<test::InProcessVault>("https://myvault.vault.azure.net");
    SessionOptions record;
    record.mode = Mode::Record;
    record.fixture_path = path;
    record.vault_url = "https://myvault.vault.azure.net";
    record.live_transport = vault;
    Session session(record);
    SecretClientOptions options;
    options.Transport = session.transport();
    SecretClient(session.vault_url(), std::make_shared<StaticTokenCredential>(), options)
        .SetSecret("shared", "value");
    session.finish();
  }
  auto fixture = std::make_shared<const Fixture>(load_fixture(path));
  for (int i = 0; i < 2; ++i) {
    TestOptions options;
    options.mode = Mode::Playback;
    options.fixture = fixture;
    auto t = open_test(path, options);
    CHECK(t.session().fixture().get() == fixture.get());  // the same object, not a copy
    CHECK(t.client().SetSecret("shared", "value").Value.Value == "value");
    CHECK_NOTHROW(t.finish());
  }
  SessionOptions text;
  text.mode = Mode::Playback;
  text.fixture_path = "inline.json";
  text.fixture_text = test::read_text(path);
  Session from_text(text);
  SecretClientOptions options;
  options.Transport = from_text.transport();
  CHECK(SecretClient(from_text.vault_url(), std::make_shared<StaticTokenCredential>(), options)
            .SetSecret("shared", "value")
            .Value.Value == "value");
  CHECK_NOTHROW(from_text.finish());
}

TEST_CASE("A PlaybackTransport built directly applies the rules stored in its fixture",
          "[playback]") {
  Fixture fixture;
  fixture.has_metadata = true;
  fixture.metadata.match_rules = Json::parse(R"({"ignoreQueryParameters": ["api-version"]})");
  fixture.metadata.sanitizers =
      Json::parse(R"({"bodyPointers": [{"pointer": "/value", "value": "REDACTED"}]})");
  Entry e;
  e.request_method = "PUT";
  e.request_uri = "https://fakevault.vault.azure.net/secrets/a?api-version=7.2";
  e.request_body = Body::from_json(Json::parse(R"({"value":"REDACTED"})"));
  e.status_code = 200;
  fixture.entries.push_back(e);
  PlaybackTransport playback(fixture);
  http::Request r;
  r.method = "PUT";
  r.url = "https://fakevault.vault.azure.net/secrets/a?api-version=7.5";
  r.headers.add("Content-Type", "application/json");
  r.body = http::to_bytes(R"({"value":"the real value"})");
  CHECK(playback.send(r).status == 200);
  CHECK_NOTHROW(playback.verify_all_used());
}

TEST_CASE("Bad rules stored in a fixture name the file and the pointer in the fixture",
          "[playback]") {
  Fixture fixture;
  fixture.has_metadata = true;
  fixture.metadata.match_rules = Json::parse(R"({"pathRewrites": [{"pattern": "("}]})");
  PlaybackOptions options;
  options.fixture_path = "recordings/x.json";
  CHECK_THROWS_WITH(PlaybackTransport(fixture, options),
                    "recordings/x.json: error at /kvharness/matchRules/pathRewrites/0/pattern "
                    "[bad-regex]\n"
                    "  expected: a regular expression (RE2 syntax)\n"
                    "  found:    \"(\" (missing ): ()");
}

TEST_CASE("Fixture names follow the Azure SDK convention <Suite>.<Test>.json", "[playback]") {
  ScopedEnv dir("KV_RECORDINGS_DIR", nullptr);
  CHECK(fixture_path_for_test("SeedFlow", "BackupAndRestore") ==
        "recordings/SeedFlow.BackupAndRestore.json");
  CHECK(fixture_path_for_test("seed_test", "Backup and restore: a secret!", "out") ==
        "out/seed_test.Backup_and_restore_a_secret.json");
  ScopedEnv env_dir("KV_RECORDINGS_DIR", "/tmp/rec");
  CHECK(fixture_path_for_test("A/B", "c/d") == "/tmp/rec/A_B.c_d.json");
}
