// JUnit XML and JSON reports, written atomically.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "kv/harness/internal/utf8.hpp"
#include "kv/scenario/reporters.hpp"
#include "kv/scenario/verify.hpp"

namespace kv::scenario {
namespace {

std::string seconds(std::chrono::nanoseconds d) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(3) << std::chrono::duration<double>(d).count();
  return out.str();
}

// XML 1.0 forbids most control characters even as references, U+FFFE and U+FFFF, and bytes
// that are not UTF-8 (a recorded body may hold any); they all become U+FFFD.
std::string xml_escape(const std::string& raw) {
  std::string text = harness::to_valid_utf8(raw);
  for (const char* noncharacter : {"\xEF\xBF\xBE", "\xEF\xBF\xBF"}) {
    for (std::size_t at = 0; (at = text.find(noncharacter, at)) != std::string::npos; at += 3) {
      text.replace(at, 3, "\xEF\xBF\xBD");
    }
  }
  std::string out;
  for (unsigned char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          out += "\xEF\xBF\xBD";
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

std::string classname(const ScenarioResult& r) {
  std::string stem = std::filesystem::path(r.file).stem().string();
  return "scenarios." + stem;
}

}  // namespace

std::string to_junit_xml(const RunSummary& summary, const std::string& mode) {
  std::ostringstream out;
  int failures = summary.failed();
  int tests = static_cast<int>(summary.scenarios.size());
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"kvharness\" tests=\"" << tests << "\" failures=\"" << failures
      << "\" errors=\"0\" time=\"" << seconds(summary.duration) << "\">\n";
  out << "  <testsuite name=\"kvharness." << xml_escape(mode) << "\" tests=\"" << tests
      << "\" failures=\"" << failures << "\" errors=\"0\" skipped=\"0\" time=\""
      << seconds(summary.duration) << "\">\n";
  for (const auto& r : summary.scenarios) {
    out << "    <testcase name=\"" << xml_escape(r.name) << "\" classname=\""
        << xml_escape(classname(r)) << "\" file=\"" << xml_escape(r.file) << "\" time=\""
        << seconds(r.duration) << "\"";
    if (r.status != Status::Failed) {
      out << "/>\n";
      continue;
    }
    // The record's id as the failure's type ("expectation-failed", "playback-miss", ...); the
    // text holds every field of the record, as the console shows it.
    const auto record = r.failure_record();
    const std::string message = r.failure_message();
    out << ">\n      <failure message=\"" << xml_escape(first_line(message)) << "\" type=\""
        << xml_escape(record ? record->id : "harness-error") << "\">" << xml_escape(message)
        << "</failure>\n    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
  return out.str();
}

std::string to_json_report(const RunSummary& summary, const std::string& mode) {
  using nlohmann::ordered_json;
  ordered_json scenarios = ordered_json::array();
  for (const auto& r : summary.scenarios) {
    ordered_json steps = ordered_json::array();
    for (const auto& s : r.steps) {
      ordered_json step = {{"pointer", s.pointer},
                           {"op", to_string(s.operation)},
                           {"status", to_string(s.status)},
                           {"attempts", s.attempts}};
      if (!s.title.empty()) step["title"] = s.title;
      if (s.repetition) step["repetition"] = *s.repetition;
      if (s.cleanup) step["cleanup"] = true;
      if (!s.at.empty()) step["at"] = s.at;
      if (!s.expected.empty()) step["expected"] = s.expected;
      if (!s.actual.empty()) step["actual"] = s.actual;
      if (!s.error.empty()) step["error"] = s.error;
      if (s.status == Status::Failed) step["diagnostic"] = harness::to_json(s.record(r.file));
      if (!s.history.empty()) {
        ordered_json history = ordered_json::array();
        for (const auto& group : s.history) {
          history.push_back(
              {{"first", group.first}, {"last", group.last}, {"outcome", group.outcome}});
        }
        step["history"] = std::move(history);
      }
      steps.push_back(std::move(step));
    }
    ordered_json item = {
        {"name", r.name},
        {"file", r.file},
        {"fixture", r.fixture},
        {"status", to_string(r.status)},
        {"durationMs", std::chrono::duration<double, std::milli>(r.duration).count()}};
    if (r.status == Status::Failed) {
      item["failure"] = r.failure_message();
      if (const auto record = r.failure_record()) item["diagnostic"] = harness::to_json(*record);
    }
    item["steps"] = std::move(steps);
    scenarios.push_back(std::move(item));
  }
  ordered_json doc = {
      {"mode", mode},
      {"passed", summary.passed()},
      {"failed", summary.failed()},
      {"durationMs", std::chrono::duration<double, std::milli>(summary.duration).count()},
      {"scenarios", std::move(scenarios)}};
  // Invalid UTF-8 (from a recorded body) becomes U+FFFD rather than an exception: the report is
  // always written.
  return doc.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

std::string verify_junit_xml(const VerifySummary& summary, harness::Severity fail_on) {
  auto failed = [&](const ScenarioVerification& s) {
    if (!s.error.empty()) return true;
    return std::any_of(s.findings.begin(), s.findings.end(), [&](const harness::Diagnostic& d) {
      return static_cast<int>(d.severity) <= static_cast<int>(fail_on);
    });
  };
  const auto failures = std::count_if(summary.scenarios.begin(), summary.scenarios.end(), failed);
  const std::size_t tests = summary.scenarios.size();
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"kvharness\" tests=\"" << tests << "\" failures=\"" << failures
      << "\" errors=\"0\" time=\"" << seconds(summary.duration) << "\">\n";
  out << "  <testsuite name=\"kvharness.verify\" tests=\"" << tests << "\" failures=\"" << failures
      << "\" errors=\"0\" skipped=\"0\" time=\"" << seconds(summary.duration) << "\">\n";
  for (const auto& s : summary.scenarios) {
    const std::string stem = std::filesystem::path(s.scenario_file).stem().string();
    out << "    <testcase name=\"" << xml_escape(s.name) << "\" classname=\"verify."
        << xml_escape(stem) << "\" file=\"" << xml_escape(s.scenario_file) << "\" time=\""
        << seconds(s.duration) << "\"";
    if (!failed(s)) {
      out << "/>\n";
      continue;
    }
    const std::string message = s.error.empty() ? harness::format_diagnostics(s.findings) : s.error;
    out << ">\n      <failure message=\"" << xml_escape(first_line(message)) << "\" type=\""
        << (s.error.empty() ? "drift" : "harness") << "\">" << xml_escape(message)
        << "</failure>\n    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
  return out.str();
}

std::string verify_json_report(const VerifySummary& summary) {
  using nlohmann::ordered_json;
  ordered_json scenarios = ordered_json::array();
  ordered_json findings = ordered_json::array();
  for (const auto& s : summary.scenarios) {
    ordered_json item = {{"name", s.name},
                         {"file", s.scenario_file},
                         {"fixture", s.fixture_file},
                         {"findings", s.findings.size()}};
    if (!s.error.empty()) item["error"] = s.error;
    if (!s.live_failure.empty()) item["liveFailure"] = s.live_failure;
    scenarios.push_back(std::move(item));
    for (const auto& d : s.findings) findings.push_back(harness::to_json(d));
  }
  ordered_json doc = {{"scenarios", std::move(scenarios)},
                      {"unverified", summary.unverified()},
                      {"errors", summary.count(harness::Severity::Error)},
                      {"warnings", summary.count(harness::Severity::Warning)},
                      {"infos", summary.count(harness::Severity::Info)},
                      {"findings", std::move(findings)}};
  return doc.dump(2) + "\n";
}

}  // namespace kv::scenario
