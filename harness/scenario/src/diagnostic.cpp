// Scenario file errors.
#include "kv/scenario/diagnostic.hpp"

namespace kv::scenario {

ScenarioFileError::ScenarioFileError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(format_diagnostics(diagnostics)), diagnostics_(std::move(diagnostics)) {}

}  // namespace kv::scenario
