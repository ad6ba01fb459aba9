// Scenario file discovery and the scenario → fixture naming rule.
#include "kv/scenario/discovery.hpp"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

namespace kv::scenario {

namespace fs = std::filesystem;

std::vector<std::string> collect_scenario_files(const std::vector<std::string>& paths,
                                                const std::string& filter) {
  std::vector<std::string> files;
  for (const auto& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::directory_iterator(path)) {
        if (entry.is_regular_file() && entry.path().extension() == ".json") {
          found.push_back(entry.path().string());
        }
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(path, ec)) {
      files.push_back(path);
    } else if (path.empty()) {
      throw std::runtime_error("an empty path was given as a scenario file or folder");
    } else if (fs::exists(path, ec)) {
      throw std::runtime_error(
          path + " is not a scenario file or folder (it is a device, pipe or socket)");
    } else {
      throw std::runtime_error("no such scenario file or folder: " + path);
    }
  }
  if (!filter.empty()) {
    std::erase_if(files, [&](const std::string& f) {
      return fs::path(f).stem().string().find(filter) == std::string::npos;
    });
  }
  return files;
}

std::string default_recordings_dir(const std::string& scenario_dir) {
  fs::path dir = scenario_dir.empty() ? fs::path(".") : fs::path(scenario_dir);
  return (dir / ".." / "recordings").lexically_normal().string();
}

std::string fixture_path_for(const std::string& scenario_file, const std::string& recordings_dir) {
  fs::path scenario(scenario_file);
  std::string dir = recordings_dir.empty() ? default_recordings_dir(scenario.parent_path().string())
                                           : recordings_dir;
  return (fs::path(dir) / (scenario.stem().string() + ".json")).string();
}

}  // namespace kv::scenario
