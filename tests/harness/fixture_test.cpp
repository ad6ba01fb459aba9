// The fixture format: round trips, the three input shapes, error messages, atomic writes.
#include <catch2/catch.hpp>

#include "skip.hpp"

#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <optional>

#include "kv/harness/fixture.hpp"
#include "test_paths.hpp"

using namespace kv;
using namespace kv::harness;

namespace {

Fixture sample_fixture() {
  Fixture f;
  Entry json_entry;
  json_entry.request_uri = "https://fakevault.vault.azure.net/secrets/a?api-version=7.5";
  json_entry.request_method = "PUT";
  json_entry.request_headers.add("Content-Type", "application/json");
  json_entry.request_headers.add("Authorization", "Sanitized");
  json_entry.request_body =
      Body::from_json(Json::parse(R"({"value":"v","tags":{"b":"1","a":"2"}})"));
  json_entry.status_code = 200;
  json_entry.response_headers.add("Content-Type", "application/json; charset=utf-8");
  json_entry.response_body =
      Body::from_json(Json::parse(R"({"value":"v","id":"x","attributes":{"enabled":true}})"));
  f.entries.push_back(json_entry);

  Entry binary;
  binary.request_uri = "https://fakevault.vault.azure.net/blob?api-version=7.5";
  binary.request_method = "POST";
  binary.request_body = Body::from_bytes({0x00, 0xFF, 0x10, 0x80}, "application/octet-stream");
  binary.status_code = 201;
  binary.response_body = Body::from_text("plain text\nsecond line");
  binary.response_headers.add("Set-Cookie", "a=Sanitized");
  binary.response_headers.add("Set-Cookie", "b=Sanitized");
  f.entries.push_back(binary);
  f.variables["secretName"] = "name-1234";
  f.has_metadata = true;
  f.metadata.tool_version = "0.1.0";
  f.metadata.api_version = "7.5";
  f.metadata.recorded_at = "2026-01-01T00:00:00Z";
  return f;
}

}  // namespace

TEST_CASE("A fixture survives a save and load round trip unchanged", "[fixture][playback]") {
  test::ScratchDir dir("roundtrip");
  const Fixture original = sample_fixture();
  save_fixture(original, dir.file("f.json"));
  const Fixture loaded = load_fixture(dir.file("f.json"));
  REQUIRE(loaded.entries.size() == 2);
  CHECK(loaded.entries[0].request_body.kind == Body::Kind::Json);
  CHECK(loaded.entries[0].request_body.bytes == original.entries[0].request_body.bytes);
  CHECK(loaded.entries[0].response_body.json() == original.entries[0].response_body.json());
  CHECK(loaded.entries[1].request_body.kind == Body::Kind::Binary);
  CHECK(loaded.entries[1].request_body.bytes == http::Bytes{0x00, 0xFF, 0x10, 0x80});
  CHECK(loaded.entries[1].response_body.kind == Body::Kind::Text);
  CHECK(http::as_text(loaded.entries[1].response_body.bytes) == "plain text\nsecond line");
  CHECK(loaded.entries[1].response_headers.size() == 2);
  CHECK(loaded.variables.at("secretName") == "name-1234");
  CHECK(loaded.metadata.api_version == "7.5");
  // Saving what was loaded gives the same bytes: a re-record of the same traffic is a no-op diff.
  CHECK(serialize_fixture(loaded) == serialize_fixture(original));
}

TEST_CASE("A saved fixture is pretty-printed in the test-proxy shape with a marked binary body",
          "[fixture][playback]") {
  const std::string text = serialize_fixture(sample_fixture());
  const Json json = Json::parse(text);
  REQUIRE(json.contains("Entries"));
  REQUIRE(json.contains("Variables"));
  REQUIRE(json.contains("kvharness"));
  const auto& first = json["Entries"][0];
  std::vector<std::string> keys;
  for (const auto& [k, v] : first.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"RequestUri", "RequestMethod", "RequestHeaders",
                                         "RequestBody", "StatusCode", "ResponseHeaders",
                                         "ResponseBody"});
  // JSON bodies are embedded as JSON, keeping the recorded key order.
  CHECK(first["RequestBody"].is_object());
  CHECK(first["RequestBody"]["tags"].dump() == R"({"b":"1","a":"2"})");
  CHECK(json["Entries"][1]["RequestBody"] == "AP8QgA==");
  CHECK(json["Entries"][1]["RequestBodyEncoding"] == "base64");
  CHECK(json["Entries"][1]["ResponseHeaders"]["Set-Cookie"].is_array());
  CHECK(text.find("\n  \"Entries\": [\n") != std::string::npos);
  CHECK(text.back() == '\n');
}

TEST_CASE("A load error names the file, line and column, and what was expected",
          "[fixture][playback]") {
  try {
    parse_fixture("{\n  \"Entries\": [\n    {,\n  ]\n}\n", "broken.json");
    FAIL("no error");
  } catch (const FixtureError& e) {
    CHECK(std::string(e.what()) ==
          "broken.json: error at line 3, column 6 [syntax-error]\n"
          "  expected: valid JSON\n"
          "  found:    syntax error while parsing object key - unexpected ','; expected string "
          "literal");
    CHECK(e.where() == "line 3, column 6");
  }
}

TEST_CASE("A structural error names the JSON Pointer and what was found", "[fixture][playback]") {
  const std::string text = R"({"Entries": [{"RequestUri": "https://v/x", "RequestMethod": "GET",
    "RequestHeaders": {}, "RequestBody": null, "StatusCode": "abc", "ResponseHeaders": {},
    "ResponseBody": null}], "Variables": {}})";
  try {
    parse_fixture(text, "bad-status.json");
    FAIL("no error");
  } catch (const FixtureError& e) {
    CHECK(std::string(e.what()) ==
          "bad-status.json: error at /Entries/0/StatusCode [bad-status]\n"
          "  expected: an HTTP status code\n"
          "  found:    \"abc\"");
  }
  try {
    parse_fixture(R"({"Entries": [{"RequestMethod": "GET"}]})", "no-uri.json");
    FAIL("no error");
  } catch (const FixtureError& e) {
    CHECK(std::string(e.what()) ==
          "no-uri.json: error at /Entries/0/RequestUri [missing-field]\n"
          "  expected: a string\n"
          "  found:    nothing (the key is missing)");
  }
  try {
    parse_fixture(R"({"Recordings": []})", "wrong.json");
    FAIL("no error");
  } catch (const FixtureError& e) {
    CHECK(std::string(e.what()) ==
          "wrong.json: error at /Entries [not-a-fixture]\n"
          "  expected: an array of entries (or \"networkCallRecords\")\n"
          "  found:    nothing (the key is missing)\n"
          "  hint:     a test-proxy recording has \"Entries\"; a legacy C++ one "
          "\"networkCallRecords\"");
  }
}

TEST_CASE("A missing fixture file or a folder is an error naming the path", "[fixture][playback]") {
  try {
    load_fixture("/nonexistent/dir/f.json");
    FAIL("no error");
  } catch (const FixtureError& e) {
    CHECK(std::string(e.what()) ==
          "/nonexistent/dir/f.json: error [unreadable-file]\n"
          "  expected: a readable fixture file\n"
          "  found:    it cannot be opened (No such file or directory)");
  }
  try {
    load_fixture("/tmp");
    FAIL("no error");
  } catch (const FixtureError& e) {
    CHECK(std::string(e.what()) ==
          "/tmp: error [unreadable-file]\n"
          "  expected: a fixture file\n"
          "  found:    a folder\n"
          "  hint:     give the path of a .json recording inside it");
  }
}

TEST_CASE("A legacy cpp recorder file loads as entries without request bodies",
          "[fixture][playback]") {
  const std::string text = R"({"networkCallRecords": [{"Headers": {"user-agent": "x"},
    "Method": "GET", "Response": {"BODY": "{\"value\":\"v\",\"id\":\"https://REDACTED.vault.azure.net/secrets/a/1\"}",
    "STATUS_CODE": "200", "REASON_PHRASE": "OK", "content-type": "application/json; charset=utf-8"},
    "Url": "https://REDACTED.vault.azure.net/secrets/a?api-version=7.2"},
    {"Headers": {}, "Method": "DELETE", "Response": {"BODY": "", "STATUS_CODE": "204"},
    "Url": "https://REDACTED.vault.azure.net/deletedsecrets/a?api-version=7.2"}]})";
  const Fixture f = parse_fixture(text, "legacy.json");
  CHECK(f.source == FixtureSource::LegacyCpp);
  REQUIRE(f.entries.size() == 2);
  CHECK_FALSE(f.entries[0].request_body_recorded);
  CHECK(f.entries[0].status_code == 200);
  CHECK(f.entries[0].response_body.kind == Body::Kind::Json);
  CHECK(f.entries[0].response_body.json()["value"] == "v");
  CHECK(*f.entries[0].response_headers.find("Content-Type") == "application/json; charset=utf-8");
  CHECK(f.entries[1].response_body.kind == Body::Kind::None);
  // Saved in our shape, the "no request body was recorded" marker survives.
  const Fixture again = parse_fixture(serialize_fixture(f), "again.json");
  CHECK_FALSE(again.entries[0].request_body_recorded);
}

TEST_CASE("Every real recording in ../shared loads (needs ../shared)", "[fixture][playback]") {
  const auto dir = test::real_recordings();
  if (dir.empty()) {
    KV_SKIP("../shared/real-recordings is missing (a fresh clone has no ../shared)");
  }
  int files = 0;
  for (const auto& item : std::filesystem::recursive_directory_iterator(dir)) {
    if (item.path().extension() != ".json") continue;
    INFO(item.path().string());
    const Fixture f = load_fixture(item.path().string());
    CHECK_FALSE(f.entries.empty());
    for (const auto& e : f.entries) {
      CHECK(e.status_code >= 100);
      CHECK_FALSE(e.request_method.empty());
    }
    // What we write from it loads again with the same entries.
    const Fixture again = parse_fixture(serialize_fixture(f), item.path().string());
    CHECK(again.entries.size() == f.entries.size());
    ++files;
  }
  CHECK(files == 42);
}

TEST_CASE(".NET recordings with array-valued User-Agent headers keep every value (needs ../shared)",
          "[fixture][playback]") {
  const auto dir = test::real_recordings();
  if (dir.empty()) {
    KV_SKIP("../shared/real-recordings is missing (a fresh clone has no ../shared)");
  }
  const Fixture f =
      load_fixture((dir / "net/SecretClientLiveTests/GetSecretWithVersion.json").string());
  REQUIRE_FALSE(f.entries.empty());
  int user_agents = 0;
  for (const auto& [name, value] : f.entries[0].request_headers) {
    if (http::iequals(name, "User-Agent")) ++user_agents;
  }
  CHECK(user_agents == 2);
  CHECK(f.variables.count("RandomSeed") == 1);
}

TEST_CASE("A save that fails mid-write leaves the previous fixture intact", "[fixture][playback]") {
  test::ScratchDir dir("atomic");
  const std::string path = dir.file("f.json");
  save_fixture(sample_fixture(), path);
  const std::string before = test::read_text(path);
  Fixture bigger = sample_fixture();
  bigger.variables["padding"] = std::string(4096, 'p');
  // A file-size limit makes write() fail part-way, like a full disk; it binds root too.
  std::signal(SIGXFSZ, SIG_IGN);
  rlimit old{};
  getrlimit(RLIMIT_FSIZE, &old);
  rlimit small = old;
  small.rlim_cur = before.size() + 100;
  REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);
  std::string message;
  try {
    save_fixture(bigger, path);
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  setrlimit(RLIMIT_FSIZE, &old);
  CHECK(message == "cannot write " + path + ": write failed: File too large");
  CHECK(test::read_text(path) == before);
  // The temp file is removed: only the fixture remains.
  int files = 0;
  for ([[maybe_unused]] const auto& item : std::filesystem::directory_iterator(dir.path())) ++files;
  CHECK(files == 1);
  save_fixture(bigger, path);
  CHECK(load_fixture(path).variables.at("padding").size() == 4096);
}

TEST_CASE("Recorded headers keep order, casing and duplicates, and change as http::Headers do",
          "[fixture][playback]") {
  HeaderList h{{"Content-Type", "application/json"}, {"Set-Cookie", "a=1"}, {"set-cookie", "b=2"}};
  REQUIRE(h.size() == 3);
  CHECK(h.find("content-type") == std::optional<std::string_view>("application/json"));
  CHECK(h.get("SET-COOKIE") == std::optional<std::string>("a=1"));
  CHECK_FALSE(h.find("Location").has_value());
  CHECK_FALSE(h.contains("Location"));

  SECTION("the same fields as an http::Headers, both ways") {
    const http::Headers wire = h.to_http();
    REQUIRE(wire.size() == 3);
    CHECK(wire.begin()[2].first == "set-cookie");
    CHECK(HeaderList(wire) == h);
  }
  SECTION("set replaces every field of a name where its first was") {
    h.set("SET-COOKIE", "a much longer value than before");
    REQUIRE(h.size() == 2);
    CHECK(h.at(0).first == "Content-Type");
    CHECK(h.at(1).first == "SET-COOKIE");
    CHECK(h.at(1).second == "a much longer value than before");
    h.set("Set-Cookie", "c");  // shorter: written over the old bytes
    CHECK(h.at(1).first == "Set-Cookie");
    CHECK(h.at(1).second == "c");
    h.set("Location", "/x");
    CHECK(h.at(2).first == "Location");
  }
  SECTION("a field may be added or set from the list's own views") {
    // Views of the current buffer, which moves while they are copied.
    for (int i = 0; i < 50; ++i) h.add(h.at(0).first, h.at(0).second);
    CHECK(h.size() == 53);
    CHECK(h.at(52).first == "Content-Type");
    CHECK(h.at(52).second == "application/json");
    const auto cookie = h.at(1).second;
    h.set("Content-Type", cookie);
    CHECK(h.size() == 3);
    CHECK(h.find("Content-Type") == std::optional<std::string_view>("a=1"));
  }
  SECTION("erase removes every field of a name and says how many") {
    CHECK(h.erase("set-COOKIE") == 2);
    CHECK(h.erase("Set-Cookie") == 0);
    CHECK(h == HeaderList{{"Content-Type", "application/json"}});
    CHECK(h.erase("Content-Type") == 1);
    CHECK(h.empty());
  }
  SECTION("lists are equal when their fields are, whatever was changed before") {
    HeaderList other{{"Content-Type", "application/json"}, {"Set-Cookie", "a=1"}};
    other.add("set-cookie", "b=2");
    CHECK(other == h);
    other.set("set-cookie", "b=2");  // one field now
    CHECK_FALSE(other == h);
    HeaderList casing{
        {"content-type", "application/json"}, {"Set-Cookie", "a=1"}, {"set-cookie", "b=2"}};
    CHECK_FALSE(casing == h);  // names compare as written
  }
}
