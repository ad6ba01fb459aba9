// Text that reports (JUnit XML, JSON, the console) may carry: service answers and recorded bodies
// are bytes, and one invalid byte makes an XML or JSON report unreadable.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kv::harness {

/// The length of the valid UTF-8 sequence starting at text[i] (1 to 4), or 0 when the bytes there
/// are not one (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

/// `text` with every byte that does not start a valid UTF-8 sequence (RFC 3629: no overlong
/// forms, no surrogates, nothing above U+10FFFF) replaced by U+FFFD; valid text is returned as is.
std::string to_valid_utf8(std::string_view text);

}  // namespace kv::harness
