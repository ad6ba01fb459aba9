// RequestFailedException and TransportError: the HTTP facts of a failure in one readable line.
#include "kv/errors.hpp"

#include <nlohmann/json.hpp>

#include "kv/transport.hpp"

namespace kv {

namespace {

// How many characters of an unparsable error body are quoted in a message.
constexpr std::size_t kBodyQuoteLimit = 200;

struct ErrorFacts {
  std::string code;
  std::string inner_code;
  std::string message;
};

std::string quote_body(std::string_view body) {
  std::string out(body.substr(0, kBodyQuoteLimit));
  for (char& c : out) {
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
  }
  if (body.size() > kBodyQuoteLimit) out += "...";
  return out;
}

std::string string_field(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

ErrorFacts read_error_body(const http::Response& response) {
  ErrorFacts facts;
  std::string_view body = response.body_text();
  if (body.empty()) {
    facts.message = "response body is empty";
    return facts;
  }
  nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    facts.message = "response body is not JSON: " + quote_body(body);
    return facts;
  }
  auto error = json.is_object() ? json.find("error") : json.end();
  if (!json.is_object() || error == json.end() || !error->is_object()) {
    facts.message = "response body has no error object: " + quote_body(body);
    return facts;
  }
  facts.code = string_field(*error, "code");
  facts.message = string_field(*error, "message");
  auto inner = error->find("innererror");
  if (inner != error->end() && inner->is_object()) facts.inner_code = string_field(*inner, "code");
  return facts;
}

std::string header_or_empty(const http::Headers& headers, std::string_view name) {
  const std::string* value = headers.find(name);
  return value ? *value : std::string{};
}

std::string client_request_id(const http::Request& request, const http::Response& response) {
  std::string id = header_or_empty(response.headers, "x-ms-client-request-id");
  return id.empty() ? header_or_empty(request.headers, "x-ms-client-request-id") : id;
}

std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return text;
}

std::string summary(const http::Request& request, const http::Response& response) {
  ErrorFacts facts = read_error_body(response);
  std::string reason =
      response.reason.empty() ? std::string(http::reason_phrase(response.status)) : response.reason;
  std::string out = request.method + " " + request.url + " -> " + std::to_string(response.status);
  out += " " + (facts.code.empty() ? reason : facts.code);
  if (!facts.inner_code.empty()) out += " (" + facts.inner_code + ")";
  if (!facts.message.empty()) out += ": " + one_line(facts.message);
  std::string request_id = header_or_empty(response.headers, "x-ms-request-id");
  if (!request_id.empty()) out += " (request id " + request_id + ")";
  return out;
}

}  // namespace

RequestFailedException::RequestFailedException(const http::Request& request,
                                               const http::Response& response)
    : std::runtime_error(summary(request, response)) {
  ErrorFacts facts = read_error_body(response);
  StatusCode = response.status;
  ReasonPhrase =
      response.reason.empty() ? std::string(http::reason_phrase(response.status)) : response.reason;
  ErrorCode = std::move(facts.code);
  InnerErrorCode = std::move(facts.inner_code);
  Message = std::move(facts.message);
  RequestId = header_or_empty(response.headers, "x-ms-request-id");
  ClientRequestId = client_request_id(request, response);
  Method = request.method;
  Url = request.url;
  RawResponse = std::make_shared<const http::Response>(response);
}

namespace http {

TransportError::TransportError(int code, std::string detail, std::string method, std::string url)
    : std::runtime_error(method + " " + url + " failed: transport error " + std::to_string(code) +
                         (detail.empty() ? std::string{} : ": " + detail)),
      code_(code),
      detail_(std::move(detail)),
      method_(std::move(method)),
      url_(std::move(url)) {}

}  // namespace http

}  // namespace kv
