// One test per row of the soft-delete state table: each operation in each life-cycle state.
#include <catch2/catch.hpp>

#include <functional>
#include <vector>

#include "vault_fixture.hpp"

using namespace kv::localvault;
using namespace kv::localvault::testing;

namespace {
// A absent, B active, C disabled, D deleting, E deleted, F recovering, G purging.
enum class State { A, B, C, D, E, F, G };
const char* label(State s) {
  return std::vector<const char*>{"A absent",  "B active",     "C disabled", "D deleting",
                                  "E deleted", "F recovering", "G purging"}[static_cast<int>(s)];
}
constexpr std::int64_t kPast = 301;  // just beyond the default 300 ms windows

// Puts "s1" into the given state.
void enter(TestVault& v, State s) {
  if (s == State::A) return;
  nlohmann::json extra = nlohmann::json::object();
  if (s == State::C) extra["attributes"] = {{"enabled", false}};
  REQUIRE(v.set("s1", "value-1", extra).status == 200);
  if (s == State::B || s == State::C) return;
  REQUIRE(v.send("DELETE", "/secrets/s1?api-version=7.6").status == 200);
  if (s == State::D) return;
  v.advance(kPast);
  if (s == State::E) return;
  if (s == State::F) {
    REQUIRE(v.send("POST", "/deletedsecrets/s1/recover?api-version=7.6").status == 200);
    return;
  }
  REQUIRE(v.send("DELETE", "/deletedsecrets/s1?api-version=7.6").status == 204);
}

struct Expectation {
  State state;
  int status;
  std::string code;  // "" for success
};

void check_row(const std::function<CoreResponse(TestVault&)>& op,
               const std::vector<Expectation>& row) {
  for (const Expectation& e : row) {
    TestVault v;
    enter(v, e.state);
    CoreResponse r = op(v);
    INFO("state " << label(e.state) << ", body " << r.body);
    CHECK(r.status == e.status);
    if (!e.code.empty()) CHECK(error_code(r) == e.code);
  }
}

bool listed(const CoreResponse& r) {
  nlohmann::json page = body(r);
  for (const auto& item : page["value"])
    if (item["id"].get<std::string>().find("/s1") != std::string::npos) return true;
  return false;
}
}  // namespace

TEST_CASE("SetSecret answers each life-cycle state as the service does",
          "[localvault][lifecycle]") {
  check_row([](TestVault& v) { return v.set("s1", "value-2"); },
            {{State::A, 200, ""},
             {State::B, 200, ""},
             {State::C, 200, ""},
             {State::D, 409, "Conflict/ObjectIsBeingDeleted"},
             {State::E, 409, "Conflict/ObjectIsDeletedButRecoverable"},
             {State::F, 409, "Conflict/ObjectIsBeingRecovered"},
             {State::G, 409, "Conflict/ObjectIsBeingDeleted"}});
}

TEST_CASE("GetSecret answers each life-cycle state as the service does",
          "[localvault][lifecycle]") {
  check_row([](TestVault& v) { return v.send("GET", "/secrets/s1?api-version=7.6"); },
            {{State::A, 404, "SecretNotFound"},
             {State::B, 200, ""},
             {State::C, 403, "Forbidden/SecretDisabled"},
             {State::D, 404, "SecretNotFound"},
             {State::E, 404, "SecretNotFound"},
             {State::F, 404, "SecretNotFound"},
             {State::G, 404, "SecretNotFound"}});
}

TEST_CASE("UpdateSecret answers each life-cycle state as the service does",
          "[localvault][lifecycle]") {
  check_row(
      [](TestVault& v) {
        return v.send("PATCH", "/secrets/s1/?api-version=7.6", R"({"contentType":"text/plain"})");
      },
      {{State::A, 404, "SecretNotFound"},
       {State::B, 200, ""},
       {State::C, 200, ""},
       {State::D, 404, "SecretNotFound"},
       {State::E, 404, "SecretNotFound"},
       {State::F, 404, "SecretNotFound"},
       {State::G, 404, "SecretNotFound"}});
}

TEST_CASE("GetSecrets and GetSecretVersions list only active names", "[localvault][lifecycle]") {
  for (State s : {State::A, State::B, State::C, State::D, State::E, State::F, State::G}) {
    TestVault v;
    enter(v, s);
    INFO("state " << label(s));
    bool active = s == State::B || s == State::C;
    CHECK(listed(v.send("GET", "/secrets?api-version=7.6")) == active);
    CoreResponse versions = v.send("GET", "/secrets/s1/versions?api-version=7.6");
    CHECK(versions.status == 200);
    CHECK(body(versions)["value"].size() == (active ? 1u : 0u));
  }
}

TEST_CASE("DeleteSecret answers each life-cycle state as the service does",
          "[localvault][lifecycle]") {
  check_row([](TestVault& v) { return v.send("DELETE", "/secrets/s1?api-version=7.6"); },
            {{State::A, 404, "SecretNotFound"},
             {State::B, 200, ""},
             {State::C, 200, ""},
             {State::D, 409, "Conflict/ObjectIsBeingDeleted"},
             {State::E, 404, "SecretNotFound"},
             {State::F, 409, "Conflict/ObjectIsBeingRecovered"},
             {State::G, 404, "SecretNotFound"}});
}

TEST_CASE("GetDeletedSecret answers each life-cycle state as the service does",
          "[localvault][lifecycle]") {
  check_row([](TestVault& v) { return v.send("GET", "/deletedsecrets/s1?api-version=7.6"); },
            {{State::A, 404, "SecretNotFound"},
             {State::B, 404, "SecretNotFound"},
             {State::C, 404, "SecretNotFound"},
             {State::D, 404, "SecretNotFound"},
             {State::E, 200, ""},
             {State::F, 404, "SecretNotFound"},
             {State::G, 404, "SecretNotFound"}});
}

TEST_CASE("GetDeletedSecret of a name whose deletion is pending says the deleted secret is missing",
          "[localvault][lifecycle]") {
  TestVault v;
  enter(v, State::D);
  CoreResponse r = v.send("GET", "/deletedsecrets/s1?api-version=7.6");
  CHECK(r.body ==
        R"({"error":{"code":"SecretNotFound","message":"Deleted Secret not found: s1"}})");
}

TEST_CASE("GetDeletedSecrets lists only names whose deletion has completed",
          "[localvault][lifecycle]") {
  for (State s : {State::A, State::B, State::C, State::D, State::E, State::F, State::G}) {
    TestVault v;
    enter(v, s);
    INFO("state " << label(s));
    CHECK(listed(v.send("GET", "/deletedsecrets?api-version=7.6")) == (s == State::E));
  }
}

TEST_CASE("PurgeDeletedSecret answers each life-cycle state as the service does",
          "[localvault][lifecycle]") {
  check_row([](TestVault& v) { return v.send("DELETE", "/deletedsecrets/s1?api-version=7.6"); },
            {{State::A, 404, "SecretNotFound"},
             {State::B, 404, "SecretNotFound"},
             {State::C, 404, "SecretNotFound"},
             {State::D, 409, "Conflict/ObjectIsBeingDeleted"},
             {State::E, 204, ""},
             {State::F, 409, "Conflict/ObjectIsBeingRecovered"},
             {State::G, 404, "SecretNotFound"}});
}

TEST_CASE("RecoverDeletedSecret answers each life-cycle state as the service does",
          "[localvault][lifecycle]") {
  check_row(
      [](TestVault& v) { return v.send("POST", "/deletedsecrets/s1/recover?api-version=7.6"); },
      {{State::A, 404, "SecretNotFound"},
       {State::B, 404, "SecretNotFound"},
       {State::C, 404, "SecretNotFound"},
       {State::D, 409, "Conflict/ObjectIsBeingDeleted"},
       {State::E, 200, ""},
       {State::F, 409, "Conflict/ObjectIsBeingRecovered"},
       {State::G, 404, "SecretNotFound"}});
}

TEST_CASE("BackupSecret answers each life-cycle state as the service does",
          "[localvault][lifecycle]") {
  check_row([](TestVault& v) { return v.send("POST", "/secrets/s1/backup?api-version=7.6"); },
            {{State::A, 404, "SecretNotFound"},
             {State::B, 200, ""},
             {State::C, 200, ""},
             {State::D, 404, "SecretNotFound"},
             {State::E, 404, "SecretNotFound"},
             {State::F, 404, "SecretNotFound"},
             {State::G, 404, "SecretNotFound"}});
}

TEST_CASE("RestoreSecret answers each life-cycle state as the service does",
          "[localvault][lifecycle]") {
  const std::vector<Expectation> row = {{State::A, 200, ""},
                                        {State::B, 409, "Conflict"},
                                        {State::C, 409, "Conflict"},
                                        {State::D, 409, "Conflict/ObjectIsDeletedButRecoverable"},
                                        {State::E, 409, "Conflict/ObjectIsDeletedButRecoverable"},
                                        {State::F, 409, "Conflict/ObjectIsBeingRecovered"},
                                        {State::G, 409, "Conflict"}};
  for (const Expectation& e : row) {
    TestVault v;
    // Take the blob first, then move the name into the state (A: purged and settled).
    REQUIRE(v.set("s1", "value-1").status == 200);
    std::string blob = body(v.send("POST", "/secrets/s1/backup?api-version=7.6"))["value"];
    REQUIRE(v.send("DELETE", "/secrets/s1?api-version=7.6").status == 200);
    v.advance(kPast);
    REQUIRE(v.send("DELETE", "/deletedsecrets/s1?api-version=7.6").status == 204);
    v.advance(kPast);
    enter(v, e.state);
    CoreResponse r =
        v.send("POST", "/secrets/restore?api-version=7.6", nlohmann::json{{"value", blob}}.dump());
    INFO("state " << label(e.state) << ", body " << r.body);
    CHECK(r.status == e.status);
    if (!e.code.empty()) CHECK(error_code(r) == e.code);
  }
}

TEST_CASE("Transient states end when their windows pass", "[localvault][lifecycle]") {
  TestVault v;
  enter(v, State::D);
  CHECK(v.service.phase_of("s1", v.now_ms) == Phase::Deleting);
  v.advance(kPast);
  CHECK(v.service.phase_of("s1", v.now_ms) == Phase::Deleted);
  REQUIRE(v.send("POST", "/deletedsecrets/s1/recover?api-version=7.6").status == 200);
  CHECK(v.service.phase_of("s1", v.now_ms) == Phase::Recovering);
  v.advance(kPast);
  CHECK(v.service.phase_of("s1", v.now_ms) == Phase::Active);
  CHECK(body(v.send("GET", "/secrets/s1?api-version=7.6"))["value"] == "value-1");
  REQUIRE(v.send("DELETE", "/secrets/s1?api-version=7.6").status == 200);
  v.advance(kPast);
  REQUIRE(v.send("DELETE", "/deletedsecrets/s1?api-version=7.6").status == 204);
  CHECK(v.service.phase_of("s1", v.now_ms) == Phase::Purging);
  v.advance(kPast);
  CHECK(v.service.phase_of("s1", v.now_ms) == Phase::Absent);
  CHECK(v.set("s1", "again").status == 200);
}

TEST_CASE("A deleted disabled secret answers GetDeletedSecret with 403 SecretDisabled",
          "[localvault][lifecycle]") {
  TestVault v;
  enter(v, State::C);
  REQUIRE(v.send("DELETE", "/secrets/s1?api-version=7.6").status == 200);
  v.advance(kPast);
  CoreResponse r = v.send("GET", "/deletedsecrets/s1?api-version=7.6");
  CHECK(r.status == 403);
  CHECK(
      r.body ==
      R"({"error":{"code":"Forbidden","message":"Operation get is not allowed on a disabled secret.","innererror":{"code":"SecretDisabled"}}})");
}

TEST_CASE("Purge protection refuses purge with 403 and the service's message",
          "[localvault][lifecycle]") {
  VaultOptions options;
  options.recovery_level = "Recoverable";
  TestVault v(options);
  enter(v, State::E);
  CoreResponse r = v.send("DELETE", "/deletedsecrets/s1?api-version=7.6");
  CHECK(r.status == 403);
  CHECK(body(r)["error"]["code"] == "Forbidden");
  CHECK(body(r)["error"]["message"].get<std::string>().rfind(
            "Operation \"purge\" is not allowed because purge protection is enabled", 0) == 0);
}

TEST_CASE("Recover restores every version of the name", "[localvault][lifecycle]") {
  TestVault v;
  REQUIRE(v.set("s1", "one").status == 200);
  REQUIRE(v.set("s1", "two").status == 200);
  REQUIRE(v.send("DELETE", "/secrets/s1?api-version=7.6").status == 200);
  v.advance(kPast);
  CoreResponse recovered = v.send("POST", "/deletedsecrets/s1/recover?api-version=7.6");
  REQUIRE(recovered.status == 200);
  CHECK_FALSE(body(recovered).contains("value"));
  v.advance(kPast);
  CHECK(body(v.send("GET", "/secrets/s1/versions?api-version=7.6"))["value"].size() == 2);
  CHECK(body(v.send("GET", "/secrets/s1?api-version=7.6"))["value"] == "two");
}

TEST_CASE("Without soft delete a DELETE is final and has no recoveryId",
          "[localvault][lifecycle]") {
  VaultOptions options;
  options.recovery_level = "Purgeable";
  options.recoverable_days = 0;
  TestVault v(options);
  REQUIRE(v.set("s1").status == 200);
  CoreResponse r = v.send("DELETE", "/secrets/s1?api-version=7.6");
  CHECK(r.status == 200);
  CHECK_FALSE(body(r).contains("recoveryId"));
  CHECK(v.set("s1").status == 200);
}
