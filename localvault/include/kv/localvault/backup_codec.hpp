#pragma once
// Backup blobs: all versions of a secret sealed with AES-256-GCM, as one base64url string.

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "kv/localvault/crypto.hpp"
#include "kv/localvault/secret_model.hpp"

namespace kv::localvault {

/// The contents of a backup that opened and authenticated.
struct BackupContents {
  std::string name;
  std::vector<SecretVersion> versions;
};

/// Seals and opens backups under one 32-byte key.
class BackupCodec {
 public:
  /// `key` must be 32 bytes; throws std::invalid_argument otherwise.
  explicit BackupCodec(std::string key);

  /// base64url(magic || base64url(nonce || AES-GCM(JSON of name and versions) || tag)).
  std::string seal(const SecretRecord& record, const RandomSource& random) const;

  /// The contents, or the service's "Malformed backup blob" message explaining the refusal.
  std::variant<BackupContents, std::string> open(std::string_view blob) const;

 private:
  std::string key_;
};

/// Reads a backup key file: 32 raw bytes or 64 hex digits; throws std::runtime_error naming it.
std::string read_backup_key_file(const std::string& path);

}  // namespace kv::localvault
