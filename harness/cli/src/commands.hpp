// The kvharness subcommands. Each returns the process exit code: 0 success, 1 failure found,
// 2 usage or configuration error.
#pragma once

#include <string>
#include <vector>

#include "kv/scenario/scenario.hpp"

namespace kv::cli {

/// Exit codes shared by every subcommand.
enum ExitCode { kSuccess = 0, kFailure = 1, kUsage = 2 };

/// `kvharness run`: runs scenarios live, records them, or replays them.
int run_command(int argc, char** argv);
/// Loads every scenario file, printing each one's errors; false (nothing to run) when any fails.
bool load_scenarios(const std::vector<std::string>& files, const char* command,
                    std::vector<scenario::Scenario>& out);
/// `kvharness check`: validates scenario files and fixtures without running anything.
int check_command(int argc, char** argv);
/// `kvharness lint [PATHS...]`: checks recordings against the secrets life cycle.
int lint_command(int argc, char** argv);
/// `kvharness verify [SCENARIOS...]`: runs scenarios live and compares with the recordings.
int verify_command(int argc, char** argv);
/// `kvharness diff OLD NEW`: a semantic diff of two recordings.
int diff_command(int argc, char** argv);
/// `kvharness export --har FIXTURE`: converts a recording to HAR.
int export_command(int argc, char** argv);
/// `kvharness proxy`: the record/replay HTTPS proxy for unmodified clients.
int proxy_command(int argc, char** argv);

}  // namespace kv::cli
