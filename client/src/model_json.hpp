// Reading the service's JSON bodies into the public models (internal).
//
// Every reader takes the whole body text. A body that is not JSON throws JsonSyntaxError; a JSON
// body of the wrong shape throws std::runtime_error naming the field. Shape errors are reported
// only once the whole text is known to be JSON, and in a fixed field order, whatever the order
// of the members in the text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "json_reader.hpp"
#include "kv/models.hpp"

namespace kv::detail {

/// Reads a SecretBundle or SecretItem (value ignored).
SecretProperties read_secret_properties(std::string_view body);
/// Reads a SecretBundle including its value.
KeyVaultSecret read_secret(std::string_view body);
/// Reads a DeletedSecretBundle or DeletedSecretItem.
DeletedSecret read_deleted_secret(std::string_view body);
/// Reads a BackupSecretResult and decodes its base64url value.
std::vector<std::uint8_t> read_backup(std::string_view body);

/// One list page: the items, and nextLink (empty when absent or null).
template <class Item>
struct Page {
  std::vector<Item> items;
  std::string next_link;
};
/// Reads a SecretListResult.
Page<SecretProperties> read_properties_page(std::string_view body);
/// Reads a DeletedSecretListResult.
Page<DeletedSecret> read_deleted_page(std::string_view body);

/// Splits a Key Vault identifier ("https://v/secrets/name/version") into its parts.
struct ObjectId {
  std::string vault_url;
  std::string collection;  ///< "secrets" or "deletedsecrets".
  std::string name;
  std::string version;
};
/// Parses `id`; an id that is not a URL (e.g. "Sanitized") yields all-empty parts.
ObjectId parse_object_id(std::string_view id);

/// Unix seconds to a time point.
TimePoint from_unix_seconds(std::int64_t seconds);
/// A time point to Unix seconds (rounded down).
std::int64_t to_unix_seconds(TimePoint time);

}  // namespace kv::detail
