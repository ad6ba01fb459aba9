// The secrets models: JSON field mapping and printing.
//
// Reading is two passes over one body: the JsonReader pass keeps the members the models know as
// raw values (strings stay views into the body), then the model pass checks their types in a
// fixed order and builds the model. Checking after the whole text was read keeps the errors
// what they would be for a parsed document: a syntax error anywhere wins over a wrong type, the
// last of two duplicate members counts, and the first wrong field is the same whatever the
// member order.
#include "kv/models.hpp"

#include <limits>
#include <map>
#include <stdexcept>

#include "kv/base64url.hpp"
#include "kv/url.hpp"
#include "model_json.hpp"

namespace kv {

std::ostream& operator<<(std::ostream& os, const KeyVaultSecret& secret) {
  return os << secret.Name;
}

namespace detail {

namespace {

// The attributes object of a bundle, as read.
struct RawAttributes {
  JsonValue enabled;
  JsonValue nbf;
  JsonValue exp;
  JsonValue created;
  JsonValue updated;
  JsonValue recoverable_days;
  JsonValue recovery_level;
};

// Every member of a SecretBundle, DeletedSecretBundle, list item or BackupSecretResult that a
// model reads, as it stood in the text.
struct RawBundle {
  JsonKind kind = JsonKind::Absent;  // of the whole value
  JsonValue id;
  JsonValue value;
  JsonValue content_type;
  JsonValue kid;
  JsonValue previous_version;
  JsonValue managed;
  JsonValue recovery_id;
  JsonValue deleted_date;
  JsonValue scheduled_purge_date;
  JsonKind tags_kind = JsonKind::Absent;
  std::map<std::string, JsonValue> tags;  // in key order, as the checks go through them
  JsonKind attributes_kind = JsonKind::Absent;
  RawAttributes attributes;
};

// A list page, as read.
struct RawPage {
  JsonKind kind = JsonKind::Absent;
  JsonKind value_kind = JsonKind::Absent;
  std::vector<RawBundle> items;
  JsonValue next_link;
};

bool is_container(JsonKind kind) {
  return kind == JsonKind::Object || kind == JsonKind::Array;
}

// Reads a member's value into `slot`, skipping the content of a container (the models only
// need to know that it was one).
void read_scalar(JsonReader& reader, JsonValue& slot) {
  reader.read(slot);
  if (is_container(slot.kind)) reader.skip_rest();
}

// Reads a member whose value the models expect to be an object; returns its kind. For an object,
// `members` reads its content.
template <class Members>
JsonKind read_object(JsonReader& reader, Members members) {
  JsonValue value;
  reader.read(value);
  if (value.kind == JsonKind::Object) {
    members();
  } else if (value.kind == JsonKind::Array) {
    reader.skip_rest();
  }
  return value.kind;
}

// A member the models read as a scalar, and where it goes.
template <class Raw>
struct ScalarMember {
  std::string_view name;
  JsonValue Raw::*slot;
};

constexpr ScalarMember<RawAttributes> kAttributeMembers[] = {
    {"enabled", &RawAttributes::enabled},
    {"nbf", &RawAttributes::nbf},
    {"exp", &RawAttributes::exp},
    {"created", &RawAttributes::created},
    {"updated", &RawAttributes::updated},
    {"recoverableDays", &RawAttributes::recoverable_days},
    {"recoveryLevel", &RawAttributes::recovery_level},
};

constexpr ScalarMember<RawBundle> kBundleMembers[] = {
    {"id", &RawBundle::id},
    {"value", &RawBundle::value},
    {"contentType", &RawBundle::content_type},
    {"kid", &RawBundle::kid},
    {"previousVersion", &RawBundle::previous_version},
    {"managed", &RawBundle::managed},
    {"recoveryId", &RawBundle::recovery_id},
    {"deletedDate", &RawBundle::deleted_date},
    {"scheduledPurgeDate", &RawBundle::scheduled_purge_date},
};

// Reads the members of the object the reader is in: those of `members` into their slots of
// `raw`, the others with `other(name)`, which must read or skip the value.
template <class Raw, std::size_t N, class Other>
void read_members(JsonReader& reader, Raw& raw, const ScalarMember<Raw> (&members)[N],
                  Other other) {
  JsonValue key;
  while (reader.next_member(key)) {
    const std::string_view name = key.text();
    const ScalarMember<Raw>* known = nullptr;
    for (const auto& member : members) {
      if (member.name == name) {
        known = &member;
        break;
      }
    }
    if (known) {
      read_scalar(reader, raw.*(known->slot));
    } else {
      other(name);
    }
  }
}

void read_bundle_members(JsonReader& reader, RawBundle& raw) {
  read_members(reader, raw, kBundleMembers, [&](std::string_view name) {
    if (name == "attributes") {
      raw.attributes = RawAttributes{};
      raw.attributes_kind = read_object(reader, [&] {
        read_members(reader, raw.attributes, kAttributeMembers,
                     [&](std::string_view) { reader.skip_value(); });
      });
    } else if (name == "tags") {
      raw.tags.clear();
      raw.tags_kind = read_object(reader, [&] {
        JsonValue tag;
        while (reader.next_member(tag)) read_scalar(reader, raw.tags[std::string(tag.text())]);
      });
    } else {
      reader.skip_value();
    }
  });
}

// Reads one bundle-shaped value (the reader is before it).
void read_bundle_value(JsonReader& reader, RawBundle& raw) {
  JsonValue value;
  reader.read(value);
  raw.kind = value.kind;
  if (value.kind == JsonKind::Object) {
    read_bundle_members(reader, raw);
  } else if (value.kind == JsonKind::Array) {
    reader.skip_rest();
  }
}

RawBundle read_raw_bundle(std::string_view text) {
  JsonReader reader(text);
  RawBundle raw;
  read_bundle_value(reader, raw);
  reader.finish();
  return raw;
}

RawPage read_raw_page(std::string_view text) {
  JsonReader reader(text);
  RawPage raw;
  JsonValue top;
  reader.read(top);
  raw.kind = top.kind;
  if (top.kind == JsonKind::Object) {
    JsonValue key;
    while (reader.next_member(key)) {
      const std::string_view name = key.text();
      if (name == "value") {
        raw.items.clear();
        JsonValue value;
        reader.read(value);
        raw.value_kind = value.kind;
        if (value.kind == JsonKind::Array) {
          while (reader.next_element()) read_bundle_value(reader, raw.items.emplace_back());
        } else if (value.kind == JsonKind::Object) {
          reader.skip_rest();
        }
      } else if (name == "nextLink") {
        read_scalar(reader, raw.next_link);
      } else {
        reader.skip_value();
      }
    }
  } else if (top.kind == JsonKind::Array) {
    reader.skip_rest();
  }
  reader.finish();
  return raw;
}

// ---- The model pass: types checked in a fixed order, messages naming the field. ----

[[noreturn]] void wrong_type(const std::string& field, const char* expected, JsonKind found) {
  throw std::runtime_error("field '" + field + "': expected " + expected + ", found " +
                           kind_name(found));
}

Nullable<std::string> string_field(JsonValue& value, const char* path, const char* name) {
  if (value.missing()) return std::nullopt;
  if (value.kind != JsonKind::String) wrong_type(std::string(path) + name, "a string", value.kind);
  return value.take_text();
}

Nullable<bool> bool_field(const JsonValue& value, const char* path, const char* name) {
  if (value.missing()) return std::nullopt;
  if (value.kind != JsonKind::Boolean) {
    wrong_type(std::string(path) + name, "a boolean", value.kind);
  }
  return value.boolean;
}

// Integers or numeric strings: both occur in real responses and recordings.
Nullable<std::int64_t> integer_field(const JsonValue& value, const char* path, const char* name) {
  switch (value.kind) {
    case JsonKind::Absent:
    case JsonKind::Null:
      return std::nullopt;
    case JsonKind::Integer:
      return value.integer;
    case JsonKind::Unsigned:
      return static_cast<std::int64_t>(value.unsigned_integer);
    case JsonKind::Float:
      // Converting a double outside the range of int64 is undefined; such a value is no time.
      if (!(value.floating > -9.2e18 && value.floating < 9.2e18)) {
        throw std::runtime_error("field '" + std::string(path) + name + "': number out of range");
      }
      return static_cast<std::int64_t>(value.floating);
    case JsonKind::String: {
      const std::string text(value.text());
      try {
        std::size_t used = 0;
        long long parsed = std::stoll(text, &used);
        if (used == text.size()) return parsed;
      } catch (const std::exception&) {
        // Falls through to the error below, which names the field.
      }
      throw std::runtime_error("field '" + std::string(path) + name +
                               "': expected a number, found \"" + text + "\"");
    }
    default:
      wrong_type(std::string(path) + name, "a number or numeric string", value.kind);
  }
}

Nullable<TimePoint> time_field(const JsonValue& value, const char* path, const char* name) {
  auto seconds = integer_field(value, path, name);
  if (!seconds) return std::nullopt;
  // A time point counts nanoseconds in 64 bits: about 292 years either side of 1970.
  constexpr std::int64_t kLimit = std::numeric_limits<std::int64_t>::max() / 1'000'000'000;
  if (*seconds > kLimit || *seconds < -kLimit) {
    throw std::runtime_error("field '" + std::string(path) + name + "': " +
                             std::to_string(*seconds) + " seconds is out of the range of times");
  }
  return from_unix_seconds(*seconds);
}

void build_properties(RawBundle& raw, SecretProperties& props) {
  if (raw.kind != JsonKind::Object) {
    throw std::runtime_error(std::string("expected a JSON object, found ") + kind_name(raw.kind));
  }
  if (auto id = string_field(raw.id, "", "id")) {
    props.Id = std::move(*id);
    ObjectId parts = parse_object_id(props.Id);
    props.Name = std::move(parts.name);
    props.Version = std::move(parts.version);
    props.VaultUrl = std::move(parts.vault_url);
  }
  props.ContentType = string_field(raw.content_type, "", "contentType");
  props.KeyId = string_field(raw.kid, "", "kid");
  props.PreviousVersion = string_field(raw.previous_version, "", "previousVersion");
  props.Managed = bool_field(raw.managed, "", "managed");
  if (raw.tags_kind != JsonKind::Absent && raw.tags_kind != JsonKind::Null) {
    if (raw.tags_kind != JsonKind::Object) wrong_type("tags", "an object", raw.tags_kind);
    for (auto& [key, value] : raw.tags) {
      if (value.kind == JsonKind::String) {
        props.Tags[key] = value.take_text();
      } else if (value.kind != JsonKind::Null) {
        wrong_type("tags." + key, "a string", value.kind);
      }
    }
  }
  if (raw.attributes_kind != JsonKind::Absent && raw.attributes_kind != JsonKind::Null) {
    if (raw.attributes_kind != JsonKind::Object) {
      wrong_type("attributes", "an object", raw.attributes_kind);
    }
    RawAttributes& a = raw.attributes;
    const char* path = "attributes.";
    props.Enabled = bool_field(a.enabled, path, "enabled");
    props.NotBefore = time_field(a.nbf, path, "nbf");
    props.ExpiresOn = time_field(a.exp, path, "exp");
    props.CreatedOn = time_field(a.created, path, "created");
    props.UpdatedOn = time_field(a.updated, path, "updated");
    if (auto days = integer_field(a.recoverable_days, path, "recoverableDays")) {
      props.RecoverableDays = static_cast<std::int32_t>(*days);
    }
    props.RecoveryLevel = string_field(a.recovery_level, path, "recoveryLevel");
  }
}

SecretProperties build_secret_properties(RawBundle& raw) {
  SecretProperties props;
  build_properties(raw, props);
  return props;
}

KeyVaultSecret build_secret(RawBundle& raw) {
  KeyVaultSecret secret;
  build_properties(raw, secret.Properties);
  secret.Value = string_field(raw.value, "", "value");
  secret.Name = secret.Properties.Name;
  secret.Id = secret.Properties.Id;
  return secret;
}

DeletedSecret build_deleted_secret(RawBundle& raw) {
  DeletedSecret deleted;
  static_cast<KeyVaultSecret&>(deleted) = build_secret(raw);
  deleted.RecoveryId = string_field(raw.recovery_id, "", "recoveryId");
  deleted.DeletedOn = time_field(raw.deleted_date, "", "deletedDate");
  deleted.ScheduledPurgeDate = time_field(raw.scheduled_purge_date, "", "scheduledPurgeDate");
  if (deleted.Name.empty() && !deleted.RecoveryId.ValueOr("").empty()) {
    // The recovery id names the deleted secret even when the id is sanitized or absent.
    ObjectId recovery = parse_object_id(deleted.RecoveryId.Value());
    deleted.Name = recovery.name;
    deleted.Properties.Name = recovery.name;
    if (deleted.Properties.VaultUrl.empty()) deleted.Properties.VaultUrl = recovery.vault_url;
  }
  return deleted;
}

template <class Item, class Build>
Page<Item> build_page(RawPage& raw, Build build) {
  Page<Item> page;
  if (raw.kind != JsonKind::Object)
    throw std::runtime_error("list response: expected a JSON object");
  if (raw.value_kind != JsonKind::Absent && raw.value_kind != JsonKind::Null) {
    if (raw.value_kind != JsonKind::Array) {
      throw std::runtime_error("list response: 'value' is not an array");
    }
    page.items.reserve(raw.items.size());
    for (std::size_t i = 0; i < raw.items.size(); ++i) {
      try {
        page.items.push_back(build(raw.items[i]));
      } catch (const std::runtime_error& e) {
        throw std::runtime_error("list response: value[" + std::to_string(i) + "]: " + e.what());
      }
    }
  }
  if (!raw.next_link.missing()) {
    if (raw.next_link.kind != JsonKind::String) {
      throw std::runtime_error("list response: 'nextLink' is not a string");
    }
    page.next_link = raw.next_link.take_text();
  }
  return page;
}

}  // namespace

TimePoint from_unix_seconds(std::int64_t seconds) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::seconds(seconds)));
}

std::int64_t to_unix_seconds(TimePoint time) {
  return std::chrono::floor<std::chrono::seconds>(time.time_since_epoch()).count();
}

ObjectId parse_object_id(std::string_view id) {
  ObjectId parts;
  Url url;
  try {
    url = Url(id);
  } catch (const std::invalid_argument&) {
    return parts;  // Sanitized recordings replace ids by placeholders; that is not an error.
  }
  // The first three non-empty path segments are collection, name and version (no allocation:
  // this runs for every bundle the client reads; Url::path_segments() is the general form).
  std::string_view segments[3];
  std::size_t count = 0;
  const std::string_view path = url.path();
  for (std::size_t start = 1; start <= path.size() && count < 3;) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) segments[count++] = path.substr(start, slash - start);
    start = slash + 1;
  }
  if (count < 2) return parts;
  parts.vault_url = url.authority_url();
  parts.collection = url_decode(segments[0]);
  parts.name = url_decode(segments[1]);
  if (count == 3) parts.version = url_decode(segments[2]);
  return parts;
}

SecretProperties read_secret_properties(std::string_view body) {
  RawBundle raw = read_raw_bundle(body);
  return build_secret_properties(raw);
}

KeyVaultSecret read_secret(std::string_view body) {
  RawBundle raw = read_raw_bundle(body);
  return build_secret(raw);
}

DeletedSecret read_deleted_secret(std::string_view body) {
  RawBundle raw = read_raw_bundle(body);
  return build_deleted_secret(raw);
}

std::vector<std::uint8_t> read_backup(std::string_view body) {
  RawBundle raw = read_raw_bundle(body);
  if (raw.kind != JsonKind::Object || raw.value.kind != JsonKind::String) {
    throw std::runtime_error("backup response has no string 'value'");
  }
  return base64url_decode(raw.value.text());
}

Page<SecretProperties> read_properties_page(std::string_view body) {
  RawPage raw = read_raw_page(body);
  return build_page<SecretProperties>(raw, build_secret_properties);
}

Page<DeletedSecret> read_deleted_page(std::string_view body) {
  RawPage raw = read_raw_page(body);
  return build_page<DeletedSecret>(raw, build_deleted_secret);
}

}  // namespace detail
}  // namespace kv
