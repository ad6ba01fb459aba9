// localvault: parse options, prepare TLS, auth and state, then serve until SIGINT/SIGTERM.
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "https_server.hpp"
#include "kv/localvault/atomic_file.hpp"
#include "kv/localvault/encoding.hpp"
#include "kv/localvault/server_options.hpp"
#include "kv/localvault/state_file.hpp"

using namespace kv::localvault;
namespace httpserver = kv::httpserver;

namespace {
std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

int run(const ServerOptions& o) {
  RandomSource random = system_random();
  httpserver::TlsIdentity identity = o.cert_file.empty()
                                         ? httpserver::generate_self_signed({o.host})
                                         : httpserver::load_identity(o.cert_file, o.key_file);

  AuthOptions auth;
  auth.enabled = !o.no_auth;
  auth.tenant = o.tenant;
  auth.client_id = o.client_id;
  auth.token_lifetime_s = o.token_lifetime_s;
  if (std::optional<std::string> secret =
          resolve_client_secret(o, std::getenv(kClientSecretVariable))) {
    auth.client_secret = std::move(*secret);
  } else {
    auth.client_secret = base64url_encode(random_bytes(random, 24));
    // Shown only because none was configured: the user needs it to get tokens.
    if (auth.enabled)
      std::cerr << "localvault: tenant " << auth.tenant << ", client id " << auth.client_id
                << ", generated client secret " << auth.client_secret << std::endl;
  }
  TokenService tokens(auth, random_bytes(random, 32));

  std::string backup_key = o.backup_key_file.empty() ? random_bytes(random, 32)
                                                     : read_backup_key_file(o.backup_key_file);
  VaultState initial;
  std::shared_ptr<StateStore> store;
  if (!o.data_file.empty()) {
    // Copies of the state that killed runs left behind hold secret values: remove them first.
    for (const std::string& stale : remove_stale_temp_files(o.data_file))
      std::cerr << "localvault: removed stale temporary file " << stale << std::endl;
    if (auto loaded = load_state_file(o.data_file)) initial = std::move(*loaded);
    store = std::make_shared<StateFileStore>(o.data_file);
  }

  VaultOptions vault;
  vault.recovery_level = effective_recovery_level(o);
  vault.recoverable_days = o.recoverable_days;
  vault.delete_delay_ms = o.delete_delay_ms;
  vault.recover_delay_ms = o.recover_delay_ms;
  vault.purge_delay_ms = o.purge_delay_ms;

  ServeConfig serve;
  serve.threads = o.threads;
  serve.max_body_bytes = vault.max_body_bytes;
  serve.limits.idle_timeout = std::chrono::seconds(o.idle_timeout_s);
  serve.limits.request_timeout = std::chrono::seconds(o.request_timeout_s);
  serve.limits.max_connections = static_cast<std::size_t>(o.max_connections);
  serve.limits.max_header_bytes = static_cast<std::size_t>(o.max_header_bytes);
  // SIGINT/SIGTERM: stop accepting, finish the requests in progress, close idle connections.
  serve.stop_signals = {SIGINT, SIGTERM};
  serve.now_ms = wall_clock_ms;

  // The server is built over the service, so the service comes first, before bind() picks the
  // port: its default URL (only for a request without a valid Host header) has none.
  vault.default_base_url = "https://" + url_host(o.host);
  auto service = std::make_unique<VaultService>(vault, std::move(tokens), BackupCodec(backup_key),
                                                random, std::move(initial), std::move(store));
  HttpsServer server(*service, identity, serve);
  int port = server.bind(o.host, o.port);
  std::string url = "https://" + url_host(o.host) + ":" + std::to_string(port);

  if (!o.cert_out.empty()) write_file_atomically(o.cert_out, httpserver::certificate_pem(identity));
  // The line comes first, so whoever sees the ready file can also read the line.
  std::cout << "localvault listening on " << url << std::endl;
  if (!o.ready_file.empty()) write_file_atomically(o.ready_file, url + "\n");

  server.run();
  std::cerr << "localvault: stopped" << std::endl;
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  // A client that disconnects while its response is written must not kill the server.
  ::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  ParsedOptions parsed = parse_server_options(args);
  if (parsed.exit_code >= 0) {
    (parsed.exit_code == 0 ? std::cout : std::cerr) << parsed.message;
    return parsed.exit_code;
  }
  try {
    return run(parsed.options);
  } catch (const std::exception& e) {
    std::cerr << "localvault: " << e.what() << std::endl;
    return 1;
  }
}
