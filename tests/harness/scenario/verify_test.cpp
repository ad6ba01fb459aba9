// Shape comparison of a recording with a live run: each drift kind, and what is not drift
// (values, how often a poll or a retried conflict repeated), table-driven.
#include <catch2/catch.hpp>

#include "kv/scenario/verify.hpp"

using kv::harness::Body;
using kv::harness::Diagnostic;
using kv::harness::Entry;
using kv::harness::Fixture;
using kv::harness::Json;
using kv::harness::Severity;
using kv::scenario::compare_shapes;

namespace {

const std::string kVault = "https://fakevault.vault.azure.net";

Entry entry(const std::string& method, const std::string& path, int status, Json body = nullptr,
            kv::harness::HeaderList headers = {{"Content-Type", "application/json"},
                                               {"x-ms-request-id", "1"}}) {
  Entry e;
  e.request_method = method;
  e.request_uri = kVault + path + "?api-version=7.5";
  e.status_code = status;
  e.response_headers = std::move(headers);
  if (!body.is_null()) e.response_body = Body::from_json(std::move(body));
  return e;
}

Json secret(const std::string& recovery_level = "Recoverable+Purgeable") {
  return {{"value", "v"},
          {"id", kVault + "/secrets/s/1"},
          {"attributes", {{"enabled", true}, {"created", 1}, {"recoveryLevel", recovery_level}}}};
}

Json error(const std::string& code, const std::string& inner = "") {
  Json e = {{"code", code}, {"message", "m"}};
  if (!inner.empty()) e["innererror"] = {{"code", inner}};
  return {{"error", e}};
}

Fixture fixture(std::vector<Entry> entries) {
  Fixture f;
  f.entries = std::move(entries);
  return f;
}

// "id at where (expected -> found)" for each finding, to compare whole lists.
std::vector<std::string> summarize(const std::vector<Diagnostic>& findings) {
  std::vector<std::string> out;
  for (const auto& d : findings) {
    out.push_back(std::string(kv::harness::to_string(d.severity)) + " " + d.id + " at " + d.where +
                  " (" + d.expected + " -> " + d.found + ")");
  }
  return out;
}

}  // namespace

TEST_CASE("A live run with the same shapes and other values has no drift", "[scenario][verify]") {
  const auto recorded = fixture({entry("PUT", "/secrets/a", 200, secret())});
  Json other = secret();
  other["value"] = "another value";
  other["attributes"]["created"] = 99;
  CHECK(compare_shapes(recorded, {entry("PUT", "/secrets/b", 200, other)}, "f.json").empty());
}

TEST_CASE("Each kind of drift in one response is classified and named by pointer",
          "[scenario][verify]") {
  struct Case {
    const char* name;
    Entry live;
    std::vector<std::string> expected;
  };
  Json added = secret();
  added["attributes"]["exp"] = 5;
  Json removed = secret();
  removed["attributes"].erase("created");
  Json retyped = secret();
  retyped["attributes"]["enabled"] = "true";
  const std::vector<Case> cases = {
      {"field added",
       entry("PUT", "/secrets/a", 200, added),
       {"info field-added at /Entries/0/ResponseBody/attributes/exp (absent -> field \"exp\" "
        "(number))"}},
      {"field removed",
       entry("PUT", "/secrets/a", 200, removed),
       {"warning field-removed at /Entries/0/ResponseBody/attributes/created (field \"created\" "
        "(number) -> absent)"}},
      {"type changed",
       entry("PUT", "/secrets/a", 200, retyped),
       {"error type-changed at /Entries/0/ResponseBody/attributes/enabled (boolean -> string)"}},
      {"enum changed",
       entry("PUT", "/secrets/a", 200, secret("Purgeable")),
       {"error enum-changed at /Entries/0/ResponseBody/attributes/recoveryLevel "
        "(\"Recoverable+Purgeable\" -> \"Purgeable\")"}},
      {"status changed",
       entry("PUT", "/secrets/a", 403, error("Forbidden")),
       {"error status-changed at /Entries/0/StatusCode (200 -> 403)",
        "error error-code-changed at /Entries/0/ResponseBody/error/code (no code -> "
        "\"Forbidden\")"}},
      {"body gone",
       entry("PUT", "/secrets/a", 200),
       {"error type-changed at /Entries/0/ResponseBody (a JSON body -> no body)"}},
      {"header removed",
       entry("PUT", "/secrets/a", 200, secret(), {{"Content-Type", "application/json"}}),
       {"warning header-removed at /Entries/0/ResponseHeaders/x-ms-request-id (header "
        "x-ms-request-id -> absent)"}},
      {"header added, other case and framing headers aside",
       entry("PUT", "/secrets/a", 200, secret(),
             {{"content-type", "application/json"},
              {"X-MS-REQUEST-ID", "2"},
              {"Content-Length", "9"},
              {"Retry-After", "1"}}),
       {"info header-added at /Entries/0/ResponseHeaders/Retry-After (absent -> header "
        "Retry-After)"}},
  };
  const auto recorded = fixture({entry("PUT", "/secrets/a", 200, secret())});
  for (const auto& c : cases) {
    INFO(c.name);
    CHECK(summarize(compare_shapes(recorded, {c.live}, "f.json")) == c.expected);
  }
}

TEST_CASE("A changed error code or innererror code is an error; the message is a value",
          "[scenario][verify]") {
  const auto recorded = fixture(
      {entry("DELETE", "/deletedsecrets/a", 409, error("Conflict", "ObjectIsBeingDeleted"))});
  Json other_message = error("Conflict", "ObjectIsBeingDeleted");
  other_message["error"]["message"] = "another text";
  CHECK(compare_shapes(recorded, {entry("DELETE", "/deletedsecrets/a", 409, other_message)}, "f")
            .empty());
  CHECK(summarize(compare_shapes(
            recorded, {entry("DELETE", "/deletedsecrets/a", 409, error("Conflict", "Other"))},
            "f")) ==
        std::vector<std::string>{
            "error error-code-changed at /Entries/0/ResponseBody/error/innererror/code "
            "(\"ObjectIsBeingDeleted\" -> \"Other\")"});
}

TEST_CASE("Every finding names the fixture, the rule id, its severity and the operation",
          "[scenario][verify]") {
  const auto recorded = fixture({entry("GET", "/secrets/a", 200, secret())});
  const auto findings = compare_shapes(
      recorded, {entry("GET", "/secrets/a", 404, error("SecretNotFound"))}, "recordings/x.json");
  REQUIRE(findings.size() == 2);
  CHECK(findings[0].message() ==
        "recordings/x.json: error at /Entries/0/StatusCode [status-changed]\n"
        "  expected: 200\n"
        "  found:    404\n"
        "  hint:     in GetSecret (GET)");
  CHECK(findings[1].severity == Severity::Error);
}

TEST_CASE("List items are compared as the union of their fields", "[scenario][verify]") {
  Json page = {{"value", Json::array({{{"id", "1"}}, {{"id", "2"}, {"contentType", "text"}}})},
               {"nextLink", nullptr}};
  const auto recorded = fixture({entry("GET", "/secrets", 200, page)});
  Json reordered = {{"value", Json::array({{{"id", "2"}, {"contentType", "text"}}, {{"id", "1"}}})},
                    {"nextLink", nullptr}};
  CHECK(compare_shapes(recorded, {entry("GET", "/secrets", 200, reordered)}, "f").empty());
  Json without = {{"value", Json::array({{{"id", "1"}}})}, {"nextLink", nullptr}};
  CHECK(summarize(compare_shapes(recorded, {entry("GET", "/secrets", 200, without)}, "f")) ==
        std::vector<std::string>{"warning field-removed at /Entries/0/ResponseBody/value/1/"
                                 "contentType (field \"contentType\" (string) -> absent)"});
  Json empty = {{"value", Json::array()}, {"nextLink", nullptr}};
  CHECK(compare_shapes(recorded, {entry("GET", "/secrets", 200, empty)}, "f").empty());
}

TEST_CASE("A poll sequence compares as pending then done, whatever the number of polls",
          "[scenario][verify]") {
  const Entry deleted = entry("DELETE", "/secrets/a", 200, secret());
  const Entry pending = entry("GET", "/deletedsecrets/a", 404, error("SecretNotFound"));
  const Entry done = entry("GET", "/deletedsecrets/a", 200, secret());
  const auto recorded = fixture({deleted, pending, pending, pending, done});
  CHECK(compare_shapes(recorded, {deleted, pending, done}, "f").empty());
  CHECK(compare_shapes(recorded, {deleted, done}, "f").empty());
  CHECK(compare_shapes(recorded, {deleted, pending, pending, pending, pending, pending, done}, "f")
            .empty());
  // The pending answers themselves are compared too.
  const Entry other_pending = entry("GET", "/deletedsecrets/a", 404, error("Other"));
  CHECK(summarize(compare_shapes(recorded, {deleted, other_pending, done}, "f")) ==
        std::vector<std::string>{"error error-code-changed at /Entries/1/ResponseBody/error/code "
                                 "(\"SecretNotFound\" -> \"Other\")"});
  // A poll that never finished is drift of the final answer.
  CHECK(summarize(compare_shapes(recorded, {deleted, pending, pending}, "f")) ==
        std::vector<std::string>{
            "error status-changed at /Entries/4/StatusCode (200 -> 404)",
            "error error-code-changed at /Entries/4/ResponseBody/error/code (no code -> "
            "\"SecretNotFound\")"});
}

TEST_CASE("A retried conflict after purge compares however often it was retried",
          "[scenario][verify]") {
  const Entry purge = entry("DELETE", "/deletedsecrets/a", 204);
  const Entry conflict = entry("PUT", "/secrets/a", 409, error("Conflict", "ObjectIsBeingPurged"));
  const Entry set = entry("PUT", "/secrets/a", 200, secret());
  const auto recorded = fixture({purge, conflict, conflict, set});
  CHECK(compare_shapes(recorded, {purge, set}, "f").empty());
  CHECK(
      compare_shapes(recorded, {purge, conflict, conflict, conflict, conflict, set}, "f").empty());
}

TEST_CASE("Missing and extra exchanges are errors, reported once each without shifting the rest",
          "[scenario][verify]") {
  const Entry set = entry("PUT", "/secrets/a", 200, secret());
  const Entry get = entry("GET", "/secrets/a", 200, secret());
  const Entry del = entry("DELETE", "/secrets/a", 200, secret());
  const Entry backup = entry("POST", "/secrets/a/backup", 200, {{"value", "blob"}});
  const auto recorded = fixture({set, get, del});
  CHECK(summarize(compare_shapes(recorded, {set, del}, "f")) ==
        std::vector<std::string>{
            "error exchange-missing at /Entries/1 (GetSecret (GET, 200) -> no such exchange "
            "live)"});
  CHECK(summarize(compare_shapes(recorded, {set, get, backup, del}, "f")) ==
        std::vector<std::string>{
            "error exchange-extra at /Entries/2 (no exchange here -> BackupSecret (POST, 200))"});
  CHECK(summarize(compare_shapes(recorded, {set, get, del, backup}, "f")) ==
        std::vector<std::string>{
            "error exchange-extra at /Entries/3 (no exchange here -> BackupSecret (POST, 200))"});
}

TEST_CASE("A request repeated with another final answer is an exchange of its own",
          "[scenario][verify]") {
  const Entry set = entry("PUT", "/secrets/a", 200, secret());
  const Entry del = entry("DELETE", "/secrets/a", 200, secret());
  const Entry gone = entry("DELETE", "/secrets/a", 404, error("SecretNotFound"));
  const auto recorded = fixture({set, del, gone});
  CHECK(compare_shapes(recorded, {set, del, gone}, "f").empty());
  CHECK(summarize(compare_shapes(recorded, {set, del}, "f")) ==
        std::vector<std::string>{
            "error exchange-missing at /Entries/2 (DeleteSecret (DELETE, 404) -> no such exchange "
            "live)"});
}

TEST_CASE("Every drift kind is listed with its severity", "[scenario][verify]") {
  std::vector<std::string> listed;
  for (const auto& kind : kv::scenario::drift_kinds())
    listed.push_back(std::string(kind.id) + " " + kv::harness::to_string(kind.severity));
  CHECK(listed == std::vector<std::string>{"field-added info", "field-removed warning",
                                           "type-changed error", "enum-changed error",
                                           "status-changed error", "error-code-changed error",
                                           "header-added info", "header-removed warning",
                                           "exchange-missing error", "exchange-extra error"});
}
