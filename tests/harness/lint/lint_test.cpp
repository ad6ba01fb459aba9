// Lint: the committed recordings are consistent traces; each rule trips on a recording damaged in
// one place and stays quiet on a near miss; the real service's recordings lint clean.
#include <catch2/catch.hpp>

#include "skip.hpp"

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <set>

#include "kv/harness/lint.hpp"
#include "kv/harness/lint_report.hpp"
#include "test_paths.hpp"

using kv::harness::Diagnostic;
using kv::harness::Json;
using kv::harness::Severity;

namespace {

namespace fs = std::filesystem;

Json recording(const std::string& name) {
  return Json::parse(
      kv::test::read_text(fs::path(KV_SOURCE_DIR) / "recordings" / (name + ".json")));
}

std::vector<Diagnostic> lint_json(const Json& fixture, const std::string& name) {
  return kv::harness::lint_fixture(kv::harness::parse_fixture(fixture.dump(), name), name);
}

std::string listing(const std::vector<Diagnostic>& found) {
  return found.empty() ? "(no findings)" : kv::harness::format_diagnostics(found);
}

Json& entries(Json& fixture) {
  return fixture["Entries"];
}

// An error answer in the service's words.
Json error_body(const std::string& code, const std::string& message) {
  return {{"error", {{"code", code}, {"message", message}}}};
}

void answer_404(Json& entry) {
  entry["StatusCode"] = 404;
  entry["ResponseBody"] = error_body("SecretNotFound", "Deleted Secret not found: x");
}

void set_inner_error(Json& entry, const std::string& code) {
  entry["ResponseBody"]["error"]["innererror"]["code"] = code;
}

// A token request shaped like `entry`: not a secrets operation.
Json token_request(Json entry) {
  entry["RequestUri"] = "https://login.microsoftonline.com/tenant/oauth2/v2.0/token";
  entry["RequestMethod"] = "POST";
  return entry;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at))
    text.replace(at, from.size(), to), at += to.size();
  return text;
}

// One rule: a recording damaged in one place trips it there; a near miss (an edit that looks
// alike but that the service could have answered) gives no finding at all.
struct RuleCase {
  const char* rule;
  const char* recording;
  const char* where;
  std::function<void(Json&)> damage;
  std::function<void(Json&)> near_miss;
};

const std::vector<RuleCase>& rule_cases() {
  static const std::vector<RuleCase> cases = {
      {"unexpected-status", "backup_restore", "/Entries/1/StatusCode",
       [](Json& f) { entries(f)[1]["StatusCode"] = 202; },
       [](Json& f) {  // a 401 challenge before the set is not an answer about the secret
         Json challenge = entries(f)[0];
         challenge["StatusCode"] = 401;
         challenge["ResponseBody"] = error_body("Unauthorized",
                                                "AKV10000: Request is missing a "
                                                "Bearer or PoP token.");
         entries(f).insert(entries(f).begin(), challenge);
       }},
      {"response-body", "backup_restore", "/Entries/6/ResponseBody",
       [](Json& f) {
         entries(f)[6]["ResponseBody"] = {{"value", "purged"}};
       },
       [](Json& f) { entries(f)[7]["ResponseBody"] = nullptr; }},  // an error may have no body
      {"missing-field", "backup_restore", "/Entries/3/ResponseBody/scheduledPurgeDate",
       [](Json& f) { entries(f)[3]["ResponseBody"].erase("scheduledPurgeDate"); },
       [](Json& f) {  // api-version 7.0 answers without recoverableDays
         entries(f)[3]["ResponseBody"]["attributes"].erase("recoverableDays");
       }},
      {"unexpected-field", "backup_restore", "/Entries/3/ResponseBody/value",
       [](Json& f) { entries(f)[3]["ResponseBody"]["value"] = "my secret value"; },
       [](Json& f) { entries(f)[8]["ResponseBody"]["value"] = "my secret value"; }},
      {"wrong-type", "backup_restore", "/Entries/0/ResponseBody/attributes/enabled",
       [](Json& f) { entries(f)[0]["ResponseBody"]["attributes"]["enabled"] = "true"; },
       [](Json& f) {  // numeric strings are dates too (the C++ SDK reads both)
         auto& a = entries(f)[0]["ResponseBody"]["attributes"];
         a["created"] = std::to_string(a["created"].get<long long>());
       }},
      {"id-mismatch", "backup_restore", "/Entries/1/ResponseBody/id",
       [](Json& f) {
         auto& id = entries(f)[1]["ResponseBody"]["id"];
         id = replace_all(id.get<std::string>(), "/secrets/backup-restore-8rokfvu0/",
                          "/secrets/another-secret/");
       },
       [](Json& f) { entries(f)[1]["ResponseBody"]["id"] = "Sanitized"; }},
      {"error-body", "backup_restore", "/Entries/4/ResponseBody/error",
       [](Json& f) {
         entries(f)[4]["ResponseBody"] = {{"message", "not found"}};
       },
       [](Json& f) { entries(f)[4]["ResponseBody"] = "Not Found"; }},  // text is not judged
      {"purge-date", "backup_restore", "/Entries/3/ResponseBody/scheduledPurgeDate",
       [](Json& f) {
         auto& b = entries(f)[3]["ResponseBody"];
         b["scheduledPurgeDate"] = b["scheduledPurgeDate"].get<long long>() + 86400;
       },
       [](Json& f) {  // a vault that keeps deleted secrets 7 days
         auto& b = entries(f)[3]["ResponseBody"];
         b["attributes"]["recoverableDays"] = 7;
         b["attributes"]["recoveryLevel"] = "CustomizedRecoverable+Purgeable";
         b["scheduledPurgeDate"] = b["deletedDate"].get<long long>() + 7 * 86400;
       }},
      {"recovery-level", "backup_restore", "/Entries/0/ResponseBody/attributes/recoverableDays",
       [](Json& f) { entries(f)[0]["ResponseBody"]["attributes"]["recoverableDays"] = 7; },
       [](Json& f) {
         auto& a = entries(f)[0]["ResponseBody"]["attributes"];
         a["recoverableDays"] = 7;
         a["recoveryLevel"] = "CustomizedRecoverable+Purgeable";
       }},
      {"date-order", "backup_restore", "/Entries/0/ResponseBody/attributes/updated",
       [](Json& f) {
         auto& a = entries(f)[0]["ResponseBody"]["attributes"];
         a["updated"] = a["created"].get<long long>() - 1;
       },
       [](Json& f) {
         auto& a = entries(f)[1]["ResponseBody"]["attributes"];
         a["updated"] = a["created"].get<long long>() + 1;
       }},
      {"secret-not-active", "backup_restore", "/Entries/7/StatusCode",
       [](Json& f) {  // a get after the purge
         entries(f).insert(entries(f).begin() + 7, entries(f)[1]);
       },
       [](Json& f) {
         Json get = entries(f)[1];
         get["StatusCode"] = 404;
         get["ResponseBody"] = error_body("SecretNotFound",
                                          "A secret with (name/id) x was not "
                                          "found in this key vault.");
         entries(f).insert(entries(f).begin() + 7, get);
       }},
      {"active-secret-not-found", "backup_restore", "/Entries/1/StatusCode",
       [](Json& f) { answer_404(entries(f)[1]); },
       [](Json& f) {  // one missing version says nothing about the others
         auto& get = entries(f)[1];
         get["RequestUri"] = replace_all(get["RequestUri"], "?api-version",
                                         "/00000000000000000000000000000000?api-version");
         answer_404(get);
       }},
      {"set-on-deleted-name", "conflict_deleted_recoverable", "/Entries/4/StatusCode",
       [](Json& f) {
         entries(f)[4]["StatusCode"] = 200;
         entries(f)[4]["ResponseBody"] = entries(f)[0]["ResponseBody"];
       },
       [](Json& f) {  // purged first: the name is free again
         std::swap(entries(f)[4], entries(f)[5]);
         entries(f)[5]["StatusCode"] = 200;
         entries(f)[5]["ResponseBody"] = entries(f)[0]["ResponseBody"];
       }},
      {"no-deleted-secret", "delete_recover", "/Entries/2/StatusCode",
       [](Json& f) { entries(f).erase(entries(f).begin() + 1); },  // the delete is gone
       [](Json& f) {  // a secret deleted before the trace began
         entries(f).erase(entries(f).begin(), entries(f).begin() + 2);
       }},
      {"deleted-secret-not-found", "get_deleted", "/Entries/4/StatusCode",
       [](Json& f) { answer_404(entries(f)[4]); },
       [](Json& f) { entries(f).insert(entries(f).begin() + 2, entries(f)[2]); }},  // one more poll
      {"unexpected-conflict", "conflict_deleted_recoverable", "/Entries/4/StatusCode",
       [](Json& f) { set_inner_error(entries(f)[4], "ObjectIsBeingRecovered"); },
       [](Json& f) {  // a set before the delete finished
         entries(f).erase(entries(f).begin() + 3);
         set_inner_error(entries(f)[3], "ObjectIsBeingDeleted");
       }},
      {"restore-onto-existing", "restore_onto_existing", "/Entries/2/StatusCode",
       [](Json& f) {
         entries(f)[2]["StatusCode"] = 200;
         entries(f)[2]["ResponseBody"] = entries(f)[0]["ResponseBody"];
         entries(f)[2]["ResponseBody"].erase("value");
       },
       [](Json& f) {  // a restore after the purge
         Json restore = entries(f)[2];
         restore["StatusCode"] = 200;
         restore["ResponseBody"] = entries(f)[0]["ResponseBody"];
         restore["ResponseBody"].erase("value");
         entries(f).push_back(restore);
       }},
      {"version-not-seen", "list_versions", "/Entries/4/RequestUri",
       [](Json& f) {
         auto& get = entries(f)[4];
         const std::string old = "26e843102a391f08876e3f1a763d205c";
         const std::string edited = "ffffffffffffffffffffffffffffffff";
         get["RequestUri"] = replace_all(get["RequestUri"], old, edited);
         get["ResponseBody"]["id"] = replace_all(get["ResponseBody"]["id"], old, edited);
       },
       [](Json& f) {  // asking for an unknown version and hearing 404 is fine
         auto& get = entries(f)[4];
         get["RequestUri"] = replace_all(get["RequestUri"], "26e843102a391f08876e3f1a763d205c",
                                         "ffffffffffffffffffffffffffffffff");
         answer_404(get);
       }},
      {"next-link-not-offered", "paging", "/Entries/31/RequestUri",
       [](Json& f) {
         auto& page = entries(f)[31];
         page["RequestUri"] = replace_all(page["RequestUri"], "skiptoken=eyJ", "skiptoken=xyJ");
       },
       [](Json& f) {  // the same link, reordered, with the default port
         auto& page = entries(f)[31];
         const std::string uri = page["RequestUri"];
         const auto q = uri.find('?');
         std::string query = uri.substr(q + 1);
         const auto amp = query.find('&');
         query = query.substr(amp + 1) + "&" + query.substr(0, amp);
         page["RequestUri"] =
             replace_all(uri.substr(0, q), ".azure.net/", ".azure.net:443/") + "?" + query;
       }},
      {"poll-unfinished", "backup_restore", "/Entries/5/StatusCode",
       [](Json& f) { answer_404(entries(f)[5]); },
       [](Json& f) { entries(f).erase(entries(f).begin() + 5); }},  // one poll, then purge
      {"date-went-backwards", "list_versions", "/Entries/1/ResponseBody/attributes/created",
       [](Json& f) {
         auto& a = entries(f)[1]["ResponseBody"]["attributes"];
         a["created"] = a["created"].get<long long>() - 5;
         a["updated"] = a["created"];
       },
       [](Json& f) {  // the clock jumping forward is fine
         for (int i : {7, 9}) {
           auto& b = entries(f)[static_cast<std::size_t>(i)]["ResponseBody"];
           b["deletedDate"] = b["deletedDate"].get<long long>() + 5;
           b["scheduledPurgeDate"] = b["scheduledPurgeDate"].get<long long>() + 5;
         }
       }},
      {"version-created-changed", "backup_restore", "/Entries/9/ResponseBody/attributes/created",
       [](Json& f) {
         auto& a = entries(f)[9]["ResponseBody"]["attributes"];
         a["created"] = a["created"].get<long long>() - 1;
       },
       [](Json& f) {
         auto& a = entries(f)[9]["ResponseBody"]["attributes"];
         a["updated"] = a["updated"].get<long long>() + 1;
       }},
      {"no-secrets-traffic", "backup_restore", "",
       [](Json& f) { entries(f) = Json::array({token_request(entries(f)[0])}); },
       [](Json& f) {
         entries(f) = Json::array({token_request(entries(f)[0]), entries(f)[0]});
       }},
  };
  return cases;
}

}  // namespace

TEST_CASE("Each committed recording is a consistent life-cycle trace with no lint findings",
          "[lint]") {
  int linted = 0;
  for (const auto& item : fs::directory_iterator(fs::path(KV_SOURCE_DIR) / "recordings")) {
    if (item.path().extension() != ".json") continue;
    const auto fixture = kv::harness::load_fixture(item.path().string());
    INFO(item.path().string());
    CHECK(listing(kv::harness::lint_fixture(fixture, item.path().string())) == "(no findings)");
    ++linted;
  }
  CHECK(linted >= 19);
}

TEST_CASE("Each lint rule trips on a recording damaged in one place and not on a near miss",
          "[lint]") {
  for (const auto& c : rule_cases()) {
    INFO("rule " << c.rule << " on recordings/" << c.recording << ".json");
    const std::string name = std::string("recordings/") + c.recording + ".json";
    Json damaged = recording(c.recording);
    c.damage(damaged);
    const auto found = lint_json(damaged, name);
    INFO("damaged:\n" << listing(found));
    const bool tripped = std::any_of(found.begin(), found.end(), [&](const Diagnostic& d) {
      return d.id == c.rule && d.where == c.where && d.file == name;
    });
    CHECK(tripped);
    Json near = recording(c.recording);
    c.near_miss(near);
    CHECK(listing(lint_json(near, name)) == "(no findings)");
  }
}

TEST_CASE("Every lint rule has a damaged recording in the table and a line in docs/cli.md",
          "[lint]") {
  std::set<std::string> tested;
  for (const auto& c : rule_cases()) tested.insert(c.rule);
  const std::string docs = kv::test::read_text(fs::path(KV_SOURCE_DIR) / "docs/cli.md");
  for (const auto& rule : kv::harness::lint_rules()) {
    INFO(rule.id);
    CHECK(tested.count(rule.id) == 1);
    CHECK(docs.find(std::string("`") + rule.id + "`") != std::string::npos);
  }
  CHECK(tested.size() == kv::harness::lint_rules().size());
}

TEST_CASE("A life-cycle finding names the file, the entry, the rule, the state and the answer",
          "[lint]") {
  Json f = recording("backup_restore");
  entries(f).insert(entries(f).begin() + 7, entries(f)[1]);
  const auto found = lint_json(f, "recordings/backup_restore.json");
  REQUIRE(found.size() == 1);
  CHECK(found[0].message() ==
        "recordings/backup_restore.json: error at /Entries/7/StatusCode [secret-not-active]\n"
        "  expected: 404 SecretNotFound: \"backup-restore-8rokfvu0\" is purged (purged at "
        "/Entries/6/StatusCode)\n"
        "  found:    200 for GetSecret");
}

TEST_CASE("In a legacy recording a finding inside a body points at BODY and the place in its text",
          "[lint]") {
  const std::string text = R"({"networkCallRecords": [
    {"Headers": {}, "Method": "PUT", "Url": "https://REDACTED.vault.azure.net/secrets/s?api-version=7.2",
     "Response": {"STATUS_CODE": "200", "content-type": "application/json; charset=utf-8",
       "BODY": "{\"value\":\"v\",\"id\":\"https://REDACTED.vault.azure.net/secrets/s/0123456789abcdef0123456789abcdef\",\"attributes\":{\"enabled\":true,\"created\":1629853039,\"updated\":1629853039,\"recoveryLevel\":\"Recoverable+Purgeable\",\"recoverableDays\":90}}"}},
    {"Headers": {}, "Method": "DELETE", "Url": "https://REDACTED.vault.azure.net/secrets/s?api-version=7.2",
     "Response": {"STATUS_CODE": "200", "content-type": "application/json; charset=utf-8",
       "BODY": "{\"recoveryId\":\"https://REDACTED.vault.azure.net/deletedsecrets/s\",\"deletedDate\":1629853039,\"id\":\"https://REDACTED.vault.azure.net/secrets/s/0123456789abcdef0123456789abcdef\",\"attributes\":{\"enabled\":true,\"created\":1629853039,\"updated\":1629853039,\"recoveryLevel\":\"Recoverable+Purgeable\",\"recoverableDays\":90}}"}}
  ]})";
  const auto fixture = kv::harness::parse_fixture(text, "legacy.json");
  REQUIRE(fixture.source == kv::harness::FixtureSource::LegacyCpp);
  const auto found = kv::harness::lint_fixture(fixture, "legacy.json");
  REQUIRE(found.size() == 1);
  CHECK(found[0].message() ==
        "legacy.json: error at /networkCallRecords/1/Response/BODY [missing-field]\n"
        "  expected: the scheduled purge date (\"scheduledPurgeDate\") in the answer to "
        "DeleteSecret\n"
        "  found:    no \"scheduledPurgeDate\"\n"
        "  hint:     at /scheduledPurgeDate in the JSON text of BODY");
}

TEST_CASE("Lint never throws when answers carry fields of any type or size", "[lint]") {
  const Json odd = Json::array({nullptr, true, "Sanitized", -1, 18446744073709551615u, 1.5e300,
                                "99999999999999999999", Json::array(), Json::object()});
  int linted = 0;
  for (const char* name : {"backup_restore", "list_deleted", "update_properties"}) {
    auto fixture = kv::harness::parse_fixture(recording(name).dump(), name);
    for (auto& entry : fixture.entries) {
      if (entry.response_body.kind != kv::harness::Body::Kind::Json) continue;
      const Json saved = entry.response_body.json();
      if (!saved.is_object()) continue;
      Json body = saved;
      std::vector<std::string> pointers;
      auto add_keys = [&](const Json& object, const std::string& base) {
        if (!object.is_object()) return;
        for (const auto& item : object.items()) pointers.push_back(base + "/" + item.key());
      };
      add_keys(body, "");
      if (body.contains("attributes")) add_keys(body["attributes"], "/attributes");
      if (body.contains("value") && body["value"].is_array() && !body["value"].empty()) {
        add_keys(body["value"][0], "/value/0");
        if (body["value"][0].contains("attributes"))
          add_keys(body["value"][0]["attributes"], "/value/0/attributes");
      }
      for (const auto& pointer : pointers) {
        for (const auto& value : odd) {
          body[Json::json_pointer(pointer)] = value;
          entry.response_body = kv::harness::Body::from_json(body);
          INFO(name << " " << pointer << " = " << value.dump());
          CHECK_NOTHROW(kv::harness::lint_fixture(fixture, name));
          body = saved;
          entry.response_body = kv::harness::Body::from_json(saved);
          ++linted;
        }
      }
    }
  }
  CHECK(linted > 500);
}

TEST_CASE("Warnings fail a lint only when strict and info never does", "[lint]") {
  Diagnostic warning;
  warning.severity = Severity::Warning;
  Diagnostic info;
  info.severity = Severity::Info;
  Diagnostic error;
  using kv::harness::Severity;
  CHECK_FALSE(kv::harness::lint_fails({warning, info}));
  CHECK(kv::harness::lint_fails({warning, info}, Severity::Warning));
  CHECK_FALSE(kv::harness::lint_fails({info}, Severity::Warning));
  CHECK(kv::harness::lint_fails({info, error}, Severity::Error));
}

TEST_CASE("Every real-service recording lints clean (needs ../shared)", "[lint][real]") {
  const auto dir = kv::test::real_recordings();
  if (dir.empty()) {
    KV_SKIP(kv::test::shared_dir().string() << "/real-recordings is missing (a fresh clone has "
                                               "no ../shared)");
  }
  int linted = 0;
  for (const auto& item : fs::recursive_directory_iterator(dir)) {
    if (item.path().extension() != ".json") continue;
    const auto fixture = kv::harness::load_fixture(item.path().string());
    const auto found = kv::harness::lint_fixture(fixture, item.path().string());
    INFO(listing(found));
    CHECK_FALSE(kv::harness::lint_fails(found, kv::harness::Severity::Warning));
    // The only note: the two keys recordings hold no secrets traffic.
    for (const auto& d : found) CHECK(d.id == "no-secrets-traffic");
    ++linted;
  }
  CHECK(linted == 42);
}

TEST_CASE(
    "lint_paths finds, loads and lints the fixtures of files and folders; the report reads "
    "as text and JSON",
    "[lint]") {
  const std::string recordings = std::string(KV_SOURCE_DIR) + "/recordings";
  const auto clean = kv::harness::lint_paths({recordings});
  CHECK(clean.unloadable.empty());
  CHECK(clean.linted() == clean.files.size());
  CHECK(clean.to_text() ==
        "ok: " + std::to_string(clean.files.size()) + " recordings, no findings\n");
  CHECK_FALSE(clean.fails(kv::harness::Severity::Warning));
  CHECK_THROWS_WITH(kv::harness::lint_paths({"/nonexistent/x.json"}),
                    "no such file or folder: /nonexistent/x.json");

  kv::test::ScratchDir dir("lint-report");
  kv::test::write_text(dir.path() / "a.json", "{ not json");
  std::filesystem::copy_file(recordings + "/paging.json", dir.path() / "b.json");
  const auto report = kv::harness::lint_paths({dir.path().string()});
  REQUIRE(report.files.size() == 2);
  CHECK(report.unloadable.size() == 1);
  CHECK(report.to_text() == "1 recording, no findings\n1 recording could not be loaded\n");
  const auto json = kv::harness::Json::parse(report.to_json());
  CHECK(json["recordings"] == 1);
  CHECK(json["unloadable"] == 1);
  CHECK(json["findings"].empty());
  CHECK(kv::harness::format_lint_rules().find(" (error): ") != std::string::npos);
}
