// `kvharness diff OLD NEW`.
#include <iostream>

#include "commands.hpp"
#include "kv/harness/fixture.hpp"
#include "kv/harness/fixture_diff.hpp"

namespace kv::cli {

int diff_command(int argc, char** argv) {
  cxxopts::Options options("kvharness diff",
                           "Semantic diff of two recordings: entries added, removed and changed, "
                           "by operation. Recorded variables (random names) are compared by name.");
  options.positional_help("OLD NEW");
  options.add_options()("strict",
                        "also report ids, dates, backup blobs, page tokens and repeated polls")(
      "h,help", "show this help")("files", "the two recordings",
                                  cxxopts::value<std::vector<std::string>>());
  const auto args = parse_options(
      options, argc, argv,
      "\nExit codes: 0 the recordings agree, 1 they differ, 2 usage error or unreadable "
      "file.\n\n"
      "Examples:\n"
      "  kvharness diff recordings/backup_restore.json /tmp/rerecord/backup_restore.json\n"
      "  kvharness diff --strict old.json new.json\n",
      "files");
  std::vector<std::string> files;
  if (args.count("files")) files = args["files"].as<std::vector<std::string>>();
  if (files.size() != 2) {
    throw UsageError("expected two recordings (OLD NEW), got " + std::to_string(files.size()));
  }
  const auto old_fixture = harness::load_fixture(files[0]);
  const auto new_fixture = harness::load_fixture(files[1]);
  harness::DiffOptions diff_options;
  diff_options.ignore_volatile = args.count("strict") == 0;
  auto diff = harness::diff_fixtures(old_fixture, new_fixture, diff_options);
  std::cout << harness::format_diff(diff, files[0], files[1]);
  return diff.empty() ? kSuccess : kFailure;
}

}  // namespace kv::cli
