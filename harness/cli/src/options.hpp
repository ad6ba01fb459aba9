// What every kvharness command shares: the opening of its option parsing (--help, usage errors),
// positional paths with a default, and the embedded localvault's options.
#pragma once

#include <cxxopts.hpp>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "kv/harness/localvault.hpp"
#include "kv/scenario/suite.hpp"

namespace kv::cli {

/// Exit codes shared by every subcommand.
enum ExitCode { kSuccess = 0, kFailure = 1, kUsage = 2 };

/// Ends a command early with `code` (main returns it), e.g. after --help.
struct Exit {
  int code;
};

/// A mistake on the command line: main prints "kvharness CMD: <what>" and
/// "(see kvharness CMD --help)" and returns kUsage. Other exceptions are printed without the hint.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Runs `command` and turns what it throws into the exit code, printing the message as
/// "kvharness NAME: ..." (a UsageError adds the --help hint, a SuiteError its details first).
int run_guarded(const std::string& name, int (*command)(int, char**), int argc, char** argv);

/// Parses argv; `positional` names the option that takes the positional arguments (nullptr:
/// none). With --help prints the option table and `help_tail` and throws Exit{kSuccess}; a parse
/// error throws UsageError. Every command's table has "h,help".
cxxopts::ParseResult parse_options(cxxopts::Options& options, int argc, char** argv,
                                   std::string_view help_tail, const char* positional = nullptr);

/// The positional values of `name`; {fallback} when there are none.
std::vector<std::string> paths_or(const cxxopts::ParseResult& args, const std::string& name,
                                  const std::string& fallback);

/// Adds --localvault, the repeatable --localvault-arg and its deprecated alias --localvault-args.
void add_localvault_options(cxxopts::Options& options);
/// The embedded localvault's options from them; --localvault-args (split on spaces) prints its
/// deprecation line to stderr.
harness::LocalVaultOptions localvault_options(const cxxopts::ParseResult& args);

/// Adds what run and verify share: --recordings, --vault-url (`vault_help`), the localvault
/// options, --filter, --junit and --json.
void add_suite_options(cxxopts::Options& options, const std::string& vault_help);
/// The suite those options (and the positional "paths", default scenarios/) describe, in `mode`.
scenario::SuiteOptions suite_options(const cxxopts::ParseResult& args, harness::Mode mode);
/// The --junit and --json files.
scenario::ReportFiles report_files(const cxxopts::ParseResult& args);

}  // namespace kv::cli
