#pragma once
// Command-line options of the localvault executable.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kv::localvault {

/// Everything the command line can set; defaults are documented in docs/localvault.md.
struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string ready_file;
  std::string cert_file;
  std::string key_file;
  std::string cert_out;
  std::string tenant = "00000000-0000-0000-0000-000000000000";
  std::string client_id = "localvault-client";
  std::optional<std::string> client_secret;  // --client-secret (visible to other users in ps)
  std::string client_secret_file;            // --client-secret-file
  bool no_auth = false;
  std::string data_file;
  std::string backup_key_file;
  int recoverable_days = 90;
  std::string recovery_level;  // derived from days and purge protection when empty
  bool purge_protection = false;
  std::int64_t delete_delay_ms = 300;
  std::int64_t recover_delay_ms = 300;
  std::int64_t purge_delay_ms = 300;
  std::int64_t token_lifetime_s = 3600;
  int threads = 32;
  int idle_timeout_s = 240;      // keep-alive connections idle longer are closed
  int request_timeout_s = 10;    // a request not complete by then gets 408
  int max_connections = 10000;   // more are accepted and closed at once
  int max_header_bytes = 65536;  // larger header sections get 431
  bool help = false;
  bool version = false;
};

/// What parsing produced: options, or the text to print (help, or an error with exit code 2).
struct ParsedOptions {
  ServerOptions options;
  std::string message;
  int exit_code = -1;  // -1: run the server
};

/// Parses argv; never throws; validates ranges and combinations.
ParsedOptions parse_server_options(const std::vector<std::string>& args);

/// The recovery level implied by the options (explicit --recovery-level wins).
std::string effective_recovery_level(const ServerOptions& options);

/// The environment variable that may carry the client secret, out of sight of `ps`.
inline constexpr const char* kClientSecretVariable = "LOCALVAULT_CLIENT_SECRET";

/// The client secret to use: --client-secret, else the content of --client-secret-file (which
/// must not be accessible by group or others), else `environment_value` (the value of
/// LOCALVAULT_CLIENT_SECRET, or null when unset); nullopt when none is given, so that one is
/// generated. Throws std::runtime_error with a message for the user.
std::optional<std::string> resolve_client_secret(const ServerOptions& options,
                                                 const char* environment_value);

}  // namespace kv::localvault
