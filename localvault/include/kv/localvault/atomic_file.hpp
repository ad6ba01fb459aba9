#pragma once
// Whole-file writes that a crash cannot tear: temp file, fsync, rename, fsync of the folder.

#include <string>
#include <string_view>
#include <vector>

namespace kv::localvault {

/// Replaces `path` with `content` atomically through `<path>.tmp.<pid>` (created new, mode 0600);
/// throws std::system_error with the errno and a message naming the file. On failure the temp file
/// is removed and `path` is untouched; once the rename is done the new content is in place.
void write_file_atomically(const std::string& path, std::string_view content);

/// Removes the `<path>.tmp.<pid>` files that writers of `path` left behind when they were killed
/// (pid no longer running, and not this process); returns the files removed.
std::vector<std::string> remove_stale_temp_files(const std::string& path);

}  // namespace kv::localvault
