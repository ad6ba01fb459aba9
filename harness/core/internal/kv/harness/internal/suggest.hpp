// "Did you mean ...?" for misspelled names.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kv::harness {

/// Edit distance (insert, delete, substitute, case-insensitive) between two names.
std::size_t edit_distance(std::string_view a, std::string_view b);
/// The candidate closest to `name`, if one is close enough to be a plausible misspelling.
std::optional<std::string> nearest_name(std::string_view name,
                                        const std::vector<std::string>& candidates);

}  // namespace kv::harness
