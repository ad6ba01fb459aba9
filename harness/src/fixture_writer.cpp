// Writing fixtures: the test-proxy shape, fixed key order, pretty-printed, atomically replaced.
#include "base64.hpp"
#include "kv/harness/files.hpp"
#include "kv/harness/fixture.hpp"

namespace kv::harness {

namespace {

Json headers_to_json(const HeaderList& headers) {
  Json out = Json::object();
  std::string key;
  for (const auto [name, value] : headers) {
    key.assign(name);
    auto it = out.find(key);
    if (it == out.end()) {
      out[key] = value;
    } else {
      // A repeated header becomes an array of its values, as older .NET files have it.
      if (!it->is_array()) *it = Json::array({*it});
      it->push_back(value);
    }
  }
  return out;
}

void write_body(Json& entry, const char* key, const char* encoding_key, const Body& body) {
  switch (body.kind) {
    case Body::Kind::None:
      entry[key] = nullptr;
      break;
    case Body::Kind::Json:
      entry[key] = body.json();
      break;
    case Body::Kind::Text:
      entry[key] = std::string(http::as_text(body.bytes));
      break;
    case Body::Kind::Binary:
      entry[key] = detail::base64_encode(http::as_text(body.bytes));
      entry[encoding_key] = "base64";
      break;
  }
}

}  // namespace

Json fixture_to_json(const Fixture& fixture) {
  Json root = Json::object();
  Json entries = Json::array();
  for (const Entry& e : fixture.entries) {
    Json entry = Json::object();
    entry["RequestUri"] = e.request_uri;
    entry["RequestMethod"] = e.request_method;
    entry["RequestHeaders"] = headers_to_json(e.request_headers);
    write_body(entry, "RequestBody", "RequestBodyEncoding", e.request_body);
    if (!e.request_body_recorded) entry["RequestBodyRecorded"] = false;
    entry["StatusCode"] = e.status_code;
    entry["ResponseHeaders"] = headers_to_json(e.response_headers);
    write_body(entry, "ResponseBody", "ResponseBodyEncoding", e.response_body);
    entries.push_back(std::move(entry));
  }
  root["Entries"] = std::move(entries);
  Json variables = Json::object();
  for (const auto& [name, value] : fixture.variables) variables[name] = value;
  root["Variables"] = std::move(variables);
  const FixtureMetadata& m = fixture.metadata;
  Json meta = Json::object();
  meta["formatVersion"] = m.format_version;
  meta["toolVersion"] = m.tool_version;
  meta["apiVersion"] = m.api_version;
  // Written only when known, so that an older fixture saved again stays as it was.
  if (!m.service_version.empty()) meta["serviceVersion"] = m.service_version;
  meta["recordedAt"] = m.recorded_at;
  meta["sanitizers"] = m.sanitizers;
  if (!m.sanitizers_digest.empty()) meta["sanitizersDigest"] = m.sanitizers_digest;
  meta["matchRules"] = m.match_rules;
  root["kvharness"] = std::move(meta);
  return root;
}

std::string serialize_fixture(const Fixture& fixture) {
  std::string text = fixture_to_json(fixture).dump(2, ' ', false, Json::error_handler_t::replace);
  text += '\n';
  return text;
}

void save_fixture(const Fixture& fixture, const std::string& path) {
  // Serialise first: a serialisation error must not touch the existing file.
  const std::string text = serialize_fixture(fixture);
  write_file_atomically(path, text);
}

}  // namespace kv::harness
