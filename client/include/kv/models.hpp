// The secrets data model, field for field what the service returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "kv/nullable.hpp"

namespace kv {

using TimePoint = std::chrono::system_clock::time_point;

/// Properties of one secret version (everything but the value). A Nullable field is absent when
/// the service's answer did not carry it.
struct SecretProperties {
  std::string Name;      ///< From the id path; empty if the id is not a URL (sanitized recordings).
  std::string Id;        ///< Full identifier as returned ("https://v/secrets/name/version").
  std::string Version;   ///< Empty for list items that carry the base id.
  std::string VaultUrl;  ///< "https://v" part of the id.
  Nullable<std::string> ContentType;
  Nullable<bool> Enabled;
  Nullable<TimePoint> NotBefore;
  Nullable<TimePoint> ExpiresOn;
  Nullable<TimePoint> CreatedOn;
  Nullable<TimePoint> UpdatedOn;
  Nullable<std::int32_t> RecoverableDays;  ///< Absent before api-version 7.1.
  Nullable<std::string> RecoveryLevel;
  std::map<std::string, std::string> Tags;  ///< Empty when the answer has no tags.
  Nullable<bool> Managed;                   ///< Present (true) for certificate-backed secrets.
  Nullable<std::string> KeyId;              ///< "kid" for certificate-backed secrets.
  Nullable<std::string> PreviousVersion;    ///< 2025-06-01 and later.

  SecretProperties() = default;
  explicit SecretProperties(std::string name) : Name(std::move(name)) {}
};

/// A secret with its value.
struct KeyVaultSecret {
  std::string Name;
  /// Absent in the answers of update, delete, recover and restore, and in list items; "" is an
  /// empty value.
  Nullable<std::string> Value;
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
  /// "https://v/deletedsecrets/name"; absent on vaults without soft delete.
  Nullable<std::string> RecoveryId;
  Nullable<TimePoint> DeletedOn;           ///< Absent on vaults without soft delete.
  Nullable<TimePoint> ScheduledPurgeDate;  ///< Absent on vaults without soft delete.
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
