// What a session may do although the sanitizer sets of the run and of the fixture disagree. Each
// permission is refused by default; they are separate because they allow different risks.
#pragma once

namespace kv::harness {

struct SanitizerPermissions {
  /// Use a sanitizer set weaker than the fixture's (rules the fixture was made with are missing):
  /// record over it (the new recording may keep what the old one scrubbed), or play it back with
  /// caller rules that take a stored rule away. `kvharness run --allow-weaker-sanitizers`.
  bool allow_weaker_sanitizers = false;
  /// Play back a fixture whose stored sanitizer set /kvharness/sanitizers does not match its
  /// /kvharness/sanitizersDigest (hand-edited metadata).
  /// `kvharness run --allow-sanitizer-digest-mismatch`.
  bool allow_sanitizer_digest_mismatch = false;
};

}  // namespace kv::harness
