// Paths the harness tests use: the shared reference folder, golden files, scratch folders.
#pragma once

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace kv::test {

/// The ../shared folder (real recordings), which may be absent on a fresh clone; the
/// KV_SHARED_DIR environment variable points elsewhere (to check how tests skip without it).
inline std::filesystem::path shared_dir() {
  if (const char* dir = std::getenv("KV_SHARED_DIR"); dir != nullptr && *dir != '\0') return dir;
  return KV_SHARED_DIR;
}
/// The real recordings, or an empty path when ../shared is missing.
inline std::filesystem::path real_recordings() {
  auto dir = shared_dir() / "real-recordings";
  return std::filesystem::exists(dir) ? dir : std::filesystem::path();
}

/// A fresh scratch folder under the build tree, removed when the object goes away.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name) {
    static int counter = 0;
    path_ = std::filesystem::path(KV_BINARY_DIR) / "harness-test-scratch" /
            (name + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

/// Compares `actual` with the golden file tests/harness/replay/golden/<name>; with
/// KV_UPDATE_GOLDEN=1 in the environment the golden file is rewritten instead
/// (scripts/approve-harness-golden.sh).
inline std::string golden(const std::string& name, const std::string& actual) {
  const auto path = std::filesystem::path(KV_SOURCE_DIR) / "tests/harness/replay/golden" / name;
  if (const char* update = std::getenv("KV_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    write_text(path, actual);
  }
  return read_text(path);
}

}  // namespace kv::test
