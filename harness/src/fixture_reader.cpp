// Reading fixtures: the test-proxy / .NET SessionRecord shape and the legacy azure-sdk-for-cpp
// recorder shape, with errors that name the file, the position and what was expected.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include "kv/harness/json_pointer.hpp"

#include "base64.hpp"
#include "kv/harness/diagnostic.hpp"
#include "kv/harness/fixture.hpp"

namespace kv::harness {

FixtureError::FixtureError(Diagnostic diagnostic)
    : std::runtime_error(diagnostic.message()), diagnostic_(std::move(diagnostic)) {}

namespace {

class Reader {
 public:
  explicit Reader(std::string name) : name_(std::move(name)) {}

  [[noreturn]] void fail(const std::string& pointer, const std::string& expected,
                         const std::string& found, const char* id = "wrong-type",
                         std::string hint = {}) const {
    throw FixtureError(
        Diagnostic{name_, pointer.empty() ? "/" : pointer, id, expected, found, std::move(hint)});
  }

  const Json& require(const Json& object, const std::string& pointer, const char* key,
                      const char* expected) const {
    auto it = object.find(key);
    if (it == object.end()) {
      fail(pointer + "/" + key, expected, "nothing (the key is missing)", "missing-field");
    }
    return *it;
  }

  std::string string_at(const Json& object, const std::string& pointer, const char* key) const {
    const Json& value = require(object, pointer, key, "a string");
    if (!value.is_string()) fail(pointer + "/" + key, "a string", describe_json(value));
    return value.get<std::string>();
  }

  http::Headers headers_at(const Json& object, const std::string& pointer, const char* key) const {
    http::Headers headers;
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return headers;
    const std::string here = pointer + "/" + key;
    if (!it->is_object()) fail(here, "an object of header names to strings", describe_json(*it));
    for (const auto& [name, value] : it->items()) {
      const std::string field = here + "/" + escape_pointer_token(name);
      if (value.is_string()) {
        headers.add(name, value.get<std::string>());
      } else if (value.is_array()) {
        // Older .NET files store some headers (User-Agent, Set-Cookie) as arrays of strings.
        for (std::size_t i = 0; i < value.size(); ++i) {
          if (!value[i].is_string()) {
            fail(field + "/" + std::to_string(i), "a string", describe_json(value[i]));
          }
          headers.add(name, value[i].get<std::string>());
        }
      } else {
        fail(field, "a string or an array of strings", describe_json(value));
      }
    }
    return headers;
  }

  Body body_at(const Json& entry, const std::string& pointer, const char* key,
               const char* encoding_key, const http::Headers& headers) const {
    auto it = entry.find(key);
    if (it == entry.end() || it->is_null()) return {};
    const std::string here = pointer + "/" + key;
    std::string encoding;
    if (auto enc = entry.find(encoding_key); enc != entry.end()) {
      if (!enc->is_string() || (*enc != "base64" && *enc != "text")) {
        fail(pointer + "/" + encoding_key, "\"base64\" or \"text\"", describe_json(*enc));
      }
      encoding = enc->get<std::string>();
    }
    const std::string* content_type = headers.find("Content-Type");
    const bool json_type =
        content_type != nullptr && content_type->find("json") != std::string::npos;
    if (encoding == "base64") {
      if (!it->is_string()) fail(here, "a base64 string", describe_json(*it));
      auto bytes = detail::base64_decode(it->get_ref<const std::string&>());
      if (!bytes) {
        fail(here, "valid base64", "a string with characters outside base64", "bad-base64");
      }
      Body body;
      body.kind = Body::Kind::Binary;
      body.bytes = std::move(*bytes);
      return body;
    }
    if (it->is_string()) return Body::from_text(it->get_ref<const std::string&>());
    // The test proxy stores text bodies of non-JSON content split into an array of lines.
    if (it->is_array() && !json_type && !it->empty() &&
        std::all_of(it->begin(), it->end(), [](const Json& v) { return v.is_string(); })) {
      std::string text;
      for (std::size_t i = 0; i < it->size(); ++i) {
        if (i > 0) text += '\n';
        text += (*it)[i].get<std::string>();
      }
      return Body::from_text(text);
    }
    return Body::from_json(*it);
  }

  int status_at(const Json& object, const std::string& pointer, const char* key) const {
    const Json& value = require(object, pointer, key, "an HTTP status code");
    int status = 0;
    if (value.is_number_integer()) {
      status = value.get<int>();
    } else if (value.is_string()) {
      // The legacy recorder writes statuses as strings ("200").
      const std::string& text = value.get_ref<const std::string&>();
      if (text.empty() || text.size() > 3 ||
          text.find_first_not_of("0123456789") != std::string::npos) {
        fail(pointer + "/" + key, "an HTTP status code", describe_json(value), "bad-status");
      }
      status = std::stoi(text);
    } else {
      fail(pointer + "/" + key, "an HTTP status code", describe_json(value));
    }
    if (status < 100 || status > 599) {
      fail(pointer + "/" + key, "an HTTP status code between 100 and 599", describe_json(value),
           "bad-status");
    }
    return status;
  }

  Entry test_proxy_entry(const Json& item, const std::string& pointer) const {
    if (!item.is_object()) fail(pointer, "an entry object", describe_json(item));
    Entry entry;
    entry.request_uri = string_at(item, pointer, "RequestUri");
    entry.request_method = string_at(item, pointer, "RequestMethod");
    entry.request_headers = headers_at(item, pointer, "RequestHeaders");
    entry.request_body =
        body_at(item, pointer, "RequestBody", "RequestBodyEncoding", entry.request_headers);
    if (auto it = item.find("RequestBodyRecorded"); it != item.end()) {
      if (!it->is_boolean())
        fail(pointer + "/RequestBodyRecorded", "true or false", describe_json(*it));
      entry.request_body_recorded = it->get<bool>();
    }
    entry.status_code = status_at(item, pointer, "StatusCode");
    entry.response_headers = headers_at(item, pointer, "ResponseHeaders");
    entry.response_body =
        body_at(item, pointer, "ResponseBody", "ResponseBodyEncoding", entry.response_headers);
    return entry;
  }

  Entry legacy_entry(const Json& item, const std::string& pointer) const {
    if (!item.is_object()) fail(pointer, "a network call record object", describe_json(item));
    Entry entry;
    entry.request_uri = string_at(item, pointer, "Url");
    entry.request_method = string_at(item, pointer, "Method");
    entry.request_headers = headers_at(item, pointer, "Headers");
    // The legacy recorder never stored request bodies.
    entry.request_body_recorded = false;
    const std::string response_pointer = pointer + "/Response";
    const Json& response = require(item, pointer, "Response", "a response object");
    if (!response.is_object()) fail(response_pointer, "a response object", describe_json(response));
    entry.status_code = status_at(response, response_pointer, "STATUS_CODE");
    std::string body;
    for (const auto& [name, value] : response.items()) {
      if (name == "STATUS_CODE" || name == "REASON_PHRASE") continue;
      if (!value.is_string()) {
        fail(response_pointer + "/" + escape_pointer_token(name), "a string", describe_json(value));
      }
      if (name == "BODY") {
        body = value.get<std::string>();
      } else {
        entry.response_headers.add(name, value.get<std::string>());
      }
    }
    const std::string* content_type = entry.response_headers.find("content-type");
    entry.response_body =
        Body::from_bytes(http::to_bytes(body), content_type ? *content_type : std::string_view{});
    return entry;
  }

  // Takes the document by reference and frees each entry's node once converted, so that a large
  // fixture does not hold the whole parsed document and the whole converted fixture at once.
  Fixture read(Json& root) const {
    if (!root.is_object()) {
      fail("", "an object with \"Entries\"", describe_json(root), "not-a-fixture");
    }
    Fixture fixture;
    if (auto legacy = root.find("networkCallRecords"); legacy != root.end()) {
      if (!legacy->is_array()) fail("/networkCallRecords", "an array", describe_json(*legacy));
      fixture.source = FixtureSource::LegacyCpp;
      for (std::size_t i = 0; i < legacy->size(); ++i) {
        fixture.entries.push_back(
            legacy_entry((*legacy)[i], "/networkCallRecords/" + std::to_string(i)));
      }
      return fixture;
    }
    auto entries = root.find("Entries");
    if (entries == root.end()) {
      fail("/Entries", "an array of entries (or \"networkCallRecords\")",
           "nothing (the key is missing)", "not-a-fixture",
           "a test-proxy recording has \"Entries\"; a legacy C++ one \"networkCallRecords\"");
    }
    if (!entries->is_array()) fail("/Entries", "an array of entries", describe_json(*entries));
    fixture.source = FixtureSource::TestProxy;
    fixture.entries.reserve(entries->size());
    for (std::size_t i = 0; i < entries->size(); ++i) {
      fixture.entries.push_back(test_proxy_entry((*entries)[i], "/Entries/" + std::to_string(i)));
      (*entries)[i] = nullptr;
    }
    if (auto vars = root.find("Variables"); vars != root.end() && !vars->is_null()) {
      if (!vars->is_object())
        fail("/Variables", "an object of names to strings", describe_json(*vars));
      for (const auto& [name, value] : vars->items()) {
        if (!value.is_string()) {
          fail("/Variables/" + escape_pointer_token(name), "a string", describe_json(value));
        }
        fixture.variables[name] = value.get<std::string>();
      }
    }
    if (auto meta = root.find("kvharness"); meta != root.end()) {
      if (!meta->is_object()) fail("/kvharness", "an object", describe_json(*meta));
      fixture.has_metadata = true;
      auto& m = fixture.metadata;
      auto read_string = [&](const char* key, std::string& out) {
        if (auto it = meta->find(key); it != meta->end()) {
          if (!it->is_string())
            fail(std::string("/kvharness/") + key, "a string", describe_json(*it));
          out = it->get<std::string>();
        }
      };
      if (auto it = meta->find("formatVersion"); it != meta->end()) {
        if (!it->is_number_integer()) {
          fail("/kvharness/formatVersion", "an integer", describe_json(*it));
        }
        m.format_version = it->get<int>();
        if (m.format_version != 1) {
          fail("/kvharness/formatVersion", "format version 1 (this kvharness reads only 1)",
               describe_json(*it), "unsupported-version",
               "the fixture was written by a newer kvharness; upgrade kvharness");
        }
      }
      read_string("toolVersion", m.tool_version);
      read_string("apiVersion", m.api_version);
      read_string("recordedAt", m.recorded_at);
      if (auto it = meta->find("sanitizers"); it != meta->end()) m.sanitizers = *it;
      if (auto it = meta->find("matchRules"); it != meta->end()) {
        if (!it->is_object()) fail("/kvharness/matchRules", "an object", describe_json(*it));
        m.match_rules = *it;
      }
    }
    return fixture;
  }

 private:
  std::string name_;
};

}  // namespace

Fixture parse_fixture(std::string_view text, const std::string& name) {
  Json root;
  try {
    root = Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& error) {
    // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..."
    std::string message = error.what();
    if (auto colon = message.find(": "); colon != std::string::npos) {
      message = message.substr(colon + 2);
    }
    const std::size_t byte = error.byte > 0 ? error.byte - 1 : 0;
    throw FixtureError(
        Diagnostic{name, line_column(text, byte), "syntax-error", "valid JSON", message, ""});
  }
  return Reader(name).read(root);
}

Fixture load_fixture(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!ec && std::filesystem::is_directory(status)) {
    throw FixtureError(Diagnostic{path, "", "unreadable-file", "a fixture file", "a folder",
                                  "give the path of a .json recording inside it"});
  }
  if (!ec && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    throw FixtureError(Diagnostic{path, "", "unreadable-file", "a fixture file",
                                  "a device, pipe or socket, not a regular file", ""});
  }
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    throw FixtureError(Diagnostic{path, "", "unreadable-file", "a readable fixture file",
                                  std::string("it cannot be opened (") + std::strerror(errno) + ")",
                                  ""});
  }
  // One buffer of the file's size: a stringstream would hold the text twice.
  const std::streamoff size = in.tellg();
  std::string content(size > 0 ? static_cast<std::size_t>(size) : 0, '\0');
  in.seekg(0);
  if (size > 0 && !in.read(content.data(), size)) {
    throw FixtureError(Diagnostic{path, "", "unreadable-file", "a readable fixture file",
                                  std::string("a read error (") + std::strerror(errno) + ")", ""});
  }
  return parse_fixture(content, path);
}

}  // namespace kv::harness
