// The bridge between the scenario runner and the record/replay session.
#include "kv/scenario/session_runner.hpp"

#include <fstream>

#include <nlohmann/json.hpp>

#include "kv/secret_client.hpp"

namespace kv::scenario {
namespace {

// Reads only kvharness.apiVersion from a fixture file: a SAX pass that builds no DOM, because
// the session parses the whole fixture again anyway and parsing dominates replay time.
class ApiVersionReader final : public nlohmann::json::json_sax_t {
 public:
  std::string api_version;

  bool key(string_t& key) override {
    if (depth_ == 1) in_metadata_key_ = key == "kvharness";
    if (depth_ == 2 && in_metadata_) wanted_ = key == "apiVersion";
    return true;
  }
  bool start_object(std::size_t) override {
    if (depth_ == 1 && in_metadata_key_) in_metadata_ = true;
    ++depth_;
    return true;
  }
  bool end_object() override {
    if (--depth_ == 1) in_metadata_ = false;
    return true;
  }
  bool start_array(std::size_t) override {
    ++depth_;
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool string(string_t& value) override {
    if (depth_ == 2 && in_metadata_ && wanted_) api_version = value;
    wanted_ = false;
    return true;
  }
  bool null() override { return scalar(); }
  bool boolean(bool) override { return scalar(); }
  bool number_integer(number_integer_t) override { return scalar(); }
  bool number_unsigned(number_unsigned_t) override { return scalar(); }
  bool number_float(number_float_t, const string_t&) override { return scalar(); }
  bool binary(binary_t&) override { return scalar(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  bool scalar() {
    wanted_ = false;
    return true;
  }
  int depth_ = 0;
  bool in_metadata_key_ = false;
  bool in_metadata_ = false;
  bool wanted_ = false;
};

// The api-version a playback must use: the scenario's, else the one the fixture was recorded with.
std::string playback_api_version(const Scenario& scenario, const std::string& fixture_path) {
  if (scenario.api_version) return *scenario.api_version;
  std::ifstream in(fixture_path, std::ios::binary);
  ApiVersionReader reader;
  // An unreadable fixture is reported by the session with the full explanation.
  if (in && nlohmann::json::sax_parse(in, &reader) && !reader.api_version.empty()) {
    return reader.api_version;
  }
  return SecretClientOptions{}.ApiVersion;
}

}  // namespace

ScenarioResult run_in_session(const Scenario& scenario, const SessionRunOptions& options) {
  auto start = std::chrono::steady_clock::now();
  ScenarioResult result;
  result.file = scenario.file;
  result.name = scenario.name;
  result.mode = harness::to_string(options.mode);
  result.fixture = options.mode == harness::Mode::Live ? "" : options.fixture_path;
  auto fail = [&](const std::string& message) {
    result.status = Status::Failed;
    result.error = message;
    result.duration = std::chrono::steady_clock::now() - start;
    if (options.observer) options.observer->scenario_finished(result);
    return result;
  };

  try {
    harness::SessionOptions session_options;
    session_options.mode = options.mode;
    session_options.fixture_path = options.fixture_path;
    SecretClientOptions client_options;
    std::shared_ptr<TokenCredential> credential;
    if (options.mode == harness::Mode::Playback) {
      client_options.ApiVersion = playback_api_version(scenario, options.fixture_path);
      credential = std::make_shared<StaticTokenCredential>();
    } else {
      if (!options.target) return fail("no vault to talk to in " + result.mode + " mode");
      if (scenario.api_version) client_options.ApiVersion = *scenario.api_version;
      session_options.vault_url = options.target->vault_url;
      session_options.live_transport = options.target->transport;
      session_options.secrets_to_redact = options.target->secrets_to_redact;
      client_options.DisableChallengeResourceVerification =
          options.target->disable_challenge_verification;
      credential = options.target->credential;
    }
    session_options.api_version = client_options.ApiVersion;
    if (!scenario.rules.is_null()) session_options.rules_json = scenario.rules.dump();

    harness::Session session(session_options);
    client_options.Transport = session.transport();
    client_options.Clock = session.clock();
    auto client =
        std::make_shared<const SecretClient>(session.vault_url(), credential, client_options);

    RunContext context;
    context.client = client;
    context.clock = session.clock();
    context.observer = options.observer;
    context.recorded_variable = [&session](const std::string& name,
                                           const std::function<std::string()>& generate) {
      return session.variable(name, generate);
    };
    ScenarioResult run = run_scenario(scenario, context);
    run.mode = result.mode;
    run.fixture = result.fixture;
    result = std::move(run);
    if (result.status == Status::Passed) {
      try {
        session.finish();
      } catch (const std::exception& e) {
        result.status = Status::Failed;
        result.error = e.what();
      }
    }
    // A failed record run saves nothing: its exchanges are not a reference anyone should replay.
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  result.duration = std::chrono::steady_clock::now() - start;
  if (options.observer) options.observer->scenario_finished(result);
  return result;
}

}  // namespace kv::scenario
