#pragma once
// Which api-version values the vault accepts, and the service's refusal for the rest.

#include <string_view>

namespace kv::localvault {

/// The newest api-version, named in the refusal message.
inline constexpr std::string_view kLatestApiVersion = "2025-07-01";

/// True for 7.0-7.6 (with or without a -preview[.N] suffix) and 2025 dates (optionally -preview).
bool is_supported_api_version(std::string_view version);

}  // namespace kv::localvault
