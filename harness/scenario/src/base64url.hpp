// base64url without padding, for backup blobs carried in scenario variables.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kv::scenario::detail {

/// Encodes bytes as base64url without padding.
std::string base64url_encode(const std::vector<std::uint8_t>& bytes);
/// Decodes base64url (padding optional; standard '+' '/' also accepted); nothing on bad input.
std::optional<std::vector<std::uint8_t>> base64url_decode(std::string_view text);

}  // namespace kv::scenario::detail
