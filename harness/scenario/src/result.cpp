// Result summaries and failure messages.
#include "kv/scenario/result.hpp"

namespace kv::scenario {
std::string StepResult::history_text() const {
  std::string text;
  for (const auto& group : history) {
    if (!text.empty()) text += "; ";
    if (group.first == group.last) {
      text += "attempt " + std::to_string(group.first);
    } else {
      text += "attempts " + std::to_string(group.first) + "\u2013" + std::to_string(group.last);
    }
    text += ": " + group.outcome;
  }
  return text;
}

const char* to_string(Status status) {
  switch (status) {
    case Status::Passed:
      return "passed";
    case Status::Failed:
      return "failed";
    case Status::Skipped:
      return "skipped";
  }
  return "?";
}

harness::Diagnostic StepResult::record(const std::string& file) const {
  harness::Diagnostic d;
  d.file = file;
  d.title = "step " + pointer + " (" + to_string(operation);
  if (!title.empty()) d.title += " \"" + title + "\"";
  if (repetition) d.title += ", repetition " + std::to_string(*repetition);
  d.title += ") failed";
  if (attempts > 1) d.title += " after " + std::to_string(attempts) + " attempts";
  // The last outcome alone can hide the cause: a check that failed once, then conflicts.
  if (!history.empty()) d.notes.push_back({"attempts", history_text()});
  if (cause || !error.empty()) {
    d.causes.push_back(cause ? *cause : harness::text_diagnostic(error, "harness-error"));
    d.id = d.causes.back().id;
    return d;
  }
  d.id = "expectation-failed";
  d.where = at;
  d.expected = expected;
  d.found = actual;
  d.found_label = "actual";
  return d;
}

std::optional<harness::Diagnostic> ScenarioResult::failure_record() const {
  if (cause || !error.empty()) {
    harness::Diagnostic d = cause ? *cause : harness::text_diagnostic(error, "scenario-error");
    if (d.file.empty()) d.file = file;
    return d;
  }
  for (const auto& step : steps) {
    if (step.status == Status::Failed) return step.record(file);
  }
  return std::nullopt;
}

std::string ScenarioResult::failure_message() const {
  const auto record = failure_record();
  if (!record) return "";
  // Every failure message starts with the scenario it is about.
  if (record->file == file && record->file_label.empty()) return record->message();
  return file + ": " + record->message();
}

int RunSummary::passed() const {
  int n = 0;
  for (const auto& s : scenarios) n += s.status == Status::Passed ? 1 : 0;
  return n;
}

int RunSummary::failed() const {
  int n = 0;
  for (const auto& s : scenarios) n += s.status == Status::Failed ? 1 : 0;
  return n;
}

}  // namespace kv::scenario
