// The proxy as kvharness proxy runs it: options from a command line, checked, and one run.
#include <algorithm>
#include <ostream>
#include <stdexcept>

#include "kv/harness/files.hpp"
#include "kv/harness/proxy.hpp"
#include "kv/harness/target.hpp"

namespace kv::harness {

ProxyOptions to_proxy_options(ProxyCommandLine command) {
  ProxyOptions options = std::move(command.options);
  if (command.port < 0 || command.port > 65535)
    throw std::invalid_argument("--port must be 0..65535");
  options.port = static_cast<std::uint16_t>(command.port);
  if (!command.fixture.empty()) {
    options.default_mode =
        resolve_mode(command.mode.empty() ? std::nullopt : std::optional(parse_mode(command.mode)));
    if (*options.default_mode == Mode::Live)
      throw std::invalid_argument("--mode live is not a proxy mode (record or playback)");
    options.default_fixture = command.fixture;
  } else if (!command.mode.empty()) {
    throw std::invalid_argument("--mode needs --fixture (control-API recordings choose their own)");
  }
  if (options.cert_file.empty() != options.key_file.empty())
    throw std::invalid_argument("--cert and --key go together");
  return options;
}

std::vector<ProxyRecordingReport> run_proxy(ProxyOptions options, const ProxyRunFiles& files,
                                            std::ostream& out) {
  const std::optional<Mode> mode = options.default_mode;
  const std::string fixture = options.default_fixture;
  Proxy server(std::move(options));
  if (!files.cert_out.empty()) write_file_atomically(files.cert_out, server.certificate_pem());
  std::string line = "kvharness proxy listening on " + server.url();
  if (mode) {
    line += " (" + std::string(to_string(*mode)) + " " + fixture;
    if (*mode == Mode::Record) line += ", upstream " + server.upstream_url();
    line += ")";
  }
  out << line << std::endl;
  if (!files.ready_file.empty()) write_file_atomically(files.ready_file, server.url() + "\n");
  server.wait();
  auto reports = server.stop();
  // Each failure was logged with its explanation when its recording stopped.
  const auto failed = std::count_if(reports.begin(), reports.end(),
                                    [](const ProxyRecordingReport& r) { return !r.ok; });
  out << "kvharness proxy: stopped; " << reports.size() << " recording"
      << (reports.size() == 1 ? "" : "s") << ", " << failed << " failed" << std::endl;
  return reports;
}

}  // namespace kv::harness
