// HAR 1.2 export of a fixture.
#include <catch2/catch.hpp>

#include "kv/harness/har.hpp"

using namespace kv;
using namespace kv::harness;

TEST_CASE("A fixture exports to HAR 1.2 with requests, responses and base64 for binary",
          "[har][playback]") {
  Fixture f;
  Entry e;
  e.request_uri = "https://fakevault.vault.azure.net/secrets/a?api-version=7.5&maxresults=2";
  e.request_method = "PUT";
  e.request_headers.add("Content-Type", "application/json");
  e.request_body = Body::from_json({{"value", "v"}});
  e.status_code = 404;
  e.response_headers.add("Content-Type", "application/octet-stream");
  e.response_headers.add("Date", "Wed, 12 Mar 2025 22:16:18 GMT");
  e.response_body = Body::from_bytes({0x01, 0x02, 0xFF}, "application/octet-stream");
  f.entries.push_back(e);
  const nlohmann::json har = export_har(f);
  CHECK(har["log"]["version"] == "1.2");
  CHECK(har["log"]["creator"]["name"] == "kvharness");
  REQUIRE(har["log"]["entries"].size() == 1);
  const auto& entry = har["log"]["entries"][0];
  CHECK(entry["startedDateTime"] == "2025-03-12T22:16:18.000Z");
  CHECK(entry["request"]["method"] == "PUT");
  CHECK(entry["request"]["url"] == e.request_uri);
  CHECK(entry["request"]["queryString"] ==
        nlohmann::json::parse(
            R"([{"name":"api-version","value":"7.5"},{"name":"maxresults","value":"2"}])"));
  CHECK(entry["request"]["postData"]["text"] == R"({"value":"v"})");
  CHECK(entry["request"]["postData"]["mimeType"] == "application/json");
  CHECK(entry["response"]["status"] == 404);
  CHECK(entry["response"]["statusText"] == "Not Found");
  CHECK(entry["response"]["content"]["encoding"] == "base64");
  CHECK(entry["response"]["content"]["text"] == "AQL/");
  CHECK(entry["response"]["content"]["size"] == 3);
  for (const char* key : {"cache", "timings"}) CHECK(entry.contains(key));
}
