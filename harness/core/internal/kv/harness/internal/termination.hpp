// Cleaning up when a program is told to stop: the embedded localvault processes and the
// temporary files of writes in progress are registered while they exist; a SIGINT, SIGTERM or
// SIGHUP then stops the processes and deletes the files before the program ends with that signal.
#pragma once

#include <sys/types.h>
#include <string>
#include <vector>

namespace kv::harness {

/// Installs handlers for SIGINT, SIGTERM and SIGHUP that clean up what is registered and then end
/// the process with the same signal (its exit status says so). The kvharness command line calls
/// this; a program with its own signal handling need not (localvault children still die with
/// their parent, and leftovers are removed by the next run).
void install_termination_cleanup();

namespace detail {

/// Registers a child process to stop (SIGTERM, then SIGKILL) and files, then a folder, to delete
/// on a termination signal. Returns a slot for unregister_cleanup(), or -1 when the registry is
/// full or a path is too long (cleanup then relies on the next run).
int register_cleanup(pid_t pid, const std::vector<std::string>& files, const std::string& folder);
/// Forgets a registration (the process was stopped and the files removed normally).
void unregister_cleanup(int slot);

/// True when process `pid` no longer exists (a leftover of it may be removed).
bool process_is_gone(pid_t pid);

}  // namespace detail
}  // namespace kv::harness
