// Match rules and sanitizer rules are data: plain structs with defaults, read from and written to
// JSON so that a fixture records the rules it was made with and a test can tighten or loosen them.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "kv/harness/diagnostic.hpp"
#include "kv/harness/fixture.hpp"
#include "kv/harness/regex.hpp"
#include "kv/harness/rules_origin.hpp"

namespace kv::harness {

/// Rules that cannot be read. what() is the diagnostic's message: the file, the full JSON
/// Pointer of the mistake, a stable id, what was expected and what was found.
class RulesError : public std::invalid_argument, public CarriesDiagnostic {
 public:
  explicit RulesError(Diagnostic diagnostic);
  const Diagnostic& diagnostic() const noexcept override { return diagnostic_; }

 private:
  Diagnostic diagnostic_;
};

/// A regex rewrite; `pattern` uses RE2 syntax (see Regex), `replacement` may use $1..$99 and $&.
struct RegexRewrite {
  std::string pattern;
  std::string replacement;
  /// Compiled once when the rule is built (left empty when `builtin` does the work).
  Regex compiled;
  /// The same rewrite written by hand, for the default rules every fixture carries (compiling
  /// and running a regex per path costs microseconds per request).
  void (*builtin)(std::string&) = nullptr;

  /// The rewritten text: every match of `pattern` in `text` replaced.
  std::string apply(std::string_view text) const;
  /// The same, in place (no copy when the hand-written rewrite applies).
  void apply_in_place(std::string& text) const;
};

/// How a recorded entry is compared with an actual request.
struct MatchRules {
  /// Compare JSON request bodies semantically (other bodies byte for byte).
  bool compare_bodies = true;
  /// Headers that must be equal (none by default; volatile headers can never be listed).
  std::vector<std::string> compare_headers;
  /// Query parameters left out of the comparison.
  std::vector<std::string> ignore_query_parameters;
  /// JSON Pointers into the request body left out of the comparison.
  std::vector<std::string> ignore_body_pointers;
  /// Rewrites applied to recorded and actual paths before comparing (in order).
  std::vector<RegexRewrite> path_rewrites;

  /// The defaults: bodies compared; "/%2F" (the 2025 C++ SDK's "latest version") and a
  /// trailing "/" removed from paths.
  static MatchRules defaults();
  /// Applies the JSON object `rules` on top of this (see docs/fixture-format.md); throws
  /// RulesError naming the file and the JSON Pointer (below `origin.pointer`) of a bad field.
  void merge(const Json& rules, const RulesOrigin& origin = {"rules", "/match"});
  /// The rules as JSON, in the shape merge() reads.
  Json to_json() const;
  /// The path after all rewrites.
  std::string normalise_path(std::string_view path) const;
};

/// Headers that never take part in matching, whatever the rules say.
bool is_volatile_header(std::string_view name);

/// Replaces a header's value wholesale.
struct HeaderRule {
  std::string name;
  std::string value = "Sanitized";
};

/// Rewrites a header's value with a regex.
struct HeaderRegexRule {
  std::string name;
  RegexRewrite rewrite;
};

/// Replaces the value at a JSON Pointer in JSON bodies (request and response).
struct BodyPointerRule {
  std::string pointer;
  Json value = "Sanitized";
  /// When set, the rule applies only to entries whose URI matches.
  std::optional<std::string> uri_pattern;
  std::optional<Regex> uri_compiled;
};

/// What the sanitizer does before anything is written.
struct SanitizerRules {
  /// Header values replaced wholesale (Authorization, Cookie, Set-Cookie by default).
  std::vector<HeaderRule> headers;
  std::vector<HeaderRegexRule> header_regexes;
  /// Regex rewrites of the request URI.
  std::vector<RegexRewrite> uri_regexes;
  /// Regex rewrites of text bodies and of every string inside JSON bodies.
  std::vector<RegexRewrite> body_regexes;
  std::vector<BodyPointerRule> body_pointers;
  /// Names whose values are replaced anywhere in a JSON body (as object keys) and in
  /// form-encoded text bodies (as fields): access_token, refresh_token, id_token, client_secret,
  /// client_assertion and password by default.
  std::vector<std::string> body_keys;

  /// The default rule set.
  static SanitizerRules defaults();
  /// Applies the JSON object `rules` on top of this; throws RulesError.
  void merge(const Json& rules, const RulesOrigin& origin = {"rules", "/sanitize"});
  /// The rules as JSON, for the fixture metadata.
  Json to_json() const;
};

/// Both rule sets, read from one JSON document {"match": {...}, "sanitize": {...}}.
struct Rules {
  MatchRules match = MatchRules::defaults();
  SanitizerRules sanitize = SanitizerRules::defaults();
  /// Parses `text` (comments allowed; empty means defaults only); throws RulesError.
  static Rules parse(std::string_view text, const RulesOrigin& origin = {});
  /// Reads and parses the rules file `path`; a RulesError names `path` (a file that cannot be
  /// read too: id "unreadable-file").
  static Rules load(const std::string& path);
  /// Reads a parsed rules object {"match": ..., "sanitize": ...}; throws RulesError.
  static Rules from_json(const Json& json, const RulesOrigin& origin = {});
};

/// Builds a compiled rewrite; throws RegexError (a std::invalid_argument) naming the pattern.
RegexRewrite make_rewrite(std::string pattern, std::string replacement);

}  // namespace kv::harness
