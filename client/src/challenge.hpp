// The Key Vault 401 challenge (internal).
#pragma once

#include <string>
#include <string_view>

namespace kv::detail {

/// What a `WWW-Authenticate: Bearer authorization="...", resource="..."` challenge asks for.
struct Challenge {
  std::string tenant_id;  ///< First path segment of `authorization` (or `authorization_uri`).
  std::string scope;      ///< resource without trailing '/' + "/.default", or `scope` verbatim.
  std::string resource;   ///< The URL whose host is verified against the vault's host.
};

/// Parses a Bearer challenge; throws AuthenticationException quoting the header when it cannot.
Challenge parse_challenge(std::string_view header);

/// True when `vault_host` ends with `resource_host` (ASCII case-insensitive).
bool host_matches(std::string_view vault_host, std::string_view resource_host);

}  // namespace kv::detail
