// The identity platform as the proxy sees it: which requests go to the authority rather than the
// vault, and the answers playback gives them itself (a fake token, the discovery documents).
#pragma once

#include <string>
#include <string_view>

namespace kv::harness::detail {

/// What an authority request asks for.
enum class AuthorityKind {
  None,               // a vault request
  TokenV2,            // POST /{tenant}/oauth2/v2.0/token
  TokenV1,            // POST /{tenant}/oauth2/token
  OpenIdV2,           // GET /{tenant}/v2.0/.well-known/openid-configuration
  OpenIdV1,           // GET /{tenant}/.well-known/openid-configuration
  InstanceDiscovery,  // GET /{any}/discovery/instance
  Keys,               // GET /{tenant}/discovery[/v2.0]/keys
};

/// An authority request: its kind and the tenant (first path segment).
struct AuthorityRequest {
  AuthorityKind kind = AuthorityKind::None;
  std::string tenant;
};

/// Classifies a request by its path (`target` may carry a query).
AuthorityRequest classify_authority(std::string_view target);

/// A JSON answer the proxy gives for an authority request in playback.
struct IdentityAnswer {
  int status = 200;
  std::string body;
};

/// The playback answer to `request`: a token that expires in an hour (for any credentials),
/// or a discovery document whose endpoints are all on `origin`. `form` is the token request's
/// body, `query` the request's query string.
IdentityAnswer playback_identity_answer(const AuthorityRequest& request, std::string_view origin,
                                        std::string_view form, std::string_view query);

}  // namespace kv::harness::detail
