// An in-process stand-in for the Key Vault secrets API, as a Transport: enough of the service
// (set, get, backup, delete with pending polls, get deleted, purge, restore, recover) to record
// realistic fixtures in tests and benchmarks without a network.
#pragma once

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "kv/transport.hpp"
#include "kv/url.hpp"

namespace kv::test {

/// A tiny Key Vault secrets service answering through the Transport seam.
class FakeVault final : public http::Transport {
 public:
  /// `vault_url` is the origin written into ids; `pending_polls` is how many GETs of a deleted
  /// secret answer 404 before it shows up; `backup_padding` sizes the backup blob.
  explicit FakeVault(std::string vault_url, int pending_polls = 2,
                     std::size_t backup_padding = 5000)
      : vault_url_(std::move(vault_url)),
        pending_polls_(pending_polls),
        backup_padding_(backup_padding) {}

  /// Answers the next request with a 401 challenge (once).
  void challenge_next() { challenge_next_ = true; }
  /// Answers the next request with this status (once), e.g. 503 to exercise retries.
  void fail_next(int status) { fail_next_ = status; }
  /// Every request seen so far (count).
  int requests() const { return requests_.load(); }
  /// The last Authorization header seen.
  std::string last_authorization() const {
    std::lock_guard lock(mutex_);
    return last_authorization_;
  }

  http::Response send(const http::Request& request) override {
    ++requests_;
    std::lock_guard lock(mutex_);
    if (const std::string* auth = request.headers.find("Authorization"))
      last_authorization_ = *auth;
    if (challenge_next_) {
      challenge_next_ = false;
      http::Response r =
          error(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.");
      r.headers.add("WWW-Authenticate",
                    "Bearer authorization=\"https://login.windows.net/00000000-0000-0000-0000-"
                    "000000000000\", resource=\"https://vault.azure.net\"");
      return r;
    }
    if (fail_next_ != 0) {
      const int status = fail_next_;
      fail_next_ = 0;
      return error(status, "ServiceUnavailable", "try again");
    }
    const Url url(request.url);
    std::string path = url.path();
    std::vector<std::string> seg;
    for (std::size_t pos = 1; pos <= path.size();) {
      std::size_t next = path.find('/', pos);
      if (next == std::string::npos) next = path.size();
      if (next > pos) seg.push_back(url_decode(path.substr(pos, next - pos)));
      pos = next + 1;
    }
    const std::string& m = request.method;
    nlohmann::json body;
    if (!request.body.empty()) {
      body = nlohmann::json::parse(request.body.begin(), request.body.end(), nullptr, false);
    }
    if (seg.size() == 2 && seg[0] == "secrets" && seg[1] == "restore" && m == "POST") {
      return restore(body);
    }
    if (seg.size() == 2 && seg[0] == "secrets" && m == "PUT") return set(seg[1], body);
    if (seg.size() >= 2 && seg[0] == "secrets" && m == "GET" &&
        (seg.size() == 2 || seg[2] != "versions")) {
      return get(seg[1]);
    }
    if (seg.size() == 3 && seg[0] == "secrets" && seg[2] == "backup" && m == "POST") {
      return backup(seg[1]);
    }
    if (seg.size() == 2 && seg[0] == "secrets" && m == "DELETE") return remove(seg[1]);
    if (seg.size() == 2 && seg[0] == "deletedsecrets" && m == "GET") return get_deleted(seg[1]);
    if (seg.size() == 2 && seg[0] == "deletedsecrets" && m == "DELETE") return purge(seg[1]);
    if (seg.size() == 3 && seg[0] == "deletedsecrets" && seg[2] == "recover" && m == "POST") {
      return recover(seg[1]);
    }
    return error(400, "BadParameter", "unsupported request " + m + " " + path);
  }

 private:
  struct Secret {
    std::string value;
    std::string version;
    long long created = 0;
  };
  struct Deleted {
    Secret secret;
    int pending = 0;
  };

  static http::Response json_response(int status, const nlohmann::json& body) {
    http::Response r;
    r.status = status;
    r.reason = std::string(http::reason_phrase(status));
    const std::string text = body.dump();
    r.headers.add("Cache-Control", "no-cache");
    r.headers.add("Pragma", "no-cache");
    r.headers.add("Content-Type", "application/json; charset=utf-8");
    r.headers.add("Content-Length", std::to_string(text.size()));
    r.headers.add("Expires", "-1");
    r.headers.add("x-ms-keyvault-region", "westus");
    r.headers.add("x-ms-request-id", "0f6a1b2c-0000-4000-8000-000000000001");
    r.headers.add("x-ms-keyvault-service-version", "1.9.2203.1");
    r.headers.add("Date", "Wed, 12 Mar 2025 22:16:18 GMT");
    r.body = http::to_bytes(text);
    return r;
  }

  static http::Response error(int status, const std::string& code, const std::string& message) {
    return json_response(status, {{"error", {{"code", code}, {"message", message}}}});
  }

  nlohmann::json bundle(const std::string& name, const Secret& s, bool with_value) const {
    nlohmann::json out;
    if (with_value) out["value"] = s.value;
    out["id"] = vault_url_ + "/secrets/" + name + "/" + s.version;
    out["attributes"] = {{"enabled", true},
                         {"created", s.created},
                         {"updated", s.created},
                         {"recoveryLevel", "Recoverable+Purgeable"},
                         {"recoverableDays", 90}};
    return out;
  }

  nlohmann::json deleted_bundle(const std::string& name, const Secret& s) const {
    nlohmann::json out = bundle(name, s, false);
    out["recoveryId"] = vault_url_ + "/deletedsecrets/" + name;
    out["deletedDate"] = s.created + 1;
    out["scheduledPurgeDate"] = s.created + 1 + 90 * 86400;
    return out;
  }

  http::Response set(const std::string& name, const nlohmann::json& body) {
    if (!body.is_object() || !body.contains("value")) return error(400, "BadParameter", "no value");
    if (deleted_.count(name)) return error(409, "Conflict", "Secret " + name + " is deleted");
    Secret s;
    s.value = body["value"].get<std::string>();
    char version[40];
    std::snprintf(version, sizeof version, "%032x", ++version_counter_);
    s.version = version;
    s.created = 1741817778 + version_counter_;
    secrets_[name] = s;
    return json_response(200, bundle(name, s, true));
  }

  http::Response get(const std::string& name) {
    auto it = secrets_.find(name);
    if (it == secrets_.end())
      return error(404, "SecretNotFound",
                   "A secret with (name/id) " + name + " was not found in this key vault.");
    return json_response(200, bundle(name, it->second, true));
  }

  http::Response backup(const std::string& name) {
    auto it = secrets_.find(name);
    if (it == secrets_.end()) return error(404, "SecretNotFound", "Secret not found: " + name);
    // An opaque blob: the name, the value and padding, base64url-encoded like the service's.
    std::string raw = "KVBK1|" + name + "|" + it->second.value + "|" + it->second.version + "|";
    raw.append(backup_padding_, 'x');
    nlohmann::json out = {{"value", encode(raw)}};
    return json_response(200, out);
  }

  http::Response remove(const std::string& name) {
    auto it = secrets_.find(name);
    if (it == secrets_.end()) return error(404, "SecretNotFound", "Secret not found: " + name);
    Deleted d{it->second, pending_polls_};
    secrets_.erase(it);
    deleted_[name] = d;
    return json_response(200, deleted_bundle(name, d.secret));
  }

  http::Response get_deleted(const std::string& name) {
    auto it = deleted_.find(name);
    if (it == deleted_.end() || it->second.pending > 0) {
      if (it != deleted_.end()) --it->second.pending;
      return error(404, "SecretNotFound", "Deleted Secret not found: " + name);
    }
    return json_response(200, deleted_bundle(name, it->second.secret));
  }

  http::Response purge(const std::string& name) {
    if (!deleted_.erase(name))
      return error(404, "SecretNotFound", "Deleted Secret not found: " + name);
    http::Response r;
    r.status = 204;
    r.reason = "No Content";
    r.headers.add("Cache-Control", "no-cache");
    r.headers.add("x-ms-request-id", "0f6a1b2c-0000-4000-8000-000000000002");
    return r;
  }

  http::Response recover(const std::string& name) {
    auto it = deleted_.find(name);
    if (it == deleted_.end()) return error(404, "SecretNotFound", "Secret not found: " + name);
    secrets_[name] = it->second.secret;
    deleted_.erase(it);
    return json_response(200, bundle(name, secrets_[name], false));
  }

  http::Response restore(const nlohmann::json& body) {
    if (!body.is_object() || !body.contains("value") || !body["value"].is_string()) {
      return error(400, "BadParameter", "no value");
    }
    const std::string raw = decode(body["value"].get<std::string>());
    if (raw.rfind("KVBK1|", 0) != 0)
      return error(400, "Malformed backup blob", "Backup blob is corrupt.");
    const auto a = raw.find('|', 6);
    const auto b = raw.find('|', a + 1);
    const auto c = raw.find('|', b + 1);
    const std::string name = raw.substr(6, a - 6);
    if (secrets_.count(name) || deleted_.count(name)) return error(409, "Conflict", "name in use");
    Secret s{raw.substr(a + 1, b - a - 1), raw.substr(b + 1, c - b - 1), 1741817778};
    secrets_[name] = s;
    return json_response(200, bundle(name, s, false));
  }

  static std::string encode(const std::string& raw) {
    static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (unsigned char c : raw) {
      buffer = (buffer << 8) | c;
      bits += 8;
      while (bits >= 6) {
        bits -= 6;
        out += k[(buffer >> bits) & 63];
      }
    }
    if (bits > 0) out += k[(buffer << (6 - bits)) & 63];
    return out;
  }

  static std::string decode(const std::string& text) {
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (char c : text) {
      int v = (c >= 'A' && c <= 'Z')   ? c - 'A'
              : (c >= 'a' && c <= 'z') ? c - 'a' + 26
              : (c >= '0' && c <= '9') ? c - '0' + 52
              : (c == '-' || c == '+') ? 62
              : (c == '_' || c == '/') ? 63
                                       : -1;
      if (v < 0) continue;
      buffer = (buffer << 6) | static_cast<unsigned>(v);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out += static_cast<char>((buffer >> bits) & 0xFF);
      }
    }
    return out;
  }

  std::string vault_url_;
  int pending_polls_;
  std::size_t backup_padding_;
  mutable std::mutex mutex_;
  std::atomic<int> requests_{0};
  std::map<std::string, Secret> secrets_;
  std::map<std::string, Deleted> deleted_;
  unsigned version_counter_ = 0;
  bool challenge_next_ = false;
  int fail_next_ = 0;
  std::string last_authorization_;
};

}  // namespace kv::test
