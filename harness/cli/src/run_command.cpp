// `kvharness run`: parse every scenario first (a bad file is a configuration error), then run
// each in its own session, reporting on the console and optionally as JUnit XML and JSON.
#include <cxxopts.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "kv/harness/files.hpp"
#include "kv/harness/localvault.hpp"
#include "kv/harness/session.hpp"
#include "kv/harness/target.hpp"
#include "kv/scenario/diagnostic.hpp"
#include "kv/scenario/discovery.hpp"
#include "kv/scenario/parser.hpp"
#include "kv/scenario/reporters.hpp"
#include "kv/scenario/session_runner.hpp"

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
  AZURE_KEYVAULT_URL=https://myvault.vault.azure.net kvharness run --mode record scenarios/
  kvharness run --mode playback --recordings /tmp/rec scenarios/
)";

}  // namespace

bool load_scenarios(const std::vector<std::string>& files, const char* command,
                    std::vector<scenario::Scenario>& out) {
  bool invalid = false;
  for (const auto& file : files) {
    try {
      out.push_back(scenario::load_scenario(file));
    } catch (const scenario::ScenarioFileError& e) {
      std::cerr << e.what() << "\n";
      invalid = true;
    }
  }
  if (invalid)
    std::cerr << "kvharness " << command << ": invalid scenario files; nothing was run\n";
  return !invalid;
}

int run_command(int argc, char** argv) {
  cxxopts::Options options("kvharness run", "Runs scenarios live, records them, or replays them.");
  options.positional_help("[FILES or FOLDERS...]");
  auto add = options.add_options();
  add("mode", "live, record or playback", cxxopts::value<std::string>());
  add("recordings", "folder of the recordings (default: recordings/ beside each scenario folder)",
      cxxopts::value<std::string>()->default_value(""));
  add("vault-url", "the vault to record against (default $AZURE_KEYVAULT_URL)",
      cxxopts::value<std::string>()->default_value(""));
  add("localvault", "localvault executable for the embedded vault",
      cxxopts::value<std::string>()->default_value(""));
  add("localvault-args",
      "extra arguments for the embedded localvault, space-separated (\"--purge-delay 1500\")",
      cxxopts::value<std::string>()->default_value(""));
  add("filter", "only scenarios whose file name contains this text",
      cxxopts::value<std::string>()->default_value(""));
  add("junit", "write JUnit XML to FILE", cxxopts::value<std::string>()->default_value(""));
  add("json", "write a JSON report to FILE", cxxopts::value<std::string>()->default_value(""));
  add("allow-weaker-sanitizers",
      "record over a fixture with fewer sanitizer rules than it was recorded with, or replay one "
      "whose stored sanitizer set does not match its digest");
  add("v,verbose", "print every step");
  add("h,help", "show this help");
  add("paths", "scenario files or folders", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"paths"});
  cxxopts::ParseResult args;
  try {
    args = options.parse(argc, argv);
  } catch (const cxxopts::exceptions::exception& e) {
    std::cerr << "kvharness run: " << e.what() << "\n(see kvharness run --help)\n";
    return kUsage;
  }
  if (args.count("help")) {
    std::cout << options.help() << kExamples;
    return kSuccess;
  }

  harness::Mode mode;
  try {
    std::optional<harness::Mode> explicit_mode;
    if (args.count("mode")) {
      const std::string text = args["mode"].as<std::string>();
      try {
        explicit_mode = harness::parse_mode(text);
      } catch (const std::invalid_argument&) {
        throw std::invalid_argument("unknown mode \"" + text +
                                    "\" (from --mode); expected live, record or playback");
      }
    }
    mode = harness::resolve_mode(explicit_mode);
  } catch (const std::exception& e) {
    std::cerr << "kvharness run: " << e.what() << "\n";
    return kUsage;
  }

  std::vector<std::string> paths;
  if (args.count("paths")) paths = args["paths"].as<std::vector<std::string>>();
  if (paths.empty()) paths.push_back("scenarios");
  std::vector<std::string> files;
  try {
    files = scenario::collect_scenario_files(paths, args["filter"].as<std::string>());
  } catch (const std::exception& e) {
    std::cerr << "kvharness run: " << e.what() << "\n";
    return kUsage;
  }
  if (files.empty()) {
    std::cerr << "kvharness run: no scenario files match";
    if (!args["filter"].as<std::string>().empty())
      std::cerr << " --filter " << args["filter"].as<std::string>();
    std::cerr << "\n";
    return kUsage;
  }

  std::vector<scenario::Scenario> scenarios;
  if (!load_scenarios(files, "run", scenarios)) return kUsage;

  // A real vault is configured once; the embedded localvault is started per scenario so that
  // every recording starts from an empty vault.
  std::optional<harness::VaultTarget> real_vault;
  harness::TargetOptions target_options;
  target_options.vault_url = args["vault-url"].as<std::string>();
  target_options.localvault.executable = args["localvault"].as<std::string>();
  {
    std::istringstream words(args["localvault-args"].as<std::string>());
    for (std::string word; words >> word;) target_options.localvault.arguments.push_back(word);
  }
  if (mode != harness::Mode::Playback) {
    try {
      if (harness::uses_real_vault(target_options)) {
        real_vault = harness::open_target(target_options);
      } else {
        harness::find_localvault(target_options.localvault.executable);
      }
    } catch (const std::exception& e) {
      std::cerr << "kvharness run: " << e.what() << "\n";
      return kUsage;
    }
  }

  scenario::ConsoleReporter console(std::cout, args.count("verbose") > 0);
  console.start(harness::to_string(mode), scenarios.size());
  scenario::RunSummary summary;
  auto start = std::chrono::steady_clock::now();
  for (const auto& s : scenarios) {
    scenario::SessionRunOptions run_options;
    run_options.mode = mode;
    run_options.fixture_path =
        scenario::fixture_path_for(s.file, args["recordings"].as<std::string>());
    run_options.observer = &console;
    run_options.target = real_vault;
    run_options.localvault = target_options.localvault;
    run_options.allow_weaker_sanitizers = args.count("allow-weaker-sanitizers") > 0;
    summary.scenarios.push_back(scenario::run_in_session(s, run_options));
  }
  summary.duration = std::chrono::steady_clock::now() - start;
  console.summary(summary);

  int status = summary.failed() > 0 ? kFailure : kSuccess;
  try {
    if (!args["junit"].as<std::string>().empty()) {
      harness::write_file_atomically(args["junit"].as<std::string>(),
                                     scenario::to_junit_xml(summary, harness::to_string(mode)));
    }
    if (!args["json"].as<std::string>().empty()) {
      harness::write_file_atomically(args["json"].as<std::string>(),
                                     scenario::to_json_report(summary, harness::to_string(mode)));
    }
  } catch (const std::exception& e) {
    std::cerr << "kvharness run: " << e.what() << "\n";
    return kUsage;
  }
  return status;
}

}  // namespace kv::cli
