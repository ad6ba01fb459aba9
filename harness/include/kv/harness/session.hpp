// A test session: the one object a test (or the scenario runner) needs to run live, record or
// replay. It hands out the transport to put at the bottom of the client pipeline, the vault URL,
// the clock, and recorded variables, and finishes by saving (record) or verifying (playback).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "kv/clock.hpp"
#include "kv/transport.hpp"

namespace kv::harness {

/// How a session treats the network.
enum class Mode { Live, Record, Playback };

/// Parses "live", "record" or "playback" (case-insensitive); throws std::invalid_argument.
Mode parse_mode(std::string_view text);
/// The mode's lower-case name.
const char* to_string(Mode mode);

/// The fixed host that replaces the real vault host in every recording.
inline constexpr const char* kFakeVaultHost = "fakevault.vault.azure.net";

struct SessionOptions {
  Mode mode = Mode::Playback;
  /// The fixture file (read in playback, written in record, unused in live).
  std::string fixture_path;
  /// The real vault URL (live and record).
  std::string vault_url;
  /// The real transport (live and record); null means a default CurlTransport.
  std::shared_ptr<http::Transport> live_transport;
  /// api-version the client uses; stored in the fixture metadata.
  std::string api_version = "7.5";
  /// Extra sanitizer and match rules as JSON (see docs/fixture-format.md); may be null.
  std::string rules_json;
  /// Strings that must never be written anywhere (client secret, sensitive values).
  std::vector<std::string> secrets_to_redact;
  /// The command that (re-)records this fixture, quoted when the playback fixture is missing;
  /// empty means "kvharness run --mode record <scenario>".
  std::string record_command;
};

/// The playback fixture does not exist; what() names the path and the command that records it.
class MissingFixtureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One live, recording or playback session over one fixture.
class Session {
 public:
  explicit Session(SessionOptions options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  Mode mode() const;
  /// The transport for SecretClientOptions::Transport.
  std::shared_ptr<http::Transport> transport() const;
  /// The vault URL the client must use: the real one live/record, the fake host in playback.
  std::string vault_url() const;
  /// The clock for SecretClientOptions::Clock: a ManualClock in playback, the system clock else.
  std::shared_ptr<Clock> clock() const;
  /// A variable recorded in the fixture: record/live call `generate` and remember the value;
  /// playback returns the recorded value (throws if the fixture has none under `name`).
  std::string variable(const std::string& name, const std::function<std::string()>& generate);
  /// Ends the session: record saves the fixture atomically; playback throws if entries are unused.
  void finish();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kv::harness
