// localvault's own core (VaultService::handle) behind the Transport seam: a real Key Vault
// implementation in-process, so harness tests and benchmarks record realistic fixtures without
// a socket. Time is virtual and moves a fixed step per request, so that a delete is still
// "being deleted" for exactly the next `pending_polls` requests whatever the client's clock does.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "kv/base64url.hpp"
#include "kv/localvault/vault_service.hpp"
#include "kv/transport.hpp"
#include "kv/url.hpp"

namespace kv::test {

/// Knobs of the in-process vault.
struct InProcessVaultOptions {
  /// GETs of a deleted secret that still answer 404 (the "being deleted" window).
  int pending_polls = 2;
  /// Require bearer tokens from the core's own token endpoint (off: any request is accepted).
  bool auth = false;
  /// Pad backup blobs to about this many decoded bytes, as the real service's (~5 KB decoded,
  /// ~7 KB of base64url) rather than localvault's few hundred; 0 keeps localvault's own.
  std::size_t backup_bytes = 0;
};

/// A Key Vault secrets service answering through the Transport seam, with fault injection.
class InProcessVault final : public http::Transport {
 public:
  static constexpr std::int64_t kStepMs = 100;

  /// `vault_url` is the origin the service believes it has (ids, nextLinks, challenges).
  explicit InProcessVault(std::string vault_url, InProcessVaultOptions options = {})
      : url_(std::move(vault_url)), options_(options), service_(make_service(url_, options)) {}

  /// Answers the next request with a 401 challenge naming the public cloud (once).
  void challenge_next() { challenge_next_ = true; }
  /// Answers the next request with this status (once), e.g. 503 to exercise retries.
  void fail_next(int status) { fail_next_ = status; }
  /// Requests seen so far.
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
      return canned(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.",
                    "Bearer authorization=\"https://login.windows.net/00000000-0000-0000-0000-"
                    "000000000000\", resource=\"https://vault.azure.net\"");
    }
    if (fail_next_ != 0) {
      const int status = fail_next_;
      fail_next_ = 0;
      return canned(status, "ServiceUnavailable", "try again", "");
    }
    localvault::CoreRequest core;
    core.method = request.method;
    std::string body(request.body_text());
    for (const auto& [padded, original] : padded_backups_) {
      if (const auto at = body.find(padded); at != std::string::npos) {
        body.replace(at, padded.size(), original);
      }
    }
    localvault::split_target(url_target(request.url), core);
    for (const auto& [name, value] : request.headers) core.headers[name] = value;
    core.headers["Host"] = Url(url_).host();
    core.body = std::move(body);
    now_ms_ += kStepMs;
    localvault::CoreResponse answer = service_.handle(core, now_ms_);
    if (options_.backup_bytes > 0 && answer.status == 200 && core.path.size() > 7 &&
        core.path.compare(core.path.size() - 7, 7, "/backup") == 0) {
      answer.body = pad_backup(answer.body);
    }
    http::Response response;
    response.status = answer.status;
    response.reason = std::string(http::reason_phrase(answer.status));
    for (const auto& [name, value] : answer.headers) response.headers.add(name, value);
    response.headers.set("Content-Length", std::to_string(answer.body.size()));
    response.body = http::to_bytes(answer.body);
    return response;
  }

 private:
  static localvault::VaultService make_service(const std::string& url,
                                               const InProcessVaultOptions& options) {
    localvault::VaultOptions vault;
    vault.default_base_url = url;
    // Deleted at step 0, polled at steps 1..n: 404 while the window lasts, 200 after it.
    vault.delete_delay_ms = kStepMs * options.pending_polls + kStepMs / 2;
    vault.recover_delay_ms = vault.delete_delay_ms;
    vault.purge_delay_ms = 0;
    localvault::AuthOptions auth;
    auth.enabled = options.auth;
    auth.tenant = "00000000-0000-0000-0000-000000000000";
    auth.client_id = "in-process-client";
    auth.client_secret = "in-process-secret";
    auto counter = std::make_shared<std::uint64_t>(0);
    localvault::RandomSource random = [counter](unsigned char* out, std::size_t size) {
      for (std::size_t i = 0; i < size; ++i) {
        out[i] = static_cast<unsigned char>(((*counter)++ * 131 + i * 7) & 0xFF);
      }
    };
    return localvault::VaultService(vault, localvault::TokenService(auth, std::string(32, 's')),
                                    localvault::BackupCodec(std::string(32, 'k')), random);
  }

  // {"value":"<blob>"} with the blob's bytes padded; remembered, so a restore gets the original.
  std::string pad_backup(const std::string& body) {
    const std::string key = "\"value\":\"";
    const auto start = body.find(key);
    if (start == std::string::npos) return body;
    const auto from = start + key.size();
    const auto end = body.find('"', from);
    const std::string original = body.substr(from, end - from);
    std::vector<std::uint8_t> bytes = base64url_decode(original);
    if (bytes.size() < options_.backup_bytes) bytes.resize(options_.backup_bytes, 0x5a);
    const std::string padded = base64url_encode(bytes);
    padded_backups_.emplace_back(padded, original);
    return body.substr(0, from) + padded + body.substr(end);
  }

  static http::Response canned(int status, const std::string& code, const std::string& message,
                               const std::string& challenge) {
    http::Response r;
    r.status = status;
    r.reason = std::string(http::reason_phrase(status));
    r.headers.add("Content-Type", "application/json; charset=utf-8");
    if (!challenge.empty()) r.headers.add("WWW-Authenticate", challenge);
    r.body =
        http::to_bytes(R"({"error":{"code":")" + code + R"(","message":")" + message + R"("}})");
    return r;
  }

  std::string url_;
  InProcessVaultOptions options_;
  std::vector<std::pair<std::string, std::string>> padded_backups_;
  mutable std::mutex mutex_;
  localvault::VaultService service_;
  std::int64_t now_ms_ = 1'700'000'000'000;
  std::atomic<int> requests_{0};
  bool challenge_next_ = false;
  int fail_next_ = 0;
  std::string last_authorization_;
};

}  // namespace kv::test
