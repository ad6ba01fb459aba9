// Runs a scenario inside a kv::harness::TestSession: live, record or playback.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "kv/harness/fixture.hpp"
#include "kv/harness/session.hpp"
#include "kv/harness/target.hpp"
#include "kv/scenario/result.hpp"
#include "kv/scenario/runner.hpp"
#include "kv/scenario/scenario.hpp"

namespace kv::scenario {

/// How to run one scenario.
struct SessionRunOptions {
  harness::Mode mode = harness::Mode::Playback;
  std::string fixture_path;
  /// Playback from an already parsed fixture instead of the file.
  std::shared_ptr<const harness::Fixture> fixture;
  /// Live and record: the target to use (e.g. one real vault for the whole run). Unset: a local
  /// vault started for this scenario alone, so that every recording starts from an empty vault.
  std::optional<harness::VaultTarget> target;
  /// How that local vault is started.
  harness::LocalVaultOptions localvault;
  RunObserver* observer = nullptr;
  /// What is otherwise refused when the sanitizer sets disagree (harness::SanitizerPermissions).
  harness::SanitizerPermissions sanitizer_permissions;
  /// Record mode: when set, receives the sanitized entries of the run, passed or failed, and no
  /// fixture is written (kvharness verify compares them with the committed recording).
  std::vector<harness::Entry>* captured = nullptr;
};

/// Opens the session, builds the client, runs the scenario, finishes the session (saving the
/// fixture in record mode when the scenario passed; checking unused entries in playback).
/// Session and client failures end up in the result, never as exceptions.
ScenarioResult run_in_session(const Scenario& scenario, const SessionRunOptions& options);

}  // namespace kv::scenario
