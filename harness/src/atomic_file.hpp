// Crash-safe file replacement (internal).
#pragma once

#include <string>
#include <string_view>

namespace kv::harness::detail {

/// Writes `content` to a temporary file beside `path`, fsyncs it, renames it over `path` and
/// fsyncs the folder. A crash at any point leaves either the old or the new file, never a
/// half-written one. Throws std::runtime_error naming the path and the system error.
void write_file_atomically(const std::string& path, std::string_view content);

}  // namespace kv::harness::detail
