// The nesting scan that runs before JSON text is parsed.
#include "kv/harness/internal/json_limits.hpp"

namespace kv::harness {

std::optional<std::size_t> find_excess_nesting(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const char c = text[i];
    if (c == '"') {
      for (++i; i < n && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
      ++i;
    } else if (c == '/' && i + 1 < n && text[i + 1] == '/') {
      while (i < n && text[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < n && text[i + 1] == '*') {
      const std::size_t end = text.find("*/", i + 2);
      i = end == std::string_view::npos ? n : end + 2;
    } else {
      if (c == '[' || c == '{') {
        if (++depth > max_depth) return i;
      } else if ((c == ']' || c == '}') && depth > 0) {
        --depth;
      }
      ++i;
    }
  }
  return std::nullopt;
}

}  // namespace kv::harness
