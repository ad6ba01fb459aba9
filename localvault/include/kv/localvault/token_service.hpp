#pragma once
// The OAuth2 client-credentials token endpoint and the bearer-token check the vault applies.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "kv/localvault/crypto.hpp"
#include "kv/localvault/http_message.hpp"
#include "kv/localvault/identity_platform.hpp"

namespace kv::localvault {

/// Who may get tokens, and for how long they live.
struct AuthOptions {
  bool enabled = true;
  std::string tenant;
  std::string client_id;
  std::string client_secret;
  std::int64_t token_lifetime_s = 3600;
};

/// Issues HMAC-SHA256 JWTs to the configured client and verifies them on vault requests.
class TokenService {
 public:
  /// `signing_key` is the per-instance HMAC key (32 random bytes).
  TokenService(AuthOptions options, std::string signing_key);

  /// Answers POST /{tenant}/oauth2/v2.0/token (V2: `scope=<resource>/.default`) or
  /// /{tenant}/oauth2/token (V1: `resource=<resource>`, the v1 answer with string numbers);
  /// errors are shaped like the identity platform's.
  CoreResponse issue(const CoreRequest& request, std::string_view tenant, std::int64_t now_s,
                     const RandomSource& random,
                     IdentityVersion version = IdentityVersion::V2) const;

  /// nullopt when `authorization` carries a valid token for `vault_host`; else the 401 message.
  std::optional<std::string> verify(std::string_view authorization, std::string_view vault_host,
                                    std::int64_t now_s) const;

  /// The options in force.
  const AuthOptions& options() const { return options_; }

  /// A signed token for `audience` valid from `now_s`; used by issue() and by tests.
  std::string sign(std::string_view audience, std::int64_t now_s) const;

 private:
  AuthOptions options_;
  std::string key_;
  // Tokens already verified (signature and audience, per vault host) with their expiry, so that
  // a client's repeated requests cost a lookup instead of a decode and an HMAC.
  mutable std::map<std::string, std::int64_t, std::less<>> verified_;
};

}  // namespace kv::localvault
