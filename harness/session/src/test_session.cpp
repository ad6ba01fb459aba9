// open_test(): mode, target, session and client in one place, for the CLI and users' tests alike.
#include "kv/harness/test_session.hpp"

#include <cstdlib>
#include <filesystem>

#include "kv/harness/fixture.hpp"
#include "kv/harness/session.hpp"

namespace kv::harness {

struct TestSession::Impl {
  std::string fixture_path;
  Mode mode = Mode::Playback;
  std::optional<VaultTarget> target;
  std::unique_ptr<Session> session;
  std::shared_ptr<SecretClient> client;
};

TestSession::TestSession(std::string fixture_path, TestOptions options)
    : impl_(std::make_unique<Impl>()) {
  Impl& d = *impl_;
  d.fixture_path = std::move(fixture_path);
  d.mode = resolve_mode(options.mode);

  SessionOptions session_options;
  session_options.mode = d.mode;
  session_options.fixture_path = d.fixture_path;
  session_options.fixture = options.fixture;
  session_options.rules_json = options.rules_json;
  session_options.rules_origin = options.rules_origin;
  session_options.record_command = options.record_command;
  session_options.sanitizer_permissions = options.sanitizer_permissions;
  session_options.secrets_to_redact = options.secrets_to_redact;
  SecretClientOptions client_options = options.client;
  std::shared_ptr<TokenCredential> credential;
  if (d.mode == Mode::Playback) {
    credential = std::make_shared<StaticTokenCredential>();
  } else {
    d.target = options.open_target ? *options.open_target : open_target(options.target);
    session_options.vault_url = d.target->vault_url;
    session_options.live_transport = d.target->transport;
    session_options.secrets_to_redact.insert(session_options.secrets_to_redact.end(),
                                             d.target->secrets_to_redact.begin(),
                                             d.target->secrets_to_redact.end());
    if (d.target->disable_challenge_verification)
      client_options.DisableChallengeResourceVerification = true;
    credential = d.target->credential;
    if (options.api_version) client_options.ApiVersion = *options.api_version;
    session_options.api_version = client_options.ApiVersion;
    if (d.mode == Mode::Record) {
      const auto folder = std::filesystem::path(d.fixture_path).parent_path();
      std::error_code ec;
      if (!folder.empty()) std::filesystem::create_directories(folder, ec);
    }
  }
  d.session = std::make_unique<Session>(std::move(session_options));
  if (d.mode == Mode::Playback) {
    // Replay with the api-version the fixture was recorded with, unless told otherwise.
    const auto fixture = d.session->opened_fixture();
    if (options.api_version) {
      client_options.ApiVersion = *options.api_version;
    } else if (fixture && !fixture->head().metadata.api_version.empty()) {
      client_options.ApiVersion = fixture->head().metadata.api_version;
    }
  }
  client_options.Transport = d.session->transport();
  client_options.Clock = d.session->clock();
  d.client = std::make_shared<SecretClient>(d.session->vault_url(), credential, client_options);
}

TestSession::~TestSession() = default;
TestSession::TestSession(TestSession&&) noexcept = default;
TestSession& TestSession::operator=(TestSession&&) noexcept = default;

Mode TestSession::mode() const {
  return impl_->mode;
}

SecretClient& TestSession::client() {
  return *impl_->client;
}

std::shared_ptr<SecretClient> TestSession::shared_client() const {
  return impl_->client;
}

Session& TestSession::session() {
  return *impl_->session;
}

SessionClock& TestSession::clock() {
  return *impl_->session->clock();
}

void TestSession::sleep_for(std::chrono::milliseconds duration) {
  impl_->session->clock()->sleep_for(duration);
}

const VaultTarget* TestSession::target() const {
  return impl_->target ? &*impl_->target : nullptr;
}

const std::string& TestSession::fixture_path() const {
  return impl_->fixture_path;
}

std::string TestSession::variable(const std::string& name,
                                  const std::function<std::string()>& generate) {
  return impl_->session->variable(name, generate);
}

std::string TestSession::random_name(const std::string& variable, const std::string& prefix) {
  return impl_->session->random_name(variable, prefix);
}

std::vector<Exchange> TestSession::exchanges() const {
  return impl_->session->exchanges();
}

bool TestSession::finished() const {
  return impl_->session->finished();
}

void TestSession::finish() {
  impl_->session->finish();
}

namespace {

std::string file_name_part(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
    if (keep) {
      out += c;
    } else if (out.empty() || out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && (out.back() == '_' || out.back() == '.')) out.pop_back();
  while (!out.empty() && (out.front() == '_' || out.front() == '.')) out.erase(out.begin());
  // Keep names well under the usual 255-byte file name limit.
  if (out.size() > 120) out.resize(120);
  return out.empty() ? std::string("test") : out;
}

}  // namespace

std::string fixture_path_for_test(std::string_view suite, std::string_view test,
                                  std::string_view dir) {
  std::string folder(dir);
  if (folder.empty()) {
    const char* env = std::getenv("KV_RECORDINGS_DIR");
    folder = env != nullptr && *env != '\0' ? env : "recordings";
  }
  return (std::filesystem::path(folder) /
          (file_name_part(suite) + "." + file_name_part(test) + ".json"))
      .string();
}

std::string record_command_for_test(std::string_view arguments) {
  std::error_code ec;
  std::string self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (ec || self.empty()) self = "<test executable>";
  std::string command = "AZURE_TEST_MODE=record " + self;
  if (!arguments.empty()) command += " " + std::string(arguments);
  return command;
}

TestSession open_test(std::string fixture_path, TestOptions options) {
  return TestSession(std::move(fixture_path), std::move(options));
}

}  // namespace kv::harness
