// Hostile and unlucky input for the record/replay layer: user regexes (RE2) and the leak audit on
// texts long enough to overflow a recursive matcher's stack, and the regex syntax users write.
#include <catch2/catch.hpp>

#include <string>

#include "kv/harness/fixture.hpp"
#include "kv/harness/internal/audit.hpp"
#include "kv/harness/internal/utf8.hpp"
#include "kv/harness/regex.hpp"
#include "kv/harness/rules.hpp"
#include "kv/harness/sanitizer.hpp"

using namespace kv;
using namespace kv::harness;

namespace {

// Long enough that std::regex, which recurses once per character, overflows an 8 MiB stack.
constexpr std::size_t kLong = 1'000'000;

Fixture fixture_with_response_text(const std::string& text) {
  Fixture fixture;
  Entry entry;
  entry.request_method = "GET";
  entry.request_uri = "https://fakevault.vault.azure.net/secrets/x?api-version=7.5";
  entry.status_code = 200;
  entry.response_body = Body::from_bytes(http::to_bytes(text), "text/plain");
  fixture.entries.push_back(std::move(entry));
  return fixture;
}

std::vector<std::string> kinds(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.kind);
  return out;
}

}  // namespace

TEST_CASE("A regex searches and replaces in the ECMAScript subset users write", "[regex]") {
  struct Row {
    const char* pattern;
    const char* text;
    const char* replacement;
    const char* replaced;
    bool found;
  };
  const Row rows[] = {
      {"^https://.*/secrets/", "https://v/secrets/a", "", "a", true},
      {"[0-9a-f]{32}", "id/0123456789abcdef0123456789abcdef", "{v}", "id/{v}", true},
      {"(\\w+)@(\\w+)", "me@host", "$2 at $1", "host at me", true},
      {"a", "banana", "[$&]", "b[a]n[a]n[a]", true},
      {"n", "banana", "$$", "ba$a$a", true},
      {"x", "banana", "y", "banana", false},
      {"(?i)SECRET", "my secret", "***", "my ***", true},
      {"\\d+", "a1b22", "#", "a#b#", true},
      {"", "ab", "-", "-a-b-", true},
      {"(.)/$", "path/", "$1", "path", true},
      {"(a)|(b)", "b", "[$1$2]", "[b]", true},
      {"(a)", "a", "$9", "$9", true},
  };
  for (const auto& row : rows) {
    CAPTURE(row.pattern, row.text);
    const Regex regex(row.pattern);
    CHECK(regex.search(row.text) == row.found);
    CHECK(regex.replace_all(row.text, row.replacement) == row.replaced);
  }
}

TEST_CASE("A regex that does not compile names the pattern and the reason", "[regex]") {
  struct Row {
    const char* pattern;
    const char* message;
  };
  const Row rows[] = {
      {"(", "invalid regular expression \"(\": missing ): ("},
      {"a(?=b)", "invalid regular expression \"a(?=b)\": invalid perl operator: (?="},
      {"(a)\\1", "invalid regular expression \"(a)\\1\": invalid escape sequence: \\1"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.pattern);
    try {
      Regex regex(row.pattern);
      FAIL("compiled");
    } catch (const RegexError& error) {
      CHECK(std::string(error.what()) == row.message);
    }
  }
  try {
    Regex regex(std::string(5000, 'a'));
    FAIL("compiled");
  } catch (const RegexError& error) {
    CHECK(std::string(error.what()) == "invalid regular expression \"" + std::string(40, 'a') +
                                           "...\": longer than 4096 characters (5000)");
  }
}

TEST_CASE("A pattern of 100000 nested groups is refused and 2000 nested groups work", "[regex]") {
  std::string pattern(50'000, '(');
  pattern += std::string(50'000, ')');
  CHECK_THROWS_AS(Regex(pattern), RegexError);
  std::string short_nested(2000, '(');
  short_nested += std::string(2000, ')');
  // Within the length limit, deep nesting compiles and runs (RE2 walks patterns iteratively).
  CHECK(Regex(short_nested).search("anything"));
}

TEST_CASE("A regex runs on a megabyte of text without overflowing the stack", "[regex]") {
  const std::string text = "eyJ" + std::string(kLong, 'A') + "!";
  const Regex regex("eyJ[A-Za-z0-9_-]{8,}\\.eyJ");
  CHECK_FALSE(regex.search(text));
  const Regex any("(.|\\n)*!");
  CHECK(any.search(text));
  CHECK(Regex("A").replace_all(text, "").size() == 4);
}

TEST_CASE("Sanitizer regex rules rewrite a megabyte body without overflowing the stack",
          "[regex][sanitizer]") {
  SanitizerOptions options;
  options.rules.body_regexes.push_back(make_rewrite("secret=[^&]*", "secret=Sanitized"));
  const Sanitizer sanitizer(options);
  Entry entry;
  entry.request_method = "POST";
  entry.request_uri = "https://fakevault.vault.azure.net/x";
  entry.request_body =
      Body::from_bytes(http::to_bytes("secret=" + std::string(kLong, 'z') + "&a=b"), "text/plain");
  sanitizer.sanitize(entry);
  CHECK(http::as_text(entry.request_body.bytes) == "secret=Sanitized&a=b");
}

TEST_CASE("The leak audit reads megabyte strings after eyJ, client_secret= and a loopback URL",
          "[audit]") {
  const std::string run(kLong, 'A');
  CHECK(kinds(find_unsanitized(fixture_with_response_text("eyJ" + run))).empty());
  CHECK(kinds(find_unsanitized(fixture_with_response_text("client_secret=" + run))) ==
        std::vector<std::string>{"client-secret"});
  CHECK(kinds(find_unsanitized(
            fixture_with_response_text("http://127.0.0.1:" + std::string(kLong, '7')))) ==
        std::vector<std::string>{"vault-host"});
  // "eyJeyJeyJ..." must stay linear (each "eyJ" starts a run that ends at the same place).
  std::string repeated;
  for (int i = 0; i < 300'000; ++i) repeated += "eyJ";
  CHECK(kinds(find_unsanitized(fixture_with_response_text(repeated))).empty());
}

TEST_CASE("The leak audit finds what its patterns describe, and nothing else", "[audit]") {
  struct Row {
    std::string text;
    std::vector<std::string> kinds;
  };
  const std::vector<Row> rows = {
      {"Bearer eyJ0eXAiOiJKV1QiLCJhbGc.eyJhdWQiOiJDQU5BUlk.sig", {"jwt"}},
      {"eyJ0eXAiOiJKV1QiLCJhbGc.eyJhdWQiOiJDQU5BUlk.", {"jwt"}},
      {"eyJ0eXAiOiJKV1QiLCJhbGc.eyJhdWQiOiJDQU5BUlk", {}},
      {"eyJshort.eyJhdWQiOiJDQU5BUlk.sig", {}},
      {"eyJeyJ0eXAiOiJKV1QiLCJhbGc.eyJhdWQiOiJDQU5BUlk.sig", {"jwt"}},
      {"grant_type=client_credentials&client_secret=abc&scope=x", {"client-secret"}},
      {"client_secret=Sanitized&x=1", {}},
      {"client_secret=&x=1", {}},
      {"see https://127.0.0.1:8443/secrets", {"vault-host"}},
      {"see http://localhost:1/", {"vault-host"}},
      {"see https://[::1]:99", {"vault-host"}},
      {"see https://127.0.0.1/secrets", {}},
      {"see ftp://127.0.0.1:21", {}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.text);
    CHECK(kinds(find_unsanitized(fixture_with_response_text(row.text))) == row.kinds);
  }
}

TEST_CASE("Invalid UTF-8 becomes U+FFFD and valid UTF-8 is kept", "[utf8]") {
  struct Row {
    std::string in;
    std::string out;
  };
  const std::vector<Row> rows = {
      {"plain", "plain"},
      {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x91", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x91"},
      {"a\xFF"
       "b",
       "a\xEF\xBF\xBD"
       "b"},
      {"\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"},                  // overlong '/'
      {"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  // a surrogate
      {"\xE2\x82", "\xEF\xBF\xBD\xEF\xBF\xBD"},                  // truncated at the end
      {"\xF4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  // > U+10FFFF
  };
  for (const auto& row : rows) {
    CAPTURE(row.in);
    CHECK(to_valid_utf8(row.in) == row.out);
  }
}

TEST_CASE("A JSON answer nested deeper than 256 levels is kept as text, never walked",
          "[hardening][fixture]") {
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  const Body body = Body::from_bytes(http::to_bytes(deep), "application/json");
  CHECK(body.kind == Body::Kind::Text);
  const std::string shallow = std::string(256, '[') + std::string(256, ']');
  CHECK(Body::from_bytes(http::to_bytes(shallow), "application/json").kind == Body::Kind::Json);
  Fixture fixture = fixture_with_response_text(deep);
  CHECK(find_unsanitized(fixture).empty());
}

TEST_CASE("Rules with a number too large for a double or nested too deep are refused by name",
          "[hardening][rules]") {
  struct Row {
    std::string text;
    std::string message;
  };
  const std::vector<Row> rows = {
      {"{\"match\": {\"compareBodies\": 1e999}}",
       "r.json: error [syntax-error]\n"
       "  expected: a JSON object {\"match\": ..., \"sanitize\": ...}\n"
       "  found:    number overflow parsing '1e999'"},
      {std::string(300, '[') + std::string(300, ']'),
       "r.json: error at line 1, column 257 [too-deep]\n"
       "  expected: JSON nested at most 256 levels deep\n"
       "  found:    a deeper array or object"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.text.substr(0, 40));
    try {
      (void)Rules::parse(row.text, {"r.json", ""});
      FAIL("parsed");
    } catch (const RulesError& e) {
      CHECK(std::string(e.what()) == row.message);
    }
  }
}
