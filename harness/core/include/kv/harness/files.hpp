// Files: the one whole-file read of kvharness, and writing so that nothing is ever half-written:
// the one atomic write (fixtures, reports, exports), and the leftovers of writers that were killed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kv::harness {

/// The whole content of `path`, as bytes. Throws std::runtime_error
/// "<path>: cannot open: <system error>" or "<path>: read failed: <system error>".
std::string read_file(const std::string& path);

/// Writes `content` to `path` through a uniquely named temporary file in the same folder
/// (`<name>.tmp.<pid>.<n>`, mode 0600 while it exists), fsyncs it, renames it over `path` and
/// fsyncs the folder: a crash at any point leaves the old file or the new one, never a torn one.
/// The temporary file is registered for removal on a termination signal, and temporaries of
/// `path` left by processes that no longer exist are removed first. Creates missing folders.
/// Throws std::runtime_error naming the path, the step and the system error.
void write_file_atomically(const std::string& path, std::string_view content);

/// Temporary files of interrupted writes in `folder` (`*.tmp.<pid>.<n>`), whatever their owner.
std::vector<std::string> temporary_files_in(const std::string& folder);

}  // namespace kv::harness
