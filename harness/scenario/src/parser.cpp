// Scenario file → Scenario. Walks the DOM keeping each node's JSON Pointer and collects every
// problem rather than stopping at the first, so one `kvharness check` shows them all.
#include "kv/scenario/parser.hpp"

#include "kv/harness/files.hpp"
#include "kv/harness/internal/json_limits.hpp"
#include "kv/harness/internal/json_pointer.hpp"
#include "kv/harness/regex.hpp"
#include "kv/harness/rules.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string_view>

#include "json_text.hpp"
#include "kv/harness/internal/suggest.hpp"
#include "kv/scenario/diagnostic.hpp"
#include "kv/scenario/operations.hpp"
#include "kv/scenario/variables.hpp"

namespace kv::scenario {
namespace {

using detail::describe_value;
using kv::harness::child_pointer;
using kv::harness::nearest_name;
using nlohmann::json;

const std::vector<std::string> kRootKeys = {"name",  "description", "apiVersion", "variables",
                                            "steps", "cleanup",     "rules"};
const std::vector<std::string> kStepKeys = {"op", "title", "expect", "capture", "retry", "repeat"};
const std::vector<std::string> kCheckNames = {"equals",      "notEquals", "exists",
                                              "absent",      "contains",  "matches",
                                              "greaterThan", "lessThan",  "length"};
const std::vector<std::string> kErrorKeys = {"status", "code", "innerCode", "messageContains"};

bool is_ascii_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_ascii_letter(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// [A-Za-z_][A-Za-z0-9_]*, scanned: std::regex recurses per character and overflows the stack on
// a long name.
bool is_identifier(const std::string& name) {
  if (name.empty() || is_ascii_digit(name.front())) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return is_ascii_letter(c) || is_ascii_digit(c) || c == '_'; });
}

// YYYY-MM-DDTHH:MM:SS[.fraction]Z, scanned for the same reason.
bool is_date(const std::string& text) {
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  if (text.size() < kShape.size() + 1 || text.back() != 'Z') return false;
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    if (kShape[i] == 'd' ? !is_ascii_digit(text[i]) : text[i] != kShape[i]) return false;
  }
  const std::string_view rest(text.data() + kShape.size(), text.size() - kShape.size() - 1);
  if (rest.empty()) return true;
  return rest.size() >= 2 && rest.front() == '.' &&
         std::all_of(rest.begin() + 1, rest.end(), is_ascii_digit);
}

bool has_variables(const std::string& text) {
  return !referenced_variables(text).empty();
}

std::string in_quotes(const std::string& s) {
  return "\"" + s + "\"";
}

std::string one_of(const std::vector<std::string>& names) {
  std::string out = "one of ";
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
  return out;
}

class Parser {
 public:
  explicit Parser(std::string file) : file_(std::move(file)) {}

  Scenario parse(const json& root) {
    Scenario scenario;
    scenario.file = file_;
    if (!root.is_object()) {
      error("", "wrong-type", "a scenario object { \"name\": ..., \"steps\": [...] }",
            describe_value(root));
      throw ScenarioFileError(diagnostics_);
    }
    unknown_keys(root, "", kRootKeys, "a scenario field");
    scenario.name = required_string(root, "", "name");
    scenario.description = optional_string(root, "", "description").value_or("");
    scenario.api_version = optional_string(root, "", "apiVersion");
    if (root.contains("rules")) {
      if (root["rules"].is_object()) {
        scenario.rules = root["rules"];
        // Validated now, so that a bad rule stops `check` and `run` alike before anything runs.
        try {
          (void)harness::Rules::from_json(harness::Json(scenario.rules), {file_, "/rules"});
        } catch (const harness::RulesError& e) {
          diagnostics_.push_back(e.diagnostic());
        }
      } else {
        error("/rules", "wrong-type", "an object of sanitizer and match rules",
              describe_value(root["rules"]));
      }
    }
    if (root.contains("variables")) {
      parse_variables(root["variables"], scenario);
      order_variables(scenario.variables);
    }
    for (const auto& v : scenario.variables) defined_.insert(v.name);

    if (!root.contains("steps")) {
      error("", "missing-field", "a \"steps\" array", "no \"steps\"");
    } else {
      scenario.steps = parse_steps(root["steps"], "/steps", false);
      if (root["steps"].is_array() && root["steps"].empty()) {
        error("/steps", "empty-steps", "at least one step", "[]");
      }
    }
    if (root.contains("cleanup")) scenario.cleanup = parse_steps(root["cleanup"], "/cleanup", true);
    if (!diagnostics_.empty()) throw ScenarioFileError(diagnostics_);
    return scenario;
  }

 private:
  void error(std::string where, std::string id, std::string expected, std::string found,
             std::string hint = "") {
    diagnostics_.push_back(Diagnostic{file_, std::move(where), std::move(id), std::move(expected),
                                      std::move(found), std::move(hint)});
  }

  void unknown_keys(const json& object, const std::string& pointer,
                    const std::vector<std::string>& allowed, const std::string& what) {
    for (auto it = object.begin(); it != object.end(); ++it) {
      if (std::find(allowed.begin(), allowed.end(), it.key()) != allowed.end()) continue;
      std::string hint;
      if (auto near = nearest_name(it.key(), allowed))
        hint = "did you mean " + in_quotes(*near) + "?";
      error(child_pointer(pointer, it.key()), "unknown-field", what + ": " + one_of(allowed),
            in_quotes(it.key()), hint);
    }
  }

  std::string required_string(const json& object, const std::string& pointer, const char* key) {
    if (!object.contains(key)) {
      error(pointer, "missing-field", std::string("a \"") + key + "\" string",
            std::string("no \"") + key + "\"");
      return "";
    }
    return optional_string(object, pointer, key).value_or("");
  }

  std::optional<std::string> optional_string(const json& object, const std::string& pointer,
                                             const char* key) {
    if (!object.contains(key)) return std::nullopt;
    const json& value = object[key];
    if (!value.is_string()) {
      error(child_pointer(pointer, key), "wrong-type", "a string", describe_value(value));
      return std::nullopt;
    }
    return value.get<std::string>();
  }

  std::optional<long long> integer(const json& value, const std::string& pointer, long long min,
                                   long long max) {
    if (!value.is_number_integer() || value.get<long long>() < min ||
        value.get<long long>() > max) {
      error(pointer, "wrong-type",
            "an integer from " + std::to_string(min) + " to " + std::to_string(max),
            describe_value(value));
      return std::nullopt;
    }
    return value.get<long long>();
  }

  void parse_variables(const json& variables, Scenario& scenario) {
    if (!variables.is_object()) {
      error("/variables", "wrong-type", "an object of variables", describe_value(variables));
      return;
    }
    for (auto it = variables.begin(); it != variables.end(); ++it) {
      std::string pointer = child_pointer("/variables", it.key());
      if (!is_identifier(it.key())) {
        error(pointer, "bad-variable-name", "a name of letters, digits and _", in_quotes(it.key()));
        continue;
      }
      VariableDef def;
      def.name = it.key();
      def.pointer = pointer;
      const json& v = it.value();
      if (v.is_string()) {
        def.value = v.get<std::string>();
      } else if (v.is_object() && v.contains("random")) {
        unknown_keys(v, pointer, {"random", "length"}, "a random variable field");
        def.kind = VariableKind::Random;
        def.value = optional_string(v, pointer, "random").value_or("");
        if (v.contains("length")) {
          def.random_length =
              static_cast<int>(integer(v["length"], pointer + "/length", 1, 64).value_or(8));
        }
      } else if (v.is_object() && v.contains("env")) {
        unknown_keys(v, pointer, {"env", "default"}, "an environment variable field");
        def.kind = VariableKind::Env;
        def.value = optional_string(v, pointer, "env").value_or("");
        def.fallback = optional_string(v, pointer, "default");
      } else if (v.is_object() && v.contains("value")) {
        unknown_keys(v, pointer, {"value"}, "a literal variable field");
        def.value = optional_string(v, pointer, "value").value_or("");
      } else {
        error(pointer, "bad-variable",
              "a string, {\"value\": ...}, {\"env\": NAME, \"default\": ...} or "
              "{\"random\": PREFIX, \"length\": N}",
              describe_value(v));
        continue;
      }
      scenario.variables.push_back(std::move(def));
    }
  }

  // A "${" without its "}" is a typo, not literal text ("$${" writes a literal "${"). Every
  // string of `value` is looked at; the error names `pointer`, the value's own place.
  void check_unclosed(const json& value, const std::string& pointer) {
    std::vector<const json*> pending{&value};
    while (!pending.empty()) {
      const json* node = pending.back();
      pending.pop_back();
      if (node->is_structured()) {
        for (const auto& child : *node) pending.push_back(&child);
        continue;
      }
      if (!node->is_string()) continue;
      if (auto at = find_unclosed_reference(node->get_ref<const std::string&>())) {
        error(pointer, "unclosed-variable", "\"${name}\" closed by \"}\"",
              describe_value(*node) + " (the \"${\" at offset " + std::to_string(*at) +
                  " is not closed)",
              "close it with \"}\", or write \"$${\" for a literal \"${\"");
        return;
      }
    }
  }

  // Literal variables may use other variables; the runner defines them in the order left here,
  // so each one comes after those it uses. A reference to a name that is not a variable, or a
  // cycle, is an error here rather than a failure after the scenario started.
  void order_variables(std::vector<VariableDef>& variables) {
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < variables.size(); ++i) index[variables[i].name] = i;
    std::vector<std::vector<std::size_t>> uses(variables.size());
    bool broken = false;
    for (std::size_t i = 0; i < variables.size(); ++i) {
      const VariableDef& def = variables[i];
      if (def.kind != VariableKind::Literal) continue;
      check_unclosed(json(def.value), def.pointer);
      for (const auto& name : referenced_variables(def.value)) {
        auto it = index.find(name);
        if (it != index.end()) {
          uses[i].push_back(it->second);
          continue;
        }
        std::vector<std::string> candidates;
        for (const auto& v : variables) candidates.push_back(v.name);
        auto near = nearest_name(name, candidates);
        error(def.pointer, "unknown-variable", "a variable defined under \"variables\"",
              in_quotes("${" + name + "}"),
              near ? "did you mean " + in_quotes(*near) + "?"
                   : "variables can use other variables, not captures (which do not exist yet)");
        broken = true;
      }
    }
    if (broken) return;
    // Depth-first, iteratively: 0 = not visited, 1 = on the current path, 2 = done.
    std::vector<int> state(variables.size(), 0);
    std::vector<std::size_t> order;
    for (std::size_t root = 0; root < variables.size(); ++root) {
      if (state[root] != 0) continue;
      std::vector<std::pair<std::size_t, std::size_t>> path{{root, 0}};  // (node, next use)
      state[root] = 1;
      while (!path.empty()) {
        auto& [node, next] = path.back();
        if (next == uses[node].size()) {
          state[node] = 2;
          order.push_back(node);
          path.pop_back();
          continue;
        }
        const std::size_t used = uses[node][next++];
        if (state[used] == 2) continue;
        if (state[used] == 1) {
          std::string cycle;
          bool in_cycle = false;
          for (const auto& step : path) {
            in_cycle = in_cycle || step.first == used;
            if (in_cycle) cycle += in_quotes(variables[step.first].name) + " → ";
          }
          cycle += in_quotes(variables[used].name);
          error(variables[used].pointer, "variable-cycle",
                "variables that do not use each other in a cycle", cycle,
                "give one of them a value that uses no variable of the cycle");
          return;
        }
        state[used] = 1;
        path.emplace_back(used, 0);
      }
    }
    std::vector<VariableDef> sorted;
    sorted.reserve(variables.size());
    for (std::size_t i : order) sorted.push_back(std::move(variables[i]));
    variables = std::move(sorted);
  }

  std::vector<Step> parse_steps(const json& steps, const std::string& pointer, bool cleanup) {
    std::vector<Step> out;
    if (!steps.is_array()) {
      error(pointer, "wrong-type", "an array of steps", describe_value(steps));
      return out;
    }
    for (std::size_t i = 0; i < steps.size(); ++i) {
      std::string step_pointer = pointer + "/" + std::to_string(i);
      if (auto step = parse_step(steps[i], step_pointer, cleanup)) out.push_back(std::move(*step));
    }
    return out;
  }

  std::optional<Step> parse_step(const json& node, const std::string& pointer, bool cleanup) {
    if (!node.is_object()) {
      error(pointer, "wrong-type", "a step object { \"op\": ... }", describe_value(node));
      return std::nullopt;
    }
    if (!node.contains("op")) {
      error(pointer, "missing-field",
            "an \"op\" naming the operation (" + one_of(operation_names()) + ")", "no \"op\"");
      return std::nullopt;
    }
    if (!node["op"].is_string()) {
      error(pointer + "/op", "wrong-type", "an operation name", describe_value(node["op"]));
      return std::nullopt;
    }
    std::string op_name = node["op"].get<std::string>();
    auto operation = find_operation(op_name);
    if (!operation) {
      std::string hint;
      if (auto near = nearest_name(op_name, operation_names()))
        hint = "did you mean " + in_quotes(*near) + "?";
      error(pointer + "/op", "unknown-operation", one_of(operation_names()), in_quotes(op_name),
            hint);
      return std::nullopt;
    }
    const OperationSpec& spec = spec_of(*operation);
    Step step;
    step.operation = *operation;
    step.pointer = pointer;
    step.cleanup = cleanup;

    std::vector<std::string> allowed = kStepKeys;
    for (const auto& arg : spec.arguments) allowed.emplace_back(arg.name);
    unknown_keys(node, pointer, allowed, std::string("a field of a \"") + spec.name + "\" step");

    step.title = optional_string(node, pointer, "title").value_or("");
    for (const auto& arg : spec.arguments) {
      if (!node.contains(arg.name)) {
        if (arg.required) {
          error(pointer, "missing-field",
                std::string("a \"") + arg.name + "\" argument (" + describe(arg.type) + ")",
                std::string("no \"") + arg.name + "\"");
        }
        continue;
      }
      const json& value = node[arg.name];
      std::string arg_pointer = child_pointer(pointer, arg.name);
      if (check_argument(arg, value, arg_pointer)) step.args[arg.name] = value;
    }
    if (node.contains("repeat")) step.repeat = parse_repeat(node["repeat"], pointer + "/repeat");
    if (node.contains("retry")) step.retry = parse_retry(node["retry"], pointer + "/retry");
    if (node.contains("expect"))
      step.expect = parse_expect(node["expect"], pointer + "/expect", spec);
    if (node.contains("capture"))
      step.captures = parse_captures(node["capture"], pointer + "/capture", spec);

    check_references(step);
    for (const auto& c : step.captures) defined_.insert(c.variable);
    return step;
  }

  bool check_argument(const ArgumentSpec& arg, const json& value, const std::string& pointer) {
    bool ok = true;
    switch (arg.type) {
      case ArgType::String:
        ok = value.is_string();
        break;
      case ArgType::Bool:
        ok = value.is_boolean();
        break;
      case ArgType::Integer:
        ok = value.is_number_integer() && value.get<long long>() >= 0;
        break;
      case ArgType::StringMap:
        ok = value.is_object();
        if (ok) {
          for (auto it = value.begin(); it != value.end(); ++it) {
            if (!it.value().is_string()) {
              error(child_pointer(pointer, it.key()), "wrong-type", "a string tag value",
                    describe_value(it.value()));
            }
          }
        }
        break;
      case ArgType::Date:
        ok = value.is_string();
        if (ok && !has_variables(value.get<std::string>()) && !is_date(value.get<std::string>())) {
          error(pointer, "bad-date", describe(arg.type), describe_value(value));
          return false;
        }
        break;
    }
    if (!ok) error(pointer, "wrong-type", describe(arg.type), describe_value(value));
    return ok;
  }

  std::optional<Repeat> parse_repeat(const json& node, const std::string& pointer) {
    if (!node.is_object()) {
      error(pointer, "wrong-type", "{\"count\": N, \"index\": NAME}", describe_value(node));
      return std::nullopt;
    }
    unknown_keys(node, pointer, {"count", "index"}, "a repeat field");
    Repeat repeat;
    repeat.pointer = pointer;
    if (!node.contains("count")) {
      error(pointer, "missing-field", "a \"count\"", "no \"count\"");
    } else {
      repeat.count =
          static_cast<int>(integer(node["count"], pointer + "/count", 1, 1000).value_or(1));
    }
    if (auto index = optional_string(node, pointer, "index")) {
      if (!is_identifier(*index)) {
        error(pointer + "/index", "bad-variable-name", "a name of letters, digits and _",
              in_quotes(*index));
      }
      repeat.index = *index;
    }
    return repeat;
  }

  std::optional<RetryPolicy> parse_retry(const json& node, const std::string& pointer) {
    if (!node.is_object()) {
      error(pointer, "wrong-type", "{\"attempts\": N, \"intervalMs\": MS}", describe_value(node));
      return std::nullopt;
    }
    unknown_keys(node, pointer, {"attempts", "intervalMs"}, "a retry field");
    RetryPolicy retry;
    retry.pointer = pointer;
    if (!node.contains("attempts")) {
      error(pointer, "missing-field", "an \"attempts\" count (the bound on retries)",
            "no \"attempts\"");
    } else {
      retry.attempts =
          static_cast<int>(integer(node["attempts"], pointer + "/attempts", 1, 1000).value_or(1));
    }
    if (node.contains("intervalMs")) {
      retry.interval = std::chrono::milliseconds(
          integer(node["intervalMs"], pointer + "/intervalMs", 0, 600'000).value_or(1000));
    }
    return retry;
  }

  bool check_field_path(const std::string& path, const std::string& pointer,
                        const OperationSpec& spec) {
    std::string head = path;
    if (!head.empty() && head[0] == '/') head = head.substr(1);
    head = head.substr(0, head.find_first_of("./"));
    const auto& fields = spec.result_fields;
    if (std::find(fields.begin(), fields.end(), head) != fields.end()) return true;
    std::string hint;
    if (auto near = nearest_name(head, fields)) hint = "did you mean " + in_quotes(*near) + "?";
    error(pointer, "unknown-result-field",
          fields.empty()
              ? std::string("no fields (\"") + spec.name + "\" has no result)"
              : std::string("a result field of \"") + spec.name + "\": " + one_of(fields),
          in_quotes(path), hint);
    return false;
  }

  std::optional<Expectation> parse_expect(const json& node, const std::string& pointer,
                                          const OperationSpec& spec) {
    if (!node.is_object()) {
      error(pointer, "wrong-type", "an object of field checks, or {\"error\": {...}}",
            describe_value(node));
      return std::nullopt;
    }
    Expectation expect;
    expect.pointer = pointer;
    for (auto it = node.begin(); it != node.end(); ++it) {
      std::string field_pointer = child_pointer(pointer, it.key());
      if (it.key() == "error") {
        expect.error = parse_error_expectation(it.value(), field_pointer);
        continue;
      }
      if (it.key() == "success") {
        if (!it.value().is_boolean() || !it.value().get<bool>()) {
          error(field_pointer, "wrong-type", "true (use \"error\" to expect a failure)",
                describe_value(it.value()));
        }
        continue;
      }
      if (!check_field_path(it.key(), field_pointer, spec)) continue;
      FieldExpectation field;
      field.field = it.key();
      field.pointer = field_pointer;
      const json& checks = it.value();
      if (!checks.is_object()) {
        field.checks.push_back(Check{CheckKind::Equals, checks, field_pointer});
      } else {
        for (auto c = checks.begin(); c != checks.end(); ++c) {
          if (auto check = parse_check(c.key(), c.value(), child_pointer(field_pointer, c.key()))) {
            field.checks.push_back(std::move(*check));
          }
        }
        if (checks.empty()) error(field_pointer, "empty-check", "at least one check", "{}");
      }
      expect.fields.push_back(std::move(field));
    }
    if (expect.error && !expect.fields.empty()) {
      error(pointer, "conflicting-expectation", "either \"error\" or field checks, not both",
            "both");
    }
    return expect;
  }

  std::optional<Check> parse_check(const std::string& name, const json& operand,
                                   const std::string& pointer) {
    static const std::map<std::string, CheckKind> kinds = {{"equals", CheckKind::Equals},
                                                           {"notEquals", CheckKind::NotEquals},
                                                           {"exists", CheckKind::Exists},
                                                           {"absent", CheckKind::Absent},
                                                           {"contains", CheckKind::Contains},
                                                           {"matches", CheckKind::Matches},
                                                           {"greaterThan", CheckKind::GreaterThan},
                                                           {"lessThan", CheckKind::LessThan},
                                                           {"length", CheckKind::Length}};
    auto it = kinds.find(name);
    if (it == kinds.end()) {
      std::string hint;
      if (auto near = nearest_name(name, kCheckNames))
        hint = "did you mean " + in_quotes(*near) + "?";
      else
        hint = "to compare with an object, write {\"equals\": {...}}";
      error(pointer, "unknown-check", one_of(kCheckNames), in_quotes(name), hint);
      return std::nullopt;
    }
    Check check{it->second, operand, pointer};
    switch (check.kind) {
      case CheckKind::Exists:
      case CheckKind::Absent:
        if (!operand.is_boolean()) {
          error(pointer, "wrong-type", "true or false", describe_value(operand));
          return std::nullopt;
        }
        break;
      case CheckKind::Matches:
        if (!operand.is_string()) {
          error(pointer, "wrong-type", "a regular expression string", describe_value(operand));
          return std::nullopt;
        }
        if (!has_variables(operand.get<std::string>())) {
          try {
            harness::Regex test(operand.get<std::string>());
          } catch (const harness::RegexError& e) {
            error(pointer, "bad-regex", "a regular expression (RE2 syntax)",
                  describe_value(operand) + " (" + e.reason() + ")");
            return std::nullopt;
          }
        }
        break;
      case CheckKind::GreaterThan:
      case CheckKind::LessThan:
        if (!operand.is_number() && !operand.is_string()) {
          error(pointer, "wrong-type", "a number, or a string such as a date",
                describe_value(operand));
          return std::nullopt;
        }
        break;
      case CheckKind::Length:
        if (!operand.is_number_integer() || operand.get<long long>() < 0) {
          error(pointer, "wrong-type", "a non-negative integer", describe_value(operand));
          return std::nullopt;
        }
        break;
      default:
        break;
    }
    return check;
  }

  std::optional<ErrorExpectation> parse_error_expectation(const json& node,
                                                          const std::string& pointer) {
    if (!node.is_object()) {
      error(pointer, "wrong-type", "{\"status\": N, \"code\": ..., \"innerCode\": ...}",
            describe_value(node));
      return std::nullopt;
    }
    unknown_keys(node, pointer, kErrorKeys, "an error expectation field");
    ErrorExpectation expected;
    expected.pointer = pointer;
    if (node.contains("status")) {
      if (auto status = integer(node["status"], pointer + "/status", 100, 599)) {
        expected.status = static_cast<int>(*status);
      }
    }
    expected.code = optional_string(node, pointer, "code");
    expected.inner_code = optional_string(node, pointer, "innerCode");
    expected.message_contains = optional_string(node, pointer, "messageContains");
    return expected;
  }

  std::vector<Capture> parse_captures(const json& node, const std::string& pointer,
                                      const OperationSpec& spec) {
    std::vector<Capture> captures;
    if (!node.is_object()) {
      error(pointer, "wrong-type", "an object {\"variable\": \"result field\"}",
            describe_value(node));
      return captures;
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      std::string capture_pointer = child_pointer(pointer, it.key());
      if (!is_identifier(it.key())) {
        error(capture_pointer, "bad-variable-name", "a name of letters, digits and _",
              in_quotes(it.key()));
        continue;
      }
      if (!it.value().is_string()) {
        error(capture_pointer, "wrong-type", "a result field path string",
              describe_value(it.value()));
        continue;
      }
      if (!check_field_path(it.value().get<std::string>(), capture_pointer, spec)) continue;
      captures.push_back(Capture{it.key(), it.value().get<std::string>(), capture_pointer});
    }
    return captures;
  }

  void check_references(const Step& step) {
    std::set<std::string> available = defined_;
    if (step.repeat) available.insert(step.repeat->index);
    auto check = [&](const json& value, const std::string& pointer) {
      check_unclosed(value, pointer);
      for (const auto& name : referenced_variables_in(value)) {
        if (available.count(name)) continue;
        std::vector<std::string> candidates(available.begin(), available.end());
        std::string hint;
        if (auto near = nearest_name(name, candidates))
          hint = "did you mean " + in_quotes(*near) + "?";
        else
          hint = "define it under \"variables\" or capture it in an earlier step";
        error(pointer, "unknown-variable",
              "a variable defined under \"variables\" or captured earlier",
              in_quotes("${" + name + "}"), hint);
      }
    };
    for (auto it = step.args.begin(); it != step.args.end(); ++it) {
      check(it.value(), child_pointer(step.pointer, it.key()));
    }
    if (step.expect) {
      for (const auto& field : step.expect->fields) {
        check(json(field.field), field.pointer);
        for (const auto& c : field.checks) check(c.operand, c.pointer);
      }
      if (const auto& e = step.expect->error) {
        if (e->code) check(json(*e->code), e->pointer + "/code");
        if (e->inner_code) check(json(*e->inner_code), e->pointer + "/innerCode");
        if (e->message_contains) check(json(*e->message_contains), e->pointer + "/messageContains");
      }
    }
  }

  std::string file_;
  std::vector<Diagnostic> diagnostics_;
  std::set<std::string> defined_;
};

}  // namespace

Scenario parse_scenario(std::string_view text, const std::string& file) {
  if (text.size() > kMaxScenarioBytes) {
    throw ScenarioFileError({Diagnostic{
        file, "", "too-large",
        "a scenario file of at most " + std::to_string(kMaxScenarioBytes) + " bytes (4 MiB)",
        std::to_string(text.size()) + " bytes", "split it into several scenarios"}});
  }
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    throw ScenarioFileError({Diagnostic{file, "", "empty-file", "a scenario (a JSON object)",
                                        text.empty() ? "an empty file" : "only white space", ""}});
  }
  // Parsing, copying and walking a JSON value recurse once per level: the depth is bounded
  // before nlohmann/json sees the text.
  if (auto at = harness::find_excess_nesting(text)) {
    throw ScenarioFileError({Diagnostic{
        file, harness::line_column(text, *at), "too-deep",
        "JSON nested at most " + std::to_string(harness::kMaxJsonDepth) + " levels deep",
        "a deeper array or object", ""}});
  }
  Diagnostic syntax;
  auto root = detail::parse_json_text(text, file, syntax);
  if (!root) throw ScenarioFileError({syntax});
  return Parser(file).parse(*root);
}

Scenario load_scenario(const std::string& path) {
  auto refuse = [&](std::string id, std::string found) {
    return ScenarioFileError(
        {Diagnostic{path, "", std::move(id), "a readable scenario file", std::move(found), ""}});
  };
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  // A missing file is left to the read below, whose message carries the system error.
  if (std::filesystem::is_directory(status)) throw refuse("not-a-file", "a folder");
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    throw refuse("not-a-file", "not a regular file (a device, pipe or socket)");
  }
  // Refused before reading: a 50 MB scenario would take gigabytes as a DOM.
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxScenarioBytes) {
    throw ScenarioFileError({Diagnostic{
        path, "", "too-large",
        "a scenario file of at most " + std::to_string(kMaxScenarioBytes) + " bytes (4 MiB)",
        std::to_string(size) + " bytes", "split it into several scenarios"}});
  }
  std::string text;
  try {
    text = harness::read_file(path);
  } catch (const std::exception& e) {
    throw refuse("unreadable-file", e.what());
  }
  return parse_scenario(text, path);
}

}  // namespace kv::scenario
