#include "kv/localvault/secret_model.hpp"

#include <cctype>
#include <stdexcept>

namespace kv::localvault {

std::optional<std::int64_t> json_int64(const nlohmann::json& json) {
  // Positive integers parse as unsigned: get<std::int64_t>() would wrap those above INT64_MAX.
  if (json.is_number_unsigned()) {
    auto value = json.get<std::uint64_t>();
    if (value > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(value);
  }
  if (json.is_number_integer()) return json.get<std::int64_t>();
  return std::nullopt;
}

bool is_valid_secret_name(std::string_view name) {
  if (name.empty() || name.size() > 127) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) return false;
  return true;
}

bool is_valid_version_id(std::string_view version) {
  return version.size() == 32 && version.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::string name_key(std::string_view name) {
  std::string key(name);
  for (char& c : key) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return key;
}

namespace {
// A stored time: an integer within the accepted range (`scale` 1000 for milliseconds), so that
// later arithmetic on it (windows, purge dates) cannot overflow.
std::int64_t stored_time(const nlohmann::json& parent, const char* key, std::int64_t scale) {
  std::optional<std::int64_t> value = json_int64(parent.at(key));
  if (!value || *value < kEarliestUnixTime * scale || *value > kLatestUnixTime * scale + scale - 1)
    throw std::runtime_error(std::string("'") + key + "' must be an integer Unix time" +
                             (scale == 1 ? "" : " in milliseconds") +
                             " between the years 1 and 9999, found " + parent.at(key).dump());
  return *value;
}

nlohmann::ordered_json render_attributes(const SecretAttributes& a, const RenderContext& context) {
  // Key order follows the service: enabled, nbf, exp, created, updated, recovery settings.
  nlohmann::ordered_json out;
  out["enabled"] = a.enabled;
  if (a.nbf) out["nbf"] = *a.nbf;
  if (a.exp) out["exp"] = *a.exp;
  out["created"] = a.created;
  out["updated"] = a.updated;
  out["recoveryLevel"] = context.recovery_level;
  if (context.with_recoverable_days) out["recoverableDays"] = context.recoverable_days;
  return out;
}

nlohmann::ordered_json render_tags(const Tags& tags) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [k, v] : tags) out[k] = v;
  return out;
}

std::string base_id(const SecretRecord& record, const RenderContext& context) {
  return context.base_url + "/secrets/" + record.name;
}
}  // namespace

nlohmann::ordered_json render_bundle(const SecretRecord& record, const SecretVersion& version,
                                     const RenderContext& context, bool with_value) {
  nlohmann::ordered_json out;
  if (with_value) out["value"] = version.value;
  if (version.content_type) out["contentType"] = *version.content_type;
  out["id"] = base_id(record, context) + "/" + version.version;
  out["attributes"] = render_attributes(version.attributes, context);
  if (version.tags) out["tags"] = render_tags(*version.tags);
  return out;
}

nlohmann::ordered_json render_item(const SecretRecord& record, const SecretVersion& version,
                                   const RenderContext& context, bool versioned) {
  nlohmann::ordered_json out;
  out["id"] =
      versioned ? base_id(record, context) + "/" + version.version : base_id(record, context);
  out["attributes"] = render_attributes(version.attributes, context);
  if (version.tags) out["tags"] = render_tags(*version.tags);
  if (version.content_type) out["contentType"] = *version.content_type;
  return out;
}

nlohmann::ordered_json render_deleted(const SecretRecord& record, const RenderContext& context,
                                      bool as_item) {
  const SecretVersion& latest = record.versions.back();
  std::int64_t deleted_date = record.deleted_at_ms / 1000;
  nlohmann::ordered_json out;
  out["recoveryId"] = context.base_url + "/deletedsecrets/" + record.name;
  out["deletedDate"] = deleted_date;
  out["scheduledPurgeDate"] = deleted_date + std::int64_t{context.recoverable_days} * 86400;
  nlohmann::ordered_json body = as_item ? render_item(record, latest, context, false)
                                        : render_bundle(record, latest, context, false);
  for (auto& [k, v] : body.items()) out[k] = v;
  return out;
}

nlohmann::json versions_to_json(const std::vector<SecretVersion>& versions) {
  nlohmann::json out = nlohmann::json::array();
  for (const SecretVersion& v : versions) {
    nlohmann::json j;
    j["version"] = v.version;
    j["value"] = v.value;
    if (v.content_type) j["contentType"] = *v.content_type;
    j["enabled"] = v.attributes.enabled;
    if (v.attributes.nbf) j["nbf"] = *v.attributes.nbf;
    if (v.attributes.exp) j["exp"] = *v.attributes.exp;
    j["created"] = v.attributes.created;
    j["updated"] = v.attributes.updated;
    if (v.tags) j["tags"] = *v.tags;
    out.push_back(std::move(j));
  }
  return out;
}

std::vector<SecretVersion> versions_from_json(const nlohmann::json& json) {
  std::vector<SecretVersion> out;
  if (!json.is_array()) throw std::runtime_error("versions must be a JSON array");
  for (const nlohmann::json& j : json) {
    SecretVersion v;
    v.version = j.at("version").get<std::string>();
    if (!is_valid_version_id(v.version))
      throw std::runtime_error("version id '" + v.version + "' is not 32 lowercase hex digits");
    v.value = j.at("value").get<std::string>();
    if (j.contains("contentType")) v.content_type = j.at("contentType").get<std::string>();
    v.attributes.enabled = j.at("enabled").get<bool>();
    if (j.contains("nbf")) v.attributes.nbf = stored_time(j, "nbf", 1);
    if (j.contains("exp")) v.attributes.exp = stored_time(j, "exp", 1);
    v.attributes.created = stored_time(j, "created", 1);
    v.attributes.updated = stored_time(j, "updated", 1);
    if (j.contains("tags")) v.tags = j.at("tags").get<Tags>();
    out.push_back(std::move(v));
  }
  return out;
}

nlohmann::json state_to_json(const VaultState& state) {
  nlohmann::json secrets = nlohmann::json::array();
  for (const auto& [key, record] : state.secrets) {
    nlohmann::json j;
    j["name"] = record.name;
    j["versions"] = versions_to_json(record.versions);
    j["deleted"] = record.deleted;
    j["deletedAtMs"] = record.deleted_at_ms;
    if (record.recovered_at_ms) j["recoveredAtMs"] = *record.recovered_at_ms;
    secrets.push_back(std::move(j));
  }
  return {{"format", 1}, {"secrets", std::move(secrets)}, {"purgedAtMs", state.purged_at_ms}};
}

VaultState state_from_json(const nlohmann::json& json) {
  if (json_int64(json.at("format")) != 1)
    throw std::runtime_error("unsupported localvault data format " + json.at("format").dump());
  VaultState state;
  for (const nlohmann::json& j : json.at("secrets")) {
    SecretRecord record;
    record.name = j.at("name").get<std::string>();
    if (!is_valid_secret_name(record.name))
      throw std::runtime_error("'" + record.name + "' is not a valid secret name");
    record.versions = versions_from_json(j.at("versions"));
    if (record.versions.empty())
      throw std::runtime_error("secret " + record.name + " has no versions");
    record.deleted = j.at("deleted").get<bool>();
    record.deleted_at_ms = stored_time(j, "deletedAtMs", 1000);
    if (j.contains("recoveredAtMs")) record.recovered_at_ms = stored_time(j, "recoveredAtMs", 1000);
    state.secrets.emplace(name_key(record.name), std::move(record));
  }
  const nlohmann::json& purged = json.at("purgedAtMs");
  if (!purged.is_object()) throw std::runtime_error("'purgedAtMs' must be a JSON object");
  for (const auto& [key, value] : purged.items())
    state.purged_at_ms.emplace(key, stored_time(purged, key.c_str(), 1000));
  return state;
}

}  // namespace kv::localvault
