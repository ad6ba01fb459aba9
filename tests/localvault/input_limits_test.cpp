// Numbers, dates and sizes from requests: out-of-range input gets a clear 400, never a 500,
// a wrapped value or a crash.
#include <catch2/catch.hpp>

#include "kv/localvault/encoding.hpp"
#include "vault_fixture.hpp"

using namespace kv::localvault;
using namespace kv::localvault::testing;

namespace {
std::string time_rule(const std::string& member) {
  return "Property '" + member +
         "' must be an integer number of seconds since 1970-01-01 UTC, from -62135596800 "
         "(0001-01-01) to 253402300799 (9999-12-31).";
}

std::string bad_parameter(const std::string& message) {
  return nlohmann::json{{"error", {{"code", "BadParameter"}, {"message", message}}}}.dump();
}
}  // namespace

TEST_CASE("Numbers beyond double range are refused with 400 wherever they appear",
          "[localvault][bad-input][numbers]") {
  struct Row {
    const char* body;
    const char* token;
  };
  const std::string many_digits = "1" + std::string(400, '0');
  const Row rows[] = {
      {R"({"value":"v","ignored":1e400})", "1e400"},
      {R"({"value":"v","ignored":-1e400})", "-1e400"},
      {R"({"value":"v","attributes":{"exp":1E+999}})", "1E+999"},
      {R"({"value":"v","tags":{"a":"b"},"deep":[[{"x":[2e308]}]]})", "2e308"},
  };
  TestVault v;
  for (const Row& row : rows) {
    INFO(row.body);
    CoreResponse r = v.send("PUT", "/secrets/s1?api-version=7.6", row.body);
    CHECK(r.status == 400);
    CHECK(r.body == bad_parameter("The request body contains a number out of range: " +
                                  std::string(row.token) + "."));
  }
  CoreResponse long_number =
      v.send("PUT", "/secrets/s1?api-version=7.6", R"({"value":"v","n":)" + many_digits + "}");
  CHECK(long_number.body == bad_parameter("The request body contains a number out of range: " +
                                          many_digits.substr(0, 40) + "...."));
  REQUIRE(v.set("s1").status == 200);
  CHECK(v.send("PATCH", "/secrets/s1?api-version=7.6", R"({"x":1e400})").status == 400);
  CHECK(v.send("POST", "/secrets/restore?api-version=7.6", R"({"value":"x","n":1e400})").status ==
        400);
  // A tiny number is representable (it rounds to zero) and an ignored member may hold it.
  CHECK(v.send("PUT", "/secrets/s1?api-version=7.6", R"({"value":"v","n":1e-400})").status == 200);
}

TEST_CASE("Dates outside the years 1 to 9999 or not integers are refused with 400",
          "[localvault][bad-input][numbers]") {
  struct Row {
    const char* attributes;
    const char* member;
  };
  const Row rejected[] = {
      {R"({"exp":18446744073709551615})", "exp"},
      {R"({"exp":9223372036854775807})", "exp"},
      {R"({"exp":9223372036854775808})", "exp"},
      {R"({"nbf":-9223372036854775808})", "nbf"},
      {R"({"exp":253402300800})", "exp"},
      {R"({"nbf":-62135596801})", "nbf"},
      {R"({"exp":1.5})", "exp"},
      {R"({"exp":1e3})", "exp"},
      {R"({"exp":"tomorrow"})", "exp"},
      {R"({"nbf":true})", "nbf"},
      {R"({"created":18446744073709551615})", "created"},
      {R"({"updated":-1e30})", "updated"},
  };
  TestVault v;
  REQUIRE(v.set("s1").status == 200);
  for (const Row& row : rejected) {
    INFO(row.attributes);
    std::string set_body = R"({"value":"v","attributes":)" + std::string(row.attributes) + "}";
    std::string expected = bad_parameter(time_rule("attributes." + std::string(row.member)));
    CHECK(v.send("PUT", "/secrets/s2?api-version=7.6", set_body).body == expected);
    CHECK(v.send("PATCH", "/secrets/s1?api-version=7.6",
                 R"({"attributes":)" + std::string(row.attributes) + "}")
              .body == expected);
  }
  // Nothing refused was stored: s2 never came to exist, s1 kept no nbf/exp.
  CHECK(v.send("GET", "/secrets/s2?api-version=7.6").status == 404);
  nlohmann::json s1 = body(v.send("GET", "/secrets/s1?api-version=7.6"));
  CHECK_FALSE(s1["attributes"].contains("exp"));
  CHECK_FALSE(s1["attributes"].contains("nbf"));
}

TEST_CASE("The first and last second of the accepted range are stored as given",
          "[localvault][numbers]") {
  TestVault v;
  CoreResponse r = v.send("PUT", "/secrets/s1?api-version=7.6",
                          R"({"value":"v","attributes":{"nbf":-62135596800,"exp":253402300799}})");
  REQUIRE(r.status == 200);
  CHECK(body(r)["attributes"]["nbf"] == -62135596800);
  CHECK(body(r)["attributes"]["exp"] == 253402300799);
  // Read-only times in range are accepted and ignored.
  CoreResponse patched = v.send("PATCH", "/secrets/s1?api-version=7.6",
                                R"({"attributes":{"created":0,"updated":253402300799}})");
  REQUIRE(patched.status == 200);
  CHECK(body(patched)["attributes"]["created"] == 1700000000);
}

TEST_CASE("A token whose expiry does not fit 64 bits is not well-formed", "[localvault][auth]") {
  TestVault v;
  std::string input =
      base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." +
      base64url_encode(R"({"aud":"https://vault.azure.net","exp":18446744073709551615})");
  std::string token = input + "." + base64url_encode(hmac_sha256(std::string(32, 's'), input));
  std::string authorization = "Bearer " + token;
  CoreResponse r = v.send("GET", "/secrets?api-version=7.6", "", authorization.c_str());
  CHECK(r.status == 401);
  CHECK(body(r)["error"]["message"] == "The bearer token is not a well-formed JWT.");
}

TEST_CASE("A backup that opens but names an invalid secret is corrupt", "[localvault][backup]") {
  BackupCodec codec(std::string(32, 'k'));
  SecretRecord record;
  record.name = "bad_name";
  record.versions.push_back(SecretVersion{std::string(32, 'a'), "v", {}, {}, {}});
  auto opened = codec.open(codec.seal(record, counting_random()));
  REQUIRE(std::holds_alternative<std::string>(opened));
  CHECK(std::get<std::string>(opened) == "Backup blob is corrupt.");
  record.name = "good-name";
  record.versions[0].attributes.exp = 253402300800;  // 10000-01-01
  opened = codec.open(codec.seal(record, counting_random()));
  REQUIRE(std::holds_alternative<std::string>(opened));
  CHECK(std::get<std::string>(opened) == "Backup blob is corrupt.");
}

TEST_CASE("The token endpoint quotes hostile form values and tenants cut short",
          "[localvault][auth][bad-input]") {
  TestVault v;
  CoreRequest request;
  request.method = "POST";
  request.path = "/" + std::string(3000, 't') + "/oauth2/v2.0/token";
  CoreResponse tenant = v.service.handle(request, v.now_ms);
  CHECK(tenant.status == 400);
  CHECK(body(tenant)["error_description"].get<std::string>().rfind(
            "AADSTS90002: Tenant '" + std::string(160, 't') + "...' not found.", 0) == 0);
  request.path = std::string("/") + kTenant + "/oauth2/v2.0/token";
  request.body = "grant_type=client_credentials&client_id=" + std::string(100000, 'c');
  CoreResponse client = v.service.handle(request, v.now_ms);
  CHECK(client.status == 400);
  CHECK(body(client)["error_description"].get<std::string>().rfind(
            "AADSTS700016: Application with identifier '" + std::string(160, 'c') +
                "...' was not found in the directory 'tenant-1'.",
            0) == 0);
  CHECK(client.body.size() < 1000);
}

TEST_CASE("A scope or resource that is not printable ASCII is refused, not a 500",
          "[localvault][auth][bad-input]") {
  TestVault v;
  auto token = [&](const std::string& path, const std::string& tail) {
    CoreRequest request;
    request.method = "POST";
    request.path = path;
    request.body = "grant_type=client_credentials&client_id=client-1&client_secret=secret-1" + tail;
    return v.service.handle(request, v.now_ms);
  };
  // Found by localvault_token_fuzzer: invalid UTF-8 in the audience made token signing throw.
  CoreResponse scope = token("/tenant-1/oauth2/v2.0/token", "&scope=https%3A%2F%2Fv%FF%2F.default");
  CHECK(scope.status == 400);
  CHECK(body(scope)["error"] == "invalid_scope");
  CHECK(body(scope)["error_description"].get<std::string>().rfind(
            "AADSTS1002012: The provided value for scope 'https://v\xEF\xBF\xBD/.default' is not "
            "valid. Client credential flows must have a scope value with /.default suffixed to "
            "the resource identifier.",
            0) == 0);
  CHECK(token("/tenant-1/oauth2/v2.0/token", "&scope=https%3A%2F%2Fa%20b%2F.default").status ==
        400);
  CoreResponse resource = token("/tenant-1/oauth2/token", "&resource=https%3A%2F%2Fv%FF");
  CHECK(resource.status == 400);
  CHECK(body(resource)["error"] == "invalid_resource");
  CHECK(body(resource)["error_description"].get<std::string>().rfind(
            "AADSTS500011: The resource principal named https://v\xEF\xBF\xBD was not found in "
            "the tenant named tenant-1.",
            0) == 0);
}

TEST_CASE("Deeply nested JSON within the body limit is parsed and ignored without a crash",
          "[localvault][bad-input]") {
  TestVault v;
  const std::size_t depth = 100000;
  std::string nested =
      R"({"value":"v","ignored":)" + std::string(depth, '[') + std::string(depth, ']') + "}";
  REQUIRE(nested.size() < 256 * 1024);
  CHECK(v.send("PUT", "/secrets/deep?api-version=7.6", nested).status == 200);
  std::string unclosed = R"({"value":"v","x":)" + std::string(depth, '{');
  CoreResponse r = v.send("PUT", "/secrets/deep?api-version=7.6", unclosed);
  CHECK(r.status == 400);
  CHECK(body(r)["error"]["message"].get<std::string>().rfind(
            "The request body is not valid JSON (error at byte ", 0) == 0);
}
