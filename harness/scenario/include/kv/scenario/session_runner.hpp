// Runs a scenario inside a kv::harness::Session: live, record or playback.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kv/credentials.hpp"
#include "kv/harness/session.hpp"
#include "kv/scenario/result.hpp"
#include "kv/scenario/runner.hpp"
#include "kv/scenario/scenario.hpp"
#include "kv/transport.hpp"

namespace kv::scenario {

/// Where live and record traffic goes.
struct LiveTarget {
  std::string vault_url;
  /// The transport that reaches the vault (and the token endpoint).
  std::shared_ptr<http::Transport> transport;
  std::shared_ptr<TokenCredential> credential;
  /// For a vault on 127.0.0.1, whose challenge names vault.azure.net.
  bool disable_challenge_verification = false;
  /// Strings never to be written to a fixture (the client secret).
  std::vector<std::string> secrets_to_redact;
};

/// How to run one scenario.
struct SessionRunOptions {
  harness::Mode mode = harness::Mode::Playback;
  std::string fixture_path;
  /// Required in live and record mode.
  std::optional<LiveTarget> target;
  RunObserver* observer = nullptr;
};

/// Opens the session, builds the client, runs the scenario, finishes the session (saving the
/// fixture in record mode when the scenario passed; checking unused entries in playback).
/// Session and client failures end up in the result, never as exceptions.
ScenarioResult run_in_session(const Scenario& scenario, const SessionRunOptions& options);

}  // namespace kv::scenario
