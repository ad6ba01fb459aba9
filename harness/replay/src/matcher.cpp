// Matching: method, normalised path, query as a set, JSON bodies semantically; and the per-field
// diff that explains a miss.
#include "kv/harness/matcher.hpp"
#include "kv/harness/internal/json_pointer.hpp"

#include <algorithm>

#include "kv/url.hpp"

namespace kv::harness {

namespace {

constexpr const char* kAbsent = "(absent)";

// Splits an absolute URL (or a target) into path and query; scheme, host and fragment never
// take part in matching.
void split_url(std::string_view url, std::string_view& path, std::string_view& query) {
  const std::string_view target = url_target(url);
  const std::size_t q = target.find('?');
  path = target.substr(0, q);
  query = q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
  if (path.empty()) path = "/";
}

std::string abbreviate(std::string text) {
  constexpr std::size_t kMax = 60;
  if (text.size() <= kMax) return text;
  const std::size_t total = text.size();
  text.resize(kMax);
  return text + "... (" + std::to_string(total) + " chars)";
}

std::string render(const Json& value) {
  return abbreviate(value.dump(-1, ' ', false, Json::error_handler_t::replace));
}

// True when some ignored pointer lies strictly below `pointer`.
bool has_ignored_below(const std::string& pointer, const std::vector<std::string>& ignored) {
  for (const auto& p : ignored) {
    if (p.size() > pointer.size() + 1 && p.compare(0, pointer.size(), pointer) == 0 &&
        p[pointer.size()] == '/') {
      return true;
    }
  }
  return false;
}

bool is_ignored(const std::string& pointer, const std::vector<std::string>& ignored) {
  for (const auto& prefix : ignored) {
    if (pointer == prefix) return true;
    if (pointer.size() > prefix.size() && pointer.compare(0, prefix.size(), prefix) == 0 &&
        pointer[prefix.size()] == '/') {
      return true;
    }
  }
  return false;
}

std::string body_text_for_diff(const http::Bytes& bytes) {
  if (bytes.empty()) return kAbsent;
  Body classified = Body::from_bytes(bytes, "");
  if (classified.kind == Body::Kind::Binary) {
    return "(" + std::to_string(bytes.size()) + " bytes of binary data)";
  }
  return abbreviate(std::string(http::as_text(bytes)));
}

}  // namespace

void json_diff(const Json& recorded, const Json& actual, const std::string& pointer,
               const std::vector<std::string>& ignored, std::vector<FieldDiff>& out,
               const std::string& prefix) {
  if (is_ignored(pointer, ignored)) return;
  const std::string name = prefix + (pointer.empty() ? "/" : pointer);
  if (recorded.is_object() && actual.is_object()) {
    for (const auto& [key, value] : recorded.items()) {
      const std::string child = pointer + "/" + escape_pointer_token(key);
      auto it = actual.find(key);
      if (it == actual.end()) {
        // An object missing on one side still differs only in its non-ignored members.
        if (value.is_object() && has_ignored_below(child, ignored)) {
          json_diff(value, Json::object(), child, ignored, out, prefix);
        } else if (!is_ignored(child, ignored)) {
          out.push_back({prefix + child, render(value), kAbsent});
        }
      } else {
        json_diff(value, *it, child, ignored, out, prefix);
      }
    }
    for (const auto& [key, value] : actual.items()) {
      if (recorded.contains(key)) continue;
      const std::string child = pointer + "/" + escape_pointer_token(key);
      if (value.is_object() && has_ignored_below(child, ignored)) {
        json_diff(Json::object(), value, child, ignored, out, prefix);
      } else if (!is_ignored(child, ignored)) {
        out.push_back({prefix + child, kAbsent, render(value)});
      }
    }
    return;
  }
  if (recorded.is_array() && actual.is_array()) {
    const std::size_t common = std::min(recorded.size(), actual.size());
    for (std::size_t i = 0; i < common; ++i) {
      json_diff(recorded[i], actual[i], pointer + "/" + std::to_string(i), ignored, out, prefix);
    }
    for (std::size_t i = common; i < recorded.size(); ++i) {
      out.push_back({prefix + pointer + "/" + std::to_string(i), render(recorded[i]), kAbsent});
    }
    for (std::size_t i = common; i < actual.size(); ++i) {
      out.push_back({prefix + pointer + "/" + std::to_string(i), kAbsent, render(actual[i])});
    }
    return;
  }
  // nlohmann compares numbers by value (1 == 1.0), strings and booleans exactly.
  if (recorded != actual) out.push_back({name, render(recorded), render(actual)});
}

Matcher::Matcher(MatchRules rules) : rules_(std::move(rules)) {}

namespace {

// A query name or value decoded ('+' is a space); most have nothing to decode.
std::string decoded(std::string_view part) {
  if (part.find_first_of("%+") == std::string_view::npos) return std::string(part);
  return form_decode(part);
}

}  // namespace

RequestKey Matcher::key(std::string_view method, std::string_view url) const {
  return make_key(method, url, true);
}

RequestKey Matcher::entry_key(std::string_view method, std::string_view url) const {
  return make_key(method, url, false);
}

void Matcher::entry_route(std::string_view method, std::string_view url, std::string& method_out,
                          std::string& path_out) const {
  std::string_view query;
  route(method, url, false, method_out, path_out, query);
}

void Matcher::route(std::string_view method, std::string_view url, bool cached,
                    std::string& method_out, std::string& path_out, std::string_view& query) const {
  method_out.assign(method);
  std::transform(method_out.begin(), method_out.end(), method_out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  std::string_view path;
  split_url(url, path, query);
  if (cached && !rules_.path_rewrites.empty()) {
    path_out = normalised_path(path);
    return;
  }
  path_out.assign(path);
  for (const auto& rewrite : rules_.path_rewrites) rewrite.apply_in_place(path_out);
}

RequestKey Matcher::make_key(std::string_view method, std::string_view url, bool cached) const {
  RequestKey key;
  std::string_view query;
  route(method, url, cached, key.method, key.path, query);
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    std::string name = decoded(pair.substr(0, eq));
    const bool ignored =
        std::any_of(rules_.ignore_query_parameters.begin(), rules_.ignore_query_parameters.end(),
                    [&](const std::string& n) { return http::iequals(n, name); });
    if (ignored) continue;
    std::string value = eq == std::string_view::npos ? std::string() : decoded(pair.substr(eq + 1));
    key.query.emplace_back(std::move(name), std::move(value));
  }
  std::sort(key.query.begin(), key.query.end());
  return key;
}

std::string Matcher::normalised_path(std::string_view path) const {
  constexpr std::size_t kMaxCached = 1 << 16;
  {
    std::lock_guard lock(cache_mutex_);
    if (auto it = path_cache_.find(path); it != path_cache_.end()) return it->second;
  }
  std::string normalised = rules_.normalise_path(path);
  std::lock_guard lock(cache_mutex_);
  if (path_cache_.size() < kMaxCached) path_cache_.emplace(std::string(path), normalised);
  return normalised;
}

bool Matcher::body_matches(const Entry& recorded, const http::Request& actual) const {
  if (!rules_.compare_bodies || !recorded.request_body_recorded) return true;
  const Body& body = recorded.request_body;
  // Fast path: the same bytes (our own recordings replayed by the same client).
  if (body.bytes == actual.body) return true;
  if (body.kind != Body::Kind::Json) return false;
  if (actual.body.empty()) return false;
  Json parsed = Json::parse(actual.body.begin(), actual.body.end(), nullptr, false);
  if (parsed.is_discarded()) return false;
  std::vector<FieldDiff> diffs;
  json_diff(body.json(), parsed, "", rules_.ignore_body_pointers, diffs);
  return diffs.empty();
}

bool Matcher::matches(const Entry& recorded, const RequestKey& recorded_key,
                      const http::Request& actual, const RequestKey& actual_key) const {
  if (recorded_key.method != actual_key.method || recorded_key.path != actual_key.path ||
      recorded_key.query != actual_key.query) {
    return false;
  }
  for (const auto& name : rules_.compare_headers) {
    const auto a = recorded.request_headers.find(name);
    const std::string* b = actual.headers.find(name);
    if (a.has_value() != (b != nullptr) || (a && *a != *b)) return false;
  }
  return body_matches(recorded, actual);
}

void Matcher::body_diff(const Entry& recorded, const http::Request& actual,
                        std::vector<FieldDiff>& out) const {
  if (!rules_.compare_bodies || !recorded.request_body_recorded) return;
  const Body& body = recorded.request_body;
  if (body.bytes == actual.body) return;
  if (body.kind == Body::Kind::Json && !actual.body.empty()) {
    Json parsed = Json::parse(actual.body.begin(), actual.body.end(), nullptr, false);
    if (!parsed.is_discarded()) {
      json_diff(body.json(), parsed, "", rules_.ignore_body_pointers, out);
      return;
    }
  }
  out.push_back({"body", body_text_for_diff(body.bytes), body_text_for_diff(actual.body)});
}

std::vector<FieldDiff> Matcher::diff(const Entry& recorded, const RequestKey& recorded_key,
                                     const http::Request& actual,
                                     const RequestKey& actual_key) const {
  std::vector<FieldDiff> out;
  if (recorded_key.method != actual_key.method) {
    out.push_back({"method", recorded_key.method, actual_key.method});
  }
  if (recorded_key.path != actual_key.path) {
    out.push_back({"path", recorded_key.path, actual_key.path});
  }
  // Both query lists are sorted: walk them together, one diff per differing parameter name.
  auto collect = [](const RequestKey& key, const std::string& name) {
    std::string values;
    bool found = false;
    for (const auto& [n, v] : key.query) {
      if (n != name) continue;
      values += (found ? "," : "") + v;
      found = true;
    }
    return found ? abbreviate(values) : std::string(kAbsent);
  };
  std::vector<std::string> names;
  for (const auto& [n, v] : recorded_key.query) names.push_back(n);
  for (const auto& [n, v] : actual_key.query) names.push_back(n);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  for (const auto& name : names) {
    std::string a = collect(recorded_key, name);
    std::string b = collect(actual_key, name);
    if (a != b) out.push_back({"query " + name, std::move(a), std::move(b)});
  }
  for (const auto& name : rules_.compare_headers) {
    const auto a = recorded.request_headers.find(name);
    const std::string* b = actual.headers.find(name);
    std::string ra = a ? std::string(*a) : kAbsent;
    std::string rb = b ? *b : kAbsent;
    if (ra != rb) out.push_back({"header " + name, std::move(ra), std::move(rb)});
  }
  body_diff(recorded, actual, out);
  return out;
}

}  // namespace kv::harness
