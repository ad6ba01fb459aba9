#pragma once
// The identity platform's side of localvault besides tokens: its error shape and the discovery
// documents MSAL-based credentials read before they ask for a token.

#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kv/localvault/crypto.hpp"
#include "kv/localvault/http_message.hpp"

namespace kv::localvault {

/// `body` as JSON with the identity platform's headers (the answer must not be cached).
CoreResponse identity_answer(int status, const nlohmann::ordered_json& body);

/// The identity platform's error body: error, error_description ("AADSTS<code>: <description>"
/// plus trace, correlation and time), error_codes, timestamp, trace_id, correlation_id, and
/// error_uri when given.
CoreResponse identity_error(int status, std::string_view error, int code,
                            std::string_view description, std::int64_t now_s,
                            const RandomSource& random, std::string_view error_uri = {});

/// The two generations of the identity platform's endpoints.
enum class IdentityVersion {
  V1,  ///< /{tenant}/oauth2/token, issuer https://sts.windows.net/{tenant}/
  V2,  ///< /{tenant}/oauth2/v2.0/token, issuer {authority}/{tenant}/v2.0
};

/// The OpenID Connect discovery document of `tenant`, with every endpoint under `base_url`
/// ("https://host:port"), in the identity platform's field names and order.
nlohmann::ordered_json openid_configuration(std::string_view base_url, std::string_view tenant,
                                            IdentityVersion version);

/// 400 invalid_tenant (AADSTS90002), the identity platform's answer for a discovery document of a
/// tenant it does not know.
CoreResponse unknown_tenant_document(std::string_view base_url, std::string_view tenant,
                                     std::int64_t now_s, const RandomSource& random);

/// GET /{tenant}/discovery/instance?authorization_endpoint=URL: the tenant discovery endpoint for
/// an authority on this server (`host` is the request's host:port), or 400 invalid_instance for
/// one elsewhere.
CoreResponse instance_discovery(const CoreRequest& request, std::string_view base_url,
                                std::string_view host, std::int64_t now_s,
                                const RandomSource& random);

}  // namespace kv::localvault
