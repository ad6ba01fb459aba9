// Challenge-based bearer authentication: pre-emptive token, 401 challenge, caching and refusal.
#include <catch2/catch.hpp>
#include <mutex>

#include "scripted_transport.hpp"

using kvtest::ClientFixture;
using namespace std::chrono_literals;

namespace {

const char* const kChallenge =
    R"(Bearer authorization="https://login.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47", resource="https://vault.azure.net")";

// A credential that remembers every context and hands out numbered tokens with a set lifetime.
class CountingCredential final : public kv::TokenCredential {
 public:
  CountingCredential(std::shared_ptr<kv::Clock> clock, std::chrono::minutes lifetime)
      : clock_(std::move(clock)), lifetime_(lifetime) {}
  kv::AccessToken GetToken(const kv::TokenRequestContext& context) override {
    std::lock_guard lock(mutex_);
    contexts.push_back(context);
    return {"token-" + std::to_string(contexts.size()), clock_->now() + lifetime_};
  }
  std::vector<kv::TokenRequestContext> contexts;

 private:
  std::mutex mutex_;
  std::shared_ptr<kv::Clock> clock_;
  std::chrono::minutes lifetime_;
};

struct AuthFixture : ClientFixture {
  std::shared_ptr<CountingCredential> counting =
      std::make_shared<CountingCredential>(clock, std::chrono::minutes(60));
  kv::SecretClient counted_client() const { return kv::SecretClient(vault, counting, options); }
};

}  // namespace

TEST_CASE("The first request carries a pre-emptive token for the default scope") {
  AuthFixture f;
  f.transport->respond_json(200, kvtest::secret_bundle("s", "v", "x"));
  f.counted_client().GetSecret("s");
  REQUIRE(f.counting->contexts.size() == 1);
  CHECK(f.counting->contexts[0].Scopes ==
        std::vector<std::string>{"https://vault.azure.net/.default"});
  CHECK(f.counting->contexts[0].TenantId.empty());
  CHECK(f.transport->last().headers.get("Authorization") == "Bearer token-1");
}

TEST_CASE("A 401 challenge gets a token for its tenant and scope and resends once with the body") {
  AuthFixture f;
  f.transport->respond_json(
      401,
      kvtest::error_body("Unauthorized", "AKV10000: Request is missing a Bearer or PoP token."),
      {{"WWW-Authenticate", kChallenge}});
  f.transport->respond_json(200, kvtest::secret_bundle("s", "v", "x"));
  f.transport->respond_json(200, kvtest::secret_bundle("s", "v", "x"));
  auto client = f.counted_client();
  auto result = client.SetSecret("s", "x");
  CHECK(result.Value.Name == "s");

  auto requests = f.transport->requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].headers.get("Authorization") == "Bearer token-1");
  CHECK(requests[1].headers.get("Authorization") == "Bearer token-2");
  CHECK(requests[1].body_text() == R"({"value":"x"})");
  CHECK(requests[1].method == "PUT");
  REQUIRE(f.counting->contexts.size() == 2);
  CHECK(f.counting->contexts[1].TenantId == "72f988bf-86f1-41af-91ab-2d7cd011db47");
  CHECK(f.counting->contexts[1].Scopes ==
        std::vector<std::string>{"https://vault.azure.net/.default"});

  // Later requests use the cached challenge and its cached token directly.
  client.GetSecret("s");
  CHECK(f.counting->contexts.size() == 2);
  CHECK(f.transport->last().headers.get("Authorization") == "Bearer token-2");
}

TEST_CASE("A second 401 after the resend is returned as a RequestFailedException") {
  AuthFixture f;
  f.transport->respond(401, "", {{"WWW-Authenticate", kChallenge}});
  f.transport->respond_json(401, kvtest::error_body("Unauthorized", "Token is not valid."),
                            {{"WWW-Authenticate", kChallenge}});
  try {
    f.counted_client().GetSecret("s");
    FAIL("no exception");
  } catch (const kv::RequestFailedException& e) {
    CHECK(e.StatusCode == 401);
    CHECK(e.ErrorCode == "Unauthorized");
  }
  CHECK(f.transport->requests().size() == 2);
}

TEST_CASE("A 401 without a challenge is returned as is") {
  AuthFixture f;
  f.transport->respond(401, "");
  CHECK_THROWS_AS(f.counted_client().GetSecret("s"), kv::RequestFailedException);
  CHECK(f.transport->requests().size() == 1);
  CHECK(f.counting->contexts.size() == 1);
}

TEST_CASE("A challenge for a foreign resource is refused unless verification is disabled") {
  const char* foreign =
      R"(Bearer authorization="https://login.windows.net/tenant-1", resource="https://evil.example.com")";
  AuthFixture f;
  f.transport->respond(401, "", {{"WWW-Authenticate", foreign}});
  CHECK_THROWS_MATCHES(
      f.counted_client().GetSecret("s"), kv::AuthenticationException,
      Catch::Message("challenge resource host 'evil.example.com' does not match vault host "
                     "'myvault.vault.azure.net'; set "
                     "SecretClientOptions::DisableChallengeResourceVerification to accept it"));
  CHECK(f.transport->requests().size() == 1);

  AuthFixture g;
  g.options.DisableChallengeResourceVerification = true;
  g.transport->respond(401, "", {{"WWW-Authenticate", foreign}});
  g.transport->respond_json(200, kvtest::secret_bundle("s", "v", "x"));
  CHECK(g.counted_client().GetSecret("s").Value.Value == "x");
  CHECK(g.counting->contexts.at(1).TenantId == "tenant-1");
  CHECK(g.counting->contexts.at(1).Scopes ==
        std::vector<std::string>{"https://evil.example.com/.default"});
}

TEST_CASE(
    "Challenge parameters: scope is used verbatim, resource is preferred, authorization_uri is "
    "tolerated") {
  struct Case {
    const char* header;
    const char* tenant;
    const char* scope;
  };
  const Case cases[] = {
      {R"(Bearer authorization="https://login.microsoftonline.com/t1/", scope="https://vault.azure.net/.default")",
       "t1", "https://vault.azure.net/.default"},
      {R"(Bearer authorization="https://login.windows.net/t2", resource="https://vault.azure.net/", scope="https://other.azure.net/.default")",
       "t2", "https://vault.azure.net/.default"},
      {R"(Bearer authorization_uri="https://login.windows.net/t3/oauth2/authorize",resource="https://vault.azure.net")",
       "t3", "https://vault.azure.net/.default"},
      {R"(bearer resource="https://vault.azure.net", authorization="https://login.windows.net/t4")",
       "t4", "https://vault.azure.net/.default"},
  };
  for (const auto& c : cases) {
    AuthFixture f;
    f.transport->respond(401, "", {{"WWW-Authenticate", c.header}});
    f.transport->respond_json(200, kvtest::secret_bundle("s", "v", "x"));
    f.counted_client().GetSecret("s");
    INFO(c.header);
    REQUIRE(f.counting->contexts.size() == 2);
    CHECK(f.counting->contexts[1].TenantId == c.tenant);
    CHECK(f.counting->contexts[1].Scopes == std::vector<std::string>{c.scope});
  }
}

TEST_CASE("A challenge that cannot be parsed is an AuthenticationException quoting it") {
  const std::pair<const char*, const char*> cases[] = {
      {R"(Basic realm="x")", "not a Bearer challenge"},
      {R"(Bearer resource="https://vault.azure.net")", "no authorization parameter"},
      {R"(Bearer authorization="https://login.windows.net/t")",
       "neither resource nor scope is given"},
      {R"(Bearer authorization="https://login.windows.net/", resource="https://vault.azure.net")",
       "authorization has no tenant path segment"},
      {R"(Bearer resource="https://vault.azure.net", authorization="https://login.windows.net/t)",
       "unterminated quoted value"},
      {R"(Bearer authorization="https://login.windows.net/t", resource)", "expected name=value"},
  };
  for (const auto& [header, why] : cases) {
    AuthFixture f;
    f.transport->respond(401, "", {{"WWW-Authenticate", header}});
    CHECK_THROWS_MATCHES(f.counted_client().GetSecret("s"), kv::AuthenticationException,
                         Catch::Message(std::string("cannot use the WWW-Authenticate challenge '") +
                                        header + "': " + why));
  }
}

TEST_CASE("Tokens are cached until five minutes before they expire, then refreshed") {
  AuthFixture f;
  f.counting = std::make_shared<CountingCredential>(f.clock, std::chrono::minutes(10));
  for (int i = 0; i < 4; ++i) f.transport->respond_json(200, kvtest::secret_bundle("s", "v", "x"));
  auto client = f.counted_client();
  client.GetSecret("s");
  f.clock->advance(4min);
  client.GetSecret("s");
  CHECK(f.counting->contexts.size() == 1);
  f.clock->advance(1min);  // now exactly 5 minutes before expiry
  client.GetSecret("s");
  CHECK(f.counting->contexts.size() == 2);
  CHECK(f.transport->last().headers.get("Authorization") == "Bearer token-2");
  client.GetSecret("s");
  CHECK(f.counting->contexts.size() == 2);
}

TEST_CASE("A StaticTokenCredential is asked once for many requests") {
  ClientFixture f;
  for (int i = 0; i < 3; ++i) f.transport->respond_json(200, kvtest::secret_bundle("s", "v", "x"));
  auto client = f.client();
  for (int i = 0; i < 3; ++i) client.GetSecret("s");
  CHECK(f.credential->calls() == 1);
}

TEST_CASE("Bearer tokens are only sent over https, except to loopback hosts") {
  ClientFixture f;
  f.vault = "http://myvault.vault.azure.net";
  CHECK_THROWS_MATCHES(f.client().GetSecret("s"), kv::AuthenticationException,
                       Catch::Message("bearer token authentication requires https; refusing to "
                                      "send a token to "
                                      "http://myvault.vault.azure.net/secrets/s?api-version=7.5"));
  CHECK(f.transport->requests().empty());

  for (const char* local :
       {"http://127.0.0.1:8443", "http://localhost:8443", "http://[::1]:8443"}) {
    ClientFixture g;
    g.vault = local;
    g.transport->respond_json(200, kvtest::secret_bundle("s", "v", "x"));
    CHECK_NOTHROW(g.client().GetSecret("s"));
    CHECK(g.transport->last().url == std::string(local) + "/secrets/s?api-version=7.5");
  }
}

TEST_CASE("The request the caller sees in an exception never carries the token") {
  ClientFixture f;
  f.transport->respond(404, "");
  try {
    f.client().GetSecret("s");
    FAIL("no exception");
  } catch (const kv::RequestFailedException& e) {
    CHECK(std::string(e.what()).find("test-token") == std::string::npos);
  }
}
