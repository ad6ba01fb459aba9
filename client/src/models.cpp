// The secrets models: JSON field mapping and printing.
#include "kv/models.hpp"

#include <stdexcept>

#include "kv/url.hpp"
#include "model_json.hpp"

namespace kv {

std::ostream& operator<<(std::ostream& os, const KeyVaultSecret& secret) {
  return os << secret.Name;
}

namespace detail {

namespace {

using nlohmann::json;

std::string type_name(const json& value) {
  return value.type_name();
}

[[noreturn]] void wrong_type(const std::string& field, const char* expected, const json& value) {
  throw std::runtime_error("field '" + field + "': expected " + expected + ", found " +
                           type_name(value));
}

const json* member(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

Nullable<std::string> optional_string(const json& object, const char* name,
                                      const std::string& path) {
  const json* value = member(object, name);
  if (!value) return std::nullopt;
  if (!value->is_string()) wrong_type(path + name, "a string", *value);
  return value->get<std::string>();
}

Nullable<bool> optional_bool(const json& object, const char* name, const std::string& path) {
  const json* value = member(object, name);
  if (!value) return std::nullopt;
  if (!value->is_boolean()) wrong_type(path + name, "a boolean", *value);
  return value->get<bool>();
}

// Integers or numeric strings: both occur in real responses and recordings.
Nullable<std::int64_t> optional_integer(const json& object, const char* name,
                                        const std::string& path) {
  const json* value = member(object, name);
  if (!value) return std::nullopt;
  if (value->is_number_integer()) return value->get<std::int64_t>();
  if (value->is_number_float()) return static_cast<std::int64_t>(value->get<double>());
  if (value->is_string()) {
    const std::string& text = value->get_ref<const std::string&>();
    try {
      std::size_t used = 0;
      long long parsed = std::stoll(text, &used);
      if (used == text.size()) return parsed;
    } catch (const std::exception&) {
      // Falls through to the error below, which names the field.
    }
    throw std::runtime_error("field '" + path + name + "': expected a number, found \"" + text +
                             "\"");
  }
  wrong_type(path + name, "a number or numeric string", *value);
}

Nullable<TimePoint> optional_time(const json& object, const char* name, const std::string& path) {
  auto seconds = optional_integer(object, name, path);
  if (!seconds) return std::nullopt;
  return from_unix_seconds(*seconds);
}

void read_properties(const json& body, SecretProperties& props) {
  if (!body.is_object())
    throw std::runtime_error("expected a JSON object, found " + type_name(body));
  if (auto id = optional_string(body, "id", "")) {
    props.Id = *id;
    ObjectId parts = parse_object_id(props.Id);
    props.Name = parts.name;
    props.Version = parts.version;
    props.VaultUrl = parts.vault_url;
  }
  props.ContentType = optional_string(body, "contentType", "");
  props.KeyId = optional_string(body, "kid", "");
  props.PreviousVersion = optional_string(body, "previousVersion", "");
  props.Managed = optional_bool(body, "managed", "");
  if (const json* tags = member(body, "tags")) {
    if (!tags->is_object()) wrong_type("tags", "an object", *tags);
    for (const auto& [key, value] : tags->items()) {
      if (value.is_string()) {
        props.Tags[key] = value.get<std::string>();
      } else if (!value.is_null()) {
        wrong_type("tags." + key, "a string", value);
      }
    }
  }
  if (const json* attributes = member(body, "attributes")) {
    if (!attributes->is_object()) wrong_type("attributes", "an object", *attributes);
    const std::string path = "attributes.";
    props.Enabled = optional_bool(*attributes, "enabled", path);
    props.NotBefore = optional_time(*attributes, "nbf", path);
    props.ExpiresOn = optional_time(*attributes, "exp", path);
    props.CreatedOn = optional_time(*attributes, "created", path);
    props.UpdatedOn = optional_time(*attributes, "updated", path);
    if (auto days = optional_integer(*attributes, "recoverableDays", path)) {
      props.RecoverableDays = static_cast<std::int32_t>(*days);
    }
    props.RecoveryLevel = optional_string(*attributes, "recoveryLevel", path);
  }
}

}  // namespace

TimePoint from_unix_seconds(std::int64_t seconds) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::seconds(seconds)));
}

std::int64_t to_unix_seconds(TimePoint time) {
  return std::chrono::floor<std::chrono::seconds>(time.time_since_epoch()).count();
}

ObjectId parse_object_id(const std::string& id) {
  ObjectId parts;
  Url url;
  try {
    url = Url(id);
  } catch (const std::invalid_argument&) {
    return parts;  // Sanitized recordings replace ids by placeholders; that is not an error.
  }
  std::vector<std::string> segments;
  const std::string& path = url.path();
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) segments.push_back(url_decode(path.substr(start, slash - start)));
    start = slash + 1;
  }
  if (segments.size() < 2) return parts;
  parts.vault_url = url.authority_url();
  parts.collection = segments[0];
  parts.name = segments[1];
  if (segments.size() >= 3) parts.version = segments[2];
  return parts;
}

SecretProperties parse_secret_properties(const nlohmann::json& body) {
  SecretProperties props;
  read_properties(body, props);
  return props;
}

KeyVaultSecret parse_secret(const nlohmann::json& body) {
  KeyVaultSecret secret;
  read_properties(body, secret.Properties);
  secret.Value = optional_string(body, "value", "");
  secret.Name = secret.Properties.Name;
  secret.Id = secret.Properties.Id;
  return secret;
}

DeletedSecret parse_deleted_secret(const nlohmann::json& body) {
  DeletedSecret deleted;
  static_cast<KeyVaultSecret&>(deleted) = parse_secret(body);
  deleted.RecoveryId = optional_string(body, "recoveryId", "");
  deleted.DeletedOn = optional_time(body, "deletedDate", "");
  deleted.ScheduledPurgeDate = optional_time(body, "scheduledPurgeDate", "");
  if (deleted.Name.empty() && !deleted.RecoveryId.ValueOr("").empty()) {
    // The recovery id names the deleted secret even when the id is sanitized or absent.
    ObjectId recovery = parse_object_id(deleted.RecoveryId.Value());
    deleted.Name = recovery.name;
    deleted.Properties.Name = recovery.name;
    if (deleted.Properties.VaultUrl.empty()) deleted.Properties.VaultUrl = recovery.vault_url;
  }
  return deleted;
}

}  // namespace detail
}  // namespace kv
