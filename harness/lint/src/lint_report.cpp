// Linting files and folders of recordings, and the report of it.
#include "kv/harness/lint_report.hpp"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "kv/harness/fixture.hpp"
#include "kv/harness/lint.hpp"

namespace kv::harness {
namespace {

namespace fs = std::filesystem;

std::string count_of(std::size_t n, const char* what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

}  // namespace

std::size_t LintReport::count(Severity severity) const {
  return static_cast<std::size_t>(
      std::count_if(findings.begin(), findings.end(),
                    [&](const Diagnostic& d) { return d.severity == severity; }));
}

bool LintReport::fails(Severity fail_at) const {
  return lint_fails(findings, fail_at);
}

std::string LintReport::to_text() const {
  std::string out;
  for (const auto& d : findings) out += d.message() + "\n";
  const std::string recordings = count_of(linted(), "recording");
  if (findings.empty()) {
    // Not "ok" when some recordings could not even be loaded.
    out += (unloadable.empty() ? "ok: " : "") + recordings + ", no findings\n";
  } else {
    out += count_of(count(Severity::Error), "error") + ", " +
           count_of(count(Severity::Warning), "warning") + ", " +
           std::to_string(count(Severity::Info)) + " info in " + std::to_string(with_findings) +
           " of " + recordings + "\n";
  }
  if (!unloadable.empty())
    out += count_of(unloadable.size(), "recording") + " could not be loaded\n";
  return out;
}

std::string LintReport::to_json() const {
  Json report = {{"recordings", linted()},           {"unloadable", unloadable.size()},
                 {"errors", count(Severity::Error)}, {"warnings", count(Severity::Warning)},
                 {"infos", count(Severity::Info)},   {"findings", Json::array()}};
  for (const auto& d : findings) report["findings"].push_back(harness::to_json(d));
  return report.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::vector<std::string> collect_fixture_files(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const auto& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<std::string> found;
      for (const auto& item : fs::recursive_directory_iterator(path, ec)) {
        if (item.is_regular_file() && item.path().extension() == ".json")
          found.push_back(item.path().string());
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(path, ec)) {
      files.push_back(path);
    } else {
      throw std::runtime_error("no such file or folder: " + path);
    }
  }
  return files;
}

LintReport lint_paths(const std::vector<std::string>& paths) {
  LintReport report;
  report.files = collect_fixture_files(paths);
  for (const auto& file : report.files) {
    Fixture fixture;
    try {
      fixture = load_fixture(file);
    } catch (const FixtureError& e) {
      report.unloadable.emplace_back(e.what());
      continue;
    }
    auto found = lint_fixture(fixture, file);
    if (!found.empty()) ++report.with_findings;
    for (auto& d : found) report.findings.push_back(std::move(d));
  }
  return report;
}

std::string format_lint_rules() {
  std::string out;
  for (const auto& rule : lint_rules()) {
    out += std::string(rule.id) + " (" + to_string(rule.severity) + "): " + rule.summary + "\n";
  }
  return out;
}

}  // namespace kv::harness
