// Session: wires mode, transport, clock, variables and fixture persistence together.
#include "kv/harness/session.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>
#include <mutex>
#include <stdexcept>

#include "kv/curl_transport.hpp"
#include "kv/harness/fixture.hpp"
#include "kv/harness/playback_transport.hpp"
#include "kv/harness/recording_transport.hpp"
#include "kv/harness/rules.hpp"
#include "kv/harness/sanitizer.hpp"
#include "kv/version.hpp"

namespace kv::harness {

Mode parse_mode(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "live") return Mode::Live;
  if (lower == "record") return Mode::Record;
  if (lower == "playback") return Mode::Playback;
  throw std::invalid_argument("unknown mode \"" + std::string(text) +
                              "\": expected live, record or playback");
}

const char* to_string(Mode mode) {
  switch (mode) {
    case Mode::Live:
      return "live";
    case Mode::Record:
      return "record";
    case Mode::Playback:
      return "playback";
  }
  return "unknown";
}

namespace {
std::string utc_now_rfc3339() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}
}  // namespace

struct Session::Impl {
  SessionOptions options;
  Rules rules;
  std::shared_ptr<Sanitizer> sanitizer;
  std::shared_ptr<http::Transport> transport;
  std::shared_ptr<RecordingTransport> recorder;
  std::shared_ptr<PlaybackTransport> player;
  std::shared_ptr<Clock> clock;
  std::mutex mutex;
  std::map<std::string, std::string> variables;
  bool finished = false;
};

Session::Session(SessionOptions options) : impl_(std::make_unique<Impl>()) {
  Impl& d = *impl_;
  d.options = std::move(options);
  d.rules = Rules::parse(d.options.rules_json);
  SanitizerOptions sanitizer_options;
  sanitizer_options.rules = d.rules.sanitize;
  sanitizer_options.secrets = d.options.secrets_to_redact;
  if (d.options.mode == Mode::Playback) {
    const std::string& path = d.options.fixture_path;
    if (path.empty()) throw std::invalid_argument("playback needs a fixture path");
    if (!std::filesystem::exists(path)) {
      const std::string command = d.options.record_command.empty()
                                      ? "kvharness run --mode record <scenario>"
                                      : d.options.record_command;
      throw MissingFixtureError("fixture not found: " + path +
                                "\n  playback needs a recording; create it with: " + command);
    }
    Fixture fixture = load_fixture(path);
    d.variables = fixture.variables;
    // Rules recorded with the fixture first, then the caller's on top.
    MatchRules match = MatchRules::defaults();
    if (fixture.has_metadata && !fixture.metadata.match_rules.empty()) {
      match.merge(fixture.metadata.match_rules);
    }
    if (!d.options.rules_json.empty()) {
      const Json extra = Json::parse(d.options.rules_json, nullptr, false, true);
      if (extra.is_object() && extra.contains("match")) match.merge(extra["match"]);
    }
    d.sanitizer = std::make_shared<Sanitizer>(sanitizer_options);
    PlaybackOptions playback;
    playback.fixture_path = path;
    playback.rules = std::move(match);
    playback.message_sanitizer = d.sanitizer;
    if (d.sanitizer->rewrites_requests()) playback.request_sanitizer = d.sanitizer;
    d.player = std::make_shared<PlaybackTransport>(std::move(fixture), std::move(playback));
    d.transport = d.player;
    d.clock = std::make_shared<ManualClock>();
    return;
  }
  std::shared_ptr<http::Transport> live = d.options.live_transport;
  if (!live) live = std::make_shared<http::CurlTransport>();
  d.clock = SystemClock::instance();
  if (d.options.mode == Mode::Live) {
    d.transport = std::move(live);
    return;
  }
  if (d.options.fixture_path.empty()) throw std::invalid_argument("record needs a fixture path");
  if (d.options.vault_url.empty()) throw std::invalid_argument("record needs the vault URL");
  sanitizer_options.vault_url = d.options.vault_url;
  d.sanitizer = std::make_shared<Sanitizer>(sanitizer_options);
  d.recorder = std::make_shared<RecordingTransport>(std::move(live), d.sanitizer);
  d.transport = d.recorder;
}

Session::~Session() = default;

Mode Session::mode() const {
  return impl_->options.mode;
}

std::shared_ptr<http::Transport> Session::transport() const {
  return impl_->transport;
}

std::string Session::vault_url() const {
  if (impl_->options.mode == Mode::Playback) return std::string("https://") + kFakeVaultHost;
  return impl_->options.vault_url;
}

std::shared_ptr<Clock> Session::clock() const {
  return impl_->clock;
}

std::string Session::variable(const std::string& name,
                              const std::function<std::string()>& generate) {
  Impl& d = *impl_;
  std::lock_guard lock(d.mutex);
  if (auto it = d.variables.find(name); it != d.variables.end()) return it->second;
  if (d.options.mode == Mode::Playback) {
    throw std::runtime_error("fixture " + d.options.fixture_path + " has no variable \"" + name +
                             "\"; re-record it so the value is stored");
  }
  std::string value = generate();
  d.variables.emplace(name, value);
  return value;
}

void Session::finish() {
  Impl& d = *impl_;
  if (d.finished) return;
  d.finished = true;
  if (d.options.mode == Mode::Playback) {
    d.player->verify_all_used();
    return;
  }
  if (d.options.mode != Mode::Record) return;
  Fixture fixture;
  fixture.entries = d.recorder->take_entries();
  {
    std::lock_guard lock(d.mutex);
    for (const auto& [name, value] : d.variables)
      fixture.variables[name] = d.sanitizer->scrub(value);
  }
  fixture.has_metadata = true;
  fixture.metadata.tool_version = kv::kVersion;
  fixture.metadata.api_version = d.options.api_version;
  fixture.metadata.recorded_at = utc_now_rfc3339();
  fixture.metadata.sanitizers = d.sanitizer->describe();
  fixture.metadata.match_rules = d.rules.match.to_json();
  save_fixture(fixture, d.options.fixture_path);
}

}  // namespace kv::harness
