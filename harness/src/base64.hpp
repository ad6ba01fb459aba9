// Standard and URL-safe base64 for binary fixture bodies, HAR export and leak checks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kv::harness::detail {

/// Encodes with the standard alphabet and '=' padding, or URL-safe without padding.
std::string base64_encode(std::string_view data, bool url_safe = false);
/// Decodes standard or URL-safe base64, padding optional; nullopt on any invalid character.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace kv::harness::detail
