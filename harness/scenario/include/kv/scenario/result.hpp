// The results of running scenarios: data that reporters consume.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

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
  std::string at;
  std::string expected;
  std::string actual;
  /// For failures not about an expectation: a harness error (e.g. a playback mismatch).
  std::string error;
  /// For a step that ran more than once: the outcome of every attempt, consecutive equal ones
  /// grouped (empty after a single attempt).
  std::vector<AttemptGroup> history;
  /// The history as one line: `attempt 1: 409 Conflict; attempts 2–20: 200, but ...`.
  std::string history_text() const;
  std::chrono::nanoseconds duration{0};
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
  std::chrono::nanoseconds duration{0};

  /// The first failure as a readable multi-line message naming the file and step pointer.
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
