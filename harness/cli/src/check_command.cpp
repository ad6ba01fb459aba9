// `kvharness check`.
#include <cxxopts.hpp>

#include <iostream>

#include "commands.hpp"
#include "kv/scenario/checker.hpp"

namespace kv::cli {

int check_command(int argc, char** argv) {
  cxxopts::Options options("kvharness check",
                           "Validates scenario files and recordings without running anything: the "
                           "schema and rules of both, unknown variables, scenarios without a "
                           "recording, recordings without a scenario, temporary files of "
                           "interrupted writes, and secrets that look unsanitized.");
  options.positional_help("[PATHS...]");
  options.add_options()(
      "recordings", "folder of the recordings (default: recordings/ beside each scenario folder)",
      cxxopts::value<std::string>()->default_value(""))("h,help", "show this help")(
      "paths", "scenario files or folders, and recordings/ folders or files",
      cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"paths"});
  cxxopts::ParseResult args;
  try {
    args = options.parse(argc, argv);
  } catch (const cxxopts::exceptions::exception& e) {
    std::cerr << "kvharness check: " << e.what() << "\n(see kvharness check --help)\n";
    return kUsage;
  }
  if (args.count("help")) {
    std::cout << options.help()
              << "\nExit codes: 0 everything is valid, 1 problems were found, 2 usage error.\n\n"
                 "Examples:\n"
                 "  kvharness check                      scenarios/ and their recordings\n"
                 "  kvharness check scenarios/x.json\n"
                 "  kvharness check scenarios/ recordings/\n";
    return kSuccess;
  }
  std::vector<std::string> paths;
  if (args.count("paths")) paths = args["paths"].as<std::vector<std::string>>();
  if (paths.empty()) paths = {"scenarios"};
  auto report = scenario::check_paths(paths, args["recordings"].as<std::string>());
  for (const auto& problem : report.problems) std::cout << problem.message() << "\n";
  std::cout << (report.problems.empty()
                    ? "ok: "
                    : std::to_string(report.problems.size()) + " problem(s) in ")
            << report.scenarios << " scenario(s) and " << report.fixtures << " recording(s)\n";
  return report.ok() ? kSuccess : kFailure;
}

}  // namespace kv::cli
