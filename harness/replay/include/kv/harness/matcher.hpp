// Compares recorded entries with actual requests: method, normalised path, query parameters as a
// set, JSON bodies semantically, plus whatever the match rules add or remove.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "kv/harness/fixture.hpp"
#include "kv/harness/rules.hpp"
#include "kv/http.hpp"

namespace kv::harness {

// FieldDiff (one field that differs between a recorded entry, its `expected` side, and an actual
// request, its `found` side) is the failure record's field pair, kv/harness/diagnostic.hpp.

/// The parts of a request that take part in matching, computed once per request or entry.
struct RequestKey {
  std::string method;
  std::string path;  ///< Normalised by the path rewrites.
  /// Decoded query parameters without the ignored ones, sorted (a set comparison).
  std::vector<std::pair<std::string, std::string>> query;
};

/// Applies MatchRules. Thread-safe: the rules never change after construction, and the cache
/// of normalised paths has its own lock.
class Matcher {
 public:
  explicit Matcher(MatchRules rules = MatchRules::defaults());
  Matcher(const Matcher& other) : Matcher(other.rules_) {}
  Matcher& operator=(const Matcher&) = delete;

  /// The match key of a method and absolute URL (host and scheme never take part).
  RequestKey key(std::string_view method, std::string_view url) const;
  /// The same for a recorded entry: each is keyed once, so its path bypasses the cache (a large
  /// fixture of distinct paths would only fill it).
  RequestKey entry_key(std::string_view method, std::string_view url) const;
  /// The method and path of entry_key() alone (what an index by method and path needs), into
  /// strings the caller reuses.
  void entry_route(std::string_view method, std::string_view url, std::string& method_out,
                   std::string& path_out) const;
  /// True when `recorded` (with key `recorded_key`) matches `actual` (with key `actual_key`).
  bool matches(const Entry& recorded, const RequestKey& recorded_key, const http::Request& actual,
               const RequestKey& actual_key) const;
  /// Every differing field, in the order method, path, query, headers, body; empty on a match.
  std::vector<FieldDiff> diff(const Entry& recorded, const RequestKey& recorded_key,
                              const http::Request& actual, const RequestKey& actual_key) const;
  const MatchRules& rules() const { return rules_; }

 private:
  bool body_matches(const Entry& recorded, const http::Request& actual) const;
  void body_diff(const Entry& recorded, const http::Request& actual,
                 std::vector<FieldDiff>& out) const;

  RequestKey make_key(std::string_view method, std::string_view url, bool cached) const;
  void route(std::string_view method, std::string_view url, bool cached, std::string& method_out,
             std::string& path_out, std::string_view& query) const;
  std::string normalised_path(std::string_view path) const;

  MatchRules rules_;
  // Regex rewrites cost microseconds; a replay sees the same few paths again and again.
  struct PathHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::string, PathHash, std::equal_to<>> path_cache_;
};

/// Compares two JSON values ignoring object key order; appends one diff per differing leaf,
/// named by its JSON Pointer (prefixed with `prefix`). Pointers in `ignored` are skipped.
void json_diff(const Json& recorded, const Json& actual, const std::string& pointer,
               const std::vector<std::string>& ignored, std::vector<FieldDiff>& out,
               const std::string& prefix = "body ");

}  // namespace kv::harness
