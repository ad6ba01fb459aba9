// The bridge between the scenario runner and the record/replay test session.
#include "kv/scenario/session_runner.hpp"

#include "kv/harness/sanitizer.hpp"
#include "kv/harness/test_session.hpp"

#include <optional>

namespace kv::scenario {
namespace {

// Everything a step result shows, through the session's sanitizer: a failing step's actual value
// may hold the client secret or another registered secret, and reports must not show what the
// fixture redacts.
void scrub_record(const harness::Sanitizer& sanitizer, harness::Diagnostic& record) {
  harness::transform_texts(record, [&](std::string& text) { text = sanitizer.scrub(text); });
}

void scrub(const harness::Sanitizer& sanitizer, StepResult& step) {
  for (std::string* text : {&step.title, &step.at, &step.expected, &step.actual, &step.error}) {
    *text = sanitizer.scrub(*text);
  }
  for (auto& group : step.history) group.outcome = sanitizer.scrub(group.outcome);
  if (step.cause) scrub_record(sanitizer, *step.cause);
}

void scrub(const harness::Sanitizer& sanitizer, ScenarioResult& result) {
  for (auto& step : result.steps) scrub(sanitizer, step);
  result.error = sanitizer.scrub(result.error);
  if (result.cause) scrub_record(sanitizer, *result.cause);
}

// Forwards step events with their texts scrubbed (the console prints them as they come).
class ScrubbingObserver final : public RunObserver {
 public:
  ScrubbingObserver(RunObserver& inner, std::shared_ptr<const harness::Sanitizer> sanitizer)
      : inner_(inner), sanitizer_(std::move(sanitizer)) {}
  void scenario_started(const Scenario& scenario) override { inner_.scenario_started(scenario); }
  void step_finished(const Scenario& scenario, const StepResult& step) override {
    StepResult copy = step;
    scrub(*sanitizer_, copy);
    inner_.step_finished(scenario, copy);
  }
  void scenario_finished(const ScenarioResult& result) override {
    inner_.scenario_finished(result);
  }

 private:
  RunObserver& inner_;
  std::shared_ptr<const harness::Sanitizer> sanitizer_;
};

}  // namespace

ScenarioResult run_in_session(const Scenario& scenario, const SessionRunOptions& options) {
  auto start = std::chrono::steady_clock::now();
  ScenarioResult result;
  result.file = scenario.file;
  result.name = scenario.name;
  result.mode = harness::to_string(options.mode);
  result.fixture = options.mode == harness::Mode::Live ? "" : options.fixture_path;
  std::shared_ptr<const harness::Sanitizer> sanitizer;
  auto fail = [&](const std::exception& error) {
    result.status = Status::Failed;
    result.error = error.what();
    result.cause = harness::diagnostic_or_text(error, "scenario-error");
    if (sanitizer) scrub(*sanitizer, result);
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
    test.sanitizer_permissions = options.sanitizer_permissions;
    harness::TestSession session(options.fixture_path, std::move(test));
    sanitizer = session.session().sanitizer();
    std::optional<ScrubbingObserver> scrubbing;
    if (options.observer) scrubbing.emplace(*options.observer, sanitizer);

    RunContext context;
    context.client = session.shared_client();
    context.clock = session.session().clock();
    context.observer = scrubbing ? &*scrubbing : nullptr;
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
        result.cause = harness::diagnostic_or_text(e, "scenario-error");
      }
    }
    // A failed record run saves nothing: its exchanges are not a reference anyone should replay.
    scrub(*sanitizer, result);
  } catch (const std::exception& e) {
    return fail(e);
  }
  result.duration = std::chrono::steady_clock::now() - start;
  if (options.observer) options.observer->scenario_finished(result);
  return result;
}

}  // namespace kv::scenario
