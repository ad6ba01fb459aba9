// The three modes of a session: live (no fixture), record (run live, write the fixture) and
// playback (strict, offline).
#pragma once

#include <string_view>

namespace kv::harness {

/// How a session treats the network.
enum class Mode { Live, Record, Playback };

/// Parses "live", "record" or "playback" (case-insensitive); throws std::invalid_argument.
Mode parse_mode(std::string_view text);
/// The mode's lower-case name.
const char* to_string(Mode mode);

}  // namespace kv::harness
