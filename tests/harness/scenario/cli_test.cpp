// kvharness end to end: golden console output, exit codes, JUnit XML, check, lint, diff, export.
// Golden files live in tests/harness/scenario/golden; scripts/approve-golden.sh rewrites them.
#include <catch2/catch.hpp>

#include "cli_support.hpp"
#include "skip.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using namespace kv::test;

namespace {

/// Durations vary from run to run; everything else in the console output is stable.
std::string normalize(const std::string& text) {
  static const std::regex ms(R"(\d+ ms\b)");
  return std::regex_replace(text, ms, "N ms");
}

/// Compares with a golden file, or rewrites it when KV_APPROVE_GOLDEN is set.
void check_golden(const std::string& name, const std::string& actual) {
  fs::path golden = fs::path(kSource) / "tests/harness/scenario/golden" / name;
  if (std::getenv("KV_APPROVE_GOLDEN") != nullptr) {
    write(golden, actual);
    WARN("approved " << golden.string());
    return;
  }
  CHECK(actual == read(golden));
}

/// A copy of scenarios/backup_restore.json and its recording in a temp folder, the recording
/// edited by `edit`.
void copy_backup_restore(const fs::path& dir,
                         const std::function<void(nlohmann::ordered_json&)>& edit) {
  fs::create_directories(dir / "scenarios");
  fs::copy_file(fs::path(kSource) / "scenarios/backup_restore.json",
                dir / "scenarios/backup_restore.json");
  auto fixture =
      nlohmann::ordered_json::parse(read(fs::path(kSource) / "recordings/backup_restore.json"));
  edit(fixture);
  write(dir / "recordings/backup_restore.json", fixture.dump(2) + "\n");
}

// The first GET of the secret answers with another value: the fixture was hand-edited.
void tamper_value(nlohmann::ordered_json& fixture) {
  for (auto& e : fixture["Entries"]) {
    if (e["RequestMethod"] == "GET" &&
        e["RequestUri"].get<std::string>().find("/secrets/") != std::string::npos) {
      e["ResponseBody"]["value"] = "tampered value";
      return;
    }
  }
}

}  // namespace

TEST_CASE("Replaying committed scenarios prints the golden console output and exits 0",
          "[scenario][cli]") {
  auto r = run_cli(
      "run scenarios/backup_restore.json scenarios/missing_secret.json scenarios/paging.json");
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  check_golden("run_pass.txt", normalize(r.out));
}

TEST_CASE("Verbose replay prints every step, retries included", "[scenario][cli]") {
  auto r = run_cli("run -v scenarios/backup_restore.json");
  CHECK(r.exit_code == 0);
  check_golden("run_verbose.txt", normalize(r.out));
}

TEST_CASE("A hand-edited fixture that disagrees fails the run with file, step, expected and actual",
          "[scenario][cli]") {
  TempDir dir;
  copy_backup_restore(dir.path, tamper_value);
  auto r = run_cli("run scenarios/backup_restore.json", dir.path.string());
  CHECK(r.exit_code == 1);
  check_golden("run_tampered.txt", normalize(r.out));
}

TEST_CASE("A fixture whose recorded request differs fails with the playback mismatch explanation",
          "[scenario][cli]") {
  TempDir dir;
  copy_backup_restore(dir.path, [](nlohmann::ordered_json& fixture) {
    fixture["Entries"][0]["RequestBody"]["value"] = "another value";
  });
  auto r = run_cli("run scenarios/backup_restore.json", dir.path.string());
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("FAIL backup_restore") != std::string::npos);
  CHECK(r.out.find("scenarios/backup_restore.json: step /steps/0 (set) failed:") !=
        std::string::npos);
  CHECK(r.out.find("recordings/backup_restore.json") != std::string::npos);
  CHECK(r.out.find("another value") != std::string::npos);
}

TEST_CASE("A scenario without its recording fails and says how to record it", "[scenario][cli]") {
  TempDir dir;
  write(dir.path / "scenarios/x.json", R"({"name": "x", "steps": [{"op": "list"}]})");
  auto r = run_cli("run scenarios/x.json", dir.path.string());
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("FAIL x") != std::string::npos);
  CHECK(r.out.find("recordings/x.json") != std::string::npos);
}

TEST_CASE("JUnit XML of a run with a failure is accepted by a JUnit schema validator",
          "[scenario][cli]") {
  TempDir dir;
  copy_backup_restore(dir.path, tamper_value);
  fs::copy_file(fs::path(kSource) / "scenarios/missing_secret.json",
                dir.path / "scenarios/missing_secret.json");
  fs::copy_file(fs::path(kSource) / "recordings/missing_secret.json",
                dir.path / "recordings/missing_secret.json");
  auto r = run_cli("run scenarios --junit results.xml --json results.json", dir.path.string());
  CHECK(r.exit_code == 1);
  std::string xml = read(dir.path / "results.xml");
  CHECK(xml.find("<testsuite name=\"kvharness.playback\" tests=\"2\" failures=\"1\"") !=
        std::string::npos);
  CHECK(xml.find("<testcase name=\"missing_secret\" classname=\"scenarios.missing_secret\"") !=
        std::string::npos);
  CHECK(xml.find("<failure message=\"scenarios/backup_restore.json: step /steps/1 (get) failed\" "
                 "type=\"expectation-failed\">") != std::string::npos);
  auto report = nlohmann::json::parse(read(dir.path / "results.json"));
  CHECK(report["failed"] == 1);
  CHECK(report["passed"] == 1);
  CHECK(report["scenarios"][0]["steps"][1]["at"] == "/steps/1/expect/value");
  CHECK(report["scenarios"][0]["steps"][1]["actual"] == "\"tampered value\"");
  if (std::system("command -v xmllint >/dev/null 2>&1") != 0) {
    KV_SKIP("xmllint (libxml2-utils) is not installed: the JUnit schema check cannot run");
  }
  std::string validate = "xmllint --noout --schema '" + kSource +
                         "/tests/harness/scenario/junit.xsd' '" +
                         (dir.path / "results.xml").string() + "' 2>/dev/null";
  CHECK(std::system(validate.c_str()) == 0);
}

TEST_CASE("Usage and configuration errors exit with 2 and say what is wrong", "[scenario][cli]") {
  struct Case {
    const char* args;
    const char* stderr_text;
  };
  const Case cases[] = {
      {"", "Usage: kvharness <command> [options]"},
      {"frobnicate", "kvharness: unknown command \"frobnicate\"\n\nUsage:"},
      {"verfy",
       "kvharness: unknown command \"verfy\"\n  hint:     did you mean \"verify\"?\n\nUsage:"},
      {"run --mode replay scenarios/missing_secret.json",
       "kvharness run: unknown mode \"replay\" (from --mode); expected live, record or playback\n"},
      {"run --bogus", "kvharness run: Option ‘bogus’ does not exist\n(see kvharness run --help)\n"},
      {"run --mod playback scenarios/missing_secret.json",
       "kvharness run: Option ‘mod’ does not exist\n  hint:     did you mean \"--mode\"?\n(see "
       "kvharness run --help)\n"},
      {"run scenarios/nope.json",
       "kvharness run: no such scenario file or folder: scenarios/nope.json\n"},
      {"run --filter zzz scenarios", "kvharness run: no scenario files match --filter zzz\n"},
      {"run tests/harness/scenario/data/check/scenarios/typo_op.json",
       "tests/harness/scenario/data/check/scenarios/typo_op.json: error at /steps/0/op "
       "[unknown-operation]\n"
       "  expected: one of set, get, update, list, listVersions, listDeleted, backup, delete, "
       "getDeleted, purge, recover, restore, pause\n"
       "  found:    \"purg\"\n"
       "  hint:     did you mean \"purge\"?\n"
       "tests/harness/scenario/data/check/scenarios/typo_op.json: error at /steps/1/name "
       "[unknown-variable]\n"
       "  expected: a variable defined under \"variables\" or captured earlier\n"
       "  found:    \"${secretNmae}\"\n"
       "  hint:     did you mean \"secretName\"?\n"
       "kvharness run: invalid scenario files; nothing was run\n"},
      {"run --mode record --localvault /nonexistent/localvault scenarios/missing_secret.json",
       "kvharness run: localvault /nonexistent/localvault is not an executable file\n"},
      {"diff recordings/paging.json",
       "kvharness diff: expected two recordings (OLD NEW), got 1\n(see kvharness diff --help)\n"},
      {"export recordings/paging.json",
       "kvharness export: expected --har FIXTURE\n(see kvharness export --help)\n"},
  };
  for (const auto& c : cases) {
    INFO(c.args);
    auto r = run_cli(c.args);
    CHECK(r.exit_code == 2);
    std::string want = c.stderr_text;
    if (want.back() == '\n') {
      CHECK(r.err == want);
    } else {
      CHECK(r.err.find(want) != std::string::npos);
    }
  }
}

TEST_CASE("AZURE_TEST_MODE chooses the mode when --mode is absent", "[scenario][cli]") {
  std::string command = "cd '" + kSource + "' && AZURE_TEST_MODE=sideways '" + kCli +
                        "' run scenarios/missing_secret.json >/dev/null 2>&1";
  int status = std::system(command.c_str());
  CHECK(WEXITSTATUS(status) == 2);
  command = "cd '" + kSource + "' && AZURE_TEST_MODE=Playback '" + kCli +
            "' run scenarios/missing_secret.json >/dev/null 2>&1";
  status = std::system(command.c_str());
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("check reports schema errors, unknown variables, missing and orphan recordings and leaks",
          "[scenario][cli]") {
  auto r = run_cli("check tests/harness/scenario/data/check/scenarios");
  CHECK(r.exit_code == 1);
  check_golden("check_problems.txt", r.out);
}

TEST_CASE("check of the committed library finds nothing to fix", "[scenario][cli]") {
  auto r = run_cli("check scenarios recordings");
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("ok: ", 0) == 0);
}

TEST_CASE("diff: a recording agrees with itself; a changed status is reported by operation",
          "[scenario][cli]") {
  auto same = run_cli("diff recordings/backup_restore.json recordings/backup_restore.json");
  CHECK(same.exit_code == 0);
  CHECK(
      same.out ==
      "no differences between recordings/backup_restore.json and recordings/backup_restore.json\n");

  TempDir dir;
  auto fixture =
      nlohmann::ordered_json::parse(read(fs::path(kSource) / "recordings/backup_restore.json"));
  auto& entries = fixture["Entries"];
  entries[1]["StatusCode"] = 500;
  entries[1]["ResponseBody"]["value"] = "changed";
  entries.erase(entries.begin() + 2);  // the backup request
  write(dir.path / "new.json", fixture.dump(2));
  auto r = run_cli("diff recordings/backup_restore.json " + (dir.path / "new.json").string());
  CHECK(r.exit_code == 1);
  std::string out = r.out;
  std::string dir_text = dir.path.string();
  for (std::size_t at; (at = out.find(dir_text)) != std::string::npos;)
    out.replace(at, dir_text.size(), "TMP");
  check_golden("diff_changed.txt", out);
}

TEST_CASE("export --har writes a HAR 1.2 log with one entry per recorded exchange",
          "[scenario][cli]") {
  auto r = run_cli("export --har recordings/backup_restore.json");
  CHECK(r.exit_code == 0);
  auto har = nlohmann::json::parse(r.out);
  auto fixture = nlohmann::json::parse(read(fs::path(kSource) / "recordings/backup_restore.json"));
  CHECK(har["log"]["version"] == "1.2");
  CHECK(har["log"]["entries"].size() == fixture["Entries"].size());
}

TEST_CASE("Every subcommand has --help with examples, and --version prints the version",
          "[scenario][cli]") {
  for (const char* command : {"run", "check", "lint", "verify", "diff", "export"}) {
    INFO(command);
    auto r = run_cli(std::string(command) + " --help");
    CHECK(r.exit_code == 0);
    CHECK(r.out.find(std::string("kvharness ") + command) != std::string::npos);
    CHECK(r.out.find("Examples:") != std::string::npos);
  }
  auto top = run_cli("--help");
  CHECK(top.exit_code == 0);
  CHECK(top.out.find("Examples:") != std::string::npos);
  auto version = run_cli("--version");
  CHECK(version.exit_code == 0);
  CHECK(std::regex_match(version.out, std::regex(R"(kvharness \d+\.\d+\.\d+\n)")));
}

TEST_CASE("A localvault that dies before it is ready fails the scenario and shows its stderr",
          "[scenario][cli]") {
  TempDir dir;
  fs::path fake = dir.path / "fake-localvault";
  write(fake, "#!/bin/sh\necho 'cannot bind: address in use' >&2\nexit 3\n");
  fs::permissions(fake, fs::perms::owner_all);
  auto r = run_cli("run --mode record --recordings '" + (dir.path / "rec").string() +
                   "' --localvault '" + fake.string() + "' scenarios/missing_secret.json");
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("FAIL missing_secret") != std::string::npos);
  CHECK(r.out.find("cannot start the embedded local vault: localvault (" + fake.string() +
                   ") exited with status 3 before it was ready; its stderr ends with:") !=
        std::string::npos);
  CHECK(r.out.find("cannot bind: address in use") != std::string::npos);
  CHECK_FALSE(fs::exists(dir.path / "rec" / "missing_secret.json"));
}

TEST_CASE("Playback uses the api-version the fixture was recorded with", "[scenario][cli]") {
  TempDir dir;
  fs::create_directories(dir.path / "scenarios");
  fs::copy_file(fs::path(kSource) / "scenarios/missing_secret.json",
                dir.path / "scenarios/missing_secret.json");
  std::string text = read(fs::path(kSource) / "recordings/missing_secret.json");
  for (std::size_t at; (at = text.find("7.5")) != std::string::npos;) text.replace(at, 3, "7.4");
  write(dir.path / "recordings/missing_secret.json", text);
  auto r = run_cli("run scenarios/missing_secret.json", dir.path.string());
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("PASS missing_secret") != std::string::npos);
}

TEST_CASE("lint prints one block per finding and a summary, and exits 1 on a damaged recording",
          "[scenario][cli]") {
  TempDir dir;
  copy_backup_restore(dir.path, [](nlohmann::ordered_json& fixture) {
    auto& e = fixture["Entries"];
    auto& deleted = e[3]["ResponseBody"];
    deleted["scheduledPurgeDate"] = deleted["scheduledPurgeDate"].get<long long>() + 86400;
    e[5]["StatusCode"] = 404;  // the last poll no longer sees the deleted secret
    e[5]["ResponseBody"] = {{"error", {{"code", "SecretNotFound"}, {"message", "not found"}}}};
    e.insert(e.begin() + 7, e[1]);  // a get that finds the secret after its purge
  });
  fs::copy_file(fs::path(kSource) / "recordings/missing_secret.json",
                dir.path / "recordings/missing_secret.json");
  auto r = run_cli("lint recordings --json lint.json", dir.path.string());
  CHECK(r.exit_code == 1);
  CHECK(r.err.empty());
  check_golden("lint_damaged.txt", r.out);
  auto report = nlohmann::json::parse(read(dir.path / "lint.json"));
  CHECK(report["recordings"] == 2);
  CHECK(report["errors"] == 2);
  CHECK(report["warnings"] == 1);
  CHECK(report["findings"][0]["id"] == "purge-date");
  CHECK(report["findings"][0]["where"] == "/Entries/3/ResponseBody/scheduledPurgeDate");
}

TEST_CASE("lint exits 0 when only warnings are found, 1 with --strict, 2 for a bad path or fixture",
          "[scenario][cli]") {
  TempDir dir;
  copy_backup_restore(dir.path, [](nlohmann::ordered_json& fixture) {
    auto& poll = fixture["Entries"][5];
    poll["StatusCode"] = 404;
    poll["ResponseBody"] = {{"error", {{"code", "SecretNotFound"}, {"message", "not found"}}}};
  });
  auto lenient = run_cli("lint", dir.path.string());  // default: recordings/
  CHECK(lenient.exit_code == 0);
  CHECK(lenient.out.find("[poll-unfinished]") != std::string::npos);
  CHECK(run_cli("lint --strict recordings", dir.path.string()).exit_code == 1);

  auto rules = run_cli("lint --list-rules");
  CHECK(rules.exit_code == 0);
  CHECK(rules.out.rfind("unexpected-status (error): a successful answer has the operation's "
                        "status: 204 for a purge, 200 for the rest\n",
                        0) == 0);
  CHECK(std::count(rules.out.begin(), rules.out.end(), '\n') == 23);

  auto clean = run_cli("lint recordings/paging.json");
  CHECK(clean.exit_code == 0);
  CHECK(clean.out == "ok: 1 recording, no findings\n");

  auto missing = run_cli("lint recordings/nope.json");
  CHECK(missing.exit_code == 2);
  CHECK(missing.err == "kvharness lint: no such file or folder: recordings/nope.json\n");

  write(dir.path / "broken.json", "{\"Entries\": 3}");
  auto broken = run_cli("lint broken.json recordings", dir.path.string());
  CHECK(broken.exit_code == 2);
  CHECK(broken.err ==
        "broken.json: error at /Entries [wrong-type]\n"
        "  expected: an array of entries\n"
        "  found:    3 (an integer)\n");
  CHECK(broken.out.find("1 recording could not be loaded") != std::string::npos);
}

TEST_CASE("check reports lint errors of the recordings it loads", "[scenario][cli]") {
  TempDir dir;
  copy_backup_restore(dir.path, [](nlohmann::ordered_json& fixture) {
    auto& e = fixture["Entries"];
    e.insert(e.begin() + 7, e[1]);
  });
  auto r = run_cli("check scenarios", dir.path.string());
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("recordings/backup_restore.json: error at /Entries/7/StatusCode "
                   "[secret-not-active]") != std::string::npos);
}

namespace {

const std::string kLocalVault = std::string(KV_BINARY_DIR) + "/localvault/localvault";

// "severity id at where" of every finding in a verify --json report.
std::vector<std::string> verify_findings(const std::string& report_file) {
  std::vector<std::string> out;
  const auto report = nlohmann::json::parse(read(report_file));
  for (const auto& f : report["findings"]) {
    out.push_back(f["severity"].get<std::string>() + " " + f["id"].get<std::string>() + " at " +
                  f["where"].get<std::string>());
  }
  return out;
}

}  // namespace

TEST_CASE("verify against a vault without soft delete reports the drift of every answer by kind",
          "[scenario][cli][verify]") {
  if (!fs::exists(kLocalVault)) KV_SKIP("localvault is not built (" + kLocalVault + ")");
  auto r = run_cli("verify --localvault '" + kLocalVault +
                   "' --localvault-arg --recovery-level --localvault-arg Purgeable "
                   "scenarios/delete_recover.json");
  CHECK(r.exit_code == 1);
  CHECK(r.err.empty());
  check_golden("verify_purgeable.txt", r.out);
}

TEST_CASE("verify against a purge-protected vault reports each purge as a changed status",
          "[scenario][cli][verify]") {
  if (!fs::exists(kLocalVault)) KV_SKIP("localvault is not built (" + kLocalVault + ")");
  TempDir dir;
  const std::string json = (dir.path / "verify.json").string();
  const std::string junit = (dir.path / "verify.xml").string();
  auto r = run_cli("verify --localvault '" + kLocalVault +
                   "' --localvault-args --purge-protection --json '" + json + "' --junit '" +
                   junit + "' scenarios/get_deleted.json scenarios/missing_secret.json");
  CHECK(r.exit_code == 1);
  // The old spelling still works, split on spaces, and says once that it is deprecated.
  CHECK(r.err ==
        "kvharness: --localvault-args is deprecated; pass each argument with its own "
        "--localvault-arg\n");
  CHECK(verify_findings(json) ==
        std::vector<std::string>{
            "error enum-changed at /Entries/0/ResponseBody/attributes/recoveryLevel",
            "error enum-changed at /Entries/1/ResponseBody/attributes/recoveryLevel",
            "error enum-changed at /Entries/4/ResponseBody/attributes/recoveryLevel",
            "error status-changed at /Entries/6/StatusCode"});
  CHECK(r.out.find("DRIFT get_deleted: 4 errors, 0 warnings, 0 info\n") != std::string::npos);
  CHECK(r.out.find("ok   missing_secret: no drift\n") != std::string::npos);
  CHECK(r.out.find("verified 2 scenarios: 4 errors, 0 warnings, 0 info\n") != std::string::npos);
  const std::string xml = read(junit);
  CHECK(xml.find("<testsuite name=\"kvharness.verify\" tests=\"2\" failures=\"1\"") !=
        std::string::npos);
  CHECK(xml.find("<testcase name=\"missing_secret\" classname=\"verify.missing_secret\"") !=
        std::string::npos);
}

TEST_CASE("verify --fail-on chooses the lowest severity that fails the run",
          "[scenario][cli][verify]") {
  if (!fs::exists(kLocalVault)) KV_SKIP("localvault is not built (" + kLocalVault + ")");
  TempDir dir;
  // A recorded field the service does not send: a warning, not an error.
  fs::create_directories(dir.path / "scenarios");
  fs::copy_file(fs::path(kSource) / "scenarios/missing_secret.json",
                dir.path / "scenarios/missing_secret.json");
  auto fixture =
      nlohmann::ordered_json::parse(read(fs::path(kSource) / "recordings/missing_secret.json"));
  fixture["Entries"][0]["ResponseBody"]["error"]["target"] = "name";
  write(dir.path / "recordings/missing_secret.json", fixture.dump(2) + "\n");
  const std::string args =
      "verify --localvault '" + kLocalVault + "' scenarios/missing_secret.json";
  auto r = run_cli(args, dir.path.string());
  CHECK(r.exit_code == 0);
  CHECK(r.out ==
        "recordings/missing_secret.json: warning at /Entries/0/ResponseBody/error/target "
        "[field-removed]\n"
        "  expected: field \"target\" (string)\n"
        "  found:    absent\n"
        "  hint:     in GetSecret (GET)\n"
        "note missing_secret: 0 errors, 1 warning, 0 info\n"
        "verified 1 scenario: 0 errors, 1 warning, 0 info\n");
  CHECK(run_cli(args + " --fail-on warning", dir.path.string()).exit_code == 1);
  CHECK(run_cli(args + " --fail-on info", dir.path.string()).exit_code == 1);
}

TEST_CASE("verify refuses bad options and scenarios it cannot verify with exit 2",
          "[scenario][cli][verify]") {
  auto bad = run_cli("verify --fail-on fatal scenarios/missing_secret.json");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err ==
        "kvharness verify: unknown severity \"fatal\" (from --fail-on); expected error, warning "
        "or info\n");
  auto no_localvault =
      run_cli("verify --localvault /nonexistent/localvault scenarios/missing_secret.json");
  CHECK(no_localvault.exit_code == 2);
  CHECK(no_localvault.err ==
        "kvharness verify: localvault /nonexistent/localvault is not an executable file\n");
  if (!fs::exists(kLocalVault)) KV_SKIP("localvault is not built (" + kLocalVault + ")");
  TempDir dir;
  fs::create_directories(dir.path / "scenarios");
  fs::copy_file(fs::path(kSource) / "scenarios/missing_secret.json",
                dir.path / "scenarios/missing_secret.json");
  auto r = run_cli("verify --localvault '" + kLocalVault + "' scenarios/missing_secret.json",
                   dir.path.string());
  CHECK(r.exit_code == 2);
  CHECK(r.out ==
        "FAIL missing_secret: not verified: no recording to verify: "
        "recordings/missing_secret.json\n"
        "  record it with: kvharness run --mode record scenarios/missing_secret.json\n"
        "verified 0 scenarios: no drift; 1 not verified\n");
}

TEST_CASE("verify --list-kinds lists every drift kind with its severity",
          "[scenario][cli][verify]") {
  auto r = run_cli("verify --list-kinds");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("field-added (info): ") == 0);
  CHECK(r.out.find("\nexchange-extra (error): ") != std::string::npos);
}

TEST_CASE("check --max-age and --api-version flag stale recordings; a bad age is a usage error",
          "[scenario][cli][staleness]") {
  auto fresh = run_cli("check --max-age 36500 --api-version 7.5 scenarios/missing_secret.json");
  CHECK(fresh.exit_code == 0);
  CHECK(fresh.out.find("ok: 1 scenario(s) and ") == 0);
  auto stale = run_cli("check --max-age 0 scenarios/missing_secret.json");
  CHECK(stale.exit_code == 1);
  CHECK(stale.out.find(
            "recordings/missing_secret.json: error at /kvharness/recordedAt [stale-recording]\n"
            "  expected: recorded in the last 0 days (on or after ") != std::string::npos);
  auto other = run_cli("check --api-version 7.4 scenarios/missing_secret.json");
  CHECK(other.exit_code == 1);
  CHECK(other.out.find("  expected: api-version 7.4 (from --api-version)\n  found:    7.5\n") !=
        std::string::npos);
  auto bad = run_cli("check --max-age -3 scenarios/missing_secret.json");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "kvharness check: --max-age must be a number of days, 0 or more\n");
}

TEST_CASE("run --allow-sanitizer-digest-mismatch replays a fixture whose sanitizer set was edited",
          "[scenario][cli][staleness]") {
  TempDir dir;
  copy_backup_restore(dir.path, [](nlohmann::ordered_json& f) {
    f["kvharness"]["sanitizersDigest"] = "sha256:0000";
  });
  auto refused = run_cli("run scenarios/backup_restore.json", dir.path.string());
  CHECK(refused.exit_code == 1);
  CHECK(refused.out.find("recordings/backup_restore.json: the stored sanitizer set "
                         "/kvharness/sanitizers does not match /kvharness/sanitizersDigest") !=
        std::string::npos);
  // A weaker set is another permission.
  auto weaker =
      run_cli("run --allow-weaker-sanitizers scenarios/backup_restore.json", dir.path.string());
  CHECK(weaker.exit_code == 1);
  auto allowed = run_cli("run --allow-sanitizer-digest-mismatch scenarios/backup_restore.json",
                         dir.path.string());
  CHECK(allowed.exit_code == 0);
}
