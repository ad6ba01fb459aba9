// The record/replay proxy: control API, routing by recording, forwarding in record mode and
// answering from fixtures in playback (docs/proxy.md).
#include "kv/harness/proxy.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "kv/curl_transport.hpp"
#include "kv/harness/files.hpp"
#include "kv/harness/internal/random.hpp"
#include "kv/harness/playback_transport.hpp"
#include "kv/harness/recording_transport.hpp"
#include "kv/harness/rules.hpp"
#include "kv/harness/sanitizer.hpp"
#include "kv/httpserver/server.hpp"
#include "kv/httpserver/tls_identity.hpp"
#include "kv/url.hpp"
#include "proxy_identity.hpp"
#include "proxy_paths.hpp"
#include "proxy_rewrite.hpp"

namespace kv::harness {

namespace {

namespace hs = kv::httpserver;
using detail::AuthorityKind;

const std::string kFakeOrigin = std::string("https://") + kFakeVaultHost;

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find_first_of("?#"));
}

bool is_recording_header(std::string_view name) {
  return name.size() > 12 && http::iequals(name.substr(0, 12), "x-recording-");
}

// What is passed on from a client's request: the message, not the connection or the routing.
http::Headers forwarded_headers(const hs::Headers& in) {
  http::Headers out;
  for (const auto& field : in) {
    if (detail::is_hop_by_hop(field.name) || is_recording_header(field.name)) continue;
    // A compressed answer would be recorded as opaque bytes, and rewriting could not see into it.
    if (http::iequals(field.name, "Accept-Encoding")) continue;
    out.add(field.name, field.value);
  }
  return out;
}

// What a client's `request` becomes on its way on: its method, `url`, `body` and the headers
// forwarded_headers() keeps.
http::Request forwarded_request(const hs::Request& request, std::string url,
                                std::string_view body) {
  http::Request forward;
  forward.method = request.method;
  forward.url = std::move(url);
  forward.headers = forwarded_headers(request.headers);
  forward.body = http::to_bytes(body);
  return forward;
}

// The same, to `origin` with the request's own target and body.
http::Request forwarded_request(const hs::Request& request, const std::string& origin) {
  return forwarded_request(request, origin + request.target, request.body);
}

hs::Response text_response(int status, std::string text) {
  hs::Response response;
  response.status = status;
  response.headers.add("Content-Type", "text/plain; charset=utf-8");
  if (text.empty() || text.back() != '\n') text += '\n';
  response.body = std::move(text);
  return response;
}

hs::Response json_response(int status, const nlohmann::ordered_json& body) {
  hs::Response response;
  response.status = status;
  response.headers.add("Content-Type", "application/json; charset=utf-8");
  response.body = body.dump();
  return response;
}

// An answer (the upstream's or the fixture's) as the client gets it: origins rewritten, the
// challenge pointed at the proxy by `challenge`, no hop-by-hop headers.
hs::Response client_answer(const http::Response& answer, const detail::OriginRewriter& rewriter,
                           const std::function<std::string(const std::string&)>& challenge) {
  hs::Response response;
  response.status = answer.status;
  for (const auto& [name, value] : answer.headers) {
    if (detail::is_hop_by_hop(name)) continue;
    response.headers.add(
        name, http::iequals(name, "WWW-Authenticate") ? challenge(value) : rewriter.apply(value));
  }
  response.body = rewriter.apply(std::string(answer.body_text()));
  return response;
}

std::string origin_or_empty(const std::string& url) {
  try {
    return detail::origin_of(url);
  } catch (const std::exception&) {
    return {};
  }
}

// An error the proxy answers itself (bad control call, unknown recording): the Key Vault error
// shape, so SDK clients show the message, with a stable code.
hs::Response proxy_error(int status, const std::string& code, const std::string& message) {
  hs::Response response = json_response(
      status, {{"error", {{"code", code}, {"message", "kvharness proxy: " + message}}}});
  response.headers.add("x-kvharness-error", code);
  return response;
}

std::string api_version_of(const std::vector<Entry>& entries) {
  for (const auto& entry : entries) {
    try {
      const Url url(entry.request_uri);  // kept alive: query_value points into it
      if (const std::string* v = url.query_value("api-version")) return *v;
    } catch (const std::exception&) {
    }
  }
  return {};
}

}  // namespace

// One open recording: a fixture being recorded or played back.
struct ProxyRecording {
  std::string id;
  Mode mode = Mode::Record;
  std::string fixture_path;
  /// Held shared by requests in progress, exclusively by stop: nothing lands after the save.
  std::shared_mutex in_use;
  bool closed = false;

  // Record mode.
  std::mutex upstream_mutex;
  std::string upstream;  // the vault origin this recording forwards to ("" until first request)
  std::shared_ptr<const Sanitizer> sanitizer;
  std::shared_ptr<RecordingTransport> recorder;
  Rules rules;

  // Playback mode.
  std::unique_ptr<Session> session;
  std::shared_ptr<PlaybackTransport> player;
  std::string challenge_tenant;

  std::map<std::string, std::string> variables;
};

struct Proxy::Impl {
  ProxyOptions options;
  hs::TlsIdentity identity;
  std::string cert_pem;
  std::unique_ptr<hs::Server> server;
  std::thread serving;
  std::mutex serving_mutex;
  std::condition_variable serving_done;
  bool serving_ended = false;

  std::mutex mutex;  // recordings, upstream state, secrets, reports
  std::map<std::string, std::shared_ptr<ProxyRecording>> recordings;
  std::shared_ptr<ProxyRecording> default_recording;
  std::shared_ptr<LocalVault> localvault;
  std::string upstream_vault;      // origin; "" until known
  std::string upstream_authority;  // origin
  std::shared_ptr<http::Transport> upstream_transport;
  std::vector<std::string> secrets;
  std::shared_ptr<const Sanitizer> log_sanitizer = std::make_shared<Sanitizer>();
  std::string tenant;
  bool stopped = false;
  std::vector<ProxyRecordingReport> reports;
  // What names the rules in diagnostics: the rules file, when they come from one.
  RulesOrigin rules_origin{"proxy rules", ""};
  // The extra rules, parsed once at start; every record recording starts from a copy.
  Rules rules;

  explicit Impl(ProxyOptions o) : options(std::move(o)) {}

  // ---- logging and secrets -------------------------------------------------------------------

  void log(const std::string& line) {
    std::shared_ptr<const Sanitizer> scrubber;
    {
      std::lock_guard lock(mutex);
      scrubber = log_sanitizer;
    }
    const std::string clean = scrubber->scrub(line);
    if (options.log) {
      options.log(clean);
    } else {
      std::cerr << "kvharness proxy: " << clean << std::endl;
    }
  }

  SanitizerOptions sanitizer_options_locked(const std::string& vault) const {
    SanitizerOptions o;
    o.secrets = secrets;
    o.vault_url = vault;
    return o;
  }

  void learn_secret_locked(const std::string& secret) {
    // Short strings would redact unrelated text; real secrets and tokens are long.
    if (secret.size() < 8) return;
    if (std::find(secrets.begin(), secrets.end(), secret) != secrets.end()) return;
    secrets.push_back(secret);
    // Log lines keep real host names (a person debugs with them); only secrets are removed.
    SanitizerOptions o;
    o.secrets = secrets;
    log_sanitizer = std::make_shared<Sanitizer>(o);
  }

  void learn_secret(const std::string& secret) {
    std::lock_guard lock(mutex);
    learn_secret_locked(secret);
  }

  // ---- upstream --------------------------------------------------------------------------------

  // The upstream vault origin for record mode; starts the embedded local vault when needed.
  std::string default_upstream() {
    std::lock_guard lock(mutex);
    if (!upstream_vault.empty()) return upstream_vault;
    std::string configured =
        options.upstream.empty() ? env("AZURE_KEYVAULT_URL") : options.upstream;
    if (!configured.empty()) {
      upstream_vault = detail::origin_of(configured);
    } else {
      LocalVaultOptions lv = options.localvault;
      if (lv.tenant.empty()) lv.tenant = tenant;
      localvault = std::make_shared<LocalVault>(lv);
      upstream_vault = localvault->url();
      learn_secret_locked(localvault->client_secret());
      if (!options.upstream_transport) {
        http::CurlTransportOptions curl;
        curl.ca_pem = localvault->certificate_pem();
        upstream_transport = std::make_shared<http::CurlTransport>(curl);
      }
    }
    return upstream_vault;
  }

  std::string authority_origin() {
    std::lock_guard lock(mutex);
    if (!upstream_authority.empty()) return upstream_authority;
    if (localvault) return upstream_authority = localvault->url();
    std::string configured = options.upstream_authority;
    if (configured.empty()) configured = env("AZURE_AUTHORITY_HOST");
    if (configured.empty()) configured = "https://login.microsoftonline.com";
    return upstream_authority = detail::origin_of(configured);
  }

  std::shared_ptr<http::Transport> transport() {
    std::lock_guard lock(mutex);
    if (options.upstream_transport) return options.upstream_transport;
    if (!upstream_transport) {
      http::CurlTransportOptions curl;
      if (!options.upstream_ca_file.empty()) curl.ca_bundle = options.upstream_ca_file;
      upstream_transport = std::make_shared<http::CurlTransport>(curl);
    }
    return upstream_transport;
  }

  // ---- opening and closing recordings -----------------------------------------------------------

  std::shared_ptr<ProxyRecording> open_record(const std::string& path) {
    auto r = std::make_shared<ProxyRecording>();
    r->mode = Mode::Record;
    r->fixture_path = path;
    r->rules = rules;
    return r;
  }

  std::shared_ptr<ProxyRecording> open_playback(const std::string& path,
                                                std::shared_ptr<const Fixture> data) {
    auto r = std::make_shared<ProxyRecording>();
    r->mode = Mode::Playback;
    r->fixture_path = path;
    SessionOptions s;
    s.mode = Mode::Playback;
    s.fixture_path = path;
    s.fixture = std::move(data);
    s.rules_json = options.rules_json;
    s.rules_origin = rules_origin;
    {
      std::lock_guard lock(mutex);
      s.secrets_to_redact = secrets;
    }
    s.record_command = "kvharness proxy --mode record --fixture " + path;
    r->session = std::make_unique<Session>(std::move(s));
    r->player = std::dynamic_pointer_cast<PlaybackTransport>(r->session->transport());
    const auto fixture = r->session->opened_fixture();
    r->variables = fixture->head().variables;
    // The tenant of a challenge made up for a probe: the recorded one, so that clients checking
    // it against their credential's tenant see what they saw when recording.
    for (std::size_t i = 0; i < fixture->size(); ++i) {
      if (const auto c = fixture->entry(i).response_headers.find("WWW-Authenticate")) {
        r->challenge_tenant = detail::challenge_tenant(*c);
        if (!r->challenge_tenant.empty()) break;
      }
    }
    if (r->challenge_tenant.empty()) r->challenge_tenant = tenant;
    return r;
  }

  // Ends one recording (saves or verifies); never throws.
  ProxyRecordingReport close(ProxyRecording& r) {
    std::unique_lock hold(r.in_use);
    ProxyRecordingReport report;
    report.id = r.id;
    report.mode = r.mode;
    report.fixture = r.fixture_path;
    if (r.closed) {
      report.ok = false;
      report.message = "the recording was already stopped";
      return report;
    }
    r.closed = true;
    try {
      if (r.mode == Mode::Record) {
        std::vector<Entry> entries = r.recorder ? r.recorder->take_entries() : std::vector<Entry>{};
        std::shared_ptr<const Sanitizer> final_sanitizer;
        {
          std::lock_guard lock(mutex);
          // Secrets learned after an entry was captured (a token request later in the run) are
          // redacted from it too.
          final_sanitizer = std::make_shared<Sanitizer>([&] {
            SanitizerOptions o = sanitizer_options_locked(r.upstream);
            o.rules = r.rules.sanitize;
            return o;
          }());
        }
        for (auto& entry : entries) final_sanitizer->sanitize(entry);
        report.entries = entries.size();
        const std::string api = api_version_of(entries);
        save_fixture(
            recorded_fixture(std::move(entries), r.variables, *final_sanitizer, r.rules.match, api),
            r.fixture_path);
        log("recorded " + std::to_string(report.entries) + " entries into " + r.fixture_path);
      } else {
        report.entries = r.player->prepared()->opened()->size();
        report.unused = r.player->unused_entries().size();
        report.misses = r.player->misses().size();
        try {
          r.player->verify_all_used();
        } catch (const std::exception& e) {
          report.ok = false;
          report.message = e.what();
          log(report.message);
        }
        if (report.ok) {
          log("played back all " + std::to_string(report.entries) + " entries of " +
              r.fixture_path);
        }
      }
    } catch (const std::exception& e) {
      report.ok = false;
      report.message = std::string("could not save ") + r.fixture_path + ": " + e.what();
      log(report.message);
    }
    return report;
  }

  std::shared_ptr<ProxyRecording> find(const std::string& id) {
    std::lock_guard lock(mutex);
    auto it = recordings.find(id);
    return it == recordings.end() ? nullptr : it->second;
  }

  std::shared_ptr<ProxyRecording> take(const std::string& id) {
    std::lock_guard lock(mutex);
    auto it = recordings.find(id);
    if (it == recordings.end()) return nullptr;
    auto r = it->second;
    recordings.erase(it);
    return r;
  }

  std::string add(std::shared_ptr<ProxyRecording> r) {
    std::lock_guard lock(mutex);
    std::string id;
    do {
      id = random_suffix(24);
    } while (recordings.count(id) != 0);
    r->id = id;
    recordings.emplace(id, std::move(r));
    return id;
  }

  // ---- the handler
  // -------------------------------------------------------------------------------

  std::string client_origin(const hs::Request& request) const {
    const std::string* host = request.headers.find("Host");
    if (host != nullptr && !host->empty() && host->find_first_of("/\\ @\"") == std::string::npos) {
      return "https://" + *host;
    }
    return "https://" + options.host + ":" + std::to_string(server->port());
  }

  hs::Response handle(const hs::Request& request) {
    try {
      const std::string_view path = path_of(request.target);
      for (std::string_view prefix : {"/Record/", "/Playback/", "/Admin/", "/Info/"}) {
        if (path.size() >= prefix.size() && http::iequals(path.substr(0, prefix.size()), prefix))
          return control(request, path);
      }
      return client_request(request);
    } catch (const std::exception& e) {
      log("request " + request.method + " " + request.target.substr(0, 200) +
          " failed: " + e.what());
      return proxy_error(500, "ProxyError", e.what());
    }
  }

  static std::string recording_file_from(const hs::Request& request) {
    if (const std::string* header = request.headers.find("x-recording-file")) return *header;
    if (request.body.empty()) return {};
    const auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (!body.is_object()) {
      throw std::invalid_argument(
          "the body is not a JSON object such as "
          "{\"x-recording-file\": \"tests/name.json\"}");
    }
    auto it = body.find("x-recording-file");
    if (it == body.end()) return {};
    if (!it->is_string()) throw std::invalid_argument("\"x-recording-file\" is not a string");
    return it->get<std::string>();
  }

  hs::Response control(const hs::Request& request, std::string_view path) {
    auto is = [&](std::string_view method, std::string_view name) {
      return http::iequals(path, name) && request.method == method;
    };
    if (is("GET", "/Admin/IsAlive")) return text_response(200, "alive");
    if (is("POST", "/Record/Start") || is("POST", "/Playback/Start")) {
      const bool record = http::iequals(path, "/Record/Start");
      std::string name;
      try {
        name = recording_file_from(request);
      } catch (const std::exception& e) {
        return proxy_error(400, "BadControlRequest", std::string(path) + ": " + e.what());
      }
      if (name.empty()) {
        return proxy_error(400, "BadControlRequest",
                           std::string(path) +
                               " needs the recording file: a JSON body {\"x-recording-file\": "
                               "\"NAME.json\"} or an x-recording-file header");
      }
      std::filesystem::path file;
      try {
        file = detail::resolve_recording_file(options.recordings_root, name);
      } catch (const detail::RecordingPathError& e) {
        log(std::string(path) + ": " + e.what());
        return proxy_error(400, "BadRecordingFile", e.what());
      }
      std::shared_ptr<ProxyRecording> r;
      try {
        r = record ? open_record(file.string()) : open_playback(file.string(), nullptr);
      } catch (const MissingFixtureError& e) {
        log(e.what());
        return proxy_error(404, "RecordingNotFound", e.what());
      } catch (const std::exception& e) {
        log(std::string("cannot play back ") + file.string() + ": " + e.what());
        return proxy_error(400, "BadRecording", e.what());
      }
      const std::string id = add(r);
      log(std::string(record ? "recording " : "playing back ") + file.string() + " as " + id);
      hs::Response response;
      if (!record) response = json_response(200, nlohmann::ordered_json(r->variables));
      response.headers.add("x-recording-id", id);
      return response;
    }
    if (is("POST", "/Record/Stop") || is("POST", "/Playback/Stop")) {
      const bool record = http::iequals(path, "/Record/Stop");
      const std::string id = request.headers.get("x-recording-id");
      if (id.empty()) {
        return proxy_error(400, "BadControlRequest",
                           std::string(path) + " needs the x-recording-id header");
      }
      auto r = find(id);
      if (!r || (r->mode == Mode::Record) != record) {
        return proxy_error(404, "RecordingNotFound",
                           "no " + std::string(record ? "recording" : "playback") +
                               " is open with x-recording-id " + id.substr(0, 100));
      }
      if (record && !request.body.empty()) {
        const auto body = nlohmann::json::parse(request.body, nullptr, false);
        if (!body.is_object()) {
          return proxy_error(400, "BadControlRequest",
                             "/Record/Stop: the body must be a JSON object of variables");
        }
        for (const auto& [key, value] : body.items()) {
          r->variables[key] = value.is_string() ? value.get<std::string>() : value.dump();
        }
      }
      take(id);
      if (record && request.headers.get("x-recording-save") == "false") {
        std::unique_lock hold(r->in_use);
        r->closed = true;
        log("discarded recording " + id);
        return hs::Response{};
      }
      ProxyRecordingReport report = close(*r);
      {
        std::lock_guard lock(mutex);
        reports.push_back(report);
      }
      if (!report.ok && record) return proxy_error(500, "SaveFailed", report.message);
      hs::Response response = json_response(200, {{"entries", report.entries},
                                                  {"unused", report.unused},
                                                  {"misses", report.misses},
                                                  {"ok", report.ok},
                                                  {"message", report.message}});
      if (!record)
        response.headers.add("x-kvharness-unused-entries", std::to_string(report.unused));
      return response;
    }
    return proxy_error(501, "NotSupported",
                       request.method + " " + std::string(path) +
                           " is not supported; the control API here is POST /Record/Start, "
                           "POST /Record/Stop, POST /Playback/Start, POST /Playback/Stop and "
                           "GET /Admin/IsAlive (docs/proxy.md)");
  }

  hs::Response client_request(const hs::Request& request) {
    std::shared_ptr<ProxyRecording> r;
    if (const std::string* id = request.headers.find("x-recording-id")) {
      r = find(*id);
      if (!r) {
        log("no recording is open with x-recording-id " + id->substr(0, 100) + " (" +
            request.method + " " + request.target.substr(0, 200) + ")");
        return proxy_error(404, "RecordingNotFound",
                           "no recording is open with x-recording-id " + id->substr(0, 100) +
                               " (started with POST /Record/Start or /Playback/Start, not yet "
                               "stopped)");
      }
    } else {
      std::lock_guard lock(mutex);
      r = default_recording;
    }
    if (!r) {
      log("no recording is open for " + request.method + " " + request.target.substr(0, 200));
      return proxy_error(400, "NoRecording",
                         "no recording is open: send x-recording-id (from POST /Record/Start or "
                         "/Playback/Start), or start the proxy with --mode and --fixture");
    }
    if (const std::string* mode = request.headers.find("x-recording-mode")) {
      const bool says_record = http::iequals(*mode, "record");
      const bool says_playback = http::iequals(*mode, "playback");
      if ((says_record && r->mode != Mode::Record) ||
          (says_playback && r->mode != Mode::Playback)) {
        return proxy_error(400, "WrongMode",
                           "x-recording-mode is " + mode->substr(0, 20) + " but recording " +
                               r->id + " is in " + to_string(r->mode) + " mode");
      }
    }
    std::shared_lock hold(r->in_use);
    if (r->closed) {
      return proxy_error(404, "RecordingNotFound", "the recording " + r->id + " was stopped");
    }
    const detail::AuthorityRequest authority = detail::classify_authority(request.target);
    if (options.verbose) log(request.method + " " + request.target.substr(0, 300));
    if (r->mode == Mode::Playback) {
      if (authority.kind != AuthorityKind::None) return playback_identity(request, authority);
      return playback(*r, request);
    }
    if (authority.kind != AuthorityKind::None) return record_identity(request, authority);
    return record(*r, request);
  }

  // ---- playback
  // ----------------------------------------------------------------------------------

  hs::Response playback_identity(const hs::Request& request,
                                 const detail::AuthorityRequest& authority) {
    const std::string_view target = request.target;
    const auto q = target.find('?');
    const std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);
    const detail::IdentityAnswer answer =
        detail::playback_identity_answer(authority, client_origin(request), request.body, query);
    hs::Response response;
    response.status = answer.status;
    response.headers.add("Content-Type", "application/json; charset=utf-8");
    response.headers.add("Cache-Control", "no-store");
    response.body = answer.body;
    return response;
  }

  hs::Response playback(ProxyRecording& r, const hs::Request& request) {
    const std::string origin = client_origin(request);
    http::Response answer;
    try {
      answer = r.player->send(forwarded_request(request, kFakeOrigin));
    } catch (const PlaybackMismatch& e) {
      if (!request.headers.contains("Authorization")) {
        // A probe without a token (the JS, .NET, Python and Go SDKs send one first) that the
        // recording did not capture: challenge it, as the vault would.
        r.player->withdraw_miss(e.what());
        hs::Response challenge =
            proxy_error(401, "Unauthorized", "a token is needed (playback challenge)");
        challenge.headers.add("WWW-Authenticate",
                              "Bearer authorization=\"" + origin + "/" + r.challenge_tenant +
                                  "\", resource=\"https://" + Url(origin).host() + "\"");
        return challenge;
      }
      log(e.what());
      hs::Response miss = text_response(400, e.what());
      miss.headers.add("x-kvharness-error", "PlaybackMiss");
      return miss;
    }
    detail::OriginRewriter rewriter;
    rewriter.add(kFakeOrigin, origin);
    return client_answer(answer, rewriter, [&](const std::string& challenge) {
      std::string resource;
      std::string rewritten = detail::rewrite_challenge(challenge, origin, "", &resource);
      // A recorded resource of the fake vault becomes this host, the way localvault names it.
      if (origin_or_empty(resource) == kFakeOrigin) {
        rewritten =
            detail::rewrite_challenge(challenge, origin, "https://" + Url(origin).host(), nullptr);
      }
      return rewritten;
    });
  }

  // ---- record
  // --------------------------------------------------------------------------------------

  hs::Response record_identity(const hs::Request& request,
                               const detail::AuthorityRequest& authority) {
    default_upstream();  // the embedded local vault is also the authority
    const std::string upstream = authority_origin();
    const std::string origin = client_origin(request);
    std::string target = request.target;
    std::string body = request.body;
    const bool token =
        authority.kind == AuthorityKind::TokenV2 || authority.kind == AuthorityKind::TokenV1;
    if (token) {
      learn_secret(detail::form_field(body, "client_secret"));
      learn_secret(detail::form_field(body, "client_assertion"));
      std::shared_ptr<LocalVault> lv;
      {
        std::lock_guard lock(mutex);
        lv = localvault;
      }
      if (lv) {
        // The embedded local vault has credentials of its own: any client's are accepted.
        body = detail::replace_form_field(body, "client_id", lv->client_id());
        body = detail::replace_form_field(body, "client_secret", lv->client_secret());
        const std::size_t second = target.find('/', 1);
        if (second != std::string::npos) target = "/" + lv->tenant_id() + target.substr(second);
      }
    }
    const http::Request forward = forwarded_request(request, upstream + target, body);
    http::Response answer;
    try {
      answer = transport()->send(forward);
    } catch (const http::TransportError& e) {
      log("the upstream authority " + upstream + " did not answer: " + e.what());
      return proxy_error(502, "UpstreamUnreachable",
                         "the upstream authority " + upstream + " did not answer: " + e.what());
    }
    if (token) {
      const auto json = nlohmann::json::parse(answer.body_text(), nullptr, false);
      if (json.is_object()) {
        for (const char* field : {"access_token", "refresh_token", "id_token"}) {
          if (json.contains(field) && json[field].is_string()) learn_secret(json[field]);
        }
      }
    }
    detail::OriginRewriter rewriter;
    rewriter.add(upstream, origin);
    hs::Response response = client_answer(
        answer, rewriter, [&](const std::string& value) { return rewriter.apply(value); });
    // Token answers carry no origin; rewriting them could only damage a token.
    if (token) response.body = std::string(answer.body_text());
    if (options.verbose) {
      log("authority " + request.method + " " + std::string(path_of(target)) + " -> " +
          std::to_string(answer.status));
    }
    return response;
  }

  // The vault origin recording `r` forwards to, fixed by its first request.
  std::string recording_upstream(ProxyRecording& r, const hs::Request& request,
                                 std::string* error) {
    std::string wanted;
    if (const std::string* base = request.headers.find("x-recording-upstream-base-uri")) {
      try {
        wanted = detail::origin_of(*base);
      } catch (const std::exception&) {
        *error = "x-recording-upstream-base-uri is not an absolute URL: " + base->substr(0, 200);
        return {};
      }
    }
    std::lock_guard lock(r.upstream_mutex);
    if (r.upstream.empty()) {
      r.upstream = wanted.empty() ? default_upstream() : wanted;
      std::lock_guard proxy_lock(mutex);
      SanitizerOptions o = sanitizer_options_locked(r.upstream);
      o.rules = r.rules.sanitize;
      r.sanitizer = std::make_shared<Sanitizer>(o);
    } else if (!wanted.empty() && wanted != r.upstream) {
      *error = "recording " + r.id + " records " + r.upstream +
               "; this request names another upstream, " + wanted +
               " (one recording records one vault)";
      return {};
    }
    if (!r.recorder) r.recorder = std::make_shared<RecordingTransport>(transport(), r.sanitizer);
    return r.upstream;
  }

  hs::Response record(ProxyRecording& r, const hs::Request& request) {
    std::string error;
    const std::string upstream = recording_upstream(r, request, &error);
    if (upstream.empty()) return proxy_error(400, "BadUpstream", error);
    const std::string origin = client_origin(request);
    http::Response answer;
    try {
      answer = r.recorder->send(forwarded_request(request, upstream));
    } catch (const http::TransportError& e) {
      // Nothing is recorded for a request that got no answer; the client may retry.
      log("the upstream vault " + upstream + " did not answer " + request.method + " " +
          std::string(path_of(request.target)) + ": " + e.what());
      return proxy_error(502, "UpstreamUnreachable",
                         "the upstream vault " + upstream + " did not answer: " + e.what());
    }
    const std::string authority = authority_origin();
    detail::OriginRewriter rewriter;
    rewriter.add(upstream, origin);
    rewriter.add(authority, origin);
    hs::Response response = client_answer(answer, rewriter, [&](const std::string& challenge) {
      return detail::rewrite_challenge(challenge, origin, "", nullptr);
    });
    if (options.verbose) {
      log("recorded " + request.method + " " + std::string(path_of(request.target)) + " -> " +
          std::to_string(answer.status));
    }
    return response;
  }
};

Proxy::Proxy(ProxyOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  Impl& d = *impl_;
  if (!d.options.rules_file.empty()) {
    d.options.rules_json = read_file(d.options.rules_file);
    d.rules_origin = {d.options.rules_file, ""};
  }
  // Bad rules stop the start, not the first recording that opens.
  d.rules = Rules::parse(d.options.rules_json, d.rules_origin);
  d.tenant = d.options.tenant.empty() ? env("AZURE_TENANT_ID") : d.options.tenant;
  if (d.tenant.empty()) d.tenant = "tenant-" + random_suffix(12);
  for (const auto& s : d.options.secrets_to_redact) d.learn_secret_locked(s);
  d.learn_secret_locked(env("AZURE_CLIENT_SECRET"));

  if (d.options.default_mode) {
    if (d.options.default_fixture.empty()) {
      throw std::invalid_argument("the proxy's default recording needs a fixture file");
    }
    if (*d.options.default_mode == Mode::Playback) {
      d.default_recording =
          d.open_playback(d.options.default_fixture, d.options.default_fixture_data);
    } else if (*d.options.default_mode == Mode::Record) {
      d.default_recording = d.open_record(d.options.default_fixture);
      d.default_upstream();  // a local vault that cannot start is an error now, not at a request
    } else {
      throw std::invalid_argument("the proxy records or plays back; live mode is not a proxy mode");
    }
    d.default_recording->id = "default";
  }

  if (!d.options.cert_file.empty() || !d.options.key_file.empty()) {
    d.identity = hs::load_identity(d.options.cert_file, d.options.key_file);
  } else {
    d.identity = hs::generate_self_signed({d.options.host});
  }
  d.cert_pem = hs::certificate_pem(d.identity);

  hs::ServerOptions server;
  server.host = d.options.host;
  server.port = d.options.port;
  server.worker_threads = d.options.worker_threads;
  server.stop_signals = d.options.stop_signals;
  // Bodies of backups and pages are well below this; the vault's own limit is smaller.
  server.limits.max_body_bytes = 4 * 1024 * 1024;
  // The answer to a refused request (malformed HTTP) also goes to the log.
  server.error_response = [this](const hs::ErrorInfo& error) {
    impl_->log("refused a request: " + error.message);
    return hs::plain_text_error(error);
  };
  d.server = std::make_unique<hs::Server>(
      server, d.identity, [this](const hs::Request& r) { return impl_->handle(r); });
  d.serving = std::thread([&d] {
    d.server->run();
    std::lock_guard lock(d.serving_mutex);
    d.serving_ended = true;
    d.serving_done.notify_all();
  });
}

Proxy::~Proxy() {
  stop();
}

std::string Proxy::url() const {
  return "https://" + impl_->options.host + ":" + std::to_string(port());
}

std::uint16_t Proxy::port() const {
  return impl_->server->port();
}

std::string Proxy::certificate_pem() const {
  return impl_->cert_pem;
}

std::string Proxy::upstream_url() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->upstream_vault;
}

void Proxy::wait() {
  std::unique_lock lock(impl_->serving_mutex);
  impl_->serving_done.wait(lock, [&] { return impl_->serving_ended; });
}

std::vector<ProxyRecordingReport> Proxy::stop() {
  Impl& d = *impl_;
  {
    std::lock_guard lock(d.mutex);
    if (d.stopped) return d.reports;
    d.stopped = true;
  }
  d.server->stop();
  if (d.serving.joinable()) d.serving.join();
  std::vector<ProxyRecordingReport> reports;
  if (d.default_recording) reports.push_back(d.close(*d.default_recording));
  std::map<std::string, std::shared_ptr<ProxyRecording>> open;
  {
    std::lock_guard lock(d.mutex);
    open.swap(d.recordings);
  }
  for (auto& [id, r] : open) reports.push_back(d.close(*r));
  std::shared_ptr<LocalVault> lv;
  {
    std::lock_guard lock(d.mutex);
    reports.insert(reports.end(), d.reports.begin(), d.reports.end());
    d.reports = reports;
    lv = std::move(d.localvault);
  }
  if (lv) lv->stop();
  return reports;
}

}  // namespace kv::harness
