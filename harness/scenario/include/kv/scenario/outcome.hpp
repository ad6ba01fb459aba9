// What one execution of a step produced: a result document or a service error.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace kv::scenario {

/// The service's error answer, as seen by the client.
struct ServiceError {
  int status = 0;
  std::string code;
  std::string inner_code;
  std::string message;
};

/// The outcome of one operation: a result (fields documented per operation) or a service error.
struct Outcome {
  /// The result document when the operation succeeded.
  nlohmann::json result;
  /// Set when the service answered with an error.
  std::optional<ServiceError> error;

  bool ok() const { return !error.has_value(); }
  /// The outcome as one JSON document, for messages and the --json report.
  nlohmann::json to_json() const;
};

}  // namespace kv::scenario
