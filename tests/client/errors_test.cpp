// Failures: service errors, unreadable bodies and rejected arguments, with their whole messages.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "scripted_transport.hpp"

using kvtest::ClientFixture;
using nlohmann::json;

TEST_CASE("A 404 becomes a RequestFailedException with every HTTP fact and a one-line summary") {
  ClientFixture f;
  f.transport->respond_json(
      404,
      kvtest::error_body("SecretNotFound",
                         "A secret with (name/id) x was not found in this key vault."),
      {{"x-ms-request-id", "req-1"}, {"x-ms-client-request-id", "client-1"}});
  try {
    f.client().GetSecret("x");
    FAIL("no exception");
  } catch (const kv::RequestFailedException& e) {
    CHECK(std::string(e.what()) ==
          "GET https://myvault.vault.azure.net/secrets/x?api-version=7.5 -> 404 SecretNotFound: A "
          "secret with (name/id) x was not found in this key vault. (request id req-1)");
    CHECK(e.StatusCode == 404);
    CHECK(e.ReasonPhrase == "Not Found");
    CHECK(e.ErrorCode == "SecretNotFound");
    CHECK(e.InnerErrorCode.empty());
    CHECK(e.Message == "A secret with (name/id) x was not found in this key vault.");
    CHECK(e.RequestId == "req-1");
    CHECK(e.ClientRequestId == "client-1");
    CHECK(e.Method == "GET");
    CHECK(e.Url == "https://myvault.vault.azure.net/secrets/x?api-version=7.5");
    REQUIRE(e.RawResponse);
    CHECK(e.RawResponse->status == 404);
  }
}

TEST_CASE("A 409 with an inner error names both codes and flattens a multi-line message") {
  ClientFixture f;
  f.transport->respond_json(
      409, kvtest::error_body("Conflict", "Secret is currently being deleted.\r\nVault: v",
                              "ObjectIsBeingDeleted"));
  try {
    f.client().PurgeDeletedSecret("x");
    FAIL("no exception");
  } catch (const kv::RequestFailedException& e) {
    CHECK(std::string(e.what()) ==
          "DELETE https://myvault.vault.azure.net/deletedsecrets/x?api-version=7.5 -> 409 Conflict "
          "(ObjectIsBeingDeleted): Secret is currently being deleted.  Vault: v");
    CHECK(e.ErrorCode == "Conflict");
    CHECK(e.InnerErrorCode == "ObjectIsBeingDeleted");
    // The service did not echo the id, so the one the client sent is reported.
    CHECK(e.ClientRequestId == "80808080-8080-4080-8080-808080808080");
  }
}

TEST_CASE("An error response whose body is not JSON still gives a useful exception") {
  ClientFixture f;
  f.transport->respond(403, "<html>Forbidden by firewall</html>");
  try {
    f.client().GetSecret("x");
    FAIL("no exception");
  } catch (const kv::RequestFailedException& e) {
    CHECK(std::string(e.what()) ==
          "GET https://myvault.vault.azure.net/secrets/x?api-version=7.5 -> 403 Forbidden: "
          "response body is not JSON: <html>Forbidden by firewall</html>");
    CHECK(e.ErrorCode.empty());
    CHECK(e.Message == "response body is not JSON: <html>Forbidden by firewall</html>");
  }
}

TEST_CASE("An error response body is quoted up to 200 characters") {
  ClientFixture f;
  f.transport->respond(400, std::string(300, 'z'));
  try {
    f.client().GetSecret("x");
    FAIL("no exception");
  } catch (const kv::RequestFailedException& e) {
    CHECK(e.Message == "response body is not JSON: " + std::string(200, 'z') + "...");
  }
}

TEST_CASE("Empty and truncated error bodies are described") {
  ClientFixture f;
  f.transport->respond(400, "");
  f.transport->respond(400, R"({"error":{"code":"BadPar)");
  f.transport->respond(400, R"({"unexpected":true})");
  auto client = f.client();
  auto message_of = [&] {
    try {
      client.GetSecret("x");
    } catch (const kv::RequestFailedException& e) {
      return e.Message;
    }
    return std::string("no exception");
  };
  CHECK(message_of() == "response body is empty");
  CHECK(message_of() == R"(response body is not JSON: {"error":{"code":"BadPar)");
  CHECK(message_of() == R"(response body has no error object: {"unexpected":true})");
}

TEST_CASE("A failed SetSecret never echoes the secret value") {
  ClientFixture f;
  f.transport->respond_json(400, kvtest::error_body("BadParameter", "The request is invalid."));
  try {
    f.client().SetSecret("name", "super-secret-value");
    FAIL("no exception");
  } catch (const kv::RequestFailedException& e) {
    CHECK(std::string(e.what()) ==
          "PUT https://myvault.vault.azure.net/secrets/name?api-version=7.5 -> 400 BadParameter: "
          "The request is invalid.");
    CHECK(std::string(e.what()).find("super-secret-value") == std::string::npos);
  }
}

TEST_CASE("Malformed JSON in a 200 response is a clear error that does not quote the body") {
  ClientFixture f;
  f.transport->respond(200, R"({"value":"hunter2","id":)");
  try {
    f.client().GetSecret("x");
    FAIL("no exception");
  } catch (const kv::RequestFailedException&) {
    FAIL("a 200 is not a failed request");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()) ==
          "GET https://myvault.vault.azure.net/secrets/x?api-version=7.5 -> 200: response body is "
          "not valid JSON (parse error at byte 25)");
  }
}

TEST_CASE("A 200 response with a field of the wrong type names the field") {
  ClientFixture f;
  json body = kvtest::secret_bundle("x", "v", "hunter2");
  body["attributes"]["enabled"] = "yes";
  f.transport->respond_json(200, body);
  f.transport->respond(200, "");
  f.transport->respond_json(200, json::array());
  auto client = f.client();
  CHECK_THROWS_WITH(client.GetSecret("x"),
                    "GET https://myvault.vault.azure.net/secrets/x?api-version=7.5 -> 200: field "
                    "'attributes.enabled': expected a boolean, found string");
  CHECK_THROWS_WITH(client.GetSecret("x"),
                    "GET https://myvault.vault.azure.net/secrets/x?api-version=7.5 -> 200: "
                    "response body is empty");
  CHECK_THROWS_WITH(client.GetSecret("x"),
                    "GET https://myvault.vault.azure.net/secrets/x?api-version=7.5 -> 200: "
                    "expected a JSON object, found array");
}

TEST_CASE("Secret names outside 1-127 characters of 0-9a-zA-Z- are rejected before any request") {
  ClientFixture f;
  auto client = f.client();
  const std::string rule =
      ": a secret name must be 1-127 characters of 0-9, a-z, A-Z and '-' (got '";
  CHECK_THROWS_WITH(client.GetSecret(""), "name" + rule + "')");
  CHECK_THROWS_WITH(client.GetSecret("a_b"), "name" + rule + "a_b')");
  CHECK_THROWS_WITH(client.SetSecret("a/b", "v"), "name" + rule + "a/b')");
  CHECK_THROWS_AS(client.StartDeleteSecret(std::string(128, 'a')), kv::InvalidArgumentException);
  CHECK_THROWS_AS(client.PurgeDeletedSecret("a b"), kv::InvalidArgumentException);
  CHECK_THROWS_AS(client.BackupSecret("é"), kv::InvalidArgumentException);
  CHECK_THROWS_AS(client.GetDeletedSecret("x.y"), kv::InvalidArgumentException);
  CHECK_THROWS_AS(client.StartRecoverDeletedSecret("?"), kv::InvalidArgumentException);
  CHECK_THROWS_AS(client.GetPropertiesOfSecretsVersions(""), kv::InvalidArgumentException);
  CHECK(f.transport->requests().empty());

  f.transport->respond_json(200, kvtest::secret_bundle("x", "v", "y"));
  CHECK_NOTHROW(client.GetSecret("Az09-x"));
  f.transport->respond_json(200, kvtest::secret_bundle("x", "v", "y"));
  CHECK_NOTHROW(client.GetSecret(std::string(127, 'a')));
}

TEST_CASE("UpdateSecretProperties needs a name and a version") {
  ClientFixture f;
  auto client = f.client();
  kv::SecretProperties properties("good-name");
  CHECK_THROWS_WITH(client.UpdateSecretProperties(properties),
                    "properties.Version: must not be empty (UpdateSecretProperties updates one "
                    "version)");
  properties.Name = "bad name";
  properties.Version = "v1";
  CHECK_THROWS_WITH(client.UpdateSecretProperties(properties),
                    "properties.Name: a secret name must be 1-127 characters of 0-9, a-z, A-Z and "
                    "'-' (got 'bad name')");
  CHECK(f.transport->requests().empty());
}

TEST_CASE("RestoreSecretBackup of an empty backup is rejected before any request") {
  ClientFixture f;
  CHECK_THROWS_WITH(f.client().RestoreSecretBackup({}),
                    "backup: must not be empty (pass the bytes returned by BackupSecret)");
  CHECK(f.transport->requests().empty());
}

TEST_CASE("A malformed vault URL is rejected when the client is built") {
  ClientFixture f;
  f.vault = "myvault.vault.azure.net";
  CHECK_THROWS_WITH(f.client(),
                    "vaultUrl: malformed URL 'myvault.vault.azure.net': expected scheme://host");
}

TEST_CASE("A backup response that is not base64url is a clear error") {
  ClientFixture f;
  f.transport->respond_json(200, {{"value", "ab$c"}});
  CHECK_THROWS_WITH(f.client().BackupSecret("s"),
                    "POST https://myvault.vault.azure.net/secrets/s/backup?api-version=7.5 -> "
                    "200: invalid base64url: unexpected character at offset 2");
}
