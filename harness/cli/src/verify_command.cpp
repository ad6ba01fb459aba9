// `kvharness verify`: every scenario run live and its recording compared by shape
// (kv::scenario::Suite::verify does the work; this is its option table).
#include <iostream>

#include "commands.hpp"
#include "kv/scenario/suite.hpp"

namespace kv::cli {
namespace {

constexpr const char* kExamples = R"(
Runs each scenario against a vault (--vault-url or AZURE_KEYVAULT_URL with the AZURE_* service
principal; without one, localvault started on 127.0.0.1 for each scenario), writes nothing, and
compares every live response with the recorded one by shape: status, error codes, the set of JSON
fields and their types, recoveryLevel, header presence. Polls and retried conflicts compare as
"pending... then done", however often they repeated. --list-kinds lists the drift kinds.

Exit codes: 0 no drift at or above --fail-on, 1 drift, 2 usage or configuration error (also a
scenario that could not be verified: no recording, a vault that did not start).

Examples:
  kvharness verify                                     every scenario in scenarios/
  kvharness verify scenarios/delete_recover.json --localvault-arg=--recovery-level \
      --localvault-arg Purgeable
  kvharness verify --fail-on warning --junit verify.xml --json verify.json
  AZURE_KEYVAULT_URL=https://myvault.vault.azure.net kvharness verify scenarios/
)";

}  // namespace

int verify_command(int argc, char** argv) {
  cxxopts::Options options("kvharness verify",
                           "Runs scenarios live and reports where the service no longer answers "
                           "the way their recordings say.");
  options.positional_help("[FILES or FOLDERS...]");
  auto add = options.add_options();
  add_suite_options(options, "the vault to verify against (default $AZURE_KEYVAULT_URL)");
  add("fail-on", "lowest severity that fails: error, warning or info",
      cxxopts::value<std::string>()->default_value("error"));
  add("list-kinds", "list the drift kinds and exit");
  add("h,help", "show this help");
  add("paths", "scenario files or folders", cxxopts::value<std::vector<std::string>>());
  const auto args = parse_options(options, argc, argv, kExamples, "paths");
  if (args.count("list-kinds")) {
    std::cout << scenario::format_drift_kinds();
    return kSuccess;
  }
  const auto fail_on = scenario::parse_fail_on(args["fail-on"].as<std::string>());

  const auto summary = scenario::Suite(suite_options(args, harness::Mode::Live)).verify();
  std::cout << scenario::format_verify_report(summary);
  scenario::write_reports(summary, fail_on, report_files(args));
  if (summary.unverified() > 0) return kUsage;
  return summary.fails(fail_on) ? kFailure : kSuccess;
}

}  // namespace kv::cli
