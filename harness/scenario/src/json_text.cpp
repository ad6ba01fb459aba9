// JSON text helpers for scenario files.
#include "json_text.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace kv::scenario::detail {

std::optional<nlohmann::json> parse_json_text(std::string_view text, const std::string& file,
                                              Diagnostic& error) {
  try {
    return nlohmann::json::parse(text.begin(), text.end(), nullptr, true, /*ignore_comments=*/true);
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann reports a 1-based byte offset of the last character read; derive line:column.
    std::size_t offset = e.byte == 0 ? 0 : std::min<std::size_t>(e.byte - 1, text.size());
    std::size_t line = 1;
    std::size_t column = 1;
    for (std::size_t i = 0; i < offset; ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    std::string what = e.what();
    // Drop nlohmann's "[json.exception...] parse error at line L, column C: " prefix.
    auto colon = what.find(": ");
    std::string detail = colon == std::string::npos ? what : what.substr(colon + 2);
    error.file = file;
    error.where = "line " + std::to_string(line) + ", column " + std::to_string(column);
    error.id = "syntax-error";
    error.expected = "valid JSON (comments allowed)";
    error.found = detail;
    return std::nullopt;
  }
}

std::string describe_value(const nlohmann::json& value) {
  std::string text = value.dump();
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
    default:
      return text + " (an integer)";
  }
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw std::runtime_error(path + ": read failed: " + std::strerror(errno));
  return buffer.str();
}

}  // namespace kv::scenario::detail
