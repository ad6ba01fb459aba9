// Scenario parsing: every class of file error, with its whole message.
#include <catch2/catch.hpp>

#include "kv/scenario/diagnostic.hpp"
#include "kv/scenario/parser.hpp"

using kv::scenario::parse_scenario;
using kv::scenario::ScenarioFileError;

namespace {

std::string error_of(const std::string& text) {
  try {
    parse_scenario(text, "s.json");
  } catch (const ScenarioFileError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("A complete scenario parses into steps with their JSON Pointers", "[scenario][parser]") {
  auto s = parse_scenario(R"({
    // comments are allowed
    "name": "demo", "description": "d", "apiVersion": "7.4",
    "variables": {"n": {"random": "demo-", "length": 4}, "v": "value", "e": {"env": "HOME", "default": "x"}},
    "steps": [
      {"op": "set", "name": "${n}", "value": "${v}", "tags": {"a": "b"}, "capture": {"ver": "version"}},
      {"op": "get", "name": "${n}", "version": "${ver}", "retry": {"attempts": 3, "intervalMs": 10},
       "expect": {"value": "${v}", "tags.a": {"equals": "b", "length": 1}}},
      {"op": "set", "name": "${n}-${i}", "value": "x", "repeat": {"count": 2, "index": "i"}}
    ],
    "cleanup": [{"op": "purge", "name": "${n}", "expect": {"error": {"status": 404, "code": "SecretNotFound"}}}]
  })",
                          "demo.json");
  CHECK(s.name == "demo");
  CHECK(s.api_version == "7.4");
  REQUIRE(s.variables.size() == 3);
  REQUIRE(s.steps.size() == 3);
  CHECK(s.steps[1].pointer == "/steps/1");
  REQUIRE(s.steps[1].retry);
  CHECK(s.steps[1].retry->attempts == 3);
  REQUIRE(s.steps[1].expect);
  REQUIRE(s.steps[1].expect->fields.size() == 2);
  // Fields come in key order; each check keeps its own pointer.
  CHECK(s.steps[1].expect->fields[0].checks.size() == 2);
  CHECK(s.steps[1].expect->fields[0].checks[0].pointer == "/steps/1/expect/tags.a/equals");
  CHECK(s.steps[0].captures.at(0).variable == "ver");
  CHECK(s.steps[2].repeat->count == 2);
  REQUIRE(s.cleanup.size() == 1);
  CHECK(s.cleanup[0].cleanup);
  CHECK(s.cleanup[0].expect->error->code == "SecretNotFound");
}

TEST_CASE("Every class of scenario file error names the file, the pointer, expected and found",
          "[scenario][parser]") {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"{\n  \"name\": \"x\",\n  \"steps\": [ {\"op\": \"get\" \"name\": \"a\"} ]\n}",
       "s.json: error at line 3, column 32 [syntax-error]\n"
       "  expected: valid JSON (comments allowed)\n"
       "  found:    syntax error while parsing object - unexpected string literal; expected '}'"},
      {"[]",
       "s.json: error [wrong-type]\n"
       "  expected: a scenario object { \"name\": ..., \"steps\": [...] }\n"
       "  found:    [] (an array)"},
      {R"({"name": "x"})",
       "s.json: error [missing-field]\n"
       "  expected: a \"steps\" array\n"
       "  found:    no \"steps\""},
      {R"({"name": "x", "steps": []})",
       "s.json: error at /steps [empty-steps]\n"
       "  expected: at least one step\n"
       "  found:    []"},
      {R"({"name": "x", "stesp": [], "steps": [{"op": "list"}]})",
       "s.json: error at /stesp [unknown-field]\n"
       "  expected: a scenario field: one of name, description, apiVersion, variables, steps, "
       "cleanup, rules\n"
       "  found:    \"stesp\"\n"
       "  hint:     did you mean \"steps\"?"},
      {R"({"name": "x", "steps": [{"op": "bakup", "name": "n"}]})",
       "s.json: error at /steps/0/op [unknown-operation]\n"
       "  expected: one of set, get, update, list, listVersions, listDeleted, backup, delete, "
       "getDeleted, purge, recover, restore, pause\n"
       "  found:    \"bakup\"\n"
       "  hint:     did you mean \"backup\"?"},
      {R"({"name": "x", "steps": [{"name": "n"}]})",
       "s.json: error at /steps/0 [missing-field]\n"
       "  expected: an \"op\" naming the operation (one of set, get, update, list, listVersions, "
       "listDeleted, backup, delete, getDeleted, purge, recover, restore, pause)\n"
       "  found:    no \"op\""},
      {R"({"name": "x", "steps": [{"op": "get", "name": "n", "vesion": "1"}]})",
       "s.json: error at /steps/0/vesion [unknown-field]\n"
       "  expected: a field of a \"get\" step: one of op, title, expect, capture, retry, repeat, "
       "name, version\n"
       "  found:    \"vesion\"\n"
       "  hint:     did you mean \"version\"?"},
      {R"({"name": "x", "steps": [{"op": "set", "name": "n"}]})",
       "s.json: error at /steps/0 [missing-field]\n"
       "  expected: a \"value\" argument (a string)\n"
       "  found:    no \"value\""},
      {R"({"name": "x", "steps": [{"op": "set", "name": "n", "value": 42}]})",
       "s.json: error at /steps/0/value [wrong-type]\n"
       "  expected: a string\n"
       "  found:    42 (an integer)"},
      {R"({"name": "x", "steps": [{"op": "set", "name": "n", "value": "v", "expiresOn": "tomorrow"}]})",
       "s.json: error at /steps/0/expiresOn [bad-date]\n"
       "  expected: a date string like \"2030-01-01T00:00:00Z\"\n"
       "  found:    \"tomorrow\""},
      {R"({"name": "x", "steps": [{"op": "get", "name": "${nmae}"}], "variables": {"name": "a"}})",
       "s.json: error at /steps/0/name [unknown-variable]\n"
       "  expected: a variable defined under \"variables\" or captured earlier\n"
       "  found:    \"${nmae}\"\n"
       "  hint:     did you mean \"name\"?"},
      {R"({"name": "x", "steps": [{"op": "get", "name": "a", "expect": {"vaule": "v"}}]})",
       "s.json: error at /steps/0/expect/vaule [unknown-result-field]\n"
       "  expected: a result field of \"get\": one of status, name, value, id, version, "
       "contentType, enabled, notBefore, expiresOn, created, updated, recoveryLevel, "
       "recoverableDays, tags, managed, keyId\n"
       "  found:    \"vaule\"\n"
       "  hint:     did you mean \"value\"?"},
      {R"({"name": "x", "steps": [{"op": "get", "name": "a", "expect": {"value": {"equal": "v"}}}]})",
       "s.json: error at /steps/0/expect/value/equal [unknown-check]\n"
       "  expected: one of equals, notEquals, exists, absent, contains, matches, greaterThan, "
       "lessThan, length\n"
       "  found:    \"equal\"\n"
       "  hint:     did you mean \"equals\"?"},
      {R"({"name": "x", "steps": [{"op": "get", "name": "a", "expect": {"value": {"matches": "(["}}}]})",
       "s.json: error at /steps/0/expect/value/matches [bad-regex]\n"
       "  expected: a regular expression (RE2 syntax)\n"
       "  found:    \"([\" (missing ]: [)"},
      {R"({"name": "x", "steps": [{"op": "get", "name": "a", "expect": {"error": {"status": 404}, "value": "v"}}]})",
       "s.json: error at /steps/0/expect [conflicting-expectation]\n"
       "  expected: either \"error\" or field checks, not both\n"
       "  found:    both"},
      {R"({"name": "x", "steps": [{"op": "get", "name": "a", "expect": {"error": {"stauts": 404}}}]})",
       "s.json: error at /steps/0/expect/error/stauts [unknown-field]\n"
       "  expected: an error expectation field: one of status, code, innerCode, messageContains\n"
       "  found:    \"stauts\"\n"
       "  hint:     did you mean \"status\"?"},
      {R"({"name": "x", "steps": [{"op": "get", "name": "a", "retry": {"attempts": 0}}]})",
       "s.json: error at /steps/0/retry/attempts [wrong-type]\n"
       "  expected: an integer from 1 to 1000\n"
       "  found:    0 (an integer)"},
      {R"({"name": "x", "steps": [{"op": "get", "name": "a", "capture": {"v": "vlaue"}}]})",
       "s.json: error at /steps/0/capture/v [unknown-result-field]\n"
       "  expected: a result field of \"get\": one of status, name, value, id, version, "
       "contentType, enabled, notBefore, expiresOn, created, updated, recoveryLevel, "
       "recoverableDays, tags, managed, keyId\n"
       "  found:    \"vlaue\"\n"
       "  hint:     did you mean \"value\"?"},
      {R"({"name": "x", "variables": {"n": {"randum": "p"}}, "steps": [{"op": "list"}]})",
       "s.json: error at /variables/n [bad-variable]\n"
       "  expected: a string, {\"value\": ...}, {\"env\": NAME, \"default\": ...} or {\"random\": "
       "PREFIX, \"length\": N}\n"
       "  found:    {\"randum\":\"p\"} (an object)"},
      {R"({"name": "x", "variables": {"my-name": "v"}, "steps": [{"op": "list"}]})",
       "s.json: error at /variables/my-name [bad-variable-name]\n"
       "  expected: a name of letters, digits and _\n"
       "  found:    \"my-name\""},
      {R"({"name": "x", "steps": [{"op": "list", "expect": {"count": {}}}]})",
       "s.json: error at /steps/0/expect/count [empty-check]\n"
       "  expected: at least one check\n"
       "  found:    {}"},
      {R"({"name": "x", "steps": [{"op": "pause"}]})",
       "s.json: error at /steps/0 [missing-field]\n"
       "  expected: a \"ms\" argument (a non-negative integer)\n"
       "  found:    no \"ms\""},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    CHECK(error_of(c.text) == c.message);
  }
}

TEST_CASE("A variable captured by a later step is unknown to the steps before it",
          "[scenario][parser]") {
  CHECK(error_of(R"({"name": "x", "steps": [
      {"op": "get", "name": "${v}"},
      {"op": "set", "name": "a", "value": "b", "capture": {"v": "version"}}]})") ==
        "s.json: error at /steps/0/name [unknown-variable]\n"
        "  expected: a variable defined under \"variables\" or captured earlier\n"
        "  found:    \"${v}\"\n"
        "  hint:     define it under \"variables\" or capture it in an earlier step");
}

TEST_CASE("Several problems in one file are all reported", "[scenario][parser]") {
  try {
    parse_scenario(R"({"steps": [{"op": "gte"}, {"op": "list", "maxResults": -1}]})", "s.json");
    FAIL("no error");
  } catch (const ScenarioFileError& e) {
    REQUIRE(e.diagnostics().size() == 3);
    CHECK(e.diagnostics()[0].id == "missing-field");
    CHECK(e.diagnostics()[1].id == "unknown-operation");
    CHECK(e.diagnostics()[1].hint == "did you mean \"get\"?");
    CHECK(e.diagnostics()[2].where == "/steps/1/maxResults");
  }
}

TEST_CASE("A missing scenario file is reported with the system error", "[scenario][parser]") {
  try {
    kv::scenario::load_scenario("/nonexistent/x.json");
    FAIL("no error");
  } catch (const ScenarioFileError& e) {
    CHECK(std::string(e.what()) ==
          "/nonexistent/x.json: error [unreadable-file]\n"
          "  expected: a readable scenario file\n"
          "  found:    /nonexistent/x.json: cannot open: No such file or directory");
  }
}
