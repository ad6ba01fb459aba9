// Runs a parsed scenario against a SecretClient: variables, steps, retries, captures, cleanup.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "kv/clock.hpp"
#include "kv/scenario/result.hpp"
#include "kv/scenario/scenario.hpp"
#include "kv/secret_client.hpp"

namespace kv::scenario {

/// Progress callbacks; reporters implement what they need.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  /// A scenario is about to run.
  virtual void scenario_started(const Scenario&) {}
  /// A step (or one repetition of it) finished.
  virtual void step_finished(const Scenario&, const StepResult&) {}
  /// A scenario finished (after its session was closed).
  virtual void scenario_finished(const ScenarioResult&) {}
};

/// What a run needs from its surroundings.
struct RunContext {
  std::shared_ptr<const SecretClient> client;
  /// Pauses, retry intervals and poll intervals go through this clock.
  std::shared_ptr<Clock> clock;
  /// Provides recorded variables: called with the variable's name and a generator.
  std::function<std::string(const std::string&, const std::function<std::string()>&)>
      recorded_variable;
  /// Optional; receives step events.
  RunObserver* observer = nullptr;
};

/// Runs `scenario`: all steps in order until one fails, then every cleanup step. Never throws for
/// a failing step; the result carries the failure.
ScenarioResult run_scenario(const Scenario& scenario, const RunContext& context);

}  // namespace kv::scenario
