// The seed sample's whole flow: set, get, backup, delete, purge, restore.
// Reads AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET and AZURE_KEYVAULT_URL.
// Optional: KV_CA_BUNDLE (PEM file to trust, e.g. localvault's certificate),
// KV_DISABLE_CHALLENGE_VERIFICATION=1 for a vault on 127.0.0.1.
#include <kv/secrets.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace kv;
using namespace std::chrono_literals;

namespace {
const char* env_or_die(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    std::cerr << "backup_restore_example: set " << name << "\n";
    std::exit(2);
  }
  return value;
}
}  // namespace

int main() {
  try {
    auto tenantId = env_or_die("AZURE_TENANT_ID");
    auto clientId = env_or_die("AZURE_CLIENT_ID");
    auto clientSecret = env_or_die("AZURE_CLIENT_SECRET");

    // A local vault's self-signed certificate is trusted through KV_CA_BUNDLE.
    http::CurlTransportOptions curlOptions;
    if (const char* ca = std::getenv("KV_CA_BUNDLE")) curlOptions.ca_bundle = ca;
    auto transport = std::make_shared<http::CurlTransport>(curlOptions);

    ClientSecretCredentialOptions credentialOptions;
    credentialOptions.Transport = transport;
    auto credential = std::make_shared<ClientSecretCredential>(tenantId, clientId, clientSecret,
                                                               credentialOptions);

    SecretClientOptions options;
    options.Transport = transport;
    options.DisableChallengeResourceVerification =
        std::getenv("KV_DISABLE_CHALLENGE_VERIFICATION") != nullptr;
    SecretClient secretClient(env_or_die("AZURE_KEYVAULT_URL"), credential, options);

    std::string secretName("MySampleSecret");
    std::string secretValue("my secret value");
    secretClient.SetSecret(secretName, secretValue);

    // get secret
    Secret secret = secretClient.GetSecret(secretName).Value;
    std::cout << "Secret is returned with name " << secret.Name << " and value " << secret.Value
              << std::endl;

    std::cout << "\t-Backup secret" << std::endl;
    std::vector<uint8_t> backupSecret(secretClient.BackupSecret(secret.Name).Value.Secret);
    size_t backUpSize = backupSecret.size();
    std::cout << "\t-Backup size " << backUpSize << " bytes" << std::endl;

    // start deleting the secret
    DeleteSecretOperation operation = secretClient.StartDeleteSecret(secret.Name);

    // You only need to wait for completion if you want to purge or recover the secret.
    operation.PollUntilDone(2s);

    // purge the deleted secret
    secretClient.PurgeDeletedSecret(secret.Name);

    // The service keeps the name busy for a moment after a purge: retry the restore on 409.
    std::cout << "\t-Restore Secret" << std::endl;
    for (int attempt = 1;; ++attempt) {
      try {
        auto restoredSecret = secretClient.RestoreSecretBackup(backupSecret).Value;
        std::cout << "Restored secret " << restoredSecret.Name << " version "
                  << restoredSecret.Properties.Version << std::endl;
        break;
      } catch (const RequestFailedException& e) {
        if (e.StatusCode != 409 || attempt == 30) throw;
        std::this_thread::sleep_for(1s);
      }
    }

    // cleanup
    auto cleanup = secretClient.StartDeleteSecret(secret.Name);
    cleanup.PollUntilDone(2s);
    secretClient.PurgeDeletedSecret(secret.Name);
  } catch (const RequestFailedException& e) {
    std::cerr << "Key Vault request failed: " << e.what() << std::endl;
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << std::endl;
    return 1;
  }
  return 0;
}
