// The bridge between the scenario runner and the record/replay session.
#include "kv/scenario/session_runner.hpp"

#include "kv/harness/fixture.hpp"
#include "kv/secret_client.hpp"

namespace kv::scenario {
namespace {

// The api-version a playback must use: the scenario's, else the one the fixture was recorded with.
std::string playback_api_version(const Scenario& scenario, const std::string& fixture_path) {
  if (scenario.api_version) return *scenario.api_version;
  try {
    auto fixture = harness::load_fixture(fixture_path);
    if (!fixture.metadata.api_version.empty()) return fixture.metadata.api_version;
  } catch (const std::exception&) {
    // The session reports an unreadable fixture with the full explanation.
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
