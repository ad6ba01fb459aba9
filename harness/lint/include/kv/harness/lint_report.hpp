// Linting files and folders of recordings (kvharness lint): the files found, the findings, the
// fixtures that did not load, as text for people and JSON for tools.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "kv/harness/diagnostic.hpp"

namespace kv::harness {

/// The lint of several recordings.
struct LintReport {
  /// The files linted (or tried), in order.
  std::vector<std::string> files;
  /// The errors of the files that did not load (FixtureError::what()), in file order.
  std::vector<std::string> unloadable;
  /// Every finding, file by file, in entry order.
  std::vector<Diagnostic> findings;
  /// How many loaded files had at least one finding.
  std::size_t with_findings = 0;

  /// How many files loaded and were linted.
  std::size_t linted() const { return files.size() - unloadable.size(); }
  /// How many findings have exactly `severity`.
  std::size_t count(Severity severity) const;
  /// True when a finding is at least as serious as `fail_at` (see lint_fails()).
  bool fails(Severity fail_at = Severity::Error) const;
  /// Every finding's message, then the summary line ("ok: 3 recordings, no findings" or
  /// "1 error, 2 warnings, 0 info in 1 of 3 recordings") and how many did not load.
  std::string to_text() const;
  /// {"recordings", "unloadable", "errors", "warnings", "infos", "findings": [...]}, indented.
  std::string to_json() const;
};

/// The fixtures named by `paths`: files as given, folders searched recursively for *.json, each
/// folder's in name order. Throws std::runtime_error "no such file or folder: PATH".
std::vector<std::string> collect_fixture_files(const std::vector<std::string>& paths);

/// Loads and lints every fixture of `paths` (see collect_fixture_files()).
LintReport lint_paths(const std::vector<std::string>& paths);

/// The rules one per line: "id (severity): summary" (kvharness lint --list-rules).
std::string format_lint_rules();

}  // namespace kv::harness
