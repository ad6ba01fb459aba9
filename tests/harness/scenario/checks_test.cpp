// Field checks, error checks, field paths and variable substitution, table-driven.
#include <catch2/catch.hpp>

#include "kv/harness/internal/suggest.hpp"
#include "kv/scenario/checks.hpp"
#include "kv/scenario/parser.hpp"
#include "kv/scenario/variables.hpp"

using nlohmann::json;
using namespace kv::scenario;
using kv::harness::edit_distance;
using kv::harness::nearest_name;

namespace {

std::optional<Mismatch> check(const std::string& expect, const json& result) {
  auto scenario = parse_scenario(
      R"({"name": "t", "variables": {"v": "abc"}, "steps": [{"op": "list", "expect": )" + expect +
          "}]}",
      "t.json");
  Variables variables;
  variables.set("v", "abc");
  Outcome outcome;
  outcome.result = result;
  return evaluate(scenario.steps[0].expect, outcome, variables, "/steps/0");
}

}  // namespace

TEST_CASE("Each field check holds or fails with expected and actual text", "[scenario][checks]") {
  const json result = {
      {"status", 200},
      {"count", 30},
      {"names", {"a", "abc"}},
      {"items",
       json::array(
           {{{"name", "a"}, {"tags", {{"env", "test"}}}, {"created", "2026-01-01T00:00:00Z"}}})}};
  struct Case {
    const char* expect;
    const char* expected;  // "" when the check holds
    const char* actual;
  };
  const Case cases[] = {
      {R"({"count": 30})", "", ""},
      {R"({"count": 31})", "count equals 31", "30"},
      {R"({"count": {"notEquals": 30}})", "count notEquals 30", "30"},
      {R"({"count": {"greaterThan": 29, "lessThan": 31}})", "", ""},
      {R"({"count": {"greaterThan": 30}})", "count greaterThan 30", "30"},
      {R"({"items.0.created": {"greaterThan": "2025-12-31T23:59:59Z"}})", "", ""},
      {R"({"names": {"contains": "${v}"}})", "", ""},
      {R"({"names": {"contains": "zzz"}})", "names contains \"zzz\"", "[\"a\",\"abc\"]"},
      {R"({"names": {"length": 2}})", "", ""},
      {R"({"names": {"length": 3}})", "names length 3", "length 2"},
      {R"({"items.0.name": "a"})", "", ""},
      {R"({"/items/0/name": "a"})", "", ""},
      {R"({"items.1.name": {"exists": true}})", "items.1.name exists", "no such field"},
      {R"({"items.0.tags.env": {"matches": "^te"}})", "", ""},
      {R"({"items.0.tags.env": {"matches": "^x"}})", "items.0.tags.env matches \"^x\"", "\"test\""},
      {R"({"items.0.tags": {"contains": "env"}})", "", ""},
      {R"({"items.0.tags.owner": {"absent": true}})", "", ""},
      {R"({"items.0.tags.env": {"absent": true}})", "items.0.tags.env absent", "\"test\""},
      {R"({"items.0.tags": {"equals": {"env": "test"}}})", "", ""},
      {R"({"status": 200})", "", ""},
  };
  for (const auto& c : cases) {
    INFO(c.expect);
    auto mismatch = check(c.expect, result);
    if (std::string(c.expected).empty()) {
      CHECK_FALSE(mismatch);
    } else {
      REQUIRE(mismatch);
      CHECK(mismatch->expected == c.expected);
      CHECK(mismatch->actual == c.actual);
    }
  }
}

TEST_CASE("An expected error fails against a success, naming the status that came back",
          "[scenario][checks]") {
  auto mismatch =
      check(R"({"error": {"status": 404, "code": "SecretNotFound"}})", {{"status", 200}});
  REQUIRE(mismatch);
  CHECK(mismatch->pointer == "/steps/0/expect/error");
  CHECK(mismatch->expected == "error 404 SecretNotFound");
  CHECK(mismatch->actual == "success (status 200)");
}

TEST_CASE("Substitution replaces ${name}, keeps $${ literal and rejects unknown names",
          "[scenario][variables]") {
  Variables v;
  v.set("a", "1");
  CHECK(v.substitute("x-${a}-${a}") == "x-1-1");
  CHECK(v.substitute("$${a}") == "${a}");
  CHECK(v.substitute("${unclosed") == "${unclosed");
  CHECK(v.substitute_json(json{{"k-${a}", {"${a}", 2}}}) == json{{"k-1", {"1", 2}}});
  CHECK_THROWS_WITH(v.substitute("${b}"),
                    "variable \"b\" has no value here (it is neither defined in \"variables\" nor "
                    "captured by a step that ran)");
  CHECK(referenced_variables("${a} $${b} ${c}") == std::vector<std::string>{"a", "c"});
}

TEST_CASE("Suggestions pick the nearest name and give none for unrelated words",
          "[scenario][suggest]") {
  const std::vector<std::string> names = {"backup", "purge", "listVersions"};
  CHECK(nearest_name("bakup", names) == "backup");
  CHECK(nearest_name("listversion", names) == "listVersions");
  CHECK_FALSE(nearest_name("frobnicate", names));
  CHECK(edit_distance("kitten", "sitting") == 3);
}
