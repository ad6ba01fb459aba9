// Problems in files a person wrote or recorded (fixtures, rules, scenarios, lint findings):
// where (file, JSON Pointer or line:column), a stable id, what was expected, what was found,
// and a hint. Every kvharness component reports bad input in this one form.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace kv::harness {

/// How serious a diagnostic is; errors fail a check, warnings and notes inform.
enum class Severity { Error, Warning, Info };

/// The severity's lower-case name: "error", "warning" or "info".
const char* to_string(Severity severity);

/// One problem in a file.
struct Diagnostic {
  std::string file;
  /// A JSON Pointer ("/steps/2/op"), or "line 3, column 7" for syntax errors; "" for the file.
  std::string where;
  /// A stable identifier ("unknown-operation", "wrong-type", ...), listed in the docs.
  std::string id;
  std::string expected;
  std::string found;
  /// "did you mean ...?" and similar; may be empty.
  std::string hint;
  Severity severity = Severity::Error;

  /// The multi-line message: "file: error at WHERE [id]\n  expected: ...\n  found: ...".
  std::string message() const;
};

/// The diagnostic as a JSON object: file, where, id, severity, expected, found, hint.
nlohmann::ordered_json to_json(const Diagnostic& diagnostic);

/// Joins the messages of `diagnostics`, one block per diagnostic.
std::string format_diagnostics(const std::vector<Diagnostic>& diagnostics);

/// "line L, column C" (both 1-based) of the byte at `offset` in `text`.
std::string line_column(std::string_view text, std::size_t offset);

/// A JSON value as shown after "found:": strings quoted, other values compact with their type,
/// long renderings shortened; invalid UTF-8 is replaced, never passed on.
std::string describe_json(const nlohmann::json& value);
/// The same for key-order-preserving JSON.
std::string describe_json(const nlohmann::ordered_json& value);

}  // namespace kv::harness
