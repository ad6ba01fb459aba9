// Reading the service's JSON bodies into the public models (internal).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "kv/models.hpp"

namespace kv::detail {

/// Reads a SecretBundle or SecretItem (value ignored); throws std::runtime_error naming the field.
SecretProperties parse_secret_properties(const nlohmann::json& body);
/// Reads a SecretBundle including its value.
KeyVaultSecret parse_secret(const nlohmann::json& body);
/// Reads a DeletedSecretBundle or DeletedSecretItem.
DeletedSecret parse_deleted_secret(const nlohmann::json& body);
/// Reads a list page: the "value" items parsed by `parse_item`, and nextLink (empty when absent).
template <class Item, class Parse>
std::pair<std::vector<Item>, std::string> parse_page(const nlohmann::json& body, Parse parse_item);

/// Splits a Key Vault identifier ("https://v/secrets/name/version") into its parts.
struct ObjectId {
  std::string vault_url;
  std::string collection;  ///< "secrets" or "deletedsecrets".
  std::string name;
  std::string version;
};
/// Parses `id`; an id that is not a URL (e.g. "Sanitized") yields all-empty parts.
ObjectId parse_object_id(const std::string& id);

/// Unix seconds to a time point.
TimePoint from_unix_seconds(std::int64_t seconds);
/// A time point to Unix seconds (rounded down).
std::int64_t to_unix_seconds(TimePoint time);

template <class Item, class Parse>
std::pair<std::vector<Item>, std::string> parse_page(const nlohmann::json& body, Parse parse_item) {
  std::pair<std::vector<Item>, std::string> page;
  if (!body.is_object()) throw std::runtime_error("list response: expected a JSON object");
  auto value = body.find("value");
  if (value != body.end() && !value->is_null()) {
    if (!value->is_array()) throw std::runtime_error("list response: 'value' is not an array");
    for (std::size_t i = 0; i < value->size(); ++i) {
      try {
        page.first.push_back(parse_item((*value)[i]));
      } catch (const std::runtime_error& e) {
        throw std::runtime_error("list response: value[" + std::to_string(i) + "]: " + e.what());
      }
    }
  }
  auto next = body.find("nextLink");
  if (next != body.end() && !next->is_null()) {
    if (!next->is_string()) throw std::runtime_error("list response: 'nextLink' is not a string");
    page.second = next->get<std::string>();
  }
  return page;
}

}  // namespace kv::detail
