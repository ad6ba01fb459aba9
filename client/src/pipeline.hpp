// The fixed request pipeline of SecretClient (internal):
// request id, User-Agent and JSON headers -> retry -> challenge-based bearer auth -> transport.
#pragma once

#include <memory>
#include <string>

#include "kv/clock.hpp"
#include "kv/credentials.hpp"
#include "kv/http.hpp"
#include "kv/secret_client.hpp"
#include "kv/transport.hpp"

namespace kv::detail {

/// One step of the pipeline; each stage owns the next one.
class Stage {
 public:
  virtual ~Stage() = default;
  /// Sends `request` through this stage and everything below it. A stage may set headers on
  /// `request` for the stages below (the bearer stage sets Authorization); Pipeline::send removes
  /// Authorization again before the caller sees the request. Copying the request instead would
  /// copy its body on every attempt.
  virtual http::Response send(http::Request& request) = 0;
};

/// Creates the retry stage (see retry_stage.cpp).
std::unique_ptr<Stage> make_retry_stage(RetryOptions options, std::shared_ptr<Clock> clock,
                                        RandomSource random, std::unique_ptr<Stage> next);
/// Creates the challenge-based bearer authentication stage (see bearer_stage.cpp).
std::unique_ptr<Stage> make_bearer_stage(std::shared_ptr<TokenCredential> credential,
                                         std::shared_ptr<Clock> clock, bool verify_resource,
                                         std::unique_ptr<Stage> next);
/// Creates the bottom stage that hands requests to a Transport.
std::unique_ptr<Stage> make_transport_stage(std::shared_ptr<http::Transport> transport);

/// A random version-4 UUID in lowercase 8-4-4-4-12 form.
std::string make_uuid(const RandomSource& random);
/// The User-Agent value: "[applicationId ]azsdk-cpp-kvharness/<version> (<platform>)".
std::string user_agent(const std::string& application_id);

/// The whole pipeline; thread-safe.
class Pipeline {
 public:
  Pipeline(std::shared_ptr<TokenCredential> credential, const SecretClientOptions& options);

  /// Adds the request id, User-Agent, Accept and Content-Type headers to `request` (so that an
  /// error can name them) and sends it; the Authorization header the bearer stage adds is removed
  /// again when this returns or throws.
  http::Response send(http::Request& request) const;

  Clock& clock() const { return *clock_; }

 private:
  std::shared_ptr<Clock> clock_;
  RandomSource random_;
  std::string user_agent_;
  std::unique_ptr<Stage> head_;
};

}  // namespace kv::detail
