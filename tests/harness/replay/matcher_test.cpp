// Matching rules, table-driven: what matches by default, and what rules tighten or loosen.
#include <catch2/catch.hpp>

#include "kv/harness/internal/operation.hpp"
#include "kv/harness/matcher.hpp"
#include "kv/harness/rules.hpp"

using namespace kv;
using namespace kv::harness;

namespace {

Entry recorded(std::string method, std::string uri, std::string body = "") {
  Entry e;
  e.request_method = std::move(method);
  e.request_uri = std::move(uri);
  if (!body.empty()) e.request_body = Body::from_bytes(http::to_bytes(body), "application/json");
  e.status_code = 200;
  return e;
}

http::Request actual(std::string method, std::string url, std::string body = "") {
  http::Request r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.body = http::to_bytes(body);
  return r;
}

bool match(const Matcher& m, const Entry& e, const http::Request& r) {
  return m.matches(e, m.key(e.request_method, e.request_uri), r, m.key(r.method, r.url));
}

const char* kBase = "https://fakevault.vault.azure.net";

}  // namespace

TEST_CASE("Default matching compares method, path, query set and JSON body semantically",
          "[matcher][playback]") {
  struct Row {
    const char* name;
    Entry entry;
    http::Request request;
    bool expected;
  };
  const std::string b = kBase;
  std::vector<Row> rows = {
      {"same request", recorded("GET", b + "/secrets/a?api-version=7.5"),
       actual("GET", b + "/secrets/a?api-version=7.5"), true},
      {"host never matters",
       recorded("GET", "https://REDACTED.vault.azure.net/secrets/a?api-version=7.5"),
       actual("GET", b + "/secrets/a?api-version=7.5"), true},
      {"method differs", recorded("GET", b + "/secrets/a?api-version=7.5"),
       actual("DELETE", b + "/secrets/a?api-version=7.5"), false},
      {"path case matters", recorded("GET", b + "/secrets/A?api-version=7.5"),
       actual("GET", b + "/secrets/a?api-version=7.5"), false},
      {"query order does not matter", recorded("GET", b + "/secrets?maxresults=5&api-version=7.5"),
       actual("GET", b + "/secrets?api-version=7.5&maxresults=5"), true},
      {"query encoding does not matter",
       recorded("GET", b + "/secrets?%24skiptoken=x%3D&api-version=7.5"),
       actual("GET", b + "/secrets?$skiptoken=x=&api-version=7.5"), true},
      {"query value differs", recorded("GET", b + "/secrets/a?api-version=7.4"),
       actual("GET", b + "/secrets/a?api-version=7.5"), false},
      {"extra query parameter", recorded("GET", b + "/secrets/a?api-version=7.5"),
       actual("GET", b + "/secrets/a?api-version=7.5&x=1"), false},
      {"%2F latest version", recorded("GET", b + "/secrets/a/%2F?api-version=7.6-preview.2"),
       actual("GET", b + "/secrets/a?api-version=7.6-preview.2"), true},
      {"trailing slash latest version", recorded("GET", b + "/secrets/a/?api-version=7.2"),
       actual("GET", b + "/secrets/a?api-version=7.2"), true},
      {"JSON key order does not matter",
       recorded("PUT", b + "/secrets/a?api-version=7.5",
                R"({"value":"v","attributes":{"enabled":true}})"),
       actual("PUT", b + "/secrets/a?api-version=7.5",
              R"({ "attributes": {"enabled": true}, "value": "v" })"),
       true},
      {"JSON value differs", recorded("PUT", b + "/secrets/a?api-version=7.5", R"({"value":"v"})"),
       actual("PUT", b + "/secrets/a?api-version=7.5", R"({"value":"w"})"), false},
      {"JSON extra field", recorded("PUT", b + "/secrets/a?api-version=7.5", R"({"value":"v"})"),
       actual("PUT", b + "/secrets/a?api-version=7.5", R"({"value":"v","contentType":"t"})"),
       false},
      {"recorded without body, actual with body", recorded("PUT", b + "/secrets/a?api-version=7.5"),
       actual("PUT", b + "/secrets/a?api-version=7.5", R"({"value":"v"})"), false},
  };
  const Matcher m;
  for (const auto& row : rows) {
    INFO(row.name);
    CHECK(match(m, row.entry, row.request) == row.expected);
  }
}

TEST_CASE("Volatile headers never take part in matching", "[matcher][playback]") {
  Entry e = recorded("GET", std::string(kBase) + "/secrets/a?api-version=7.5");
  e.request_headers.add("Authorization", "Sanitized");
  e.request_headers.add("x-ms-client-request-id", "1");
  e.request_headers.add("User-Agent", "old");
  http::Request r = actual("GET", std::string(kBase) + "/secrets/a?api-version=7.5");
  r.headers.add("Authorization", "Bearer abc");
  r.headers.add("x-ms-client-request-id", "2");
  r.headers.add("User-Agent", "new");
  CHECK(match(Matcher(), e, r));
  MatchRules rules = MatchRules::defaults();
  CHECK_THROWS_WITH(rules.merge(Json::parse(R"({"compareHeaders": ["User-Agent"]})")),
                    "rules: error at /match/compareHeaders/0 [volatile-header]\n"
                    "  expected: a header that may take part in matching\n"
                    "  found:    \"User-Agent\"\n"
                    "  hint:     volatile headers (Authorization, User-Agent, Date, ...) never "
                    "take part");
}

TEST_CASE("Rules tighten and loosen matching per fixture", "[matcher][playback]") {
  const std::string b = kBase;
  SECTION("a header can be required to match") {
    MatchRules rules = MatchRules::defaults();
    rules.merge(Json::parse(R"({"compareHeaders": ["x-ms-tenant"]})"));
    Entry e = recorded("GET", b + "/secrets/a?api-version=7.5");
    e.request_headers.add("x-ms-tenant", "one");
    http::Request r = actual("GET", b + "/secrets/a?api-version=7.5");
    r.headers.add("x-ms-tenant", "two");
    CHECK_FALSE(match(Matcher(rules), e, r));
    CHECK(match(Matcher(), e, r));
  }
  SECTION("a query parameter can be ignored") {
    MatchRules rules = MatchRules::defaults();
    rules.merge(Json::parse(R"({"ignoreQueryParameters": ["api-version"]})"));
    CHECK(match(Matcher(rules), recorded("GET", b + "/secrets/a?api-version=7.2"),
                actual("GET", b + "/secrets/a?api-version=7.5")));
  }
  SECTION("a JSON Pointer in the body can be ignored") {
    MatchRules rules = MatchRules::defaults();
    rules.merge(Json::parse(R"({"ignoreBodyPointers": ["/attributes/exp"]})"));
    CHECK(match(Matcher(rules),
                recorded("PATCH", b + "/secrets/a/1?api-version=7.5",
                         R"({"attributes":{"exp":1,"enabled":true}})"),
                actual("PATCH", b + "/secrets/a/1?api-version=7.5",
                       R"({"attributes":{"exp":2,"enabled":true}})")));
    CHECK_FALSE(match(
        Matcher(rules),
        recorded("PATCH", b + "/secrets/a/1?api-version=7.5", R"({"attributes":{"enabled":true}})"),
        actual("PATCH", b + "/secrets/a/1?api-version=7.5",
               R"({"attributes":{"enabled":false}})")));
  }
  SECTION("bodies can be left out entirely") {
    MatchRules rules = MatchRules::defaults();
    rules.merge(Json::parse(R"({"compareBodies": false})"));
    CHECK(match(Matcher(rules),
                recorded("PUT", b + "/secrets/a?api-version=7.5", R"({"value":"v"})"),
                actual("PUT", b + "/secrets/a?api-version=7.5", R"({"value":"w"})")));
  }
  SECTION("a path rewrite applies to both sides") {
    MatchRules rules = MatchRules::defaults();
    rules.merge(Json::parse(
        R"({"pathRewrites": [{"pattern": "^/secrets/test-[0-9]+", "replacement": "/secrets/test-N"}]})"));
    CHECK(match(Matcher(rules), recorded("GET", b + "/secrets/test-1?api-version=7.5"),
                actual("GET", b + "/secrets/test-2?api-version=7.5")));
  }
  SECTION("a legacy entry without a recorded body matches any body") {
    Entry e = recorded("PUT", b + "/secrets/a?api-version=7.2");
    e.request_body_recorded = false;
    CHECK(match(Matcher(), e, actual("PUT", b + "/secrets/a?api-version=7.2", R"({"value":"v"})")));
  }
}

TEST_CASE("A diff lists every differing field labelled recorded and actual",
          "[matcher][playback]") {
  const Matcher m;
  const Entry e = recorded("PUT", std::string(kBase) + "/secrets/a?api-version=7.4&x=1",
                           R"({"value":"v","tags":{"k":"1"},"attributes":{"enabled":true}})");
  const http::Request r =
      actual("PUT", std::string(kBase) + "/secrets/b?api-version=7.5",
             R"({"value":"w","attributes":{"enabled":true},"contentType":"t"})");
  const auto diffs = m.diff(e, m.key(e.request_method, e.request_uri), r, m.key(r.method, r.url));
  const std::vector<FieldDiff> expected = {
      {"path", "/secrets/a", "/secrets/b"},
      {"query api-version", "7.4", "7.5"},
      {"query x", "1", "(absent)"},
      {"body /value", "\"v\"", "\"w\""},
      {"body /tags", "{\"k\":\"1\"}", "(absent)"},
      {"body /contentType", "(absent)", "\"t\""},
  };
  CHECK(diffs == expected);
}

TEST_CASE("Rules with mistakes are refused with the file and the full JSON Pointer",
          "[matcher][playback]") {
  struct Case {
    std::string text;
    std::string message;
  };
  const RulesOrigin origin{"scenarios/x.json", "/rules"};
  const std::vector<Case> cases = {
      {R"({"match": {"compareBodies": "yes"}})",
       "scenarios/x.json: error at /rules/match/compareBodies [wrong-type]\n"
       "  expected: true or false\n"
       "  found:    \"yes\""},
      {R"({"match": {"pathRewrites": [{"pattern": "(", "replacement": ""}]}})",
       "scenarios/x.json: error at /rules/match/pathRewrites/0/pattern [bad-regex]\n"
       "  expected: a regular expression (RE2 syntax)\n"
       "  found:    \"(\" (missing ): ()"},
      {R"({"match": {"ignoreBody": []}})",
       "scenarios/x.json: error at /rules/match/ignoreBody [unknown-rule]\n"
       "  expected: one of compareBodies, compareHeaders, ignoreQueryParameters, "
       "ignoreBodyPointers, pathRewrites\n"
       "  found:    \"ignoreBody\""},
      {R"({"sanitize": {"bodyPointers": [{"pointer": "value"}]}})",
       "scenarios/x.json: error at /rules/sanitize/bodyPointers/0 [bad-pointer]\n"
       "  expected: a JSON Pointer such as \"/value\"\n"
       "  found:    \"value\""},
      {R"({"sanitize": {"uriRegexes": [{"replacement": "x"}]}})",
       "scenarios/x.json: error at /rules/sanitize/uriRegexes/0/pattern [missing-field]\n"
       "  expected: a string\n"
       "  found:    nothing (the key is missing)"},
      {R"({"other": 1})",
       "scenarios/x.json: error at /rules/other [unknown-rule]\n"
       "  expected: one of match, sanitize\n"
       "  found:    \"other\""},
      {"{nope",
       "scenarios/x.json: error at line 1, column 3 [syntax-error]\n"
       "  expected: a JSON object {\"match\": ..., \"sanitize\": ...}\n"
       "  found:    syntax error while parsing object key - invalid literal; last read: '{no'; "
       "expected string literal"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    try {
      (void)Rules::parse(c.text, origin);
      FAIL("accepted");
    } catch (const RulesError& e) {
      CHECK(std::string(e.what()) == c.message);
      CHECK(e.diagnostic().file == "scenarios/x.json");
    }
  }
}

TEST_CASE("Rules round-trip through JSON", "[matcher][playback]") {
  Rules rules = Rules::parse(R"({
    // comments are allowed in rule files
    "match": {"ignoreQueryParameters": ["x"], "ignoreBodyPointers": ["/tags"]},
    "sanitize": {"headers": ["x-secret"], "bodyPointers": [{"pointer": "/value", "uriPattern": "/secrets/"}]}})");
  MatchRules again = MatchRules::defaults();
  again.merge(rules.match.to_json());
  CHECK(again.to_json() == rules.match.to_json());
  SanitizerRules s = SanitizerRules::defaults();
  s.merge(rules.sanitize.to_json());
  CHECK(s.to_json() == rules.sanitize.to_json());
}

TEST_CASE("Requests are classified into Key Vault operations", "[operation][playback]") {
  struct Row {
    const char* method;
    const char* url;
    const char* expected;
  };
  const Row rows[] = {
      {"PUT", "https://v.vault.azure.net/secrets/a?api-version=7.5", "SetSecret"},
      {"GET", "https://v.vault.azure.net/secrets/a?api-version=7.5", "GetSecret"},
      {"GET", "https://v.vault.azure.net/secrets/a/%2F?api-version=7.6", "GetSecret"},
      {"GET", "https://v.vault.azure.net/secrets/a/", "GetSecret"},
      {"GET", "https://v.vault.azure.net/secrets/a/0123?api-version=7.5", "GetSecret"},
      {"PATCH", "https://v.vault.azure.net/secrets/a/0123", "UpdateSecretProperties"},
      {"GET", "https://v.vault.azure.net/secrets?api-version=7.5", "GetPropertiesOfSecrets"},
      {"GET", "https://v.vault.azure.net:443/secrets?$skiptoken=x", "GetPropertiesOfSecrets"},
      {"GET", "/secrets/a/versions", "GetPropertiesOfSecretVersions"},
      {"GET", "/deletedsecrets", "GetDeletedSecrets"},
      {"GET", "/deletedsecrets/a", "GetDeletedSecret"},
      {"DELETE", "/secrets/a", "DeleteSecret"},
      {"DELETE", "/deletedsecrets/a", "PurgeDeletedSecret"},
      {"POST", "/deletedsecrets/a/recover", "RecoverDeletedSecret"},
      {"POST", "/secrets/a/backup", "BackupSecret"},
      {"POST", "/secrets/restore", "RestoreSecret"},
      {"POST", "https://login.microsoftonline.com/t/oauth2/v2.0/token", "GetToken"},
      {"POST", "https://127.0.0.1:5000/t/oauth2/token", "GetToken"},
      {"GET", "/keys/a", "Unknown"},
      {"PUT", "/secrets", "Unknown"},
  };
  for (const auto& row : rows) {
    INFO(row.method << " " << row.url);
    CHECK(classify_operation(row.method, row.url) == row.expected);
  }
}
