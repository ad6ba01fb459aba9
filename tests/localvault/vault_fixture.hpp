#pragma once
// A VaultService with a hand-driven clock and deterministic randomness, for tests of the core.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "kv/localvault/vault_service.hpp"

namespace kv::localvault::testing {

/// Deterministic bytes: a counter, so version ids differ but runs repeat.
inline RandomSource counting_random() {
  auto counter = std::make_shared<std::uint64_t>(0);
  return [counter](unsigned char* out, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i)
      out[i] = static_cast<unsigned char>((*counter)++ * 31 + i);
  };
}

inline constexpr const char* kTenant = "tenant-1";
inline constexpr const char* kClientId = "client-1";
inline constexpr const char* kClientSecret = "secret-1";
inline constexpr const char* kHost = "vault.test:8443";

/// A vault core plus a valid token and a clock the test moves.
struct TestVault {
  std::int64_t now_ms = 1'700'000'000'000;
  VaultService service;
  std::string token;

  static AuthOptions auth_options(bool enabled) {
    AuthOptions auth;
    auth.enabled = enabled;
    auth.tenant = kTenant;
    auth.client_id = kClientId;
    auth.client_secret = kClientSecret;
    return auth;
  }

  explicit TestVault(VaultOptions options = {}, bool auth = true,
                     std::string backup_key = std::string(32, 'k'),
                     std::shared_ptr<StateStore> store = nullptr)
      : service(std::move(options), TokenService(auth_options(auth), std::string(32, 's')),
                BackupCodec(std::move(backup_key)), counting_random(), VaultState{},
                std::move(store)),
        token(TokenService(auth_options(auth), std::string(32, 's'))
                  .sign("https://vault.azure.net", now_ms / 1000)) {}

  /// Sends one request with a valid token (unless `authorization` overrides it).
  CoreResponse send(const std::string& method, const std::string& target,
                    const std::string& body = "", const char* authorization = nullptr) {
    CoreRequest request;
    request.method = method;
    split_target(target, request);
    request.headers["Host"] = kHost;
    request.headers["Authorization"] = authorization ? authorization : "Bearer " + token;
    if (authorization && std::string(authorization).empty()) request.headers.erase("Authorization");
    request.body = body;
    return service.handle(request, now_ms);
  }

  /// PUT /secrets/{name} with a value (and optional extra JSON members).
  CoreResponse set(const std::string& name, const std::string& value = "v",
                   nlohmann::json extra = nlohmann::json::object()) {
    extra["value"] = value;
    return send("PUT", "/secrets/" + name + "?api-version=7.6", extra.dump());
  }

  /// Moves the clock forward.
  void advance(std::int64_t ms) { now_ms += ms; }
};

/// The parsed body of a response.
inline nlohmann::json body(const CoreResponse& response) {
  return nlohmann::json::parse(response.body);
}

/// The error code (and inner code after a '/') of an error response.
inline std::string error_code(const CoreResponse& response) {
  nlohmann::json j = body(response);
  std::string code = j["error"]["code"].get<std::string>();
  if (j["error"].contains("innererror"))
    code += "/" + j["error"]["innererror"]["code"].get<std::string>();
  return code;
}

}  // namespace kv::localvault::testing
