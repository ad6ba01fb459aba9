// The seed sample's flow (set, get, backup, delete + poll, purge, restore) as one function, so
// tests and the benchmark drive the same client code in every mode.
#pragma once

#include <chrono>
#include <string>

#include "kv/secrets.hpp"

namespace kv::test {

/// What the flow observed, for comparing record and playback runs.
struct SeedFlowResult {
  std::string value;
  std::string version;
  std::size_t backup_size = 0;
  std::string deleted_recovery_id;
  std::string restored_version;
  friend bool operator==(const SeedFlowResult&, const SeedFlowResult&) = default;
};

/// Runs the flow for secret `name`: 9 exchanges against a vault that needs two 404 polls.
inline SeedFlowResult run_seed_flow(const SecretClient& client, const std::string& name,
                                    const std::string& value,
                                    std::chrono::milliseconds poll_interval) {
  SeedFlowResult result;
  client.SetSecret(name, value);
  const auto secret = client.GetSecret(name).Value;
  result.value = secret.Value.ValueOr("");
  result.version = secret.Properties.Version;
  const auto backup = client.BackupSecret(name).Value.Secret;
  result.backup_size = backup.size();
  auto operation = client.StartDeleteSecret(name);
  result.deleted_recovery_id = operation.PollUntilDone(poll_interval).Value.RecoveryId.ValueOr("");
  client.PurgeDeletedSecret(name);
  result.restored_version = client.RestoreSecretBackup(backup).Value.Properties.Version;
  return result;
}

}  // namespace kv::test
