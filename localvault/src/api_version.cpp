#include "kv/localvault/api_version.hpp"

#include <cctype>

namespace kv::localvault {

namespace {
bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// Accepts "", "-preview" and "-preview.N" after a base version.
bool is_preview_suffix(std::string_view rest) {
  if (rest.empty()) return true;
  constexpr std::string_view kPreview = "-preview";
  if (rest.substr(0, kPreview.size()) != kPreview) return false;
  rest.remove_prefix(kPreview.size());
  return rest.empty() || (rest.front() == '.' && all_digits(rest.substr(1)));
}
}  // namespace

bool is_supported_api_version(std::string_view v) {
  if (v.size() >= 3 && v[0] == '7' && v[1] == '.' && v[2] >= '0' && v[2] <= '6')
    return is_preview_suffix(v.substr(3));
  // 2025-MM-DD[-preview]: the date-named versions that followed 7.6.
  if (v.size() >= 10 && v.substr(0, 5) == "2025-" && all_digits(v.substr(5, 2)) && v[7] == '-' &&
      all_digits(v.substr(8, 2)))
    return is_preview_suffix(v.substr(10));
  return false;
}

}  // namespace kv::localvault
