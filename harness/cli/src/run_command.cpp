// `kvharness run`: parse every scenario first (a bad file is a configuration error), then run
// each in its own session (kv::scenario::Suite), reporting on the console and optionally as
// JUnit XML and JSON.
#include <iostream>

#include "commands.hpp"
#include "kv/scenario/reporters.hpp"
#include "kv/scenario/suite.hpp"

namespace kv::cli {
namespace {

constexpr const char* kExamples = R"(
Modes (--mode, else $AZURE_TEST_MODE, else playback):
  playback  replay each scenario's recording offline; no network, no credentials
  record    run against a vault and (over)write recordings/<scenario>.json
  live      run against a vault, write nothing
A vault comes from --vault-url or AZURE_KEYVAULT_URL with AZURE_TENANT_ID, AZURE_CLIENT_ID,
AZURE_CLIENT_SECRET (and optionally AZURE_AUTHORITY_HOST). Without one, record and live start
localvault on 127.0.0.1 for each scenario and stop it afterwards.

Exit codes: 0 all passed, 1 a scenario failed, 2 usage or configuration error.

Examples:
  kvharness run                                    replay scenarios/ (the default folder)
  kvharness run scenarios/backup_restore.json --junit results.xml
  kvharness run --mode record --filter paging scenarios/
  kvharness run --mode record --localvault-arg --purge-delay --localvault-arg 1500 scenarios/
  AZURE_KEYVAULT_URL=https://myvault.vault.azure.net kvharness run --mode record scenarios/
  kvharness run --mode playback --recordings /tmp/rec scenarios/
)";

}  // namespace

int run_command(int argc, char** argv) {
  cxxopts::Options options("kvharness run", "Runs scenarios live, records them, or replays them.");
  options.positional_help("[FILES or FOLDERS...]");
  auto add = options.add_options();
  add("mode", "live, record or playback", cxxopts::value<std::string>());
  add_suite_options(options, "the vault to record against (default $AZURE_KEYVAULT_URL)");
  add("allow-weaker-sanitizers",
      "record over (or replay) a fixture with fewer sanitizer rules than it was recorded with");
  add("allow-sanitizer-digest-mismatch",
      "replay a fixture whose stored sanitizer set does not match its digest (edited metadata)");
  add("v,verbose", "print every step");
  add("h,help", "show this help");
  add("paths", "scenario files or folders", cxxopts::value<std::vector<std::string>>());
  const auto args = parse_options(options, argc, argv, kExamples, "paths");

  auto suite = suite_options(
      args, scenario::resolve_suite_mode(
                args.count("mode") ? std::optional(args["mode"].as<std::string>()) : std::nullopt));
  suite.sanitizer_permissions.allow_weaker_sanitizers = args.count("allow-weaker-sanitizers") > 0;
  suite.sanitizer_permissions.allow_sanitizer_digest_mismatch =
      args.count("allow-sanitizer-digest-mismatch") > 0;
  const scenario::Suite scenarios(std::move(suite));

  scenario::ConsoleReporter console(std::cout, args.count("verbose") > 0
                                                   ? scenario::ConsoleReporter::Detail::Steps
                                                   : scenario::ConsoleReporter::Detail::Scenarios);
  console.start(harness::to_string(scenarios.options().mode), scenarios.scenarios().size());
  const auto summary = scenarios.run(&console);
  console.summary(summary);
  scenario::write_reports(summary, scenarios.options().mode, report_files(args));
  return summary.failed() > 0 ? kFailure : kSuccess;
}

}  // namespace kv::cli
