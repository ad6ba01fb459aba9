// Persistence of the vault state, backup key files and command-line parsing.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>
#include <cstdio>
#include <fstream>

#include "kv/localvault/backup_codec.hpp"
#include "kv/localvault/server_options.hpp"
#include "kv/localvault/state_file.hpp"
#include "vault_fixture.hpp"

using namespace kv::localvault;
using namespace kv::localvault::testing;

namespace {
std::string temp_path(const std::string& stem) {
  return "/tmp/localvault-test-" + std::to_string(::getpid()) + "-" + stem;
}
}  // namespace

TEST_CASE("The state file round-trips every part of the vault", "[localvault][persistence]") {
  TestVault v;
  REQUIRE(v.set("keep", "one", {{"tags", {{"a", "b"}}}, {"contentType", "ct"}}).status == 200);
  REQUIRE(v.set("gone").status == 200);
  REQUIRE(v.send("DELETE", "/secrets/gone?api-version=7.6").status == 200);
  std::string path = temp_path("state.json");
  save_state_file(path, v.service.state());
  std::optional<VaultState> loaded = load_state_file(path);
  REQUIRE(loaded);
  CHECK(state_to_json(*loaded) == state_to_json(v.service.state()));
  std::remove(path.c_str());
  CHECK_FALSE(load_state_file(path));
}

TEST_CASE("A damaged state file is reported with its name", "[localvault][persistence]") {
  std::string path = temp_path("bad.json");
  std::ofstream(path) << "{\"format\":1,\"secrets\":[{\"name\":5}]";
  try {
    load_state_file(path);
    FAIL("expected an error");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).rfind("data file " + path + " is not a localvault state: ", 0) ==
          0);
  }
  std::remove(path.c_str());
}

TEST_CASE("A state file with times or names out of range is refused with the reason",
          "[localvault][persistence][numbers]") {
  const std::string version = R"({"version":"0123456789abcdef0123456789abcdef","value":"v",)"
                              R"("enabled":true,"created":1,"updated":1})";
  auto state = [&](const std::string& record, const std::string& purged = "{}") {
    return R"({"format":1,"secrets":[)" + record + R"(],"purgedAtMs":)" + purged + "}";
  };
  auto record = [&](const std::string& name, const std::string& version_json,
                    const std::string& deleted_at) {
    return R"({"name":")" + name + R"(","versions":[)" + version_json +
           R"(],"deleted":true,"deletedAtMs":)" + deleted_at + "}";
  };
  struct Row {
    std::string text;
    std::string reason;
  };
  const Row rows[] = {
      {state(record("s1", version, "9223372036854775807")),
       "'deletedAtMs' must be an integer Unix time in milliseconds between the years 1 and 9999, "
       "found 9223372036854775807"},
      {state(record("s1", version, "1"), R"({"S2":18446744073709551615})"),
       "'S2' must be an integer Unix time in milliseconds between the years 1 and 9999, found "
       "18446744073709551615"},
      {state(record("s1",
                    R"({"version":"0123456789abcdef0123456789abcdef","value":"v",)"
                    R"("enabled":true,"created":1,"updated":1,"exp":253402300800})",
                    "1")),
       "'exp' must be an integer Unix time between the years 1 and 9999, found 253402300800"},
      {state(record("s1", R"({"version":"x","value":"v","enabled":true,"created":1,"updated":1})",
                    "1")),
       "version id 'x' is not 32 lowercase hex digits"},
      {state(record("bad_name", version, "1")), "'bad_name' is not a valid secret name"},
  };
  std::string path = temp_path("range.json");
  for (const Row& row : rows) {
    INFO(row.text);
    std::ofstream(path, std::ios::trunc) << row.text;
    CHECK_THROWS_WITH(load_state_file(path),
                      "data file " + path + " is not a localvault state: " + row.reason);
  }
  std::ofstream(path, std::ios::trunc) << state(record("s1", version, "1"));
  CHECK(load_state_file(path)->secrets.count("S1") == 1);
  std::remove(path.c_str());
}

TEST_CASE("Backup key files hold 32 raw bytes or 64 hex digits", "[localvault][backup]") {
  std::string path = temp_path("key");
  std::ofstream(path) << std::string(64, 'a') << "\n";
  CHECK(read_backup_key_file(path) == std::string(32, '\xaa'));
  std::ofstream(path) << "short";
  CHECK_THROWS_WITH(
      read_backup_key_file(path),
      "backup key file " + path + " must hold 32 raw bytes or 64 hex digits (found 5 bytes)");
  std::remove(path.c_str());
  CHECK_THROWS_WITH(read_backup_key_file(path), "cannot read backup key file " + path);
}

TEST_CASE("Command-line options parse with defaults and validation", "[localvault][options]") {
  ParsedOptions defaults = parse_server_options({});
  CHECK(defaults.exit_code == -1);
  CHECK(defaults.options.host == "127.0.0.1");
  CHECK(defaults.options.port == 0);
  CHECK(effective_recovery_level(defaults.options) == "Recoverable+Purgeable");

  ParsedOptions full =
      parse_server_options({"--port", "8443", "--recoverable-days=7", "--purge-protection",
                            "--delete-delay", "0", "--client-secret", "x", "--no-auth"});
  REQUIRE(full.exit_code == -1);
  CHECK(full.options.port == 8443);
  CHECK(full.options.delete_delay_ms == 0);
  CHECK(full.options.no_auth);
  CHECK(effective_recovery_level(full.options) == "CustomizedRecoverable");

  CHECK(parse_server_options({"--port", "70000"}).message ==
        "localvault: --port must be an integer from 0 to 65535, got '70000'\nTry 'localvault "
        "--help'.\n");
  CHECK(parse_server_options({"--bogus"}).message ==
        "localvault: unknown option '--bogus'\nTry 'localvault --help'.\n");
  CHECK(parse_server_options({"--cert", "a.pem"}).exit_code == 2);
  CHECK(parse_server_options({"--recovery-level", "Sometimes"}).exit_code == 2);
  CHECK(parse_server_options({"--purge-protection", "--recovery-level", "Recoverable+Purgeable"})
            .exit_code == 2);
  CHECK(parse_server_options({"--help"}).exit_code == 0);
  CHECK(parse_server_options({"--version"}).message == "localvault 0.1.0\n");
}

TEST_CASE("The client secret comes from the flag, else the file, else the environment",
          "[localvault][options][secret]") {
  std::string file = temp_path("secret");
  std::ofstream(file) << "from-file\n";
  ::chmod(file.c_str(), 0600);
  struct Row {
    std::vector<std::string> args;
    const char* environment;
    std::optional<std::string> expected;
  };
  const Row rows[] = {
      {{}, nullptr, std::nullopt},
      {{}, "from-env", "from-env"},
      {{"--client-secret", "from-flag"}, nullptr, "from-flag"},
      {{"--client-secret", "from-flag"}, "from-env", "from-flag"},
      {{"--client-secret-file", file}, nullptr, "from-file"},
      {{"--client-secret-file", file}, "from-env", "from-file"},
  };
  for (const Row& row : rows) {
    INFO(Catch::Detail::stringify(row.args)
         << " env " << (row.environment ? row.environment : "-"));
    ParsedOptions parsed = parse_server_options(row.args);
    REQUIRE(parsed.exit_code == -1);
    CHECK(resolve_client_secret(parsed.options, row.environment) == row.expected);
  }
  CHECK(parse_server_options({"--client-secret", "a", "--client-secret-file", file}).message ==
        "localvault: --client-secret and --client-secret-file cannot be given together\nTry "
        "'localvault --help'.\n");
  CHECK_THROWS_WITH(resolve_client_secret(parse_server_options({}).options, ""),
                    "LOCALVAULT_CLIENT_SECRET is set but empty; unset it to have a secret "
                    "generated");
  std::remove(file.c_str());
}

TEST_CASE("A client secret file must be private, regular, small and not empty",
          "[localvault][options][secret]") {
  std::string file = temp_path("secret-file");
  auto resolve = [&] {
    return resolve_client_secret(parse_server_options({"--client-secret-file", file}).options,
                                 "ignored");
  };
  std::ofstream(file) << "s3cret\r\n";
  ::chmod(file.c_str(), 0644);
  CHECK_THROWS_WITH(resolve(), "--client-secret-file " + file +
                                   " is accessible by group or others (mode 0644); make it "
                                   "private with: chmod 600 " +
                                   file);
  ::chmod(file.c_str(), 0620);
  CHECK_THROWS_WITH(resolve(), Catch::Contains("(mode 0620)"));
  ::chmod(file.c_str(), 0400);
  CHECK(resolve() == "s3cret");
  ::chmod(file.c_str(), 0600);
  std::ofstream(file, std::ios::trunc) << "\n";
  CHECK_THROWS_WITH(resolve(), "--client-secret-file " + file + " is empty");
  std::ofstream(file, std::ios::trunc) << std::string(4097, 'x');
  CHECK_THROWS_WITH(resolve(), "--client-secret-file " + file + " is larger than 4096 bytes");
  std::remove(file.c_str());
  CHECK_THROWS_WITH(resolve(),
                    "cannot read --client-secret-file " + file + ": No such file or directory");
  ::mkfifo(file.c_str(), 0600);
  CHECK_THROWS_WITH(resolve(), "--client-secret-file " + file + " is not a regular file");
  std::remove(file.c_str());
  CHECK_THROWS_WITH(resolve_client_secret(
                        parse_server_options({"--client-secret-file", "/tmp"}).options, nullptr),
                    "--client-secret-file /tmp is not a regular file");
}
