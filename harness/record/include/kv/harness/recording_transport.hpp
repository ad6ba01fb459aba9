// RecordingTransport: passes every request to the real transport and keeps a sanitized entry.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "kv/harness/fixture.hpp"
#include "kv/harness/sanitizer.hpp"
#include "kv/transport.hpp"

namespace kv::harness {

/// Wraps any transport at the bottom of the client pipeline, so every attempt on the wire (401
/// challenge, retry, poll) becomes its own entry. Entries are sanitized as they are captured and
/// kept in the order responses arrive. Requests that got no response (TransportError) are not
/// recorded; the error is passed on. Thread-safe.
class RecordingTransport final : public http::Transport {
 public:
  RecordingTransport(std::shared_ptr<http::Transport> inner,
                     std::shared_ptr<const Sanitizer> sanitizer);

  http::Response send(const http::Request& request) override;

  /// A copy of the entries recorded so far.
  std::vector<Entry> entries() const;
  /// Moves the entries out, leaving none.
  std::vector<Entry> take_entries();

 private:
  std::shared_ptr<http::Transport> inner_;
  std::shared_ptr<const Sanitizer> sanitizer_;
  mutable std::mutex mutex_;
  // A vector: a deque would allocate a node per entry (an Entry is larger than its nodes'
  // half), and taking the entries is then a move of the whole list.
  std::vector<Entry> entries_;
};

}  // namespace kv::harness
