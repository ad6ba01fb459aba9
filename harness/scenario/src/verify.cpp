// Verify: the recording against a live run of its scenario, compared by shape, never by value.
#include "kv/scenario/verify.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "kv/harness/internal/json_pointer.hpp"
#include "kv/harness/internal/operation.hpp"
#include "kv/scenario/discovery.hpp"
#include "kv/scenario/session_runner.hpp"

namespace kv::scenario {

namespace {

using harness::Diagnostic;
using harness::Entry;
using harness::Json;
using harness::Severity;

const std::vector<DriftKind> kDriftKinds = {
    {"field-added", Severity::Info, "a JSON field the recording does not have"},
    {"field-removed", Severity::Warning, "a recorded JSON field is absent live"},
    {"type-changed", Severity::Error,
     "a field (or the body) has another JSON type live: string, number, boolean, object, array, "
     "null; or no body"},
    {"enum-changed", Severity::Error, "recoveryLevel has another value live"},
    {"status-changed", Severity::Error, "another HTTP status live"},
    {"error-code-changed", Severity::Error, "another error code or innererror code live"},
    {"header-added", Severity::Info, "a response header the recording does not have"},
    {"header-removed", Severity::Warning, "a recorded response header is absent live"},
    {"exchange-missing", Severity::Error, "a recorded exchange the live run did not make"},
    {"exchange-extra", Severity::Error, "a live exchange the recording does not have"},
};

Severity severity_of(const std::string& id) {
  for (const auto& kind : kDriftKinds)
    if (id == kind.id) return kind.severity;
  return Severity::Error;
}

// Fields whose value is a closed set the client may branch on: a change of value is drift.
const std::set<std::string> kEnumFields = {"recoveryLevel"};

// Headers that vary with framing or the connection, not with what the service says.
bool volatile_header(std::string_view name) {
  static constexpr std::string_view kNames[] = {"Date", "Content-Length", "Transfer-Encoding",
                                                "Connection", "Keep-Alive"};
  return std::any_of(std::begin(kNames), std::end(kNames),
                     [&](std::string_view n) { return http::iequals(n, name); });
}

const char* json_type(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return "number";
    case Json::value_t::string:
      return "string";
    case Json::value_t::object:
      return "object";
    case Json::value_t::array:
      return "array";
    default:
      return "binary";
  }
}

const char* body_kind(const harness::Body& body) {
  switch (body.kind) {
    case harness::Body::Kind::None:
      return "no body";
    case harness::Body::Kind::Json:
      return "a JSON body";
    case harness::Body::Kind::Text:
      return "a text body";
    case harness::Body::Kind::Binary:
      return "a binary body";
  }
  return "no body";
}

std::string field(const std::string& key, const Json& value) {
  return "field \"" + key + "\" (" + json_type(value) + ")";
}

std::string operation_of(const Entry& e) {
  return std::string(harness::classify_operation(e.request_method, e.request_uri));
}

struct Comparer {
  const std::string& file;
  std::vector<Diagnostic>& out;
  std::string hint;

  void add(const std::string& id, std::string where, std::string expected, std::string found) {
    Diagnostic d;
    d.file = file;
    d.where = std::move(where);
    d.id = id;
    d.severity = severity_of(id);
    d.expected = std::move(expected);
    d.found = std::move(found);
    d.hint = hint;
    out.push_back(std::move(d));
  }

  // Every object of `array` at once: each key with the first element that has it, so that list
  // items that differ among themselves (some with contentType, some without) compare fairly.
  static std::vector<std::pair<std::string, std::pair<std::size_t, const Json*>>> union_of(
      const Json& array) {
    std::vector<std::pair<std::string, std::pair<std::size_t, const Json*>>> keys;
    for (std::size_t i = 0; i < array.size(); ++i) {
      if (!array[i].is_object()) continue;
      for (auto it = array[i].begin(); it != array[i].end(); ++it) {
        const bool seen = std::any_of(keys.begin(), keys.end(),
                                      [&](const auto& k) { return k.first == it.key(); });
        if (!seen) keys.push_back({it.key(), {i, &it.value()}});
      }
    }
    return keys;
  }

  void compare_array(const Json& recorded, const Json& live, const std::string& where) {
    if (recorded.empty() || live.empty()) return;  // how many items is a value, not a shape
    if (!recorded[0].is_object() || !live[0].is_object()) {
      compare_json(recorded[0], live[0], harness::child_pointer(where, "0"), "");
      return;
    }
    const auto old_keys = union_of(recorded);
    const auto new_keys = union_of(live);
    for (const auto& [key, at] : old_keys) {
      const std::string item = harness::child_pointer(where, std::to_string(at.first));
      auto match = std::find_if(new_keys.begin(), new_keys.end(),
                                [&, &key = key](const auto& k) { return k.first == key; });
      if (match == new_keys.end()) {
        add("field-removed", harness::child_pointer(item, key), field(key, *at.second), "absent");
      } else {
        compare_json(*at.second, *match->second.second, harness::child_pointer(item, key), key);
      }
    }
    for (const auto& [key, at] : new_keys) {
      const bool known = std::any_of(old_keys.begin(), old_keys.end(),
                                     [&, &key = key](const auto& k) { return k.first == key; });
      if (!known) {
        add("field-added", harness::child_pointer(harness::child_pointer(where, "0"), key),
            "absent", field(key, *at.second));
      }
    }
  }

  void compare_json(const Json& recorded, const Json& live, const std::string& where,
                    const std::string& key) {
    const std::string old_type = json_type(recorded);
    const std::string new_type = json_type(live);
    if (old_type != new_type) {
      add("type-changed", where, old_type, new_type);
      return;
    }
    if (recorded.is_string() && kEnumFields.count(key) && recorded != live) {
      add("enum-changed", where, harness::describe_json(recorded), harness::describe_json(live));
      return;
    }
    if (recorded.is_array()) {
      compare_array(recorded, live, where);
      return;
    }
    if (!recorded.is_object()) return;
    for (auto it = recorded.begin(); it != recorded.end(); ++it) {
      const std::string at = harness::child_pointer(where, it.key());
      auto match = live.find(it.key());
      if (match == live.end()) {
        add("field-removed", at, field(it.key(), it.value()), "absent");
      } else {
        compare_json(it.value(), *match, at, it.key());
      }
    }
    for (auto it = live.begin(); it != live.end(); ++it) {
      if (!recorded.contains(it.key()))
        add("field-added", harness::child_pointer(where, it.key()), "absent",
            field(it.key(), it.value()));
    }
  }

  static const Json* error_code(const Json& body, bool inner) {
    if (!body.is_object()) return nullptr;
    auto error = body.find("error");
    if (error == body.end() || !error->is_object()) return nullptr;
    if (inner) {
      auto innererror = error->find("innererror");
      if (innererror == error->end() || !innererror->is_object()) return nullptr;
      auto code = innererror->find("code");
      return code == innererror->end() ? nullptr : &*code;
    }
    auto code = error->find("code");
    return code == error->end() ? nullptr : &*code;
  }

  void compare_error_codes(const Json& recorded, const Json& live, const std::string& where) {
    for (const bool inner : {false, true}) {
      const Json* old_code = error_code(recorded, inner);
      const Json* new_code = error_code(live, inner);
      if (old_code == nullptr && new_code == nullptr) continue;
      if (old_code != nullptr && new_code != nullptr && *old_code == *new_code) continue;
      add("error-code-changed",
          where + (inner ? "/ResponseBody/error/innererror/code" : "/ResponseBody/error/code"),
          old_code ? harness::describe_json(*old_code) : "no code",
          new_code ? harness::describe_json(*new_code) : "no code");
    }
  }

  // Names in `headers` that `other` lacks, each once, volatile ones aside.
  static std::vector<std::string> lacking(const harness::HeaderList& headers,
                                          const harness::HeaderList& other) {
    std::vector<std::string> names;
    for (const auto [name, value] : headers) {
      if (volatile_header(name) || other.contains(name)) continue;
      const bool seen =
          std::any_of(names.begin(), names.end(),
                      [&, &name = name](const std::string& n) { return http::iequals(n, name); });
      if (!seen) names.emplace_back(name);
    }
    return names;
  }

  void compare_headers(const Entry& recorded, const Entry& live, const std::string& where) {
    for (const auto& name : lacking(recorded.response_headers, live.response_headers))
      add("header-removed", harness::child_pointer(where + "/ResponseHeaders", name),
          "header " + name, "absent");
    for (const auto& name : lacking(live.response_headers, recorded.response_headers))
      add("header-added", harness::child_pointer(where + "/ResponseHeaders", name), "absent",
          "header " + name);
  }

  void compare_entry(const Entry& recorded, std::size_t index, const Entry& live) {
    const std::string where = "/Entries/" + std::to_string(index);
    hint = "in " + operation_of(recorded) + " (" + recorded.request_method + ")";
    const bool both_json = recorded.response_body.kind == harness::Body::Kind::Json &&
                           live.response_body.kind == harness::Body::Kind::Json;
    if (recorded.status_code != live.status_code) {
      // The rest of an answer follows from its status: only the error codes are worth saying.
      add("status-changed", where + "/StatusCode", std::to_string(recorded.status_code),
          std::to_string(live.status_code));
      if (both_json)
        compare_error_codes(recorded.response_body.json(), live.response_body.json(), where);
      return;
    }
    if (recorded.response_body.kind != live.response_body.kind) {
      add("type-changed", where + "/ResponseBody", body_kind(recorded.response_body),
          body_kind(live.response_body));
    } else if (both_json) {
      const Json& old_body = recorded.response_body.json();
      const Json& new_body = live.response_body.json();
      const std::size_t before = out.size();
      compare_error_codes(old_body, new_body, where);
      // A changed code is the finding; its pointer is not repeated as a field difference.
      if (out.size() == before) compare_json(old_body, new_body, where + "/ResponseBody", "");
    }
    compare_headers(recorded, live, where);
  }
};

// A sequence: consecutive exchanges of one operation where every one but the last was "pending"
// (a poll or retry answer: 404 while a delete or recover completes, 409 while the name is busy,
// 429 or 5xx; or a page of a list with more to come) or had the same status as the one before.
// The last one is the answer it waited for.
struct Run {
  std::string operation;
  std::vector<std::size_t> entries;
};

bool pending(const Entry& e, const std::string& operation) {
  const int status = e.status_code;
  if (status == 404 || status == 409 || status == 429 || status >= 500) return true;
  const bool list = operation == "GetPropertiesOfSecrets" ||
                    operation == "GetPropertiesOfSecretVersions" ||
                    operation == "GetDeletedSecrets";
  return list && status == 200;
}

std::vector<Run> runs_of(const std::vector<Entry>& entries) {
  std::vector<Run> runs;
  bool open = false;  // the last run may still grow: its last exchange was pending
  for (std::size_t i = 0; i < entries.size(); ++i) {
    std::string operation = operation_of(entries[i]);
    if (operation == "GetToken") continue;  // the credential's business, not the vault's
    // A repeated answer (a step retried until it gave up, secrets created one after another)
    // is one answer however often it came.
    const bool repeated = !runs.empty() && runs.back().operation == operation &&
                          entries[runs.back().entries.back()].status_code == entries[i].status_code;
    if (!(open || repeated) || runs.back().operation != operation) runs.push_back({operation, {}});
    runs.back().entries.push_back(i);
    open = pending(entries[i], operation);
  }
  return runs;
}

std::string describe_exchange(const Entry& e, const std::string& operation) {
  return operation + " (" + e.request_method + ", " + std::to_string(e.status_code) + ")";
}

}  // namespace

const std::vector<DriftKind>& drift_kinds() {
  return kDriftKinds;
}

std::vector<Diagnostic> compare_shapes(const harness::Fixture& recorded,
                                       const std::vector<Entry>& live,
                                       const std::string& fixture_file) {
  const std::vector<Run> old_runs = runs_of(recorded.entries);
  const std::vector<Run> new_runs = runs_of(live);
  // Pair the sequences by operation in order (longest common subsequence), so that one missing
  // or extra exchange is reported once instead of shifting every pair after it.
  const std::size_t n = old_runs.size();
  const std::size_t m = new_runs.size();
  std::vector<std::vector<std::size_t>> lcs(n + 1, std::vector<std::size_t>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;) {
    for (std::size_t j = m; j-- > 0;) {
      lcs[i][j] = old_runs[i].operation == new_runs[j].operation
                      ? lcs[i + 1][j + 1] + 1
                      : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::vector<Diagnostic> out;
  Comparer compare{fixture_file, out, ""};
  std::size_t i = 0;
  std::size_t j = 0;
  auto extra = [&](const Run& run) {
    const std::size_t at = i < n ? old_runs[i].entries.front() : recorded.entries.size();
    const Entry& first = live[run.entries.front()];
    compare.hint = "";  // how often it repeated live depends on timing; the report must not
    compare.add("exchange-extra", "/Entries/" + std::to_string(at), "no exchange here",
                describe_exchange(first, run.operation));
  };
  auto missing = [&](const Run& run) {
    const Entry& first = recorded.entries[run.entries.front()];
    const std::size_t more = run.entries.size() - 1;
    compare.hint = more == 0 ? ""
                             : "with the " + std::to_string(more) + " " + run.operation +
                                   (more == 1 ? " exchange" : " exchanges") + " after it";
    compare.add("exchange-missing", "/Entries/" + std::to_string(run.entries.front()),
                describe_exchange(first, run.operation), "no such exchange live");
  };
  while (i < n || j < m) {
    if (i < n && j < m && old_runs[i].operation == new_runs[j].operation) {
      const Run& old_run = old_runs[i];
      const Run& new_run = new_runs[j];
      // Pending answers first (when both sides waited at all), then the final ones.
      if (old_run.entries.size() > 1 && new_run.entries.size() > 1) {
        compare.compare_entry(recorded.entries[old_run.entries.front()], old_run.entries.front(),
                              live[new_run.entries.front()]);
      }
      compare.compare_entry(recorded.entries[old_run.entries.back()], old_run.entries.back(),
                            live[new_run.entries.back()]);
      ++i;
      ++j;
    } else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      extra(new_runs[j++]);
    } else {
      missing(old_runs[i++]);
    }
  }
  return out;
}

std::size_t VerifySummary::count(Severity severity) const {
  std::size_t total = 0;
  for (const auto& s : scenarios)
    for (const auto& d : s.findings)
      if (d.severity == severity) ++total;
  return total;
}

std::size_t VerifySummary::unverified() const {
  return static_cast<std::size_t>(std::count_if(scenarios.begin(), scenarios.end(),
                                                [](const auto& s) { return !s.error.empty(); }));
}

namespace {
// Error is the most serious; the enum lists it first.
bool at_or_above(Severity severity, Severity threshold) {
  return static_cast<int>(severity) <= static_cast<int>(threshold);
}
}  // namespace

bool VerifySummary::fails(Severity fail_on) const {
  for (const auto& s : scenarios)
    for (const auto& d : s.findings)
      if (at_or_above(d.severity, fail_on)) return true;
  return false;
}

std::string format_drift_kinds() {
  std::string out;
  for (const auto& kind : drift_kinds()) {
    out += std::string(kind.id) + " (" + harness::to_string(kind.severity) + "): " + kind.summary +
           "\n";
  }
  return out;
}

ScenarioVerification verify_scenario(const Scenario& scenario, const VerifyOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  ScenarioVerification result;
  result.scenario_file = scenario.file;
  result.name = scenario.name;
  result.fixture_file = fixture_path_for(scenario.file, options.recordings_dir);
  harness::Fixture recorded;
  try {
    if (!std::filesystem::exists(result.fixture_file)) {
      result.error = "no recording to verify: " + result.fixture_file +
                     "\n  record it with: kvharness run --mode record " + scenario.file;
    } else {
      recorded = harness::load_fixture(result.fixture_file);
    }
  } catch (const std::exception& e) {
    result.error = e.what();
  }
  if (!result.error.empty()) {
    result.duration = std::chrono::steady_clock::now() - start;
    return result;
  }

  std::vector<Entry> live;
  SessionRunOptions run;
  run.mode = harness::Mode::Record;
  run.fixture_path = result.fixture_file;  // never written: the entries are captured instead
  run.target = options.target;
  run.localvault = options.localvault;
  run.captured = &live;
  run.sanitizer_permissions.allow_weaker_sanitizers = true;  // nothing is recorded over the fixture
  ScenarioResult ran = run_in_session(scenario, run);
  if (ran.status == Status::Failed) {
    if (live.empty() && !ran.error.empty()) {
      result.error = "the live run did not start: " + ran.error;
    } else {
      result.live_failure = ran.failure_message();
    }
  }
  if (result.error.empty()) result.findings = compare_shapes(recorded, live, result.fixture_file);
  result.duration = std::chrono::steady_clock::now() - start;
  return result;
}

namespace {

std::string plural(std::size_t n, const char* what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

}  // namespace

std::string format_verify_report(const VerifySummary& summary) {
  std::ostringstream out;
  for (const auto& s : summary.scenarios) {
    for (const auto& d : s.findings) out << d.message() << "\n";
  }
  for (const auto& s : summary.scenarios) {
    if (!s.error.empty()) {
      out << "FAIL " << s.name << ": not verified: " << s.error << "\n";
      continue;
    }
    std::size_t counts[3] = {0, 0, 0};
    for (const auto& d : s.findings) ++counts[static_cast<int>(d.severity)];
    if (s.findings.empty()) {
      out << "ok   " << s.name << ": no drift\n";
    } else {
      out << (counts[0] > 0 ? "DRIFT " : "note ") << s.name << ": " << plural(counts[0], "error")
          << ", " << plural(counts[1], "warning") << ", " << counts[2] << " info\n";
    }
    if (!s.live_failure.empty()) {
      std::string indented = s.live_failure;
      for (std::size_t at = 0; (at = indented.find('\n', at)) != std::string::npos; at += 5)
        indented.replace(at, 1, "\n    ");
      out << "  the scenario failed live: " << indented << "\n";
    }
  }
  const std::size_t errors = summary.count(Severity::Error);
  const std::size_t warnings = summary.count(Severity::Warning);
  const std::size_t infos = summary.count(Severity::Info);
  const std::size_t verified = summary.scenarios.size() - summary.unverified();
  if (errors + warnings + infos == 0) {
    out << "verified " << plural(verified, "scenario") << ": no drift";
  } else {
    out << "verified " << plural(verified, "scenario") << ": " << plural(errors, "error") << ", "
        << plural(warnings, "warning") << ", " << infos << " info";
  }
  if (summary.unverified() > 0) out << "; " << summary.unverified() << " not verified";
  out << "\n";
  return out.str();
}

}  // namespace kv::scenario
