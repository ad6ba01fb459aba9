// The localvault launcher: fork/exec with a parent-death signal, the client secret in the child's
// environment, stdout and stderr to files, readiness through localvault's atomic ready file, and
// shutdown with SIGTERM and a SIGKILL fallback.
#include "kv/harness/localvault.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "kv/harness/files.hpp"
#include "kv/harness/internal/random.hpp"
#include "kv/harness/internal/termination.hpp"

extern char** environ;

namespace kv::harness {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFolderPrefix = "kvharness-localvault-";

bool is_executable(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

// What the child wrote so far; "" while the file does not exist (yet).
std::string read_if_present(const std::string& path) {
  try {
    return read_file(path);
  } catch (const std::runtime_error&) {
    return "";
  }
}

// Folders of launchers whose process is gone (killed before it could clean up). Only our own
// folders: the name carries the owning pid, and the owner must be this user.
void remove_stale_folders(const fs::path& temp) {
  std::error_code ec;
  for (fs::directory_iterator it(temp, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(kFolderPrefix, 0) != 0) continue;
    const std::string rest = name.substr(std::strlen(kFolderPrefix));
    const auto dash = rest.find('-');
    if (dash == std::string::npos || dash == 0) continue;
    pid_t owner = 0;
    try {
      owner = static_cast<pid_t>(std::stol(rest.substr(0, dash)));
    } catch (const std::exception&) {
      continue;
    }
    struct stat info {};
    if (::lstat(it->path().c_str(), &info) != 0 || !S_ISDIR(info.st_mode) ||
        info.st_uid != ::getuid()) {
      continue;
    }
    if (detail::process_is_gone(owner)) fs::remove_all(it->path(), ec);
  }
}

std::string make_folder() {
  const fs::path temp = fs::temp_directory_path();
  remove_stale_folders(temp);
  std::string pattern = (temp / (kFolderPrefix + std::to_string(::getpid()) + "-XXXXXX")).string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) {
    throw std::runtime_error(std::string("cannot create a temporary folder for localvault: ") +
                             std::strerror(errno));
  }
  return buffer.data();
}

// The bin folder of the installed package this program was built against, as the package's
// CMake config found it at find_package() time (so a prefix chosen at install time, a DESTDIR
// staging or a moved prefix all resolve): defined by the one source the config adds to every
// consumer (share/kvharness/package_bindir.cpp). Weak and absent in the build tree.
extern "C" __attribute__((weak)) const char* kvharness_package_bindir();

// The running executable, from /proc (argv[0] may be relative or a name found on PATH).
fs::path self_executable() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : self;
}

}  // namespace

std::string find_localvault(const std::string& explicit_path) {
  if (!explicit_path.empty()) {
    if (is_executable(explicit_path)) return explicit_path;
    throw std::runtime_error("localvault " + explicit_path + " is not an executable file");
  }
  if (const char* env = std::getenv("KV_LOCALVAULT"); env != nullptr && *env != '\0') {
    if (is_executable(env)) return env;
    throw std::runtime_error(std::string("KV_LOCALVAULT=") + env + " is not an executable file");
  }
  std::vector<std::string> tried = {"KV_LOCALVAULT (unset)"};
  if (const fs::path self = self_executable(); !self.empty()) {
    // Installed: bin/kvharness beside bin/localvault. Build tree: any executable below the build
    // folder (harness/cli/kvharness, tests/..., bench/...) finds <build>/localvault/localvault.
    const fs::path sibling = self.parent_path() / "localvault";
    if (is_executable(sibling)) return sibling.string();
    tried.push_back(sibling.string());
    fs::path dir = self.parent_path();
    for (int up = 0; up < 4 && dir.has_parent_path() && dir != dir.root_path(); ++up) {
      dir = dir.parent_path();
      const fs::path candidate = dir / "localvault" / "localvault";
      if (is_executable(candidate)) return candidate.string();
    }
    tried.push_back("localvault/localvault in the folders above " + self.parent_path().string());
  }
  if (kvharness_package_bindir != nullptr) {
    const fs::path packaged = fs::path(kvharness_package_bindir()) / "localvault";
    if (is_executable(packaged)) return packaged.string();
    tried.push_back(packaged.string() + " (the installed package's bin)");
  }
#ifdef KV_INSTALL_BINDIR
  const fs::path installed = fs::path(KV_INSTALL_BINDIR) / "localvault";
  if (is_executable(installed)) return installed.string();
  tried.push_back(installed.string());
#endif
  if (const char* path = std::getenv("PATH")) {
    std::stringstream dirs(path);
    for (std::string dir; std::getline(dirs, dir, ':');) {
      if (dir.empty()) continue;
      const fs::path candidate = fs::path(dir) / "localvault";
      if (is_executable(candidate)) return candidate.string();
    }
    tried.push_back("every folder of PATH");
  }
  std::string message = "cannot find the localvault executable (looked at ";
  for (std::size_t i = 0; i < tried.size(); ++i) message += (i ? ", " : "") + tried[i];
  throw std::runtime_error(message +
                           "); build it (cmake --build build --target localvault), pass its "
                           "path (--localvault PATH) or set KV_LOCALVAULT, or set "
                           "AZURE_KEYVAULT_URL to use a real vault");
}

LocalVault::LocalVault(LocalVaultOptions options) {
  const std::string binary = find_localvault(options.executable);
  dir_ = make_folder();
  const std::string ready_file = dir_ + "/ready";
  cert_file_ = dir_ + "/cert.pem";
  stdout_file_ = dir_ + "/stdout.log";
  stderr_file_ = dir_ + "/stderr.log";

  std::vector<std::string> args = {binary,     "--port",     "0",       "--ready-file",
                                   ready_file, "--cert-out", cert_file_};
  std::vector<std::string> env_strings;
  if (options.generate_identity) {
    // Fresh identities per run: nothing about them is worth keeping, and none can leak twice.
    tenant_ = options.tenant.empty() ? "tenant-" + random_suffix(12) : options.tenant;
    client_id_ = "client-" + random_suffix(12);
    client_secret_ = "secret-" + random_suffix(32);
    args.insert(args.end(), {"--tenant", tenant_, "--client-id", client_id_});
    // In the environment, not in argv: a command line is visible to every user in ps.
    env_strings.push_back("LOCALVAULT_CLIENT_SECRET=" + client_secret_);
  }
  args.insert(args.end(), options.arguments.begin(), options.arguments.end());
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    // Our generated secret replaces one in our own environment; otherwise the caller decides.
    if (!options.generate_identity || std::strncmp(*e, "LOCALVAULT_CLIENT_SECRET=", 25) != 0) {
      env_strings.emplace_back(*e);
    }
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  auto open_log = [this](const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
      throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
    }
    return fd;
  };
  const int out = open_log(stdout_file_);
  const int err = open_log(stderr_file_);
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    const int error = errno;
    ::close(out);
    ::close(err);
    std::error_code ec;
    fs::remove_all(dir_, ec);
    throw std::runtime_error(std::string("cannot start localvault: fork: ") + std::strerror(error));
  }
  if (pid_ == 0) {
    // Child: only async-signal-safe calls until exec. Die with the parent: a killed kvharness
    // or test must not leave a vault listening.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(out);
  ::close(err);
  cleanup_slot_ = detail::register_cleanup(
      pid_, {ready_file, cert_file_, stdout_file_, stderr_file_, ready_file + ".tmp"}, dir_);

  const auto deadline = std::chrono::steady_clock::now() + options.startup_timeout;
  while (url_.empty()) {
    std::string text = read_if_present(ready_file);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    if (!text.empty()) {
      url_ = text;
      break;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      reap(status);
      const std::string how = exit_status_ >= 0
                                  ? "exited with status " + std::to_string(exit_status_)
                                  : "was killed by signal " + std::to_string(WTERMSIG(status));
      std::string tail = stderr_text();
      if (tail.size() > 2000) tail = "..." + tail.substr(tail.size() - 2000);
      while (!tail.empty() && tail.back() == '\n') tail.pop_back();
      stop();
      throw std::runtime_error("localvault (" + binary + ") " + how + " before it was ready" +
                               (tail.empty() ? "" : "; its stderr ends with:\n" + tail));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      std::string tail = stderr_text();
      stop();
      throw std::runtime_error("localvault (" + binary + ") did not write its ready file within " +
                               std::to_string(options.startup_timeout.count()) + " ms" +
                               (tail.empty() ? "" : "; its stderr ends with:\n" + tail));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  cert_pem_ = read_if_present(cert_file_);
  if (cert_pem_.empty()) {
    stop();
    throw std::runtime_error("localvault did not write its certificate to " + cert_file_);
  }
}

LocalVault::~LocalVault() {
  stop();
}

int LocalVault::port() const {
  const auto colon = url_.rfind(':');
  return colon == std::string::npos ? 0 : std::atoi(url_.c_str() + colon + 1);
}

std::string LocalVault::redact(std::string text) const {
  if (client_secret_.empty()) return text;
  for (std::size_t at; (at = text.find(client_secret_)) != std::string::npos;) {
    text.replace(at, client_secret_.size(), "<redacted>");
  }
  return text;
}

std::string LocalVault::stdout_text() const {
  return redact(dir_.empty() ? final_stdout_ : read_if_present(stdout_file_));
}

std::string LocalVault::stderr_text() const {
  return redact(dir_.empty() ? final_stderr_ : read_if_present(stderr_file_));
}

void LocalVault::reap(int status) {
  pid_ = -1;
  exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void LocalVault::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  reap(status);
}

int LocalVault::stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    pid_t r = 0;
    while ((r = ::waitpid(pid_, &status, WNOHANG)) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        r = ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (r == pid_) {
      reap(status);
    } else {
      pid_ = -1;
    }
  }
  detail::unregister_cleanup(cleanup_slot_);
  cleanup_slot_ = -1;
  if (!dir_.empty()) {
    // What it printed stays readable after its folder is gone.
    final_stdout_ = read_if_present(stdout_file_);
    final_stderr_ = read_if_present(stderr_file_);
    std::error_code ec;
    fs::remove_all(dir_, ec);
    dir_.clear();
  }
  return exit_status_;
}

}  // namespace kv::harness
