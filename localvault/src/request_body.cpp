#include "request_body.hpp"

#include <nlohmann/json.hpp>

#include "kv/localvault/errors.hpp"

namespace kv::localvault::detail {

namespace {
using Json = nlohmann::json;

// The offending token of nlohmann's "number overflow parsing '<token>'", cut short.
std::string overflow_token(std::string_view what) {
  std::size_t open = what.find('\'');
  std::size_t close = what.rfind('\'');
  if (open == std::string_view::npos || close <= open) return "?";
  return errors::shortened(what.substr(open + 1, close - open - 1), 40);
}

std::variant<Json, std::string> parse_object(std::string_view body) {
  Json json;
  try {
    json = Json::parse(body);
  } catch (const Json::parse_error& e) {
    return "The request body is not valid JSON (error at byte " + std::to_string(e.byte) + ").";
  } catch (const Json::out_of_range& e) {
    // Valid JSON such as 1e400 that no double holds; even in an ignored member it is refused.
    return "The request body contains a number out of range: " + overflow_token(e.what()) + ".";
  } catch (const Json::exception&) {
    return std::string("The request body is not valid JSON.");
  }
  if (!json.is_object()) return std::string("The request body must be a JSON object.");
  return json;
}

std::string time_rule(std::string_view member) {
  return "Property '" + std::string(member) +
         "' must be an integer number of seconds since 1970-01-01 UTC, from " +
         std::to_string(kEarliestUnixTime) + " (0001-01-01) to " + std::to_string(kLatestUnixTime) +
         " (9999-12-31).";
}

// A time in range, or nullopt for anything else (wrong type, fraction, out of range).
std::optional<std::int64_t> as_time(const Json& j) {
  std::optional<std::int64_t> seconds = json_int64(j);
  if (!seconds || !is_valid_unix_time(*seconds)) return std::nullopt;
  return seconds;
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
        if (!value) return time_rule("attributes." + std::string(key));
      }
      (std::string_view(key) == "nbf" ? out.nbf : out.exp) = value;
    }
    // Read-only times are ignored, as the service does, but must still be times.
    for (const char* key : {"created", "updated"}) {
      auto t = it->find(key);
      if (t != it->end() && !t->is_null() && !as_time(*t))
        return time_rule("attributes." + std::string(key));
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
