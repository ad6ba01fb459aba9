// `kvharness verify`: every scenario run live and its recording compared by shape (kv::scenario
// verify does the work; this parses options and writes the reports).
#include <cxxopts.hpp>

#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "kv/harness/files.hpp"
#include "kv/harness/localvault.hpp"
#include "kv/harness/target.hpp"
#include "kv/scenario/diagnostic.hpp"
#include "kv/scenario/discovery.hpp"
#include "kv/scenario/parser.hpp"
#include "kv/scenario/verify.hpp"

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
  kvharness verify scenarios/delete_recover.json --localvault-args "--recovery-level Purgeable"
  kvharness verify --fail-on warning --junit verify.xml --json verify.json
  AZURE_KEYVAULT_URL=https://myvault.vault.azure.net kvharness verify scenarios/
)";

std::optional<harness::Severity> parse_severity(const std::string& text) {
  if (text == "error") return harness::Severity::Error;
  if (text == "warning") return harness::Severity::Warning;
  if (text == "info") return harness::Severity::Info;
  return std::nullopt;
}

}  // namespace

int verify_command(int argc, char** argv) {
  cxxopts::Options options("kvharness verify",
                           "Runs scenarios live and reports where the service no longer answers "
                           "the way their recordings say.");
  options.positional_help("[FILES or FOLDERS...]");
  auto add = options.add_options();
  add("recordings", "folder of the recordings (default: recordings/ beside each scenario folder)",
      cxxopts::value<std::string>()->default_value(""));
  add("vault-url", "the vault to verify against (default $AZURE_KEYVAULT_URL)",
      cxxopts::value<std::string>()->default_value(""));
  add("localvault", "localvault executable for the embedded vault",
      cxxopts::value<std::string>()->default_value(""));
  add("localvault-args",
      "extra arguments for the embedded localvault, space-separated (\"--purge-protection\")",
      cxxopts::value<std::string>()->default_value(""));
  add("filter", "only scenarios whose file name contains this text",
      cxxopts::value<std::string>()->default_value(""));
  add("fail-on", "lowest severity that fails: error, warning or info",
      cxxopts::value<std::string>()->default_value("error"));
  add("junit", "write JUnit XML to FILE", cxxopts::value<std::string>()->default_value(""));
  add("json", "write a JSON report to FILE", cxxopts::value<std::string>()->default_value(""));
  add("list-kinds", "list the drift kinds and exit");
  add("h,help", "show this help");
  add("paths", "scenario files or folders", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"paths"});
  cxxopts::ParseResult args;
  try {
    args = options.parse(argc, argv);
  } catch (const cxxopts::exceptions::exception& e) {
    std::cerr << "kvharness verify: " << e.what() << "\n(see kvharness verify --help)\n";
    return kUsage;
  }
  if (args.count("help")) {
    std::cout << options.help() << kExamples;
    return kSuccess;
  }
  if (args.count("list-kinds")) {
    for (const auto& kind : scenario::drift_kinds())
      std::cout << kind.id << " (" << harness::to_string(kind.severity) << "): " << kind.summary
                << "\n";
    return kSuccess;
  }
  const auto fail_on = parse_severity(args["fail-on"].as<std::string>());
  if (!fail_on) {
    std::cerr << "kvharness verify: unknown severity \"" << args["fail-on"].as<std::string>()
              << "\" (from --fail-on); expected error, warning or info\n";
    return kUsage;
  }

  std::vector<std::string> paths;
  if (args.count("paths")) paths = args["paths"].as<std::vector<std::string>>();
  if (paths.empty()) paths.push_back("scenarios");
  std::vector<std::string> files;
  try {
    files = scenario::collect_scenario_files(paths, args["filter"].as<std::string>());
  } catch (const std::exception& e) {
    std::cerr << "kvharness verify: " << e.what() << "\n";
    return kUsage;
  }
  if (files.empty()) {
    std::cerr << "kvharness verify: no scenario files match\n";
    return kUsage;
  }
  std::vector<scenario::Scenario> scenarios;
  if (!load_scenarios(files, "verify", scenarios)) return kUsage;

  scenario::VerifyOptions verify;
  verify.recordings_dir = args["recordings"].as<std::string>();
  harness::TargetOptions target;
  target.vault_url = args["vault-url"].as<std::string>();
  target.localvault.executable = args["localvault"].as<std::string>();
  std::istringstream words(args["localvault-args"].as<std::string>());
  for (std::string word; words >> word;) target.localvault.arguments.push_back(word);
  try {
    if (harness::uses_real_vault(target)) {
      verify.target = harness::open_target(target);
    } else {
      harness::find_localvault(target.localvault.executable);
    }
  } catch (const std::exception& e) {
    std::cerr << "kvharness verify: " << e.what() << "\n";
    return kUsage;
  }
  verify.localvault = target.localvault;

  scenario::VerifySummary summary;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& s : scenarios) summary.scenarios.push_back(scenario::verify_scenario(s, verify));
  summary.duration = std::chrono::steady_clock::now() - start;
  std::cout << scenario::format_verify_report(summary);

  try {
    if (const auto file = args["junit"].as<std::string>(); !file.empty())
      harness::write_file_atomically(file, scenario::verify_junit_xml(summary, *fail_on));
    if (const auto file = args["json"].as<std::string>(); !file.empty())
      harness::write_file_atomically(file, scenario::verify_json_report(summary));
  } catch (const std::exception& e) {
    std::cerr << "kvharness verify: " << e.what() << "\n";
    return kUsage;
  }
  if (summary.unverified() > 0) return kUsage;
  return summary.fails(*fail_on) ? kFailure : kSuccess;
}

}  // namespace kv::cli
