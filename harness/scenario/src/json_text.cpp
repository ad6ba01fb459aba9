// JSON text helpers for scenario files.
#include "json_text.hpp"

#include <stdexcept>

namespace kv::scenario::detail {

std::optional<nlohmann::json> parse_json_text(std::string_view text, const std::string& file,
                                              Diagnostic& error) {
  try {
    return nlohmann::json::parse(text.begin(), text.end(), nullptr, true, /*ignore_comments=*/true);
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann reports a 1-based byte offset of the last character read.
    const std::size_t offset = e.byte == 0 ? 0 : std::min<std::size_t>(e.byte - 1, text.size());
    std::string what = e.what();
    // Drop nlohmann's "[json.exception...] parse error at line L, column C: " prefix.
    auto colon = what.find(": ");
    std::string detail = colon == std::string::npos ? what : what.substr(colon + 2);
    error.file = file;
    error.where = harness::line_column(text, offset);
    error.id = "syntax-error";
    error.expected = "valid JSON (comments allowed)";
    error.found = detail;
    return std::nullopt;
  } catch (const nlohmann::json::exception& e) {
    // A number too large for a double ("1e999") is out_of_range, not a parse_error.
    std::string detail = e.what();
    if (auto bracket = detail.find("] "); bracket != std::string::npos)
      detail = detail.substr(bracket + 2);
    error.file = file;
    error.where = "";
    error.id = "syntax-error";
    error.expected = "valid JSON (comments allowed)";
    error.found = detail;
    return std::nullopt;
  }
}

}  // namespace kv::scenario::detail
