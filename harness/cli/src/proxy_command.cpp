// `kvharness proxy`: the record/replay proxy (kv::harness::run_proxy) as a command.
#include <algorithm>
#include <csignal>
#include <iostream>

#include "commands.hpp"
#include "kv/harness/proxy.hpp"

namespace kv::cli {

int proxy_command(int argc, char** argv) {
  cxxopts::Options options(
      "kvharness proxy",
      "An HTTPS proxy on 127.0.0.1 that an unmodified Key Vault client uses as its vault and its\n"
      "authority: record forwards to the upstream vault and writes a sanitized fixture when the\n"
      "proxy stops (SIGINT, SIGTERM); playback answers from the fixture, offline.");
  auto add = options.add_options();
  auto text = [](const std::string& fallback = "") {
    return cxxopts::value<std::string>()->default_value(fallback);
  };
  add("mode", "record or playback (default: $AZURE_TEST_MODE, else playback)", text());
  add("fixture", "the recording of requests without x-recording-id (an unmodified program)",
      text());
  add("recordings", "the folder x-recording-file names of the control API are confined to",
      text("."));
  add("port", "port to listen on (0: any free port)", cxxopts::value<int>()->default_value("0"));
  add("ready-file", "write the proxy's URL to FILE once it listens", text());
  add("cert-out", "write the served certificate (PEM) to FILE", text());
  add("cert", "serve this PEM certificate (with --key)", text());
  add("key", "the PEM private key of --cert", text());
  add("upstream", "record: the vault (default: $AZURE_KEYVAULT_URL, else an embedded localvault)",
      text());
  add("upstream-ca", "record: PEM CA certificates to trust the upstream with", text());
  add("authority", "record: the upstream authority (default: $AZURE_AUTHORITY_HOST)", text());
  add("tenant", "the embedded localvault's tenant (default: $AZURE_TENANT_ID)", text());
  add("rules", "a JSON file of extra sanitizer and match rules, read at start", text());
  add_localvault_options(options);
  add("v,verbose", "log every request");
  add("h,help", "show this help");
  const auto args = parse_options(
      options, argc, argv,
      "\nExamples:\n"
      "  kvharness proxy --mode record --fixture recordings/app.json --ready-file url"
      " --cert-out proxy.pem\n"
      "  kvharness proxy --mode playback --fixture recordings/app.json --port 5443\n"
      "  kvharness proxy --recordings recordings/   (control API only)\n"
      "Then run the program with AZURE_KEYVAULT_URL and AZURE_AUTHORITY_HOST set to the"
      " proxy's URL\n(docs/proxy.md).\n");
  if (!args.unmatched().empty())
    throw UsageError("unexpected argument \"" + args.unmatched().front() + "\"");
  harness::ProxyCommandLine command{{},
                                    args["mode"].as<std::string>(),
                                    args["fixture"].as<std::string>(),
                                    args["port"].as<int>()};
  auto get = [&](const char* name) { return args[name].as<std::string>(); };
  command.options.recordings_root = get("recordings");
  command.options.cert_file = get("cert");
  command.options.key_file = get("key");
  command.options.upstream = get("upstream");
  command.options.upstream_ca_file = get("upstream-ca");
  command.options.upstream_authority = get("authority");
  command.options.tenant = get("tenant");
  command.options.rules_file = get("rules");
  command.options.localvault = localvault_options(args);
  command.options.verbose = args.count("verbose") > 0;
  // SIGINT and SIGTERM stop serving; the recordings are then saved.
  command.options.stop_signals = {SIGINT, SIGTERM};
  ::signal(SIGPIPE, SIG_IGN);
  harness::ProxyOptions proxy;
  try {
    proxy = harness::to_proxy_options(std::move(command));
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  const auto reports =
      harness::run_proxy(std::move(proxy), {get("cert-out"), get("ready-file")}, std::cout);
  const bool failed = std::any_of(reports.begin(), reports.end(),
                                  [](const harness::ProxyRecordingReport& r) { return !r.ok; });
  return failed ? kFailure : kSuccess;
}

}  // namespace kv::cli
