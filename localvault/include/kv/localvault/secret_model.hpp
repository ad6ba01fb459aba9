#pragma once
// The stored form of secrets and their JSON renderings (wire bundles and persisted state).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace kv::localvault {

/// The earliest Unix time (seconds) accepted anywhere, 0001-01-01T00:00:00Z: with
/// kLatestUnixTime, the range that every SDK's date type can represent.
inline constexpr std::int64_t kEarliestUnixTime = -62135596800;

/// The latest Unix time (seconds) accepted anywhere, 9999-12-31T23:59:59Z.
inline constexpr std::int64_t kLatestUnixTime = 253402300799;

/// True when `seconds` lies in [kEarliestUnixTime, kLatestUnixTime].
constexpr bool is_valid_unix_time(std::int64_t seconds) {
  return seconds >= kEarliestUnixTime && seconds <= kLatestUnixTime;
}

/// Per-version attributes; times are Unix seconds within [kEarliestUnixTime, kLatestUnixTime].
struct SecretAttributes {
  bool enabled = true;
  std::optional<std::int64_t> nbf;
  std::optional<std::int64_t> exp;
  std::int64_t created = 0;
  std::int64_t updated = 0;
};

/// Tag name to tag value.
using Tags = std::map<std::string, std::string>;

/// One immutable value of a secret plus its mutable properties.
struct SecretVersion {
  std::string version;
  std::string value;
  std::optional<std::string> content_type;
  SecretAttributes attributes;
  std::optional<Tags> tags;
};

/// All versions of one name and where the name is in the soft-delete life cycle.
struct SecretRecord {
  std::string name;
  std::vector<SecretVersion> versions;  // creation order; back() is the latest
  bool deleted = false;
  std::int64_t deleted_at_ms = 0;               // when DELETE was accepted
  std::optional<std::int64_t> recovered_at_ms;  // when the last recover was accepted
};

/// The whole vault: records keyed by upper-cased name, plus names purged and when.
struct VaultState {
  std::map<std::string, SecretRecord> secrets;
  std::map<std::string, std::int64_t> purged_at_ms;
};

/// What a rendering needs to know about the vault it speaks for.
struct RenderContext {
  std::string base_url;  // "https://host:port", no trailing slash
  std::string recovery_level;
  int recoverable_days = 90;
  bool with_recoverable_days = true;  // absent before api-version 7.1
};

/// The value of a JSON integer that fits std::int64_t; nullopt for anything else (floats,
/// unsigned values above INT64_MAX, non-numbers), so that no value wraps around.
std::optional<std::int64_t> json_int64(const nlohmann::json& json);

/// True for 1-127 characters of 0-9, a-z, A-Z and '-', the service's secret name rule.
bool is_valid_secret_name(std::string_view name);

/// True for a version id as the vault makes them: 32 lowercase hex digits.
bool is_valid_version_id(std::string_view version);

/// The upper-cased key under which a name is stored (names are case-insensitive).
std::string name_key(std::string_view name);

/// SecretBundle of one version; `with_value` adds "value".
nlohmann::ordered_json render_bundle(const SecretRecord& record, const SecretVersion& version,
                                     const RenderContext& context, bool with_value);

/// SecretItem: base id (or versioned id when `versioned`), attributes, tags, contentType.
nlohmann::ordered_json render_item(const SecretRecord& record, const SecretVersion& version,
                                   const RenderContext& context, bool versioned);

/// DeletedSecretBundle (or DeletedSecretItem when `as_item`) of a deleted record's latest version.
nlohmann::ordered_json render_deleted(const SecretRecord& record, const RenderContext& context,
                                      bool as_item);

/// Persisted form of versions (also the plaintext of backups).
nlohmann::json versions_to_json(const std::vector<SecretVersion>& versions);

/// Reverses versions_to_json; throws nlohmann::json::exception on a wrong shape.
std::vector<SecretVersion> versions_from_json(const nlohmann::json& json);

/// Persisted form of the whole vault.
nlohmann::json state_to_json(const VaultState& state);

/// Reverses state_to_json; throws nlohmann::json::exception on a wrong shape.
VaultState state_from_json(const nlohmann::json& json);

}  // namespace kv::localvault
