// Suites: discovery, loading, the target decision and the timing loop of run and verify.
#include "kv/scenario/suite.hpp"

#include <chrono>

#include "kv/harness/files.hpp"
#include "kv/harness/localvault.hpp"
#include "kv/scenario/diagnostic.hpp"
#include "kv/scenario/discovery.hpp"
#include "kv/scenario/parser.hpp"
#include "kv/scenario/reporters.hpp"
#include "kv/scenario/session_runner.hpp"

namespace kv::scenario {

LoadedScenarios load_scenarios(const std::vector<std::string>& files) {
  LoadedScenarios loaded;
  for (const auto& file : files) {
    try {
      loaded.scenarios.push_back(load_scenario(file));
    } catch (const ScenarioFileError& e) {
      loaded.errors.emplace_back(e.what());
    }
  }
  return loaded;
}

harness::Mode resolve_suite_mode(const std::optional<std::string>& text) {
  std::optional<harness::Mode> explicit_mode;
  if (text) {
    try {
      explicit_mode = harness::parse_mode(*text);
    } catch (const std::invalid_argument&) {
      throw std::invalid_argument("unknown mode \"" + *text +
                                  "\" (from --mode); expected live, record or playback");
    }
  }
  return harness::resolve_mode(explicit_mode);
}

harness::Severity parse_fail_on(const std::string& text) {
  if (text == "error") return harness::Severity::Error;
  if (text == "warning") return harness::Severity::Warning;
  if (text == "info") return harness::Severity::Info;
  throw std::invalid_argument("unknown severity \"" + text +
                              "\" (from --fail-on); expected error, warning or info");
}

void write_reports(const RunSummary& summary, harness::Mode mode, const ReportFiles& files) {
  const std::string mode_name = harness::to_string(mode);
  if (!files.junit.empty())
    harness::write_file_atomically(files.junit, to_junit_xml(summary, mode_name));
  if (!files.json.empty())
    harness::write_file_atomically(files.json, to_json_report(summary, mode_name));
}

void write_reports(const VerifySummary& summary, harness::Severity fail_on,
                   const ReportFiles& files) {
  if (!files.junit.empty())
    harness::write_file_atomically(files.junit, verify_junit_xml(summary, fail_on));
  if (!files.json.empty()) harness::write_file_atomically(files.json, verify_json_report(summary));
}

Suite::Suite(SuiteOptions options) : options_(std::move(options)) {
  std::vector<std::string> files;
  try {
    files = collect_scenario_files(options_.paths, options_.filter);
  } catch (const std::exception& e) {
    throw SuiteError(e.what());
  }
  if (files.empty()) {
    throw SuiteError("no scenario files match" +
                     (options_.filter.empty() ? "" : " --filter " + options_.filter));
  }
  LoadedScenarios loaded = load_scenarios(files);
  if (!loaded.ok())
    throw SuiteError("invalid scenario files; nothing was run", std::move(loaded.errors));
  scenarios_ = std::move(loaded.scenarios);
  if (options_.mode == harness::Mode::Playback) return;
  // A real vault is configured once; the embedded localvault is started per scenario so that
  // every recording starts from an empty vault.
  try {
    if (harness::uses_real_vault(options_.target)) {
      target_ = harness::open_target(options_.target);
    } else {
      harness::find_localvault(options_.target.localvault.executable);
    }
  } catch (const std::exception& e) {
    throw SuiteError(e.what());
  }
}

RunSummary Suite::run(RunObserver* observer) const {
  RunSummary summary;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& s : scenarios_) {
    SessionRunOptions run;
    run.mode = options_.mode;
    run.fixture_path = fixture_path_for(s.file, options_.recordings_dir);
    run.observer = observer;
    run.target = target_;
    run.localvault = options_.target.localvault;
    run.sanitizer_permissions = options_.sanitizer_permissions;
    summary.scenarios.push_back(run_in_session(s, run));
  }
  summary.duration = std::chrono::steady_clock::now() - start;
  return summary;
}

VerifySummary Suite::verify() const {
  if (options_.mode == harness::Mode::Playback)
    throw std::logic_error("a suite to verify runs live; its mode must not be playback");
  VerifyOptions verify;
  verify.recordings_dir = options_.recordings_dir;
  verify.target = target_;
  verify.localvault = options_.target.localvault;
  VerifySummary summary;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& s : scenarios_) summary.scenarios.push_back(verify_scenario(s, verify));
  summary.duration = std::chrono::steady_clock::now() - start;
  return summary;
}

}  // namespace kv::scenario
