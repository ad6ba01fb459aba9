#pragma once
// Parsing and validating JSON request bodies of set, update and restore.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "kv/localvault/secret_model.hpp"

namespace kv::localvault::detail {

/// Properties a set or update may carry; an unset optional means "leave as is".
struct PropertyChanges {
  std::optional<std::optional<std::string>> content_type;
  std::optional<bool> enabled;
  std::optional<std::optional<std::int64_t>> nbf;
  std::optional<std::optional<std::int64_t>> exp;
  std::optional<Tags> tags;
};

/// A validated SetSecret body.
struct SetBody {
  std::string value;
  PropertyChanges properties;
};

/// Service limits on secrets.
inline constexpr std::size_t kMaxValueBytes = 25 * 1024;
inline constexpr std::size_t kMaxTags = 15;
inline constexpr std::size_t kMaxTagLength = 512;
inline constexpr std::size_t kMaxContentType = 255;

/// The body of PUT /secrets/{name}, or the BadParameter message.
std::variant<SetBody, std::string> parse_set_body(std::string_view body);

/// The body of PATCH /secrets/{name}/{version}, or the BadParameter message.
std::variant<PropertyChanges, std::string> parse_update_body(std::string_view body);

/// The "value" of POST /secrets/restore, or the BadParameter message.
std::variant<std::string, std::monostate> parse_restore_body(std::string_view body,
                                                             std::string& error);

/// Applies changes to a version's properties.
void apply_changes(const PropertyChanges& changes, SecretVersion& version);

}  // namespace kv::localvault::detail
