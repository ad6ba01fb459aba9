// Hostile and unlucky input for kvharness: long blobs and hosts, invalid UTF-8 in reports,
// secrets in failing steps, binary bodies of the same length, variable cycles, files that are
// not scenario files. Each case names what used to go wrong in its title.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_support.hpp"
#include "kv/credentials.hpp"
#include "kv/scenario/diagnostic.hpp"
#include "kv/scenario/parser.hpp"
#include "kv/scenario/reporters.hpp"
#include "kv/scenario/session_runner.hpp"
#include "skip.hpp"

using namespace kv;
using namespace kv::test;
using ordered_json = nlohmann::ordered_json;

namespace {

ordered_json committed_recording(const std::string& name) {
  return ordered_json::parse(read(fs::path(kSource) / "recordings" / (name + ".json")));
}

// A copy of a committed scenario and its recording, the recording edited by `edit`.
void copy_scenario(const fs::path& dir, const std::string& name,
                   const std::function<void(ordered_json&)>& edit) {
  fs::create_directories(dir / "scenarios");
  fs::copy_file(fs::path(kSource) / "scenarios" / (name + ".json"),
                dir / "scenarios" / (name + ".json"));
  ordered_json fixture = committed_recording(name);
  edit(fixture);
  write(dir / "recordings" / (name + ".json"), fixture.dump(2) + "\n");
}

ordered_json& first_get(ordered_json& fixture) {
  for (auto& e : fixture["Entries"]) {
    if (e["RequestMethod"] == "GET" &&
        e["RequestUri"].get<std::string>().find("/secrets/") != std::string::npos) {
      return e;
    }
  }
  throw std::runtime_error("no GET of a secret in the recording");
}

bool has_command(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace

TEST_CASE("check reads a recording with a backup blob of 100 KB holding eyJ (no stack overflow)",
          "[scenario][cli][hardening]") {
  TempDir dir;
  copy_scenario(dir.path, "backup_restore", [](ordered_json& fixture) {
    for (auto& e : fixture["Entries"]) {
      if (e["RequestUri"].get<std::string>().find("/backup?") != std::string::npos &&
          e["ResponseBody"].is_object()) {
        e["ResponseBody"]["value"] = "eyJ" + std::string(100'000, 'A');
      }
    }
  });
  auto r = run_cli("check scenarios/backup_restore.json", dir.path.string());
  CHECK(r.exit_code == 0);
  CHECK(r.out == "ok: 1 scenario(s) and 1 recording(s)\n");
  CHECK(r.err.empty());
}

TEST_CASE("check flags a client_secret= and a loopback address of 100 KB without crashing",
          "[scenario][cli][hardening]") {
  TempDir dir;
  copy_scenario(dir.path, "backup_restore", [](ordered_json& fixture) {
    first_get(fixture)["ResponseBody"]["value"] = "client_secret=" + std::string(100'000, 'x') +
                                                  " http://127.0.0.1:" + std::string(100'000, '1');
  });
  auto r = run_cli("check scenarios/backup_restore.json", dir.path.string());
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("[unsanitized-client-secret]") != std::string::npos);
  CHECK(r.out.find("[unsanitized-vault-host]") != std::string::npos);
  CHECK(r.err.empty());
}

TEST_CASE("diff reads a request URI with a 30000-character host (no stack overflow)",
          "[scenario][cli][hardening]") {
  TempDir dir;
  ordered_json fixture = committed_recording("backup_restore");
  write(dir.path / "old.json", fixture.dump(2));
  for (auto& e : fixture["Entries"]) {
    std::string uri = e["RequestUri"].get<std::string>();
    uri.replace(0, uri.find('/', 8), "https://" + std::string(30'000, 'h'));
    e["RequestUri"] = uri;
  }
  write(dir.path / "new.json", fixture.dump(2));
  auto r = run_cli("diff old.json new.json", dir.path.string());
  CHECK(r.exit_code == 0);
  CHECK(r.out == "no differences between old.json and new.json\n");
  CHECK(r.err.empty());
}

TEST_CASE("diff and diff --strict see a change in a binary body of the same length",
          "[scenario][cli][hardening]") {
  TempDir dir;
  ordered_json fixture = committed_recording("backup_restore");
  ordered_json& entry = first_get(fixture);
  entry["ResponseBody"] = "AAECAwQFBgc=";  // bytes 0..7
  entry["ResponseBodyEncoding"] = "base64";
  entry["ResponseHeaders"]["Content-Type"] = "application/octet-stream";
  write(dir.path / "old.json", fixture.dump(2));
  first_get(fixture)["ResponseBody"] = "AAECAwQFBgg=";  // the last byte differs
  write(dir.path / "new.json", fixture.dump(2));
  for (const std::string flags : {"", " --strict"}) {
    CAPTURE(flags);
    auto r = run_cli("diff" + flags + " old.json new.json", dir.path.string());
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("responseBody: \"<8 binary bytes, digest ") != std::string::npos);
    CHECK(r.err.empty());
  }
}

TEST_CASE("run writes a valid JSON report and valid JUnit XML for a recording with invalid UTF-8",
          "[scenario][cli][hardening]") {
  TempDir dir;
  fs::create_directories(dir.path / "scenarios");
  fs::copy_file(fs::path(kSource) / "scenarios/backup_restore.json",
                dir.path / "scenarios/backup_restore.json");
  ordered_json fixture = committed_recording("backup_restore");
  first_get(fixture)["ResponseBody"]["value"] = "PLACEHOLDER";
  std::string text = fixture.dump(2);
  text.replace(text.find("PLACEHOLDER"), 11, "bad \xFF byte");
  write(dir.path / "recordings/backup_restore.json", text);

  auto r =
      run_cli("run --json r.json --junit r.xml scenarios/backup_restore.json", dir.path.string());
  CHECK(r.exit_code == 1);
  CHECK(r.err.empty());
  const std::string json_text = read(dir.path / "r.json");
  const std::string xml_text = read(dir.path / "r.xml");
  CHECK(json_text.find('\xFF') == std::string::npos);
  CHECK(xml_text.find('\xFF') == std::string::npos);
  const auto report = nlohmann::json::parse(json_text);  // strict: throws on invalid UTF-8
  CHECK(report["failed"] == 1);
  CHECK(report["scenarios"][0]["failure"].get<std::string>().find("ill-formed UTF-8") !=
        std::string::npos);
  if (!has_command("xmllint")) KV_SKIP("xmllint is not installed (Debian: libxml2-utils)");
  const std::string validate = "xmllint --noout --schema '" + kSource +
                               "/tests/harness/scenario/junit.xsd' '" +
                               (dir.path / "r.xml").string() + "' >/dev/null 2>&1";
  CHECK(std::system(validate.c_str()) == 0);
}

namespace {

constexpr const char* kCanary = "CANARY-client-secret~42";

// A vault that answers every request with one secret whose value holds the canary.
class LeakyVault final : public http::Transport {
 public:
  http::Response send(const http::Request&) override {
    http::Response r;
    r.status = 200;
    r.reason = "OK";
    r.headers.add("Content-Type", "application/json");
    r.body = http::to_bytes(nlohmann::json{
        {"value", std::string("it is ") + kCanary},
        {"id",
         "https://fakevault.vault.azure.net/secrets/s/"
         "0123456789abcdef0123456789abcdef"},
        {"attributes",
         {{"enabled", true}}}}.dump());
    return r;
  }
};

}  // namespace

namespace {

// Keeps what a reporter receives, to look for the canary.
class StepLog final : public scenario::RunObserver {
 public:
  std::string text;
  void step_finished(const scenario::Scenario&, const scenario::StepResult& step) override {
    text += step.at + step.expected + step.actual + step.error;
  }
  void scenario_finished(const scenario::ScenarioResult& result) override {
    text += result.failure_message();
  }
};

}  // namespace

TEST_CASE("A failing step's actual value holding a registered secret is redacted in every report",
          "[scenario][hardening]") {
  const auto scenario = scenario::parse_scenario(
      R"({"name": "leak", "steps": [{"op": "get", "name": "s", "expect": {"value": "other"}}]})",
      "leak.json");
  harness::VaultTarget target;
  target.vault_url = "https://fakevault.vault.azure.net";
  target.transport = std::make_shared<LeakyVault>();
  target.credential = std::make_shared<StaticTokenCredential>();
  target.secrets_to_redact = {kCanary};
  std::ostringstream console_text;
  scenario::ConsoleReporter console(console_text, scenario::ConsoleReporter::Detail::Steps);
  StepLog log;
  struct Both final : scenario::RunObserver {
    scenario::RunObserver* a;
    scenario::RunObserver* b;
    void step_finished(const scenario::Scenario& s, const scenario::StepResult& r) override {
      a->step_finished(s, r);
      b->step_finished(s, r);
    }
    void scenario_finished(const scenario::ScenarioResult& r) override {
      a->scenario_finished(r);
      b->scenario_finished(r);
    }
  } both;
  both.a = &console;
  both.b = &log;
  scenario::SessionRunOptions options;
  options.mode = harness::Mode::Live;
  options.target = target;
  options.observer = &both;
  scenario::RunSummary summary;
  summary.scenarios.push_back(scenario::run_in_session(scenario, options));
  console.summary(summary);

  REQUIRE(summary.failed() == 1);
  const std::string& actual = summary.scenarios[0].steps.at(0).actual;
  CHECK(actual == "\"it is Sanitized\"");
  CHECK(log.text.find("it is Sanitized") != std::string::npos);
  for (const std::string& text :
       {log.text, console_text.str(), scenario::to_junit_xml(summary, "live"),
        scenario::to_json_report(summary, "live"), summary.scenarios[0].failure_message()}) {
    CHECK(text.find(kCanary) == std::string::npos);
  }
}

TEST_CASE("check reports a variable cycle and an unclosed ${ and run refuses before running",
          "[scenario][cli][hardening]") {
  TempDir dir;
  write(dir.path / "scenarios/cycle.json", R"({
  "name": "cycle",
  "variables": {"a": "${b}-x", "b": "${a}", "c": "${zz}"},
  "steps": [{"op": "get", "name": "${a", "expect": {"value": "v"}}]
})");
  const std::string expected =
      "scenarios/cycle.json: error at /variables/c [unknown-variable]\n"
      "  expected: a variable defined under \"variables\"\n"
      "  found:    \"${zz}\"\n"
      "  hint:     did you mean \"a\"?\n"
      "scenarios/cycle.json: error at /steps/0/name [unclosed-variable]\n"
      "  expected: \"${name}\" closed by \"}\"\n"
      "  found:    \"${a\" (the \"${\" at offset 0 is not closed)\n"
      "  hint:     close it with \"}\", or write \"$${\" for a literal \"${\"\n";
  auto check = run_cli("check scenarios/cycle.json", dir.path.string());
  CHECK(check.exit_code == 1);
  CHECK(check.out == expected + "2 problem(s) in 1 scenario(s) and 0 recording(s)\n");
  auto run = run_cli("run scenarios/cycle.json", dir.path.string());
  CHECK(run.exit_code == 2);
  CHECK(run.out.empty());
  CHECK(run.err == expected + "kvharness run: invalid scenario files; nothing was run\n");

  write(dir.path / "scenarios/cycle.json", R"({
  "name": "cycle",
  "variables": {"a": "${b}-x", "b": "${c}", "c": "${a}", "d": "${c}"},
  "steps": [{"op": "get", "name": "${d}", "expect": {"value": "v"}}]
})");
  const std::string cycle =
      "scenarios/cycle.json: error at /variables/a [variable-cycle]\n"
      "  expected: variables that do not use each other in a cycle\n"
      "  found:    \"a\" → \"b\" → \"c\" → \"a\"\n"
      "  hint:     give one of them a value that uses no variable of the cycle\n";
  check = run_cli("check scenarios/cycle.json", dir.path.string());
  CHECK(check.exit_code == 1);
  CHECK(check.out == cycle + "1 problem(s) in 1 scenario(s) and 0 recording(s)\n");
  run = run_cli("run scenarios/cycle.json", dir.path.string());
  CHECK(run.exit_code == 2);
  CHECK(run.err == cycle + "kvharness run: invalid scenario files; nothing was run\n");
}

TEST_CASE("Variables may use variables defined after them in the file", "[scenario][hardening]") {
  const auto s = scenario::parse_scenario(
      R"({"name": "x", "variables": {"a": "${b}-1", "b": "${c}-2", "c": "z"},
          "steps": [{"op": "get", "name": "${a}"}]})",
      "s.json");
  std::vector<std::string> order;
  for (const auto& v : s.variables) order.push_back(v.name);
  CHECK(order == std::vector<std::string>{"c", "b", "a"});
}

TEST_CASE("Scenario files that are not files, empty, too large or too deep say what is wrong",
          "[scenario][cli][hardening]") {
  TempDir dir;
  write(dir.path / "empty.json", "");
  write(dir.path / "blank.json", "  \n");
  fs::create_directories(dir.path / "folder.json");
  write(dir.path / "deep.json",
        "{\"name\": " + std::string(100'000, '[') + std::string(100'000, ']') + "}");
  {
    std::ofstream big(dir.path / "big.json", std::ios::binary);
    big << "{\"name\": \"" << std::string(scenario::kMaxScenarioBytes, 'x') << "\"}";
  }
  struct Row {
    std::string path;
    std::string message;
  };
  const std::vector<Row> rows = {
      {"empty.json",
       "empty.json: error [empty-file]\n  expected: a scenario (a JSON object)\n"
       "  found:    an empty file\n"},
      {"blank.json",
       "blank.json: error [empty-file]\n  expected: a scenario (a JSON object)\n"
       "  found:    only white space\n"},
      {"deep.json",
       "deep.json: error at line 1, column 265 [too-deep]\n"
       "  expected: JSON nested at most 256 levels deep\n  found:    a deeper array or object\n"},
      {"big.json",
       "big.json: error [too-large]\n  expected: a scenario file of at most 4194304 bytes (4 MiB)\n"
       "  found:    4194316 bytes\n  hint:     split it into several scenarios\n"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.path);
    auto run = run_cli("run " + row.path, dir.path.string());
    CHECK(run.exit_code == 2);
    CHECK(run.err == row.message + "kvharness run: invalid scenario files; nothing was run\n");
    auto check = run_cli("check " + row.path, dir.path.string());
    CHECK(check.exit_code == 1);
    CHECK(check.out == row.message + "1 problem(s) in 1 scenario(s) and 0 recording(s)\n");
  }
  auto device = run_cli("run /dev/null", dir.path.string());
  CHECK(device.exit_code == 2);
  CHECK(device.err ==
        "kvharness run: /dev/null is not a scenario file or folder (it is a device, pipe or "
        "socket)\n");
  auto device_check = run_cli("check /dev/null", dir.path.string());
  CHECK(device_check.exit_code == 1);
  CHECK(device_check.out.find("/dev/null is not a scenario file or folder") != std::string::npos);
  auto empty_argument = run_cli("run ''", dir.path.string());
  CHECK(empty_argument.exit_code == 2);
  CHECK(empty_argument.err ==
        "kvharness run: an empty path was given as a scenario file or folder\n");
}

TEST_CASE("A scenario file without read permission is reported with the system error",
          "[scenario][cli][hardening]") {
  if (geteuid() == 0) KV_SKIP("running as root, which reads files without read permission");
  TempDir dir;
  write(dir.path / "locked.json", "{}");
  chmod((dir.path / "locked.json").c_str(), 0);
  auto run = run_cli("run locked.json", dir.path.string());
  CHECK(run.exit_code == 2);
  CHECK(run.err ==
        "locked.json: error [unreadable-file]\n  expected: a readable scenario file\n"
        "  found:    locked.json: cannot open: Permission denied\n"
        "kvharness run: invalid scenario files; nothing was run\n");
}

TEST_CASE(
    "Every command says what is wrong with a folder, a device, an empty, missing or huge path",
    "[scenario][cli][hardening]") {
  TempDir dir;
  fs::create_directories(dir.path / "folder");
  write(dir.path / "empty.json", "");
  fs::copy_file(fs::path(kSource) / "recordings/missing_secret.json", dir.path / "ok.json");
  const std::string huge(100'000, 'a');
  struct Row {
    std::string args;
    int exit_code;
    std::string says;
  };
  const std::vector<Row> rows = {
      {"run folder", 2, "kvharness run: no scenario files match"},
      {"run missing.json", 2, "no such scenario file or folder: missing.json"},
      {"run " + huge, 2, "no such scenario file or folder: aaaa"},
      {"check empty.json", 1, "[empty-file]"},
      {"check missing.json", 1, "missing.json: error [no-such-path]"},
      {"check " + huge, 1, "[no-such-path]"},
      {"diff ok.json folder", 2,
       "folder: error [unreadable-file]\n  expected: a fixture file\n"
       "  found:    a folder"},
      {"diff ok.json /dev/null", 2, "found:    a device, pipe or socket, not a regular file"},
      {"diff ok.json empty.json", 2, "empty.json: error at line 1, column 1 [syntax-error]"},
      {"diff ok.json missing.json", 2, "(No such file or directory)"},
      {"diff ok.json ''", 2, "(No such file or directory)"},
      {"diff ok.json " + huge, 2, "(File name too long)"},
      {"export --har folder", 2, "found:    a folder"},
      {"export --har /dev/null", 2, "a device, pipe or socket, not a regular file"},
      {"export --har empty.json", 2, "[syntax-error]"},
      {"export --har " + huge, 2, "(File name too long)"},
      {"lint /dev/null", 2, "a device, pipe or socket, not a regular file"},
      {"lint empty.json", 2, "1 recording could not be loaded"},
      {"lint missing.json", 2, "kvharness lint: no such file or folder: missing.json"},
      {"lint " + huge, 2, "kvharness lint: no such file or folder: aaaa"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.args.substr(0, 60));
    auto r = run_cli(row.args, dir.path.string());
    const std::string all = r.out + r.err;
    CHECK(r.exit_code == row.exit_code);
    CHECK(all.find(row.says) != std::string::npos);
    CHECK(all.find("json.exception") == std::string::npos);
    CHECK(all.find("bad_alloc") == std::string::npos);
    CHECK(all.find("ok:") == std::string::npos);
  }
}

TEST_CASE("A recording nested 100000 levels deep is refused by check, diff, export and run",
          "[scenario][cli][hardening][fixture-depth]") {
  TempDir dir;
  fs::create_directories(dir.path / "scenarios");
  fs::copy_file(fs::path(kSource) / "scenarios/missing_secret.json",
                dir.path / "scenarios/missing_secret.json");
  ordered_json fixture = committed_recording("missing_secret");
  fixture["Entries"][0]["ResponseBody"] = "DEEP";
  std::string text = fixture.dump(2);
  text.replace(text.find("\"DEEP\""), 6, std::string(100'000, '[') + std::string(100'000, ']'));
  write(dir.path / "recordings/missing_secret.json", text);
  const std::string file = "recordings/missing_secret.json";
  struct Row {
    std::string args;
    int exit_code;
  };
  for (const Row& row : std::vector<Row>{{"check scenarios/missing_secret.json", 1},
                                         {"diff " + file + " " + file, 2},
                                         {"export --har " + file, 2},
                                         {"run scenarios/missing_secret.json", 1}}) {
    CAPTURE(row.args);
    auto r = run_cli(row.args, dir.path.string());
    CHECK(r.exit_code == row.exit_code);
    CHECK((r.out + r.err).find(file + ": error at line ") != std::string::npos);
    CHECK((r.out + r.err).find("[too-deep]") != std::string::npos);
    CHECK((r.out + r.err).find("expected: JSON nested at most 256 levels deep") !=
          std::string::npos);
  }
}

TEST_CASE("A scenario with a number too large for a double is a syntax error, not an exception",
          "[scenario][hardening]") {
  try {
    (void)scenario::parse_scenario(R"({"name": "x", "steps": [{"op": "pause", "ms": 1e999}]})",
                                   "s.json");
    FAIL("parsed");
  } catch (const scenario::ScenarioFileError& e) {
    CHECK(std::string(e.what()) ==
          "s.json: error [syntax-error]\n  expected: valid JSON (comments allowed)\n"
          "  found:    number overflow parsing '1e999'");
  }
}

TEST_CASE("A 200000-character variable name and a date with a 200000-digit fraction parse",
          "[scenario][hardening]") {
  const std::string name = "v" + std::string(200'000, 'x');
  const std::string date = "2024-01-01T00:00:00." + std::string(200'000, '1') + "Z";
  const auto s = scenario::parse_scenario(
      "{\"name\": \"x\", \"variables\": {\"" + name +
          "\": \"a\"}, \"steps\": [{\"op\": "
          "\"get\", \"name\": \"${" +
          name + "}\", \"expect\": {\"created\": {\"greaterThan\": \"" + date + "\"}}}]}",
      "s.json");
  REQUIRE(s.variables.size() == 1);
  CHECK(s.variables[0].name == name);
}
