// The seed flow as a user's GoogleTest test writes it with kvharness (the Catch2 twin is
// examples/seed_flow_test.cpp). Driven by run_glue_test.sh.
#include <gtest/gtest.h>
#include <kv/harness/testing/gtest.hpp>
#include <kv/secrets.hpp>

class SeedFlow : public kv::harness::gtest::KeyVaultTest {};

TEST_F(SeedFlow, BackupAndRestore) {
  kv::SecretClient& client = this->client();
  const std::string name = random_name("secretName", "glue-");
  client.SetSecret(name, "my secret value");
  EXPECT_EQ(client.GetSecret(name).Value.Value, "my secret value");
  const auto backup = client.BackupSecret(name).Value.Secret;
  client.StartDeleteSecret(name).PollUntilDone(std::chrono::seconds(2));
  client.PurgeDeletedSecret(name);
  auto restored = retry_while_conflict([&] { return client.RestoreSecretBackup(backup); });
  EXPECT_EQ(restored.Value.Name, name);
}
