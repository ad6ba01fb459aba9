// Sanitizing: default rules, the fake vault host everywhere, token exchanges, custom rules.
#include <catch2/catch.hpp>

#include "kv/harness/internal/audit.hpp"
#include "kv/harness/sanitizer.hpp"
#include "kv/harness/session.hpp"
#include "kv/url.hpp"

using namespace kv;
using namespace kv::harness;

namespace {

Entry vault_entry(const std::string& origin) {
  Entry e;
  e.request_uri = origin + "/secrets/a?api-version=7.5";
  e.request_method = "PUT";
  e.request_headers.add("Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig");
  e.request_headers.add("Cookie", "session=abc");
  e.request_headers.add("Host", "127.0.0.1:8443");
  e.request_headers.add("Content-Type", "application/json");
  e.request_body = Body::from_bytes(http::to_bytes(R"({"value":"v"})"), "application/json");
  e.status_code = 200;
  e.response_headers.add("Content-Type", "application/json; charset=utf-8");
  e.response_headers.add("Content-Length", "999");
  e.response_headers.add(
      "WWW-Authenticate",
      "Bearer authorization=\"https://login.windows.net/t\", resource=\"https://127.0.0.1\"");
  e.response_headers.add("Set-Cookie", "x=1");
  Json body = {{"id", origin + "/secrets/a/1"},
               {"recoveryId", origin + "/deletedsecrets/a"},
               {"nextLink", origin + "/secrets?api-version=7.5&$skiptoken=abc"},
               {"value", "v"}};
  e.response_body = Body::from_json(body);
  return e;
}

}  // namespace

TEST_CASE("Authorization and cookies become Sanitized and the vault host becomes the fake host",
          "[sanitizer][playback]") {
  SanitizerOptions options;
  options.vault_url = "https://127.0.0.1:8443";
  Sanitizer sanitizer(options);
  Entry e = vault_entry("https://127.0.0.1:8443");
  sanitizer.sanitize(e);
  CHECK(e.request_uri == "https://fakevault.vault.azure.net/secrets/a?api-version=7.5");
  CHECK(*e.request_headers.find("Authorization") == "Sanitized");
  CHECK(*e.request_headers.find("Cookie") == "Sanitized");
  CHECK(*e.request_headers.find("Host") == "fakevault.vault.azure.net");
  CHECK(*e.response_headers.find("Set-Cookie") == "Sanitized");
  CHECK(*e.response_headers.find("WWW-Authenticate") ==
        "Bearer authorization=\"https://login.windows.net/t\", "
        "resource=\"https://fakevault.vault.azure.net\"");
  CHECK(e.response_body.json()["id"] == "https://fakevault.vault.azure.net/secrets/a/1");
  CHECK(e.response_body.json()["recoveryId"] ==
        "https://fakevault.vault.azure.net/deletedsecrets/a");
  CHECK(e.response_body.json()["nextLink"] ==
        "https://fakevault.vault.azure.net/secrets?api-version=7.5&$skiptoken=abc");
  // Content-Length follows the sanitized body.
  CHECK(*e.response_headers.find("Content-Length") == std::to_string(e.response_body.bytes.size()));
  CHECK(find_unsanitized(Fixture{{e}, {}, {}, false, FixtureSource::InMemory}).empty());
}

TEST_CASE("A real vault host is replaced with and without the default port",
          "[sanitizer][playback]") {
  SanitizerOptions options;
  options.vault_url = "https://myvault.vault.azure.net/";
  Sanitizer sanitizer(options);
  Entry e = vault_entry("https://myvault.vault.azure.net");
  e.response_body =
      Body::from_json({{"nextLink", "https://myvault.vault.azure.net:443/secrets?api-version=7.5"},
                       {"note", "see myvault.vault.azure.net"}});
  sanitizer.sanitize(e);
  CHECK(e.response_body.json()["nextLink"] ==
        "https://fakevault.vault.azure.net/secrets?api-version=7.5");
  CHECK(e.response_body.json()["note"] == "see fakevault.vault.azure.net");
}

TEST_CASE("A token exchange that reaches the recorder is redacted wholesale",
          "[sanitizer][playback]") {
  Sanitizer sanitizer;
  Entry e;
  e.request_uri = "https://login.microsoftonline.com/tenant/oauth2/v2.0/token";
  e.request_method = "POST";
  e.request_headers.add("Content-Type", "application/x-www-form-urlencoded");
  e.request_headers.add("Content-Length", "80");
  e.request_body =
      Body::from_text("grant_type=client_credentials&client_id=c&client_secret=s3cr3t&scope=x");
  e.status_code = 200;
  e.response_headers.add("Content-Type", "application/json");
  e.response_body = Body::from_json(
      {{"access_token", "eyJhbGciOiJIUzI1NiJ9.eyJ4IjoxfQ.c2ln"}, {"expires_in", 3599}});
  sanitizer.sanitize(e);
  CHECK(http::as_text(e.request_body.bytes) == "Sanitized");
  CHECK(http::as_text(e.response_body.bytes) == "Sanitized");
  CHECK(*e.request_headers.find("Content-Length") == "9");
}

TEST_CASE("Credential fields in form-encoded bodies are redacted wherever they go",
          "[sanitizer][playback]") {
  Sanitizer sanitizer;
  Entry e;
  e.request_uri = "https://fakevault.vault.azure.net/custom/login";
  e.request_method = "POST";
  e.request_body = Body::from_text("user=a&client_secret=abc&my_password=keep&password=p%26q");
  e.status_code = 200;
  sanitizer.sanitize(e);
  CHECK(http::as_text(e.request_body.bytes) ==
        "user=a&client_secret=Sanitized&my_password=keep&password=Sanitized");
}

TEST_CASE("Custom rules redact by header, URI regex, body regex and JSON Pointer",
          "[sanitizer][playback]") {
  SanitizerOptions options;
  options.rules.merge(Json::parse(R"({
    "headers": [{"name": "x-ms-keyvault-network-info", "value": "addr=0.0.0.0"}],
    "headerRegexes": [{"name": "x-ms-request-id", "pattern": "[0-9a-f]{8}", "replacement": "00000000"}],
    "uriRegexes": [{"pattern": "/secrets/user-[0-9]+", "replacement": "/secrets/user-N"}],
    "bodyRegexes": [{"pattern": "[0-9]{3}-[0-9]{4}", "replacement": "555-0000"}],
    "bodyPointers": [{"pointer": "/value", "value": "REDACTED", "uriPattern": "/secrets/user-"}]
  })"));
  Sanitizer sanitizer(options);
  Entry e;
  e.request_uri = "https://fakevault.vault.azure.net/secrets/user-42?api-version=7.5";
  e.request_method = "PUT";
  e.request_body = Body::from_json({{"value", "hunter2"}, {"note", "call 123-4567"}});
  e.status_code = 200;
  e.response_headers.add("x-ms-keyvault-network-info", "addr=20.1.2.3");
  e.response_headers.add("x-ms-request-id", "deadbeef-1234");
  sanitizer.sanitize(e);
  CHECK(e.request_uri == "https://fakevault.vault.azure.net/secrets/user-N?api-version=7.5");
  CHECK(e.request_body.json()["value"] == "REDACTED");
  CHECK(e.request_body.json()["note"] == "call 555-0000");
  CHECK(*e.response_headers.find("x-ms-keyvault-network-info") == "addr=0.0.0.0");
  CHECK(*e.response_headers.find("x-ms-request-id") == "00000000-1234");
}

TEST_CASE("Secrets are removed raw, URL-encoded, JSON-escaped and base64-encoded",
          "[sanitizer][playback]") {
  const std::string secret = "canary \"quoted\"/value+1";
  SanitizerOptions options;
  options.secrets = {secret};
  Sanitizer sanitizer(options);
  const std::string forms[] = {
      secret,
      "canary%20%22quoted%22%2Fvalue%2B1",
      "canary+%22quoted%22%2Fvalue%2B1",
      "canary \\\"quoted\\\"/value+1",
      "Y2FuYXJ5ICJxdW90ZWQiL3ZhbHVlKzE",
  };
  for (const auto& form : forms) {
    INFO(form);
    const std::string scrubbed = sanitizer.scrub("before " + form + " after");
    CHECK(scrubbed == "before Sanitized after");
  }
  // Embedded at any byte offset inside a larger base64 blob.
  for (int offset = 0; offset < 3; ++offset) {
    INFO("offset " << offset);
    std::string blob = std::string(static_cast<std::size_t>(offset) + 3, 'z') + secret + "tail";
    static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string encoded;
    unsigned buffer = 0;
    int bits = 0;
    for (unsigned char c : blob) {
      buffer = (buffer << 8) | c;
      bits += 8;
      while (bits >= 6) {
        bits -= 6;
        encoded += k[(buffer >> bits) & 63];
      }
    }
    CHECK(sanitizer.scrub(encoded).find("Sanitized") != std::string::npos);
  }
}

TEST_CASE("Every form of the vault origin and of a secret is found in short and long texts alike",
          "[sanitizer][playback]") {
  // Short texts are searched in one pass over their bytes, long ones guard by guard; an IPv6
  // origin's URL-encoded form does not hold the host as written, so it is its own guard.
  for (const std::string vault : {"https://myvault.vault.azure.net", "https://[::1]:8443"}) {
    SanitizerOptions options;
    options.vault_url = vault;
    options.secrets = {"s3cr3t-canary"};
    const Sanitizer sanitizer(options);
    const std::vector<std::string> forms = {vault, url_encode(vault), "s3cr3t-canary",
                                            "czNjcjN0LWNhbmFyeQ"};
    for (const auto& form : forms) {
      for (const std::size_t padding : {0, 10, 300}) {
        INFO(vault << " / " << form << " / padding " << padding);
        const std::string pad(padding, 'x');
        const std::string text = pad + form + "/secrets/a" + pad;
        const std::string scrubbed = sanitizer.scrub(text);
        CHECK(scrubbed.find(form) == std::string::npos);
        Entry entry;
        entry.request_uri = "https://myvault.vault.azure.net/secrets/a?x=" + text;
        entry.request_method = "GET";
        entry.request_headers.add("X-Echo", text);
        entry.status_code = 200;
        entry.response_body = Body::from_json({{"id", text}});
        sanitizer.sanitize(entry);
        CHECK(entry.request_uri.find(form) == std::string::npos);
        CHECK(entry.request_headers.find("X-Echo")->find(form) == std::string::npos);
        CHECK(http::as_text(entry.response_body.bytes).find(form) == std::string::npos);
        CHECK(entry.response_body.json()["id"].get<std::string>() == scrubbed);
      }
    }
    // Texts holding none of them come back unchanged.
    const std::string plain(500, 'q');
    CHECK(sanitizer.scrub(plain) == plain);
    CHECK(sanitizer.scrub("short") == "short");
  }
}

TEST_CASE("The audit finds what the sanitizer should have removed, without quoting it",
          "[audit][playback]") {
  Entry e;
  e.request_uri = "https://realvault.vault.azure.net/secrets/a?api-version=7.5";
  e.request_method = "POST";
  e.request_headers.add("Authorization",
                        "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl");
  e.request_body = Body::from_text("grant_type=client_credentials&client_secret=abc");
  e.status_code = 200;
  e.response_body =
      Body::from_json({{"access_token", "tok"}, {"next", "https://127.0.0.1:5555/x"}});
  Fixture f;
  f.entries.push_back(e);
  const auto findings = find_unsanitized(f);
  std::vector<std::string> summary;
  for (const auto& finding : findings) {
    summary.push_back(finding.pointer + " " + finding.kind);
    CHECK(finding.message.find("abc") == std::string::npos);
    CHECK(finding.message.find("eyJ") == std::string::npos);
  }
  CHECK(summary == std::vector<std::string>{
                       "/Entries/0/RequestUri vault-host",
                       "/Entries/0/RequestHeaders/Authorization authorization",
                       "/Entries/0/RequestBody client-secret",
                       "/Entries/0/ResponseBody/access_token token",
                       "/Entries/0/ResponseBody/next vault-host",
                   });
}

TEST_CASE("Placeholder vault names pass the audit and a leaked real one is reported",
          "[audit][playback]") {
  // The 2025 C++ recordings left a real test vault in recoveryId.
  Entry e;
  e.request_uri = "https://REDACTED.vault.azure.net/secrets/a";
  e.request_method = "GET";
  e.status_code = 200;
  e.response_body = Body::from_json(
      {{"recoveryId", "https://t74b68ef3acc1f78c.vault.azure.net/deletedsecrets/a"}});
  Fixture f;
  f.entries.push_back(e);
  const auto findings = find_unsanitized(f);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].pointer == "/Entries/0/ResponseBody/recoveryId");
  CHECK(findings[0].message ==
        "a real-looking vault host (\"t74b68ef3acc1f78c.vault.azure.net\") appears here; record "
        "with the vault URL configured so it is replaced by fakevault.vault.azure.net");
}

TEST_CASE("JSON bodies scrubbed as text come out as the document scrubber makes them",
          "[sanitizer][playback]") {
  const std::string secret = "canary \"quoted\"/value+1";
  const std::string host = "https://127.0.0.1:8443";
  auto make = [&](bool force_document) {
    SanitizerOptions options;
    options.vault_url = host;
    options.secrets = {secret};
    if (force_document) {
      // A JSON Pointer rule that applies to the URI sends the body through the document path;
      // it points nowhere, so only the scrubbing differs between the two.
      options.rules.merge(Json::parse(
          R"({"bodyPointers": [{"pointer": "/no/such/member", "uriPattern": "/secrets/"}]})"));
    }
    return Sanitizer(options);
  };
  const Sanitizer as_text = make(false);
  const Sanitizer as_document = make(true);
  const std::string bodies[] = {
      R"({"id":"https://127.0.0.1:8443/secrets/a/1","value":"v"})",
      R"( { "id" : "https:\/\/127.0.0.1:8443\/secrets\/a" , "n" : [ 1 , 2.5e3 , -0 , true , null ] } )",
      R"({"value":"canary \"quoted\"/value+1","other":"before canary \"quoted\"/value+1 after"})",
      R"({"access_token":"abc","refresh_token":null,"password":{"nested":"x"},"client_secret":["a"]})",
      R"({"access_token":"Sanitized","list":[{"id_token":"x"},{"keep":"https://127.0.0.1:8443"}]})",
      R"({"https://127.0.0.1:8443":"member names are kept","u":"\u00e9\ud83d\ude00 caf\u00e9"})",
      R"([["https://127.0.0.1:8443/x"],{},[],"Y2FuYXJ5ICJxdW90ZWQiL3ZhbHVlKzE"])",
      R"({"value":"nothing to change here","n":{"deep":{"deeper":[1,{"x":"y"}]}}})",
  };
  for (const auto& text : bodies) {
    INFO(text);
    auto entry = [&] {
      Entry e;
      e.request_uri = host + "/secrets/a?api-version=7.5";
      e.request_method = "PUT";
      e.status_code = 200;
      e.response_headers.add("Content-Length", std::to_string(text.size()));
      e.response_body = Body::from_bytes(http::to_bytes(text), "application/json");
      return e;
    };
    Entry a = entry();
    Entry b = entry();
    REQUIRE(a.response_body.kind == Body::Kind::Json);
    as_text.sanitize(a);
    as_document.sanitize(b);
    CHECK(a.response_body.json() == b.response_body.json());
    CHECK(*a.response_headers.find("Content-Length") ==
          std::to_string(a.response_body.bytes.size()));
    const std::string written(http::as_text(a.response_body.bytes));
    // Member names are kept by both scrubbers; every value loses the host and the secret.
    const bool host_as_name = text.find("member names are kept") != std::string::npos;
    CHECK((written.find("127.0.0.1") == std::string::npos) != host_as_name);
    CHECK(written.find("canary") == std::string::npos);
    CHECK(Json::parse(written) == a.response_body.json());
  }
}

TEST_CASE("A body that is not valid JSON is kept as text whatever its content type says",
          "[sanitizer][playback]") {
  const std::string texts[] = {R"({"a":1,})", R"({"a":1e400})", "{\"a\":\"\xff\"}",
                               std::string(300, '[') + std::string(300, ']')};
  for (const auto& text : texts) {
    INFO(text);
    const Body body = Body::from_bytes(http::to_bytes(text), "application/json");
    CHECK(body.kind != Body::Kind::Json);
  }
}

TEST_CASE("Every guard is found at every offset and at the very end of a text",
          "[sanitizer][playback]") {
  // The sampled search looks at every S-th position only; a miss between samples would leak.
  // "https://h:1" has a one-byte host, so that sanitizer searches without sampling.
  for (const std::string vault : {"https://myvault.vault.azure.net", "https://h:1"}) {
    SanitizerOptions options;
    options.vault_url = vault;
    options.secrets = {"s3cr3t-canary", "another-secret-value-that-is-long"};
    const Sanitizer sanitizer(options);
    const std::vector<std::string> forms = {vault, url_encode(vault), "s3cr3t-canary",
                                            "czNjcjN0LWNhbmFyeQ",
                                            "another-secret-value-that-is-long"};
    for (const auto& form : forms) {
      for (std::size_t before = 0; before < 40; ++before) {
        for (std::size_t after : {0, 1, 3, 7}) {
          const std::string text = std::string(before, 'Q') + form + std::string(after, 'q');
          INFO(vault << " / " << form << " / " << before << " before, " << after << " after");
          REQUIRE(sanitizer.scrub(text).find(form) == std::string::npos);
        }
      }
    }
  }
}

TEST_CASE("A recorded JSON string is scrubbed as decoded, and kept as written when nothing changes",
          "[sanitizer][playback]") {
  SanitizerOptions options;
  options.vault_url = "https://127.0.0.1:8443";
  const Sanitizer sanitizer(options);
  http::Request request;
  request.method = "GET";
  request.url = "https://127.0.0.1:8443/secrets/a";
  http::Response response;
  response.status = 200;
  response.headers.add("Content-Type", "application/json");
  // An escaped "h" hides the origin from a search of the raw text.
  const std::string kept = R"("s":"caf\u00e9 \n\t \"q\" a\\b")";
  response.body = http::to_bytes(R"({"id":"\u0068ttps:\/\/127.0.0.1:8443\/x",)" + kept + "}");
  const Entry entry = sanitizer.record(request, response);
  REQUIRE(entry.response_body.kind == Body::Kind::Json);
  CHECK(entry.response_body.json()["id"] == "https://fakevault.vault.azure.net/x");
  CHECK(entry.response_body.json()["s"] == "caf\xc3\xa9 \n\t \"q\" a\\b");
  CHECK(http::as_text(entry.response_body.bytes).find(kept) != std::string_view::npos);
}

TEST_CASE("What the recorder keeps of an exchange is what sanitize makes of its entry",
          "[sanitizer][playback]") {
  SanitizerOptions options;
  options.vault_url = "https://127.0.0.1:8443";
  options.secrets = {"canary \"quoted\"/value+1"};
  const Sanitizer plain(options);
  options.rules.merge(Json::parse(R"J({"bodyRegexes": [{"pattern": "keep(me)", "replacement": "x"}],
      "bodyPointers": [{"pointer": "/value", "uriPattern": "/pointed/"}],
      "headerRegexes": [{"name": "X-Echo", "pattern": "[0-9]+", "replacement": "N"}]})J"));
  const Sanitizer ruled(options);
  const std::string bodies[] = {
      "",
      R"({"id":"https://127.0.0.1:8443/secrets/a/1","value":"v keepme"})",
      R"( { "id" : "https:\/\/127.0.0.1:8443\/secrets\/a" , "n" : [ 1 , true , null ] } )",
      R"({"value":"canary \"quoted\"/value+1","access_token":"abc","password":null})",
      // Escapes that hide a value to replace until the string is decoded, and some that do not.
      R"({"id":"\u0068ttps://127.0.0.1:8443/x","s":"caf\u00e9 \n\t","k":"a\\b"})",
      R"({"a":1,})",
      "not json at all https://127.0.0.1:8443 client_secret=abc&x=1",
      std::string(300, '[') + std::string(300, ']'),
      std::string("\x00\xff\xfe binary", 10),
  };
  const std::string uris[] = {"https://127.0.0.1:8443/secrets/a?api-version=7.5",
                              "https://127.0.0.1:8443/pointed/a",
                              "https://login.example/tenant/oauth2/v2.0/token"};
  for (const Sanitizer* sanitizer : {&plain, &ruled}) {
    for (const auto& uri : uris) {
      for (const auto& body : bodies) {
        for (const char* type : {"application/json", "", "text/plain"}) {
          INFO(uri << " / " << type << " / " << body);
          http::Request request;
          request.method = "PUT";
          request.url = uri + "&echo=canary%20%22quoted%22%2Fvalue%2B1";
          request.headers.add("Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig");
          request.headers.add("X-Echo", "id 12345 at https://127.0.0.1:8443");
          if (*type) request.headers.add("Content-Type", type);
          request.headers.add("Content-Length", std::to_string(body.size()));
          request.body = http::to_bytes(body);
          http::Response response;
          response.status = 201;
          if (*type) response.headers.add("content-type", type);
          response.headers.add("content-length", std::to_string(body.size()));
          response.headers.add("Set-Cookie", "x=1");
          response.body = http::to_bytes(body);

          Entry expected;
          expected.request_uri = request.url;
          expected.request_method = request.method;
          expected.request_headers = HeaderList(request.headers);
          expected.request_body = Body::from_bytes(request.body, type);
          expected.status_code = response.status;
          expected.response_headers = HeaderList(response.headers);
          expected.response_body = Body::from_bytes(response.body, type);
          sanitizer->sanitize(expected);
          const Entry got = sanitizer->record(request, response);

          CHECK(got.request_uri == expected.request_uri);
          CHECK(got.request_method == expected.request_method);
          CHECK(got.request_headers == expected.request_headers);
          CHECK(got.status_code == expected.status_code);
          CHECK(got.response_headers == expected.response_headers);
          for (const auto* pair : {&got.request_body, &got.response_body}) {
            const Body& want =
                pair == &got.request_body ? expected.request_body : expected.response_body;
            CHECK(pair->kind == want.kind);
            CHECK(http::as_text(pair->bytes) == http::as_text(want.bytes));
          }
        }
      }
    }
  }
}
