// Performs one operation on a SecretClient and turns the answer into an Outcome.
#pragma once

#include <memory>

#include <nlohmann/json.hpp>

#include "kv/clock.hpp"
#include "kv/scenario/outcome.hpp"
#include "kv/scenario/scenario.hpp"
#include "kv/secret_client.hpp"

namespace kv::scenario {

/// Executes operations. Service errors become Outcome::error; anything else (a playback miss, a
/// transport failure, a bad argument value) propagates as an exception.
class Executor {
 public:
  Executor(std::shared_ptr<const SecretClient> client, std::shared_ptr<Clock> clock);
  /// Runs `operation` with arguments whose variables are already substituted.
  Outcome execute(Operation operation, const nlohmann::json& args) const;

 private:
  std::shared_ptr<const SecretClient> client_;
  std::shared_ptr<Clock> clock_;
};

/// A step argument has a value the operation cannot use (a bad date, bad base64url).
class ArgumentError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace kv::scenario
