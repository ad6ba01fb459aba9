#pragma once
// Whole-file writes that a crash cannot tear: temp file, fsync, rename, fsync of the folder.

#include <string>
#include <string_view>

namespace kv::localvault {

/// Replaces `path` with `content` atomically; throws std::runtime_error naming the file.
void write_file_atomically(const std::string& path, std::string_view content);

}  // namespace kv::localvault
