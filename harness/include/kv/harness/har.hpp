// Export of a fixture to HAR 1.2, to open a recording in a browser's developer tools.
#pragma once

#include <nlohmann/json.hpp>

#include "kv/harness/fixture.hpp"

namespace kv::harness {

/// The fixture as a HAR 1.2 log: one entry per exchange, bodies as text (binary as base64).
nlohmann::json export_har(const Fixture& fixture);

}  // namespace kv::harness
