// The seed flow (set, get, backup, delete, purge, restore) as a Catch2 test with kvharness.
// Copy it into your own tests: link kv::harness and Catch2, and include the glue header first.
//
//   ./seed_flow_test                          replay recordings/<this file>.<test>.json offline
//   AZURE_TEST_MODE=record ./seed_flow_test   record: AZURE_KEYVAULT_URL + AZURE_TENANT_ID,
//                                             AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, or without
//                                             them the embedded local vault
// KV_RECORDINGS_DIR changes the recordings folder (default: recordings/).
#include <kv/harness/testing/catch2.hpp>
#include <kv/secrets.hpp>

TEST_CASE("Backup and restore a secret") {
  auto t = kv::harness::catch2::open_test();
  kv::SecretClient& client = t.client();
  const std::string name = t.random_name("secretName", "seed-");
  client.SetSecret(name, "my secret value");
  CHECK(client.GetSecret(name).Value.Value == "my secret value");
  const auto backup = client.BackupSecret(name).Value.Secret;
  client.StartDeleteSecret(name).PollUntilDone(std::chrono::seconds(2));
  client.PurgeDeletedSecret(name);
  // The purge finishes in the background; until then a restore answers 409 Conflict.
  auto restored = t.retry_while_conflict([&] { return client.RestoreSecretBackup(backup); });
  CHECK(restored.Value.Name == name);
  t.finish();
}
