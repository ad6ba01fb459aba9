// Scenario files: JSON with comments → Scenario, validating everything a run would trip on.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "kv/scenario/scenario.hpp"

namespace kv::scenario {

/// The largest scenario file read, in bytes (4 MiB); larger files are refused before parsing.
inline constexpr std::size_t kMaxScenarioBytes = 4 * 1024 * 1024;

/// Reads and validates a scenario file; throws ScenarioFileError listing every problem found.
Scenario load_scenario(const std::string& path);
/// Parses scenario text; `file` is the name used in messages.
Scenario parse_scenario(std::string_view text, const std::string& file);

}  // namespace kv::scenario
