// The embedded local vault: finding the localvault executable and running it as a child process
// on 127.0.0.1 with a random port and fresh credentials. One launcher serves the kvharness
// command line, a user's own tests, the project's tests and the benchmarks.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace kv::harness {

/// How to find and start localvault.
struct LocalVaultOptions {
  /// The executable; empty means find_localvault().
  std::string executable;
  /// Extra command-line arguments, e.g. {"--purge-delay", "1500"} or {"--data", "state.json"}.
  std::vector<std::string> arguments;
  /// Give localvault a random tenant, client id and client secret (the secret travels in its
  /// environment, never on its command line). Off: the arguments decide (e.g. "--no-auth").
  bool generate_identity = true;
  /// With generate_identity: this tenant instead of a random one (clients that take the tenant
  /// from the 401 challenge must find their own there).
  std::string tenant;
  /// How long to wait for localvault to announce it is listening.
  std::chrono::milliseconds startup_timeout{15'000};
};

/// Where localvault is: `explicit_path` when not empty, else $KV_LOCALVAULT, else beside the
/// running executable (an installed bin/ folder, or the build tree's localvault/ folder seen from
/// any executable below the build tree), else the installation's bin folder, else PATH. Throws
/// std::runtime_error naming every place it looked and how to fix it.
std::string find_localvault(const std::string& explicit_path = {});

/// A localvault child process. It dies with its parent (Linux parent-death signal), is stopped
/// by stop() or the destructor (SIGTERM, then SIGKILL), and its temporary folder is removed;
/// folders left by a parent that was killed are removed when the next LocalVault starts.
class LocalVault {
 public:
  /// Starts localvault and waits until it listens; throws std::runtime_error with the tail of its
  /// stderr when it exits early or does not become ready in time.
  explicit LocalVault(LocalVaultOptions options = {});
  ~LocalVault();
  LocalVault(const LocalVault&) = delete;
  LocalVault& operator=(const LocalVault&) = delete;

  /// "https://127.0.0.1:PORT".
  const std::string& url() const { return url_; }
  /// The port it listens on.
  int port() const;
  /// PEM file of the server certificate.
  const std::string& certificate_file() const { return cert_file_; }
  /// The server certificate (PEM text), to trust in memory.
  const std::string& certificate_pem() const { return cert_pem_; }
  /// The tenant, client id and client secret of its token endpoint (empty unless generated).
  const std::string& tenant_id() const { return tenant_; }
  const std::string& client_id() const { return client_id_; }
  const std::string& client_secret() const { return client_secret_; }
  /// The folder of its ready, certificate and output files (removed at stop()).
  const std::string& folder() const { return dir_; }
  /// The process id, or -1 once stopped.
  pid_t pid() const { return pid_; }
  /// What it printed on stdout and stderr so far, also after stop() (the client secret redacted).
  std::string stdout_text() const;
  std::string stderr_text() const;
  /// Stops it with SIGTERM (SIGKILL after 3 s), removes its folder and returns its exit status
  /// (-1 when it did not exit normally). Idempotent.
  int stop();
  /// Kills it with SIGKILL, giving it no chance to clean up; keeps the folder until stop().
  void kill();

 private:
  std::string redact(std::string text) const;
  void reap(int status);

  pid_t pid_ = -1;
  int exit_status_ = -1;
  std::string dir_;
  std::string cert_file_;
  std::string cert_pem_;
  std::string stdout_file_;
  std::string stderr_file_;
  std::string url_;
  std::string tenant_;
  std::string client_id_;
  std::string client_secret_;
  std::string final_stdout_;
  std::string final_stderr_;
  int cleanup_slot_ = -1;
};

}  // namespace kv::harness
