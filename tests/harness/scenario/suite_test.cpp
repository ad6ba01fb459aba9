// kv::scenario::Suite: what kvharness run and verify do, called from C++.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "cli_support.hpp"
#include "kv/scenario/checker.hpp"
#include "kv/scenario/suite.hpp"

using namespace kv::scenario;
using kv::test::kSource;
using kv::test::TempDir;

namespace {

SuiteOptions playback_of(std::vector<std::string> paths) {
  SuiteOptions options;
  options.paths = std::move(paths);
  options.recordings_dir = kSource + "/recordings";
  return options;
}

}  // namespace

TEST_CASE("A suite replays committed scenarios and writes its reports", "[scenario][suite]") {
  Suite suite(playback_of(
      {kSource + "/scenarios/backup_restore.json", kSource + "/scenarios/missing_secret.json"}));
  REQUIRE(suite.scenarios().size() == 2);
  CHECK_FALSE(suite.target());  // playback opens no vault
  const RunSummary summary = suite.run();
  CHECK(summary.passed() == 2);
  CHECK(summary.failed() == 0);

  TempDir dir;
  const auto junit = (dir.path / "r.xml").string();
  const auto json = (dir.path / "r.json").string();
  write_reports(summary, kv::harness::Mode::Playback, {junit, json});
  CHECK(kv::test::read(junit).find("<testsuite") != std::string::npos);
  CHECK(kv::test::read(json).find("\"backup_restore\"") != std::string::npos);
  CHECK_THROWS_AS(suite.verify(), std::logic_error);
}

TEST_CASE("A suite refuses before running: no match, invalid files, missing paths",
          "[scenario][suite]") {
  auto filtered = playback_of({kSource + "/scenarios"});
  filtered.filter = "zzz";
  CHECK_THROWS_MATCHES(Suite(filtered), SuiteError,
                       Catch::Message("no scenario files match --filter zzz"));
  CHECK_THROWS_AS(Suite(playback_of({"/nonexistent/scenarios"})), SuiteError);

  TempDir dir;
  kv::test::write(dir.path / "bad.json", "{ not json");
  kv::test::write(dir.path / "worse.json", "[]");
  try {
    Suite suite(playback_of({dir.path.string()}));
    FAIL("invalid scenario files were accepted");
  } catch (const SuiteError& e) {
    CHECK(std::string(e.what()) == "invalid scenario files; nothing was run");
    REQUIRE(e.details().size() == 2);
    CHECK(e.details()[0].find("bad.json") != std::string::npos);
    CHECK(e.details()[1].find("worse.json") != std::string::npos);
  }
  const LoadedScenarios loaded =
      load_scenarios({(dir.path / "bad.json").string(), kSource + "/scenarios/paging.json"});
  CHECK_FALSE(loaded.ok());
  CHECK(loaded.scenarios.size() == 1);
  CHECK(loaded.errors.size() == 1);
}

TEST_CASE("A live suite without a vault needs the localvault executable", "[scenario][suite]") {
  ::unsetenv("AZURE_KEYVAULT_URL");
  auto live = playback_of({kSource + "/scenarios/paging.json"});
  live.mode = kv::harness::Mode::Live;
  live.target.localvault.executable = "/nonexistent/localvault";
  CHECK_THROWS_AS(Suite(live), SuiteError);
}

TEST_CASE("Modes and fail-on severities are read the way the command line names them",
          "[scenario][suite]") {
  CHECK(resolve_suite_mode(std::string("record")) == kv::harness::Mode::Record);
  CHECK_THROWS_WITH(resolve_suite_mode(std::string("replay")),
                    "unknown mode \"replay\" (from --mode); expected live, record or playback");
  CHECK(parse_fail_on("warning") == kv::harness::Severity::Warning);
  CHECK_THROWS_WITH(parse_fail_on("fatal"),
                    "unknown severity \"fatal\" (from --fail-on); expected error, warning or info");
  CHECK(format_drift_kinds().find("status-changed (error): ") != std::string::npos);
}

TEST_CASE("A check report reads as kvharness check prints it", "[scenario][suite]") {
  CheckOptions options;
  options.recordings_dir = kSource + "/recordings";
  const auto report = check_paths({kSource + "/scenarios/paging.json"}, options);
  CHECK(report.to_text() ==
        "ok: 1 scenario(s) and " + std::to_string(report.fixtures) + " recording(s)\n");
  options.max_age_days = -1;
  CHECK_THROWS_AS(check_paths({kSource + "/scenarios/paging.json"}, options),
                  std::invalid_argument);
}
