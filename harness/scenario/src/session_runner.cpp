// The bridge between the scenario runner and the record/replay test session.
#include "kv/scenario/session_runner.hpp"

#include "kv/harness/test_session.hpp"

namespace kv::scenario {

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
    harness::TestOptions test;
    test.mode = options.mode;
    test.fixture = options.fixture;
    test.api_version = scenario.api_version;
    test.open_target = options.target;
    test.target.force_local_vault = true;
    test.target.localvault = options.localvault;
    if (!scenario.rules.is_null()) {
      test.rules_json = scenario.rules.dump();
      test.rules_origin = {scenario.file, "/rules"};
    }
    test.record_command = "kvharness run --mode record " + scenario.file;
    test.allow_weaker_sanitizers = options.allow_weaker_sanitizers;
    harness::TestSession session(options.fixture_path, std::move(test));

    RunContext context;
    context.client = session.shared_client();
    context.clock = session.session().clock();
    context.observer = options.observer;
    context.recorded_variable = [&session](const std::string& name,
                                           const std::function<std::string()>& generate) {
      return session.variable(name, generate);
    };
    ScenarioResult run = run_scenario(scenario, context);
    run.mode = result.mode;
    run.fixture = result.fixture;
    result = std::move(run);
    if (options.captured != nullptr) {
      *options.captured = session.session().recorded_entries();
    } else if (result.status == Status::Passed) {
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
