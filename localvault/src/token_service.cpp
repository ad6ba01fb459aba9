#include "kv/localvault/token_service.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "kv/localvault/encoding.hpp"
#include "kv/localvault/errors.hpp"
#include "kv/localvault/identity_platform.hpp"
#include "kv/localvault/secret_model.hpp"

namespace kv::localvault {

namespace {
// Resource identifiers are URIs: printable ASCII without spaces. Anything else (control bytes,
// invalid UTF-8) can name no resource and must not reach the token's JSON.
bool valid_resource(std::string_view resource) {
  return !resource.empty() &&
         std::all_of(resource.begin(), resource.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

std::string strip_trailing_slash(std::string s) {
  if (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}
}  // namespace

TokenService::TokenService(AuthOptions options, std::string signing_key)
    : options_(std::move(options)), key_(std::move(signing_key)) {}

std::string TokenService::sign(std::string_view audience, std::int64_t now_s) const {
  nlohmann::ordered_json claims;
  claims["aud"] = audience;
  claims["iss"] = "https://sts.windows.net/" + options_.tenant + "/";
  claims["iat"] = now_s;
  claims["nbf"] = now_s;
  claims["exp"] = now_s + options_.token_lifetime_s;
  claims["appid"] = options_.client_id;
  claims["tid"] = options_.tenant;
  std::string signing_input =
      base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." +
      base64url_encode(claims.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  return signing_input + "." + base64url_encode(hmac_sha256(key_, signing_input));
}

CoreResponse TokenService::issue(const CoreRequest& request, std::string_view tenant,
                                 std::int64_t now_s, const RandomSource& random,
                                 IdentityVersion version) const {
  if (!iequals(tenant, options_.tenant))
    return identity_error(400, "invalid_request", 90002,
                          "Tenant '" + errors::shortened(tenant) +
                              "' not found. Check to make sure you have the correct tenant ID and "
                              "are signing into the correct cloud.",
                          now_s, random);
  std::map<std::string, std::string> form = parse_query(request.body);
  std::string grant = form.count("grant_type") ? form["grant_type"] : "";
  if (grant != "client_credentials")
    return identity_error(
        400, "unsupported_grant_type", 70003,
        "The app requested an unsupported grant type '" + errors::shortened(grant) + "'.", now_s,
        random);
  std::string client_id = form.count("client_id") ? form["client_id"] : "";
  if (client_id != options_.client_id)
    return identity_error(400, "unauthorized_client", 700016,
                          "Application with identifier '" + errors::shortened(client_id) +
                              "' was not found in the directory '" + options_.tenant + "'.",
                          now_s, random);
  std::string secret = form.count("client_secret") ? form["client_secret"] : "";
  if (!constant_time_equal(secret, options_.client_secret))
    return identity_error(401, "invalid_client", 7000215,
                          "Invalid client secret provided. Ensure the secret being sent in the "
                          "request is the client secret value, not the client secret ID, for a "
                          "secret added to app '" +
                              options_.client_id + "'.",
                          now_s, random);
  if (version == IdentityVersion::V1) {
    std::string resource = form.count("resource") ? form["resource"] : "";
    if (resource.empty())
      return identity_error(400, "invalid_request", 900144,
                            "The request body must contain the following parameter: 'resource'.",
                            now_s, random);
    if (!valid_resource(resource))
      return identity_error(400, "invalid_resource", 500011,
                            "The resource principal named " + errors::shortened(resource) +
                                " was not found in the tenant named " + options_.tenant + ".",
                            now_s, random);
    // v1 answers carry numbers as strings, and the resource and validity window.
    std::string lifetime = std::to_string(options_.token_lifetime_s);
    nlohmann::ordered_json body;
    body["token_type"] = "Bearer";
    body["expires_in"] = lifetime;
    body["ext_expires_in"] = lifetime;
    body["expires_on"] = std::to_string(now_s + options_.token_lifetime_s);
    body["not_before"] = std::to_string(now_s);
    body["resource"] = resource;
    body["access_token"] = sign(strip_trailing_slash(resource), now_s);
    return identity_answer(200, body);
  }
  std::string scope = form.count("scope") ? form["scope"] : "";
  constexpr std::string_view kDefault = "/.default";
  if (scope.size() <= kDefault.size() || !valid_resource(scope) ||
      scope.compare(scope.size() - kDefault.size(), kDefault.size(), kDefault) != 0)
    return identity_error(400, "invalid_scope", 1002012,
                          "The provided value for scope '" + errors::shortened(scope) +
                              "' is not valid. Client credential flows must have a scope value "
                              "with /.default suffixed to the resource identifier.",
                          now_s, random);
  std::string audience = strip_trailing_slash(scope.substr(0, scope.size() - kDefault.size()));
  nlohmann::ordered_json body;
  body["token_type"] = "Bearer";
  body["expires_in"] = options_.token_lifetime_s;
  body["ext_expires_in"] = options_.token_lifetime_s;
  body["access_token"] = sign(audience, now_s);
  return identity_answer(200, body);
}

std::optional<std::string> TokenService::verify(std::string_view authorization,
                                                std::string_view vault_host,
                                                std::int64_t now_s) const {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size() ||
      !iequals(authorization.substr(0, kScheme.size()), kScheme))
    return std::string(errors::kMissingToken);
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  std::string cache_key = std::string(vault_host) + " " + std::string(token);
  if (auto hit = verified_.find(cache_key); hit != verified_.end()) {
    if (hit->second > now_s) return std::nullopt;
    verified_.erase(hit);
    return std::string("The bearer token has expired.");
  }
  std::size_t dot1 = token.find('.');
  std::size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos)
    return std::string("The bearer token is not a well-formed JWT.");
  std::string_view signing_input = token.substr(0, dot2);
  std::optional<std::string> signature = base64url_decode(token.substr(dot2 + 1));
  if (!signature || !constant_time_equal(*signature, hmac_sha256(key_, signing_input)))
    return std::string("The bearer token signature is not valid for this vault.");
  std::optional<std::string> payload = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  nlohmann::json claims = nlohmann::json::parse(payload.value_or(""), nullptr, false);
  if (!claims.is_object() || !claims.contains("aud") || !claims["aud"].is_string() ||
      !claims.contains("exp") || !json_int64(claims["exp"]))
    return std::string("The bearer token is not a well-formed JWT.");
  std::string audience = strip_trailing_slash(claims["aud"].get<std::string>());
  std::string_view host =
      vault_host.substr(0, vault_host.rfind(':') == std::string_view::npos ? vault_host.size()
                                                                           : vault_host.rfind(':'));
  if (!iequals(audience, "https://vault.azure.net") &&
      !iequals(audience, "https://" + std::string(host)))
    return "The bearer token audience '" + audience + "' is not accepted by this vault.";
  std::int64_t expiry = *json_int64(claims["exp"]);
  if (expiry <= now_s) return std::string("The bearer token has expired.");
  constexpr std::size_t kMaxCached = 4096;
  if (verified_.size() >= kMaxCached) verified_.clear();
  verified_.emplace(std::move(cache_key), expiry);
  return std::nullopt;
}

}  // namespace kv::localvault
