// Match and sanitizer rules: defaults, JSON reading (with JSON Pointers in errors) and writing.
#include "kv/harness/rules.hpp"

#include <algorithm>
#include <stdexcept>

#include "kv/harness/diagnostic.hpp"
#include "kv/http.hpp"

namespace kv::harness {

namespace {

[[noreturn]] void fail(const std::string& pointer, const std::string& expected, const Json& found) {
  throw std::invalid_argument("rules: at " + pointer + ": expected " + expected + ", found " +
                              describe_json(found));
}

const Json* member(const Json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string string_member(const Json& object, const std::string& pointer, const char* key,
                          bool required = true) {
  const Json* value = member(object, key);
  if (value == nullptr) {
    if (!required) return {};
    throw std::invalid_argument("rules: at " + pointer + "/" + key +
                                ": expected a string, found nothing (the key is missing)");
  }
  if (!value->is_string()) fail(pointer + "/" + key, "a string", *value);
  return value->get<std::string>();
}

std::vector<std::string> string_list(const Json& value, const std::string& pointer) {
  if (!value.is_array()) fail(pointer, "an array of strings", value);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string()) fail(pointer + "/" + std::to_string(i), "a string", value[i]);
    out.push_back(value[i].get<std::string>());
  }
  return out;
}

void append_unique(std::vector<std::string>& to, const std::vector<std::string>& items,
                   bool case_insensitive) {
  for (const auto& item : items) {
    auto same = [&](const std::string& existing) {
      return case_insensitive ? http::iequals(existing, item) : existing == item;
    };
    if (std::none_of(to.begin(), to.end(), same)) to.push_back(item);
  }
}

std::vector<RegexRewrite> rewrite_list(const Json& value, const std::string& pointer) {
  if (!value.is_array()) fail(pointer, "an array of {\"pattern\", \"replacement\"}", value);
  std::vector<RegexRewrite> out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string here = pointer + "/" + std::to_string(i);
    if (!value[i].is_object()) fail(here, "an object {\"pattern\", \"replacement\"}", value[i]);
    std::string pattern = string_member(value[i], here, "pattern");
    std::string replacement = string_member(value[i], here, "replacement", false);
    try {
      out.push_back(make_rewrite(std::move(pattern), std::move(replacement)));
    } catch (const std::invalid_argument& error) {
      throw std::invalid_argument("rules: at " + here + "/pattern: " + error.what());
    }
  }
  return out;
}

void append_rewrites(std::vector<RegexRewrite>& to, std::vector<RegexRewrite> items) {
  for (auto& item : items) {
    auto same = [&](const RegexRewrite& r) {
      return r.pattern == item.pattern && r.replacement == item.replacement;
    };
    if (std::none_of(to.begin(), to.end(), same)) to.push_back(std::move(item));
  }
}

Json rewrites_to_json(const std::vector<RegexRewrite>& rewrites) {
  Json out = Json::array();
  for (const auto& r : rewrites)
    out.push_back({{"pattern", r.pattern}, {"replacement", r.replacement}});
  return out;
}

void require_object(const Json& value, const std::string& pointer) {
  if (!value.is_object()) fail(pointer, "an object", value);
}

void check_known_keys(const Json& object, const std::string& pointer,
                      std::initializer_list<const char*> known) {
  for (const auto& [key, value] : object.items()) {
    if (std::none_of(known.begin(), known.end(), [&](const char* k) { return key == k; })) {
      std::string list;
      for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      throw std::invalid_argument("rules: at " + pointer + "/" + key + ": unknown rule \"" + key +
                                  "\"; known rules: " + list);
    }
  }
}

}  // namespace

RegexRewrite make_rewrite(std::string pattern, std::string replacement) {
  RegexRewrite rewrite;
  try {
    rewrite.compiled = std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& error) {
    throw std::invalid_argument("invalid regular expression \"" + pattern + "\": " + error.what());
  }
  rewrite.pattern = std::move(pattern);
  rewrite.replacement = std::move(replacement);
  return rewrite;
}

bool is_volatile_header(std::string_view name) {
  static constexpr std::string_view kVolatile[] = {"Authorization",  "x-ms-client-request-id",
                                                   "User-Agent",     "Date",
                                                   "Content-Length", "x-ms-date",
                                                   "traceparent",    "Cookie",
                                                   "Expect"};
  return std::any_of(std::begin(kVolatile), std::end(kVolatile),
                     [&](std::string_view v) { return http::iequals(v, name); });
}

MatchRules MatchRules::defaults() {
  MatchRules rules;
  // The 2025 C++ SDK asks for the latest version as "/secrets/{name}/%2F"; .NET as
  // "/secrets/{name}/". The service treats both as "/secrets/{name}".
  rules.path_rewrites.push_back(make_rewrite("/%2[Ff]$", ""));
  rules.path_rewrites.push_back(make_rewrite("(.)/$", "$1"));
  return rules;
}

void MatchRules::merge(const Json& json) {
  const std::string base = "/match";
  require_object(json, base);
  check_known_keys(json, base,
                   {"compareBodies", "compareHeaders", "ignoreQueryParameters",
                    "ignoreBodyPointers", "pathRewrites"});
  if (const Json* v = member(json, "compareBodies")) {
    if (!v->is_boolean()) fail(base + "/compareBodies", "true or false", *v);
    compare_bodies = v->get<bool>();
  }
  if (const Json* v = member(json, "compareHeaders")) {
    auto names = string_list(*v, base + "/compareHeaders");
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (is_volatile_header(names[i])) {
        throw std::invalid_argument("rules: at " + base + "/compareHeaders/" + std::to_string(i) +
                                    ": \"" + names[i] +
                                    "\" is a volatile header and never takes part in matching");
      }
    }
    append_unique(compare_headers, names, true);
  }
  if (const Json* v = member(json, "ignoreQueryParameters")) {
    append_unique(ignore_query_parameters, string_list(*v, base + "/ignoreQueryParameters"), true);
  }
  if (const Json* v = member(json, "ignoreBodyPointers")) {
    auto pointers = string_list(*v, base + "/ignoreBodyPointers");
    for (std::size_t i = 0; i < pointers.size(); ++i) {
      if (!pointers[i].empty() && pointers[i][0] != '/') {
        throw std::invalid_argument("rules: at " + base + "/ignoreBodyPointers/" +
                                    std::to_string(i) + ": expected a JSON Pointer such as " +
                                    "\"/attributes/exp\", found \"" + pointers[i] + "\"");
      }
    }
    append_unique(ignore_body_pointers, pointers, false);
  }
  if (const Json* v = member(json, "pathRewrites")) {
    append_rewrites(path_rewrites, rewrite_list(*v, base + "/pathRewrites"));
  }
}

Json MatchRules::to_json() const {
  Json out = Json::object();
  out["compareBodies"] = compare_bodies;
  out["compareHeaders"] = compare_headers;
  out["ignoreQueryParameters"] = ignore_query_parameters;
  out["ignoreBodyPointers"] = ignore_body_pointers;
  out["pathRewrites"] = rewrites_to_json(path_rewrites);
  return out;
}

std::string MatchRules::normalise_path(std::string_view path) const {
  std::string out(path);
  for (const auto& rewrite : path_rewrites) {
    out = std::regex_replace(out, rewrite.compiled, rewrite.replacement);
  }
  return out;
}

SanitizerRules SanitizerRules::defaults() {
  SanitizerRules rules;
  rules.headers = {{"Authorization", "Sanitized"},
                   {"Cookie", "Sanitized"},
                   {"Set-Cookie", "Sanitized"},
                   {"Proxy-Authorization", "Sanitized"}};
  rules.body_keys = {"access_token",  "refresh_token",    "id_token",
                     "client_secret", "client_assertion", "password"};
  // The same names in form-encoded text bodies are handled by the sanitizer itself (a plain
  // search: a regex over every multi-kilobyte body would dominate the cost of recording).
  return rules;
}

void SanitizerRules::merge(const Json& json) {
  const std::string base = "/sanitize";
  require_object(json, base);
  check_known_keys(
      json, base,
      {"headers", "headerRegexes", "uriRegexes", "bodyRegexes", "bodyPointers", "bodyKeys"});
  if (const Json* v = member(json, "headers")) {
    if (!v->is_array()) fail(base + "/headers", "an array", *v);
    for (std::size_t i = 0; i < v->size(); ++i) {
      const std::string here = base + "/headers/" + std::to_string(i);
      const Json& item = (*v)[i];
      HeaderRule rule;
      if (item.is_string()) {
        rule.name = item.get<std::string>();
      } else if (item.is_object()) {
        rule.name = string_member(item, here, "name");
        if (member(item, "value")) rule.value = string_member(item, here, "value");
      } else {
        fail(here, "a header name or {\"name\", \"value\"}", item);
      }
      auto same = [&](const HeaderRule& r) { return http::iequals(r.name, rule.name); };
      auto it = std::find_if(headers.begin(), headers.end(), same);
      if (it == headers.end()) {
        headers.push_back(std::move(rule));
      } else {
        *it = std::move(rule);
      }
    }
  }
  if (const Json* v = member(json, "headerRegexes")) {
    if (!v->is_array()) fail(base + "/headerRegexes", "an array", *v);
    for (std::size_t i = 0; i < v->size(); ++i) {
      const std::string here = base + "/headerRegexes/" + std::to_string(i);
      const Json& item = (*v)[i];
      if (!item.is_object()) fail(here, "an object {\"name\", \"pattern\", \"replacement\"}", item);
      HeaderRegexRule rule;
      rule.name = string_member(item, here, "name");
      auto rewrites = rewrite_list(Json::array({item}), here);
      rule.rewrite = std::move(rewrites.front());
      header_regexes.push_back(std::move(rule));
    }
  }
  if (const Json* v = member(json, "uriRegexes")) {
    append_rewrites(uri_regexes, rewrite_list(*v, base + "/uriRegexes"));
  }
  if (const Json* v = member(json, "bodyRegexes")) {
    append_rewrites(body_regexes, rewrite_list(*v, base + "/bodyRegexes"));
  }
  if (const Json* v = member(json, "bodyPointers")) {
    if (!v->is_array()) fail(base + "/bodyPointers", "an array", *v);
    for (std::size_t i = 0; i < v->size(); ++i) {
      const std::string here = base + "/bodyPointers/" + std::to_string(i);
      const Json& item = (*v)[i];
      BodyPointerRule rule;
      if (item.is_string()) {
        rule.pointer = item.get<std::string>();
      } else if (item.is_object()) {
        rule.pointer = string_member(item, here, "pointer");
        if (const Json* value = member(item, "value")) rule.value = *value;
        if (member(item, "uriPattern")) {
          rule.uri_pattern = string_member(item, here, "uriPattern");
          try {
            rule.uri_compiled = std::regex(*rule.uri_pattern, std::regex::ECMAScript);
          } catch (const std::regex_error& error) {
            throw std::invalid_argument("rules: at " + here + "/uriPattern: invalid regular " +
                                        "expression \"" + *rule.uri_pattern +
                                        "\": " + error.what());
          }
        }
      } else {
        fail(here, "a JSON Pointer or {\"pointer\", \"value\", \"uriPattern\"}", item);
      }
      try {
        (void)Json::json_pointer(rule.pointer);
      } catch (const Json::exception&) {
        fail(here, "a JSON Pointer such as \"/value\"", Json(rule.pointer));
      }
      body_pointers.push_back(std::move(rule));
    }
  }
  if (const Json* v = member(json, "bodyKeys")) {
    append_unique(body_keys, string_list(*v, base + "/bodyKeys"), false);
  }
}

Json SanitizerRules::to_json() const {
  Json out = Json::object();
  Json h = Json::array();
  for (const auto& r : headers) h.push_back({{"name", r.name}, {"value", r.value}});
  out["headers"] = std::move(h);
  Json hr = Json::array();
  for (const auto& r : header_regexes) {
    hr.push_back(
        {{"name", r.name}, {"pattern", r.rewrite.pattern}, {"replacement", r.rewrite.replacement}});
  }
  out["headerRegexes"] = std::move(hr);
  out["uriRegexes"] = rewrites_to_json(uri_regexes);
  out["bodyRegexes"] = rewrites_to_json(body_regexes);
  Json bp = Json::array();
  for (const auto& r : body_pointers) {
    Json item = {{"pointer", r.pointer}, {"value", r.value}};
    if (r.uri_pattern) item["uriPattern"] = *r.uri_pattern;
    bp.push_back(std::move(item));
  }
  out["bodyPointers"] = std::move(bp);
  out["bodyKeys"] = body_keys;
  return out;
}

Rules Rules::parse(std::string_view text) {
  Rules rules;
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return rules;
  Json json = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false,
                          /*ignore_comments=*/true);
  if (json.is_discarded()) {
    throw std::invalid_argument(
        "rules: expected a JSON object {\"match\": ..., \"sanitize\": ...}, "
        "found text that is not valid JSON");
  }
  require_object(json, "/");
  check_known_keys(json, "", {"match", "sanitize"});
  if (const Json* m = member(json, "match")) rules.match.merge(*m);
  if (const Json* s = member(json, "sanitize")) rules.sanitize.merge(*s);
  return rules;
}

}  // namespace kv::harness
