// The operation catalogue shared by the parser, the executor and the docs.
#include "kv/scenario/operations.hpp"

namespace kv::scenario {
namespace {

const std::vector<std::string> kSecretFields = {
    "status",          "name",      "value",     "id",      "version", "contentType",
    "enabled",         "notBefore", "expiresOn", "created", "updated", "recoveryLevel",
    "recoverableDays", "tags",      "managed",   "keyId"};

std::vector<std::string> with(std::vector<std::string> base, std::vector<std::string> extra) {
  base.insert(base.end(), extra.begin(), extra.end());
  return base;
}

std::vector<OperationSpec> build() {
  const std::vector<ArgumentSpec> attributes = {{"contentType", ArgType::String, false},
                                                {"tags", ArgType::StringMap, false},
                                                {"enabled", ArgType::Bool, false},
                                                {"notBefore", ArgType::Date, false},
                                                {"expiresOn", ArgType::Date, false}};
  std::vector<ArgumentSpec> set_args = {{"name", ArgType::String, true},
                                        {"value", ArgType::String, true}};
  set_args.insert(set_args.end(), attributes.begin(), attributes.end());
  std::vector<ArgumentSpec> update_args = {{"name", ArgType::String, true},
                                           {"version", ArgType::String, true}};
  update_args.insert(update_args.end(), attributes.begin(), attributes.end());
  const std::vector<std::string> list_fields = {"status", "items", "names", "count", "pages"};
  const std::vector<ArgumentSpec> poll_args = {{"name", ArgType::String, true},
                                               {"wait", ArgType::Bool, false},
                                               {"pollIntervalMs", ArgType::Integer, false}};
  return {
      {Operation::Set, "set", set_args, kSecretFields},
      {Operation::Get,
       "get",
       {{"name", ArgType::String, true}, {"version", ArgType::String, false}},
       kSecretFields},
      {Operation::Update, "update", update_args, kSecretFields},
      {Operation::List, "list", {{"maxResults", ArgType::Integer, false}}, list_fields},
      {Operation::ListVersions,
       "listVersions",
       {{"name", ArgType::String, true}, {"maxResults", ArgType::Integer, false}},
       list_fields},
      {Operation::ListDeleted,
       "listDeleted",
       {{"maxResults", ArgType::Integer, false}},
       list_fields},
      {Operation::Backup,
       "backup",
       {{"name", ArgType::String, true}},
       {"status", "backup", "size"}},
      {Operation::Delete, "delete", poll_args,
       with(kSecretFields, {"recoveryId", "deletedOn", "scheduledPurgeDate", "done"})},
      {Operation::GetDeleted,
       "getDeleted",
       {{"name", ArgType::String, true}},
       with(kSecretFields, {"recoveryId", "deletedOn", "scheduledPurgeDate"})},
      {Operation::Purge, "purge", {{"name", ArgType::String, true}}, {"status"}},
      {Operation::Recover, "recover", poll_args, with(kSecretFields, {"done"})},
      {Operation::Restore, "restore", {{"backup", ArgType::String, true}}, kSecretFields},
      {Operation::Pause, "pause", {{"ms", ArgType::Integer, true}}, {}},
  };
}

}  // namespace

const std::vector<OperationSpec>& operation_specs() {
  static const std::vector<OperationSpec> specs = build();
  return specs;
}

const OperationSpec& spec_of(Operation operation) {
  for (const auto& spec : operation_specs()) {
    if (spec.operation == operation) return spec;
  }
  return operation_specs().front();  // unreachable: every enumerator has a spec
}

std::optional<Operation> find_operation(std::string_view name) {
  for (const auto& spec : operation_specs()) {
    if (name == spec.name) return spec.operation;
  }
  return std::nullopt;
}

std::vector<std::string> operation_names() {
  std::vector<std::string> names;
  for (const auto& spec : operation_specs()) names.emplace_back(spec.name);
  return names;
}

const char* describe(ArgType type) {
  switch (type) {
    case ArgType::String:
      return "a string";
    case ArgType::Bool:
      return "true or false";
    case ArgType::Integer:
      return "a non-negative integer";
    case ArgType::StringMap:
      return "an object of strings";
    case ArgType::Date:
      return "a date string like \"2030-01-01T00:00:00Z\"";
  }
  return "a value";
}

const char* to_string(Operation operation) {
  return spec_of(operation).name;
}

const char* to_string(CheckKind kind) {
  switch (kind) {
    case CheckKind::Equals:
      return "equals";
    case CheckKind::NotEquals:
      return "notEquals";
    case CheckKind::Exists:
      return "exists";
    case CheckKind::Absent:
      return "absent";
    case CheckKind::Contains:
      return "contains";
    case CheckKind::Matches:
      return "matches";
    case CheckKind::GreaterThan:
      return "greaterThan";
    case CheckKind::LessThan:
      return "lessThan";
    case CheckKind::Length:
      return "length";
  }
  return "?";
}

}  // namespace kv::scenario
