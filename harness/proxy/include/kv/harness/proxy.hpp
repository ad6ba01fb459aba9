// The record/replay proxy: an HTTPS server on 127.0.0.1 that an unmodified Key Vault client uses
// as its vault and its authority. Recording forwards to the upstream vault and keeps every
// exchange through the harness's sanitizer; playback answers from a fixture through the harness's
// matcher and explanations. It speaks the Azure SDK test-proxy's control API, so one proxy serves
// many recordings at once (docs/proxy.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kv/harness/fixture.hpp"
#include "kv/harness/localvault.hpp"
#include "kv/harness/session.hpp"
#include "kv/transport.hpp"

namespace kv::harness {

/// How a proxy is set up. Upstream settings only matter for recordings in record mode.
struct ProxyOptions {
  /// The address to listen on (an IP address).
  std::string host = "127.0.0.1";
  /// 0: any free port (see Proxy::port()).
  std::uint16_t port = 0;
  /// PEM certificate and key to serve; both empty: a self-signed certificate made at start.
  std::string cert_file;
  std::string key_file;

  /// The recording that answers requests without an `x-recording-id` header (an unmodified
  /// program): record into, or play back, `default_fixture`. Unset: only control-API recordings.
  std::optional<Mode> default_mode;
  /// The default recording's fixture file (written in record mode, read in playback).
  std::string default_fixture;
  /// Playback of the default recording from a fixture in memory (`default_fixture` names it).
  std::shared_ptr<const Fixture> default_fixture_data;
  /// Where `x-recording-file` names of the control API are resolved, and confined.
  std::string recordings_root = ".";

  /// The upstream vault; empty: $AZURE_KEYVAULT_URL; empty too: the embedded local vault, which
  /// the proxy starts (and stops) itself when a recording first needs it.
  std::string upstream;
  /// The upstream authority; empty: $AZURE_AUTHORITY_HOST, else https://login.microsoftonline.com
  /// (the embedded local vault is its own authority).
  std::string upstream_authority;
  /// PEM file of CA certificates the upstream is trusted with (empty: the system bundle).
  std::string upstream_ca_file;
  /// The transport to the upstream (null: libcurl). Tests put an in-process vault here.
  std::shared_ptr<http::Transport> upstream_transport;
  /// How to start the embedded local vault.
  LocalVaultOptions localvault;
  /// The tenant of the embedded local vault and of challenges playback makes up; empty:
  /// $AZURE_TENANT_ID, else a random one.
  std::string tenant;
  /// Strings never to be written or logged, besides those the proxy learns (client secrets in
  /// token requests, tokens, the embedded local vault's secret, $AZURE_CLIENT_SECRET).
  std::vector<std::string> secrets_to_redact;
  /// Extra sanitizer and match rules for every recording (JSON, docs/fixture-format.md).
  std::string rules_json;
  /// A JSON file of such rules, read instead of `rules_json` when set. The rules are read and
  /// parsed when the proxy starts; errors name this file.
  std::string rules_file;

  /// Threads that run requests (a request waiting for the upstream holds one).
  int worker_threads = 8;
  /// Signals that stop the proxy (e.g. SIGINT, SIGTERM); empty: only stop().
  std::vector<int> stop_signals;
  /// Where log lines go (one call per line, scrubbed of secrets); null: stderr.
  std::function<void(const std::string&)> log;
  /// Log every request, not only problems and recordings starting and stopping.
  bool verbose = false;
};

/// The proxy's settings the way a command line states them (kvharness proxy).
struct ProxyCommandLine {
  /// Every other setting, taken as is.
  ProxyOptions options;
  /// The default recording's mode: "record", "playback", or "" for $AZURE_TEST_MODE, else
  /// playback. Only with `fixture`.
  std::string mode;
  /// The default recording's fixture; empty: only control-API recordings.
  std::string fixture;
  /// The port, 0..65535 (0: any free port).
  int port = 0;
};

/// Checks `command` and returns the proxy's options: --mode needs --fixture and is record or
/// playback, --port is 0..65535, --cert and --key go together. Throws std::invalid_argument
/// naming the option.
ProxyOptions to_proxy_options(ProxyCommandLine command);

/// How one recording ended.
struct ProxyRecordingReport {
  std::string id;
  Mode mode = Mode::Record;
  /// The fixture file ("" for a recording kept in memory).
  std::string fixture;
  /// Record: entries written. Playback: entries in the fixture.
  std::size_t entries = 0;
  /// Playback: entries no request used.
  std::size_t unused = 0;
  /// Playback: requests no entry matched.
  std::size_t misses = 0;
  /// True when the fixture was written (record) or every entry used without a miss (playback).
  bool ok = true;
  /// What went wrong, the way a person reads it (the unused entries, the first miss, a write
  /// error); empty when ok.
  std::string message;
};

/// A running proxy. Serves on its own threads from construction until stop().
class Proxy {
 public:
  /// Reads and parses the rules (RulesError or std::runtime_error naming the rules file), opens
  /// the default recording (playback: loads its fixture; record: starts the embedded local vault
  /// when that is the upstream), binds, prepares TLS and starts serving. Throws
  /// std::runtime_error (FixtureError, MissingFixtureError, RulesError) naming what failed.
  explicit Proxy(ProxyOptions options);
  /// Stops (see stop()) unless stopped already.
  ~Proxy();
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  /// "https://127.0.0.1:PORT": the vault URL and the authority host for clients.
  std::string url() const;
  std::uint16_t port() const;
  /// The served certificate (PEM), for clients to trust.
  std::string certificate_pem() const;
  /// The upstream vault of record mode ("" until known, e.g. before the embedded local vault
  /// started).
  std::string upstream_url() const;

  /// Blocks until the server stops: a stop signal, or stop() from another thread.
  void wait();
  /// Stops serving (requests in progress finish), then ends every open recording: record
  /// recordings are saved, playback recordings are checked for unused entries and misses.
  /// Returns their reports, the default recording first. Idempotent (later calls return the
  /// same reports).
  std::vector<ProxyRecordingReport> stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// Files a proxy run writes besides its recordings; an empty name writes nothing.
struct ProxyRunFiles {
  /// The served certificate (PEM), written once the proxy listens.
  std::string cert_out;
  /// The proxy's URL, written once the proxy listens (after the "listening" line).
  std::string ready_file;
};

/// Runs a proxy the way `kvharness proxy` does: starts it, writes `files.cert_out`, prints
/// "kvharness proxy listening on URL (mode fixture, upstream URL)" to `out`, writes
/// `files.ready_file`, serves until a stop signal or stop(), stops and prints how many recordings
/// there were and how many failed. Returns the reports; throws what Proxy() throws.
std::vector<ProxyRecordingReport> run_proxy(ProxyOptions options, const ProxyRunFiles& files,
                                            std::ostream& out);

}  // namespace kv::harness
