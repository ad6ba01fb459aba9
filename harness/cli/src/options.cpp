// The opening every kvharness command shares.
#include "options.hpp"

#include "kv/harness/diagnostic.hpp"

#include <algorithm>
#include <iostream>
#include <sstream>

namespace kv::cli {

int run_guarded(const std::string& name, int (*command)(int, char**), int argc, char** argv) {
  try {
    return command(argc, argv);
  } catch (const Exit& done) {
    return done.code;
  } catch (const UsageError& e) {
    std::cerr << "kvharness " << name << ": " << e.what() << "\n(see kvharness " << name
              << " --help)\n";
  } catch (const scenario::SuiteError& e) {
    for (const auto& detail : e.details()) std::cerr << detail << "\n";
    std::cerr << "kvharness " << name << ": " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "kvharness " << name << ": " << e.what() << "\n";
  }
  return kUsage;
}

namespace {

// "did you mean" for the first --option of `argv` that `options` does not have, as the failure
// record gives it for every other misspelled name; "" when none is close.
std::string option_hint(const cxxopts::Options& options, int argc, char** argv) {
  std::vector<std::string> names;
  for (const auto& group : options.groups()) {
    for (const auto& option : options.group_help(group).options) {
      for (const auto& name : option.l) names.push_back("--" + name);
    }
  }
  for (int i = 1; i < argc; ++i) {
    std::string_view word = argv[i];
    if (word == "--") break;
    if (word.size() < 3 || word.substr(0, 2) != "--") continue;
    const std::string name(word.substr(0, word.find('=')));
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;
    harness::Diagnostic unknown;
    return unknown.suggest(name, names) ? "\n  hint:     " + unknown.hint : "";
  }
  return "";
}

}  // namespace

cxxopts::ParseResult parse_options(cxxopts::Options& options, int argc, char** argv,
                                   std::string_view help_tail, const char* positional) {
  if (positional != nullptr) options.parse_positional({positional});
  cxxopts::ParseResult args;
  try {
    args = options.parse(argc, argv);
  } catch (const cxxopts::exceptions::no_such_option& e) {
    throw UsageError(e.what() + option_hint(options, argc, argv));
  } catch (const cxxopts::exceptions::exception& e) {
    throw UsageError(e.what());
  }
  if (args.count("help")) {
    std::cout << options.help() << help_tail;
    throw Exit{kSuccess};
  }
  return args;
}

std::vector<std::string> paths_or(const cxxopts::ParseResult& args, const std::string& name,
                                  const std::string& fallback) {
  std::vector<std::string> paths;
  if (args.count(name)) paths = args[name].as<std::vector<std::string>>();
  if (paths.empty()) paths.push_back(fallback);
  return paths;
}

void add_localvault_options(cxxopts::Options& options) {
  options.add_options()("localvault", "localvault executable for the embedded vault",
                        cxxopts::value<std::string>()->default_value(""))(
      "localvault-arg", "an argument for the embedded localvault (repeatable)",
      cxxopts::value<std::vector<std::string>>())(
      "localvault-args", "deprecated: space-separated arguments; use --localvault-arg",
      cxxopts::value<std::string>());
}

harness::LocalVaultOptions localvault_options(const cxxopts::ParseResult& args) {
  harness::LocalVaultOptions localvault;
  localvault.executable = args["localvault"].as<std::string>();
  if (args.count("localvault-arg"))
    localvault.arguments = args["localvault-arg"].as<std::vector<std::string>>();
  if (args.count("localvault-args")) {
    std::cerr << "kvharness: --localvault-args is deprecated; pass each argument with its own "
                 "--localvault-arg\n";
    std::istringstream words(args["localvault-args"].as<std::string>());
    for (std::string word; words >> word;) localvault.arguments.push_back(word);
  }
  return localvault;
}

void add_suite_options(cxxopts::Options& options, const std::string& vault_help) {
  options.add_options()(
      "recordings", "folder of the recordings (default: recordings/ beside each scenario folder)",
      cxxopts::value<std::string>()->default_value(""))(
      "vault-url", vault_help, cxxopts::value<std::string>()->default_value(""));
  add_localvault_options(options);
  options.add_options()("filter", "only scenarios whose file name contains this text",
                        cxxopts::value<std::string>()->default_value(""))(
      "junit", "write JUnit XML to FILE", cxxopts::value<std::string>()->default_value(""))(
      "json", "write a JSON report to FILE", cxxopts::value<std::string>()->default_value(""));
}

scenario::SuiteOptions suite_options(const cxxopts::ParseResult& args, harness::Mode mode) {
  scenario::SuiteOptions suite;
  suite.mode = mode;
  suite.paths = paths_or(args, "paths", "scenarios");
  suite.filter = args["filter"].as<std::string>();
  suite.recordings_dir = args["recordings"].as<std::string>();
  suite.target.vault_url = args["vault-url"].as<std::string>();
  suite.target.localvault = localvault_options(args);
  return suite;
}

scenario::ReportFiles report_files(const cxxopts::ParseResult& args) {
  return {args["junit"].as<std::string>(), args["json"].as<std::string>()};
}

}  // namespace kv::cli
