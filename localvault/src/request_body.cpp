#include "request_body.hpp"

#include <nlohmann/json.hpp>

namespace kv::localvault::detail {

namespace {
using Json = nlohmann::json;

std::variant<Json, std::string> parse_object(std::string_view body) {
  Json json;
  try {
    json = Json::parse(body);
  } catch (const Json::parse_error& e) {
    return "The request body is not valid JSON (error at byte " + std::to_string(e.byte) + ").";
  }
  if (!json.is_object()) return std::string("The request body must be a JSON object.");
  return json;
}

std::optional<std::int64_t> as_time(const Json& j) {
  if (j.is_number_integer()) return j.get<std::int64_t>();
  if (j.is_number_unsigned() && j.get<std::uint64_t>() <= INT64_MAX) return j.get<std::int64_t>();
  return std::nullopt;
}

// Reads contentType, attributes and tags; unknown members are ignored as the service does.
std::optional<std::string> read_properties(const Json& json, PropertyChanges& out) {
  if (auto it = json.find("contentType"); it != json.end()) {
    if (it->is_null()) {
      out.content_type = std::optional<std::string>{};
    } else if (!it->is_string() || it->get_ref<const std::string&>().size() > kMaxContentType) {
      return "Property 'contentType' must be a string of at most " +
             std::to_string(kMaxContentType) + " characters.";
    } else {
      out.content_type = it->get<std::string>();
    }
  }
  if (auto it = json.find("attributes"); it != json.end() && !it->is_null()) {
    if (!it->is_object()) return std::string("Property 'attributes' must be a JSON object.");
    if (auto e = it->find("enabled"); e != it->end() && !e->is_null()) {
      if (!e->is_boolean()) return std::string("Property 'attributes.enabled' must be a boolean.");
      out.enabled = e->get<bool>();
    }
    for (const char* key : {"nbf", "exp"}) {
      auto t = it->find(key);
      if (t == it->end()) continue;
      std::optional<std::int64_t> value;
      if (!t->is_null()) {
        value = as_time(*t);
        if (!value)
          return "Property 'attributes." + std::string(key) +
                 "' must be an integer number of seconds since 1970-01-01 UTC.";
      }
      (std::string_view(key) == "nbf" ? out.nbf : out.exp) = value;
    }
  }
  if (auto it = json.find("tags"); it != json.end() && !it->is_null()) {
    if (!it->is_object()) return std::string("Property 'tags' must be a JSON object.");
    if (it->size() > kMaxTags)
      return "A secret can have at most " + std::to_string(kMaxTags) + " tags.";
    Tags tags;
    for (auto& [k, v] : it->items()) {
      if (!v.is_string() || k.size() > kMaxTagLength ||
          v.get_ref<const std::string&>().size() > kMaxTagLength)
        return "Tag names and values must be strings of at most " + std::to_string(kMaxTagLength) +
               " characters.";
      tags.emplace(k, v.get<std::string>());
    }
    out.tags = std::move(tags);
  }
  return std::nullopt;
}
}  // namespace

std::variant<SetBody, std::string> parse_set_body(std::string_view body) {
  auto parsed = parse_object(body);
  if (auto* error = std::get_if<std::string>(&parsed)) return *error;
  const Json& json = std::get<Json>(parsed);
  auto value = json.find("value");
  if (value == json.end() || !value->is_string())
    return std::string("Property 'value' is required and must be a string.");
  SetBody out;
  out.value = value->get<std::string>();
  if (out.value.size() > kMaxValueBytes)
    return "The secret value is larger than the limit of " + std::to_string(kMaxValueBytes) +
           " bytes.";
  if (auto error = read_properties(json, out.properties)) return *error;
  return out;
}

std::variant<PropertyChanges, std::string> parse_update_body(std::string_view body) {
  auto parsed = parse_object(body);
  if (auto* error = std::get_if<std::string>(&parsed)) return *error;
  PropertyChanges out;
  if (auto error = read_properties(std::get<Json>(parsed), out)) return *error;
  return out;
}

std::variant<std::string, std::monostate> parse_restore_body(std::string_view body,
                                                             std::string& error) {
  auto parsed = parse_object(body);
  if (auto* message = std::get_if<std::string>(&parsed)) {
    error = *message;
    return std::monostate{};
  }
  const Json& json = std::get<Json>(parsed);
  auto value = json.find("value");
  if (value == json.end() || !value->is_string()) {
    error = "Property 'value' is required and must be a base64url string.";
    return std::monostate{};
  }
  return value->get<std::string>();
}

void apply_changes(const PropertyChanges& changes, SecretVersion& version) {
  if (changes.content_type) version.content_type = *changes.content_type;
  if (changes.enabled) version.attributes.enabled = *changes.enabled;
  if (changes.nbf) version.attributes.nbf = *changes.nbf;
  if (changes.exp) version.attributes.exp = *changes.exp;
  if (changes.tags) version.tags = *changes.tags;
}

}  // namespace kv::localvault::detail
