// A change is acknowledged only once it is persisted: a store that fails makes the core roll the
// change back and answer why. Also the atomic file writer and its temporary files.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <functional>
#include <system_error>

#include "kv/localvault/atomic_file.hpp"
#include "kv/localvault/state_file.hpp"
#include "text_file.hpp"
#include "vault_fixture.hpp"

using namespace kv::localvault;
using namespace kv::localvault::testing;

namespace {
// Records what it is asked to persist and fails on demand, like a full or broken disk.
class FaultyStore : public StateStore {
 public:
  void persist(const VaultState& state) override {
    ++calls;
    if (fail) fail();
    last = state_to_json(state);
  }
  std::function<void()> fail;
  int calls = 0;
  nlohmann::json last;
};

void no_space() {
  throw std::system_error(ENOSPC, std::generic_category(), "cannot write /data/state.json.tmp.7");
}

std::string temp_dir() {
  std::string dir = "/tmp/localvault-persist-" + std::to_string(::getpid());
  ::mkdir(dir.c_str(), 0700);
  return dir;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// A pid that certainly does not run: a child that has exited and been reaped.
pid_t dead_pid() {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return pid;
}

const std::string kNoSpaceBody =
    R"({"error":{"code":"InsufficientStorage","message":"The change was not made: localvault )"
    R"(could not save its state (cannot write /data/state.json.tmp.7: No space left on device)."}})";
}  // namespace

TEST_CASE("Every kind of change is rolled back when the store cannot persist it",
          "[localvault][persistence]") {
  struct Row {
    const char* what;
    std::function<void(TestVault&)> prepare;
    const char* method;
    const char* target;
    std::string body;
    int success;
  };
  auto set_one = [](TestVault& v) { REQUIRE(v.set("s1", "old").status == 200); };
  auto deleted_one = [&](TestVault& v) {
    set_one(v);
    REQUIRE(v.send("DELETE", "/secrets/s1?api-version=7.6").status == 200);
    v.advance(1000);
  };
  std::string backup;
  auto backed_up_and_purged = [&](TestVault& v) {
    set_one(v);
    backup = body(v.send("POST", "/secrets/s1/backup?api-version=7.6"))["value"];
    deleted_one(v);
    REQUIRE(v.send("DELETE", "/deletedsecrets/s1?api-version=7.6").status == 204);
    v.advance(1000);
  };
  const Row rows[] = {
      {"set of a new name", [](TestVault&) {}, "PUT", "/secrets/s1?api-version=7.6",
       R"({"value":"new"})", 200},
      {"set of a new version", set_one, "PUT", "/secrets/s1?api-version=7.6", R"({"value":"new"})",
       200},
      {"update", set_one, "PATCH", "/secrets/s1?api-version=7.6",
       R"({"attributes":{"enabled":false},"tags":{"a":"b"}})", 200},
      {"delete", set_one, "DELETE", "/secrets/s1?api-version=7.6", "", 200},
      {"purge", deleted_one, "DELETE", "/deletedsecrets/s1?api-version=7.6", "", 204},
      {"recover", deleted_one, "POST", "/deletedsecrets/s1/recover?api-version=7.6", "", 200},
      {"restore", backed_up_and_purged, "POST", "/secrets/restore?api-version=7.6", "", 200},
  };
  for (const Row& row : rows) {
    INFO(row.what);
    auto store = std::make_shared<FaultyStore>();
    TestVault v(VaultOptions{}, true, std::string(32, 'k'), store);
    row.prepare(v);
    std::string request_body =
        std::string(row.what) == "restore" ? nlohmann::json{{"value", backup}}.dump() : row.body;
    nlohmann::json before = state_to_json(v.service.state());
    int calls = store->calls;
    store->fail = no_space;
    CoreResponse refused = v.send(row.method, row.target, request_body);
    CHECK(refused.status == 507);
    CHECK(refused.body == kNoSpaceBody);
    CHECK_FALSE(refused.state_changed);
    CHECK(store->calls == calls + 1);
    CHECK(state_to_json(v.service.state()) == before);
    // Once the disk has room again the same request succeeds and is what the store holds.
    store->fail = nullptr;
    CoreResponse accepted = v.send(row.method, row.target, request_body);
    CHECK(accepted.status == row.success);
    CHECK(accepted.state_changed);
    CHECK(store->last == state_to_json(v.service.state()));
  }
}

TEST_CASE("A delete without soft delete is rolled back too", "[localvault][persistence]") {
  auto store = std::make_shared<FaultyStore>();
  VaultOptions options;
  options.recovery_level = "Purgeable";
  TestVault v(options, true, std::string(32, 'k'), store);
  REQUIRE(v.set("s1").status == 200);
  store->fail = no_space;
  CHECK(v.send("DELETE", "/secrets/s1?api-version=7.6").status == 507);
  store->fail = nullptr;
  CHECK(body(v.send("GET", "/secrets/s1?api-version=7.6"))["value"] == "v");
}

TEST_CASE("Other persistence failures answer 500 with the cause", "[localvault][persistence]") {
  auto store = std::make_shared<FaultyStore>();
  TestVault v(VaultOptions{}, true, std::string(32, 'k'), store);
  store->fail = [] {
    throw std::system_error(EIO, std::generic_category(), "cannot flush /data/state.json.tmp.7");
  };
  CoreResponse io = v.set("s1");
  CHECK(io.status == 500);
  CHECK(
      io.body ==
      R"({"error":{"code":"InternalServerError","message":"The change was not made: localvault could not save its state (cannot flush /data/state.json.tmp.7: Input/output error)."}})");
  store->fail = [] { throw std::runtime_error("store is read-only"); };
  CHECK(body(v.set("s1"))["error"]["message"] ==
        "The change was not made: localvault could not save its state (store is read-only).");
  CHECK(v.send("GET", "/secrets/s1?api-version=7.6").status == 404);
  CHECK(v.service.state().secrets.empty());
}

TEST_CASE("Reads and refused changes are never persisted", "[localvault][persistence]") {
  auto store = std::make_shared<FaultyStore>();
  TestVault v(VaultOptions{}, true, std::string(32, 'k'), store);
  REQUIRE(v.set("s1").status == 200);
  REQUIRE(store->calls == 1);
  store->fail = no_space;
  CHECK(v.send("GET", "/secrets/s1?api-version=7.6").status == 200);
  CHECK(v.send("GET", "/secrets?api-version=7.6").status == 200);
  CHECK(v.send("POST", "/secrets/s1/backup?api-version=7.6").status == 200);
  CHECK(v.send("PUT", "/secrets/s2?api-version=7.6", "{").status == 400);
  CHECK(v.send("DELETE", "/secrets/missing?api-version=7.6").status == 404);
  CHECK(store->calls == 1);
}

TEST_CASE("The state file store writes the state atomically and keeps the old file on failure",
          "[localvault][persistence]") {
  std::string dir = temp_dir();
  std::string path = dir + "/state.json";
  TestVault v;
  REQUIRE(v.set("s1").status == 200);
  StateFileStore store(path);
  store.persist(v.service.state());
  CHECK(state_to_json(*load_state_file(path)) == state_to_json(v.service.state()));
  StateFileStore unwritable(dir + "/missing-folder/state.json");
  try {
    unwritable.persist(v.service.state());
    FAIL("expected an error");
  } catch (const std::system_error& e) {
    CHECK(e.code() == std::errc::no_such_file_or_directory);
    CHECK(std::string(e.what()) == "cannot create " + dir + "/missing-folder/state.json.tmp." +
                                       std::to_string(::getpid()) + ": No such file or directory");
  }
  std::remove(path.c_str());
  ::rmdir(dir.c_str());
}

TEST_CASE("Atomic writes create the file 0600 even over a leftover temp file of another mode",
          "[localvault][persistence]") {
  std::string dir = temp_dir();
  std::string path = dir + "/state.json";
  std::string temp = path + ".tmp." + std::to_string(::getpid());
  std::ofstream(temp) << "a copy from a killed run";
  ::chmod(temp.c_str(), 0666);
  write_file_atomically(path, "new content");
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK_FALSE(exists(temp));
  CHECK(read_text(path) == "new content");
  std::remove(path.c_str());
  ::rmdir(dir.c_str());
}

TEST_CASE("Stale temp files of dead writers are removed; live ones and others are kept",
          "[localvault][persistence]") {
  std::string dir = temp_dir();
  std::string path = dir + "/state.json";
  std::string dead = path + ".tmp." + std::to_string(dead_pid());
  std::string mine = path + ".tmp." + std::to_string(::getpid());
  std::string init = path + ".tmp.1";
  std::string not_a_pid = path + ".tmp.12x";
  std::string other_file = dir + "/other.json.tmp." + std::to_string(dead_pid());
  for (const std::string& f : {dead, mine, init, not_a_pid, other_file}) std::ofstream(f) << "x";
  CHECK(remove_stale_temp_files(path) == std::vector<std::string>{dead});
  CHECK_FALSE(exists(dead));
  for (const std::string& f : {mine, init, not_a_pid, other_file}) {
    CHECK(exists(f));
    std::remove(f.c_str());
  }
  CHECK(remove_stale_temp_files(dir + "/nowhere/state.json").empty());
  ::rmdir(dir.c_str());
}
