// The results of running scenarios: data that reporters consume.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "kv/harness/diagnostic.hpp"
#include "kv/scenario/scenario.hpp"

namespace kv::scenario {

/// How a step or a scenario ended.
enum class Status { Passed, Failed, Skipped };

/// Consecutive attempts of a retried step that ended alike.
struct AttemptGroup {
  int first = 0;  ///< Number (from 1) of the first attempt of the group.
  int last = 0;   ///< Number of its last attempt.
  /// How they ended: `409 Conflict`, `200, but value expected absent, found ""`, ...
  std::string outcome;
};

/// The result of one step (one entry per repetition of a repeated step).
struct StepResult {
  std::string pointer;
  Operation operation = Operation::Get;
  std::string title;
  bool cleanup = false;
  Status status = Status::Passed;
  int attempts = 0;
  /// Set for repeated steps: which repetition this is.
  std::optional<int> repetition;
  /// Failure details (empty when passed): the JSON Pointer of the failed check, expected, actual.
  /// Reports show them through record().
  std::string at;
  std::string expected;
  std::string actual;
  /// For failures not about an expectation: a harness error (e.g. a playback mismatch), as text.
  std::string error;
  /// The harness error's own record, when the one who caught it kept it (a playback miss with
  /// its candidates; see harness::diagnostic_of()); record() prefers it to `error`.
  std::optional<harness::Diagnostic> cause;
  /// For a step that ran more than once: the outcome of every attempt, consecutive equal ones
  /// grouped (empty after a single attempt).
  std::vector<AttemptGroup> history;
  /// The history as one line: `attempt 1: 409 Conflict; attempts 2–20: 200, but ...`.
  std::string history_text() const;
  std::chrono::nanoseconds duration{0};

  /// The failure as a record placed in the scenario `file`: titled "step /steps/1 (get)
  /// failed", the attempts as a note, and either the failed check (id "expectation-failed",
  /// `where` its JSON Pointer, expected and actual) or the harness error as its cause (the
  /// record's id is the cause's: "playback-miss", or "harness-error" for a plain message).
  harness::Diagnostic record(const std::string& file) const;
};

/// The result of one scenario.
struct ScenarioResult {
  std::string file;
  std::string name;
  std::string mode;
  std::string fixture;
  Status status = Status::Passed;
  std::vector<StepResult> steps;
  /// A failure outside any step: missing fixture, unused entries, localvault failure...
  std::string error;
  /// Its own record, when the one who caught it kept it (unused entries with their list);
  /// failure_record() prefers it to `error`.
  std::optional<harness::Diagnostic> cause;
  std::chrono::nanoseconds duration{0};

  /// The first failure as a record: the failure outside any step (id "scenario-error" for a
  /// plain message), else the first failed step's StepResult::record(); none when nothing failed.
  std::optional<harness::Diagnostic> failure_record() const;
  /// The first failure as a readable multi-line message naming the file and step pointer: the
  /// record's message, led by the scenario file when the record names another (a fixture).
  std::string failure_message() const;
};

/// The results of a whole run.
struct RunSummary {
  std::vector<ScenarioResult> scenarios;
  std::chrono::nanoseconds duration{0};
  int passed() const;
  int failed() const;
};

/// "passed", "failed" or "skipped".
const char* to_string(Status status);

}  // namespace kv::scenario
