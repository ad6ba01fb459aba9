// Regular expressions written by users (match and sanitizer rules, scenario `matches` checks),
// applied to text nobody controls (recorded bodies, service answers). RE2 matches in time linear
// in the text and without recursion, so a long or hostile input can neither hang nor overflow
// the stack, whatever the pattern.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace kv::harness {

/// The longest pattern accepted, in bytes.
inline constexpr std::size_t kMaxRegexLength = 4096;

/// A pattern that does not compile. what() is "invalid regular expression "PATTERN": REASON";
/// reason() is the reason alone.
class RegexError : public std::invalid_argument {
 public:
  RegexError(const std::string& pattern, std::string reason);
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string reason_;
};

/// A compiled pattern in RE2 syntax, the ECMAScript subset without lookaround and
/// backreferences (see docs/scenario-format.md). Immutable and cheap to copy.
class Regex {
 public:
  /// A regex that matches nothing.
  Regex() = default;
  /// Compiles `pattern`; throws RegexError when it is invalid, longer than kMaxRegexLength or
  /// too large to compile.
  explicit Regex(std::string_view pattern);

  /// The pattern as written.
  const std::string& pattern() const { return pattern_; }
  /// True when the pattern matches somewhere in `text`.
  bool search(std::string_view text) const;
  /// `text` with every non-overlapping match replaced by `replacement`, in which $1..$99 are
  /// groups, $& is the whole match, $` and $' the text before and after it, and $$ is a '$'.
  std::string replace_all(std::string_view text, std::string_view replacement) const;

 private:
  std::string pattern_;
  std::shared_ptr<const re2::RE2> compiled_;
};

}  // namespace kv::harness
