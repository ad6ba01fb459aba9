// JSON Pointer (RFC 6901) helpers shared by fixture loading, matching, auditing and scenarios.
#pragma once

#include <string>
#include <string_view>

namespace kv::harness {

/// Escapes one reference token: '~' becomes "~0" and '/' becomes "~1".
std::string escape_pointer_token(std::string_view token);

/// `parent` + "/" + the escaped `token`.
inline std::string child_pointer(std::string_view parent, std::string_view token) {
  std::string out(parent);
  out += '/';
  out += escape_pointer_token(token);
  return out;
}

}  // namespace kv::harness
