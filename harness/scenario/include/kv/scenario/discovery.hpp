// Finding scenario files and their fixtures.
#pragma once

#include <string>
#include <vector>

namespace kv::scenario {

/// Expands files and folders (folders: their *.json, sorted, not recursive) and keeps the files
/// whose stem contains `filter` (empty: all). Throws std::runtime_error for a missing path.
std::vector<std::string> collect_scenario_files(const std::vector<std::string>& paths,
                                                const std::string& filter = "");
/// The fixture of `scenario_file`: `<recordings_dir>/<stem>.json`; with an empty
/// `recordings_dir`, the `recordings/` folder beside the scenario's folder.
std::string fixture_path_for(const std::string& scenario_file, const std::string& recordings_dir);
/// The default recordings folder for scenarios in `scenario_dir` (its sibling `recordings/`).
std::string default_recordings_dir(const std::string& scenario_dir);

}  // namespace kv::scenario
