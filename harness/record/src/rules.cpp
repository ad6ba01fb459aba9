// Match and sanitizer rules: defaults, JSON reading (with the file and full JSON Pointer of every
// mistake) and writing.
#include "kv/harness/rules.hpp"
#include "kv/harness/internal/json_limits.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "kv/harness/diagnostic.hpp"
#include "kv/harness/internal/json_pointer.hpp"
#include "kv/http.hpp"

namespace kv::harness {

namespace {

// Where the rules object being read sits: the file and the pointer of the object itself.
struct Where {
  const RulesOrigin& origin;
  std::string at(const std::string& relative) const { return origin.pointer + relative; }
  [[noreturn]] void error(const std::string& relative, const char* id, std::string expected,
                          std::string found, std::string hint = {}) const {
    throw RulesError(Diagnostic{origin.file, at(relative), id, std::move(expected),
                                std::move(found), std::move(hint)});
  }
  [[noreturn]] void fail(const std::string& relative, std::string expected,
                         const Json& found) const {
    error(relative, "wrong-type", std::move(expected), describe_json(found));
  }
};

const Json* member(const Json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string string_member(const Where& w, const Json& object, const std::string& pointer,
                          const char* key, bool required = true) {
  const Json* value = member(object, key);
  if (value == nullptr) {
    if (!required) return {};
    w.error(pointer + "/" + key, "missing-field", "a string", "nothing (the key is missing)");
  }
  if (!value->is_string()) w.fail(pointer + "/" + key, "a string", *value);
  return value->get<std::string>();
}

std::vector<std::string> string_list(const Where& w, const Json& value,
                                     const std::string& pointer) {
  if (!value.is_array()) w.fail(pointer, "an array of strings", value);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string()) w.fail(pointer + "/" + std::to_string(i), "a string", value[i]);
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

// "/%2[Ff]$" -> "": the 2025 C++ SDK's "/%2F" latest-version segment, removed.
void drop_encoded_slash_suffix(std::string& text) {
  const std::size_t n = text.size();
  if (n >= 4 && text.compare(n - 4, 3, "/%2") == 0 && (text[n - 1] == 'F' || text[n - 1] == 'f')) {
    text.resize(n - 4);
  }
}

// "(.)/$" -> "$1": one trailing "/" removed, unless it is the whole text.
void drop_trailing_slash(std::string& text) {
  if (text.size() >= 2 && text.back() == '/') text.pop_back();
}

// The hand-written equivalent of a rewrite, when there is one.
void (*builtin_for(std::string_view pattern, std::string_view replacement))(std::string&) {
  if (pattern == "/%2[Ff]$" && replacement.empty()) return drop_encoded_slash_suffix;
  if (pattern == "(.)/$" && replacement == "$1") return drop_trailing_slash;
  return nullptr;
}

// A compiled regex, or a diagnostic at `pointer` naming the pattern and the regex error.
Regex compile(const Where& w, const std::string& pointer, const std::string& pattern) {
  try {
    return Regex(pattern);
  } catch (const RegexError& error) {
    w.error(pointer, "bad-regex", "a regular expression (RE2 syntax)",
            describe_json(Json(pattern)) + " (" + error.reason() + ")");
  }
}

std::vector<RegexRewrite> rewrite_list(const Where& w, const Json& value,
                                       const std::string& pointer) {
  if (!value.is_array()) w.fail(pointer, "an array of {\"pattern\", \"replacement\"}", value);
  std::vector<RegexRewrite> out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string here = pointer + "/" + std::to_string(i);
    if (!value[i].is_object()) w.fail(here, "an object {\"pattern\", \"replacement\"}", value[i]);
    RegexRewrite rewrite;
    rewrite.pattern = string_member(w, value[i], here, "pattern");
    rewrite.replacement = string_member(w, value[i], here, "replacement", false);
    rewrite.builtin = builtin_for(rewrite.pattern, rewrite.replacement);
    if (!rewrite.builtin) rewrite.compiled = compile(w, here + "/pattern", rewrite.pattern);
    out.push_back(std::move(rewrite));
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

void require_object(const Where& w, const Json& value) {
  if (!value.is_object()) w.fail("", "an object", value);
}

void check_known_keys(const Where& w, const Json& object,
                      std::initializer_list<const char*> known) {
  for (const auto& [key, value] : object.items()) {
    // Named in the capture list: clang before 16 cannot capture structured bindings implicitly.
    if (std::none_of(known.begin(), known.end(),
                     [&, &key = key](const char* k) { return key == k; })) {
      std::string list;
      for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      Diagnostic d{w.origin.file,
                   w.at("/" + escape_pointer_token(key)),
                   "unknown-rule",
                   "one of " + list,
                   describe_json(Json(key)),
                   ""};
      d.suggest(key, std::vector<std::string>(known.begin(), known.end()));
      throw RulesError(std::move(d));
    }
  }
}

}  // namespace

RulesError::RulesError(Diagnostic diagnostic)
    : std::invalid_argument(diagnostic.message()), diagnostic_(std::move(diagnostic)) {}

std::string RegexRewrite::apply(std::string_view text) const {
  std::string out(text);
  apply_in_place(out);
  return out;
}

void RegexRewrite::apply_in_place(std::string& text) const {
  if (builtin) {
    builtin(text);
  } else {
    text = compiled.replace_all(text, replacement);
  }
}

RegexRewrite make_rewrite(std::string pattern, std::string replacement) {
  RegexRewrite rewrite;
  rewrite.builtin = builtin_for(pattern, replacement);
  if (rewrite.builtin) {
    rewrite.pattern = std::move(pattern);
    rewrite.replacement = std::move(replacement);
    return rewrite;
  }
  rewrite.compiled = Regex(pattern);
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
  // Built once: compiling the regexes costs far more than copying the compiled rules.
  static const MatchRules cached = [] {
    MatchRules rules;
    // The 2025 C++ SDK asks for the latest version as "/secrets/{name}/%2F"; .NET as
    // "/secrets/{name}/". The service treats both as "/secrets/{name}".
    rules.path_rewrites.push_back(make_rewrite("/%2[Ff]$", ""));
    rules.path_rewrites.push_back(make_rewrite("(.)/$", "$1"));
    return rules;
  }();
  return cached;
}

void MatchRules::merge(const Json& json, const RulesOrigin& origin) {
  const Where w{origin};
  const std::string base;
  require_object(w, json);
  check_known_keys(w, json,
                   {"compareBodies", "compareHeaders", "ignoreQueryParameters",
                    "ignoreBodyPointers", "pathRewrites"});
  if (const Json* v = member(json, "compareBodies")) {
    if (!v->is_boolean()) w.fail(base + "/compareBodies", "true or false", *v);
    compare_bodies = v->get<bool>();
  }
  if (const Json* v = member(json, "compareHeaders")) {
    auto names = string_list(w, *v, base + "/compareHeaders");
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (is_volatile_header(names[i])) {
        w.error(base + "/compareHeaders/" + std::to_string(i), "volatile-header",
                "a header that may take part in matching", describe_json(Json(names[i])),
                "volatile headers (Authorization, User-Agent, Date, ...) never take part");
      }
    }
    append_unique(compare_headers, names, true);
  }
  if (const Json* v = member(json, "ignoreQueryParameters")) {
    append_unique(ignore_query_parameters, string_list(w, *v, base + "/ignoreQueryParameters"),
                  true);
  }
  if (const Json* v = member(json, "ignoreBodyPointers")) {
    auto pointers = string_list(w, *v, base + "/ignoreBodyPointers");
    for (std::size_t i = 0; i < pointers.size(); ++i) {
      if (!pointers[i].empty() && pointers[i][0] != '/') {
        w.error(base + "/ignoreBodyPointers/" + std::to_string(i), "bad-pointer",
                "a JSON Pointer such as \"/attributes/exp\"", describe_json(Json(pointers[i])));
      }
    }
    append_unique(ignore_body_pointers, pointers, false);
  }
  if (const Json* v = member(json, "pathRewrites")) {
    append_rewrites(path_rewrites, rewrite_list(w, *v, base + "/pathRewrites"));
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
  for (const auto& rewrite : path_rewrites) rewrite.apply_in_place(out);
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

void SanitizerRules::merge(const Json& json, const RulesOrigin& origin) {
  const Where w{origin};
  const std::string base;
  require_object(w, json);
  check_known_keys(
      w, json,
      {"headers", "headerRegexes", "uriRegexes", "bodyRegexes", "bodyPointers", "bodyKeys"});
  if (const Json* v = member(json, "headers")) {
    if (!v->is_array()) w.fail(base + "/headers", "an array", *v);
    for (std::size_t i = 0; i < v->size(); ++i) {
      const std::string here = base + "/headers/" + std::to_string(i);
      const Json& item = (*v)[i];
      HeaderRule rule;
      if (item.is_string()) {
        rule.name = item.get<std::string>();
      } else if (item.is_object()) {
        rule.name = string_member(w, item, here, "name");
        if (member(item, "value")) rule.value = string_member(w, item, here, "value");
      } else {
        w.fail(here, "a header name or {\"name\", \"value\"}", item);
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
    if (!v->is_array()) w.fail(base + "/headerRegexes", "an array", *v);
    for (std::size_t i = 0; i < v->size(); ++i) {
      const std::string here = base + "/headerRegexes/" + std::to_string(i);
      const Json& item = (*v)[i];
      if (!item.is_object()) {
        w.fail(here, "an object {\"name\", \"pattern\", \"replacement\"}", item);
      }
      HeaderRegexRule rule;
      rule.name = string_member(w, item, here, "name");
      rule.rewrite.pattern = string_member(w, item, here, "pattern");
      rule.rewrite.replacement = string_member(w, item, here, "replacement", false);
      rule.rewrite.compiled = compile(w, here + "/pattern", rule.rewrite.pattern);
      header_regexes.push_back(std::move(rule));
    }
  }
  if (const Json* v = member(json, "uriRegexes")) {
    append_rewrites(uri_regexes, rewrite_list(w, *v, base + "/uriRegexes"));
  }
  if (const Json* v = member(json, "bodyRegexes")) {
    append_rewrites(body_regexes, rewrite_list(w, *v, base + "/bodyRegexes"));
  }
  if (const Json* v = member(json, "bodyPointers")) {
    if (!v->is_array()) w.fail(base + "/bodyPointers", "an array", *v);
    for (std::size_t i = 0; i < v->size(); ++i) {
      const std::string here = base + "/bodyPointers/" + std::to_string(i);
      const Json& item = (*v)[i];
      BodyPointerRule rule;
      if (item.is_string()) {
        rule.pointer = item.get<std::string>();
      } else if (item.is_object()) {
        rule.pointer = string_member(w, item, here, "pointer");
        if (const Json* value = member(item, "value")) rule.value = *value;
        if (member(item, "uriPattern")) {
          rule.uri_pattern = string_member(w, item, here, "uriPattern");
          rule.uri_compiled = compile(w, here + "/uriPattern", *rule.uri_pattern);
        }
      } else {
        w.fail(here, "a JSON Pointer or {\"pointer\", \"value\", \"uriPattern\"}", item);
      }
      try {
        (void)Json::json_pointer(rule.pointer);
      } catch (const Json::exception&) {
        w.error(here, "bad-pointer", "a JSON Pointer such as \"/value\"",
                describe_json(Json(rule.pointer)));
      }
      body_pointers.push_back(std::move(rule));
    }
  }
  if (const Json* v = member(json, "bodyKeys")) {
    append_unique(body_keys, string_list(w, *v, base + "/bodyKeys"), false);
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

Rules Rules::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw RulesError(
        Diagnostic{path, "", "unreadable-file", "a readable rules file", std::strerror(errno), ""});
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), {path, ""});
}

Rules Rules::parse(std::string_view text, const RulesOrigin& origin) {
  Rules rules;
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return rules;
  // Copying and walking a value recurse once per level: the depth is bounded before parsing.
  if (auto at = find_excess_nesting(text)) {
    throw RulesError(
        Diagnostic{origin.file, line_column(text, *at), "too-deep",
                   "JSON nested at most " + std::to_string(kMaxJsonDepth) + " levels deep",
                   "a deeper array or object", ""});
  }
  Json json;
  try {
    json = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/true,
                       /*ignore_comments=*/true);
  } catch (const Json::parse_error& e) {
    const std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    std::string detail = e.what();
    if (auto colon = detail.find(": "); colon != std::string::npos)
      detail = detail.substr(colon + 2);
    throw RulesError(Diagnostic{origin.file, line_column(text, offset), "syntax-error",
                                "a JSON object {\"match\": ..., \"sanitize\": ...}", detail, ""});
  } catch (const Json::exception& e) {
    // A number too large for a double ("1e999") is out_of_range, not a parse_error.
    std::string detail = e.what();
    if (auto bracket = detail.find("] "); bracket != std::string::npos)
      detail = detail.substr(bracket + 2);
    throw RulesError(Diagnostic{origin.file, "", "syntax-error",
                                "a JSON object {\"match\": ..., \"sanitize\": ...}", detail, ""});
  }
  return from_json(json, origin);
}

Rules Rules::from_json(const Json& json, const RulesOrigin& origin) {
  Rules rules;
  const Where w{origin};
  require_object(w, json);
  check_known_keys(w, json, {"match", "sanitize"});
  if (const Json* m = member(json, "match")) {
    rules.match.merge(*m, {origin.file, origin.pointer + "/match"});
  }
  if (const Json* s = member(json, "sanitize")) {
    rules.sanitize.merge(*s, {origin.file, origin.pointer + "/sanitize"});
  }
  return rules;
}

}  // namespace kv::harness
