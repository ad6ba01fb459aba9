// `kvharness lint`: recordings read as traces of the secrets life cycle.
#include <cxxopts.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "kv/harness/files.hpp"
#include "kv/harness/fixture.hpp"
#include "kv/harness/lint.hpp"
#include "kv/scenario/reporters.hpp"

namespace kv::cli {

namespace {

namespace fs = std::filesystem;

// The fixtures named by `paths`: files as given, folders searched for *.json, in name order.
// Returns false (after saying why) when a path does not exist.
bool collect(const std::vector<std::string>& paths, std::vector<std::string>& files) {
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
      std::cerr << "kvharness lint: no such file or folder: " << path << "\n";
      return false;
    }
  }
  return true;
}

std::string count(std::size_t n, const char* what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

}  // namespace

int lint_command(int argc, char** argv) {
  cxxopts::Options options("kvharness lint",
                           "Reads recordings as traces of the Key Vault secrets life cycle and "
                           "reports what the service could not have answered: hand edits, "
                           "mis-sanitized fields, removed or reordered entries.");
  options.positional_help("[FIXTURES or FOLDERS...]");
  options.add_options()("json", "also write the findings as JSON to FILE",
                        cxxopts::value<std::string>()->default_value(""))(
      "strict", "warnings fail too (exit 1)")("list-rules", "list the rule ids and exit")(
      "h,help", "show this help")("paths", "fixtures or folders of fixtures (default recordings)",
                                  cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"paths"});
  cxxopts::ParseResult args;
  try {
    args = options.parse(argc, argv);
  } catch (const cxxopts::exceptions::exception& e) {
    std::cerr << "kvharness lint: " << e.what() << "\n(see kvharness lint --help)\n";
    return kUsage;
  }
  if (args.count("help")) {
    std::cout << options.help()
              << "\nExit codes: 0 no errors, 1 errors found (with --strict: or warnings), 2 usage "
                 "error or a fixture that does not load.\n\n"
                 "Examples:\n"
                 "  kvharness lint                          every fixture in recordings/\n"
                 "  kvharness lint recordings/paging.json --strict\n"
                 "  kvharness lint ../shared/real-recordings --json lint.json\n";
    return kSuccess;
  }
  if (args.count("list-rules")) {
    for (const auto& rule : harness::lint_rules()) {
      std::cout << rule.id << " (" << harness::to_string(rule.severity) << "): " << rule.summary
                << "\n";
    }
    return kSuccess;
  }
  std::vector<std::string> paths;
  if (args.count("paths")) paths = args["paths"].as<std::vector<std::string>>();
  if (paths.empty()) paths = {"recordings"};
  std::vector<std::string> files;
  if (!collect(paths, files)) return kUsage;

  std::vector<harness::Diagnostic> all;
  std::size_t unloadable = 0;
  std::size_t with_findings = 0;
  for (const auto& file : files) {
    harness::Fixture fixture;
    try {
      fixture = harness::load_fixture(file);
    } catch (const harness::FixtureError& e) {
      std::cerr << e.what() << "\n";
      ++unloadable;
      continue;
    }
    auto found = harness::lint_fixture(fixture, file);
    if (!found.empty()) ++with_findings;
    for (auto& d : found) {
      std::cout << d.message() << "\n";
      all.push_back(std::move(d));
    }
  }
  auto severity_count = [&](harness::Severity s) {
    return static_cast<std::size_t>(std::count_if(
        all.begin(), all.end(), [&](const harness::Diagnostic& d) { return d.severity == s; }));
  };
  const std::size_t errors = severity_count(harness::Severity::Error);
  const std::size_t warnings = severity_count(harness::Severity::Warning);
  const std::size_t infos = severity_count(harness::Severity::Info);
  const std::string linted = count(files.size() - unloadable, "recording");
  if (all.empty()) {
    // Not "ok" when some recordings could not even be loaded.
    std::cout << (unloadable == 0 ? "ok: " : "") << linted << ", no findings\n";
  } else {
    std::cout << count(errors, "error") << ", " << count(warnings, "warning") << ", " << infos
              << " info in " << with_findings << " of " << linted << "\n";
  }
  if (unloadable > 0) std::cout << count(unloadable, "recording") << " could not be loaded\n";

  if (const auto json_file = args["json"].as<std::string>(); !json_file.empty()) {
    harness::Json report = {{"recordings", files.size() - unloadable},
                            {"unloadable", unloadable},
                            {"errors", errors},
                            {"warnings", warnings},
                            {"infos", infos},
                            {"findings", harness::Json::array()}};
    for (const auto& d : all) report["findings"].push_back(harness::to_json(d));
    try {
      harness::write_file_atomically(
          json_file, report.dump(2, ' ', false, harness::Json::error_handler_t::replace) + "\n");
    } catch (const std::exception& e) {
      std::cerr << "kvharness lint: " << e.what() << "\n";
      return kUsage;
    }
  }
  if (unloadable > 0) return kUsage;
  return harness::lint_fails(all, args.count("strict") > 0) ? kFailure : kSuccess;
}

}  // namespace kv::cli
