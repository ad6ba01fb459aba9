// localvault as a child process: fork/exec with stderr to a file, readiness through its atomic
// ready file, shutdown with SIGTERM and a SIGKILL fallback.
#include "localvault_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "kv/scenario/runner.hpp"

namespace kv::cli {
namespace {

namespace fs = std::filesystem;

bool is_executable(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "kvharness-localvault-XXXXXX").string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) {
    throw std::runtime_error(std::string("cannot create a temporary folder for localvault: ") +
                             std::strerror(errno));
  }
  return buffer.data();
}

}  // namespace

std::string find_localvault(const LocalVaultOptions& options) {
  std::vector<std::string> tried;
  if (!options.binary.empty()) {
    if (is_executable(options.binary)) return options.binary;
    throw std::runtime_error("--localvault " + options.binary + " is not an executable file");
  }
  if (const char* env = std::getenv("KV_LOCALVAULT"); env != nullptr && *env != '\0') {
    if (is_executable(env)) return env;
    throw std::runtime_error(std::string("KV_LOCALVAULT=") + env + " is not an executable file");
  }
  if (!options.self_path.empty()) {
    std::error_code ec;
    fs::path self = fs::weakly_canonical(options.self_path, ec);
    fs::path sibling =
        (self.parent_path() / ".." / ".." / "localvault" / "localvault").lexically_normal();
    if (is_executable(sibling)) return sibling.string();
    tried.push_back(sibling.string());
  }
  if (const char* path = std::getenv("PATH")) {
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
      if (dir.empty()) continue;
      fs::path candidate = fs::path(dir) / "localvault";
      if (is_executable(candidate)) return candidate.string();
    }
    tried.push_back("every folder of PATH");
  }
  std::string message =
      "cannot find the localvault executable (looked at --localvault, KV_LOCALVAULT";
  for (const auto& t : tried) message += ", " + t;
  throw std::runtime_error(message +
                           "); build it (cmake --build build --target localvault) or pass "
                           "--localvault PATH, or set AZURE_KEYVAULT_URL for a real vault");
}

LocalVaultProcess::LocalVaultProcess(const LocalVaultOptions& options) {
  std::string binary = find_localvault(options);
  dir_ = make_temp_dir();
  std::string ready_file = dir_ + "/ready";
  cert_file_ = dir_ + "/cert.pem";
  stderr_file_ = dir_ + "/stderr.log";
  // Fresh identities per run: nothing about them is worth keeping, and none can leak twice.
  tenant_ = "tenant-" + scenario::random_suffix(12);
  client_id_ = "client-" + scenario::random_suffix(12);
  client_secret_ = "secret-" + scenario::random_suffix(32);

  std::vector<std::string> args = {binary,         "--port",      "0",        "--ready-file",
                                   ready_file,     "--cert-out",  cert_file_, "--tenant",
                                   tenant_,        "--client-id", client_id_, "--client-secret",
                                   client_secret_, "--threads",   "4"};
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int err = ::open(stderr_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (err < 0)
    throw std::runtime_error("cannot create " + stderr_file_ + ": " + std::strerror(errno));
  pid_ = ::fork();
  if (pid_ < 0) {
    ::close(err);
    throw std::runtime_error(std::string("cannot start localvault: fork: ") + std::strerror(errno));
  }
  if (pid_ == 0) {
    // Child: only async-signal-safe calls until exec.
    int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
      ::dup2(null, 0);
      ::dup2(null, 1);
    }
    ::dup2(err, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(err);

  auto deadline = std::chrono::steady_clock::now() + options.startup_timeout;
  while (true) {
    std::error_code ec;
    if (fs::exists(ready_file, ec)) {
      std::string text = read_file(ready_file);
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      if (!text.empty()) {
        url_ = text;
        break;
      }
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      std::string how = WIFEXITED(status)
                            ? "exited with status " + std::to_string(WEXITSTATUS(status))
                            : "was killed by signal " + std::to_string(WTERMSIG(status));
      std::string tail = stderr_tail();
      fs::remove_all(dir_, ec);
      throw std::runtime_error("localvault (" + binary + ") " + how + " before it was ready" +
                               (tail.empty() ? "" : "; its stderr ends with:\n" + tail));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      std::string tail = stderr_tail();
      stop();
      throw std::runtime_error("localvault (" + binary + ") did not write its ready file within " +
                               std::to_string(options.startup_timeout.count()) + " ms" +
                               (tail.empty() ? "" : "; its stderr ends with:\n" + tail));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string LocalVaultProcess::stderr_tail() const {
  std::string text = read_file(stderr_file_);
  // The generated client secret is printed by localvault only when not given; we always give it,
  // but scrub it anyway before it can reach a console or a report.
  for (std::size_t at;
       !client_secret_.empty() && (at = text.find(client_secret_)) != std::string::npos;) {
    text.replace(at, client_secret_.size(), "<redacted>");
  }
  if (text.size() > 2000) text = "..." + text.substr(text.size() - 2000);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

void LocalVaultProcess::stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    pid_ = -1;
  }
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    dir_.clear();
  }
}

LocalVaultProcess::~LocalVaultProcess() {
  stop();
}

}  // namespace kv::cli
