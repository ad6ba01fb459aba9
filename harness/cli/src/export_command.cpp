// `kvharness export --har FIXTURE`.
#include <cxxopts.hpp>

#include <iostream>

#include "commands.hpp"
#include "kv/harness/files.hpp"
#include "kv/harness/fixture.hpp"
#include "kv/harness/har.hpp"
#include "kv/scenario/reporters.hpp"

namespace kv::cli {

int export_command(int argc, char** argv) {
  cxxopts::Options options("kvharness export",
                           "Converts a recording to HAR 1.2 for a browser's developer tools.");
  options.positional_help("--har FIXTURE");
  options.add_options()("har", "the recording to convert", cxxopts::value<std::string>())(
      "o,output", "write to FILE instead of standard output",
      cxxopts::value<std::string>()->default_value(""))("h,help", "show this help");
  cxxopts::ParseResult args;
  try {
    args = options.parse(argc, argv);
  } catch (const cxxopts::exceptions::exception& e) {
    std::cerr << "kvharness export: " << e.what() << "\n(see kvharness export --help)\n";
    return kUsage;
  }
  if (args.count("help")) {
    std::cout << options.help()
              << "\nExamples:\n"
                 "  kvharness export --har recordings/backup_restore.json > backup_restore.har\n"
                 "  kvharness export --har recordings/paging.json -o paging.har\n";
    return kSuccess;
  }
  if (!args.count("har") || !args.unmatched().empty()) {
    std::cerr << "kvharness export: expected --har FIXTURE\n(see kvharness export --help)\n";
    return kUsage;
  }
  try {
    auto fixture = harness::load_fixture(args["har"].as<std::string>());
    std::string text =
        harness::export_har(fixture).dump(2, ' ', false, harness::Json::error_handler_t::replace) +
        "\n";
    if (args["output"].as<std::string>().empty()) {
      std::cout << text;
    } else {
      harness::write_file_atomically(args["output"].as<std::string>(), text);
    }
  } catch (const std::exception& e) {
    std::cerr << "kvharness export: " << e.what() << "\n";
    return kUsage;
  }
  return kSuccess;
}

}  // namespace kv::cli
