// The check command's logic: parse, pair scenarios with fixtures both ways, audit fixtures.
#include "kv/scenario/checker.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

#include "dates.hpp"
#include "kv/harness/files.hpp"
#include "kv/harness/fixture.hpp"
#include "kv/harness/internal/audit.hpp"
#include "kv/harness/lint.hpp"
#include "kv/harness/playback_transport.hpp"
#include "kv/harness/sanitizer.hpp"
#include "kv/scenario/diagnostic.hpp"
#include "kv/scenario/discovery.hpp"
#include "kv/scenario/parser.hpp"
#include "kv/secret_client.hpp"

namespace kv::scenario {
namespace {

namespace fs = std::filesystem;
using harness::Diagnostic;

bool in_recordings_folder(const fs::path& path) {
  std::error_code ec;
  fs::path dir = fs::is_directory(path, ec) ? path : path.parent_path();
  return dir.filename() == "recordings";
}

std::vector<std::string> json_files(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json")
      out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The api-version a fixture was recorded with: its metadata, else its first request's query.
// Returns the value and the pointer it was found at.
std::pair<std::string, std::string> recorded_api_version(const harness::Fixture& fixture) {
  if (!fixture.metadata.api_version.empty())
    return {fixture.metadata.api_version, "/kvharness/apiVersion"};
  if (fixture.entries.empty()) return {"", ""};
  const std::string& uri = fixture.entries.front().request_uri;
  const std::string key = "api-version=";
  std::size_t at = uri.find('?');
  while (at != std::string::npos) {
    if (uri.compare(at + 1, key.size(), key) == 0) {
      const std::size_t start = at + 1 + key.size();
      const std::size_t end = uri.find('&', start);
      return {uri.substr(start, end == std::string::npos ? std::string::npos : end - start),
              fixture.source == harness::FixtureSource::LegacyCpp ? "" : "/Entries/0/RequestUri"};
    }
    at = uri.find('&', at + 1);
  }
  return {"", ""};
}

// Staleness and weakening: the age, the api-version and the stored sanitizer set's digest.
// Without --api-version only a scenario's recording is held to the client's api-version: it is
// the one our client replays. A recording without a scenario is another program's (one made
// through kvharness proxy by an official SDK, say), made with whatever api-version that sends.
void check_metadata(const harness::Fixture& fixture, const std::string& file,
                    const CheckOptions& options, bool has_scenario, std::vector<Diagnostic>& out) {
  const bool given = !options.api_version.empty();
  const std::string wanted = given ? options.api_version : SecretClientOptions{}.ApiVersion;
  const auto [api_version, api_where] = recorded_api_version(fixture);
  if ((given || has_scenario) && !api_version.empty() && api_version != wanted) {
    out.push_back(Diagnostic{
        file, api_where, "api-version-mismatch",
        "api-version " + wanted +
            (given ? " (from --api-version)" : " (what the client sends by default)"),
        api_version, "re-record it with the client's api-version, or check with --api-version"});
  }
  if (options.max_age_days) {
    const int days = *options.max_age_days;
    const std::string& text = fixture.metadata.recorded_at;
    const auto recorded = detail::parse_date(text);
    if (!recorded) {
      Diagnostic d{file,
                   "/kvharness/recordedAt",
                   "unknown-age",
                   "a recordedAt date (checking --max-age " + std::to_string(days) + ")",
                   text.empty() ? "none" : harness::describe_json(harness::Json(text)),
                   "an older or foreign recording; re-record it to date it"};
      d.severity = harness::Severity::Warning;
      out.push_back(std::move(d));
    } else {
      const auto age = std::chrono::duration_cast<std::chrono::hours>(options.now - *recorded);
      const auto limit = std::chrono::hours(24) * days;
      if (age > limit) {
        out.push_back(Diagnostic{file, "/kvharness/recordedAt", "stale-recording",
                                 "recorded in the last " + std::to_string(days) +
                                     " days (on or after " +
                                     detail::format_date(options.now - limit) + ")",
                                 text + " (" + std::to_string(age.count() / 24) + " days ago)",
                                 "re-record it, and check the drift first: kvharness verify"});
      }
    }
  }
  const std::string& digest = fixture.metadata.sanitizers_digest;
  if (!digest.empty()) {
    const std::string actual = harness::sanitizer_set_digest(fixture.metadata.sanitizers);
    if (actual != digest) {
      out.push_back(Diagnostic{file, "/kvharness/sanitizersDigest", "sanitizers-digest-mismatch",
                               "the digest of /kvharness/sanitizers: " + actual, digest,
                               "the stored sanitizer set was edited by hand; re-record it"});
    }
  }
}

// Everything wrong with one fixture file on its own: loading, its stored rules, sanitizing.
void check_fixture(const std::string& file, const CheckOptions& options, bool has_scenario,
                   std::vector<Diagnostic>& out, harness::Fixture* loaded_out) {
  harness::Fixture fixture;
  try {
    fixture = harness::load_fixture(file);
  } catch (const harness::FixtureError& e) {
    out.push_back(e.diagnostic());
    return;
  }
  try {
    (void)harness::fixture_match_rules(fixture, file);
    (void)harness::fixture_sanitizer_rules(fixture, file);
  } catch (const harness::RulesError& e) {
    out.push_back(e.diagnostic());
  }
  for (const auto& finding : harness::find_unsanitized(fixture)) {
    out.push_back(Diagnostic{file, finding.pointer, "unsanitized-" + finding.kind,
                             "no credentials, tokens or real vault hosts", finding.message,
                             "re-record with the default sanitizer rules, or add a sanitizer "
                             "rule (docs/record-replay.md)"});
  }
  for (auto& d : harness::lint_fixture(fixture, file)) {
    if (d.severity == harness::Severity::Error) out.push_back(std::move(d));
  }
  check_metadata(fixture, file, options, has_scenario, out);
  if (loaded_out) *loaded_out = std::move(fixture);
}

}  // namespace

bool CheckReport::ok() const {
  return std::none_of(problems.begin(), problems.end(),
                      [](const Diagnostic& d) { return d.severity == harness::Severity::Error; });
}

CheckReport check_paths(const std::vector<std::string>& paths, const std::string& recordings_dir) {
  CheckOptions options;
  options.recordings_dir = recordings_dir;
  return check_paths(paths, options);
}

std::string CheckReport::to_text() const {
  std::string out;
  for (const auto& problem : problems) out += problem.message() + "\n";
  out += (problems.empty() ? "ok: " : std::to_string(problems.size()) + " problem(s) in ") +
         std::to_string(scenarios) + " scenario(s) and " + std::to_string(fixtures) +
         " recording(s)\n";
  return out;
}

CheckReport check_paths(const std::vector<std::string>& paths, const CheckOptions& options) {
  if (options.max_age_days && *options.max_age_days < 0)
    throw std::invalid_argument("--max-age must be a number of days, 0 or more");
  const std::string& recordings_dir = options.recordings_dir;
  CheckReport report;
  std::vector<std::string> scenario_files;
  std::set<std::string> fixture_files;
  std::set<std::string> recording_dirs;
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::exists(p, ec)) {
      report.problems.push_back(Diagnostic{p, "", "no-such-path",
                                           "a scenario file or folder, or a recordings folder",
                                           "nothing at this path", ""});
      continue;
    }
    if (in_recordings_folder(p)) {
      if (fs::is_directory(p, ec)) {
        recording_dirs.insert(fs::path(p).lexically_normal().string());
        for (auto& f : json_files(p)) fixture_files.insert(f);
      } else {
        fixture_files.insert(p);
      }
      continue;
    }
    try {
      auto found = collect_scenario_files({p});
      scenario_files.insert(scenario_files.end(), found.begin(), found.end());
    } catch (const std::exception& e) {
      report.problems.push_back(
          Diagnostic{p, "", "unreadable-file", "a scenario file or folder", e.what(), ""});
    }
  }

  // Scenario side: schema and rules, then the paired fixture.
  std::map<std::string, std::string> fixture_of_scenario;
  for (const auto& file : scenario_files) {
    ++report.scenarios;
    std::string fixture = fixture_path_for(file, recordings_dir);
    std::string dir = fs::path(fixture).parent_path().lexically_normal().string();
    recording_dirs.insert(dir);
    for (auto& f : json_files(dir)) fixture_files.insert(f);
    Scenario scenario;
    try {
      scenario = load_scenario(file);
    } catch (const ScenarioFileError& e) {
      for (const auto& d : e.diagnostics()) report.problems.push_back(d);
      continue;
    }
    if (!fs::exists(fixture)) {
      report.problems.push_back(Diagnostic{file, "", "missing-recording",
                                           "a recording at " + fixture, "none",
                                           "record it with: kvharness run --mode record " + file});
      continue;
    }
    fixture_of_scenario[fs::path(fixture).lexically_normal().string()] = file;
    try {
      auto loaded = harness::load_fixture(fixture);
      for (const auto& v : scenario.variables) {
        if (v.kind != VariableKind::Literal && !loaded.variables.count(v.name)) {
          report.problems.push_back(Diagnostic{fixture, "/Variables", "missing-variable",
                                               "the variable \"" + v.name + "\" of " + file, "none",
                                               "re-record: kvharness run --mode record " + file});
        }
      }
    } catch (const std::exception&) {
      // Reported below with the other fixture problems.
    }
  }

  // Fixture side: loads, valid rules, sanitized, has a scenario; no stray temporary files.
  for (const auto& dir : recording_dirs) {
    for (const auto& temp : harness::temporary_files_in(dir)) {
      report.problems.push_back(Diagnostic{
          temp, "", "stray-temporary-file", "no temporary files in a recordings folder",
          "the temporary file of an interrupted write",
          "delete it, and do not commit it (kvharness removes its own on the next write)"});
    }
  }
  for (const auto& fixture : fixture_files) {
    ++report.fixtures;
    std::string normal = fs::path(fixture).lexically_normal().string();
    const fs::path scenario =
        fs::path(normal).parent_path().parent_path() / "scenarios" / fs::path(normal).filename();
    const bool has_scenario = fixture_of_scenario.count(normal) > 0 || fs::exists(scenario);
    check_fixture(fixture, options, has_scenario, report.problems, nullptr);
    if (!has_scenario) {
      report.problems.push_back(Diagnostic{fixture, "", "orphan-recording",
                                           "a scenario at " + scenario.lexically_normal().string(),
                                           "none", "delete the recording or add the scenario"});
    }
  }
  return report;
}

}  // namespace kv::scenario
