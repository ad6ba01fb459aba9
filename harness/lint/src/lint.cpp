// Lint's driver: the rule table, the fixture read as a trace of operations, and where findings
// point in the file.
#include "kv/harness/lint.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "kv/harness/internal/operation.hpp"
#include "kv/url.hpp"
#include "lint_trace.hpp"

namespace kv::harness {

const std::vector<LintRule>& lint_rules() {
  static const std::vector<LintRule> rules = {
      {"unexpected-status", Severity::Error,
       "a successful answer has the operation's status: 204 for a purge, 200 for the rest"},
      {"response-body", Severity::Error,
       "a purge's 204 has no body; every other successful answer has a JSON object body"},
      {"missing-field", Severity::Error,
       "a bundle has id and attributes (and value for set and get), a deleted bundle also "
       "recoveryId, deletedDate and scheduledPurgeDate, a backup its value, a page its value list"},
      {"unexpected-field", Severity::Error,
       "deleted bundles and list items never carry a secret value"},
      {"wrong-type", Severity::Error,
       "ids and values are strings, attributes an object, enabled a boolean, dates integer "
       "seconds, nextLink a string or null"},
      {"id-mismatch", Severity::Error,
       "an id names the requested secret (and version); a recoveryId is /deletedsecrets/{name}; "
       "a restore answers with the name that was backed up"},
      {"error-body", Severity::Error, "an error answer with a JSON body carries error.code"},
      {"purge-date", Severity::Error,
       "scheduledPurgeDate - deletedDate == recoverableDays * 86400"},
      {"recovery-level", Severity::Error,
       "recoveryLevel is a known level and fits recoverableDays (Recoverable: 90, "
       "CustomizedRecoverable: 7-89, Purgeable: 0)"},
      {"date-order", Severity::Error,
       "within a bundle created <= updated <= deletedDate < scheduledPurgeDate"},
      {"secret-not-active", Severity::Error,
       "get, update, backup and delete succeed only on an active secret, not on a name the trace "
       "has absent, deleted or purged"},
      {"active-secret-not-found", Severity::Error,
       "get (latest), backup and delete of a secret the trace has active do not answer 404"},
      {"set-on-deleted-name", Severity::Error,
       "a set on a name that is deleted (or being deleted) answers 409, never success"},
      {"no-deleted-secret", Severity::Error,
       "get deleted, purge and recover succeed only on a deleted secret, not on one the trace has "
       "active, purged or recovered"},
      {"deleted-secret-not-found", Severity::Error,
       "get deleted, purge and recover of a secret the trace has deleted do not answer 404"},
      {"unexpected-conflict", Severity::Error,
       "a 409 fits the name's state: ObjectIsBeingDeleted while deleting or purging, "
       "ObjectIsDeletedButRecoverable when deleted, ObjectIsBeingRecovered while recovering"},
      {"restore-onto-existing", Severity::Error, "a restore succeeds only onto an absent name"},
      {"version-not-seen", Severity::Error,
       "a version used in a successful request of a secret created in the trace appeared in an "
       "earlier response"},
      {"next-link-not-offered", Severity::Error,
       "a page request ($skiptoken) is the nextLink of the previous page of the same list"},
      {"poll-unfinished", Severity::Warning,
       "repeated polls after a delete or recover end in the state they waited for (200 or 403)"},
      {"date-went-backwards", Severity::Error,
       "the times of new events (a set's created, a delete's deletedDate) never decrease"},
      {"version-created-changed", Severity::Error,
       "a version keeps its created date in every response"},
      {"no-secrets-traffic", Severity::Info,
       "nothing in the fixture is a secrets operation, so nothing was judged"},
  };
  return rules;
}

bool lint_fails(const std::vector<Diagnostic>& diagnostics, Severity fail_at) {
  // Severity runs from the most serious (Error) to the least (Info).
  return std::any_of(diagnostics.begin(), diagnostics.end(), [&](const Diagnostic& d) {
    return static_cast<int>(d.severity) <= static_cast<int>(fail_at);
  });
}

namespace detail {

std::string to_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

namespace {

TraceStep read_step(const Entry& entry, std::size_t index) {
  TraceStep step;
  step.index = index;
  step.entry = &entry;
  step.status = entry.status_code;
  step.op = classify_operation(entry.request_method, entry.request_uri);
  step.response_bytes = !entry.response_body.empty();
  if (entry.response_body.kind == Body::Kind::Json && entry.response_body.json().is_object())
    step.response = &entry.response_body.json();
  if (entry.request_body.kind == Body::Kind::Json && entry.request_body.json().is_object())
    step.request = &entry.request_body.json();
  if (step.op == "Unknown" || step.op == "GetToken") return step;
  Url url;
  try {
    url = Url(entry.request_uri);
  } catch (const std::invalid_argument&) {
    step.op = "Unknown";  // A relative or broken URI: the operation cannot be judged.
    return step;
  }
  const auto segments = url.path_segments();
  const bool named = segments.size() >= 2 && step.op != "RestoreSecret";
  if (named) {
    step.name = segments[1];
    step.key = to_lower(step.name);
  }
  // "/secrets/{name}/{version}"; an empty version or "/" (the C++ SDK's %2F) is the latest.
  if ((step.op == "GetSecret" || step.op == "UpdateSecretProperties") && segments.size() >= 3 &&
      segments[2] != "/")
    step.version = segments[2];
  if (step.op == "GetPropertiesOfSecrets" || step.op == "GetDeletedSecrets" ||
      step.op == "GetPropertiesOfSecretVersions") {
    std::string path = to_lower(url.path());
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    step.collection = path;
    step.next_page = url.query_value("$skiptoken") != nullptr;
  }
  return step;
}

}  // namespace

std::vector<TraceStep> read_trace(const Fixture& fixture) {
  std::vector<TraceStep> trace;
  trace.reserve(fixture.entries.size());
  for (std::size_t i = 0; i < fixture.entries.size(); ++i)
    trace.push_back(read_step(fixture.entries[i], i));
  return trace;
}

bool informative(int status) {
  return (status >= 200 && status < 300) || status == 403 || status == 404 || status == 409;
}

std::string inner_error(const Json* body) {
  if (body == nullptr) return "";
  auto error = body->find("error");
  if (error == body->end() || !error->is_object()) return "";
  auto inner = error->find("innererror");
  if (inner == error->end() || !inner->is_object()) return "";
  auto code = inner->find("code");
  return code != inner->end() && code->is_string() ? code->get<std::string>() : "";
}

std::optional<std::int64_t> seconds_at(const Json& object, std::string_view key) {
  // Beyond ±10^13 s (300,000 years) a date is not a date; leaving it out also keeps the
  // arithmetic on dates free of overflow.
  constexpr std::int64_t kLimit = 10'000'000'000'000;
  auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  std::int64_t value = 0;
  if (it->is_number_unsigned()) {
    if (it->get<std::uint64_t>() > static_cast<std::uint64_t>(kLimit)) return std::nullopt;
    value = static_cast<std::int64_t>(it->get<std::uint64_t>());
  } else if (it->is_number_integer()) {
    value = it->get<std::int64_t>();
  } else if (it->is_string()) {
    const auto& text = it->get_ref<const std::string&>();
    if (text.empty() || text.size() > 14 ||
        text.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    value = std::stoll(text);
  } else {
    return std::nullopt;
  }
  if (value > kLimit || value < -kLimit) return std::nullopt;
  return value;
}

IdParts parse_id(const Json& value) {
  IdParts parts;
  if (!value.is_string()) return parts;
  Url url;
  try {
    url = Url(value.get_ref<const std::string&>());
  } catch (const std::invalid_argument&) {
    return parts;  // "Sanitized" and other placeholders
  }
  const auto segments = url.path_segments();
  if (segments.size() < 2 || segments.size() > 3) return parts;
  parts.valid = true;
  parts.collection = to_lower(segments[0]);
  parts.name = segments[1];
  if (segments.size() == 3) parts.version = segments[2];
  return parts;
}

LintReport::LintReport(const Fixture& fixture, std::string file)
    : legacy_(fixture.source == FixtureSource::LegacyCpp), file_(std::move(file)) {}

std::string LintReport::entry_pointer(std::size_t entry) const {
  return (legacy_ ? "/networkCallRecords/" : "/Entries/") + std::to_string(entry);
}

Place LintReport::status(std::size_t entry) const {
  return {entry_pointer(entry) + (legacy_ ? "/Response/STATUS_CODE" : "/StatusCode"), ""};
}

Place LintReport::uri(std::size_t entry) const {
  return {entry_pointer(entry) + (legacy_ ? "/Url" : "/RequestUri"), ""};
}

Place LintReport::request(std::size_t entry, std::string_view inner) const {
  return {entry_pointer(entry) + "/RequestBody" + std::string(inner), ""};
}

Place LintReport::response(std::size_t entry, std::string_view inner) const {
  if (legacy_) return {entry_pointer(entry) + "/Response/BODY", std::string(inner)};
  return {entry_pointer(entry) + "/ResponseBody" + std::string(inner), ""};
}

void LintReport::add(std::size_t entry, const Place& place, const char* id, std::string expected,
                     std::string found, std::string hint) {
  Diagnostic d;
  d.file = file_;
  d.where = place.where;
  d.id = id;
  d.expected = std::move(expected);
  d.found = std::move(found);
  if (!place.inner.empty()) {
    d.hint = "at " + place.inner + " in the JSON text of BODY";
    if (!hint.empty()) d.hint += "; " + hint;
  } else {
    d.hint = std::move(hint);
  }
  const auto& rules = lint_rules();
  auto rule =
      std::find_if(rules.begin(), rules.end(), [&](const LintRule& r) { return d.id == r.id; });
  d.severity = rule != rules.end() ? rule->severity : Severity::Error;
  found_.emplace_back(entry, std::move(d));
}

std::vector<Diagnostic> LintReport::take() {
  std::stable_sort(found_.begin(), found_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Diagnostic> out;
  out.reserve(found_.size());
  for (auto& [entry, d] : found_) out.push_back(std::move(d));
  found_.clear();
  return out;
}

std::string describe_step(const TraceStep& step) {
  std::string text(step.op);
  if (!step.name.empty()) text += " \"" + step.name + "\"";
  if (!step.version.empty()) text += " version " + step.version;
  return text;
}

}  // namespace detail

std::vector<Diagnostic> lint_fixture(const Fixture& fixture, const std::string& file) {
  const auto trace = detail::read_trace(fixture);
  detail::LintReport report(fixture, file);
  const bool secrets_traffic = std::any_of(trace.begin(), trace.end(), [](const auto& step) {
    return step.op != "Unknown" && step.op != "GetToken";
  });
  if (!secrets_traffic) {
    report.add(0, {"", ""}, "no-secrets-traffic", "at least one Key Vault secrets operation",
               std::to_string(trace.size()) + (trace.size() == 1 ? " entry" : " entries") +
                   ", none of them a secrets operation");
    return report.take();
  }
  detail::check_shapes(trace, report);
  detail::check_lifecycle(trace, report);
  detail::check_sequences(trace, report);
  return report.take();
}

}  // namespace kv::harness
