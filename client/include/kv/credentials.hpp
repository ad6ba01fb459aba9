// Credentials: where bearer tokens come from.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kv/clock.hpp"
#include "kv/transport.hpp"

namespace kv {

/// A bearer token and its expiry.
struct AccessToken {
  std::string Token;
  std::chrono::system_clock::time_point ExpiresOn;
};

/// What a token is requested for.
struct TokenRequestContext {
  std::vector<std::string> Scopes;  ///< e.g. {"https://vault.azure.net/.default"}
  std::string TenantId;  ///< Tenant from the challenge; empty means the credential's own.
};

/// Anything that can produce a bearer token.
class TokenCredential {
 public:
  virtual ~TokenCredential() = default;
  /// Returns a token for `context`; throws AuthenticationException on failure.
  virtual AccessToken GetToken(const TokenRequestContext& context) = 0;
};

/// Options of ClientSecretCredential.
struct ClientSecretCredentialOptions {
  /// Authority host; empty means $AZURE_AUTHORITY_HOST, else https://login.microsoftonline.com/.
  std::string AuthorityHost;
  /// Transport for token requests; null means a CurlTransport with default options.
  std::shared_ptr<http::Transport> Transport;
  /// Time source for expiry computation.
  std::shared_ptr<kv::Clock> Clock;
};

/// OAuth2 client-credentials grant against {authority}/{tenant}/oauth2/v2.0/token.
class ClientSecretCredential final : public TokenCredential {
 public:
  ClientSecretCredential(std::string tenantId, std::string clientId, std::string clientSecret,
                         ClientSecretCredentialOptions options = {});
  AccessToken GetToken(const TokenRequestContext& context) override;

  const std::string& TenantId() const { return tenant_id_; }
  /// The token endpoint for `tenant`.
  std::string TokenEndpoint(const std::string& tenant) const;

 private:
  std::string tenant_id_;
  std::string client_id_;
  std::string client_secret_;
  std::string authority_host_;
  std::shared_ptr<http::Transport> transport_;
  std::shared_ptr<kv::Clock> clock_;
};

/// Returns a fixed token: for tests and playback, where no token request may be made.
class StaticTokenCredential final : public TokenCredential {
 public:
  explicit StaticTokenCredential(std::string token = "static-token",
                                 std::chrono::system_clock::time_point expiresOn =
                                     std::chrono::system_clock::time_point::max());
  AccessToken GetToken(const TokenRequestContext& context) override;
  /// How many times GetToken was called (useful for cache tests).
  int calls() const { return calls_.load(); }

 private:
  AccessToken token_;
  std::atomic<int> calls_{0};
};

}  // namespace kv
