// Console output of a run. Stable layout: tests compare it with golden files.
#include <chrono>

#include "kv/harness/diagnostic.hpp"
#include "kv/scenario/reporters.hpp"

namespace kv::scenario {
namespace {

long long milliseconds(std::chrono::nanoseconds d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace

void ConsoleReporter::start(const std::string& mode, std::size_t scenario_count) {
  out_ << "kvharness: " << mode << ", " << scenario_count
       << (scenario_count == 1 ? " scenario" : " scenarios") << "\n";
}

void ConsoleReporter::step_finished(const Scenario&, const StepResult& step) {
  if (!verbose_) return;
  out_ << "    "
       << (step.status == Status::Passed   ? "ok  "
           : step.status == Status::Failed ? "FAIL"
                                           : "skip")
       << " " << step.pointer;
  if (step.repetition) out_ << "#" << *step.repetition;
  out_ << " " << to_string(step.operation);
  if (!step.title.empty()) out_ << " \"" << step.title << "\"";
  if (step.attempts > 1) out_ << " (" << step.attempts << " attempts)";
  out_ << "\n";
}

void ConsoleReporter::scenario_finished(const ScenarioResult& result) {
  std::size_t passed = 0;
  for (const auto& s : result.steps) passed += s.status == Status::Passed ? 1 : 0;
  out_ << (result.status == Status::Passed ? "  PASS " : "  FAIL ") << result.name << "  ("
       << result.file << ", " << passed << "/" << result.steps.size() << " steps, "
       << milliseconds(result.duration) << " ms)\n";
  if (result.status == Status::Failed)
    out_ << harness::indent_lines(result.failure_message(), "       ") << "\n";
  out_.flush();
}

void ConsoleReporter::summary(const RunSummary& summary) {
  std::size_t total = summary.scenarios.size();
  out_ << "\n"
       << summary.passed() << " passed, " << summary.failed() << " failed (" << total
       << (total == 1 ? " scenario" : " scenarios") << ") in " << milliseconds(summary.duration)
       << " ms\n";
}

}  // namespace kv::scenario
