// Result summaries and failure messages.
#include "kv/scenario/result.hpp"

namespace kv::scenario {
namespace {

std::string indent(const std::string& text, const std::string& prefix) {
  std::string out = prefix;
  for (char c : text) {
    out += c;
    if (c == '\n') out += prefix;
  }
  return out;
}

}  // namespace

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

std::string ScenarioResult::failure_message() const {
  if (!error.empty()) return file + ": " + error;
  for (const auto& step : steps) {
    if (step.status != Status::Failed) continue;
    std::string text = file + ": step " + step.pointer + " (" + to_string(step.operation);
    if (!step.title.empty()) text += " \"" + step.title + "\"";
    if (step.repetition) text += ", repetition " + std::to_string(*step.repetition);
    text += ") failed";
    if (step.attempts > 1) text += " after " + std::to_string(step.attempts) + " attempts";
    // The last outcome alone can hide the cause: a check that failed once, then conflicts.
    const std::string attempts = step.history.empty() ? "" : "\n  attempts: " + step.history_text();
    if (!step.error.empty()) return text + ":" + attempts + "\n" + indent(step.error, "  ");
    text += attempts;
    text += "\n  at:       " + step.at;
    text += "\n  expected: " + step.expected;
    text += "\n  actual:   " + step.actual;
    return text;
  }
  return "";
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
