// RE2 behind a small value type, with ECMAScript's replacement syntax ($1, $&, $$) kept so that
// rules written for std::regex keep their meaning.
#include "kv/harness/regex.hpp"

#include <re2/re2.h>

#include <vector>

namespace kv::harness {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// A UTF-8 continuation byte: an empty match never advances into the middle of a character.
bool is_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

std::string_view view(const re2::StringPiece& piece) {
  return {piece.data(), piece.size()};
}

// Appends `replacement` for one match; groups[0] is the whole match.
void expand(std::string& out, std::string_view replacement, std::string_view text,
            const std::vector<re2::StringPiece>& groups) {
  const std::size_t count = groups.size();
  for (std::size_t i = 0; i < replacement.size(); ++i) {
    const char c = replacement[i];
    if (c != '$' || i + 1 == replacement.size()) {
      out += c;
      continue;
    }
    const char next = replacement[i + 1];
    const std::size_t match_begin = static_cast<std::size_t>(groups[0].data() - text.data());
    if (next == '$') {
      out += '$';
      ++i;
    } else if (next == '&') {
      out += view(groups[0]);
      ++i;
    } else if (next == '`') {
      out += text.substr(0, match_begin);
      ++i;
    } else if (next == '\'') {
      out += text.substr(match_begin + groups[0].size());
      ++i;
    } else if (is_digit(next)) {
      // Two digits when they name a group, else one (ECMAScript's reading of "$12").
      std::size_t number = static_cast<std::size_t>(next - '0');
      std::size_t used = 1;
      if (i + 2 < replacement.size() && is_digit(replacement[i + 2])) {
        const std::size_t two = number * 10 + static_cast<std::size_t>(replacement[i + 2] - '0');
        if (two >= 1 && two < count) {
          number = two;
          used = 2;
        }
      }
      if (number >= 1 && number < count) {
        if (groups[number].data() != nullptr) out += view(groups[number]);
        i += used;
      } else {
        out += c;
      }
    } else {
      out += c;
    }
  }
}

}  // namespace

RegexError::RegexError(const std::string& pattern, std::string reason)
    : std::invalid_argument("invalid regular expression \"" + pattern + "\": " + reason),
      reason_(std::move(reason)) {}

Regex::Regex(std::string_view pattern) : pattern_(pattern) {
  if (pattern.size() > kMaxRegexLength) {
    throw RegexError(pattern_.substr(0, 40) + "...",
                     "longer than " + std::to_string(kMaxRegexLength) + " characters (" +
                         std::to_string(pattern.size()) + ")");
  }
  RE2::Options options;
  // Errors are reported to the caller, never logged to stderr.
  options.set_log_errors(false);
  auto compiled =
      std::make_shared<const RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!compiled->ok()) throw RegexError(pattern_, compiled->error());
  compiled_ = std::move(compiled);
}

bool Regex::search(std::string_view text) const {
  if (!compiled_) return false;
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *compiled_);
}

std::string Regex::replace_all(std::string_view text, std::string_view replacement) const {
  if (!compiled_) return std::string(text);
  const re2::StringPiece input(text.data(), text.size());
  std::vector<re2::StringPiece> groups(
      static_cast<std::size_t>(compiled_->NumberOfCapturingGroups()) + 1);
  std::string out;
  std::size_t copied = 0;  // text[0, copied) is in `out` already
  std::size_t position = 0;
  while (position <= text.size() &&
         compiled_->Match(input, position, text.size(), RE2::UNANCHORED, groups.data(),
                          static_cast<int>(groups.size()))) {
    const std::size_t begin = static_cast<std::size_t>(groups[0].data() - text.data());
    const std::size_t end = begin + groups[0].size();
    out.append(text.substr(copied, begin - copied));
    expand(out, replacement, text, groups);
    copied = end;
    if (end > begin) {
      position = end;
      continue;
    }
    // An empty match: step over one character so the next search makes progress.
    if (end == text.size()) break;
    position = end + 1;
    while (position < text.size() && is_continuation(text[position])) ++position;
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace kv::harness
