// An in-memory Transport for tests: answers from a queue of scripted responses and records every
// request it was given.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "kv/secrets.hpp"

namespace kvtest {

/// A Transport that replays a script and remembers what was sent.
class ScriptedTransport final : public kv::http::Transport {
 public:
  /// Queues a response with a text body.
  ScriptedTransport& respond(int status, std::string body = "", kv::http::Headers headers = {}) {
    kv::http::Response response;
    response.status = status;
    response.reason = std::string(kv::http::reason_phrase(status));
    response.headers = std::move(headers);
    response.body = kv::http::to_bytes(body);
    std::lock_guard lock(mutex_);
    script_.emplace_back(std::move(response));
    return *this;
  }
  /// Queues a response with a JSON body and a JSON content type.
  ScriptedTransport& respond_json(int status, const nlohmann::json& body,
                                  kv::http::Headers headers = {}) {
    headers.set("Content-Type", "application/json; charset=utf-8");
    return respond(status, body.dump(), std::move(headers));
  }
  /// Queues a transport failure (as libcurl would report a reset connection).
  ScriptedTransport& fail(int code, std::string detail) {
    std::lock_guard lock(mutex_);
    script_.emplace_back(Failure{code, std::move(detail)});
    return *this;
  }

  kv::http::Response send(const kv::http::Request& request) override {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
    if (script_.empty()) {
      throw std::logic_error("ScriptedTransport: no scripted response left for " + request.method +
                             " " + request.url);
    }
    auto next = std::move(script_.front());
    script_.pop_front();
    if (auto* failure = std::get_if<Failure>(&next)) {
      throw kv::http::TransportError(failure->code, failure->detail, request.method, request.url);
    }
    return std::get<kv::http::Response>(std::move(next));
  }

  /// Every request received so far, in order.
  std::vector<kv::http::Request> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  /// The last request received.
  kv::http::Request last() const {
    std::lock_guard lock(mutex_);
    if (requests_.empty()) throw std::logic_error("ScriptedTransport: no request was sent");
    return requests_.back();
  }
  /// How many scripted answers are still unused.
  std::size_t remaining() const {
    std::lock_guard lock(mutex_);
    return script_.size();
  }

 private:
  struct Failure {
    int code;
    std::string detail;
  };
  mutable std::mutex mutex_;
  std::deque<std::variant<kv::http::Response, Failure>> script_;
  std::vector<kv::http::Request> requests_;
};

/// A RandomSource returning a fixed value, so that jitter and request ids are predictable.
inline kv::RandomSource fixed_random(double value) {
  return [value] { return value; };
}

/// Everything a SecretClient test needs: a scripted transport, a manual clock, a static token.
struct ClientFixture {
  std::shared_ptr<ScriptedTransport> transport = std::make_shared<ScriptedTransport>();
  std::shared_ptr<kv::ManualClock> clock = std::make_shared<kv::ManualClock>();
  std::shared_ptr<kv::StaticTokenCredential> credential =
      std::make_shared<kv::StaticTokenCredential>("test-token");
  kv::SecretClientOptions options = make_options();
  std::string vault = "https://myvault.vault.azure.net";

  kv::SecretClientOptions make_options() {
    kv::SecretClientOptions result;
    result.Transport = transport;
    result.Clock = clock;
    result.Random = fixed_random(0.5);
    return result;
  }
  /// A client on `vault` with the current options.
  kv::SecretClient client() const { return kv::SecretClient(vault, credential, options); }
};

/// A SecretBundle as the service returns it.
inline nlohmann::json secret_bundle(const std::string& name, const std::string& version,
                                    const std::string& value) {
  return {{"value", value},
          {"id", "https://myvault.vault.azure.net/secrets/" + name + "/" + version},
          {"attributes",
           {{"enabled", true},
            {"created", 1629853317},
            {"updated", 1629853318},
            {"recoveryLevel", "Recoverable+Purgeable"},
            {"recoverableDays", 90}}}};
}

/// A DeletedSecretBundle as the service returns it.
inline nlohmann::json deleted_bundle(const std::string& name, const std::string& version) {
  nlohmann::json body = secret_bundle(name, version, "");
  body.erase("value");
  body["recoveryId"] = "https://myvault.vault.azure.net/deletedsecrets/" + name;
  body["deletedDate"] = 1629853400;
  body["scheduledPurgeDate"] = 1637629400;
  return body;
}

/// The Key Vault error body.
inline nlohmann::json error_body(const std::string& code, const std::string& message,
                                 const std::string& inner = "") {
  nlohmann::json error = {{"code", code}, {"message", message}};
  if (!inner.empty()) error["innererror"] = {{"code", inner}};
  return {{"error", error}};
}

/// Seconds since the epoch as a time point.
inline kv::TimePoint at(std::int64_t seconds) {
  return kv::TimePoint(std::chrono::seconds(seconds));
}

}  // namespace kvtest
