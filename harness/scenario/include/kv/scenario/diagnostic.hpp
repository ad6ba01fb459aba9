// Errors about a scenario file, in the harness's one diagnostic form (kv/harness/diagnostic.hpp).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "kv/harness/diagnostic.hpp"

namespace kv::scenario {

using harness::Diagnostic;
using harness::format_diagnostics;

/// A scenario file could not be loaded; what() lists every diagnostic.
class ScenarioFileError : public std::runtime_error, public harness::CarriesDiagnostic {
 public:
  /// `diagnostics` must not be empty.
  explicit ScenarioFileError(std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const noexcept { return diagnostics_; }
  /// The first diagnostic.
  const Diagnostic& diagnostic() const noexcept override { return diagnostics_.front(); }

 private:
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace kv::scenario
