// Where a control call's `x-recording-file` may point: inside the proxy's recordings root only.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace kv::harness::detail {

/// A recording file name that is not allowed; what() says why, naming the value.
class RecordingPathError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// The file `name` names below `root`: ".json" is appended when missing (as the test-proxy
/// does); absolute names must already lie inside `root`; no ".." component, no NUL, and no
/// symbolic link may lead outside `root`. Throws RecordingPathError.
std::filesystem::path resolve_recording_file(const std::filesystem::path& root,
                                             std::string_view name);

}  // namespace kv::harness::detail
