// The secrets data model, field for field what the service returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace kv {

using TimePoint = std::chrono::system_clock::time_point;

/// Properties of one secret version (everything but the value).
struct SecretProperties {
  std::string Name;      ///< From the id path; empty if the id is not a URL (sanitized recordings).
  std::string Id;        ///< Full identifier as returned ("https://v/secrets/name/version").
  std::string Version;   ///< Empty for list items that carry the base id.
  std::string VaultUrl;  ///< "https://v" part of the id.
  std::optional<std::string> ContentType;
  std::optional<bool> Enabled;
  std::optional<TimePoint> NotBefore;
  std::optional<TimePoint> ExpiresOn;
  std::optional<TimePoint> CreatedOn;
  std::optional<TimePoint> UpdatedOn;
  std::optional<std::int32_t> RecoverableDays;
  std::optional<std::string> RecoveryLevel;
  std::map<std::string, std::string> Tags;
  bool Managed = false;
  std::optional<std::string> KeyId;            ///< "kid" for certificate-backed secrets.
  std::optional<std::string> PreviousVersion;  ///< 2025-06-01 and later.

  SecretProperties() = default;
  explicit SecretProperties(std::string name) : Name(std::move(name)) {}
};

/// A secret with its value.
struct KeyVaultSecret {
  std::string Name;
  std::string Value;
  std::string Id;
  SecretProperties Properties;

  KeyVaultSecret() = default;
  KeyVaultSecret(std::string name, std::string value)
      : Name(std::move(name)), Value(std::move(value)), Properties(Name) {}
};
/// The seed sample's name for the secret type.
using Secret = KeyVaultSecret;

/// A soft-deleted secret.
struct DeletedSecret : KeyVaultSecret {
  std::string
      RecoveryId;  ///< "https://v/deletedsecrets/name"; empty on vaults without soft delete.
  std::optional<TimePoint> DeletedOn;
  std::optional<TimePoint> ScheduledPurgeDate;
};

/// The result of BackupSecret: the opaque blob (decoded from base64url).
struct BackupSecretResult {
  std::vector<std::uint8_t> Secret;
};

/// The (empty) result of PurgeDeletedSecret.
struct PurgedSecret {};

/// Prints "name" for a secret (never its value).
std::ostream& operator<<(std::ostream& os, const KeyVaultSecret& secret);

}  // namespace kv
