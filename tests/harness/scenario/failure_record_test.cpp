// The one failure record: a playback miss and a step failure carry the same fields, and the
// console, JUnit and JSON reports show them alike; "did you mean" for misspelled names.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "kv/harness/playback_transport.hpp"
#include "kv/harness/rules.hpp"
#include "kv/scenario/reporters.hpp"

using namespace kv;
using kv::harness::Diagnostic;

namespace {

harness::Fixture one_set() {
  harness::Entry e;
  e.request_method = "PUT";
  e.request_uri = "https://fakevault.vault.azure.net/secrets/s1?api-version=7.5";
  e.request_body =
      harness::Body::from_bytes(http::to_bytes(R"({"value":"v"})"), "application/json");
  e.status_code = 200;
  harness::Fixture f;
  f.entries.push_back(std::move(e));
  return f;
}

Diagnostic a_miss() {
  harness::PlaybackOptions options;
  options.fixture_path = "recordings/one.json";
  harness::PlaybackTransport t(one_set(), options);
  http::Request r;
  r.method = "PUT";
  r.url = "https://fakevault.vault.azure.net/secrets/s1?api-version=7.4";
  r.body = http::to_bytes(R"({"value":"v"})");
  try {
    t.send(r);
  } catch (const harness::PlaybackMismatch& e) {
    CHECK(e.what() == e.diagnostic().message());
    CHECK(harness::diagnostic_of(e) == &e.diagnostic());
    return e.diagnostic();
  }
  FAIL("no miss");
  return {};
}

scenario::ScenarioResult failed(const std::string& name, scenario::StepResult step) {
  scenario::ScenarioResult r;
  r.file = "scenarios/" + name + ".json";
  r.name = name;
  r.mode = "playback";
  r.status = scenario::Status::Failed;
  r.steps.push_back(std::move(step));
  return r;
}

// A run of two scenarios: one failed on a miss, one on an expectation.
scenario::RunSummary two_failures(const Diagnostic& miss) {
  scenario::StepResult on_miss;
  on_miss.pointer = "/steps/0";
  on_miss.operation = scenario::Operation::Set;
  on_miss.status = scenario::Status::Failed;
  on_miss.attempts = 1;
  on_miss.error = miss.message();
  on_miss.cause = miss;
  scenario::StepResult on_check;
  on_check.pointer = "/steps/1";
  on_check.operation = scenario::Operation::Get;
  on_check.status = scenario::Status::Failed;
  on_check.attempts = 1;
  on_check.at = "/steps/1/expect/value";
  on_check.expected = "value equals \"v\"";
  on_check.actual = "\"w\"";
  scenario::RunSummary summary;
  summary.scenarios.push_back(failed("miss", on_miss));
  summary.scenarios.push_back(failed("check", on_check));
  return summary;
}

}  // namespace

TEST_CASE("A playback miss is a record: fixture, request, candidates with recorded/actual fields",
          "[scenario][failure-record]") {
  const Diagnostic miss = a_miss();
  CHECK(miss.id == "playback-miss");
  CHECK(miss.file == "recordings/one.json");
  CHECK(miss.request == "PUT /secrets/s1?api-version=7.4 (SetSecret)");
  CHECK(miss.expected_label == "recorded");
  CHECK(miss.found_label == "actual");
  REQUIRE(miss.related.size() == 2);
  CHECK(miss.related[0].name == "candidates");
  REQUIRE(miss.related[0].items.size() == 1);
  CHECK(miss.related[0].items[0].where == "/Entries/0");
  CHECK(miss.related[0].items[0].fields ==
        std::vector<harness::FieldDiff>{{"query api-version", "7.5", "7.4"}});
  CHECK(miss.related[1].name == "unused");
  CHECK(miss.message().find("      query api-version: recorded 7.5 | actual 7.4") !=
        std::string::npos);
}

TEST_CASE("A miss and a step failure carry the same fields in the console, JUnit and JSON",
          "[scenario][failure-record]") {
  const Diagnostic miss = a_miss();
  const scenario::RunSummary summary = two_failures(miss);

  // Console: the step header, then the record's own message.
  std::ostringstream console;
  scenario::ConsoleReporter reporter(console);
  for (const auto& s : summary.scenarios) reporter.scenario_finished(s);
  const std::string text = console.str();
  CHECK(text.find("scenarios/miss.json: step /steps/0 (set) failed:\n"
                  "         kvharness playback: no recorded entry matches the request\n"
                  "           fixture: recordings/one.json\n"
                  "           request: PUT /secrets/s1?api-version=7.4 (SetSecret)") !=
        std::string::npos);
  CHECK(text.find("scenarios/check.json: step /steps/1 (get) failed\n"
                  "         at:       /steps/1/expect/value\n"
                  "         expected: value equals \"v\"\n"
                  "         actual:   \"w\"") != std::string::npos);

  // JUnit: the record's id is the failure's type, its message the text.
  const std::string xml = scenario::to_junit_xml(summary, "playback");
  CHECK(xml.find("type=\"playback-miss\">scenarios/miss.json: step /steps/0 (set) failed:") !=
        std::string::npos);
  CHECK(xml.find("query api-version: recorded 7.5 | actual 7.4") != std::string::npos);
  CHECK(xml.find("type=\"expectation-failed\">scenarios/check.json: step /steps/1 (get) failed") !=
        std::string::npos);

  // JSON: the same keys for both kinds, on the step and on the scenario.
  const auto report = nlohmann::json::parse(scenario::to_json_report(summary, "playback"));
  const auto& on_miss = report["scenarios"][0]["steps"][0]["diagnostic"];
  const auto& on_check = report["scenarios"][1]["steps"][0]["diagnostic"];
  for (const char* key :
       {"file", "where", "id", "severity", "expected", "found", "hint", "labels", "title"}) {
    CHECK(on_miss.contains(key));
    CHECK(on_check.contains(key));
  }
  CHECK(on_miss["id"] == "playback-miss");
  CHECK(on_miss["file"] == "scenarios/miss.json");
  const auto& cause = on_miss["causes"][0];
  CHECK(cause["file"] == "recordings/one.json");
  CHECK(cause["request"] == "PUT /secrets/s1?api-version=7.4 (SetSecret)");
  CHECK(cause["labels"]["expected"] == "recorded");
  CHECK(cause["related"][0]["items"][0]["fields"][0] ==
        nlohmann::json({{"field", "query api-version"}, {"expected", "7.5"}, {"found", "7.4"}}));
  CHECK(on_check["id"] == "expectation-failed");
  CHECK(on_check["where"] == "/steps/1/expect/value");
  CHECK(on_check["expected"] == "value equals \"v\"");
  CHECK(on_check["found"] == "\"w\"");
  CHECK(on_check["labels"]["found"] == "actual");
  CHECK(report["scenarios"][1]["diagnostic"] == on_check);
  // The old fields stay.
  CHECK(report["scenarios"][1]["steps"][0]["at"] == "/steps/1/expect/value");
  CHECK(report["scenarios"][1]["steps"][0]["actual"] == "\"w\"");
}

TEST_CASE("A failure known only by its message renders unchanged", "[scenario][failure-record]") {
  scenario::ScenarioResult r;
  r.file = "scenarios/x.json";
  r.status = scenario::Status::Failed;
  r.error = "variables: no value\n  more";
  CHECK(r.failure_message() == "scenarios/x.json: variables: no value\n  more");
  CHECK(r.failure_record()->id == "scenario-error");
}

TEST_CASE("A misspelled rule name gets a did-you-mean; a rules file's errors name the file",
          "[scenario][failure-record]") {
  try {
    harness::Rules::parse(R"({"mach": {}})", {"my-rules.json", ""});
    FAIL("no error");
  } catch (const harness::RulesError& e) {
    CHECK(e.diagnostic().id == "unknown-rule");
    CHECK(e.diagnostic().did_you_mean == "match");
    CHECK(e.diagnostic().hint == "did you mean \"match\"?");
    CHECK(harness::to_json(e.diagnostic())["didYouMean"] == "match");
  }
  const std::string path = "failure_record_rules.json";
  std::ofstream(path) << R"({"match": {"compareBodies": "yes"}})";
  try {
    harness::Rules::load(path);
    FAIL("no error");
  } catch (const harness::RulesError& e) {
    CHECK(e.diagnostic().file == path);
    CHECK(std::string(e.what()).rfind(path + ": error at /match/compareBodies", 0) == 0);
  }
  std::remove(path.c_str());
  try {
    harness::Rules::load("no-such-rules.json");
    FAIL("no error");
  } catch (const harness::RulesError& e) {
    CHECK(e.diagnostic().id == "unreadable-file");
    CHECK(e.diagnostic().file == "no-such-rules.json");
  }
}
