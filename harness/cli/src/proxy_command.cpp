// `kvharness proxy`: the record/replay proxy (kv::harness::Proxy) as a command.
#include <cxxopts.hpp>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "kv/harness/files.hpp"
#include "kv/harness/proxy.hpp"
#include "kv/harness/target.hpp"

namespace kv::cli {

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int proxy_command(int argc, char** argv) {
  cxxopts::Options options(
      "kvharness proxy",
      "An HTTPS proxy on 127.0.0.1 that an unmodified Key Vault client uses as its vault and its\n"
      "authority: record forwards to the upstream vault and writes a sanitized fixture when the\n"
      "proxy stops (SIGINT, SIGTERM); playback answers from the fixture, offline.");
  options.add_options()("mode", "record or playback (default: $AZURE_TEST_MODE, else playback)",
                        cxxopts::value<std::string>()->default_value(""))(
      "fixture", "the recording of requests without x-recording-id (an unmodified program)",
      cxxopts::value<std::string>()->default_value(""))(
      "recordings", "the folder x-recording-file names of the control API are confined to",
      cxxopts::value<std::string>()->default_value("."))(
      "port", "port to listen on (0: any free port)", cxxopts::value<int>()->default_value("0"))(
      "ready-file", "write the proxy's URL to FILE once it listens",
      cxxopts::value<std::string>()->default_value(""))(
      "cert-out", "write the served certificate (PEM) to FILE",
      cxxopts::value<std::string>()->default_value(""))(
      "cert", "serve this PEM certificate (with --key)",
      cxxopts::value<std::string>()->default_value(""))(
      "key", "the PEM private key of --cert", cxxopts::value<std::string>()->default_value(""))(
      "upstream", "record: the vault (default: $AZURE_KEYVAULT_URL, else an embedded localvault)",
      cxxopts::value<std::string>()->default_value(""))(
      "upstream-ca", "record: PEM CA certificates to trust the upstream with",
      cxxopts::value<std::string>()->default_value(""))(
      "authority", "record: the upstream authority (default: $AZURE_AUTHORITY_HOST)",
      cxxopts::value<std::string>()->default_value(""))(
      "tenant", "the embedded localvault's tenant (default: $AZURE_TENANT_ID)",
      cxxopts::value<std::string>()->default_value(""))(
      "rules", "a JSON file of extra sanitizer and match rules",
      cxxopts::value<std::string>()->default_value(""))(
      "localvault", "the localvault executable", cxxopts::value<std::string>()->default_value(""))(
      "localvault-arg", "an argument for the embedded localvault (repeatable)",
      cxxopts::value<std::vector<std::string>>())("v,verbose", "log every request")(
      "h,help", "show this help");
  cxxopts::ParseResult args;
  try {
    args = options.parse(argc, argv);
  } catch (const cxxopts::exceptions::exception& e) {
    std::cerr << "kvharness proxy: " << e.what() << "\n(see kvharness proxy --help)\n";
    return kUsage;
  }
  if (args.count("help")) {
    std::cout << options.help()
              << "\nExamples:\n"
                 "  kvharness proxy --mode record --fixture recordings/app.json --ready-file url"
                 " --cert-out proxy.pem\n"
                 "  kvharness proxy --mode playback --fixture recordings/app.json --port 5443\n"
                 "  kvharness proxy --recordings recordings/   (control API only)\n"
                 "Then run the program with AZURE_KEYVAULT_URL and AZURE_AUTHORITY_HOST set to the"
                 " proxy's URL\n(docs/proxy.md).\n";
    return kSuccess;
  }
  if (!args.unmatched().empty()) {
    std::cerr << "kvharness proxy: unexpected argument \"" << args.unmatched().front()
              << "\"\n(see kvharness proxy --help)\n";
    return kUsage;
  }
  harness::ProxyOptions proxy;
  try {
    const std::string mode_text = args["mode"].as<std::string>();
    const std::string fixture = args["fixture"].as<std::string>();
    const int port = args["port"].as<int>();
    if (port < 0 || port > 65535) throw std::invalid_argument("--port must be 0..65535");
    proxy.port = static_cast<std::uint16_t>(port);
    if (!fixture.empty()) {
      proxy.default_mode = harness::resolve_mode(
          mode_text.empty() ? std::nullopt : std::optional(harness::parse_mode(mode_text)));
      if (*proxy.default_mode == harness::Mode::Live) {
        throw std::invalid_argument("--mode live is not a proxy mode (record or playback)");
      }
      proxy.default_fixture = fixture;
    } else if (!mode_text.empty()) {
      throw std::invalid_argument(
          "--mode needs --fixture (control-API recordings choose their own)");
    }
    proxy.recordings_root = args["recordings"].as<std::string>();
    proxy.cert_file = args["cert"].as<std::string>();
    proxy.key_file = args["key"].as<std::string>();
    if (proxy.cert_file.empty() != proxy.key_file.empty()) {
      throw std::invalid_argument("--cert and --key go together");
    }
    proxy.upstream = args["upstream"].as<std::string>();
    proxy.upstream_ca_file = args["upstream-ca"].as<std::string>();
    proxy.upstream_authority = args["authority"].as<std::string>();
    proxy.tenant = args["tenant"].as<std::string>();
    if (!args["rules"].as<std::string>().empty()) {
      proxy.rules_json = read_text(args["rules"].as<std::string>());
    }
    proxy.localvault.executable = args["localvault"].as<std::string>();
    if (args.count("localvault-arg")) {
      proxy.localvault.arguments = args["localvault-arg"].as<std::vector<std::string>>();
    }
    proxy.verbose = args.count("verbose") > 0;
  } catch (const std::exception& e) {
    std::cerr << "kvharness proxy: " << e.what() << "\n(see kvharness proxy --help)\n";
    return kUsage;
  }
  // SIGINT and SIGTERM stop serving; the recordings are then saved below.
  proxy.stop_signals = {SIGINT, SIGTERM};
  ::signal(SIGPIPE, SIG_IGN);

  std::vector<harness::ProxyRecordingReport> reports;
  try {
    harness::Proxy server(proxy);
    if (!args["cert-out"].as<std::string>().empty()) {
      harness::write_file_atomically(args["cert-out"].as<std::string>(), server.certificate_pem());
    }
    std::string line = "kvharness proxy listening on " + server.url();
    if (proxy.default_mode) {
      line +=
          " (" + std::string(harness::to_string(*proxy.default_mode)) + " " + proxy.default_fixture;
      if (*proxy.default_mode == harness::Mode::Record)
        line += ", upstream " + server.upstream_url();
      line += ")";
    }
    std::cout << line << std::endl;
    if (!args["ready-file"].as<std::string>().empty()) {
      harness::write_file_atomically(args["ready-file"].as<std::string>(), server.url() + "\n");
    }
    server.wait();
    reports = server.stop();
  } catch (const std::exception& e) {
    std::cerr << "kvharness proxy: " << e.what() << "\n";
    return kUsage;
  }
  // Each failure was logged with its explanation when its recording stopped.
  const auto failed = std::count_if(reports.begin(), reports.end(),
                                    [](const harness::ProxyRecordingReport& r) { return !r.ok; });
  std::cout << "kvharness proxy: stopped; " << reports.size() << " recording"
            << (reports.size() == 1 ? "" : "s") << ", " << failed << " failed" << std::endl;
  return failed == 0 ? kSuccess : kFailure;
}

}  // namespace kv::cli
