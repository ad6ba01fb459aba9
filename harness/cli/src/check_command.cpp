// `kvharness check`: kv::scenario::check_paths as a command.
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
      cxxopts::value<std::string>()->default_value(""))(
      "max-age", "recordings recorded more than DAYS days ago are stale (an error)",
      cxxopts::value<int>())(
      "api-version", "the api-version recordings must have been made with (default: the client's)",
      cxxopts::value<std::string>()->default_value(""))("h,help", "show this help")(
      "paths", "scenario files or folders, and recordings/ folders or files",
      cxxopts::value<std::vector<std::string>>());
  const auto args =
      parse_options(options, argc, argv,
                    "\nExit codes: 0 everything is valid, 1 problems were found, 2 usage error.\n\n"
                    "Examples:\n"
                    "  kvharness check                      scenarios/ and their recordings\n"
                    "  kvharness check scenarios/x.json\n"
                    "  kvharness check scenarios/ recordings/\n"
                    "  kvharness check --max-age 90 --api-version 7.5 recordings/\n",
                    "paths");
  scenario::CheckOptions check;
  check.recordings_dir = args["recordings"].as<std::string>();
  check.api_version = args["api-version"].as<std::string>();
  if (args.count("max-age")) check.max_age_days = args["max-age"].as<int>();
  const auto report = scenario::check_paths(paths_or(args, "paths", "scenarios"), check);
  std::cout << report.to_text();
  return report.ok() ? kSuccess : kFailure;
}

}  // namespace kv::cli
