// Running the kvharness executable from a test: its exit code and output, temporary folders.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace kv::test {

namespace fs = std::filesystem;

inline const std::string kSource = KV_SOURCE_DIR;
inline const std::string kCli = std::string(KV_BINARY_DIR) + "/harness/cli/kvharness";

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

/// A fresh temporary folder, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "kvharness-cli-test-XXXXXX").string();
    path = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

/// Runs kvharness in `cwd` with a clean mode/vault environment.
inline CliResult run_cli(const std::string& args, const std::string& cwd = kSource) {
  TempDir out;
  std::string command = "cd '" + cwd + "' && env -u AZURE_TEST_MODE -u AZURE_KEYVAULT_URL '" +
                        kCli + "' " + args + " >'" + (out.path / "out").string() + "' 2>'" +
                        (out.path / "err").string() + "'";
  int status = std::system(command.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read(out.path / "out");
  r.err = read(out.path / "err");
  return r;
}

}  // namespace kv::test
