// `kvharness check`: validates scenario files and fixtures without running anything.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "kv/harness/diagnostic.hpp"

namespace kv::scenario {

/// The findings of a check, each a diagnostic naming the file and the place.
struct CheckReport {
  std::vector<harness::Diagnostic> problems;
  int scenarios = 0;
  int fixtures = 0;
  /// True when no problem is an error (warnings and notes do not fail a check).
  bool ok() const;
  /// Every problem's message, then "ok: N scenario(s) and M recording(s)" or
  /// "K problem(s) in N scenario(s) and M recording(s)".
  std::string to_text() const;
};

/// Checks scenario files (and folders of them) and the fixtures they pair with: the schema and
/// the rules of both, unknown variables, a scenario without a recording, a recording without a
/// scenario, fixtures that do not load, random variables missing from the fixture, temporary
/// files of interrupted writes, material that looks unsanitized, and lint errors
/// (kv/harness/lint.hpp). Paths inside a folder named "recordings" are taken as fixtures. An
/// empty `recordings_dir` means the `recordings/` folder beside each scenario folder.
CheckReport check_paths(const std::vector<std::string>& paths, const std::string& recordings_dir);

/// What else a check looks at.
struct CheckOptions {
  /// See check_paths().
  std::string recordings_dir;
  /// Recordings whose recordedAt is more than this many days before `now` are stale (an error);
  /// unset: age is not checked.
  std::optional<int> max_age_days;
  /// The api-version every recording must have been made with. Empty: a scenario's recording
  /// must have the one the client sends by default (SecretClientOptions{}.ApiVersion); a
  /// recording without a scenario (another program's) is not checked.
  std::string api_version;
  /// The time ages are measured from.
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

/// check_paths() with the age and api-version checks of `options`, and the sanitizer digest.
/// Throws std::invalid_argument for a negative max_age_days (named --max-age, its option in
/// kvharness check).
CheckReport check_paths(const std::vector<std::string>& paths, const CheckOptions& options);

}  // namespace kv::scenario
