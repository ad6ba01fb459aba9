// Lint: the life cycle of each secret name, read from the trace. A name is in one of six states;
// the trace rarely proves which, so each name carries the set of states it may be in. Every
// answer keeps only the states in which the service could have given it, then moves on. An
// answer no possible state explains is a finding. Transient states end unseen: a deletion, a
// purge or a recovery may finish between any two entries.
#include <map>
#include <set>

#include "lint_trace.hpp"

namespace kv::harness::detail {

namespace {

enum State : unsigned {
  kAbsent = 1,       // never existed, or purged and settled
  kActive = 2,       // has versions; enabled or not
  kDeleting = 4,     // DELETE answered, the deleted secret not there yet
  kDeleted = 8,      // deleted and recoverable
  kPurging = 16,     // purged, the name still busy
  kRecovering = 32,  // recover answered, the secret not back yet
  kAny = 63,
};

// What one answer says about the name: the states it fits, the state after it (0: unchanged),
// the rule it breaks when no possible state fits, and the answer the service would give instead.
struct Observation {
  unsigned fits = kAny;
  unsigned after = 0;
  const char* rule = nullptr;
  const char* instead = "";
};

struct NameTrack {
  unsigned states = kAny;
  std::string since;     // "deleted at /Entries/3" and the like: why the states are what they are
  bool seen = false;     // an informative answer about the name was read
  bool created = false;  // the first such answer was a successful set: every version is known
  bool ids_readable = true;        // every id answered for this name could be read (not sanitized)
  std::set<std::string> versions;  // lower-case versions the answers showed
};

unsigned elapse(unsigned states) {
  if (states & kDeleting) states |= kDeleted;
  if (states & kPurging) states |= kAbsent;
  if (states & kRecovering) states |= kActive;
  return states;
}

const char* state_text(unsigned states) {
  if (states == kAbsent) return "absent";
  if (states == kActive) return "active";
  if (states == kDeleting) return "being deleted";
  if ((states & ~(kDeleting | kDeleted)) == 0) return "deleted";
  if ((states & ~(kPurging | kAbsent)) == 0) return "purged";
  if ((states & ~(kRecovering | kActive)) == 0) return "being recovered";
  return "in another state";
}

Observation observe(const TraceStep& step) {
  const std::string_view op = step.op;
  const int s = step.status;
  const bool ok = step.success();
  const std::string inner = inner_error(step.response);
  constexpr unsigned kBusy = kDeleting | kDeleted | kRecovering | kPurging;
  constexpr unsigned kNotActive = kAbsent | kBusy;
  if (op == "SetSecret") {
    if (ok) return {kAbsent | kActive, kActive, "set-on-deleted-name", "409 Conflict"};
    if (s == 409) {
      if (inner == "ObjectIsBeingDeleted")
        return {kDeleting | kPurging, 0, "unexpected-conflict", "no ObjectIsBeingDeleted"};
      if (inner == "ObjectIsDeletedButRecoverable")
        return {kDeleted, 0, "unexpected-conflict", "no ObjectIsDeletedButRecoverable"};
      if (inner == "ObjectIsBeingRecovered")
        return {kRecovering, 0, "unexpected-conflict", "no ObjectIsBeingRecovered"};
      return {kBusy, 0, "unexpected-conflict", "no 409"};
    }
    return {};
  }
  if (op == "GetSecret" || op == "UpdateSecretProperties" || op == "BackupSecret") {
    const bool disabled = s == 403 && inner == "SecretDisabled";
    if (ok || disabled) return {kActive, kActive, "secret-not-active", "404 SecretNotFound"};
    // A 404 for one version says nothing: other versions may exist.
    if (s == 404 && step.version.empty() && op != "UpdateSecretProperties")
      return {kNotActive, 0, "active-secret-not-found", "a 200 with the secret"};
    return {};
  }
  if (op == "DeleteSecret") {
    if (ok) {
      // Without recoveryId the vault has no soft delete: the secret is gone at once.
      const bool soft = step.response != nullptr && step.response->contains("recoveryId");
      return {kActive, soft ? kDeleting : kAbsent, "secret-not-active", "404 SecretNotFound"};
    }
    if (s == 404) return {kNotActive, 0, "active-secret-not-found", "a 200 deleting the secret"};
    if (s == 409) return {kBusy, 0, "unexpected-conflict", "no 409"};
    return {};
  }
  if (op == "GetDeletedSecret" || op == "PurgeDeletedSecret" || op == "RecoverDeletedSecret") {
    const bool disabled = s == 403 && inner == "SecretDisabled" && op == "GetDeletedSecret";
    if (ok || disabled) {
      const unsigned after = op == "PurgeDeletedSecret"     ? kPurging
                             : op == "RecoverDeletedSecret" ? kRecovering
                                                            : kDeleted;
      return {kDeleted, after, "no-deleted-secret", "404 SecretNotFound"};
    }
    if (s == 404)
      return {kAny & ~kDeleted, 0, "deleted-secret-not-found", "a 200 for the deleted secret"};
    if (s == 409 && op != "GetDeletedSecret")
      return {kDeleting | kRecovering | kPurging, 0, "unexpected-conflict", "no 409"};
    return {};
  }
  if (op == "RestoreSecret") {
    if (ok) return {kAbsent, kActive, "restore-onto-existing", "409 Conflict"};
    if (s == 409) return {kAny & ~kAbsent, 0, "unexpected-conflict", "no 409"};
  }
  return {};
}

const char* event_text(const TraceStep& step) {
  const std::string_view op = step.op;
  if (op == "SetSecret") return step.success() ? "set" : "refused a set";
  if (op == "DeleteSecret") return step.success() ? "deleted" : "not found for deletion";
  if (op == "PurgeDeletedSecret") return step.success() ? "purged" : "not purged";
  if (op == "RecoverDeletedSecret") return step.success() ? "recovered" : "not recovered";
  if (op == "RestoreSecret") return step.success() ? "restored" : "refused a restore";
  if (op == "GetDeletedSecret") return step.success() ? "seen deleted" : "not seen deleted";
  return step.success() ? "seen active" : "not found";
}

class Lifecycle {
 public:
  explicit Lifecycle(LintReport& report) : report_(report) {}

  void step(const TraceStep& step) {
    if (!informative(step.status)) return;
    const std::string key = name_of(step);
    if (step.success()) remember_backup(step);
    if (key.empty()) return;
    NameTrack& track = names_[key];
    const bool first = !track.seen;
    track.seen = true;
    if (first) track.created = step.op == "SetSecret" && step.success();
    if (step.op == "RestoreSecret" && step.success()) track.created = false;  // old versions
    check_version(step, track);
    learn_versions(step, track);

    const Observation o = observe(step);
    if (o.rule == nullptr) return;
    const unsigned before = elapse(track.states);
    const unsigned fitting = before & o.fits;
    const std::string here = report_.status(step.index).where;
    if (fitting == 0) {
      report_.add(step.index, report_.status(step.index), o.rule,
                  std::string(o.instead) + ": \"" + display(step, key) + "\" is " +
                      state_text(before) + (track.since.empty() ? "" : " (" + track.since + ")"),
                  std::to_string(step.status) + " for " + std::string(step.op));
      // The trace contradicts itself here and lint cannot tell which side was edited: start
      // again knowing nothing, so that one edited entry gives one finding.
      track.states = kAny;
    } else {
      track.states = o.after != 0 ? o.after : fitting;
    }
    if (o.after != 0 || fitting == 0) track.since = std::string(event_text(step)) + " at " + here;
  }

 private:
  // The name an entry is about; for a restore, the answer's id or the backup it sends back.
  std::string name_of(const TraceStep& step) {
    if (step.op != "RestoreSecret") return step.key;
    std::string from_backup;
    if (step.request != nullptr) {
      if (auto v = step.request->find("value"); v != step.request->end() && v->is_string()) {
        if (auto it = backups_.find(v->get<std::string>()); it != backups_.end())
          from_backup = it->second.first;
      }
    }
    std::string from_id;
    if (step.success() && step.response != nullptr) {
      if (auto id = step.response->find("id"); id != step.response->end()) {
        const IdParts parts = parse_id(*id);
        if (parts.valid) from_id = to_lower(parts.name);
      }
    }
    if (!from_backup.empty() && !from_id.empty() && from_backup != from_id) {
      report_.add(step.index, report_.response(step.index, "/id"), "id-mismatch",
                  "the name backed up at " +
                      backups_[step.request->at("value").get<std::string>()].second + ": \"" +
                      from_backup + "\"",
                  describe_json(step.response->at("id")));
    }
    return !from_id.empty() ? from_id : from_backup;
  }

  void remember_backup(const TraceStep& step) {
    if (step.op != "BackupSecret" || step.response == nullptr) return;
    auto v = step.response->find("value");
    if (v != step.response->end() && v->is_string())
      backups_[v->get<std::string>()] = {step.key, report_.status(step.index).where};
  }

  void learn_versions(const TraceStep& step, NameTrack& track) {
    if (!step.success() || step.response == nullptr) return;
    auto learn = [&](const Json& bundle) {
      auto id = bundle.find("id");
      if (id == bundle.end()) return;
      const IdParts parts = parse_id(*id);
      if (!parts.valid) {
        track.ids_readable = false;
        return;
      }
      if (!parts.version.empty()) track.versions.insert(to_lower(parts.version));
    };
    if (step.op == "GetPropertiesOfSecretVersions") {
      if (auto items = step.response->find("value");
          items != step.response->end() && items->is_array()) {
        for (const auto& item : *items) {
          if (item.is_object()) learn(item);
        }
      }
      return;
    }
    learn(*step.response);
  }

  void check_version(const TraceStep& step, const NameTrack& track) {
    if (step.version.empty() || !step.success() || !track.created || !track.ids_readable) return;
    if (track.versions.count(to_lower(step.version))) return;
    report_.add(
        step.index, report_.uri(step.index), "version-not-seen",
        "a version of \"" + step.name + "\" an earlier answer showed",
        step.version + " (" + std::to_string(track.versions.size()) + " version(s) seen before)",
        "an edited fixture? versions come from the answers to set, get and list");
  }

  static std::string display(const TraceStep& step, const std::string& key) {
    return step.name.empty() ? key : step.name;
  }

  LintReport& report_;
  std::map<std::string, NameTrack> names_;
  // Backup blobs answered in the trace: blob -> (name, where).
  std::map<std::string, std::pair<std::string, std::string>> backups_;
};

}  // namespace

void check_lifecycle(const std::vector<TraceStep>& trace, LintReport& report) {
  Lifecycle lifecycle(report);
  for (const auto& step : trace) {
    if (step.op == "Unknown" || step.op == "GetToken") continue;
    lifecycle.step(step);
  }
}

}  // namespace kv::harness::detail
