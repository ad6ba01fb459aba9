// Errors about a scenario file: where (file, JSON Pointer or line:column), what was expected,
// what was found, a stable id, and a suggestion when a name was misspelled.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace kv::scenario {

/// One problem in a scenario file.
struct Diagnostic {
  std::string file;
  /// A JSON Pointer ("/steps/2/op"), or "line 3, column 7" for syntax errors; "" for the root.
  std::string where;
  /// A stable identifier ("unknown-operation", "wrong-type", ...), listed in
  /// docs/scenario-format.md.
  std::string id;
  std::string expected;
  std::string found;
  /// "did you mean ...?" and similar; may be empty.
  std::string hint;

  /// The multi-line message: "file: error at WHERE [id]\n  expected: ...\n  found: ...".
  std::string message() const;
};

/// A scenario file could not be loaded; what() lists every diagnostic.
class ScenarioFileError : public std::runtime_error {
 public:
  explicit ScenarioFileError(std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const noexcept { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

/// Joins the messages of `diagnostics`, one block per diagnostic.
std::string format_diagnostics(const std::vector<Diagnostic>& diagnostics);

}  // namespace kv::scenario
