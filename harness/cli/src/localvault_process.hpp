// Starting and stopping the embedded localvault for record and live runs without a vault URL.
#pragma once

#include <sys/types.h>
#include <chrono>
#include <string>
#include <vector>

namespace kv::cli {

/// How to find and start localvault.
struct LocalVaultOptions {
  /// The binary; empty means: $KV_LOCALVAULT, then <dir of kvharness>/../../localvault/localvault,
  /// then PATH.
  std::string binary;
  /// The running kvharness executable (for the sibling lookup).
  std::string self_path;
  std::chrono::milliseconds startup_timeout{15'000};
  /// Extra command-line arguments (e.g. "--purge-delay", "1500").
  std::vector<std::string> extra_args;
};

/// A localvault child process on 127.0.0.1 with a random port, tenant and client credentials.
/// Stopped (SIGTERM, then SIGKILL) by the destructor; its temporary folder is removed.
class LocalVaultProcess {
 public:
  /// Starts localvault and waits for its ready file; throws std::runtime_error with the tail of
  /// its stderr when it exits early or does not become ready in time.
  explicit LocalVaultProcess(const LocalVaultOptions& options);
  ~LocalVaultProcess();
  LocalVaultProcess(const LocalVaultProcess&) = delete;
  LocalVaultProcess& operator=(const LocalVaultProcess&) = delete;

  const std::string& url() const { return url_; }
  /// PEM file of the server certificate, to trust.
  const std::string& certificate_file() const { return cert_file_; }
  const std::string& tenant_id() const { return tenant_; }
  const std::string& client_id() const { return client_id_; }
  const std::string& client_secret() const { return client_secret_; }
  /// Stops the process now (idempotent).
  void stop();

 private:
  std::string stderr_tail() const;

  pid_t pid_ = -1;
  std::string dir_;
  std::string cert_file_;
  std::string stderr_file_;
  std::string url_;
  std::string tenant_;
  std::string client_id_;
  std::string client_secret_;
};

/// Resolves the localvault binary per LocalVaultOptions; throws std::runtime_error naming every
/// place it looked.
std::string find_localvault(const LocalVaultOptions& options);

}  // namespace kv::cli
