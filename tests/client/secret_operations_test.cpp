// Every SecretClient operation: the exact request it sends and the result it parses.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kv/version.hpp"
#include "scripted_transport.hpp"

using kvtest::at;
using kvtest::ClientFixture;
using nlohmann::json;

namespace {
json body_of(const kv::http::Request& request) {
  return json::parse(request.body_text());
}
}  // namespace

TEST_CASE("GetSecret of the latest version sends GET /secrets/{name} and parses the bundle") {
  ClientFixture f;
  f.transport->respond_json(200, kvtest::secret_bundle("mysecret", "abc123", "hunter2"));
  auto result = f.client().GetSecret("mysecret");

  auto request = f.transport->last();
  CHECK(request.method == "GET");
  CHECK(request.url == "https://myvault.vault.azure.net/secrets/mysecret?api-version=7.5");
  CHECK(request.body.empty());
  CHECK(request.headers.get("Authorization") == "Bearer test-token");
  CHECK(request.headers.get("Accept") == "application/json");
  CHECK(request.headers.get("Content-Type") == "application/json");
  CHECK(request.headers.get("User-Agent") ==
        std::string("azsdk-cpp-kvharness/") + kv::kVersion + " (C++20; Linux)");
  // fixed_random(0.5): every byte is 0x80, then the version and variant bits are applied.
  CHECK(request.headers.get("x-ms-client-request-id") == "80808080-8080-4080-8080-808080808080");

  const kv::KeyVaultSecret& secret = result.Value;
  CHECK(secret.Name == "mysecret");
  CHECK(secret.Value == "hunter2");
  CHECK(secret.Id == "https://myvault.vault.azure.net/secrets/mysecret/abc123");
  CHECK(secret.Properties.Version == "abc123");
  CHECK(secret.Properties.VaultUrl == "https://myvault.vault.azure.net");
  CHECK(secret.Properties.Enabled == true);
  CHECK(secret.Properties.CreatedOn == at(1629853317));
  CHECK(secret.Properties.UpdatedOn == at(1629853318));
  CHECK(secret.Properties.RecoveryLevel == "Recoverable+Purgeable");
  CHECK(secret.Properties.RecoverableDays == 90);
  CHECK_FALSE(secret.Properties.NotBefore.HasValue());
  CHECK(result.RawResponse->status == 200);
}

TEST_CASE("GetSecret with a version sends it as the last path segment") {
  ClientFixture f;
  f.transport->respond_json(200, kvtest::secret_bundle("s", "v1", "x"));
  f.client().GetSecret("s", "v1");
  CHECK(f.transport->last().url == "https://myvault.vault.azure.net/secrets/s/v1?api-version=7.5");
}

TEST_CASE("The api-version is settable and a trailing slash of the vault URL is ignored") {
  ClientFixture f;
  f.options.ApiVersion = "2025-07-01";
  f.vault = "https://myvault.vault.azure.net/";
  f.transport->respond_json(200, kvtest::secret_bundle("s", "v1", "x"));
  auto client = f.client();
  CHECK(client.GetUrl() == "https://myvault.vault.azure.net");
  client.GetSecret("s");
  CHECK(f.transport->last().url ==
        "https://myvault.vault.azure.net/secrets/s?api-version=2025-07-01");
}

TEST_CASE("SetSecret without options sends only the value") {
  ClientFixture f;
  f.transport->respond_json(200, kvtest::secret_bundle("MySampleSecret", "v1", "my secret value"));
  auto result = f.client().SetSecret("MySampleSecret", "my secret value");
  auto request = f.transport->last();
  CHECK(request.method == "PUT");
  CHECK(request.url == "https://myvault.vault.azure.net/secrets/MySampleSecret?api-version=7.5");
  CHECK(request.body_text() == R"({"value":"my secret value"})");
  CHECK(result.Value.Name == "MySampleSecret");
  CHECK(result.Value.Properties.Version == "v1");
}

TEST_CASE("SetSecret with options sends content type, tags and attributes") {
  ClientFixture f;
  json response = kvtest::secret_bundle("s", "v2", "x");
  response["contentType"] = "text/plain";
  response["tags"] = {{"env", "test"}};
  response["attributes"]["nbf"] = 1700000000;
  response["attributes"]["exp"] = "1800000000";  // numeric strings occur too
  f.transport->respond_json(200, response);

  kv::SetSecretOptions options;
  options.ContentType = "text/plain";
  options.Tags = {{"env", "test"}, {"owner", "me"}};
  options.Enabled = false;
  options.NotBefore = at(1700000000);
  options.ExpiresOn = at(1800000000);
  auto result = f.client().SetSecret("s", "x", options);

  CHECK(body_of(f.transport->last()) == json::parse(R"({"value":"x","contentType":"text/plain",
                        "attributes":{"enabled":false,"nbf":1700000000,"exp":1800000000},
                        "tags":{"env":"test","owner":"me"}})"));
  CHECK(result.Value.Properties.ContentType == "text/plain");
  CHECK(result.Value.Properties.Tags == std::map<std::string, std::string>{{"env", "test"}});
  CHECK(result.Value.Properties.NotBefore == at(1700000000));
  CHECK(result.Value.Properties.ExpiresOn == at(1800000000));
}

TEST_CASE("UpdateSecretProperties PATCHes only the mutable fields of one version") {
  ClientFixture f;
  json response = kvtest::secret_bundle("s", "v1", "");
  response.erase("value");
  response["contentType"] = "application/xml";
  response["attributes"]["enabled"] = false;
  f.transport->respond_json(200, response);

  kv::SecretProperties properties("s");
  properties.Version = "v1";
  properties.ContentType = "application/xml";
  properties.Enabled = false;
  properties.ExpiresOn = at(1900000000);
  properties.Tags = {{"a", "b"}};
  properties.CreatedOn = at(1);  // read-only: must not be sent
  properties.RecoveryLevel = "Purgeable";
  auto result = f.client().UpdateSecretProperties(properties);

  auto request = f.transport->last();
  CHECK(request.method == "PATCH");
  CHECK(request.url == "https://myvault.vault.azure.net/secrets/s/v1?api-version=7.5");
  CHECK(body_of(request) == json::parse(R"({"contentType":"application/xml",
                                            "attributes":{"enabled":false,"exp":1900000000},
                                            "tags":{"a":"b"}})"));
  CHECK(result.Value.Name == "s");
  CHECK(result.Value.Enabled == false);
  CHECK(result.Value.ContentType == "application/xml");
}

TEST_CASE("GetDeletedSecret sends GET /deletedsecrets/{name} and parses the dates") {
  ClientFixture f;
  f.transport->respond_json(200, kvtest::deleted_bundle("gone", "v9"));
  auto result = f.client().GetDeletedSecret("gone");
  CHECK(f.transport->last().method == "GET");
  CHECK(f.transport->last().url ==
        "https://myvault.vault.azure.net/deletedsecrets/gone?api-version=7.5");
  CHECK(result.Value.Name == "gone");
  CHECK(result.Value.RecoveryId == "https://myvault.vault.azure.net/deletedsecrets/gone");
  CHECK(result.Value.DeletedOn == at(1629853400));
  CHECK(result.Value.ScheduledPurgeDate == at(1637629400));
  CHECK(result.Value.Properties.Version == "v9");
}

TEST_CASE("PurgeDeletedSecret sends DELETE /deletedsecrets/{name} and accepts exactly 204") {
  ClientFixture f;
  f.transport->respond(204);
  auto result = f.client().PurgeDeletedSecret("gone");
  CHECK(f.transport->last().method == "DELETE");
  CHECK(f.transport->last().url ==
        "https://myvault.vault.azure.net/deletedsecrets/gone?api-version=7.5");
  CHECK(result.RawResponse->status == 204);

  f.transport->respond(200, "{}");
  CHECK_THROWS_AS(f.client().PurgeDeletedSecret("gone"), kv::RequestFailedException);
}

TEST_CASE("BackupSecret POSTs without a body and decodes base64url with or without padding") {
  ClientFixture f;
  f.transport->respond_json(200, {{"value", "AQID_-8"}});  // bytes 01 02 03 ff ef, no padding
  f.transport->respond_json(200, {{"value", "AQID_-8="}});
  auto client = f.client();
  auto unpadded = client.BackupSecret("s");
  auto padded = client.BackupSecret("s");
  auto request = f.transport->last();
  CHECK(request.method == "POST");
  CHECK(request.url == "https://myvault.vault.azure.net/secrets/s/backup?api-version=7.5");
  CHECK(request.body.empty());
  std::vector<std::uint8_t> expected{0x01, 0x02, 0x03, 0xff, 0xef};
  CHECK(unpadded.Value.Secret == expected);
  CHECK(padded.Value.Secret == expected);
}

TEST_CASE("RestoreSecretBackup sends the blob as base64url without padding") {
  ClientFixture f;
  f.transport->respond_json(200, kvtest::secret_bundle("s", "v1", ""));
  auto result = f.client().RestoreSecretBackup({0x01, 0x02, 0x03, 0xff, 0xef});
  auto request = f.transport->last();
  CHECK(request.method == "POST");
  CHECK(request.url == "https://myvault.vault.azure.net/secrets/restore?api-version=7.5");
  CHECK(request.body_text() == R"({"value":"AQID_-8"})");
  CHECK(result.Value.Name == "s");
}

TEST_CASE("A secret prints as its name only, never its value") {
  kv::KeyVaultSecret secret("name", "the-value");
  std::ostringstream out;
  out << secret;
  CHECK(out.str() == "name");
}

TEST_CASE("Certificate-backed secrets carry kid, managed and previousVersion") {
  ClientFixture f;
  json body = kvtest::secret_bundle("cert", "v2", "-----BEGIN...");
  body["kid"] = "https://myvault.vault.azure.net/keys/cert/v2";
  body["managed"] = true;
  body["previousVersion"] = "v1";
  body["contentType"] = "application/x-pem-file";
  body["tags"] = json::object();
  f.transport->respond_json(200, body);
  auto properties = f.client().GetSecret("cert").Value.Properties;
  CHECK(properties.KeyId == "https://myvault.vault.azure.net/keys/cert/v2");
  CHECK(properties.Managed == true);
  CHECK(properties.PreviousVersion == "v1");
  CHECK(properties.Tags.empty());
}

TEST_CASE(
    "An id that is not a URL leaves name and version empty, and a deleted name comes from "
    "recoveryId") {
  ClientFixture f;
  json secret = kvtest::secret_bundle("s", "v", "x");
  secret["id"] = "Sanitized";
  json deleted = kvtest::deleted_bundle("s", "v");
  deleted["id"] = "Sanitized";
  f.transport->respond_json(200, secret).respond_json(200, deleted);
  auto client = f.client();
  auto got = client.GetSecret("s").Value;
  CHECK(got.Id == "Sanitized");
  CHECK(got.Name.empty());
  CHECK(got.Properties.Version.empty());
  CHECK(got.Properties.VaultUrl.empty());
  CHECK(got.Value == "x");
  auto gone = client.GetDeletedSecret("s").Value;
  CHECK(gone.Name == "s");
  CHECK(gone.Properties.Name == "s");
  CHECK(gone.Properties.VaultUrl == "https://myvault.vault.azure.net");
}

TEST_CASE("The ApplicationId prefixes the User-Agent") {
  ClientFixture f;
  f.options.ApplicationId = "my-app/1.0";
  f.transport->respond_json(200, kvtest::secret_bundle("s", "v", "x"));
  f.client().GetSecret("s");
  CHECK(f.transport->last().headers.get("User-Agent") ==
        std::string("my-app/1.0 azsdk-cpp-kvharness/") + kv::kVersion + " (C++20; Linux)");
}

TEST_CASE("Every operation sends the pipeline's headers") {
  ClientFixture f;
  auto client = f.client();
  json secret = kvtest::secret_bundle("s", "v", "x");
  json page = {{"value", json::array()}};
  f.transport->respond_json(200, secret).respond_json(200, secret).respond_json(200, secret);
  f.transport->respond_json(200, page).respond_json(200, page).respond_json(200, page);
  f.transport->respond_json(200, kvtest::deleted_bundle("s", "v"));
  f.transport->respond_json(200, kvtest::deleted_bundle("s", "v"));
  f.transport->respond_json(200, secret).respond(204).respond_json(200, {{"value", "AA"}});
  f.transport->respond_json(200, secret);
  kv::SecretProperties properties("s");
  properties.Version = "v";
  client.GetSecret("s");
  client.SetSecret("s", "x");
  client.UpdateSecretProperties(properties);
  client.GetPropertiesOfSecrets();
  client.GetPropertiesOfSecretsVersions("s");
  client.GetDeletedSecrets();
  client.GetDeletedSecret("s");
  client.StartDeleteSecret("s");
  client.StartRecoverDeletedSecret("s");
  client.PurgeDeletedSecret("s");
  client.BackupSecret("s");
  client.RestoreSecretBackup({0});
  auto requests = f.transport->requests();
  REQUIRE(requests.size() == 12);
  for (const auto& request : requests) {
    INFO(request.method << " " << request.url);
    CHECK(request.headers.get("Authorization") == "Bearer test-token");
    CHECK(request.headers.get("Accept") == "application/json");
    CHECK(request.headers.get("Content-Type") == "application/json");
    CHECK(request.headers.contains("User-Agent"));
    CHECK(request.headers.get("x-ms-client-request-id")->size() == 36);
    CHECK(kv::Url(request.url).query().front() == kv::Url::QueryParam{"api-version", "7.5"});
  }
}
