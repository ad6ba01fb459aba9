// Verify: run scenarios live and compare every live response with the recorded one by shape
// (status, error codes, the set of JSON fields and their types, enum domains, header presence),
// so that a recording the service no longer agrees with is found (docs/cli.md, "verify").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "kv/harness/diagnostic.hpp"
#include "kv/harness/fixture.hpp"
#include "kv/harness/localvault.hpp"
#include "kv/harness/target.hpp"
#include "kv/scenario/scenario.hpp"

namespace kv::scenario {

/// One kind of drift: its stable id (the Diagnostic id), its severity and what it means.
struct DriftKind {
  const char* id;
  harness::Severity severity;
  const char* summary;
};

/// Every drift kind, in the order docs/cli.md lists them.
const std::vector<DriftKind>& drift_kinds();
/// The drift kinds one per line: "id (severity): summary" (kvharness verify --list-kinds).
std::string format_drift_kinds();

/// The drift between a recording and the entries of a live run of the same scenario. Exchanges
/// are paired by Key Vault operation in order (longest common subsequence). Consecutive
/// exchanges of one operation whose answers were pending (404 or 409 of a poll or retry, 429,
/// 5xx, a list page) or repeated the status before them form one sequence, compared as "pending...
/// then done": final answer against final answer, first pending against first pending when both
/// sides have one, however many times they repeated. Every finding names `fixture_file` and a JSON
/// Pointer into the recording.
std::vector<harness::Diagnostic> compare_shapes(const harness::Fixture& recorded,
                                                const std::vector<harness::Entry>& live,
                                                const std::string& fixture_file);

/// How to verify scenarios.
struct VerifyOptions {
  /// Folder of the recordings; empty means recordings/ beside each scenario's folder.
  std::string recordings_dir;
  /// The live target for every scenario (a real vault); unset means a local vault started for
  /// each scenario alone, as `kvharness run --mode record` does.
  std::optional<harness::VaultTarget> target;
  /// How that local vault is started.
  harness::LocalVaultOptions localvault;
};

/// The verification of one scenario.
struct ScenarioVerification {
  std::string scenario_file;
  std::string name;
  std::string fixture_file;
  /// The drift found, in recording order.
  std::vector<harness::Diagnostic> findings;
  /// Why the scenario could not be verified (no recording, a fixture that does not load, a
  /// target that did not start); empty when it was.
  std::string error;
  /// The scenario's own first failure in the live run (its expectations), for context; drift
  /// usually explains it.
  std::string live_failure;
  std::chrono::nanoseconds duration{0};
};

/// The verification of several scenarios.
struct VerifySummary {
  std::vector<ScenarioVerification> scenarios;
  std::chrono::nanoseconds duration{0};
  /// How many findings have exactly `severity`.
  std::size_t count(harness::Severity severity) const;
  /// How many scenarios could not be verified.
  std::size_t unverified() const;
  /// True when a finding is at or above `fail_on` (Error > Warning > Info).
  bool fails(harness::Severity fail_on) const;
};

/// Loads the scenario's recording, runs the scenario live (in record mode, writing nothing) and
/// compares. Never throws: problems end up in `error`.
ScenarioVerification verify_scenario(const Scenario& scenario, const VerifyOptions& options);

/// The console report: every finding as a diagnostic block, then one line per scenario and a
/// summary line.
std::string format_verify_report(const VerifySummary& summary);
/// JUnit XML: one test case per scenario, failed when it has a finding at or above `fail_on`
/// or could not be verified.
std::string verify_junit_xml(const VerifySummary& summary, harness::Severity fail_on);
/// A JSON document with the counts and every finding (file, where, id, severity, expected,
/// found, hint).
std::string verify_json_report(const VerifySummary& summary);

}  // namespace kv::scenario
