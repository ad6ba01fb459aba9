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
#include "kv/harness/internal/operation.hpp"
#include "kv/harness/internal/random.hpp"
#include "kv/harness/playback_transport.hpp"
#include "kv/harness/recording_transport.hpp"
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

SessionClock::SessionClock(Time time)
    : virtual_time_(time == Time::Virtual),
      virtual_now_(std::chrono::system_clock::from_time_t(1'700'000'000)) {}

SessionClock::time_point SessionClock::now() const {
  if (!virtual_time_) return std::chrono::system_clock::now();
  std::lock_guard lock(mutex_);
  return virtual_now_;
}

void SessionClock::sleep_for(std::chrono::milliseconds duration) {
  {
    std::lock_guard lock(mutex_);
    sleeps_.push_back(duration);
    if (virtual_time_) {
      virtual_now_ += duration;
      return;
    }
  }
  SystemClock::instance()->sleep_for(duration);
}

std::chrono::milliseconds SessionClock::slept() const {
  std::lock_guard lock(mutex_);
  std::chrono::milliseconds total{0};
  for (const auto d : sleeps_) total += d;
  return total;
}

std::vector<std::chrono::milliseconds> SessionClock::sleeps() const {
  std::lock_guard lock(mutex_);
  return sleeps_;
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

// Live mode writes nothing, but a test may still want to see what was sent.
class ExchangeLog final : public http::Transport {
 public:
  explicit ExchangeLog(std::shared_ptr<http::Transport> inner) : inner_(std::move(inner)) {}
  http::Response send(const http::Request& request) override {
    http::Response response = inner_->send(request);
    std::lock_guard lock(mutex_);
    exchanges_.push_back({exchanges_.size(), request.method, request.url, response.status,
                          std::string(classify_operation(request.method, request.url))});
    return response;
  }
  std::vector<Exchange> exchanges() const {
    std::lock_guard lock(mutex_);
    return exchanges_;
  }

 private:
  std::shared_ptr<http::Transport> inner_;
  mutable std::mutex mutex_;
  std::vector<Exchange> exchanges_;
};

std::shared_ptr<const OpenedFixture> playback_fixture(const SessionOptions& options) {
  if (options.fixture) return std::make_shared<const OpenedFixture>(options.fixture);
  const std::string& path = options.fixture_path;
  if (!options.fixture_text.empty()) {
    return std::make_shared<const OpenedFixture>(std::make_shared<const Fixture>(
        parse_fixture(options.fixture_text, path.empty() ? "(fixture text)" : path)));
  }
  if (path.empty())
    throw std::invalid_argument("playback needs a fixture (a path, text or object)");
  if (!std::filesystem::exists(path)) {
    const std::string command = options.record_command.empty()
                                    ? "kvharness run --mode record <scenario>"
                                    : options.record_command;
    throw MissingFixtureError("fixture not found: " + path +
                              "\n  playback needs a recording; create it with: " + command);
  }
  return open_fixture(path);
}

constexpr const char* kAllowWeaker =
    "allow it with allow_weaker_sanitizers (kvharness run --allow-weaker-sanitizers)";
constexpr const char* kAllowDigestMismatch =
    "allow it with allow_sanitizer_digest_mismatch (kvharness run "
    "--allow-sanitizer-digest-mismatch)";

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// Playback: the stored set must be the one its digest was taken of, and the set in force (the
// stored rules plus the caller's) must keep every stored rule.
void check_stored_sanitizers(const Fixture& fixture, const std::string& file,
                             const Sanitizer& sanitizer, bool caller_rules,
                             const SanitizerPermissions& allowed) {
  if (!fixture.has_metadata || !fixture.metadata.sanitizers.is_object()) return;
  const std::string& digest = fixture.metadata.sanitizers_digest;
  if (!allowed.allow_sanitizer_digest_mismatch && !digest.empty() &&
      digest != sanitizer_set_digest(fixture.metadata.sanitizers)) {
    throw SanitizerSetError(file +
                            ": the stored sanitizer set /kvharness/sanitizers does not match "
                            "/kvharness/sanitizersDigest (the metadata was edited); re-record it, "
                            "or " +
                            kAllowDigestMismatch);
  }
  // The set in force is the defaults plus the stored rules, plus the caller's: only the caller's
  // rules could take anything away, so without them there is nothing to compare.
  if (!caller_rules || allowed.allow_weaker_sanitizers) return;
  const auto missing = missing_sanitizers(fixture.metadata.sanitizers, sanitizer.describe(), false);
  if (!missing.empty()) {
    throw SanitizerSetError(file + ": playback with a weaker sanitizer set than the recording's; " +
                            "missing: " + joined(missing) + "; " + kAllowWeaker);
  }
}

// Record: re-recording must not quietly drop a rule the previous recording was made with.
void refuse_weaker_rerecord(const std::string& path, const Sanitizer& sanitizer) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return;
  Fixture previous;
  try {
    previous = load_fixture(path);
  } catch (const FixtureError&) {
    return;  // nothing trustworthy to compare with; the new recording replaces it
  }
  if (!previous.has_metadata || !previous.metadata.sanitizers.is_object()) return;
  const auto missing = missing_sanitizers(previous.metadata.sanitizers, sanitizer.describe(), true);
  if (!missing.empty()) {
    throw SanitizerSetError("refusing to re-record " + path +
                            " with a weaker sanitizer set than it was recorded with; missing: " +
                            joined(missing) + "; keep those rules, or " + kAllowWeaker);
  }
}

// The distinct x-ms-keyvault-service-version values of the responses, in order.
std::string service_versions(const std::vector<Entry>& entries) {
  std::vector<std::string> seen;
  for (const auto& e : entries) {
    const auto v = e.response_headers.find("x-ms-keyvault-service-version");
    if (v && !v->empty() && std::find(seen.begin(), seen.end(), *v) == seen.end())
      seen.emplace_back(*v);
  }
  return joined(seen);
}

}  // namespace

Fixture recorded_fixture(std::vector<Entry> entries,
                         const std::map<std::string, std::string>& variables,
                         const Sanitizer& sanitizer, const MatchRules& match,
                         const std::string& api_version) {
  Fixture fixture;
  fixture.entries = std::move(entries);
  for (const auto& [name, value] : variables) fixture.variables[name] = sanitizer.scrub(value);
  fixture.has_metadata = true;
  fixture.metadata.tool_version = kv::kVersion;
  fixture.metadata.api_version = api_version;
  fixture.metadata.service_version = service_versions(fixture.entries);
  fixture.metadata.recorded_at = utc_now_rfc3339();
  fixture.metadata.sanitizers = sanitizer.describe();
  fixture.metadata.sanitizers_digest = sanitizer_set_digest(fixture.metadata.sanitizers);
  fixture.metadata.match_rules = match.to_json();
  return fixture;
}

struct Session::Impl {
  SessionOptions options;
  Rules rules;
  std::shared_ptr<Sanitizer> sanitizer;
  std::shared_ptr<http::Transport> transport;
  std::shared_ptr<RecordingTransport> recorder;
  std::shared_ptr<PlaybackTransport> player;
  std::shared_ptr<ExchangeLog> live_log;
  std::shared_ptr<SessionClock> clock;
  mutable std::mutex mutex;
  std::map<std::string, std::string> variables;
  bool finished = false;
};

Session::Session(SessionOptions options) : impl_(std::make_unique<Impl>()) {
  Impl& d = *impl_;
  d.options = std::move(options);
  d.rules = Rules::parse(d.options.rules_json, d.options.rules_origin);
  SanitizerOptions sanitizer_options;
  sanitizer_options.secrets = d.options.secrets_to_redact;
  if (d.options.mode == Mode::Playback) {
    std::shared_ptr<const OpenedFixture> fixture = playback_fixture(d.options);
    const std::string& name = d.options.fixture_path;
    d.variables = fixture->head().variables;
    // The rules recorded with the fixture first, then the caller's on top, for matching and for
    // sanitizing actual requests the way the recorded ones were.
    MatchRules match = fixture_match_rules(fixture->head(), name);
    sanitizer_options.rules = fixture_sanitizer_rules(fixture->head(), name);
    if (!d.options.rules_json.empty()) {
      const Json extra = Json::parse(d.options.rules_json, nullptr, false, true);
      const RulesOrigin& origin = d.options.rules_origin;
      if (extra.is_object() && extra.contains("match")) {
        match.merge(extra["match"], {origin.file, origin.pointer + "/match"});
      }
      if (extra.is_object() && extra.contains("sanitize")) {
        sanitizer_options.rules.merge(extra["sanitize"],
                                      {origin.file, origin.pointer + "/sanitize"});
      }
    }
    d.sanitizer = std::make_shared<Sanitizer>(sanitizer_options);
    check_stored_sanitizers(fixture->head(), name, *d.sanitizer, !d.options.rules_json.empty(),
                            d.options.sanitizer_permissions);
    PlaybackOptions playback;
    playback.fixture_path = name;
    playback.rules = std::move(match);
    playback.message_sanitizer = d.sanitizer;
    if (d.sanitizer->rewrites_requests()) playback.request_sanitizer = d.sanitizer;
    d.player = std::make_shared<PlaybackTransport>(
        PreparedFixture::prepare(std::move(fixture), std::move(playback)));
    d.transport = d.player;
    d.clock = std::make_shared<SessionClock>(SessionClock::Time::Virtual);
    return;
  }
  std::shared_ptr<http::Transport> live = d.options.live_transport;
  if (!live) live = std::make_shared<http::CurlTransport>();
  d.clock = std::make_shared<SessionClock>(SessionClock::Time::Real);
  sanitizer_options.rules = d.rules.sanitize;
  sanitizer_options.vault_url = d.options.vault_url;
  d.sanitizer = std::make_shared<Sanitizer>(sanitizer_options);
  if (d.options.mode == Mode::Live) {
    d.live_log = std::make_shared<ExchangeLog>(std::move(live));
    d.transport = d.live_log;
    return;
  }
  if (d.options.fixture_path.empty()) throw std::invalid_argument("record needs a fixture path");
  if (d.options.vault_url.empty()) throw std::invalid_argument("record needs the vault URL");
  if (!d.options.sanitizer_permissions.allow_weaker_sanitizers)
    refuse_weaker_rerecord(d.options.fixture_path, *d.sanitizer);
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

std::shared_ptr<SessionClock> Session::clock() const {
  return impl_->clock;
}

std::string Session::random_name(const std::string& variable, const std::string& prefix) {
  return this->variable(variable, [&] { return prefix + random_suffix(8); });
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

std::vector<Exchange> Session::exchanges() const {
  const Impl& d = *impl_;
  if (d.player) return d.player->replayed();
  if (d.live_log) return d.live_log->exchanges();
  std::vector<Exchange> out;
  const std::vector<Entry> entries = d.recorder->entries();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    out.push_back({i, e.request_method, e.request_uri, e.status_code,
                   std::string(classify_operation(e.request_method, e.request_uri))});
  }
  return out;
}

std::vector<Entry> Session::recorded_entries() const {
  return impl_->recorder ? impl_->recorder->entries() : std::vector<Entry>{};
}

std::shared_ptr<const Fixture> Session::fixture() const {
  return impl_->player ? impl_->player->prepared()->shared_fixture() : nullptr;
}

std::shared_ptr<const OpenedFixture> Session::opened_fixture() const {
  return impl_->player ? impl_->player->prepared()->opened() : nullptr;
}

std::shared_ptr<const Sanitizer> Session::sanitizer() const {
  return impl_->sanitizer;
}

bool Session::finished() const {
  return impl_->finished;
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
  std::map<std::string, std::string> variables;
  {
    std::lock_guard lock(d.mutex);
    variables = d.variables;
  }
  save_fixture(recorded_fixture(d.recorder->take_entries(), variables, *d.sanitizer, d.rules.match,
                                d.options.api_version),
               d.options.fixture_path);
}

}  // namespace kv::harness
