// `kvharness export --har FIXTURE`.
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
  const auto args =
      parse_options(options, argc, argv,
                    "\nExamples:\n"
                    "  kvharness export --har recordings/backup_restore.json > backup_restore.har\n"
                    "  kvharness export --har recordings/paging.json -o paging.har\n");
  if (!args.count("har") || !args.unmatched().empty()) {
    throw UsageError("expected --har FIXTURE");
  }
  const auto fixture = harness::load_fixture(args["har"].as<std::string>());
  const std::string text =
      harness::export_har(fixture).dump(2, ' ', false, harness::Json::error_handler_t::replace) +
      "\n";
  if (args["output"].as<std::string>().empty()) {
    std::cout << text;
  } else {
    harness::write_file_atomically(args["output"].as<std::string>(), text);
  }
  return kSuccess;
}

}  // namespace kv::cli
