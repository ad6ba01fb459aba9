// `kvharness lint`: recordings read as traces of the secrets life cycle (kv::harness::lint_paths).
#include <iostream>

#include "commands.hpp"
#include "kv/harness/files.hpp"
#include "kv/harness/lint_report.hpp"

namespace kv::cli {

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
  const auto args = parse_options(
      options, argc, argv,
      "\nExit codes: 0 no errors, 1 errors found (with --strict: or warnings), 2 usage "
      "error or a fixture that does not load.\n\n"
      "Examples:\n"
      "  kvharness lint                          every fixture in recordings/\n"
      "  kvharness lint recordings/paging.json --strict\n"
      "  kvharness lint ../shared/real-recordings --json lint.json\n",
      "paths");
  if (args.count("list-rules")) {
    std::cout << harness::format_lint_rules();
    return kSuccess;
  }
  const auto report = harness::lint_paths(paths_or(args, "paths", "recordings"));
  for (const auto& error : report.unloadable) std::cerr << error << "\n";
  std::cout << report.to_text();
  if (const auto json_file = args["json"].as<std::string>(); !json_file.empty())
    harness::write_file_atomically(json_file, report.to_json());
  if (!report.unloadable.empty()) return kUsage;
  const auto fail_at =
      args.count("strict") > 0 ? harness::Severity::Warning : harness::Severity::Error;
  return report.fails(fail_at) ? kFailure : kSuccess;
}

}  // namespace kv::cli
