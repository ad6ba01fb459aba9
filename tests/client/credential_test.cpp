// ClientSecretCredential against a scripted token endpoint.
#include <catch2/catch.hpp>
#include <cstdlib>

#include "scripted_transport.hpp"

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct CredentialFixture {
  std::shared_ptr<kvtest::ScriptedTransport> transport =
      std::make_shared<kvtest::ScriptedTransport>();
  std::shared_ptr<kv::ManualClock> clock = std::make_shared<kv::ManualClock>();

  kv::ClientSecretCredential credential(std::string authority = "https://login.example.com/") {
    kv::ClientSecretCredentialOptions options;
    options.AuthorityHost = std::move(authority);
    options.Transport = transport;
    options.Clock = clock;
    return kv::ClientSecretCredential("my-tenant", "my-client", "s3cr3t&+/=", options);
  }
};

const kv::TokenRequestContext kVaultContext{{"https://vault.azure.net/.default"}, ""};

}  // namespace

TEST_CASE("ClientSecretCredential posts the client-credentials form to the tenant's endpoint") {
  CredentialFixture f;
  f.transport->respond_json(200, {{"token_type", "Bearer"},
                                  {"expires_in", 3599},
                                  {"ext_expires_in", 3599},
                                  {"access_token", "tok-1"}});
  auto credential = f.credential();
  auto token = credential.GetToken(kVaultContext);

  auto request = f.transport->last();
  CHECK(request.method == "POST");
  CHECK(request.url == "https://login.example.com/my-tenant/oauth2/v2.0/token");
  CHECK(request.headers.get("Content-Type") == "application/x-www-form-urlencoded");
  CHECK(request.body_text() ==
        "grant_type=client_credentials&client_id=my-client&client_secret=s3cr3t%26%2B%2F%3D"
        "&scope=https%3A%2F%2Fvault.azure.net%2F.default");
  CHECK(token.Token == "tok-1");
  CHECK(token.ExpiresOn == f.clock->now() + 3599s);
}

TEST_CASE("ClientSecretCredential uses the context's tenant when one is given") {
  CredentialFixture f;
  f.transport->respond_json(200, {{"expires_in", "60"}, {"access_token", "tok"}});
  auto token = f.credential().GetToken({{"https://vault.azure.net/.default"}, "other-tenant"});
  CHECK(f.transport->last().url == "https://login.example.com/other-tenant/oauth2/v2.0/token");
  CHECK(token.ExpiresOn == f.clock->now() + 60s);  // expires_in as a numeric string
}

TEST_CASE("ClientSecretCredential accepts expires_on instead of expires_in") {
  CredentialFixture f;
  f.transport->respond_json(200, {{"expires_on", "1700003600"}, {"access_token", "tok"}});
  CHECK(f.credential().GetToken(kVaultContext).ExpiresOn == kvtest::at(1700003600));
}

TEST_CASE("The authority host tolerates a missing or doubled trailing slash") {
  CredentialFixture f;
  CHECK(f.credential("https://login.example.com").TokenEndpoint("t") ==
        "https://login.example.com/t/oauth2/v2.0/token");
  CHECK(f.credential("https://login.example.com//").TokenEndpoint("t") ==
        "https://login.example.com/t/oauth2/v2.0/token");
}

TEST_CASE("The authority host comes from AZURE_AUTHORITY_HOST, else login.microsoftonline.com") {
  CredentialFixture f;
  ::setenv("AZURE_AUTHORITY_HOST", "https://login.chinacloudapi.cn/", 1);
  CHECK(f.credential("").TokenEndpoint("t") ==
        "https://login.chinacloudapi.cn/t/oauth2/v2.0/token");
  ::unsetenv("AZURE_AUTHORITY_HOST");
  CHECK(f.credential("").TokenEndpoint("t") ==
        "https://login.microsoftonline.com/t/oauth2/v2.0/token");
}

TEST_CASE("A token endpoint error is surfaced with error and error_description, never the secret") {
  CredentialFixture f;
  f.transport->respond_json(
      401, {{"error", "invalid_client"},
            {"error_description",
             "AADSTS7000215: Invalid client secret provided (s3cr3t&+/=).\r\nTrace ID: 1"},
            {"error_codes", {7000215}}});
  try {
    f.credential().GetToken(kVaultContext);
    FAIL("no exception");
  } catch (const kv::AuthenticationException& e) {
    CHECK(std::string(e.what()) ==
          "ClientSecretCredential: POST https://login.example.com/my-tenant/oauth2/v2.0/token -> "
          "401 invalid_client: AADSTS7000215: Invalid client secret provided (***).  Trace ID: 1");
  }
}

TEST_CASE("A token endpoint error without an OAuth2 body still says what happened") {
  CredentialFixture f;
  f.transport->respond(503, "<html>down</html>");
  CHECK_THROWS_MATCHES(
      f.credential().GetToken(kVaultContext), kv::AuthenticationException,
      Catch::Message("ClientSecretCredential: POST "
                     "https://login.example.com/my-tenant/oauth2/v2.0/token -> 503 no OAuth2 "
                     "error in the response body"));
}

TEST_CASE("A malformed 200 token response is refused without quoting it") {
  CredentialFixture f;
  f.transport->respond(200, R"({"access_token":"tok-secret")");
  f.transport->respond_json(200, {{"expires_in", 10}});
  f.transport->respond_json(200, {{"access_token", "tok-secret"}});
  f.transport->respond_json(200, {{"access_token", "tok-secret"}, {"expires_in", "soon"}});
  auto credential = f.credential();
  const std::string prefix =
      "ClientSecretCredential: POST https://login.example.com/my-tenant/oauth2/v2.0/token -> 200: ";
  CHECK_THROWS_WITH(credential.GetToken(kVaultContext), prefix + "response body is not JSON");
  CHECK_THROWS_WITH(credential.GetToken(kVaultContext), prefix + "response has no access_token");
  CHECK_THROWS_WITH(credential.GetToken(kVaultContext),
                    prefix + "token response has neither expires_in nor expires_on");
  CHECK_THROWS_WITH(credential.GetToken(kVaultContext),
                    prefix + "token response field 'expires_in' is not a number");
}

TEST_CASE("SecretClient with ClientSecretCredential: the token request, then the vault request") {
  CredentialFixture f;
  f.transport->respond_json(200, {{"expires_in", 3600}, {"access_token", "vault-token"}});
  f.transport->respond_json(200, kvtest::secret_bundle("s", "v", "x"));
  kv::SecretClientOptions options;
  options.Transport = f.transport;
  options.Clock = f.clock;
  kv::SecretClient client("https://myvault.vault.azure.net",
                          std::make_shared<kv::ClientSecretCredential>(f.credential()), options);
  client.GetSecret("s");
  auto requests = f.transport->requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].url == "https://login.example.com/my-tenant/oauth2/v2.0/token");
  CHECK(requests[1].headers.get("Authorization") == "Bearer vault-token");
}
