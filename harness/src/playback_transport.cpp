// Playback: an index by (method, normalised path) built at load, responses prepared as bytes at
// load, one lock around "find the earliest unused match and claim it".
#include "kv/harness/playback_transport.hpp"

#include <algorithm>
#include <mutex>
#include <unordered_map>

#include "kv/harness/operation.hpp"

namespace kv::harness {

namespace {

// "/path?query" of a URL, without scheme and host (which never take part in matching).
std::string_view path_and_query(std::string_view url) {
  if (auto scheme = url.find("://"); scheme != std::string_view::npos) {
    const std::size_t start = url.find('/', scheme + 3);
    return start == std::string_view::npos ? std::string_view("/") : url.substr(start);
  }
  return url;
}

std::string describe_entry(const Entry& entry) {
  return entry.request_method + " " + std::string(path_and_query(entry.request_uri));
}

// Transparent hashing so a lookup by string_view needs no allocation.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const {
    return std::hash<std::string_view>{}(text);
  }
};

struct Bucket {
  std::vector<std::size_t> entries;  // Fixture order.
  std::size_t first_unused = 0;      // Entries before this position are all used.
};

}  // namespace

struct PlaybackTransport::Impl {
  Fixture fixture;
  PlaybackOptions options;
  Matcher matcher;
  std::vector<RequestKey> keys;
  std::vector<http::Response> responses;
  std::unordered_map<std::string, Bucket, StringHash, std::equal_to<>> index;
  std::vector<bool> used;
  std::size_t used_count = 0;
  mutable std::mutex mutex;

  Impl(Fixture f, PlaybackOptions o)
      : fixture(std::move(f)), options(std::move(o)), matcher(options.rules) {
    const std::size_t n = fixture.entries.size();
    keys.reserve(n);
    responses.reserve(n);
    used.assign(n, false);
    for (std::size_t i = 0; i < n; ++i) {
      const Entry& entry = fixture.entries[i];
      keys.push_back(matcher.key(entry.request_method, entry.request_uri));
      index[index_key(keys.back().method, keys.back().path)].entries.push_back(i);
      responses.push_back(prepare_response(entry));
    }
  }

  static std::string index_key(std::string_view method, std::string_view path) {
    std::string key;
    key.reserve(method.size() + 1 + path.size());
    key.append(method).append(" ").append(path);
    return key;
  }

  // The response as the client will see it; computed once so a replay is a plain copy.
  static http::Response prepare_response(const Entry& entry) {
    http::Response response;
    response.status = entry.status_code;
    response.reason = std::string(http::reason_phrase(entry.status_code));
    response.headers = entry.response_headers;
    response.body = entry.response_body.bytes;
    // Sanitized or re-serialised bodies no longer have the recorded length.
    for (const auto& [name, value] : entry.response_headers) {
      if (http::iequals(name, "Content-Length")) {
        response.headers.set(name, std::to_string(response.body.size()));
        break;
      }
    }
    return response;
  }

  std::string scrub(std::string text) const {
    if (options.message_sanitizer) return options.message_sanitizer->scrub(text);
    if (options.request_sanitizer) return options.request_sanitizer->scrub(text);
    return text;
  }

  std::string unused_listing(std::size_t limit) const {
    std::string out;
    std::size_t shown = 0;
    const std::size_t unused = fixture.entries.size() - used_count;
    for (std::size_t i = 0; i < fixture.entries.size(); ++i) {
      if (used[i]) continue;
      if (shown == limit) {
        out += "    ... and " + std::to_string(unused - shown) + " more\n";
        break;
      }
      const Entry& e = fixture.entries[i];
      out += "    entry " + std::to_string(i) + ": " + describe_entry(e) + " -> " +
             std::to_string(e.status_code) + " (" +
             std::string(classify_operation(e.request_method, e.request_uri)) + ")\n";
      ++shown;
    }
    return out;
  }

  std::string explain_miss(const http::Request& request, const RequestKey& key) const {
    const std::string_view operation = classify_operation(request.method, request.url);
    std::string out = "kvharness playback: no recorded entry matches the request\n";
    out += "  fixture: " +
           (options.fixture_path.empty() ? std::string("(in memory)") : options.fixture_path) +
           "\n";
    out += "  request: " + request.method + " " + std::string(path_and_query(request.url)) + " (" +
           std::string(operation) + ")\n";
    // Rank cheaply first (same method, same operation, same path, same query), then diff only
    // the best few.
    struct Candidate {
      std::size_t index;
      int rank;
    };
    std::vector<Candidate> candidates;
    candidates.reserve(fixture.entries.size());
    for (std::size_t i = 0; i < fixture.entries.size(); ++i) {
      const Entry& e = fixture.entries[i];
      int rank = 0;
      if (keys[i].method != key.method) rank += 8;
      if (classify_operation(e.request_method, e.request_uri) != operation) rank += 4;
      if (keys[i].path != key.path) rank += 2;
      if (keys[i].query != key.query) rank += 1;
      candidates.push_back({i, rank});
    }
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate& a, const Candidate& b) { return a.rank < b.rank; });
    const std::size_t shown = std::min<std::size_t>(3, candidates.size());
    if (shown == 0) {
      out += "  the fixture has no entries\n";
    } else {
      out += "  closest recorded candidates:\n";
      for (std::size_t c = 0; c < shown; ++c) {
        const std::size_t i = candidates[c].index;
        const Entry& e = fixture.entries[i];
        out += "    entry " + std::to_string(i) + ": " + describe_entry(e) + " -> " +
               std::to_string(e.status_code) + " (" +
               std::string(classify_operation(e.request_method, e.request_uri)) + ", " +
               (used[i] ? "already used" : "unused") + ")\n";
        auto diffs = matcher.diff(e, keys[i], request, key);
        if (diffs.empty()) {
          out +=
              "      matches, but was already used: each entry answers once, and this run sends"
              " more of these requests than were recorded\n";
        }
        for (const auto& d : diffs) {
          out += "      " + d.field + ": recorded " + d.recorded + " | actual " + d.actual + "\n";
        }
      }
    }
    const std::size_t unused = fixture.entries.size() - used_count;
    out += "  unused entries (" + std::to_string(unused) + " of " +
           std::to_string(fixture.entries.size()) + ")" + (unused == 0 ? "\n" : ":\n");
    out += unused_listing(10);
    out += "  to fix: re-record the fixture, or loosen the match rules (docs/record-replay.md)";
    return scrub(std::move(out));
  }
};

PlaybackTransport::PlaybackTransport(Fixture fixture, PlaybackOptions options)
    : impl_(std::make_unique<Impl>(std::move(fixture), std::move(options))) {}

PlaybackTransport::~PlaybackTransport() = default;

http::Response PlaybackTransport::send(const http::Request& original) {
  Impl& d = *impl_;
  // Recorded requests were sanitized; sanitize the actual one alike so both compare equal.
  std::optional<http::Request> sanitized;
  if (d.options.request_sanitizer)
    sanitized = d.options.request_sanitizer->sanitize_request(original);
  const http::Request& request = sanitized ? *sanitized : original;
  const RequestKey key = d.matcher.key(request.method, request.url);

  std::unique_lock lock(d.mutex);
  std::string lookup = Impl::index_key(key.method, key.path);
  if (auto it = d.index.find(std::string_view(lookup)); it != d.index.end()) {
    Bucket& bucket = it->second;
    for (std::size_t pos = bucket.first_unused; pos < bucket.entries.size(); ++pos) {
      const std::size_t i = bucket.entries[pos];
      if (d.used[i]) continue;
      if (!d.matcher.matches(d.fixture.entries[i], d.keys[i], request, key)) continue;
      d.used[i] = true;
      ++d.used_count;
      while (bucket.first_unused < bucket.entries.size() &&
             d.used[bucket.entries[bucket.first_unused]]) {
        ++bucket.first_unused;
      }
      const http::Response& prepared = d.responses[i];
      lock.unlock();
      // The prepared response is immutable after construction: copy it outside the lock.
      return prepared;
    }
  }
  throw PlaybackMismatch(d.explain_miss(request, key));
}

std::vector<std::size_t> PlaybackTransport::unused_entries() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < impl_->used.size(); ++i) {
    if (!impl_->used[i]) out.push_back(i);
  }
  return out;
}

void PlaybackTransport::verify_all_used() const {
  std::lock_guard lock(impl_->mutex);
  const Impl& d = *impl_;
  const std::size_t unused = d.fixture.entries.size() - d.used_count;
  if (unused == 0) return;
  std::string message = "kvharness playback: " + std::to_string(unused) + " of " +
                        std::to_string(d.fixture.entries.size()) +
                        " recorded entries were not used\n";
  message +=
      "  fixture: " +
      (d.options.fixture_path.empty() ? std::string("(in memory)") : d.options.fixture_path) + "\n";
  message += d.unused_listing(20);
  message +=
      "  to fix: the code sent fewer requests than were recorded; re-record the fixture if"
      " that is intended";
  throw UnusedEntriesError(d.scrub(std::move(message)));
}

void PlaybackTransport::reset() {
  std::lock_guard lock(impl_->mutex);
  std::fill(impl_->used.begin(), impl_->used.end(), false);
  impl_->used_count = 0;
  for (auto& [key, bucket] : impl_->index) bucket.first_unused = 0;
}

const Fixture& PlaybackTransport::fixture() const {
  return impl_->fixture;
}

}  // namespace kv::harness
