// Fixture diff: normalize each entry into a comparable JSON view, align the two entry lists by
// longest common subsequence of (operation, method, path), then compare aligned views.
#include "kv/scenario/fixture_diff.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <string_view>

#include "kv/harness/operation.hpp"
#include "kv/url.hpp"

namespace kv::scenario {
namespace {

using harness::Json;

bool is_host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

bool is_lower_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f');
}

// The normalisations below are scans, not regexes: std::regex recurses once per character and
// overflows the stack on a long host or body.

// Every match that starts with `key` replaced by `replacement`; `match_end(at)` is the end of the
// match at `at` (where `key` was found), or npos when there is none there.
template <class MatchEnd>
std::string replace_matches(const std::string& s, std::string_view key, MatchEnd match_end,
                            std::string_view replacement) {
  std::string out;
  std::size_t copied = 0;
  for (std::size_t at = s.find(key); at != std::string::npos; at = s.find(key, at)) {
    const std::size_t end = match_end(at);
    if (end == std::string::npos) {
      at += key.size();
      continue;
    }
    out.append(s, copied, at - copied);
    out += replacement;
    copied = at = end;
  }
  out.append(s, copied);
  return out;
}

// Every "https://HOST[:PORT]" replaced by "https://{vault}".
std::string replace_hosts(const std::string& s) {
  static constexpr std::string_view kScheme = "https://";
  auto match_end = [&](std::size_t at) {
    std::size_t end = at + kScheme.size();
    while (end < s.size() && is_host_char(s[end])) ++end;
    if (end == at + kScheme.size()) return std::string::npos;
    if (end + 1 < s.size() && s[end] == ':' && is_digit(s[end + 1])) {
      end += 2;
      while (end < s.size() && is_digit(s[end])) ++end;
    }
    return end;
  };
  return replace_matches(s, kScheme, match_end, "https://{vault}");
}

// Every whole word of 32 lowercase hex digits (a secret version) replaced by "{version}".
std::string replace_versions(const std::string& s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (!is_word_char(s[i])) {
      out += s[i++];
      continue;
    }
    std::size_t end = i;
    bool hex = true;
    while (end < s.size() && is_word_char(s[end])) hex = is_lower_hex(s[end++]) && hex;
    if (hex && end - i == 32) {
      out += "{version}";
    } else {
      out.append(s, i, end - i);
    }
    i = end;
  }
  return out;
}

// Every "$skiptoken=VALUE" (up to '&' or '"') replaced by "$skiptoken={skiptoken}".
std::string replace_skiptokens(const std::string& s) {
  static constexpr std::string_view kKey = "$skiptoken=";
  auto match_end = [&](std::size_t at) {
    std::size_t end = at + kKey.size();
    while (end < s.size() && s[end] != '&' && s[end] != '"') ++end;
    return end;
  };
  return replace_matches(s, kKey, match_end, "$skiptoken={skiptoken}");
}

// A digest of binary bytes (FNV-1a, 64 bits): two bodies of the same length differ in the view
// whenever their bytes do, without copying multi-kilobyte bodies into it.
std::string digest(const http::Bytes& bytes) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const auto byte : bytes) {
    hash ^= static_cast<std::uint8_t>(byte);
    hash *= 1099511628211ULL;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (std::size_t i = 16; i-- > 0; hash >>= 4) out[i] = kHex[hash & 0xF];
  return out;
}

struct View {
  std::string operation;
  std::string key;  // operation + method + path: what alignment uses
  Json data;        // everything compared
  int index = 0;
};

class Normalizer {
 public:
  Normalizer(const harness::Fixture& fixture, const DiffOptions& options) : options_(options) {
    for (const auto& [name, value] : fixture.variables) {
      if (!value.empty()) replacements_.emplace_back(value, "${" + name + "}");
    }
    // Longer values first, so a value that contains another is replaced whole.
    std::sort(replacements_.begin(), replacements_.end(),
              [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  }

  std::string text(std::string s) const {
    for (const auto& [value, name] : replacements_) {
      for (std::size_t at = 0; (at = s.find(value, at)) != std::string::npos; at += name.size()) {
        s.replace(at, value.size(), name);
      }
    }
    s = replace_hosts(s);
    if (options_.ignore_volatile) s = replace_skiptokens(replace_versions(s));
    return s;
  }

  Json body(const Json& value, bool blob) const {
    if (value.is_string()) return text(value.get<std::string>());
    if (value.is_array()) {
      Json out = Json::array();
      for (const auto& item : value) out.push_back(body(item, blob));
      return out;
    }
    if (!value.is_object()) return value;
    Json out = Json::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      static const std::vector<std::string> dates = {"created", "updated", "deletedDate",
                                                     "scheduledPurgeDate"};
      if (options_.ignore_volatile &&
          std::find(dates.begin(), dates.end(), it.key()) != dates.end()) {
        out[it.key()] = "{date}";
      } else if (options_.ignore_volatile && blob && it.key() == "value") {
        out[it.key()] = "{backup blob}";
      } else {
        out[it.key()] = body(it.value(), blob);
      }
    }
    return out;
  }

  Json body(const harness::Body& b, bool blob) const {
    switch (b.kind) {
      case harness::Body::Kind::None:
        return nullptr;
      case harness::Body::Kind::Json:
        return body(b.json(), blob);
      case harness::Body::Kind::Text:
        return text(std::string(b.bytes.begin(), b.bytes.end()));
      case harness::Body::Kind::Binary:
        return "<" + std::to_string(b.bytes.size()) + " binary bytes, digest " + digest(b.bytes) +
               ">";
    }
    return nullptr;
  }

  View view(const harness::Entry& e, int index) const {
    View v;
    v.index = index;
    v.operation = std::string(harness::classify_operation(e.request_method, e.request_uri));
    std::string path = e.request_uri;
    Json query = Json::object();
    try {
      Url url(e.request_uri);
      path = url.path();
      for (const auto& [k, value] : url.query()) query[k] = text(value);
    } catch (const std::exception&) {
      // A relative or odd URI is compared as text.
    }
    path = text(path);
    if (options_.ignore_volatile && query.contains("$skiptoken"))
      query["$skiptoken"] = "{skiptoken}";
    v.key = v.operation + " " + e.request_method + " " + path;
    bool backup_response = v.operation == "BackupSecret";
    bool restore_request = v.operation == "RestoreSecret";
    v.data = Json{{"status", e.status_code},
                  {"query", query},
                  {"requestBody", body(e.request_body, restore_request)},
                  {"responseBody", body(e.response_body, backup_response)}};
    return v;
  }

 private:
  const DiffOptions& options_;
  std::vector<std::pair<std::string, std::string>> replacements_;
};

std::vector<View> views(const harness::Fixture& fixture, const DiffOptions& options) {
  Normalizer normalizer(fixture, options);
  std::vector<View> out;
  for (std::size_t i = 0; i < fixture.entries.size(); ++i) {
    View v = normalizer.view(fixture.entries[i], static_cast<int>(i));
    // Polls and retries repeat a variable number of times from one recording to the next.
    if (options.ignore_volatile && !out.empty() && out.back().key == v.key &&
        out.back().data == v.data) {
      continue;
    }
    out.push_back(std::move(v));
  }
  return out;
}

std::string show(const Json& value) {
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > 120) text = text.substr(0, 117) + "...";
  return text;
}

std::vector<std::string> details(const View& a, const View& b) {
  std::vector<std::string> lines;
  if (a.data["status"] != b.data["status"]) {
    lines.push_back("status: " + a.data["status"].dump() + " → " + b.data["status"].dump());
  }
  for (const char* part : {"query", "requestBody", "responseBody"}) {
    const Json& x = a.data[part];
    const Json& y = b.data[part];
    if (x == y) continue;
    if (!x.is_structured() || !y.is_structured()) {
      lines.push_back(std::string(part) + ": " + show(x) + " → " + show(y));
      continue;
    }
    for (const auto& op : Json::diff(x, y)) {
      std::string path = op["path"].get<std::string>();
      std::string kind = op["op"].get<std::string>();
      Json::json_pointer pointer(path);
      if (kind == "remove") {
        lines.push_back(std::string(part) + " " + path + ": " + show(x.at(pointer)) +
                        " → (absent)");
      } else if (kind == "add") {
        lines.push_back(std::string(part) + " " + path + ": (absent) → " + show(op["value"]));
      } else {
        lines.push_back(std::string(part) + " " + path + ": " + show(x.at(pointer)) + " → " +
                        show(op["value"]));
      }
    }
  }
  return lines;
}

}  // namespace

FixtureDiff diff_fixtures(const harness::Fixture& old_fixture, const harness::Fixture& new_fixture,
                          const DiffOptions& options) {
  std::vector<View> a = views(old_fixture, options);
  std::vector<View> b = views(new_fixture, options);
  // LCS table over alignment keys.
  std::vector<std::vector<int>> lcs(a.size() + 1, std::vector<int>(b.size() + 1, 0));
  for (std::size_t i = a.size(); i-- > 0;) {
    for (std::size_t j = b.size(); j-- > 0;) {
      lcs[i][j] =
          a[i].key == b[j].key ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  FixtureDiff diff;
  std::size_t i = 0;
  std::size_t j = 0;
  auto removed = [&](const View& v) {
    diff.changes.push_back({EntryChange::Kind::Removed,
                            v.operation,
                            v.key.substr(v.operation.size() + 1),
                            v.index,
                            -1,
                            {}});
  };
  auto added = [&](const View& v) {
    diff.changes.push_back({EntryChange::Kind::Added,
                            v.operation,
                            v.key.substr(v.operation.size() + 1),
                            -1,
                            v.index,
                            {}});
  };
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i].key == b[j].key) {
      if (a[i].data != b[j].data) {
        diff.changes.push_back({EntryChange::Kind::Changed, a[i].operation,
                                a[i].key.substr(a[i].operation.size() + 1), a[i].index, b[j].index,
                                details(a[i], b[j])});
      }
      ++i;
      ++j;
    } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
      added(b[j++]);
    } else {
      removed(a[i++]);
    }
  }
  for (const auto& [name, value] : old_fixture.variables) {
    if (!new_fixture.variables.count(name)) diff.variable_changes.push_back("- " + name);
  }
  for (const auto& [name, value] : new_fixture.variables) {
    if (!old_fixture.variables.count(name)) diff.variable_changes.push_back("+ " + name);
  }
  return diff;
}

std::string format_diff(const FixtureDiff& diff, const std::string& old_name,
                        const std::string& new_name) {
  if (diff.empty()) return "no differences between " + old_name + " and " + new_name + "\n";
  std::string out = "--- " + old_name + "\n+++ " + new_name + "\n";
  std::map<std::string, std::map<std::string, int>> by_operation;
  for (const auto& c : diff.changes) {
    const char* kind = c.kind == EntryChange::Kind::Added     ? "added"
                       : c.kind == EntryChange::Kind::Removed ? "removed"
                                                              : "changed";
    std::string where =
        c.kind == EntryChange::Kind::Added ? "new #" + std::to_string(c.new_index)
        : c.kind == EntryChange::Kind::Removed
            ? "old #" + std::to_string(c.old_index)
            : "old #" + std::to_string(c.old_index) + ", new #" + std::to_string(c.new_index);
    out += std::string(kind) + " " + c.operation + ": " + c.request + " (" + where + ")\n";
    for (const auto& d : c.details) out += "    " + d + "\n";
    ++by_operation[c.operation][kind];
  }
  for (const auto& v : diff.variable_changes) out += "variable " + v + "\n";
  out += "by operation:";
  bool first = true;
  for (const auto& [operation, counts] : by_operation) {
    out += first ? " " : "; ";
    first = false;
    out += operation;
    for (const auto& [kind, n] : counts) out += " " + std::to_string(n) + " " + kind;
  }
  if (by_operation.empty()) out += " none";
  return out + "\n";
}

}  // namespace kv::scenario
