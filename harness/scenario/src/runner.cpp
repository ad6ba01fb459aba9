// The scenario runner: variables, then steps until the first failure, then every cleanup step.
#include "kv/scenario/runner.hpp"

#include "kv/harness/internal/random.hpp"

#include <cstdlib>
#include <random>

#include "kv/scenario/checks.hpp"
#include "kv/scenario/executor.hpp"
#include "kv/scenario/variables.hpp"

namespace kv::scenario {
namespace {

using Steady = std::chrono::steady_clock;

class ScenarioRun {
 public:
  ScenarioRun(const Scenario& scenario, const RunContext& context)
      : scenario_(scenario), context_(context), executor_(context.client, context.clock) {}

  ScenarioResult run() {
    auto start = Steady::now();
    result_.file = scenario_.file;
    result_.name = scenario_.name;
    try {
      define_variables();
    } catch (const std::exception& e) {
      result_.error = std::string("variables: ") + e.what();
      result_.status = Status::Failed;
      return finish(start);
    }
    bool failed = false;
    for (const auto& step : scenario_.steps) {
      if (failed) {
        StepResult skipped = base(step);
        skipped.status = Status::Skipped;
        report(skipped);
        continue;
      }
      failed = !run_step(step);
    }
    for (const auto& step : scenario_.cleanup) {
      if (!run_step(step)) failed = true;
    }
    result_.status = failed ? Status::Failed : Status::Passed;
    return finish(start);
  }

 private:
  ScenarioResult finish(Steady::time_point start) {
    result_.duration = Steady::now() - start;
    return std::move(result_);
  }

  void define_variables() {
    for (const auto& def : scenario_.variables) {
      switch (def.kind) {
        case VariableKind::Literal:
          variables_.set(def.name, variables_.substitute(def.value));
          break;
        case VariableKind::Random: {
          std::string prefix = def.value;
          int length = def.random_length;
          variables_.set(def.name, context_.recorded_variable(def.name, [prefix, length] {
            return prefix + harness::random_suffix(static_cast<std::size_t>(length));
          }));
          break;
        }
        case VariableKind::Env: {
          const VariableDef* d = &def;
          variables_.set(def.name, context_.recorded_variable(def.name, [d] {
            const char* value = std::getenv(d->value.c_str());
            if (value != nullptr) return std::string(value);
            if (d->fallback) return *d->fallback;
            throw std::runtime_error("variable \"" + d->name +
                                     "\" needs the environment variable " + d->value +
                                     ", which is not set (" + d->pointer + ")");
          }));
          break;
        }
      }
    }
  }

  StepResult base(const Step& step) const {
    StepResult r;
    r.pointer = step.pointer;
    r.operation = step.operation;
    r.title = step.title;
    r.cleanup = step.cleanup;
    return r;
  }

  void report(const StepResult& r) {
    result_.steps.push_back(r);
    if (context_.observer) context_.observer->step_finished(scenario_, r);
  }

  bool run_step(const Step& step) {
    int count = step.repeat ? step.repeat->count : 1;
    for (int i = 0; i < count; ++i) {
      StepResult r = base(step);
      if (step.repeat) {
        r.repetition = i;
        variables_.set(step.repeat->index, std::to_string(i));
      }
      auto start = Steady::now();
      run_attempts(step, r);
      // A step that ran once keeps no history: its outcome is the step's own.
      if (r.attempts <= 1) r.history.clear();
      r.duration = Steady::now() - start;
      report(r);
      if (r.status == Status::Failed) return false;
    }
    return true;
  }

  void run_attempts(const Step& step, StepResult& r) {
    int attempts = step.retry ? step.retry->attempts : 1;
    for (int attempt = 1; attempt <= attempts; ++attempt) {
      r.attempts = attempt;
      Outcome outcome;
      try {
        outcome = executor_.execute(step.operation, variables_.substitute_json(step.args));
      } catch (const UnknownVariableError& e) {
        // A cleanup step that needs a value an earlier, failed step never captured has nothing
        // to clean up.
        r.status = step.cleanup ? Status::Skipped : Status::Failed;
        r.error = e.what();
        return;
      } catch (const std::exception& e) {
        // Playback misses, transport failures and bad argument values are not retried: repeating
        // them cannot change the answer.
        r.status = Status::Failed;
        r.error = e.what();
        r.cause = harness::diagnostic_or_text(e, "harness-error");
        note_attempt(r, attempt, "no answer: " + first_line(r.error));
        return;
      }
      std::optional<Mismatch> mismatch;
      try {
        mismatch = evaluate(step.expect, outcome, variables_, step.pointer);
      } catch (const UnknownVariableError& e) {
        r.status = Status::Failed;
        r.error = e.what();
        return;
      }
      note_attempt(r, attempt, summarize_attempt(outcome, mismatch));
      if (!mismatch) {
        capture(step, outcome, r);
        return;
      }
      r.status = Status::Failed;
      r.at = mismatch->pointer;
      r.expected = mismatch->expected;
      r.actual = mismatch->actual;
      if (attempt < attempts) context_.clock->sleep_for(step.retry->interval);
    }
  }

  static std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

  // Adds an attempt's outcome to the step's history, grouped with the previous one when equal.
  static void note_attempt(StepResult& r, int attempt, std::string outcome) {
    auto& history = r.history;
    if (!history.empty() && history.back().outcome == outcome) {
      history.back().last = attempt;
    } else {
      history.push_back(AttemptGroup{attempt, attempt, std::move(outcome)});
    }
  }

  void capture(const Step& step, const Outcome& outcome, StepResult& r) {
    r.status = Status::Passed;
    for (const auto& c : step.captures) {
      auto value = find_field(outcome.result, c.field);
      if (!value || value->is_null()) {
        r.status = Status::Failed;
        r.at = c.pointer;
        r.expected = "a value for \"" + c.field + "\" to capture into " + c.variable;
        r.actual = "no such field in the result";
        return;
      }
      variables_.set(c.variable, field_to_text(*value));
    }
    r.at.clear();
    r.expected.clear();
    r.actual.clear();
  }

  const Scenario& scenario_;
  const RunContext& context_;
  Executor executor_;
  Variables variables_;
  ScenarioResult result_;
};

}  // namespace

ScenarioResult run_scenario(const Scenario& scenario, const RunContext& context) {
  if (context.observer) context.observer->scenario_started(scenario);
  return ScenarioRun(scenario, context).run();
}

}  // namespace kv::scenario
