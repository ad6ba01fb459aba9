// The identity platform's discovery documents (what MSAL reads before it asks for a token), its
// instance discovery, and the v1 token endpoint, served by the core for the configured tenant.
#include <catch2/catch.hpp>

#include "vault_fixture.hpp"

using namespace kv::localvault;
using namespace kv::localvault::testing;

namespace {
CoreResponse get(TestVault& v, const std::string& target, const std::string& method = "GET") {
  CoreRequest request;
  request.method = method;
  split_target(target, request);
  request.headers["Host"] = kHost;
  return v.service.handle(request, v.now_ms);
}

CoreResponse post_form(TestVault& v, const std::string& path, const std::string& form) {
  CoreRequest request;
  request.method = "POST";
  request.path = path;
  request.headers["Host"] = kHost;
  request.body = form;
  return v.service.handle(request, v.now_ms);
}

const std::string kCredentials =
    "grant_type=client_credentials&client_id=client-1&client_secret=secret-1";
}  // namespace

TEST_CASE("The v2.0 OpenID configuration names localvault's endpoints for the tenant",
          "[localvault][identity]") {
  TestVault v;
  CoreResponse r = get(v, "/tenant-1/v2.0/.well-known/openid-configuration");
  REQUIRE(r.status == 200);
  CHECK(r.headers["Content-Type"] == "application/json; charset=utf-8");
  const std::string a = "https://vault.test:8443/tenant-1";
  nlohmann::ordered_json expected = {
      {"token_endpoint", a + "/oauth2/v2.0/token"},
      {"token_endpoint_auth_methods_supported", {"client_secret_post"}},
      {"jwks_uri", a + "/discovery/v2.0/keys"},
      {"response_modes_supported", {"query", "fragment", "form_post"}},
      {"subject_types_supported", {"pairwise"}},
      {"id_token_signing_alg_values_supported", {"RS256"}},
      {"response_types_supported", {"code", "id_token", "code id_token", "id_token token"}},
      {"scopes_supported", {"openid", "profile", "email", "offline_access"}},
      {"issuer", a + "/v2.0"},
      {"request_uri_parameter_supported", false},
      {"userinfo_endpoint", "https://vault.test:8443/oidc/userinfo"},
      {"authorization_endpoint", a + "/oauth2/v2.0/authorize"},
      {"device_authorization_endpoint", a + "/oauth2/v2.0/devicecode"},
      {"http_logout_supported", true},
      {"frontchannel_logout_supported", true},
      {"end_session_endpoint", a + "/oauth2/v2.0/logout"},
      {"claims_supported",
       {"sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
        "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username",
        "name", "tid", "ver", "at_hash", "c_hash", "email"}},
      {"kerberos_endpoint", a + "/kerberos"},
      {"tenant_region_scope", "local"},
      {"cloud_instance_name", "localvault"},
      {"cloud_graph_host_name", "vault.test:8443"},
      {"msgraph_host", "vault.test:8443"},
      {"rbac_url", "https://vault.test:8443"},
  };
  CHECK(r.body == expected.dump());
}

TEST_CASE("The v1 OpenID configuration has the v1 endpoints and the tokens' issuer",
          "[localvault][identity]") {
  TestVault v;
  nlohmann::json doc = body(get(v, "/tenant-1/.well-known/openid-configuration"));
  const std::string a = "https://vault.test:8443/tenant-1";
  CHECK(doc["token_endpoint"] == a + "/oauth2/token");
  CHECK(doc["authorization_endpoint"] == a + "/oauth2/authorize");
  CHECK(doc["device_authorization_endpoint"] == a + "/oauth2/devicecode");
  CHECK(doc["jwks_uri"] == a + "/discovery/keys");
  CHECK(doc["issuer"] == "https://sts.windows.net/tenant-1/");
  CHECK(doc["microsoft_multi_refresh_token"] == true);
  CHECK(doc["check_session_iframe"] == a + "/oauth2/checksession");
  CHECK(doc["userinfo_endpoint"] == a + "/openid/userinfo");
  CHECK(doc["scopes_supported"] == nlohmann::json::array({"openid"}));
  CHECK_FALSE(doc.contains("request_uri_parameter_supported"));
}

TEST_CASE("Tenants match without regard to case and documents use the configured spelling",
          "[localvault][identity]") {
  TestVault v;
  nlohmann::json doc = body(get(v, "/TENANT-1/v2.0/.well-known/openid-configuration"));
  CHECK(doc["token_endpoint"] == "https://vault.test:8443/tenant-1/oauth2/v2.0/token");
}

TEST_CASE("The document of an unknown tenant is 400 invalid_tenant as the identity platform says",
          "[localvault][identity]") {
  TestVault v;
  for (const char* target :
       {"/other/v2.0/.well-known/openid-configuration", "/other/.well-known/openid-configuration",
        "/other/discovery/v2.0/keys"}) {
    INFO(target);
    CoreResponse r = get(v, target);
    CHECK(r.status == 400);
    nlohmann::json j = body(r);
    CHECK(j["error"] == "invalid_tenant");
    std::string description = j["error_description"];
    CHECK(description.rfind(
              "AADSTS90002: Tenant 'other' not found. Check to make sure you have the correct "
              "tenant ID and are signing into the correct cloud. Check with your subscription "
              "administrator, this may happen if there are no active subscriptions for the "
              "tenant. Trace ID: ",
              0) == 0);
    CHECK(j["error_codes"] == nlohmann::json::array({90002}));
    CHECK(j["error_uri"] == "https://vault.test:8443/error?code=90002");
    for (const char* key : {"timestamp", "trace_id", "correlation_id"}) CHECK(j.contains(key));
  }
}

TEST_CASE("Instance discovery points an authority on this host at its tenant document",
          "[localvault][identity]") {
  TestVault v;
  struct Row {
    const char* authorization_endpoint;
    const char* api_version;
    const char* document;
  };
  // MSAL sends the authority host without its port.
  const Row rows[] = {
      {"https://vault.test/tenant-1/oauth2/v2.0/authorize", "1.0",
       "https://vault.test:8443/tenant-1/v2.0/.well-known/openid-configuration"},
      {"https://VAULT.test:8443/tenant-1/oauth2/v2.0/authorize", "1.1",
       "https://vault.test:8443/tenant-1/v2.0/.well-known/openid-configuration"},
      {"https://vault.test/organizations/oauth2/authorize", "1.1",
       "https://vault.test:8443/organizations/.well-known/openid-configuration"},
  };
  for (const Row& row : rows) {
    INFO(row.authorization_endpoint);
    CoreRequest request;
    request.method = "GET";
    request.path = "/common/discovery/instance";
    request.query = {{"authorization_endpoint", row.authorization_endpoint},
                     {"api-version", row.api_version}};
    request.headers["Host"] = kHost;
    CoreResponse r = v.service.handle(request, v.now_ms);
    REQUIRE(r.status == 200);
    nlohmann::ordered_json expected = {{"tenant_discovery_endpoint", row.document},
                                       {"api-version", row.api_version},
                                       {"metadata",
                                        {{{"preferred_network", "vault.test:8443"},
                                          {"preferred_cache", "vault.test:8443"},
                                          {"aliases", {"vault.test:8443"}}}}}};
    CHECK(r.body == expected.dump());
  }
}

TEST_CASE("Instance discovery refuses other hosts and malformed authorities",
          "[localvault][identity]") {
  TestVault v;
  for (const char* endpoint :
       {"https://login.microsoftonline.com/tenant-1/oauth2/v2.0/authorize",
        "http://vault.test/tenant-1/oauth2/v2.0/authorize", "https://vault.test/tenant-1",
        "https://vault.test/ten%2Fant/oauth2/v2.0/authorize", "vault.test", "https://"}) {
    INFO(endpoint);
    CoreResponse r = get(v, std::string("/common/discovery/instance?authorization_endpoint=") +
                                endpoint + "&api-version=1.1");
    CHECK(r.status == 400);
    nlohmann::json j = body(r);
    CHECK(j["error"] == "invalid_instance");
    CHECK(j["error_description"].get<std::string>().rfind(
              "AADSTS50049: Unknown or invalid instance. Trace ID: ", 0) == 0);
    CHECK(j["error_uri"] == "https://vault.test:8443/error?code=50049");
  }
  nlohmann::json missing = body(get(v, "/common/discovery/instance?api-version=1.1"));
  CHECK(missing["error"] == "invalid_request");
  CHECK(missing["error_description"].get<std::string>().rfind(
            "AADSTS90014: The required field 'authorization_endpoint' is missing. Trace ID: ", 0) ==
        0);
}

TEST_CASE("The advertised key sets are empty: tokens are signed with a secret key",
          "[localvault][identity]") {
  TestVault v;
  CHECK(get(v, "/tenant-1/discovery/v2.0/keys").body == R"({"keys":[]})");
  CHECK(get(v, "/tenant-1/discovery/keys").body == R"({"keys":[]})");
}

TEST_CASE("Identity endpoints answer 405 to the wrong method and leave vault paths alone",
          "[localvault][identity]") {
  TestVault v;
  CHECK(get(v, "/tenant-1/v2.0/.well-known/openid-configuration", "POST").body ==
        R"({"error":{"code":"MethodNotAllowed","message":"HTTP POST not allowed"}})");
  CHECK(get(v, "/tenant-1/oauth2/token").status == 405);
  CHECK(get(v, "/tenant-1/oauth2/v2.0/token").status == 405);
  CHECK(error_code(v.send("GET", "/secrets/.well-known/openid-configuration?api-version=7.6")) ==
        "BadParameter");
  CHECK(v.send("GET", "/tenant-1/oauth2/v2.0/authorize").status == 404);
}

TEST_CASE("The document's token endpoint issues tokens the vault accepts",
          "[localvault][identity][auth]") {
  TestVault v;
  nlohmann::json doc = body(get(v, "/tenant-1/v2.0/.well-known/openid-configuration"));
  std::string endpoint = doc["token_endpoint"];
  std::string path = endpoint.substr(std::string("https://vault.test:8443").size());
  CoreResponse token =
      post_form(v, path, kCredentials + "&scope=https%3A%2F%2Fvault.test%2F.default");
  REQUIRE(token.status == 200);
  std::string authorization = "Bearer " + body(token)["access_token"].get<std::string>();
  CHECK(v.send("GET", "/secrets?api-version=7.6", "", authorization.c_str()).status == 200);
}

TEST_CASE("The v1 token endpoint takes a resource and answers in the v1 shape",
          "[localvault][identity][auth]") {
  TestVault v;
  CoreResponse r = post_form(v, "/tenant-1/oauth2/token",
                             kCredentials + "&resource=https%3A%2F%2Fvault.azure.net");
  REQUIRE(r.status == 200);
  nlohmann::json j = body(r);
  CHECK(j["token_type"] == "Bearer");
  CHECK(j["expires_in"] == "3600");
  CHECK(j["ext_expires_in"] == "3600");
  CHECK(j["expires_on"] == "1700003600");
  CHECK(j["not_before"] == "1700000000");
  CHECK(j["resource"] == "https://vault.azure.net");
  std::string authorization = "Bearer " + j["access_token"].get<std::string>();
  CHECK(v.send("GET", "/secrets?api-version=7.6", "", authorization.c_str()).status == 200);

  nlohmann::json missing = body(post_form(v, "/tenant-1/oauth2/token", kCredentials));
  CHECK(missing["error"] == "invalid_request");
  CHECK(missing["error_description"].get<std::string>().rfind(
            "AADSTS900144: The request body must contain the following parameter: 'resource'.",
            0) == 0);
  CHECK(body(post_form(v, "/other/oauth2/token", kCredentials + "&resource=x"))["error"] ==
        "invalid_request");
  CHECK(body(post_form(v, "/tenant-1/oauth2/token",
                       "grant_type=client_credentials&client_id=client-1&client_secret=no"
                       "&resource=x"))["error"] == "invalid_client");
}
