// PlaybackTransport: answers requests from a fixture, never from the network.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "kv/harness/fixture.hpp"
#include "kv/harness/matcher.hpp"
#include "kv/harness/sanitizer.hpp"
#include "kv/transport.hpp"

namespace kv::harness {

/// No recorded entry matches a request. Deliberately not an http::TransportError, so the
/// client's retry policy does not retry it. what() explains the miss (see docs/record-replay.md).
class PlaybackMismatch : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A playback ended with recorded entries that no request used.
class UnusedEntriesError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Options of PlaybackTransport.
struct PlaybackOptions {
  /// The fixture's file name, for messages.
  std::string fixture_path;
  MatchRules rules = MatchRules::defaults();
  /// When set, actual requests are sanitized with it before matching (the recording was).
  std::shared_ptr<const Sanitizer> request_sanitizer;
  /// Used for scrubbing error messages even when requests are not rewritten.
  std::shared_ptr<const Sanitizer> message_sanitizer;
};

/// Replays a fixture strictly: each entry answers once, a request gets the earliest unused
/// matching entry (in fixture order), and a miss throws PlaybackMismatch. Thread-safe: one lock
/// makes "find the earliest unused match and claim it" atomic.
class PlaybackTransport final : public http::Transport {
 public:
  PlaybackTransport(Fixture fixture, PlaybackOptions options = {});
  ~PlaybackTransport() override;
  PlaybackTransport(const PlaybackTransport&) = delete;
  PlaybackTransport& operator=(const PlaybackTransport&) = delete;

  http::Response send(const http::Request& request) override;

  /// Indices of entries no request has used yet, in fixture order.
  std::vector<std::size_t> unused_entries() const;
  /// Throws UnusedEntriesError listing the unused entries, if any.
  void verify_all_used() const;
  /// Marks every entry unused again (replaying the same fixture many times).
  void reset();
  const Fixture& fixture() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kv::harness
