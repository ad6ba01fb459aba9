// The sanitizer set a fixture was recorded with: its digest, and what a newer set lacks.
#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>

#include "kv/harness/sanitizer.hpp"

namespace kv::harness {

std::string sanitizer_set_digest(const Json& set) {
  // Sorted keys, compact: the digest does not depend on key order or formatting.
  const std::string canonical = nlohmann::json(set).dump();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(canonical.data(), canonical.size(), digest, &size, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 of the sanitizer set failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

namespace {

std::string text(const Json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

const Json& list(const Json& set, const char* key) {
  static const Json kEmpty = Json::array();
  if (!set.is_object()) return kEmpty;
  auto it = set.find(key);
  return it != set.end() && it->is_array() ? *it : kEmpty;
}

bool same_name(const std::string& a, const std::string& b) {
  return http::iequals(a, b);
}

// Every rule of `key` in `stored` that no rule in `current` covers, described by `describe`.
template <class Covers, class Describe>
void missing_of(const Json& stored, const Json& current, const char* key, Covers covers,
                Describe describe, std::vector<std::string>& out) {
  for (const auto& rule : list(stored, key)) {
    const auto& now = list(current, key);
    if (std::none_of(now.begin(), now.end(), [&](const Json& c) { return covers(rule, c); }))
      out.push_back(std::string(key) + " " + describe(rule));
  }
}

// Form-encoded bodies get the body keys' values replaced by the sanitizer itself; fixtures
// recorded before that stored the same job as this regex. It is covered when every name it lists
// is still a body key.
bool covered_form_rule(const Json& rule, const Json& current) {
  constexpr std::string_view kPrefix = "((?:^|&)(?:";
  constexpr std::string_view kSuffix = ")=)[^&]*";
  const std::string pattern = text(rule, "pattern");
  if (pattern.size() <= kPrefix.size() + kSuffix.size() || pattern.rfind(kPrefix, 0) != 0 ||
      pattern.compare(pattern.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0 ||
      text(rule, "replacement") != "$1Sanitized")
    return false;
  const std::string names =
      pattern.substr(kPrefix.size(), pattern.size() - kPrefix.size() - kSuffix.size());
  const auto& keys = list(current, "bodyKeys");
  for (std::size_t start = 0; start <= names.size();) {
    const std::size_t bar = std::min(names.find('|', start), names.size());
    const std::string name = names.substr(start, bar - start);
    if (std::find(keys.begin(), keys.end(), Json(name)) == keys.end()) return false;
    start = bar + 1;
  }
  return true;
}

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

}  // namespace

std::vector<std::string> missing_sanitizers(const Json& stored, const Json& current,
                                            bool recording) {
  std::vector<std::string> out;
  missing_of(
      stored, current, "headers",
      [](const Json& s, const Json& c) { return same_name(text(s, "name"), text(c, "name")); },
      [](const Json& s) { return quoted(text(s, "name")); }, out);
  missing_of(
      stored, current, "headerRegexes",
      [](const Json& s, const Json& c) {
        return same_name(text(s, "name"), text(c, "name")) &&
               text(s, "pattern") == text(c, "pattern");
      },
      [](const Json& s) { return quoted(text(s, "name")) + " " + quoted(text(s, "pattern")); },
      out);
  for (const char* key : {"uriRegexes", "bodyRegexes"}) {
    std::vector<std::string> lacking;
    missing_of(
        stored, current, key,
        [](const Json& s, const Json& c) { return text(s, "pattern") == text(c, "pattern"); },
        [](const Json& s) { return quoted(text(s, "pattern")); }, lacking);
    for (const auto& rule : list(stored, key)) {
      if (std::string(key) == "bodyRegexes" && covered_form_rule(rule, current)) {
        lacking.erase(std::remove(lacking.begin(), lacking.end(),
                                  std::string(key) + " " + quoted(text(rule, "pattern"))),
                      lacking.end());
      }
    }
    out.insert(out.end(), lacking.begin(), lacking.end());
  }
  // A pointer rule limited to fewer URIs than before is narrower; one for every URI covers all.
  missing_of(
      stored, current, "bodyPointers",
      [](const Json& s, const Json& c) {
        if (text(s, "pointer") != text(c, "pointer")) return false;
        return !c.contains("uriPattern") || text(s, "uriPattern") == text(c, "uriPattern");
      },
      [](const Json& s) {
        std::string d = quoted(text(s, "pointer"));
        if (s.contains("uriPattern")) d += " (uriPattern " + quoted(text(s, "uriPattern")) + ")";
        return d;
      },
      out);
  missing_of(
      stored, current, "bodyKeys",
      [](const Json& s, const Json& c) { return s.is_string() && s == c; },
      [](const Json& s) { return s.is_string() ? quoted(s.get<std::string>()) : s.dump(); }, out);
  const std::string stored_host = text(stored, "vaultHost");
  const std::string current_host = text(current, "vaultHost");
  if (recording && stored_host.rfind("replaced", 0) == 0 && current_host.rfind("replaced", 0) != 0)
    out.push_back("vaultHost (\"" + stored_host + "\", now \"" + current_host + "\")");
  if (recording && stored.is_object() && current.is_object()) {
    const auto s = stored.value("secretsRedacted", 0);
    const auto c = current.value("secretsRedacted", 0);
    if (c < s)
      out.push_back("secretsRedacted (" + std::to_string(s) + " registered secrets, now " +
                    std::to_string(c) + ")");
  }
  return out;
}

}  // namespace kv::harness
