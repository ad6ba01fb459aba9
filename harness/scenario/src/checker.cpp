// The check command's logic: parse, pair scenarios with fixtures both ways, audit fixtures.
#include "kv/scenario/checker.hpp"

#include <filesystem>
#include <map>
#include <set>

#include "kv/harness/audit.hpp"
#include "kv/harness/fixture.hpp"
#include "kv/harness/lint.hpp"
#include "kv/scenario/diagnostic.hpp"
#include "kv/scenario/discovery.hpp"
#include "kv/scenario/parser.hpp"

namespace kv::scenario {
namespace {

namespace fs = std::filesystem;

bool in_recordings_folder(const fs::path& path) {
  fs::path dir = fs::is_directory(path) ? path : path.parent_path();
  return dir.filename() == "recordings";
}

std::vector<std::string> json_files(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json")
      out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

CheckReport check_paths(const std::vector<std::string>& paths, const std::string& recordings_dir) {
  CheckReport report;
  std::vector<std::string> scenario_files;
  std::set<std::string> fixture_files;
  std::set<std::string> recording_dirs;
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::exists(p, ec)) {
      report.problems.push_back(p + ": no such file or folder");
      continue;
    }
    if (in_recordings_folder(p)) {
      if (fs::is_directory(p)) {
        recording_dirs.insert(fs::path(p).lexically_normal().string());
        for (auto& f : json_files(p)) fixture_files.insert(f);
      } else {
        fixture_files.insert(p);
      }
      continue;
    }
    auto found = collect_scenario_files({p});
    scenario_files.insert(scenario_files.end(), found.begin(), found.end());
  }

  // Scenario side: schema, then the paired fixture.
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
      for (const auto& d : e.diagnostics()) report.problems.push_back(d.message());
      continue;
    }
    if (!fs::exists(fixture)) {
      report.problems.push_back(file + ": scenario without a recording (expected " + fixture +
                                "); record it with: kvharness run --mode record " + file);
      continue;
    }
    fixture_of_scenario[fs::path(fixture).lexically_normal().string()] = file;
    try {
      auto loaded = harness::load_fixture(fixture);
      for (const auto& v : scenario.variables) {
        if (v.kind != VariableKind::Literal && !loaded.variables.count(v.name)) {
          report.problems.push_back(fixture + ": recording lacks variable \"" + v.name + "\" of " +
                                    file + "; re-record: kvharness run --mode record " + file);
        }
      }
    } catch (const std::exception&) {
      // Reported below with the other fixture problems.
    }
  }

  // Fixture side: loads, is sanitized, has a scenario.
  for (const auto& fixture : fixture_files) {
    ++report.fixtures;
    std::string normal = fs::path(fixture).lexically_normal().string();
    try {
      auto loaded = harness::load_fixture(fixture);
      for (const auto& finding : harness::find_unsanitized(loaded)) {
        report.problems.push_back(fixture + ": " + finding.pointer + ": looks unsanitized (" +
                                  finding.kind + "): " + finding.message);
      }
      for (const auto& d : harness::lint_fixture(loaded, fixture)) {
        if (d.severity == harness::Severity::Error) report.problems.push_back(d.message());
      }
    } catch (const std::exception& e) {
      report.problems.push_back(e.what());
    }
    if (fixture_of_scenario.count(normal)) continue;
    fs::path scenarios_dir = fs::path(normal).parent_path().parent_path() / "scenarios";
    fs::path scenario = scenarios_dir / fs::path(normal).filename();
    if (!fs::exists(scenario)) {
      report.problems.push_back(fixture + ": recording without a scenario (no " +
                                scenario.lexically_normal().string() +
                                "); delete it or add the scenario");
    }
  }
  return report;
}

}  // namespace kv::scenario
