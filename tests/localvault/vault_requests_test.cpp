// The core's answers to request details: api-version, auth, paging, limits, bad input, headers.
#include <catch2/catch.hpp>

#include "kv/localvault/api_version.hpp"
#include "kv/localvault/encoding.hpp"
#include "vault_fixture.hpp"

using namespace kv::localvault;
using namespace kv::localvault::testing;

TEST_CASE("Supported api-versions are 7.0 to 7.6, their previews and 2025 dates",
          "[localvault][api-version]") {
  for (const char* v : {"7.0", "7.1", "7.2", "7.3", "7.3-preview", "7.4-preview.1", "7.5", "7.6",
                        "7.6-preview.2", "2025-06-01", "2025-07-01", "2025-07-01-preview"})
    CHECK(is_supported_api_version(v));
  for (const char* v :
       {"", "7", "7.7", "6.0", "7.6-beta", "2016-10-01", "2025-7-1", "7.6-preview."})
    CHECK_FALSE(is_supported_api_version(v));
}

TEST_CASE("An unknown api-version gets the service's BadParameter message",
          "[localvault][api-version]") {
  TestVault v;
  CoreResponse r = v.send("GET", "/secrets/s1?api-version=1.0");
  CHECK(r.status == 400);
  CHECK(
      r.body ==
      R"({"error":{"code":"BadParameter","message":"The specified version (1.0) is not recognized. Consider using the latest supported version (2025-07-01)."}})");
  CHECK(v.send("GET", "/secrets/s1").status == 400);
}

TEST_CASE("A request without a token gets 401 with the challenge before its body is read",
          "[localvault][auth]") {
  TestVault v;
  CoreResponse r = v.send("PUT", "/secrets/s1?api-version=7.6", "", "");
  CHECK(r.status == 401);
  CHECK(
      r.body ==
      R"({"error":{"code":"Unauthorized","message":"AKV10000: Request is missing a Bearer or PoP token."}})");
  CHECK(
      r.headers["WWW-Authenticate"] ==
      R"(Bearer authorization="https://vault.test:8443/tenant-1", resource="https://vault.test")");
}

TEST_CASE("Garbage, forged, expired and wrong-audience tokens are refused with 401",
          "[localvault][auth]") {
  TestVault v;
  CHECK(v.send("GET", "/secrets?api-version=7.6", "", "Bearer not-a-jwt").status == 401);
  CHECK(v.send("GET", "/secrets?api-version=7.6", "", "Basic abc").status == 401);
  std::string forged = v.token;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  CoreResponse r = v.send("GET", "/secrets?api-version=7.6", "", ("Bearer " + forged).c_str());
  CHECK(r.status == 401);
  CHECK(body(r)["error"]["message"] == "The bearer token signature is not valid for this vault.");

  TokenService same_key(TestVault::auth_options(true), std::string(32, 's'));
  std::string other_audience =
      "Bearer " + same_key.sign("https://elsewhere.example", v.now_ms / 1000);
  CHECK(body(v.send("GET", "/secrets?api-version=7.6", "",
                    other_audience.c_str()))["error"]["message"] ==
        "The bearer token audience 'https://elsewhere.example' is not accepted by this vault.");
  std::string own_host = "Bearer " + same_key.sign("https://vault.test", v.now_ms / 1000);
  CHECK(v.send("GET", "/secrets?api-version=7.6", "", own_host.c_str()).status == 200);

  v.advance(3601 * 1000);
  CHECK(body(v.send("GET", "/secrets?api-version=7.6"))["error"]["message"] ==
        "The bearer token has expired.");
}

TEST_CASE("With auth off requests need no token", "[localvault][auth]") {
  TestVault v(VaultOptions{}, false);
  CHECK(v.send("GET", "/secrets?api-version=7.6", "", "").status == 200);
}

namespace {
CoreResponse token_request(TestVault& v, const std::string& tenant, const std::string& form) {
  CoreRequest request;
  request.method = "POST";
  request.path = "/" + tenant + "/oauth2/v2.0/token";
  request.body = form;
  return v.service.handle(request, v.now_ms);
}
}  // namespace

TEST_CASE("The token endpoint issues tokens the vault accepts", "[localvault][auth]") {
  TestVault v;
  CoreResponse r = token_request(v, kTenant,
                                 "grant_type=client_credentials&client_id=client-1&client_secret="
                                 "secret-1&scope=https%3A%2F%2Fvault.test%2F.default");
  REQUIRE(r.status == 200);
  nlohmann::json j = body(r);
  CHECK(j["token_type"] == "Bearer");
  CHECK(j["expires_in"] == 3600);
  std::string auth = "Bearer " + j["access_token"].get<std::string>();
  CHECK(v.send("GET", "/secrets?api-version=7.6", "", auth.c_str()).status == 200);
}

TEST_CASE("The token endpoint refuses wrong credentials like the identity platform",
          "[localvault][auth]") {
  TestVault v;
  const std::string scope = "&scope=https%3A%2F%2Fvault.azure.net%2F.default";
  CoreResponse bad_secret = token_request(
      v, kTenant, "grant_type=client_credentials&client_id=client-1&client_secret=nope" + scope);
  CHECK(bad_secret.status == 401);
  CHECK(body(bad_secret)["error"] == "invalid_client");
  CHECK(body(bad_secret)["error_codes"] == nlohmann::json::array({7000215}));
  CHECK(bad_secret.body.find("nope") == std::string::npos);
  CHECK(body(token_request(v, kTenant,
                           "grant_type=client_credentials&client_id=who&client_secret=secret-1" +
                               scope))["error"] == "unauthorized_client");
  CHECK(
      body(token_request(v, "other-tenant",
                         "grant_type=client_credentials&client_id=client-1&client_secret=secret-1" +
                             scope))["error"] == "invalid_request");
  CHECK(body(token_request(v, kTenant, "grant_type=password" + scope))["error"] ==
        "unsupported_grant_type");
  CHECK(
      body(token_request(v, kTenant,
                         "grant_type=client_credentials&client_id=client-1&client_secret=secret-1&"
                         "scope=https%3A%2F%2Fvault.azure.net"))["error"] == "invalid_scope");
}

TEST_CASE("Lists page by maxresults with absolute nextLinks and null on the last page",
          "[localvault][paging]") {
  TestVault v;
  for (int i = 0; i < 30; ++i) REQUIRE(v.set("name" + std::to_string(i)).status == 200);
  nlohmann::json first = body(v.send("GET", "/secrets?api-version=7.5"));
  REQUIRE(first["value"].size() == 25);
  std::string next = first["nextLink"];
  CHECK(next.rfind("https://vault.test:8443/secrets?api-version=7.5&$skiptoken=", 0) == 0);
  // Order is by upper-cased name: name0, name1, name10, name11, ...
  CHECK(first["value"][2]["id"] == "https://vault.test:8443/secrets/name10");
  CHECK_FALSE(first["value"][0].contains("value"));
  nlohmann::json second =
      body(v.send("GET", next.substr(std::string("https://vault.test:8443").size())));
  CHECK(second["value"].size() == 5);
  CHECK(second["nextLink"].is_null());

  nlohmann::json small = body(v.send("GET", "/secrets?api-version=7.6&maxresults=7"));
  CHECK(small["value"].size() == 7);
  CHECK(small["nextLink"].get<std::string>().find("&maxresults=7") != std::string::npos);
  CHECK(error_code(v.send("GET", "/secrets?api-version=7.6&maxresults=26")) == "BadParameter");
  CHECK(error_code(v.send("GET", "/secrets?api-version=7.6&maxresults=0")) == "BadParameter");
  CHECK(error_code(v.send("GET", "/secrets?api-version=7.6&$skiptoken=%%%")) == "BadParameter");
}

TEST_CASE("Versions are listed by version id with versioned ids", "[localvault][paging]") {
  TestVault v;
  for (int i = 0; i < 3; ++i) REQUIRE(v.set("s1", std::to_string(i)).status == 200);
  nlohmann::json list = body(v.send("GET", "/secrets/s1/versions?api-version=7.6"));
  REQUIRE(list["value"].size() == 3);
  std::vector<std::string> ids;
  for (const auto& item : list["value"]) ids.push_back(item["id"]);
  CHECK(std::is_sorted(ids.begin(), ids.end()));
  CHECK(ids[0].rfind("https://vault.test:8443/secrets/s1/", 0) == 0);
  CHECK(ids[0].size() == std::string("https://vault.test:8443/secrets/s1/").size() + 32);
}

TEST_CASE("Latest may be asked as an empty, slash or encoded-slash version",
          "[localvault][routing]") {
  TestVault v;
  REQUIRE(v.set("s1", "first").status == 200);
  REQUIRE(v.set("s1", "second").status == 200);
  for (const char* path :
       {"/secrets/s1", "/secrets/s1/", "/secrets/s1/%2F", "/secrets/s1/%2f", "/secrets/s1//"}) {
    INFO(path);
    CHECK(body(v.send("GET", std::string(path) + "?api-version=7.6-preview.2"))["value"] ==
          "second");
  }
}

TEST_CASE("Set returns a bundle with a 32-hex version and only the attributes given",
          "[localvault][bundle]") {
  TestVault v;
  CoreResponse r = v.set("s1", "", {{"contentType", "text/plain"}, {"tags", {{"a", "b"}}}});
  REQUIRE(r.status == 200);
  nlohmann::json j = body(r);
  CHECK(j["value"] == "");
  CHECK(j["contentType"] == "text/plain");
  std::string id = j["id"];
  std::string version = id.substr(id.rfind('/') + 1);
  CHECK(version.size() == 32);
  CHECK(version.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(j["attributes"] == nlohmann::json{{"enabled", true},
                                          {"created", 1700000000},
                                          {"updated", 1700000000},
                                          {"recoveryLevel", "Recoverable+Purgeable"},
                                          {"recoverableDays", 90}});
  CHECK(j["tags"] == nlohmann::json{{"a", "b"}});
}

TEST_CASE("Delete answers dates 90 days apart and a recoveryId", "[localvault][bundle]") {
  TestVault v;
  REQUIRE(v.set("s1").status == 200);
  nlohmann::json j = body(v.send("DELETE", "/secrets/s1?api-version=7.6"));
  CHECK(j["recoveryId"] == "https://vault.test:8443/deletedsecrets/s1");
  CHECK(j["scheduledPurgeDate"].get<std::int64_t>() - j["deletedDate"].get<std::int64_t>() ==
        90 * 86400);
  CHECK_FALSE(j.contains("value"));
}

TEST_CASE("Update changes only what it names and never returns the value", "[localvault][bundle]") {
  TestVault v;
  REQUIRE(v.set("s1", "x", {{"attributes", {{"nbf", 100}}}}).status == 200);
  v.advance(2000);
  nlohmann::json j = body(v.send("PATCH", "/secrets/s1/?api-version=7.6",
                                 R"({"attributes":{"enabled":false,"created":5},"tags":{}})"));
  CHECK_FALSE(j.contains("value"));
  CHECK(j["attributes"]["enabled"] == false);
  CHECK(j["attributes"]["nbf"] == 100);
  CHECK(j["attributes"]["created"] == 1700000000);
  CHECK(j["attributes"]["updated"] == 1700000002);
  CHECK(j["tags"] == nlohmann::json::object());
}

TEST_CASE("Limits and malformed bodies get BadParameter with a clear message",
          "[localvault][bad-input]") {
  TestVault v;
  auto message = [](const CoreResponse& r) {
    REQUIRE(r.status == 400);
    return body(r)["error"]["message"].get<std::string>();
  };
  CHECK(message(v.send("PUT", "/secrets/s1?api-version=7.6", "{not json")) ==
        "The request body is not valid JSON (error at byte 3).");
  CHECK(message(v.send("PUT", "/secrets/s1?api-version=7.6", "[1]")) ==
        "The request body must be a JSON object.");
  CHECK(message(v.send("PUT", "/secrets/s1?api-version=7.6", R"({"value":5})")) ==
        "Property 'value' is required and must be a string.");
  CHECK(message(v.set("s1", std::string(25 * 1024 + 1, 'x'))) ==
        "The secret value is larger than the limit of 25600 bytes.");
  CHECK(v.set("s1", std::string(25 * 1024, 'x')).status == 200);
  nlohmann::json tags;
  for (int i = 0; i < 16; ++i) tags["t" + std::to_string(i)] = "v";
  CHECK(message(v.set("s1", "x", {{"tags", tags}})) == "A secret can have at most 15 tags.");
  CHECK(message(v.set("s1", "x", {{"contentType", std::string(256, 'c')}})) ==
        "Property 'contentType' must be a string of at most 255 characters.");
  CHECK(message(v.set("s1", "x", {{"attributes", {{"exp", "tomorrow"}}}})) ==
        "Property 'attributes.exp' must be an integer number of seconds since 1970-01-01 UTC, "
        "from -62135596800 (0001-01-01) to 253402300799 (9999-12-31).");
  CHECK(message(v.send("POST", "/secrets/restore?api-version=7.6", "{}")) ==
        "Property 'value' is required and must be a base64url string.");
}

TEST_CASE("Hostile names and paths get clear errors", "[localvault][bad-input]") {
  TestVault v;
  CHECK(
      v.set("bad_name").body ==
      R"({"error":{"code":"BadParameter","message":"The request URI contains an invalid name: bad_name"}})");
  CHECK(error_code(v.set(std::string(128, 'a'))) == "BadParameter");
  CHECK(v.set(std::string(127, 'a')).status == 200);
  CHECK(error_code(v.send("GET", "/secrets/..%2F..%2Fetc?api-version=7.6")) == "BadParameter");
  CHECK(error_code(v.send("GET", "/secrets/%00?api-version=7.6")) == "BadParameter");
  CHECK(v.send("PUT", "/secrets/?api-version=7.6", R"({"value":"x"})").body ==
        R"({"error":{"code":"MethodNotAllowed","message":"HTTP PUT not allowed"}})");
  CHECK(v.send("GET", "/keys/k1?api-version=7.6").status == 404);
  CHECK(v.send("GET", "/secrets/s1/a/b/c?api-version=7.6").status == 404);
  CHECK(v.send("GET", "").status == 404);
  REQUIRE(v.set("s1").status == 200);
  CoreResponse long_version =
      v.send("GET", "/secrets/s1/" + std::string(5000, 'v') + "?api-version=7.6");
  CHECK(long_version.status == 404);
  CHECK(long_version.body.size() < 600);
  CHECK(v.send("GET", "/secrets/s1/..%2F..?api-version=7.6").status == 404);
  CoreResponse long_name = v.set(std::string(5000, '_'));
  CHECK(long_name.status == 400);
  CHECK(long_name.body.size() < 400);
}

TEST_CASE("An oversized body gets 413 before anything else", "[localvault][bad-input]") {
  VaultOptions options;
  options.max_body_bytes = 1000;
  TestVault v(options);
  CoreResponse r = v.send("PUT", "/secrets/s1?api-version=7.6", std::string(1001, ' '));
  CHECK(r.status == 413);
  CHECK(error_code(r) == "RequestEntityTooLarge");
}

TEST_CASE("Responses carry the service's headers and echo the client request id",
          "[localvault][headers]") {
  TestVault v;
  CoreRequest request;
  request.method = "GET";
  split_target("/secrets?api-version=7.6", request);
  request.headers["Authorization"] = "Bearer " + v.token;
  request.headers["x-ms-client-request-id"] = "abc-123";
  CoreResponse r = v.service.handle(request, v.now_ms);
  CHECK(r.headers["x-ms-client-request-id"] == "abc-123");
  CHECK(r.headers["x-ms-request-id"].size() == 36);
  CHECK(r.headers["x-ms-keyvault-service-version"] == "localvault-0.1.0");
  CHECK(r.headers["content-type"] == "application/json; charset=utf-8");
  request.headers["x-ms-client-request-id"] = "bad\r\nInjected: yes";
  CHECK(v.service.handle(request, v.now_ms).headers.count("x-ms-client-request-id") == 0);
}

TEST_CASE("Purge answers 204 with no body and no content type", "[localvault][headers]") {
  TestVault v;
  REQUIRE(v.set("s1").status == 200);
  REQUIRE(v.send("DELETE", "/secrets/s1?api-version=7.6").status == 200);
  v.advance(301);
  CoreResponse r = v.send("DELETE", "/deletedsecrets/s1?api-version=7.6");
  CHECK(r.status == 204);
  CHECK(r.body.empty());
  CHECK(r.headers.count("Content-Type") == 0);
}

TEST_CASE("Backup and restore reproduce names, version ids, attributes and tags",
          "[localvault][backup]") {
  TestVault v;
  REQUIRE(v.set("Mixed-Case", "one", {{"tags", {{"k", "v"}}}}).status == 200);
  v.advance(1000);
  REQUIRE(v.set("Mixed-Case", "two", {{"contentType", "ct"}}).status == 200);
  nlohmann::json before = body(v.send("GET", "/secrets/Mixed-Case/versions?api-version=7.6"));
  std::string blob = body(v.send("POST", "/secrets/mixed-case/backup?api-version=7.6"))["value"];
  CHECK(
      blob.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
      std::string::npos);
  REQUIRE(v.send("DELETE", "/secrets/Mixed-Case?api-version=7.6").status == 200);
  v.advance(301);
  REQUIRE(v.send("DELETE", "/deletedsecrets/Mixed-Case?api-version=7.6").status == 204);
  v.advance(301);
  CoreResponse restored =
      v.send("POST", "/secrets/restore?api-version=7.6", nlohmann::json{{"value", blob}}.dump());
  REQUIRE(restored.status == 200);
  CHECK_FALSE(body(restored).contains("value"));
  CHECK(body(v.send("GET", "/secrets/Mixed-Case/versions?api-version=7.6")) == before);
  CHECK(body(v.send("GET", "/secrets/Mixed-Case?api-version=7.6"))["value"] == "two");
}

TEST_CASE("Tampered, truncated and foreign backups get 400 Malformed backup blob",
          "[localvault][backup]") {
  TestVault v;
  REQUIRE(v.set("s1").status == 200);
  std::string blob = body(v.send("POST", "/secrets/s1/backup?api-version=7.6"))["value"];
  REQUIRE(v.send("DELETE", "/secrets/s1?api-version=7.6").status == 200);
  v.advance(301);
  REQUIRE(v.send("DELETE", "/deletedsecrets/s1?api-version=7.6").status == 204);
  v.advance(301);
  auto restore = [&](TestVault& target, const std::string& value) {
    return target.send("POST", "/secrets/restore?api-version=7.6",
                       nlohmann::json{{"value", value}}.dump());
  };
  const std::string corrupt =
      R"({"error":{"code":"Malformed backup blob","message":"Backup blob is corrupt."}})";
  std::string tampered = blob;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  CHECK(restore(v, tampered).body == corrupt);
  CHECK(restore(v, blob.substr(0, blob.size() - 10)).body == corrupt);
  CHECK(restore(v, "bm9uLWV4aXN0aW5n").body == corrupt);
  CHECK(restore(v, "not base64 !").body == corrupt);
  CHECK(
      restore(v, std::string(6304, 'A')).body ==
      R"({"error":{"code":"Malformed backup blob","message":"Backup blob contains invalid or corrupt version."}})");
  TestVault other(VaultOptions{}, true, std::string(32, 'z'));
  CHECK(restore(other, blob).body == corrupt);
  CHECK(restore(v, blob).status == 200);
}

TEST_CASE("api-version 7.0 bundles have no recoverableDays", "[localvault][bundle]") {
  TestVault v;
  REQUIRE(v.set("s1").status == 200);
  CHECK_FALSE(
      body(v.send("GET", "/secrets/s1?api-version=7.0"))["attributes"].contains("recoverableDays"));
}
