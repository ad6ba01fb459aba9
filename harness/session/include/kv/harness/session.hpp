// A test session: the one object a test (or the scenario runner) needs to run live, record or
// replay. It hands out the transport to put at the bottom of the client pipeline, the vault URL,
// the clock, and recorded variables, and finishes by saving (record) or verifying (playback).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "kv/clock.hpp"
#include "kv/harness/fixture.hpp"
#include "kv/harness/mode.hpp"
#include "kv/harness/rules.hpp"
#include "kv/harness/sanitizer.hpp"
#include "kv/harness/sanitizer_permissions.hpp"
#include "kv/transport.hpp"

namespace kv::harness {

struct SessionOptions {
  Mode mode = Mode::Playback;
  /// The fixture file: read in playback (unless `fixture` or `fixture_text` is given), written
  /// in record, unused in live. Always the name used in messages.
  std::string fixture_path;
  /// Playback from an already parsed fixture, shared and never copied.
  std::shared_ptr<const Fixture> fixture;
  /// Playback from fixture text (parsed once; `fixture_path` names it in messages).
  std::string fixture_text;
  /// The real vault URL (live and record).
  std::string vault_url;
  /// The real transport (live and record); null means a default CurlTransport.
  std::shared_ptr<http::Transport> live_transport;
  /// api-version the client uses; stored in the fixture metadata.
  std::string api_version = "7.5";
  /// Extra sanitizer and match rules as JSON text (see docs/fixture-format.md); may be empty.
  std::string rules_json;
  /// Where `rules_json` comes from, for diagnostics (a scenario file and "/rules").
  RulesOrigin rules_origin;
  /// Strings that must never be written anywhere (client secret, sensitive values).
  std::vector<std::string> secrets_to_redact;
  /// The command that (re-)records this fixture, quoted when the playback fixture is missing;
  /// empty means "kvharness run --mode record <scenario>".
  std::string record_command;
  /// What is otherwise refused when the sanitizer sets disagree (a weaker set, an edited one).
  SanitizerPermissions sanitizer_permissions;
};

/// A weaker sanitizer set than the fixture's, or a stored set that does not match its digest;
/// what() names the fixture, the missing rules and the permission that allows it.
class SanitizerSetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The playback fixture does not exist; what() names the path and the command that records it.
class MissingFixtureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The clock a session gives its client: virtual time in playback (sleeping costs nothing and
/// advances now()), real time otherwise. In every mode it remembers what was slept, so a test
/// can check the client's waits (poll intervals, retry back-off). Thread-safe.
class SessionClock final : public Clock {
 public:
  /// Which time the clock keeps.
  enum class Time {
    Real,     ///< the system clock; sleeping sleeps (live and record)
    Virtual,  ///< starts at a fixed instant; sleeping is instant and advances now() (playback)
  };
  explicit SessionClock(Time time);
  time_point now() const override;
  void sleep_for(std::chrono::milliseconds duration) override;
  /// True in playback: sleeping is instant.
  bool virtual_time() const { return virtual_time_; }
  /// Total time slept so far.
  std::chrono::milliseconds slept() const;
  /// Every sleep so far, in order.
  std::vector<std::chrono::milliseconds> sleeps() const;

 private:
  const bool virtual_time_;
  mutable std::mutex mutex_;
  time_point virtual_now_;
  std::vector<std::chrono::milliseconds> sleeps_;
};

/// A fixture of freshly recorded `entries` with our metadata: tool version, `api_version`, the
/// time now, what `sanitizer` applied and the `match` rules in force; the variables are scrubbed
/// by `sanitizer`. Session::finish and the proxy save what this returns.
Fixture recorded_fixture(std::vector<Entry> entries,
                         const std::map<std::string, std::string>& variables,
                         const Sanitizer& sanitizer, const MatchRules& match,
                         const std::string& api_version);

/// One live, recording or playback session over one fixture.
class Session {
 public:
  /// Opens the session; in playback loads the fixture (throws MissingFixtureError or
  /// FixtureError), and throws RulesError for bad rules.
  explicit Session(SessionOptions options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  Mode mode() const;
  /// The transport for SecretClientOptions::Transport.
  std::shared_ptr<http::Transport> transport() const;
  /// The vault URL the client must use: the real one live/record, the fake host in playback.
  std::string vault_url() const;
  /// The clock for SecretClientOptions::Clock.
  std::shared_ptr<SessionClock> clock() const;
  /// A variable recorded in the fixture: record/live call `generate` and remember the value;
  /// playback returns the recorded value (throws if the fixture has none under `name`).
  std::string variable(const std::string& name, const std::function<std::string()>& generate);
  /// A random name recorded under `variable`: `prefix` + 8 random lower-case letters and digits
  /// when recording or live, the recorded name in playback.
  std::string random_name(const std::string& variable, const std::string& prefix = "kvtest-");
  /// The exchanges so far, in order: replayed entries in playback, recorded ones in record,
  /// everything sent in live mode.
  std::vector<Exchange> exchanges() const;
  /// Record mode: a copy of the sanitized entries captured so far (what finish() would save);
  /// empty in live and playback mode.
  std::vector<Entry> recorded_entries() const;
  /// The playback fixture, every entry read (null in live and record mode).
  std::shared_ptr<const Fixture> fixture() const;
  /// The playback fixture as opened: metadata and variables, entries read one by one (null in
  /// live and record mode). Cheaper than fixture() for a large file.
  std::shared_ptr<const OpenedFixture> opened_fixture() const;
  /// The sanitizer that scrubs anything this session writes or reports (fixtures, messages).
  std::shared_ptr<const Sanitizer> sanitizer() const;
  /// True once finish() ran (successfully or not).
  bool finished() const;
  /// Ends the session: record saves the fixture atomically; playback throws PlaybackMismatch if
  /// a request missed (even one whose exception was caught), then UnusedEntriesError if entries
  /// are unused. Idempotent.
  void finish();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kv::harness
