// Formatting of diagnostics, and the two helpers every reader of JSON files needs for them.
#include "kv/harness/diagnostic.hpp"

namespace kv::harness {

const char* to_string(Severity severity) {
  switch (severity) {
    case Severity::Error:
      return "error";
    case Severity::Warning:
      return "warning";
    case Severity::Info:
      return "info";
  }
  return "error";
}

std::string Diagnostic::message() const {
  std::string text = file + ": " + to_string(severity);
  if (!where.empty()) text += " at " + where;
  text += " [" + id + "]";
  if (!expected.empty()) text += "\n  expected: " + expected;
  if (!found.empty()) text += "\n  found:    " + found;
  if (!hint.empty()) text += "\n  hint:     " + hint;
  return text;
}

nlohmann::ordered_json to_json(const Diagnostic& d) {
  return {{"file", d.file},
          {"where", d.where},
          {"id", d.id},
          {"severity", to_string(d.severity)},
          {"expected", d.expected},
          {"found", d.found},
          {"hint", d.hint}};
}

std::string format_diagnostics(const std::vector<Diagnostic>& diagnostics) {
  std::string text;
  for (const auto& d : diagnostics) {
    if (!text.empty()) text += '\n';
    text += d.message();
  }
  return text;
}

std::string line_column(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t column = 1;
  const std::size_t end = offset < text.size() ? offset : text.size();
  for (std::size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

namespace {

template <class JsonType>
std::string describe(const JsonType& value) {
  std::string text = value.dump(-1, ' ', false, JsonType::error_handler_t::replace);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  switch (value.type()) {
    case nlohmann::json::value_t::string:
      return text;
    case nlohmann::json::value_t::object:
      return text + " (an object)";
    case nlohmann::json::value_t::array:
      return text + " (an array)";
    case nlohmann::json::value_t::boolean:
      return text + " (a boolean)";
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::number_float:
      return text + " (a number)";
    case nlohmann::json::value_t::binary:
      return "binary data";
    default:
      return text + " (an integer)";
  }
}

}  // namespace

std::string describe_json(const nlohmann::json& value) {
  return describe(value);
}

std::string describe_json(const nlohmann::ordered_json& value) {
  return describe(value);
}

}  // namespace kv::harness
