#include "kv/localvault/identity_platform.hpp"

#include <cctype>
#include <ctime>
#include <string>
#include <vector>

#include "kv/localvault/errors.hpp"

namespace kv::localvault {

namespace {
std::string utc_timestamp(std::int64_t now_s) {
  std::time_t t = static_cast<std::time_t>(now_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

// The host of "host:port" or "[v6]:port" without the port.
std::string_view without_port(std::string_view host) {
  if (!host.empty() && host.front() == '[') return host.substr(0, host.find(']') + 1);
  return host.substr(0, host.rfind(':'));
}

bool valid_tenant_segment(std::string_view tenant) {
  if (tenant.empty() || tenant.size() > 128) return false;
  for (char c : tenant)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_'))
      return false;
  return true;
}

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') path.remove_prefix(1);
    std::size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
  }
  return out;
}
}  // namespace

CoreResponse identity_answer(int status, const nlohmann::ordered_json& body) {
  CoreResponse response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  response.headers["Content-Type"] = "application/json; charset=utf-8";
  response.headers["Cache-Control"] = "no-store, no-cache";
  return response;
}

CoreResponse identity_error(int status, std::string_view error, int code,
                            std::string_view description, std::int64_t now_s,
                            const RandomSource& random, std::string_view error_uri) {
  std::string trace = random_guid(random);
  std::string correlation = random_guid(random);
  std::string stamp = utc_timestamp(now_s);
  nlohmann::ordered_json body;
  body["error"] = error;
  body["error_description"] = "AADSTS" + std::to_string(code) + ": " + std::string(description) +
                              " Trace ID: " + trace + " Correlation ID: " + correlation +
                              " Timestamp: " + stamp;
  body["error_codes"] = {code};
  body["timestamp"] = stamp;
  body["trace_id"] = trace;
  body["correlation_id"] = correlation;
  if (!error_uri.empty()) body["error_uri"] = error_uri;
  return identity_answer(status, body);
}

nlohmann::ordered_json openid_configuration(std::string_view base_url, std::string_view tenant,
                                            IdentityVersion version) {
  const bool v2 = version == IdentityVersion::V2;
  const std::string authority = std::string(base_url) + "/" + std::string(tenant);
  const std::string oauth = authority + (v2 ? "/oauth2/v2.0" : "/oauth2");
  const std::string host = std::string(base_url.substr(base_url.find("//") + 2));
  nlohmann::ordered_json doc;
  doc["token_endpoint"] = oauth + "/token";
  // The token endpoint reads the client secret from the form only.
  doc["token_endpoint_auth_methods_supported"] = {"client_secret_post"};
  doc["jwks_uri"] = authority + (v2 ? "/discovery/v2.0/keys" : "/discovery/keys");
  doc["response_modes_supported"] = {"query", "fragment", "form_post"};
  doc["subject_types_supported"] = {"pairwise"};
  doc["id_token_signing_alg_values_supported"] = {"RS256"};
  if (v2)
    doc["response_types_supported"] = {"code", "id_token", "code id_token", "id_token token"};
  else
    doc["response_types_supported"] = {"code", "id_token", "code id_token", "token id_token",
                                       "token"};
  if (v2)
    doc["scopes_supported"] = {"openid", "profile", "email", "offline_access"};
  else
    doc["scopes_supported"] = {"openid"};
  // Tokens carry the v1 issuer (what Key Vault expects); the v2 document names the v2 one.
  doc["issuer"] = v2 ? authority + "/v2.0" : "https://sts.windows.net/" + std::string(tenant) + "/";
  if (v2) {
    doc["request_uri_parameter_supported"] = false;
    doc["userinfo_endpoint"] = std::string(base_url) + "/oidc/userinfo";
  } else {
    doc["microsoft_multi_refresh_token"] = true;
  }
  doc["authorization_endpoint"] = oauth + "/authorize";
  doc["device_authorization_endpoint"] = oauth + "/devicecode";
  doc["http_logout_supported"] = true;
  doc["frontchannel_logout_supported"] = true;
  doc["end_session_endpoint"] = oauth + "/logout";
  nlohmann::ordered_json claims = {"sub",
                                   "iss",
                                   "cloud_instance_name",
                                   "cloud_instance_host_name",
                                   "cloud_graph_host_name",
                                   "msgraph_host",
                                   "aud",
                                   "exp",
                                   "iat",
                                   "auth_time",
                                   "acr"};
  for (const char* claim : v2 ? std::vector<const char*>{"nonce", "preferred_username", "name",
                                                         "tid", "ver", "at_hash", "c_hash", "email"}
                              : std::vector<const char*>{"amr", "nonce", "email", "given_name",
                                                         "family_name", "nickname"})
    claims.push_back(claim);
  doc["claims_supported"] = std::move(claims);
  if (!v2) {
    doc["check_session_iframe"] = oauth + "/checksession";
    doc["userinfo_endpoint"] = authority + "/openid/userinfo";
  }
  doc["kerberos_endpoint"] = authority + "/kerberos";
  // Informational names of the cloud; localvault's own, so that no client is sent elsewhere.
  doc["tenant_region_scope"] = "local";
  doc["cloud_instance_name"] = "localvault";
  doc["cloud_graph_host_name"] = host;
  doc["msgraph_host"] = host;
  doc["rbac_url"] = std::string(base_url);
  return doc;
}

CoreResponse unknown_tenant_document(std::string_view base_url, std::string_view tenant,
                                     std::int64_t now_s, const RandomSource& random) {
  return identity_error(
      400, "invalid_tenant", 90002,
      "Tenant '" + errors::shortened(tenant) +
          "' not found. Check to make sure you have the correct tenant ID and are signing into "
          "the correct cloud. Check with your subscription administrator, this may happen if "
          "there are no active subscriptions for the tenant.",
      now_s, random, std::string(base_url) + "/error?code=90002");
}

CoreResponse instance_discovery(const CoreRequest& request, std::string_view base_url,
                                std::string_view host, std::int64_t now_s,
                                const RandomSource& random) {
  auto endpoint = request.query.find("authorization_endpoint");
  if (endpoint == request.query.end() || endpoint->second.empty())
    return identity_error(400, "invalid_request", 90014,
                          "The required field 'authorization_endpoint' is missing.", now_s, random);
  std::string_view url = endpoint->second;
  constexpr std::string_view kScheme = "https://";
  // authority host (without a port: MSAL drops it), tenant, and which generation it names
  std::string_view rest =
      url.size() > kScheme.size() && iequals(url.substr(0, kScheme.size()), kScheme)
          ? url.substr(kScheme.size())
          : std::string_view{};
  std::size_t slash = rest.find('/');
  std::string_view authority_host = rest.substr(0, slash);
  std::vector<std::string_view> path = slash == std::string_view::npos
                                           ? std::vector<std::string_view>{}
                                           : segments(rest.substr(slash));
  bool v1 = path.size() == 3 && path[1] == "oauth2" && path[2] == "authorize";
  bool v2 = path.size() == 4 && path[1] == "oauth2" && path[2] == "v2.0" && path[3] == "authorize";
  bool ours = !authority_host.empty() && iequals(without_port(authority_host), without_port(host));
  if (!ours || !(v1 || v2) || !valid_tenant_segment(path[0]))
    return identity_error(400, "invalid_instance", 50049, "Unknown or invalid instance.", now_s,
                          random, std::string(base_url) + "/error?code=50049");
  auto version = request.query.find("api-version");
  nlohmann::ordered_json body;
  body["tenant_discovery_endpoint"] = std::string(base_url) + "/" + std::string(path[0]) +
                                      (v2 ? "/v2.0" : "") + "/.well-known/openid-configuration";
  body["api-version"] = version != request.query.end() && version->second == "1.0" ? "1.0" : "1.1";
  body["metadata"] = nlohmann::ordered_json::array(
      {{{"preferred_network", host}, {"preferred_cache", host}, {"aliases", {host}}}});
  return identity_answer(200, body);
}

}  // namespace kv::localvault
