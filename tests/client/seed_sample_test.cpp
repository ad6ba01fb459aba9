// The seed sample (backup-restore-sample.md): every snippet, verbatim, compiled against
// <kv/secrets.hpp> with `using namespace kv;`, and run against a scripted vault.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <iostream>
#include <kv/secrets.hpp>
#include <sstream>

#include "scripted_transport.hpp"

using namespace kv;
using namespace std::chrono_literals;

namespace {

// Snippets SecretSample2CreateCredential and SecretSample2SecretClient.
SecretClient create_client_as_in_the_sample() {
  auto tenantId = std::getenv("AZURE_TENANT_ID");
  auto clientId = std::getenv("AZURE_CLIENT_ID");
  auto clientSecret = std::getenv("AZURE_CLIENT_SECRET");
  auto credential =
      std::make_shared<Azure::Identity::ClientSecretCredential>(tenantId, clientId, clientSecret);

  SecretClient secretClient(std::getenv("AZURE_KEYVAULT_URL"), credential);
  return secretClient;
}

// Snippets SetSecret, GetSecret, BackupSecret, DeleteSecret, PurgeSecret and RestoreSecret.
// The sample's own variables (backUpSize, backedUpSecret) are declared here as its full source
// does.
std::string run_sample_flow(SecretClient& secretClient) {
  std::ostringstream captured;
  auto* previous = std::cout.rdbuf(captured.rdbuf());
  size_t backUpSize = 0;

  std::string secretName("MySampleSecret");
  std::string secretValue("my secret value");

  secretClient.SetSecret(secretName, secretValue);

  // get secret
  Secret secret = secretClient.GetSecret(secretName).Value;
  std::cout << "Secret is returned with name " << secret.Name << " and value " << secret.Value
            << std::endl;

  std::cout << "\t-Backup secret" << std::endl;
  std::vector<uint8_t> backupSecret(secretClient.BackupSecret(secret.Name).Value.Secret);
  backUpSize = backupSecret.size();

  // start deleting the secret
  DeleteSecretOperation operation = secretClient.StartDeleteSecret(secret.Name);

  // You only need to wait for completion if you want to purge or recover the secret.
  operation.PollUntilDone(2s);

  // purge the deleted secret
  secretClient.PurgeDeletedSecret(secret.Name);

  const std::vector<uint8_t>& backedUpSecret = backupSecret;
  std::cout << "\t-Restore Secret" << std::endl;
  auto restoredSecret = secretClient.RestoreSecretBackup(backedUpSecret).Value;

  std::cout << "backup size " << backUpSize << ", restored " << restoredSecret.Name << std::endl;
  std::cout.rdbuf(previous);
  return captured.str();
}

}  // namespace

TEST_CASE("The seed sample's client snippets build a SecretClient from the environment") {
  ::setenv("AZURE_TENANT_ID", "tenant", 1);
  ::setenv("AZURE_CLIENT_ID", "client", 1);
  ::setenv("AZURE_CLIENT_SECRET", "not-a-real-secret", 1);
  ::setenv("AZURE_KEYVAULT_URL", "https://myvault.vault.azure.net/", 1);
  SecretClient client = create_client_as_in_the_sample();  // no request is sent yet
  CHECK(client.GetUrl() == "https://myvault.vault.azure.net");
}

TEST_CASE("The seed sample's flow sets, gets, backs up, deletes, purges and restores") {
  kvtest::ClientFixture f;
  f.transport->respond_json(200, kvtest::secret_bundle("MySampleSecret", "v1", "my secret value"))
      .respond_json(200, kvtest::secret_bundle("MySampleSecret", "v1", "my secret value"))
      .respond_json(200, {{"value", "KUF6dXJl"}})  // 0x29 'A' 'z' 'u' 'r' 'e'
      .respond_json(200, kvtest::deleted_bundle("MySampleSecret", "v1"))
      .respond_json(404, kvtest::error_body("SecretNotFound", "Deleted Secret not found"))
      .respond_json(200, kvtest::deleted_bundle("MySampleSecret", "v1"))
      .respond(204)
      .respond_json(200, kvtest::secret_bundle("MySampleSecret", "v1", ""));
  SecretClient client = f.client();

  std::string output = run_sample_flow(client);

  CHECK(output ==
        "Secret is returned with name MySampleSecret and value my secret value\n"
        "\t-Backup secret\n"
        "\t-Restore Secret\n"
        "backup size 6, restored MySampleSecret\n");
  std::vector<std::string> calls;
  for (const auto& request : f.transport->requests()) {
    calls.push_back(request.method + " " + kv::Url(request.url).path());
  }
  CHECK(calls == std::vector<std::string>{
                     "PUT /secrets/MySampleSecret", "GET /secrets/MySampleSecret",
                     "POST /secrets/MySampleSecret/backup", "DELETE /secrets/MySampleSecret",
                     "GET /deletedsecrets/MySampleSecret", "GET /deletedsecrets/MySampleSecret",
                     "DELETE /deletedsecrets/MySampleSecret", "POST /secrets/restore"});
  CHECK(f.transport->last().body_text() == R"({"value":"KUF6dXJl"})");
  CHECK(f.clock->slept() == 2s);
}
