// base64url as Key Vault uses it for backup blobs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kv {

/// Encodes with the URL-safe alphabet and no padding.
std::string base64url_encode(const std::vector<std::uint8_t>& data);
/// Decodes base64url with or without padding (the standard alphabet is accepted too);
/// throws std::runtime_error naming the offending position.
std::vector<std::uint8_t> base64url_decode(std::string_view text);

}  // namespace kv
