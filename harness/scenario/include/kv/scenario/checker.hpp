// `kvharness check`: validates scenario files and fixtures without running anything.
#pragma once

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
};

/// Checks scenario files (and folders of them) and the fixtures they pair with: the schema and
/// the rules of both, unknown variables, a scenario without a recording, a recording without a
/// scenario, fixtures that do not load, random variables missing from the fixture, temporary
/// files of interrupted writes, material that looks unsanitized, and lint errors
/// (kv/harness/lint.hpp). Paths inside a folder named "recordings" are taken as fixtures. An
/// empty `recordings_dir` means the `recordings/` folder beside each scenario folder.
CheckReport check_paths(const std::vector<std::string>& paths, const std::string& recordings_dir);

}  // namespace kv::scenario
