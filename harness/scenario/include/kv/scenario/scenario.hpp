// The scenario model: what a parsed scenario file says, with the JSON Pointer of every node so
// that errors at run time can point back into the file.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kv::scenario {

/// The operations a step can perform: every SecretClient operation plus a pause.
enum class Operation {
  Set,
  Get,
  Update,
  List,
  ListVersions,
  ListDeleted,
  Backup,
  Delete,
  GetDeleted,
  Purge,
  Recover,
  Restore,
  Pause,
};

/// How a variable gets its value.
enum class VariableKind {
  Literal,  ///< The value written in the file.
  Env,      ///< An environment variable (with an optional default); recorded in the fixture.
  Random,   ///< A random string with a prefix; recorded in the fixture, reused in playback.
};

/// One entry of the scenario's "variables" object.
struct VariableDef {
  std::string name;
  VariableKind kind = VariableKind::Literal;
  /// Literal: the value. Env: the environment variable name. Random: the prefix.
  std::string value;
  /// Env: the value used when the variable is unset.
  std::optional<std::string> fallback;
  /// Random: how many random characters follow the prefix.
  int random_length = 8;
  std::string pointer;
};

/// The comparisons a field check can make.
enum class CheckKind {
  Equals,
  NotEquals,
  Exists,
  Absent,
  Contains,
  Matches,
  GreaterThan,
  LessThan,
  Length
};

/// One comparison on one field of a step's result.
struct Check {
  CheckKind kind = CheckKind::Equals;
  /// The expected operand (strings may contain ${variables}).
  nlohmann::json operand;
  std::string pointer;
};

/// All checks on one field, addressed by a dotted path ("tags.env", "items.0.name") or a JSON
/// Pointer ("/tags/env").
struct FieldExpectation {
  std::string field;
  std::vector<Check> checks;
  std::string pointer;
};

/// An expected service error.
struct ErrorExpectation {
  std::optional<int> status;
  std::optional<std::string> code;
  std::optional<std::string> inner_code;
  std::optional<std::string> message_contains;
  std::string pointer;
};

/// What a step must produce: success with field checks, or an error.
struct Expectation {
  std::vector<FieldExpectation> fields;
  std::optional<ErrorExpectation> error;
  std::string pointer;
};

/// Copies a result field into a variable for later steps.
struct Capture {
  std::string variable;
  std::string field;
  std::string pointer;
};

/// Repeats a step until its expectation holds.
struct RetryPolicy {
  int attempts = 1;
  std::chrono::milliseconds interval{1000};
  std::string pointer;
};

/// Runs a step `count` times with ${index} set to 0..count-1.
struct Repeat {
  int count = 1;
  std::string index = "i";
  std::string pointer;
};

/// One step of a scenario.
struct Step {
  Operation operation = Operation::Get;
  /// Optional human label shown in reports.
  std::string title;
  /// The operation's arguments as written (strings may contain ${variables}).
  nlohmann::json args = nlohmann::json::object();
  std::optional<Expectation> expect;
  std::vector<Capture> captures;
  std::optional<RetryPolicy> retry;
  std::optional<Repeat> repeat;
  /// "/steps/3" or "/cleanup/0".
  std::string pointer;
  bool cleanup = false;
};

/// A parsed scenario file.
struct Scenario {
  /// The file it came from (as given), used in every message.
  std::string file;
  std::string name;
  std::string description;
  /// api-version to use; unset means the fixture's, else the client default.
  std::optional<std::string> api_version;
  std::vector<VariableDef> variables;
  std::vector<Step> steps;
  /// Steps that always run after `steps`, even when one of them failed.
  std::vector<Step> cleanup;
  /// Extra sanitizer and match rules handed to the session (null when absent).
  nlohmann::json rules;
};

/// The operation's name as written in scenario files ("set", "listVersions", ...).
const char* to_string(Operation operation);
/// The check's name as written in scenario files ("equals", "greaterThan", ...).
const char* to_string(CheckKind kind);

}  // namespace kv::scenario
