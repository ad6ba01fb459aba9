// Bounds on the JSON kvharness reads. Copying, comparing, printing and walking a parsed value all
// recurse once per level of nesting, so the depth is bounded before a value is parsed (files) and
// checked before a value from elsewhere is walked (bodies of recorded exchanges).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace kv::harness {

/// The deepest nesting of arrays and objects accepted in scenario and rules files, and walked in
/// bodies; real Key Vault traffic nests 3 levels deep.
inline constexpr std::size_t kMaxJsonDepth = 256;

/// The byte offset of the first '[' or '{' that opens level `max_depth + 1` in JSON text (strings
/// and // or /* */ comments skipped), or nothing when the text nests no deeper. Linear, no
/// recursion; text that is not JSON is scanned all the same (its parser reports the syntax).
std::optional<std::size_t> find_excess_nesting(std::string_view text,
                                               std::size_t max_depth = kMaxJsonDepth);

/// True when `value` (an nlohmann::json or ordered_json) nests arrays and objects deeper than
/// `max_depth` levels. Iterative: safe on any value.
template <class JsonType>
bool nests_deeper_than(const JsonType& value, std::size_t max_depth = kMaxJsonDepth) {
  std::vector<std::pair<const JsonType*, std::size_t>> pending{{&value, 0}};
  while (!pending.empty()) {
    auto [node, depth] = pending.back();
    pending.pop_back();
    if (!node->is_structured()) continue;
    if (depth + 1 > max_depth) return true;
    for (const auto& child : *node) {
      if (child.is_structured()) pending.emplace_back(&child, depth + 1);
    }
  }
  return false;
}

}  // namespace kv::harness
