#pragma once
// Byte encodings used on the wire: base64url (backups, tokens) and lowercase hex (ids).

#include <optional>
#include <string>
#include <string_view>

namespace kv::localvault {

/// Encodes bytes as base64url without padding.
std::string base64url_encode(std::string_view bytes);

/// Decodes base64url (padding optional, standard '+' '/' also accepted); nullopt on bad input.
std::optional<std::string> base64url_decode(std::string_view text);

/// Lowercase hex of the given bytes.
std::string hex_encode(std::string_view bytes);

}  // namespace kv::localvault
