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
};

/// The field of `result` at a dotted path or JSON Pointer, if present.
std::optional<nlohmann::json> find_field(const nlohmann::json& result, const std::string& path);
/// A captured value as text: strings as they are, other JSON compactly serialized.
std::string field_to_text(const nlohmann::json& value);

/// Checks `outcome` against `expect` (a missing expectation means "must succeed"). Operands are
/// substituted with `variables`. Returns the first mismatch, or nothing when all holds.
std::optional<Mismatch> evaluate(const std::optional<Expectation>& expect, const Outcome& outcome,
                                 const Variables& variables, const std::string& step_pointer);

}  // namespace kv::scenario
