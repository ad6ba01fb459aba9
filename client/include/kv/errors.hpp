// Exceptions thrown by the client. Messages never contain secrets, tokens or client secrets.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "kv/http.hpp"
#include "kv/transport.hpp"

namespace kv {

/// The service answered with a status the operation does not accept.
class RequestFailedException : public std::runtime_error {
 public:
  /// Builds the exception from a failed response; reads error.code, innererror.code and message.
  RequestFailedException(const http::Request& request, const http::Response& response);

  int StatusCode = 0;           ///< HTTP status.
  std::string ReasonPhrase;     ///< HTTP reason phrase.
  std::string ErrorCode;        ///< The service's error.code ("SecretNotFound"), or "".
  std::string InnerErrorCode;   ///< error.innererror.code ("ObjectIsBeingDeleted"), or "".
  std::string Message;          ///< error.message, or a description of the unparsable body.
  std::string RequestId;        ///< x-ms-request-id.
  std::string ClientRequestId;  ///< x-ms-client-request-id.
  std::string Method;           ///< Request method.
  std::string Url;              ///< Request URL.
  /// The whole response, for callers that need headers or body.
  std::shared_ptr<const http::Response> RawResponse;
};

/// Obtaining a token failed (token endpoint error, malformed response, refused challenge).
class AuthenticationException : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An argument was rejected before any request was sent; the message names the parameter.
class InvalidArgumentException : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

}  // namespace kv
