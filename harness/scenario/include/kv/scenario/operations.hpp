// The operation catalogue: names, arguments and result fields of every scenario operation.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kv/scenario/scenario.hpp"

namespace kv::scenario {

/// The JSON type an argument must have.
enum class ArgType { String, Bool, Integer, StringMap, Date };

/// One argument of an operation.
struct ArgumentSpec {
  const char* name;
  ArgType type;
  bool required;
};

/// Everything the parser and the docs need to know about one operation.
struct OperationSpec {
  Operation operation;
  const char* name;
  std::vector<ArgumentSpec> arguments;
  /// Top-level fields of the result, for "did you mean" on captures and checks.
  std::vector<std::string> result_fields;
};

/// Every operation, in documentation order.
const std::vector<OperationSpec>& operation_specs();
/// The spec of `operation`.
const OperationSpec& spec_of(Operation operation);
/// Looks an operation up by its file name ("listVersions").
std::optional<Operation> find_operation(std::string_view name);
/// All operation names, for suggestions.
std::vector<std::string> operation_names();
/// The JSON type name of `type` as used in messages ("a string", "an integer", ...).
const char* describe(ArgType type);

}  // namespace kv::scenario
