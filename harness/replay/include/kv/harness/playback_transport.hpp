// PlaybackTransport: answers requests from a fixture, never from the network.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "kv/harness/diagnostic.hpp"
#include "kv/harness/fixture.hpp"
#include "kv/harness/matcher.hpp"
#include "kv/harness/sanitizer.hpp"
#include "kv/transport.hpp"

namespace kv::harness {

/// No recorded entry matches a request. Deliberately not an http::TransportError, so the
/// client's retry policy does not retry it. diagnostic() is the miss as a failure record (id
/// "playback-miss": the fixture, the request, the closest candidates with their recorded and
/// actual fields, the unused entries); what() is its message (see docs/record-replay.md).
class PlaybackMismatch : public DiagnosticError {
 public:
  using DiagnosticError::DiagnosticError;
};

/// A playback ended with recorded entries that no request used (id "unused-entries"; the
/// entries are the record's "unused" group).
class UnusedEntriesError : public DiagnosticError {
 public:
  using DiagnosticError::DiagnosticError;
};

/// Options of a playback.
struct PlaybackOptions {
  /// The fixture's file name, for messages.
  std::string fixture_path;
  /// The match rules. Unset: the rules stored in the fixture (its metadata's matchRules on top
  /// of the defaults), so that a fixture replays the way it was recorded.
  std::optional<MatchRules> rules;
  /// Applied to actual requests before matching, as the recording was. Null: a sanitizer built
  /// from the rules stored in the fixture, when those rewrite requests.
  std::shared_ptr<const Sanitizer> request_sanitizer;
  /// Scrubs error messages (registered secrets never appear in them). Null: the request
  /// sanitizer, if any.
  std::shared_ptr<const Sanitizer> message_sanitizer;
};

/// A fixture made ready for playback once: the rules in force, every entry's match key, an
/// index by method and path, and every response as the client will receive it. Immutable and
/// thread-safe, so any number of PlaybackTransports (tests, threads, proxy recordings) share it.
class PreparedFixture {
 public:
  /// Prepares `fixture`; throws RulesError when the fixture's stored rules are invalid.
  static std::shared_ptr<const PreparedFixture> prepare(std::shared_ptr<const Fixture> fixture,
                                                        PlaybackOptions options = {});
  /// Prepares an opened fixture (open_fixture()): entries are read when first matched.
  static std::shared_ptr<const PreparedFixture> prepare(
      std::shared_ptr<const OpenedFixture> fixture, PlaybackOptions options = {});
  ~PreparedFixture();
  PreparedFixture(const PreparedFixture&) = delete;
  PreparedFixture& operator=(const PreparedFixture&) = delete;

  /// The whole fixture (an opened one's entries all read by the first call).
  const Fixture& fixture() const;
  /// The same, shared.
  std::shared_ptr<const Fixture> shared_fixture() const;
  /// The fixture as opened: its head, and entries read one by one.
  const std::shared_ptr<const OpenedFixture>& opened() const;
  const PlaybackOptions& options() const;
  /// The match rules in force.
  const MatchRules& rules() const;

  struct Impl;
  /// Internal: used by PlaybackTransport.
  const Impl& impl() const { return *impl_; }

 private:
  PreparedFixture();
  std::unique_ptr<Impl> impl_;
};

/// Replays a fixture strictly: each entry answers once, a request gets the earliest unused
/// matching entry (in fixture order), and a miss throws PlaybackMismatch. Its own state is only
/// which entries were used; the fixture and its index are shared. Thread-safe: one lock makes
/// "find the earliest unused match and claim it" atomic.
class PlaybackTransport final : public http::Transport {
 public:
  /// Replays a prepared fixture (shared, never copied).
  explicit PlaybackTransport(std::shared_ptr<const PreparedFixture> prepared);
  /// Prepares `fixture` for this transport alone.
  explicit PlaybackTransport(std::shared_ptr<const Fixture> fixture, PlaybackOptions options = {});
  explicit PlaybackTransport(Fixture fixture, PlaybackOptions options = {});
  ~PlaybackTransport() override;
  PlaybackTransport(const PlaybackTransport&) = delete;
  PlaybackTransport& operator=(const PlaybackTransport&) = delete;

  http::Response send(const http::Request& request) override;

  /// Indices of entries no request has used yet, in fixture order.
  std::vector<std::size_t> unused_entries() const;
  /// The exchanges answered so far, in the order the requests came.
  std::vector<Exchange> replayed() const;
  /// The explanations of every miss so far (also those a caller caught and ignored).
  std::vector<std::string> misses() const;
  /// The same misses as failure records.
  std::vector<Diagnostic> miss_diagnostics() const;
  /// Forgets the miss explained by `explanation` (a caller that answered the request otherwise,
  /// e.g. the proxy's challenge to a probe without a token); true when it was remembered.
  bool withdraw_miss(const std::string& explanation);
  /// Throws PlaybackMismatch when a request missed (even if its exception was swallowed), then
  /// UnusedEntriesError listing the unused entries, if any.
  void verify_all_used() const;
  /// Marks every entry unused again and forgets misses (replaying the same fixture many times).
  void reset();
  const Fixture& fixture() const;
  const std::shared_ptr<const PreparedFixture>& prepared() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// The match rules stored in `fixture` (metadata matchRules on top of the defaults); throws
/// RulesError naming `/kvharness/matchRules/...`.
MatchRules fixture_match_rules(const Fixture& fixture, const std::string& file = {});
/// The sanitizer rules stored in `fixture` (metadata sanitizers; the defaults when it has none);
/// throws RulesError naming `/kvharness/sanitizers/...`.
SanitizerRules fixture_sanitizer_rules(const Fixture& fixture, const std::string& file = {});

}  // namespace kv::harness
