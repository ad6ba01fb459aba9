// Lint: each answer on its own. Statuses, body shapes, identifiers, attribute values and the
// dates inside one bundle, as the service writes them (docs/cli.md, "lint").
#include <array>

#include "lint_trace.hpp"

namespace kv::harness::detail {

namespace {

struct Levels {
  std::string_view level;
  int min_days;
  int max_days;
};

// "Customized" means a retention of 7 to 89 days, plain "Recoverable" 90, "Purgeable" none.
constexpr std::array<Levels, 7> kLevels = {{
    {"Purgeable", 0, 0},
    {"Recoverable+Purgeable", 90, 90},
    {"Recoverable", 90, 90},
    {"Recoverable+ProtectedSubscription", 90, 90},
    {"CustomizedRecoverable+Purgeable", 7, 89},
    {"CustomizedRecoverable", 7, 89},
    {"CustomizedRecoverable+ProtectedSubscription", 7, 89},
}};

// What a bundle is expected to carry.
struct BundleKind {
  bool needs_value = false;  // set and get answer with the value
  bool deleted = false;      // a deleted bundle or deleted list item
  bool item = false;         // a list item: never a value
  bool versioned_id = true;  // the id carries a version
};

std::string what_is(const Json& value) {
  switch (value.type()) {
    case Json::value_t::string:
      return "a string";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::null:
      return "null";
    case Json::value_t::number_float:
      return "a fractional number";
    default:
      return "a number";
  }
}

class ShapeChecker {
 public:
  ShapeChecker(const TraceStep& step, LintReport& report) : step_(step), report_(report) {}

  void run() {
    if (step_.status >= 400) {
      check_error_body();
      return;
    }
    if (!step_.success()) return;
    const bool purge = step_.op == "PurgeDeletedSecret";
    const int want = purge ? 204 : 200;
    if (step_.status != want) {
      report_.add(step_.index, report_.status(step_.index), "unexpected-status",
                  std::to_string(want) + " for a successful " + std::string(step_.op),
                  std::to_string(step_.status));
    }
    if (purge) {
      if (step_.response_bytes) {
        report_.add(step_.index, report_.response(step_.index), "response-body",
                    "no body (a purge answers 204 with nothing)", "a body");
      }
      return;
    }
    if (step_.response == nullptr) {
      report_.add(step_.index, report_.response(step_.index), "response-body",
                  "a JSON object body for " + std::string(step_.op),
                  step_.response_bytes ? "a body that is not a JSON object" : "no body");
      return;
    }
    const Json& body = *step_.response;
    const std::string_view op = step_.op;
    if (op == "SetSecret" || op == "GetSecret") {
      check_bundle(body, "", {.needs_value = true});
    } else if (op == "UpdateSecretProperties" || op == "RecoverDeletedSecret" ||
               op == "RestoreSecret") {
      check_bundle(body, "", {});
    } else if (op == "DeleteSecret" || op == "GetDeletedSecret") {
      check_bundle(body, "", {.deleted = true});
    } else if (op == "BackupSecret") {
      if (auto* value = require(body, "", "value", "the backup blob")) {
        if (!value->is_string()) wrong_type("/value", "a base64url string", *value);
      }
    } else if (op == "GetPropertiesOfSecrets" || op == "GetDeletedSecrets" ||
               op == "GetPropertiesOfSecretVersions") {
      check_page(body);
    }
  }

 private:
  void check_error_body() {
    if (step_.response == nullptr) return;
    auto error = step_.response->find("error");
    const bool ok = error != step_.response->end() && error->is_object() &&
                    error->contains("code") && (*error)["code"].is_string();
    if (!ok) {
      report_.add(step_.index, report_.response(step_.index, "/error"), "error-body",
                  "{\"error\":{\"code\":...,\"message\":...}} for a " +
                      std::to_string(step_.status) + " answer",
                  describe_json(*step_.response));
    }
  }

  const Json* require(const Json& object, const std::string& base, const char* key,
                      const std::string& what) {
    auto it = object.find(key);
    if (it != object.end()) return &*it;
    report_.add(step_.index, report_.response(step_.index, base + "/" + key), "missing-field",
                what + " (\"" + key + "\") in the answer to " + std::string(step_.op),
                "no \"" + std::string(key) + "\"");
    return nullptr;
  }

  void wrong_type(const std::string& pointer, const std::string& expected, const Json& value) {
    report_.add(step_.index, report_.response(step_.index, pointer), "wrong-type", expected,
                what_is(value));
  }

  void check_string(const Json& object, const std::string& base, const char* key) {
    auto it = object.find(key);
    if (it != object.end() && !it->is_string() && !it->is_null())
      wrong_type(base + "/" + key, "a string", *it);
  }

  // Dates are integer seconds; a string that is not a number is a sanitized placeholder.
  void check_date(const Json& object, const std::string& base, const char* key) {
    auto it = object.find(key);
    if (it == object.end() || it->is_number_integer() || it->is_string()) return;
    wrong_type(base + "/" + key, "integer Unix seconds", *it);
  }

  void check_bundle(const Json& bundle, const std::string& base, BundleKind kind) {
    if (auto* id = require(bundle, base, "id", "the secret's identifier")) {
      if (!id->is_string())
        wrong_type(base + "/id", "a string", *id);
      else
        check_id(*id, base, kind);
    }
    if (auto it = bundle.find("value"); it != bundle.end() && (kind.deleted || kind.item)) {
      report_.add(
          step_.index, report_.response(step_.index, base + "/value"), "unexpected-field",
          std::string("no secret value in ") + (kind.item ? "a list item" : "a deleted secret"),
          "a value" + (it->is_string()
                           ? " (" + std::to_string(it->get_ref<const std::string&>().size()) +
                                 " characters)"
                           : std::string()));
    } else if (kind.needs_value) {
      if (auto* value = require(bundle, base, "value", "the secret value")) {
        if (!value->is_string()) wrong_type(base + "/value", "a string", *value);
      }
    }
    check_string(bundle, base, "contentType");
    if (auto it = bundle.find("tags"); it != bundle.end() && !it->is_object() && !it->is_null())
      wrong_type(base + "/tags", "an object of names to strings", *it);

    const Json* attributes = require(bundle, base, "attributes", "the secret's attributes");
    if (attributes != nullptr && !attributes->is_object()) {
      wrong_type(base + "/attributes", "an object", *attributes);
      attributes = nullptr;
    }
    if (attributes != nullptr) check_attributes(*attributes, base + "/attributes");

    if (!kind.deleted) return;
    // A vault without soft delete (recoveryLevel "Purgeable") deletes at once: no recovery data.
    const bool soft_delete = !(attributes != nullptr && attributes->contains("recoveryLevel") &&
                               (*attributes)["recoveryLevel"] == "Purgeable");
    if (!soft_delete) return;
    if (auto* recovery = require(bundle, base, "recoveryId", "the deleted secret's identifier")) {
      if (!recovery->is_string())
        wrong_type(base + "/recoveryId", "a string", *recovery);
      else
        check_recovery_id(*recovery, bundle, base);
    }
    if (require(bundle, base, "deletedDate", "the deletion date"))
      check_date(bundle, base, "deletedDate");
    if (require(bundle, base, "scheduledPurgeDate", "the scheduled purge date"))
      check_date(bundle, base, "scheduledPurgeDate");
    check_deleted_dates(bundle, attributes, base);
  }

  void check_attributes(const Json& attributes, const std::string& base) {
    if (auto it = attributes.find("enabled"); it != attributes.end() && !it->is_boolean())
      wrong_type(base + "/enabled", "true or false", *it);
    for (const char* key : {"created", "updated", "nbf", "exp"}) check_date(attributes, base, key);
    auto days = attributes.find("recoverableDays");
    if (days != attributes.end() && !days->is_number_integer()) {
      wrong_type(base + "/recoverableDays", "an integer", *days);
      days = attributes.end();
    }
    auto level = attributes.find("recoveryLevel");
    if (level != attributes.end() && !level->is_string()) {
      wrong_type(base + "/recoveryLevel", "a string", *level);
    } else if (level != attributes.end()) {
      const auto& text = level->get_ref<const std::string&>();
      const Levels* known = nullptr;
      for (const auto& l : kLevels) {
        if (l.level == text) known = &l;
      }
      if (known == nullptr) {
        report_.add(step_.index, report_.response(step_.index, base + "/recoveryLevel"),
                    "recovery-level",
                    "a recovery level (Purgeable, Recoverable, CustomizedRecoverable, with "
                    "+Purgeable or +ProtectedSubscription)",
                    describe_json(*level));
      } else if (days != attributes.end()) {
        const auto n = days->get<std::int64_t>();
        if (n < known->min_days || n > known->max_days) {
          const std::string range =
              known->min_days == known->max_days
                  ? std::to_string(known->min_days)
                  : std::to_string(known->min_days) + " to " + std::to_string(known->max_days);
          report_.add(step_.index, report_.response(step_.index, base + "/recoverableDays"),
                      "recovery-level",
                      "recoverableDays " + range + " for recoveryLevel \"" + text + "\"",
                      std::to_string(n));
        }
      }
    }
    const auto created = seconds_at(attributes, "created");
    const auto updated = seconds_at(attributes, "updated");
    if (created && updated && *created > *updated) {
      report_.add(step_.index, report_.response(step_.index, base + "/updated"), "date-order",
                  "updated >= created (" + std::to_string(*created) + ")",
                  std::to_string(*updated));
    }
  }

  void check_deleted_dates(const Json& bundle, const Json* attributes, const std::string& base) {
    const auto deleted = seconds_at(bundle, "deletedDate");
    const auto purge = seconds_at(bundle, "scheduledPurgeDate");
    if (deleted && purge && *purge <= *deleted) {
      report_.add(step_.index, report_.response(step_.index, base + "/scheduledPurgeDate"),
                  "date-order",
                  "a scheduledPurgeDate after deletedDate (" + std::to_string(*deleted) + ")",
                  std::to_string(*purge));
    }
    if (attributes == nullptr) return;
    const auto updated = seconds_at(*attributes, "updated");
    if (deleted && updated && *updated > *deleted) {
      report_.add(step_.index, report_.response(step_.index, base + "/deletedDate"), "date-order",
                  "deletedDate >= attributes.updated (" + std::to_string(*updated) + ")",
                  std::to_string(*deleted));
    }
    auto days = attributes->find("recoverableDays");
    if (!deleted || !purge || days == attributes->end() || !days->is_number_integer()) return;
    // Retention is 7 to 90 days; a wild value is recovery-level's finding, not arithmetic here.
    if (days->get<std::int64_t>() < 0 || days->get<std::int64_t>() > 36500) return;
    const std::int64_t want = days->get<std::int64_t>() * 86400;
    if (*purge - *deleted != want) {
      report_.add(step_.index, report_.response(step_.index, base + "/scheduledPurgeDate"),
                  "purge-date",
                  "deletedDate + recoverableDays * 86400 = " + std::to_string(*deleted + want) +
                      " (" + std::to_string(days->get<std::int64_t>()) + " days)",
                  std::to_string(*purge) + " (" + std::to_string(*purge - *deleted) +
                      " s after deletedDate)");
    }
  }

  void mismatch(const std::string& pointer, const std::string& expected, const Json& found) {
    report_.add(step_.index, report_.response(step_.index, pointer), "id-mismatch", expected,
                describe_json(found));
  }

  void check_id(const Json& id, const std::string& base, BundleKind kind) {
    const IdParts parts = parse_id(id);
    if (!parts.valid) return;  // sanitized
    const std::string pointer = base + "/id";
    if (parts.collection != "secrets") {
      mismatch(pointer, "an id under /secrets/", id);
      return;
    }
    const bool named_list = step_.op == "GetPropertiesOfSecretVersions";
    if ((!kind.item || named_list) && !step_.key.empty() && !same(parts.name, step_.name)) {
      mismatch(pointer, "an id of the requested secret \"" + step_.name + "\"", id);
      return;
    }
    if (kind.versioned_id && parts.version.empty()) {
      mismatch(pointer, "an id with a version (/secrets/{name}/{version})", id);
    } else if (!kind.versioned_id && !parts.version.empty()) {
      mismatch(pointer, "an id without a version (/secrets/{name})", id);
    } else if (!kind.item && !step_.version.empty() && !same(parts.version, step_.version)) {
      mismatch(pointer, "an id of the requested version " + step_.version, id);
    }
  }

  void check_recovery_id(const Json& recovery, const Json& bundle, const std::string& base) {
    const IdParts parts = parse_id(recovery);
    if (!parts.valid) return;
    std::string name = step_.name;
    if (name.empty()) {
      if (auto id = bundle.find("id"); id != bundle.end()) name = parse_id(*id).name;
    }
    if (parts.collection != "deletedsecrets" || !parts.version.empty() ||
        (!name.empty() && !same(parts.name, name))) {
      mismatch(base + "/recoveryId",
               "/deletedsecrets/" + (name.empty() ? std::string("{name}") : name), recovery);
    }
  }

  void check_page(const Json& page) {
    if (auto* items = require(page, "", "value", "the page's items")) {
      if (!items->is_array()) {
        wrong_type("/value", "an array", *items);
      } else {
        const bool deleted = step_.op == "GetDeletedSecrets";
        const bool versions = step_.op == "GetPropertiesOfSecretVersions";
        for (std::size_t i = 0; i < items->size(); ++i) {
          const std::string base = "/value/" + std::to_string(i);
          const Json& item = (*items)[i];
          if (!item.is_object()) {
            wrong_type(base, "an object", item);
            continue;
          }
          check_bundle(item, base, {.deleted = deleted, .item = true, .versioned_id = versions});
        }
      }
    }
    if (auto it = page.find("nextLink"); it != page.end() && !it->is_string() && !it->is_null())
      wrong_type("/nextLink", "a URL string or null", *it);
  }

  static bool same(std::string_view a, std::string_view b) { return http::iequals(a, b); }

  const TraceStep& step_;
  LintReport& report_;
};

}  // namespace

void check_shapes(const std::vector<TraceStep>& trace, LintReport& report) {
  for (const auto& step : trace) {
    if (step.op == "Unknown" || step.op == "GetToken") continue;
    ShapeChecker(step, report).run();
  }
}

}  // namespace kv::harness::detail
