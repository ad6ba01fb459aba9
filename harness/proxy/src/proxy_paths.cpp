// Confining recording files to the recordings root.
#include "proxy_paths.hpp"

namespace kv::harness::detail {

namespace fs = std::filesystem;

namespace {

bool inside(const fs::path& root, const fs::path& candidate) {
  auto r = root.begin();
  auto c = candidate.begin();
  for (; r != root.end(); ++r, ++c) {
    if (r->empty()) continue;  // the trailing "" of a root ending in '/'
    if (c == candidate.end() || *r != *c) return false;
  }
  return true;
}

}  // namespace

fs::path resolve_recording_file(const fs::path& root, std::string_view name) {
  const std::string quoted = "\"" + std::string(name.substr(0, 200)) + "\"";
  if (name.empty()) throw RecordingPathError("x-recording-file is empty");
  if (name.find('\0') != std::string_view::npos) {
    throw RecordingPathError("x-recording-file contains a NUL byte");
  }
  fs::path given(name);
  for (const auto& part : given) {
    if (part == "..") {
      throw RecordingPathError("x-recording-file " + quoted +
                               " contains \"..\"; recording files stay inside the recordings "
                               "root " +
                               root.string());
    }
  }
  std::error_code ec;
  const fs::path canonical_root = fs::weakly_canonical(fs::absolute(root), ec);
  if (ec) throw RecordingPathError("the recordings root " + root.string() + " is unusable");
  fs::path joined = given.is_absolute() ? given : canonical_root / given;
  if (joined.extension() != ".json") joined += ".json";
  joined = joined.lexically_normal();
  if (!inside(canonical_root, joined)) {
    throw RecordingPathError("x-recording-file " + quoted + " is outside the recordings root " +
                             canonical_root.string() + "; give a path relative to it");
  }
  // A symbolic link inside the root may still lead out of it.
  const fs::path resolved = fs::weakly_canonical(joined, ec);
  if (ec || !inside(canonical_root, resolved)) {
    throw RecordingPathError("x-recording-file " + quoted + " leads outside the recordings root " +
                             canonical_root.string() + " through a symbolic link");
  }
  return resolved;
}

}  // namespace kv::harness::detail
