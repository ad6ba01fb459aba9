// kvharness: run, record and replay Key Vault scenarios; check, lint, diff and export recordings.
#include <cstring>
#include <iostream>
#include <string>

#include "commands.hpp"
#include "kv/harness/diagnostic.hpp"
#include "kv/harness/internal/termination.hpp"
#include "kv/version.hpp"

namespace {

constexpr const char* kUsage = R"(Usage: kvharness <command> [options]

Commands:
  run [FILES or FOLDERS...]   run scenarios: --mode live|record|playback (default playback)
  check [PATHS...]            validate scenario files and recordings without running anything
  lint [FIXTURES...]          check recordings against the Key Vault secrets life cycle
  verify [SCENARIOS...]       run scenarios live, compare with their recordings by shape
  diff OLD NEW                semantic diff of two recordings
  export --har FIXTURE        convert a recording to HAR 1.2
  proxy                       record and replay any client (official SDKs too) through an HTTPS proxy

Options:
  -h, --help                  show this text (kvharness <command> --help for a command's options)
  --version                   show the version

Examples:
  kvharness run scenarios/                      replay every scenario offline
  kvharness run --mode record scenarios/x.json  record against a local vault started for the run
  kvharness check scenarios/ recordings/
  kvharness lint recordings/
  kvharness verify scenarios/                   compare a live run with every recording
  kvharness diff recordings/x.json /tmp/new/x.json
  kvharness proxy --mode record --fixture recordings/app.json --ready-file url --cert-out ca.pem
)";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return kv::cli::kUsage;
  }
  std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return kv::cli::kSuccess;
  }
  if (command == "--version") {
    std::cout << "kvharness " << kv::kVersion << "\n";
    return kv::cli::kSuccess;
  }
  // A Ctrl-C or a kill stops the embedded local vaults and removes temporary files first. The
  // proxy handles SIGINT and SIGTERM itself: they end its recordings, which are then saved.
  if (command != "proxy") kv::harness::install_termination_cleanup();
  // Subcommands see their own name as argv[0], so their --help reads "kvharness run ...".
  using Command = int (*)(int, char**);
  const std::pair<const char*, Command> commands[] = {
      {"run", kv::cli::run_command},    {"check", kv::cli::check_command},
      {"lint", kv::cli::lint_command},  {"verify", kv::cli::verify_command},
      {"diff", kv::cli::diff_command},  {"export", kv::cli::export_command},
      {"proxy", kv::cli::proxy_command}};
  for (const auto& [name, run] : commands) {
    if (command == name) return kv::cli::run_guarded(name, run, argc - 1, argv + 1);
  }
  // The one failure record: a misspelled command gets the "did you mean" every other name gets.
  kv::harness::Diagnostic unknown;
  std::vector<std::string> names;
  for (const auto& entry : commands) names.emplace_back(entry.first);
  std::cerr << "kvharness: unknown command \"" << command << "\"\n";
  if (unknown.suggest(command, names)) std::cerr << "  hint:     " << unknown.hint << "\n";
  std::cerr << "\n" << kUsage;
  return kv::cli::kUsage;
}
