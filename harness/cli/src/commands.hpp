// The kvharness subcommands. Each returns the process exit code: 0 success, 1 failure found,
// 2 usage or configuration error (options.hpp: ExitCode, and the exceptions main turns into one).
#pragma once

#include "options.hpp"

namespace kv::cli {

/// `kvharness run`: runs scenarios live, records them, or replays them.
int run_command(int argc, char** argv);
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
