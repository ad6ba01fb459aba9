// Reporters: the console (progress and summary), JUnit XML and a JSON document.
#pragma once

#include <ostream>
#include <string>

#include "kv/scenario/result.hpp"
#include "kv/scenario/runner.hpp"

namespace kv::scenario {

/// Prints one line per scenario as it finishes (and per step when verbose), the failure
/// details, and a summary.
class ConsoleReporter final : public RunObserver {
 public:
  /// How much it prints as the run goes.
  enum class Detail {
    Scenarios,  ///< a line per scenario, the failures and the summary
    Steps,      ///< also a line per step (`kvharness run --verbose`)
  };
  explicit ConsoleReporter(std::ostream& out, Detail detail = Detail::Scenarios)
      : out_(out), verbose_(detail == Detail::Steps) {}
  /// The header line: mode and scenario count.
  void start(const std::string& mode, std::size_t scenario_count);
  void step_finished(const Scenario& scenario, const StepResult& step) override;
  void scenario_finished(const ScenarioResult& result) override;
  /// The closing summary line.
  void summary(const RunSummary& summary);

 private:
  std::ostream& out_;
  bool verbose_;
};

/// The run as JUnit XML (testsuites/testsuite/testcase, failures with their message).
std::string to_junit_xml(const RunSummary& summary, const std::string& mode);
/// The run as a JSON document (for tools).
std::string to_json_report(const RunSummary& summary, const std::string& mode);

}  // namespace kv::scenario
