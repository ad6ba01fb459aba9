// ISO 8601 UTC dates in scenario arguments and results.
#pragma once

#include <optional>
#include <string>

#include "kv/models.hpp"

namespace kv::scenario::detail {

/// Parses "2030-01-01T00:00:00Z" (fractional seconds allowed); nothing when malformed.
std::optional<TimePoint> parse_date(const std::string& text);
/// Formats as "2030-01-01T00:00:00Z" (whole seconds).
std::string format_date(TimePoint time);

}  // namespace kv::scenario::detail
