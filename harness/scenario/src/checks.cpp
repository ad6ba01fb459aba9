// Expectations: field checks and error checks, producing "expected"/"actual" texts for reports.
#include "kv/scenario/checks.hpp"

#include "kv/harness/regex.hpp"
#include "kv/http.hpp"

namespace kv::scenario {
namespace {

using nlohmann::json;

std::string show(const json& value) {
  return value.is_string() ? "\"" + value.get<std::string>() + "\""
                           : value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string describe_outcome(const Outcome& outcome) {
  if (outcome.ok()) {
    std::string text = "success";
    if (outcome.result.contains("status"))
      text += " (status " + outcome.result["status"].dump() + ")";
    return text;
  }
  const auto& e = *outcome.error;
  std::string text = "error " + std::to_string(e.status);
  if (!e.code.empty()) text += " " + e.code;
  if (!e.inner_code.empty()) text += "/" + e.inner_code;
  if (!e.message.empty()) text += ": " + e.message;
  return text;
}

std::optional<double> as_number(const json& value) {
  if (value.is_number()) return value.get<double>();
  return std::nullopt;
}

// Compares numbers as numbers and anything else as text (ISO dates order lexically).
int compare(const json& actual, const json& expected) {
  auto a = as_number(actual);
  auto e = as_number(expected);
  if (!a || !e) {
    std::string at = field_to_text(actual);
    std::string et = field_to_text(expected);
    return at < et ? -1 : (at > et ? 1 : 0);
  }
  return *a < *e ? -1 : (*a > *e ? 1 : 0);
}

// Numbers compare by value whatever their JSON representation (1 == 1.0 == 1u).
bool equal(const json& actual, const json& expected) {
  if (actual.is_number() && expected.is_number())
    return actual.get<double>() == expected.get<double>();
  return actual == expected;
}

bool contains(const json& actual, const json& needle) {
  if (actual.is_string())
    return actual.get<std::string>().find(field_to_text(needle)) != std::string::npos;
  if (actual.is_array()) {
    for (const auto& item : actual) {
      if (equal(item, needle)) return true;
    }
    return false;
  }
  if (actual.is_object()) return needle.is_string() && actual.contains(needle.get<std::string>());
  return false;
}

std::optional<std::size_t> length_of(const json& value) {
  if (value.is_string()) return value.get<std::string>().size();
  if (value.is_array() || value.is_object()) return value.size();
  return std::nullopt;
}

// Returns a mismatch description ("actual" text) when the check fails.
std::optional<std::string> apply(const Check& check, const std::optional<json>& actual,
                                 const json& operand) {
  const std::string missing = "no such field";
  switch (check.kind) {
    case CheckKind::Exists:
    case CheckKind::Absent: {
      bool want = (check.kind == CheckKind::Exists) == operand.get<bool>();
      bool present = actual.has_value() && !actual->is_null();
      if (present == want) return std::nullopt;
      return present ? show(*actual) : missing;
    }
    default:
      break;
  }
  if (!actual) return missing;
  switch (check.kind) {
    case CheckKind::Equals:
      if (equal(*actual, operand)) return std::nullopt;
      break;
    case CheckKind::NotEquals:
      if (!equal(*actual, operand)) return std::nullopt;
      break;
    case CheckKind::Contains:
      if (contains(*actual, operand)) return std::nullopt;
      break;
    case CheckKind::Matches: {
      // The parser checked patterns without variables; one made with variables is checked here.
      std::optional<harness::Regex> pattern;
      try {
        pattern.emplace(operand.get<std::string>());
      } catch (const harness::RegexError& error) {
        return show(*actual) +
               " (the pattern is not a valid regular expression: " + error.reason() + ")";
      }
      if (actual->is_string() && pattern->search(actual->get<std::string>())) return std::nullopt;
      break;
    }
    case CheckKind::GreaterThan:
      if (!actual->is_null() && compare(*actual, operand) > 0) return std::nullopt;
      break;
    case CheckKind::LessThan:
      if (!actual->is_null() && compare(*actual, operand) < 0) return std::nullopt;
      break;
    case CheckKind::Length: {
      auto n = length_of(*actual);
      if (n && static_cast<long long>(*n) == operand.get<long long>()) return std::nullopt;
      if (n) return "length " + std::to_string(*n);
      break;
    }
    default:
      break;
  }
  return show(*actual);
}

}  // namespace

std::optional<json> find_field(const json& result, const std::string& path) {
  if (!path.empty() && path[0] == '/') {
    try {
      json::json_pointer pointer(path);
      if (!result.contains(pointer)) return std::nullopt;
      return result.at(pointer);
    } catch (const json::exception&) {
      return std::nullopt;
    }
  }
  const json* node = &result;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t dot = path.find('.', start);
    std::string token =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (node->is_object()) {
      auto it = node->find(token);
      if (it == node->end()) return std::nullopt;
      node = &*it;
    } else if (node->is_array()) {
      if (token.empty() || token.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
      std::size_t index = std::stoul(token);
      if (index >= node->size()) return std::nullopt;
      node = &(*node)[index];
    } else {
      return std::nullopt;
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return *node;
}

std::string field_to_text(const json& value) {
  return value.is_string() ? value.get<std::string>()
                           : value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<Mismatch> evaluate(const std::optional<Expectation>& expect, const Outcome& outcome,
                                 const Variables& variables, const std::string& step_pointer) {
  if (!expect || !expect->error) {
    if (!outcome.ok()) {
      return Mismatch{expect ? expect->pointer : step_pointer, "success", describe_outcome(outcome),
                      "", ""};
    }
    if (!expect) return std::nullopt;
    for (const auto& field : expect->fields) {
      std::string path = variables.substitute(field.field);
      auto actual = find_field(outcome.result, path);
      for (const auto& check : field.checks) {
        json operand = variables.substitute_json(check.operand);
        if (auto found = apply(check, actual, operand)) {
          std::string condition = to_string(check.kind);
          if (check.kind != CheckKind::Exists && check.kind != CheckKind::Absent) {
            condition += " " + show(operand);
          } else if (!operand.get<bool>()) {
            condition += " false";
          }
          return Mismatch{check.pointer, path + " " + condition, *found, path, condition};
        }
      }
    }
    return std::nullopt;
  }
  const ErrorExpectation& want = *expect->error;
  std::string expected = "error";
  if (want.status) expected += " " + std::to_string(*want.status);
  std::string code = want.code ? variables.substitute(*want.code) : "";
  std::string inner = want.inner_code ? variables.substitute(*want.inner_code) : "";
  std::string text = want.message_contains ? variables.substitute(*want.message_contains) : "";
  if (want.code) expected += " " + code;
  if (want.inner_code) expected += "/" + inner;
  if (want.message_contains) expected += " with message containing \"" + text + "\"";
  if (outcome.ok()) return Mismatch{want.pointer, expected, describe_outcome(outcome), "", ""};
  const auto& e = *outcome.error;
  bool holds = (!want.status || *want.status == e.status) && (!want.code || code == e.code) &&
               (!want.inner_code || inner == e.inner_code) &&
               (!want.message_contains || e.message.find(text) != std::string::npos);
  if (holds) return std::nullopt;
  return Mismatch{want.pointer, expected, describe_outcome(outcome), "", ""};
}

std::string summarize_attempt(const Outcome& outcome, const std::optional<Mismatch>& mismatch) {
  if (!outcome.ok()) {
    // The message is left out: it often names the secret, which would keep equal outcomes apart.
    const auto& e = *outcome.error;
    std::string text = std::to_string(e.status) + " ";
    text += e.code.empty() ? std::string(kv::http::reason_phrase(e.status)) : e.code;
    if (!e.inner_code.empty()) text += "/" + e.inner_code;
    return text;
  }
  auto status = outcome.result.is_object() ? outcome.result.find("status") : outcome.result.end();
  std::string text = status != outcome.result.end() ? status->dump() : "success";
  if (!mismatch) return text;
  if (!mismatch->field.empty()) {
    return text + ", but " + mismatch->field + " expected " + mismatch->condition + ", found " +
           mismatch->actual;
  }
  return text + ", but expected " + mismatch->expected;
}

nlohmann::json Outcome::to_json() const {
  if (ok()) return result;
  return json{{"error",
               {{"status", error->status},
                {"code", error->code},
                {"innerCode", error->inner_code},
                {"message", error->message}}}};
}

}  // namespace kv::scenario
