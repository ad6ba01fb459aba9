// A suite: the scenario files of some files and folders, loaded, with the vault decided once,
// then run (kvharness run) or verified (kvharness verify). Everything those commands do, as a
// library: a C++ program gets the same discovery, diagnostics, target and reports.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "kv/harness/diagnostic.hpp"
#include "kv/harness/mode.hpp"
#include "kv/harness/sanitizer_permissions.hpp"
#include "kv/harness/target.hpp"
#include "kv/scenario/result.hpp"
#include "kv/scenario/runner.hpp"
#include "kv/scenario/scenario.hpp"
#include "kv/scenario/verify.hpp"

namespace kv::scenario {

/// What a suite is made of and how it runs.
struct SuiteOptions {
  /// Scenario files and folders (folders: their *.json, see collect_scenario_files).
  std::vector<std::string> paths;
  /// Only scenarios whose file name contains this text; empty: all.
  std::string filter;
  /// Playback replays each recording; live and record go to the target. Suite::verify() runs
  /// live whatever this says, so a suite to verify must not be playback.
  harness::Mode mode = harness::Mode::Playback;
  /// Folder of the recordings; empty: recordings/ beside each scenario's folder.
  std::string recordings_dir;
  /// The vault: `target.vault_url` (else $AZURE_KEYVAULT_URL with the AZURE_* service principal)
  /// opened once for the whole suite; without one, an embedded localvault started for each
  /// scenario (`target.localvault`), so every recording starts from an empty vault.
  harness::TargetOptions target;
  /// What is otherwise refused when the sanitizer sets disagree.
  harness::SanitizerPermissions sanitizer_permissions;
};

/// A problem found before anything ran: a missing path, no scenario file, invalid scenario files,
/// a vault that cannot be opened or a localvault that cannot be found.
class SuiteError : public std::runtime_error {
 public:
  explicit SuiteError(const std::string& message, std::vector<std::string> details = {})
      : std::runtime_error(message), details_(std::move(details)) {}
  /// What to show before what(): every error of every invalid scenario file, in file order.
  const std::vector<std::string>& details() const { return details_; }

 private:
  std::vector<std::string> details_;
};

/// Scenario files parsed one by one.
struct LoadedScenarios {
  std::vector<Scenario> scenarios;
  /// The errors of each file that did not load (ScenarioFileError::what()), in file order.
  std::vector<std::string> errors;
  bool ok() const { return errors.empty(); }
};

/// Loads every file of `files`, keeping the errors of those that fail.
LoadedScenarios load_scenarios(const std::vector<std::string>& files);

/// The mode named by `text` (a --mode option), else $AZURE_TEST_MODE, else playback. Throws
/// std::invalid_argument naming the bad value and where it came from.
harness::Mode resolve_suite_mode(const std::optional<std::string>& text);

/// The severity named by `text` ("error", "warning" or "info", a --fail-on option). Throws
/// std::invalid_argument otherwise.
harness::Severity parse_fail_on(const std::string& text);

/// Where reports go; an empty name writes nothing.
struct ReportFiles {
  std::string junit;
  std::string json;
};

/// Writes the JUnit XML and JSON reports of a run (atomically). Throws std::runtime_error.
void write_reports(const RunSummary& summary, harness::Mode mode, const ReportFiles& files);
/// Writes the JUnit XML (failing at `fail_on`) and JSON reports of a verification.
void write_reports(const VerifySummary& summary, harness::Severity fail_on,
                   const ReportFiles& files);

/// Scenarios found and loaded, with the target decided.
class Suite {
 public:
  /// Finds the scenario files, loads every one (all must be valid: nothing runs otherwise) and,
  /// unless in playback, decides the target: a real vault is opened now, else the localvault
  /// executable must exist. Throws SuiteError.
  explicit Suite(SuiteOptions options);

  const SuiteOptions& options() const { return options_; }
  const std::vector<Scenario>& scenarios() const { return scenarios_; }
  /// The real vault every scenario uses; unset: an embedded localvault per scenario.
  const std::optional<harness::VaultTarget>& target() const { return target_; }

  /// Runs every scenario in its own session, in order, reporting to `observer` (may be null).
  /// Failures are in the summary, never exceptions.
  RunSummary run(RunObserver* observer = nullptr) const;
  /// Runs every scenario live and compares with its recording (see verify_scenario()). Throws
  /// std::logic_error for a playback suite.
  VerifySummary verify() const;

 private:
  SuiteOptions options_;
  std::vector<Scenario> scenarios_;
  std::optional<harness::VaultTarget> target_;
};

}  // namespace kv::scenario
