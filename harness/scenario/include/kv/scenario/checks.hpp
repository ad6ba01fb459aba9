// Evaluates expectations against outcomes and reads fields out of results.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "kv/scenario/outcome.hpp"
#include "kv/scenario/scenario.hpp"
#include "kv/scenario/variables.hpp"

namespace kv::scenario {

/// Why an expectation did not hold.
struct Mismatch {
  /// The JSON Pointer (in the scenario file) of the check that failed.
  std::string pointer;
  /// What was expected, e.g. `value equals "abc"` or `error 404 SecretNotFound`.
  std::string expected;
  /// What was found, e.g. `"abd"` or `success (status 200)`.
  std::string actual;
  /// For a field check: the field path (`value`) and the condition alone (`equals "abc"`), so
  /// that `expected` is `field + " " + condition`. Empty for success and error expectations.
  std::string field;
  std::string condition;
};

/// The field of `result` at a dotted path or JSON Pointer, if present.
std::optional<nlohmann::json> find_field(const nlohmann::json& result, const std::string& path);
/// A captured value as text: strings as they are, other JSON compactly serialized.
std::string field_to_text(const nlohmann::json& value);

/// One attempt's outcome in a few words, for the attempt history of a retried step:
/// `409 Conflict`, `200`, or `200, but value expected absent, found ""` when `mismatch` is set.
std::string summarize_attempt(const Outcome& outcome, const std::optional<Mismatch>& mismatch);

/// Checks `outcome` against `expect` (a missing expectation means "must succeed"). Operands are
/// substituted with `variables`. Returns the first mismatch, or nothing when all holds.
std::optional<Mismatch> evaluate(const std::optional<Expectation>& expect, const Outcome& outcome,
                                 const Variables& variables, const std::string& step_pointer);

}  // namespace kv::scenario
