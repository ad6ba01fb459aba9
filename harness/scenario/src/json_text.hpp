// Reading JSON-with-comments text and describing JSON values in messages.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kv/scenario/diagnostic.hpp"

namespace kv::scenario::detail {

/// Parses JSON allowing // and /* */ comments; on a syntax error fills `error` (with line and
/// column) and returns nothing.
std::optional<nlohmann::json> parse_json_text(std::string_view text, const std::string& file,
                                              Diagnostic& error);
/// A value as shown after "found:" (the harness's one rendering).
inline std::string describe_value(const nlohmann::json& value) {
  return harness::describe_json(value);
}

}  // namespace kv::scenario::detail
