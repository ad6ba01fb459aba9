// Playback: a prepared fixture (match keys and an index by method and normalised path)
// shared by any number of transports; each transport keeps only its "used" marks, behind one lock
// around "find the earliest unused match and claim it".
#include "kv/harness/playback_transport.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include "kv/harness/internal/once_slots.hpp"
#include "kv/harness/internal/operation.hpp"
#include "kv/url.hpp"

namespace kv::harness {

namespace {

// Entries grouped by method and normalised path ("buckets"), each bucket in fixture order. The
// table is open addressing over one array of (hash, bucket) words, the buckets' entries lie one
// after another in one array and their names (method and path) in one string: building
// allocates nothing per entry or bucket, and a lookup touches a slot, one name and the bucket's
// entries.
class EntryIndex {
 public:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  /// Indexes `n` entries; `route(i, method, path)` sets entry i's method and path.
  template <class Route>
  void build(std::size_t n, Route route) {
    if (n >= std::numeric_limits<std::uint32_t>::max()) {
      throw std::length_error("kvharness playback: a fixture of more than 4 billion entries");
    }
    std::size_t capacity = 16;
    while (capacity < 2 * n) capacity *= 2;
    slots_.assign(capacity, 0);
    names_.clear();
    name_at_.assign(1, 0);
    method_size_.clear();
    std::vector<std::uint32_t> bucket_of(n);
    std::vector<std::uint32_t> sizes;
    std::string method, path;
    for (std::size_t i = 0; i < n; ++i) {
      route(i, method, path);
      const std::uint64_t h = hash(method, path);
      std::size_t at = h & (slots_.size() - 1);
      std::uint32_t bucket = 0;
      for (;; at = (at + 1) & (slots_.size() - 1)) {
        const std::uint64_t slot = slots_[at];
        if (slot == 0) {
          bucket = static_cast<std::uint32_t>(sizes.size());
          sizes.push_back(0);
          names_ += method;
          names_ += path;
          name_at_.push_back(names_.size());
          method_size_.push_back(method.size());
          slots_[at] = (h & kTagMask) | (bucket + 1);
          break;
        }
        if (same(slot, h, method, path)) {
          bucket = static_cast<std::uint32_t>((slot & ~kTagMask) - 1);
          break;
        }
      }
      bucket_of[i] = bucket;
      ++sizes[bucket];
    }
    begin_.assign(sizes.size() + 1, 0);
    for (std::size_t b = 0; b < sizes.size(); ++b) begin_[b + 1] = begin_[b] + sizes[b];
    entries_.resize(n);
    std::vector<std::uint32_t> fill(begin_.begin(), begin_.end() - 1);
    for (std::size_t i = 0; i < n; ++i)
      entries_[fill[bucket_of[i]]++] = static_cast<std::uint32_t>(i);
  }

  /// The bucket of a method and path, or npos.
  std::size_t find(std::string_view method, std::string_view path) const {
    if (slots_.empty()) return npos;
    const std::uint64_t h = hash(method, path);
    for (std::size_t at = h & (slots_.size() - 1);; at = (at + 1) & (slots_.size() - 1)) {
      const std::uint64_t slot = slots_[at];
      if (slot == 0) return npos;
      if (same(slot, h, method, path)) return static_cast<std::size_t>((slot & ~kTagMask) - 1);
    }
  }

  std::size_t bucket_count() const { return method_size_.size(); }
  std::size_t bucket_size(std::size_t bucket) const { return begin_[bucket + 1] - begin_[bucket]; }
  /// The entry at `position` of `bucket`, in fixture order.
  std::size_t entry(std::size_t bucket, std::size_t position) const {
    return entries_[begin_[bucket] + position];
  }

 private:
  // The hash's upper half is kept in the slot beside the bucket number: most probes that do not
  // match are rejected without looking at a name.
  static constexpr std::uint64_t kTagMask = 0xFFFFFFFF00000000ULL;

  static std::uint64_t hash(std::string_view method, std::string_view path) {
    const std::uint64_t h = std::hash<std::string_view>{}(path);
    return h ^
           (std::hash<std::string_view>{}(method) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
  }

  bool same(std::uint64_t slot, std::uint64_t h, std::string_view method,
            std::string_view path) const {
    if ((slot & kTagMask) != (h & kTagMask)) return false;
    const std::size_t bucket = (slot & ~kTagMask) - 1;
    const std::string_view name(names_.data() + name_at_[bucket],
                                name_at_[bucket + 1] - name_at_[bucket]);
    const std::size_t m = method_size_[bucket];
    return m == method.size() && name.size() == m + path.size() &&
           name.compare(m, path.size(), path) == 0 && name.compare(0, m, method) == 0;
  }

  std::vector<std::uint64_t> slots_;  // 0: empty
  std::string names_;                 // per bucket: its method and path, one after another
  std::vector<std::size_t> name_at_;  // per bucket (and one past): where its name starts
  std::vector<std::size_t> method_size_;
  std::vector<std::uint32_t> begin_;  // per bucket: where its entries start in entries_
  std::vector<std::uint32_t> entries_;
};

// The response as the client will see it, built from the entry itself (a prepared copy of every
// response would double the memory a large fixture takes, and the replay copies either way).
http::Response make_response(const Entry& entry) {
  http::Response response;
  response.status = entry.status_code;
  response.reason = std::string(http::reason_phrase(entry.status_code));
  response.headers = entry.response_headers.to_http();
  response.body = entry.response_body.bytes;
  // Sanitized or re-serialised bodies no longer have the recorded length.
  const auto length = entry.response_headers.find("Content-Length");
  if (length && *length != std::to_string(response.body.size()))
    response.headers.set("Content-Length", std::to_string(response.body.size()));
  return response;
}

// The descriptive members Sanitizer::describe() adds beside the rules themselves.
constexpr const char* kSanitizerFacts[] = {"vaultHost", "tokenExchanges", "secretsRedacted"};

}  // namespace

MatchRules fixture_match_rules(const Fixture& fixture, const std::string& file) {
  MatchRules rules = MatchRules::defaults();
  if (fixture.has_metadata && fixture.metadata.match_rules.is_object() &&
      !fixture.metadata.match_rules.empty()) {
    rules.merge(fixture.metadata.match_rules,
                {file.empty() ? "fixture" : file, "/kvharness/matchRules"});
  }
  return rules;
}

SanitizerRules fixture_sanitizer_rules(const Fixture& fixture, const std::string& file) {
  SanitizerRules rules = SanitizerRules::defaults();
  if (!fixture.has_metadata || !fixture.metadata.sanitizers.is_object()) return rules;
  Json stored = fixture.metadata.sanitizers;
  for (const char* fact : kSanitizerFacts) stored.erase(fact);
  if (!stored.empty())
    rules.merge(stored, {file.empty() ? "fixture" : file, "/kvharness/sanitizers"});
  return rules;
}

struct PreparedFixture::Impl {
  std::shared_ptr<const OpenedFixture> fixture;
  PlaybackOptions options;
  Matcher matcher;
  EntryIndex index;
  // Entries' match keys, made when a request is first matched against the entry: most entries
  // of a large fixture are never looked at.
  detail::OnceSlots<RequestKey> keys;

  // The index needs only each entry's method and path, from its method and URI: an opened
  // fixture reads the rest of an entry when a request is matched against it.
  Impl(std::shared_ptr<const OpenedFixture> f, PlaybackOptions o, MatchRules rules)
      : fixture(std::move(f)),
        options(std::move(o)),
        matcher(std::move(rules)),
        keys(fixture->size()) {
    index.build(fixture->size(), [&](std::size_t i, std::string& method, std::string& path) {
      matcher.entry_route(fixture->method(i), fixture->uri(i), method, path);
    });
  }

  std::size_t size() const { return fixture->size(); }
  const Entry& entry(std::size_t i) const { return fixture->entry(i); }
  const RequestKey& key(std::size_t i) const {
    return keys.get(i, [&] { return matcher.entry_key(fixture->method(i), fixture->uri(i)); });
  }

  // Classified when asked (a miss, a listing, the replayed exchanges), not for every entry at
  // load: most entries of a large fixture are never named.
  std::string_view operation_of(std::size_t i) const {
    return classify_operation(fixture->method(i), fixture->uri(i));
  }

  std::string scrub(std::string text) const {
    if (options.message_sanitizer) return options.message_sanitizer->scrub(text);
    if (options.request_sanitizer) return options.request_sanitizer->scrub(text);
    return text;
  }

  std::string fixture_name() const {
    return options.fixture_path.empty() ? std::string("(in memory)") : options.fixture_path;
  }

  std::string entry_summary(std::size_t i) const {
    return "entry " + std::to_string(i) + ": " + std::string(fixture->method(i)) + " " +
           std::string(url_target(fixture->uri(i))) + " -> " +
           std::to_string(entry(i).status_code) + " (" + std::string(operation_of(i));
  }

  static std::string entry_pointer(std::size_t i) { return "/Entries/" + std::to_string(i); }

  // The fixture as the place of a playback record.
  Diagnostic playback_record(std::string id, std::string title) const {
    Diagnostic d;
    d.file = fixture_name();
    d.file_label = "fixture";
    d.id = std::move(id);
    d.title = "kvharness playback: " + std::move(title);
    d.expected_label = "recorded";
    d.found_label = "actual";
    d.hint_label = "to fix";
    return d;
  }

  RelatedGroup unused_group(std::string title, const std::vector<char>& used,
                            std::size_t used_count, std::size_t limit) const {
    RelatedGroup group{"unused", std::move(title), {}, 0};
    const std::size_t unused = size() - used_count;
    for (std::size_t i = 0; i < size(); ++i) {
      if (used[i]) continue;
      if (group.items.size() == limit) {
        group.omitted = unused - limit;
        break;
      }
      group.items.push_back({entry_pointer(i), entry_summary(i) + ")", {}, {}});
    }
    return group;
  }

  // Every text of a record through the message sanitizer: registered secrets never appear.
  Diagnostic scrubbed(Diagnostic d) const {
    if (options.message_sanitizer || options.request_sanitizer)
      transform_texts(d, [this](std::string& text) { text = scrub(std::move(text)); });
    return d;
  }

  Diagnostic explain_miss(const http::Request& request, const RequestKey& key,
                          const std::vector<char>& used, std::size_t used_count) const {
    const std::string_view operation = classify_operation(request.method, request.url);
    Diagnostic d = playback_record("playback-miss", "no recorded entry matches the request");
    d.request = request.method + " " + std::string(url_target(request.url)) + " (" +
                std::string(operation) + ")";
    d.hint = "re-record the fixture, or loosen the match rules (docs/record-replay.md)";
    // Rank cheaply first (same method, same operation, same path, same query), then diff only
    // the best few.
    struct Candidate {
      std::size_t index;
      int rank;
    };
    std::vector<Candidate> candidates;
    candidates.reserve(size());
    for (std::size_t i = 0; i < size(); ++i) {
      int rank = 0;
      const RequestKey& recorded = this->key(i);
      if (recorded.method != key.method) rank += 8;
      if (operation_of(i) != operation) rank += 4;
      if (recorded.path != key.path) rank += 2;
      if (recorded.query != key.query) rank += 1;
      candidates.push_back({i, rank});
    }
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate& a, const Candidate& b) { return a.rank < b.rank; });
    const std::size_t shown = std::min<std::size_t>(3, candidates.size());
    RelatedGroup closest{"candidates",
                         shown == 0 ? "the fixture has no entries" : "closest recorded candidates",
                         {},
                         0};
    for (std::size_t c = 0; c < shown; ++c) {
      const std::size_t i = candidates[c].index;
      Related item{entry_pointer(i),
                   entry_summary(i) + ", " + (used[i] ? "already used" : "unused") + ")",
                   matcher.diff(entry(i), this->key(i), request, key),
                   {}};
      if (item.fields.empty()) {
        item.note =
            "matches, but was already used: each entry answers once, and this run sends more of"
            " these requests than were recorded";
      }
      closest.items.push_back(std::move(item));
    }
    d.related.push_back(std::move(closest));
    const std::size_t unused = size() - used_count;
    d.related.push_back(unused_group(
        "unused entries (" + std::to_string(unused) + " of " + std::to_string(size()) + ")", used,
        used_count, 10));
    return scrubbed(std::move(d));
  }
};

PreparedFixture::PreparedFixture() = default;
PreparedFixture::~PreparedFixture() = default;

std::shared_ptr<const PreparedFixture> PreparedFixture::prepare(
    std::shared_ptr<const Fixture> fixture, PlaybackOptions options) {
  if (!fixture) throw std::invalid_argument("PreparedFixture: the fixture is null");
  return prepare(std::make_shared<const OpenedFixture>(std::move(fixture)), std::move(options));
}

std::shared_ptr<const PreparedFixture> PreparedFixture::prepare(
    std::shared_ptr<const OpenedFixture> fixture, PlaybackOptions options) {
  if (!fixture) throw std::invalid_argument("PreparedFixture: the fixture is null");
  const Fixture& head = fixture->head();
  MatchRules rules =
      options.rules ? *options.rules : fixture_match_rules(head, options.fixture_path);
  if (!options.request_sanitizer) {
    SanitizerOptions sanitizer;
    sanitizer.rules = fixture_sanitizer_rules(head, options.fixture_path);
    auto built = std::make_shared<const Sanitizer>(std::move(sanitizer));
    if (built->rewrites_requests()) options.request_sanitizer = std::move(built);
  }
  std::shared_ptr<PreparedFixture> prepared(new PreparedFixture());
  prepared->impl_ =
      std::make_unique<Impl>(std::move(fixture), std::move(options), std::move(rules));
  return prepared;
}

const Fixture& PreparedFixture::fixture() const {
  return *impl_->fixture->whole();
}

std::shared_ptr<const Fixture> PreparedFixture::shared_fixture() const {
  return impl_->fixture->whole();
}

const std::shared_ptr<const OpenedFixture>& PreparedFixture::opened() const {
  return impl_->fixture;
}

const PlaybackOptions& PreparedFixture::options() const {
  return impl_->options;
}

const MatchRules& PreparedFixture::rules() const {
  return impl_->matcher.rules();
}

struct PlaybackTransport::State {
  std::shared_ptr<const PreparedFixture> prepared;
  const PreparedFixture::Impl& d;
  mutable std::mutex mutex;
  std::vector<char> used;
  std::size_t used_count = 0;
  /// Per bucket: entries before this position are all used.
  std::vector<std::size_t> first_unused;
  std::vector<std::size_t> order;
  std::vector<Diagnostic> misses;

  explicit State(std::shared_ptr<const PreparedFixture> p)
      : prepared(std::move(p)), d(prepared->impl()) {
    used.assign(d.size(), 0);
    first_unused.assign(d.index.bucket_count(), 0);
  }
};

PlaybackTransport::PlaybackTransport(std::shared_ptr<const PreparedFixture> prepared) {
  if (!prepared) throw std::invalid_argument("PlaybackTransport: the prepared fixture is null");
  state_ = std::make_unique<State>(std::move(prepared));
}

PlaybackTransport::PlaybackTransport(std::shared_ptr<const Fixture> fixture,
                                     PlaybackOptions options)
    : PlaybackTransport(PreparedFixture::prepare(std::move(fixture), std::move(options))) {}

PlaybackTransport::PlaybackTransport(Fixture fixture, PlaybackOptions options)
    : PlaybackTransport(std::make_shared<const Fixture>(std::move(fixture)), std::move(options)) {}

PlaybackTransport::~PlaybackTransport() = default;

http::Response PlaybackTransport::send(const http::Request& original) {
  State& s = *state_;
  const PreparedFixture::Impl& d = s.d;
  // Recorded requests were sanitized; sanitize the actual one alike so both compare equal.
  std::optional<http::Request> sanitized;
  if (d.options.request_sanitizer)
    sanitized = d.options.request_sanitizer->sanitize_request(original);
  const http::Request& request = sanitized ? *sanitized : original;
  const RequestKey key = d.matcher.key(request.method, request.url);

  std::unique_lock lock(s.mutex);
  if (const std::size_t bucket = d.index.find(key.method, key.path); bucket != EntryIndex::npos) {
    const std::size_t size = d.index.bucket_size(bucket);
    std::size_t& first_unused = s.first_unused[bucket];
    for (std::size_t pos = first_unused; pos < size; ++pos) {
      const std::size_t i = d.index.entry(bucket, pos);
      if (s.used[i]) continue;
      if (!d.matcher.matches(d.entry(i), d.key(i), request, key)) continue;
      s.used[i] = 1;
      ++s.used_count;
      s.order.push_back(i);
      while (first_unused < size && s.used[d.index.entry(bucket, first_unused)]) ++first_unused;
      lock.unlock();
      // The fixture is immutable: build the response outside the lock.
      return make_response(d.entry(i));
    }
  }
  Diagnostic miss = d.explain_miss(request, key, s.used, s.used_count);
  s.misses.push_back(miss);
  throw PlaybackMismatch(std::move(miss));
}

std::vector<std::size_t> PlaybackTransport::unused_entries() const {
  std::lock_guard lock(state_->mutex);
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < state_->used.size(); ++i) {
    if (!state_->used[i]) out.push_back(i);
  }
  return out;
}

std::vector<Exchange> PlaybackTransport::replayed() const {
  std::lock_guard lock(state_->mutex);
  const PreparedFixture::Impl& d = state_->d;
  std::vector<Exchange> out;
  out.reserve(state_->order.size());
  for (const std::size_t i : state_->order) {
    const Entry& e = d.entry(i);
    out.push_back(
        {i, e.request_method, e.request_uri, e.status_code, std::string(d.operation_of(i))});
  }
  return out;
}

std::vector<std::string> PlaybackTransport::misses() const {
  std::lock_guard lock(state_->mutex);
  std::vector<std::string> out;
  out.reserve(state_->misses.size());
  for (const auto& miss : state_->misses) out.push_back(miss.message());
  return out;
}

std::vector<Diagnostic> PlaybackTransport::miss_diagnostics() const {
  std::lock_guard lock(state_->mutex);
  return state_->misses;
}

bool PlaybackTransport::withdraw_miss(const std::string& explanation) {
  std::lock_guard lock(state_->mutex);
  auto& misses = state_->misses;
  const auto found = std::find_if(misses.begin(), misses.end(), [&](const Diagnostic& miss) {
    return miss.message() == explanation;
  });
  if (found == misses.end()) return false;
  misses.erase(found);
  return true;
}

void PlaybackTransport::verify_all_used() const {
  std::lock_guard lock(state_->mutex);
  const State& s = *state_;
  const PreparedFixture::Impl& d = s.d;
  if (!s.misses.empty()) {
    Diagnostic first = s.misses.front();
    if (s.misses.size() > 1) {
      // The other misses are counted, not listed: the first is the one to fix first.
      first.related.push_back({"more-misses",
                               "(and " + std::to_string(s.misses.size() - 1) +
                                   " more missed request" + (s.misses.size() > 2 ? "s" : "") + ")",
                               {},
                               0});
    }
    throw PlaybackMismatch(std::move(first));
  }
  const std::size_t unused = d.size() - s.used_count;
  if (unused == 0) return;
  Diagnostic record = d.playback_record("unused-entries", std::to_string(unused) + " of " +
                                                              std::to_string(d.size()) +
                                                              " recorded entries were not used");
  record.related.push_back(d.unused_group("", s.used, s.used_count, 20));
  record.hint =
      "the code sent fewer requests than were recorded; re-record the fixture if that is"
      " intended";
  throw UnusedEntriesError(d.scrubbed(std::move(record)));
}

void PlaybackTransport::reset() {
  std::lock_guard lock(state_->mutex);
  std::fill(state_->used.begin(), state_->used.end(), 0);
  std::fill(state_->first_unused.begin(), state_->first_unused.end(), 0);
  state_->used_count = 0;
  state_->order.clear();
  state_->misses.clear();
}

const Fixture& PlaybackTransport::fixture() const {
  return state_->prepared->fixture();
}

const std::shared_ptr<const PreparedFixture>& PlaybackTransport::prepared() const {
  return state_->prepared;
}

}  // namespace kv::harness
