// The runner against a scripted transport: retries and pauses on the injected clock, captures,
// failures with file/pointer/expected/actual, and cleanup that always runs.
#include <catch2/catch.hpp>

#include <deque>
#include <map>
#include <mutex>
#include <regex>

#include "kv/credentials.hpp"
#include "kv/scenario/parser.hpp"
#include "kv/scenario/reporters.hpp"
#include "kv/scenario/runner.hpp"
#include "kv/secret_client.hpp"

namespace {

using kv::http::Request;
using kv::http::Response;

/// Answers requests with scripted responses in order and remembers what was asked.
class ScriptedTransport final : public kv::http::Transport {
 public:
  void add(int status, std::string body) {
    Response r;
    r.status = status;
    r.headers.set("Content-Type", "application/json; charset=utf-8");
    r.body = kv::http::to_bytes(body);
    responses_.push_back(std::move(r));
  }
  Response send(const Request& request) override {
    std::lock_guard lock(mutex_);
    requests.push_back(request.method + " " + request.url.substr(request.url.find("/", 8)));
    if (responses_.empty()) {
      Response r;
      r.status = 500;
      r.body =
          kv::http::to_bytes(R"({"error":{"code":"NoScript","message":"no scripted response"}})");
      return r;
    }
    Response r = responses_.front();
    responses_.pop_front();
    if (r.status == kTransportFailure) {
      throw kv::http::TransportError(7, "Connection refused", request.method, request.url);
    }
    return r;
  }
  /// A status that makes send() throw a TransportError instead of answering.
  static constexpr int kTransportFailure = -1;
  std::vector<std::string> requests;

 private:
  std::mutex mutex_;
  std::deque<Response> responses_;
};

std::string secret_body(const std::string& name, const std::string& value,
                        const std::string& version) {
  return R"({"value":")" + value + R"(","id":"https://v.vault.azure.net/secrets/)" + name + "/" +
         version +
         R"(","attributes":{"enabled":true,"created":1700000000,"updated":1700000000,"recoveryLevel":"Recoverable+Purgeable"},"tags":{}})";
}

const char* kConflict =
    R"({"error":{"code":"Conflict","message":"busy","innererror":{"code":"ObjectIsBeingDeleted"}}})";
const char* kNotFound =
    R"({"error":{"code":"SecretNotFound","message":"A secret with (name/id) s was not found"}})";

struct Harness {
  std::shared_ptr<ScriptedTransport> transport = std::make_shared<ScriptedTransport>();
  std::shared_ptr<kv::ManualClock> clock = std::make_shared<kv::ManualClock>();

  kv::scenario::ScenarioResult run(const std::string& text) {
    auto scenario = kv::scenario::parse_scenario(text, "t.json");
    kv::SecretClientOptions options;
    options.Transport = transport;
    options.Clock = clock;
    options.Retry.MaxRetries = 0;
    kv::scenario::RunContext context;
    context.client = std::make_shared<const kv::SecretClient>(
        "https://v.vault.azure.net", std::make_shared<kv::StaticTokenCredential>(), options);
    context.clock = clock;
    context.recorded_variable =
        [](const std::string&, const std::function<std::string()>& generate) { return generate(); };
    return kv::scenario::run_scenario(scenario, context);
  }
};

}  // namespace

TEST_CASE("Retry intervals and pauses cost no wall time: they go through the injected clock",
          "[scenario][runner]") {
  Harness h;
  h.transport->add(409, kConflict);
  h.transport->add(409, kConflict);
  h.transport->add(200, secret_body("s", "v", "0123456789abcdef0123456789abcdef"));
  auto result = h.run(R"({"name": "t", "steps": [
      {"op": "set", "name": "s", "value": "v", "retry": {"attempts": 5, "intervalMs": 1000}},
      {"op": "pause", "ms": 2500}]})");
  INFO(result.failure_message());
  REQUIRE(result.status == kv::scenario::Status::Passed);
  CHECK(result.steps[0].attempts == 3);
  CHECK(h.clock->slept() == std::chrono::milliseconds(4500));
  CHECK(h.transport->requests.size() == 3);
}

TEST_CASE("A captured version is substituted into a later step's request", "[scenario][runner]") {
  Harness h;
  h.transport->add(200, secret_body("s", "v", "0123456789abcdef0123456789abcdef"));
  h.transport->add(200, secret_body("s", "v", "0123456789abcdef0123456789abcdef"));
  auto result = h.run(R"({"name": "t", "steps": [
      {"op": "set", "name": "s", "value": "v", "capture": {"ver": "version"}},
      {"op": "get", "name": "s", "version": "${ver}", "expect": {"value": "v", "version": "${ver}"}}]})");
  INFO(result.failure_message());
  REQUIRE(result.status == kv::scenario::Status::Passed);
  REQUIRE(h.transport->requests.size() == 2);
  CHECK(h.transport->requests[1].rfind("GET /secrets/s/0123456789abcdef0123456789abcdef?", 0) == 0);
}

TEST_CASE(
    "A failed expectation names the file, the step's pointer, expected and actual; cleanup still "
    "runs",
    "[scenario][runner]") {
  Harness h;
  h.transport->add(200, secret_body("s", "other", "0123456789abcdef0123456789abcdef"));
  h.transport->add(204, "");
  auto result = h.run(R"({"name": "t", "steps": [
      {"op": "get", "name": "s", "expect": {"value": "expected value"}},
      {"op": "list"}],
    "cleanup": [{"op": "purge", "name": "s"}]})");
  CHECK(result.status == kv::scenario::Status::Failed);
  CHECK(result.failure_message() ==
        "t.json: step /steps/0 (get) failed\n"
        "  at:       /steps/0/expect/value\n"
        "  expected: value equals \"expected value\"\n"
        "  actual:   \"other\"");
  REQUIRE(result.steps.size() == 3);
  CHECK(result.steps[1].status == kv::scenario::Status::Skipped);
  CHECK(result.steps[2].status == kv::scenario::Status::Passed);
  CHECK(h.transport->requests.size() == 2);
  CHECK(h.transport->requests[1].rfind("DELETE /deletedsecrets/s?", 0) == 0);
}

TEST_CASE("A step without expect must succeed; a service error is reported with its codes",
          "[scenario][runner]") {
  Harness h;
  h.transport->add(404, kNotFound);
  auto result = h.run(R"({"name": "t", "steps": [{"op": "get", "name": "s"}]})");
  CHECK(result.failure_message() ==
        "t.json: step /steps/0 (get) failed\n"
        "  at:       /steps/0\n"
        "  expected: success\n"
        "  actual:   error 404 SecretNotFound: A secret with (name/id) s was not found");
}

TEST_CASE("An exhausted retry reports the attempts and the last outcome", "[scenario][runner]") {
  Harness h;
  for (int i = 0; i < 3; ++i) h.transport->add(409, kConflict);
  auto result = h.run(R"({"name": "t", "steps": [
      {"title": "reuse", "op": "set", "name": "s", "value": "v", "retry": {"attempts": 3, "intervalMs": 200}}]})");
  CHECK(result.failure_message() ==
        "t.json: step /steps/0 (set \"reuse\") failed after 3 attempts\n"
        "  attempts: attempts 1\u20133: 409 Conflict/ObjectIsBeingDeleted\n"
        "  at:       /steps/0\n"
        "  expected: success\n"
        "  actual:   error 409 Conflict/ObjectIsBeingDeleted: busy");
  CHECK(h.clock->slept() == std::chrono::milliseconds(400));
}

TEST_CASE("An expected error with status, code and inner code passes; a different code fails",
          "[scenario][runner]") {
  Harness h;
  h.transport->add(409, kConflict);
  h.transport->add(409, kConflict);
  auto result = h.run(R"({"name": "t", "steps": [
      {"op": "purge", "name": "s", "expect": {"error": {"status": 409, "code": "Conflict", "innerCode": "ObjectIsBeingDeleted"}}},
      {"op": "purge", "name": "s", "expect": {"error": {"status": 409, "innerCode": "ObjectIsDeletedButRecoverable"}}}]})");
  CHECK(result.failure_message() ==
        "t.json: step /steps/1 (purge) failed\n"
        "  at:       /steps/1/expect/error\n"
        "  expected: error 409/ObjectIsDeletedButRecoverable\n"
        "  actual:   error 409 Conflict/ObjectIsBeingDeleted: busy");
}

TEST_CASE("Repeated steps run once per index and report each repetition", "[scenario][runner]") {
  Harness h;
  for (int i = 0; i < 3; ++i)
    h.transport->add(
        200, secret_body("p-" + std::to_string(i), "v", "0123456789abcdef0123456789abcdef"));
  auto result = h.run(R"({"name": "t", "steps": [
      {"op": "set", "name": "p-${k}", "value": "v", "repeat": {"count": 3, "index": "k"}}]})");
  REQUIRE(result.status == kv::scenario::Status::Passed);
  REQUIRE(result.steps.size() == 3);
  CHECK(result.steps[2].repetition == 2);
  CHECK(h.transport->requests[2].rfind("PUT /secrets/p-2?", 0) == 0);
}

TEST_CASE("A cleanup step that needs a value no step captured is skipped, not failed",
          "[scenario][runner]") {
  Harness h;
  h.transport->add(404, kNotFound);
  auto result = h.run(R"({"name": "t", "steps": [
      {"op": "get", "name": "s"},
      {"op": "backup", "name": "s", "capture": {"blob": "backup"}}],
    "cleanup": [{"op": "restore", "backup": "${blob}"}]})");
  REQUIRE(result.steps.size() == 3);
  CHECK(result.steps[2].status == kv::scenario::Status::Skipped);
  CHECK(h.transport->requests.size() == 1);
}

TEST_CASE("Environment variables and random names go through the recorded-variable provider",
          "[scenario][runner]") {
  setenv("KV_SCENARIO_TEST_VALUE", "from-env", 1);
  Harness h;
  h.transport->add(200, secret_body("s", "from-env", "0123456789abcdef0123456789abcdef"));
  auto scenario = kv::scenario::parse_scenario(R"({"name": "t",
      "variables": {"v": {"env": "KV_SCENARIO_TEST_VALUE"}, "missing": {"env": "KV_SCENARIO_TEST_UNSET", "default": "d"},
                    "n": {"random": "pre-", "length": 5}},
      "steps": [{"op": "set", "name": "${n}", "value": "${v}-${missing}"}]})",
                                               "t.json");
  kv::SecretClientOptions options;
  options.Transport = h.transport;
  options.Clock = h.clock;
  kv::scenario::RunContext context;
  context.client = std::make_shared<const kv::SecretClient>(
      "https://v.vault.azure.net", std::make_shared<kv::StaticTokenCredential>(), options);
  context.clock = h.clock;
  std::map<std::string, std::string> recorded;
  context.recorded_variable = [&](const std::string& name,
                                  const std::function<std::string()>& generate) {
    return recorded[name] = generate();
  };
  auto result = kv::scenario::run_scenario(scenario, context);
  INFO(result.failure_message());
  CHECK(result.status == kv::scenario::Status::Passed);
  CHECK(recorded.at("v") == "from-env");
  CHECK(recorded.at("missing") == "d");
  CHECK(std::regex_match(recorded.at("n"), std::regex("pre-[a-z0-9]{5}")));
  CHECK(h.transport->requests[0].rfind("PUT /secrets/" + recorded.at("n") + "?", 0) == 0);
}

TEST_CASE("A restore answer without a value satisfies \"value\": {\"absent\": true}",
          "[scenario][runner]") {
  Harness h;
  h.transport->add(
      200,
      R"({"id":"https://v.vault.azure.net/secrets/s/0123456789abcdef0123456789abcdef","attributes":{"enabled":true}})");
  auto result = h.run(R"({"name": "t", "steps": [
      {"op": "restore", "backup": "AQID", "expect": {"name": "s", "value": {"absent": true},
                                                     "managed": {"absent": true}}}]})");
  INFO(result.failure_message());
  CHECK(result.status == kv::scenario::Status::Passed);
}

TEST_CASE("A present empty value fails \"value\": {\"absent\": true} and shows \"\"",
          "[scenario][runner]") {
  Harness h;
  h.transport->add(200, secret_body("s", "", "0123456789abcdef0123456789abcdef"));
  auto result = h.run(R"({"name": "t", "steps": [
      {"op": "restore", "backup": "AQID", "expect": {"value": {"absent": true}}}]})");
  CHECK(result.failure_message() ==
        "t.json: step /steps/0 (restore) failed\n"
        "  at:       /steps/0/expect/value/absent\n"
        "  expected: value absent\n"
        "  actual:   \"\"");
}

TEST_CASE("A delete answer without a recovery id leaves recoveryId absent", "[scenario][runner]") {
  Harness h;
  h.transport->add(
      200,
      R"({"id":"https://v.vault.azure.net/secrets/s/0123456789abcdef0123456789abcdef","attributes":{"recoveryLevel":"Purgeable"}})");
  auto result = h.run(R"({"name": "t", "steps": [
      {"op": "delete", "name": "s", "expect": {"recoveryId": {"absent": true}, "value": {"absent": true},
                                               "deletedOn": {"absent": true}, "done": true}}]})");
  INFO(result.failure_message());
  CHECK(result.status == kv::scenario::Status::Passed);
}

TEST_CASE("A step failing after retries reports the distinct outcomes of its attempts, grouped",
          "[scenario][runner]") {
  // The restore succeeds once but its check fails; then the secret exists and every retry
  // conflicts. The last outcome alone (409) would hide the first one.
  const char* restored =
      R"({"value":"","id":"https://v.vault.azure.net/secrets/s/0123456789abcdef0123456789abcdef"})";
  const char* conflict = R"({"error":{"code":"Conflict","message":"name in use"}})";
  Harness h;
  h.transport->add(409, conflict);
  h.transport->add(200, restored);
  for (int i = 0; i < 18; ++i) h.transport->add(409, conflict);
  auto result = h.run(R"({"name": "t", "steps": [
      {"op": "restore", "backup": "AQID", "retry": {"attempts": 20, "intervalMs": 10},
       "expect": {"value": {"absent": true}}}]})");
  CHECK(result.failure_message() ==
        "t.json: step /steps/0 (restore) failed after 20 attempts\n"
        "  attempts: attempt 1: 409 Conflict; attempt 2: 200, but value expected absent, found "
        "\"\"; attempts 3\u201320: 409 Conflict\n"
        "  at:       /steps/0/expect\n"
        "  expected: success\n"
        "  actual:   error 409 Conflict: name in use");
  REQUIRE(result.steps.size() == 1);
  const auto& history = result.steps[0].history;
  REQUIRE(history.size() == 3);
  CHECK(history[2].first == 3);
  CHECK(history[2].last == 20);

  kv::scenario::RunSummary summary;
  summary.scenarios.push_back(result);
  auto report = nlohmann::json::parse(kv::scenario::to_json_report(summary, "playback"));
  CHECK(report["scenarios"][0]["steps"][0]["history"] ==
        nlohmann::json::parse(R"([{"first":1,"last":1,"outcome":"409 Conflict"},
            {"first":2,"last":2,"outcome":"200, but value expected absent, found \"\""},
            {"first":3,"last":20,"outcome":"409 Conflict"}])"));
  const std::string junit = kv::scenario::to_junit_xml(summary, "playback");
  CHECK(junit.find("attempts: attempt 1: 409 Conflict; attempt 2: 200, but value expected "
                   "absent, found &quot;&quot;; attempts 3\u201320: 409 Conflict") !=
        std::string::npos);
}

TEST_CASE("A retried step that passes or runs once keeps no history in its failure message",
          "[scenario][runner]") {
  Harness h;
  h.transport->add(409, kConflict);
  h.transport->add(200, secret_body("s", "v", "0123456789abcdef0123456789abcdef"));
  h.transport->add(200, secret_body("s", "other", "0123456789abcdef0123456789abcdef"));
  auto result = h.run(R"({"name": "t", "steps": [
      {"op": "set", "name": "s", "value": "v", "retry": {"attempts": 3, "intervalMs": 10}},
      {"op": "get", "name": "s", "expect": {"value": "v"}}]})");
  REQUIRE(result.steps.size() == 2);
  CHECK(result.steps[0].status == kv::scenario::Status::Passed);
  CHECK(result.steps[0].history.size() == 2);  // kept for reporters, even when it passed
  CHECK(result.steps[1].history.empty());
  CHECK(result.failure_message() ==
        "t.json: step /steps/1 (get) failed\n"
        "  at:       /steps/1/expect/value\n"
        "  expected: value equals \"v\"\n"
        "  actual:   \"other\"");
}

TEST_CASE("An error expected on retry shows the successes it met on the way",
          "[scenario][runner]") {
  Harness h;
  h.transport->add(200, secret_body("s", "v", "0123456789abcdef0123456789abcdef"));
  h.transport->add(200, secret_body("s", "v", "0123456789abcdef0123456789abcdef"));
  auto result = h.run(R"({"name": "t", "steps": [
      {"op": "get", "name": "s", "retry": {"attempts": 2, "intervalMs": 10},
       "expect": {"error": {"status": 404}}}]})");
  CHECK(result.failure_message() ==
        "t.json: step /steps/0 (get) failed after 2 attempts\n"
        "  attempts: attempts 1\u20132: 200, but expected error 404\n"
        "  at:       /steps/0/expect/error\n"
        "  expected: error 404\n"
        "  actual:   success (status 200)");
}

TEST_CASE("A retried step that ends without an answer shows the attempts before it",
          "[scenario][runner]") {
  Harness h;
  h.transport->add(409, kConflict);
  h.transport->add(ScriptedTransport::kTransportFailure, "");
  auto result = h.run(R"({"name": "t", "steps": [
      {"op": "set", "name": "s", "value": "v", "retry": {"attempts": 5, "intervalMs": 10}}]})");
  CHECK(result.failure_message() ==
        "t.json: step /steps/0 (set) failed after 2 attempts:\n"
        "  attempts: attempt 1: 409 Conflict/ObjectIsBeingDeleted; attempt 2: no answer: PUT "
        "https://v.vault.azure.net/secrets/s?api-version=7.5 failed: transport error 7: "
        "Connection refused\n"
        "  PUT https://v.vault.azure.net/secrets/s?api-version=7.5 failed: transport error 7: "
        "Connection refused");
}
