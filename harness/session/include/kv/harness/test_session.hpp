// One call gives a test a ready SecretClient over a record/replay session:
//
//   auto t = kv::harness::open_test("recordings/MyTest.json");
//   kv::SecretClient& client = t.client();
//   ... exercise the client ...
//   t.finish();   // record: save the fixture; playback: every entry used, no request missed
//
// The mode comes from AZURE_TEST_MODE (default playback); live and record go to
// AZURE_KEYVAULT_URL with the AZURE_* service principal, or to an embedded local vault.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kv/errors.hpp"
#include "kv/harness/mode.hpp"
#include "kv/harness/rules_origin.hpp"
#include "kv/harness/sanitizer_permissions.hpp"
#include "kv/harness/target.hpp"
#include "kv/secret_client.hpp"

namespace kv::harness {

// This header stays light (no JSON library, no fixture model): a test file that includes the
// Catch2 or GoogleTest glue parses little more than the framework. What a test inspects beyond
// the client is declared here and defined in the headers named beside it.
struct Fixture;      // kv/harness/fixture.hpp
struct Exchange;     // kv/harness/fixture.hpp: include it to call exchanges()
class Session;       // kv/harness/session.hpp: include it to use session()
class SessionClock;  // kv/harness/session.hpp: include it to use clock()

/// How open_test() sets a test up; every field has a sensible default.
struct TestOptions {
  /// The mode; unset means $AZURE_TEST_MODE, else playback.
  std::optional<Mode> mode;
  /// Where live and record traffic goes (real vault or embedded local vault).
  TargetOptions target;
  /// A target already opened (e.g. one real vault shared by many tests); wins over `target`.
  std::optional<VaultTarget> open_target;
  /// The api-version; unset means the one the fixture was recorded with in playback, and the
  /// client's default otherwise.
  std::optional<std::string> api_version;
  /// Client options (retry, application id, ...); Transport, Clock and ApiVersion are set by
  /// the session.
  SecretClientOptions client;
  /// Extra match and sanitizer rules as JSON text, and where they come from.
  std::string rules_json;
  RulesOrigin rules_origin;
  /// More strings never to be written anywhere (the target's client secret is always included).
  std::vector<std::string> secrets_to_redact;
  /// Playback from an already parsed fixture (shared, never copied) instead of the file.
  std::shared_ptr<const Fixture> fixture;
  /// How to re-record, quoted when the playback fixture is missing.
  std::string record_command;
  /// What is otherwise refused when the sanitizer sets disagree (see SanitizerPermissions).
  SanitizerPermissions sanitizer_permissions;
};

/// A session, its target and a client wired to them. Movable; finish() ends it.
class TestSession {
 public:
  /// Opens the session on `fixture_path` (see open_test()).
  TestSession(std::string fixture_path, TestOptions options = {});
  ~TestSession();
  TestSession(TestSession&&) noexcept;
  TestSession& operator=(TestSession&&) noexcept;

  Mode mode() const;
  /// The client: over the playback fixture, or recording against the target.
  SecretClient& client();
  /// The same client, shared (for code that keeps it).
  std::shared_ptr<SecretClient> shared_client() const;
  Session& session();
  /// The session's clock: what the client slept (poll intervals, back-off).
  SessionClock& clock();
  /// The live or record target; null in playback.
  const VaultTarget* target() const;
  const std::string& fixture_path() const;
  /// A recorded variable (see Session::variable()).
  std::string variable(const std::string& name, const std::function<std::string()>& generate);
  /// A random name recorded under `variable`: `prefix` + 8 random lower-case letters and digits
  /// when recording, the recorded name in playback.
  std::string random_name(const std::string& variable, const std::string& prefix = "kvtest-");
  /// Runs `operation` until it stops failing with 409 Conflict (a name still being deleted,
  /// purged or recovered: the service finishes these in the background), sleeping `interval` on
  /// the session clock between attempts (free in playback), at most `attempts` times; returns
  /// its result or rethrows the last failure.
  template <class Operation>
  auto retry_while_conflict(Operation&& operation, int attempts = 30,
                            std::chrono::milliseconds interval = std::chrono::milliseconds(1000)) {
    for (int attempt = 1;; ++attempt) {
      try {
        return operation();
      } catch (const RequestFailedException& e) {
        if (e.StatusCode != 409 || attempt >= attempts) throw;
      }
      sleep_for(interval);
    }
  }
  /// Sleeps on the session clock (free in playback).
  void sleep_for(std::chrono::milliseconds duration);
  /// The exchanges so far (see Session::exchanges()).
  std::vector<Exchange> exchanges() const;
  /// True once finish() ran (successfully or not).
  bool finished() const;
  /// Ends the session (see Session::finish()): throws PlaybackMismatch, UnusedEntriesError, or
  /// std::runtime_error when the fixture cannot be written. Idempotent.
  void finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The fixture of a test by the Azure SDKs' convention: `<dir>/<suite>.<test>.json`, with every
/// character but letters, digits, '-', '_' and '.' replaced by '_' (runs of them by one). An
/// empty `dir` means $KV_RECORDINGS_DIR, else "recordings".
std::string fixture_path_for_test(std::string_view suite, std::string_view test,
                                  std::string_view dir = {});

/// The command that re-records a test: "AZURE_TEST_MODE=record <this executable> <arguments>".
std::string record_command_for_test(std::string_view arguments);

/// Opens a test session: mode from `options` or AZURE_TEST_MODE, the target in live and record
/// mode, the fixture in playback; throws MissingFixtureError (with the command that records it),
/// FixtureError, RulesError, or std::runtime_error when no target can be opened.
TestSession open_test(std::string fixture_path, TestOptions options = {});

}  // namespace kv::harness
