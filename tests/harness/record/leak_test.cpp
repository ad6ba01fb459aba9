// The canary test: a client secret, an access token and a sensitive secret value are planted in a
// recording run; none of them may appear in the fixture, the HAR export, the audit report or a
// playback error message, in any of the encodings a leak could take.
#include <catch2/catch.hpp>

#include "in_process_vault.hpp"
#include "kv/harness/har.hpp"
#include "kv/harness/internal/audit.hpp"
#include "kv/harness/playback_transport.hpp"
#include "kv/harness/session.hpp"
#include "kv/url.hpp"
#include "seed_flow.hpp"
#include "test_paths.hpp"

using namespace kv;
using namespace kv::harness;
using namespace std::chrono_literals;

namespace {

constexpr const char* kVault = "https://canaryvault.vault.azure.net";
const std::string kClientSecret = "cs~CANARY-client-secret/+=1";
const std::string kAccessToken =
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJDQU5BUlktVE9LRU4ifQ.Q0FOQVJZLVNJR05BVFVSRQ";
const std::string kSecretValue = "CANARY secret \"value\" & more";

// The token endpoint of a fake identity provider, handing out the canary token.
class TokenEndpoint final : public http::Transport {
 public:
  http::Response send(const http::Request&) override {
    http::Response r;
    r.status = 200;
    r.headers.add("Content-Type", "application/json");
    r.body = http::to_bytes(
        Json({{"token_type", "Bearer"}, {"expires_in", 3599}, {"access_token", kAccessToken}})
            .dump());
    return r;
  }
};

// Sends token requests to the identity provider and everything else to the vault.
class Router final : public http::Transport {
 public:
  Router(std::shared_ptr<http::Transport> token, std::shared_ptr<http::Transport> vault)
      : token_(std::move(token)), vault_(std::move(vault)) {}
  http::Response send(const http::Request& r) override {
    return Sanitizer::is_token_request(r.url) ? token_->send(r) : vault_->send(r);
  }

 private:
  std::shared_ptr<http::Transport> token_;
  std::shared_ptr<http::Transport> vault_;
};

std::string base64(const std::string& text) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char c : text) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += k[(buffer >> bits) & 63];
    }
  }
  return out;  // Unpadded: the stable prefix of any base64 rendering.
}

std::vector<std::string> leak_forms(const std::string& canary) {
  std::string json = Json(canary).dump();
  json = json.substr(1, json.size() - 2);
  return {canary, url_encode(canary), json, base64(canary)};
}

void require_no_canary(const std::string& where, const std::string& text) {
  for (const auto& canary : {kClientSecret, kAccessToken, kSecretValue}) {
    for (const auto& form : leak_forms(canary)) {
      INFO(where << " must not contain " << form);
      CHECK(text.find(form) == std::string::npos);
    }
  }
}

}  // namespace

TEST_CASE("Planted canaries appear in no fixture, export, audit or error message, in any encoding",
          "[leak][playback]") {
  test::ScratchDir dir("canary");
  const std::string path = dir.file("canary.json");
  auto vault = std::make_shared<test::InProcessVault>(kVault);
  // The worst case: the credential's token request goes through the recording transport too.
  auto router = std::make_shared<Router>(std::make_shared<TokenEndpoint>(), vault);
  {
    SessionOptions options;
    options.mode = Mode::Record;
    options.fixture_path = path;
    options.vault_url = kVault;
    options.live_transport = router;
    options.secrets_to_redact = {kClientSecret, kSecretValue};
    Session session(options);
    ClientSecretCredentialOptions credential_options;
    credential_options.AuthorityHost = "https://login.example.test";
    credential_options.Transport = session.transport();
    auto credential = std::make_shared<ClientSecretCredential>("tenant", "client", kClientSecret,
                                                               credential_options);
    SecretClientOptions client_options;
    client_options.Transport = session.transport();
    client_options.Clock = session.clock();
    SecretClient client(session.vault_url(), credential, client_options);
    const auto result = test::run_seed_flow(client, "canary-name", kSecretValue, 1ms);
    CHECK(result.value == kSecretValue);  // The live run saw the real value.
    session.finish();
  }
  // The token really went over the wire: the vault saw it.
  CHECK(vault->last_authorization() == "Bearer " + kAccessToken);

  const std::string fixture_text = test::read_text(path);
  require_no_canary("fixture", fixture_text);
  const Fixture fixture = load_fixture(path);
  REQUIRE(fixture.entries.size() == 10);
  CHECK(fixture.entries[0].request_uri == "https://login.example.test/tenant/oauth2/v2.0/token");
  CHECK(http::as_text(fixture.entries[0].request_body.bytes) == "Sanitized");
  CHECK(http::as_text(fixture.entries[0].response_body.bytes) == "Sanitized");

  require_no_canary("HAR export", export_har(fixture).dump());
  std::string audit;
  for (const auto& finding : find_unsanitized(fixture))
    audit += finding.pointer + " " + finding.message + "\n";
  require_no_canary("audit report", audit);
  CHECK(audit.empty());

  // Playback: the actual requests carry the canaries again; they are sanitized before matching,
  // and a miss message quoting such a request is scrubbed too.
  SessionOptions options;
  options.mode = Mode::Playback;
  options.fixture_path = path;
  options.secrets_to_redact = {kClientSecret, kSecretValue};
  Session session(options);
  SecretClientOptions client_options;
  client_options.Transport = session.transport();
  client_options.Clock = session.clock();
  SecretClient client(session.vault_url(), std::make_shared<StaticTokenCredential>(),
                      client_options);
  client.SetSecret("canary-name", kSecretValue);
  std::string miss;
  try {
    client.SetSecret("canary-name", kSecretValue + " and " + kClientSecret);
  } catch (const PlaybackMismatch& e) {
    miss = e.what();
  }
  CHECK_THAT(miss, Catch::Contains(
                       "body /value: recorded \"Sanitized\" | actual \"Sanitized and Sanitized\""));
  require_no_canary("playback miss message", miss);
}
