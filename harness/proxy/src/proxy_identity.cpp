// The proxy's stand-in for the identity platform in playback: tokens and discovery documents.
#include "proxy_identity.hpp"

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kv/base64url.hpp"
#include "kv/http.hpp"
#include "kv/url.hpp"
#include "proxy_rewrite.hpp"

namespace kv::harness::detail {

namespace {

using Json = nlohmann::ordered_json;

std::vector<std::string> segments(std::string_view target) {
  return Url("https://proxy" + std::string(url_target(target))).path_segments();
}

bool ends_with(const std::vector<std::string>& s, std::initializer_list<std::string_view> tail) {
  if (s.size() < tail.size() + 1) return false;
  std::size_t i = s.size() - tail.size();
  for (std::string_view t : tail) {
    if (!http::iequals(s[i++], t)) return false;
  }
  return true;
}

std::string base64url_text(const std::string& text) {
  return base64url_encode(std::vector<std::uint8_t>(text.begin(), text.end()));
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// JWT-shaped so that clients which peek at claims find some; signed by nobody.
std::string fake_token(const std::string& audience, const std::string& tenant) {
  const std::int64_t now = unix_now();
  Json claims = {{"aud", audience},
                 {"iss", "https://sts.windows.net/" + tenant + "/"},
                 {"iat", now},
                 {"nbf", now},
                 {"exp", now + 3600},
                 {"tid", tenant},
                 {"kvharness", "playback"}};
  return base64url_text(R"({"alg":"none","typ":"JWT"})") + "." + base64url_text(claims.dump()) +
         ".kvharness-playback";
}

std::string strip_default_scope(std::string scope) {
  // "https://vault.azure.net/.default offline_access" -> "https://vault.azure.net".
  scope = scope.substr(0, scope.find(' '));
  const std::string suffix = "/.default";
  if (scope.size() >= suffix.size() &&
      scope.compare(scope.size() - suffix.size(), suffix.size(), suffix) == 0) {
    scope.erase(scope.size() - suffix.size());
  }
  return scope;
}

Json openid_v2(std::string_view origin, const std::string& tenant) {
  const std::string base = std::string(origin) + "/" + tenant;
  return {{"token_endpoint", base + "/oauth2/v2.0/token"},
          {"token_endpoint_auth_methods_supported", {"client_secret_post"}},
          {"jwks_uri", base + "/discovery/v2.0/keys"},
          {"response_modes_supported", {"query", "fragment", "form_post"}},
          {"subject_types_supported", {"pairwise"}},
          {"id_token_signing_alg_values_supported", {"RS256"}},
          {"response_types_supported", {"code", "id_token", "code id_token", "id_token token"}},
          {"scopes_supported", {"openid", "profile", "email", "offline_access"}},
          {"issuer", base + "/v2.0"},
          {"request_uri_parameter_supported", false},
          {"authorization_endpoint", base + "/oauth2/v2.0/authorize"},
          {"device_authorization_endpoint", base + "/oauth2/v2.0/devicecode"},
          {"http_logout_supported", true},
          {"frontchannel_logout_supported", true},
          {"end_session_endpoint", base + "/oauth2/v2.0/logout"},
          {"tenant_region_scope", nullptr},
          {"cloud_instance_name", "kvharness.proxy"}};
}

Json openid_v1(std::string_view origin, const std::string& tenant) {
  const std::string base = std::string(origin) + "/" + tenant;
  return {{"token_endpoint", base + "/oauth2/token"},
          {"token_endpoint_auth_methods_supported", {"client_secret_post"}},
          {"jwks_uri", base + "/discovery/keys"},
          {"response_modes_supported", {"query", "fragment", "form_post"}},
          {"subject_types_supported", {"pairwise"}},
          {"id_token_signing_alg_values_supported", {"RS256"}},
          {"response_types_supported", {"code", "id_token", "code id_token", "token id_token"}},
          {"scopes_supported", {"openid"}},
          {"issuer", "https://sts.windows.net/" + tenant + "/"},
          {"authorization_endpoint", base + "/oauth2/authorize"},
          {"end_session_endpoint", base + "/oauth2/logout"},
          {"check_session_iframe", base + "/oauth2/checksession"},
          {"microsoft_multi_refresh_token", true},
          {"tenant_region_scope", nullptr},
          {"cloud_instance_name", "kvharness.proxy"}};
}

IdentityAnswer error_answer(int status, const std::string& error, const std::string& description) {
  Json body = {{"error", error}, {"error_description", description}};
  return {status, body.dump()};
}

}  // namespace

AuthorityRequest classify_authority(std::string_view target) {
  std::vector<std::string> s;
  try {
    s = segments(target);
  } catch (const std::exception&) {
    return {};
  }
  if (s.empty()) return {};
  AuthorityRequest out;
  out.tenant = s.front();
  if (s.size() == 4 && ends_with(s, {"oauth2", "v2.0", "token"})) {
    out.kind = AuthorityKind::TokenV2;
  } else if (s.size() == 3 && ends_with(s, {"oauth2", "token"})) {
    out.kind = AuthorityKind::TokenV1;
  } else if (s.size() == 4 && ends_with(s, {"v2.0", ".well-known", "openid-configuration"})) {
    out.kind = AuthorityKind::OpenIdV2;
  } else if (s.size() == 3 && ends_with(s, {".well-known", "openid-configuration"})) {
    out.kind = AuthorityKind::OpenIdV1;
  } else if (s.size() == 3 && ends_with(s, {"discovery", "instance"})) {
    out.kind = AuthorityKind::InstanceDiscovery;
  } else if ((s.size() == 3 && ends_with(s, {"discovery", "keys"})) ||
             (s.size() == 4 && ends_with(s, {"discovery", "v2.0", "keys"}))) {
    out.kind = AuthorityKind::Keys;
  } else {
    out = {};
  }
  return out;
}

IdentityAnswer playback_identity_answer(const AuthorityRequest& request, std::string_view origin,
                                        std::string_view form, std::string_view query) {
  switch (request.kind) {
    case AuthorityKind::TokenV2: {
      const std::string scope = form_field(form, "scope");
      if (scope.empty()) {
        return error_answer(400, "invalid_request",
                            "kvharness proxy: the token request has no scope parameter");
      }
      Json body = {{"token_type", "Bearer"},
                   {"expires_in", 3600},
                   {"ext_expires_in", 3600},
                   {"access_token", fake_token(strip_default_scope(scope), request.tenant)}};
      return {200, body.dump()};
    }
    case AuthorityKind::TokenV1: {
      const std::string resource = form_field(form, "resource");
      if (resource.empty()) {
        return error_answer(400, "invalid_request",
                            "kvharness proxy: the token request has no resource parameter");
      }
      const std::string now = std::to_string(unix_now());
      Json body = {{"token_type", "Bearer"},
                   {"expires_in", "3600"},
                   {"ext_expires_in", "3600"},
                   {"expires_on", std::to_string(unix_now() + 3600)},
                   {"not_before", now},
                   {"resource", resource},
                   {"access_token", fake_token(resource, request.tenant)}};
      return {200, body.dump()};
    }
    case AuthorityKind::OpenIdV2:
      return {200, openid_v2(origin, request.tenant).dump()};
    case AuthorityKind::OpenIdV1:
      return {200, openid_v1(origin, request.tenant).dump()};
    case AuthorityKind::InstanceDiscovery: {
      const std::string endpoint = form_field(query, "authorization_endpoint");
      std::string tenant = "common";
      bool v2 = true;
      if (!endpoint.empty()) {
        try {
          const auto parts = Url(endpoint).path_segments();
          if (!parts.empty()) tenant = parts.front();
          v2 = endpoint.find("/oauth2/v2.0/") != std::string::npos;
        } catch (const std::exception&) {
          return error_answer(400, "invalid_instance",
                              "kvharness proxy: authorization_endpoint is not an absolute URL");
        }
      }
      const std::string host = Url(std::string(origin)).host();
      Json body = {
          {"tenant_discovery_endpoint", std::string(origin) + "/" + tenant + (v2 ? "/v2.0" : "") +
                                            "/.well-known/openid-configuration"},
          {"api-version", "1.1"},
          {"metadata",
           {{{"preferred_network", host}, {"preferred_cache", host}, {"aliases", {host}}}}}};
      return {200, body.dump()};
    }
    case AuthorityKind::Keys:
      return {200, R"({"keys":[]})"};
    case AuthorityKind::None:
      break;
  }
  return error_answer(404, "not_found", "kvharness proxy: not an identity platform endpoint");
}

}  // namespace kv::harness::detail
