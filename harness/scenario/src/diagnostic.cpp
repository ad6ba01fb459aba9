// Formatting of scenario file diagnostics.
#include "kv/scenario/diagnostic.hpp"

namespace kv::scenario {

std::string Diagnostic::message() const {
  std::string text = file + ": error";
  if (!where.empty()) text += " at " + where;
  text += " [" + id + "]";
  if (!expected.empty()) text += "\n  expected: " + expected;
  if (!found.empty()) text += "\n  found:    " + found;
  if (!hint.empty()) text += "\n  hint:     " + hint;
  return text;
}

std::string format_diagnostics(const std::vector<Diagnostic>& diagnostics) {
  std::string text;
  for (const auto& d : diagnostics) {
    if (!text.empty()) text += '\n';
    text += d.message();
  }
  return text;
}

ScenarioFileError::ScenarioFileError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(format_diagnostics(diagnostics)), diagnostics_(std::move(diagnostics)) {}

}  // namespace kv::scenario
