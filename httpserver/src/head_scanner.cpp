#include "head_scanner.hpp"

#include <cstring>

namespace kv::httpserver::detail {

namespace {
ErrorInfo info(ErrorKind kind, int status, std::string code, std::string message) {
  return ErrorInfo{kind, status, std::move(code), std::move(message)};
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A client's bytes quoted in a message: printable ASCII only, and short.
std::string quoted(std::string_view s) {
  std::string out = "'";
  for (char c : s.substr(0, 40)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out + (s.size() > 40 ? "...'" : "'");
}

bool all_digits(std::string_view s) {
  if (s.empty() || s.size() > 18) return false;  // 18 digits cannot overflow 64 bits
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}
}  // namespace

ErrorInfo bad_request(std::string message) {
  return info(ErrorKind::BadRequest, 400, "BadRequest", std::move(message));
}

ErrorInfo request_line_too_long(std::size_t limit) {
  return info(ErrorKind::RequestLineTooLong, 414, "RequestLineTooLong",
              "The request line is longer than the limit of " + std::to_string(limit) + " bytes.");
}

ErrorInfo too_many_headers(std::size_t limit) {
  return info(ErrorKind::TooManyHeaders, 431, "RequestHeaderFieldsTooLarge",
              "The request has more than " + std::to_string(limit) + " header fields.");
}

ErrorInfo headers_too_large(std::size_t limit) {
  return info(ErrorKind::HeadersTooLarge, 431, "RequestHeaderFieldsTooLarge",
              "The request header fields are larger than the limit of " + std::to_string(limit) +
                  " bytes.");
}

ErrorInfo body_too_large(std::size_t limit) {
  return info(ErrorKind::BodyTooLarge, 413, "RequestEntityTooLarge",
              "The request body is larger than the limit of " + std::to_string(limit) + " bytes.");
}

ErrorInfo request_timeout(std::chrono::milliseconds limit) {
  return info(ErrorKind::RequestTimeout, 408, "RequestTimeout",
              "The request was not complete within " + std::to_string(limit.count()) + " ms.");
}

ErrorInfo expectation_failed(std::string_view expectation) {
  return info(
      ErrorKind::ExpectationFailed, 417, "ExpectationFailed",
      "The expectation " + quoted(expectation) + " is not supported; only '100-continue' is.");
}

ErrorInfo version_not_supported() {
  return info(ErrorKind::VersionNotSupported, 505, "HttpVersionNotSupported",
              "Only HTTP/1.0 and HTTP/1.1 are supported.");
}

ErrorInfo handler_failed() {
  return info(ErrorKind::HandlerFailed, 500, "InternalServerError",
              "The server failed to handle the request.");
}

void HeadScanner::reset() {
  pos_ = line_start_ = fields_start_ = lines_ = 0;
  content_lengths_ = transfer_encodings_ = 0;
  error_.reset();
  fields_ = Headers();
}

HeadScanner::State HeadScanner::fail(ErrorInfo error) {
  error_ = std::move(error);
  return State::Failed;
}

HeadScanner::State HeadScanner::scan(std::string_view data) {
  if (error_) return State::Failed;
  while (pos_ < data.size()) {
    const void* found = std::memchr(data.data() + pos_, '\n', data.size() - pos_);
    if (!found) {
      pos_ = data.size();
      // Refuse an over-long line as soon as it is too long, not when (if ever) it ends.
      if (lines_ == 0 && data.size() - line_start_ > limits_.max_request_line_bytes + 1)
        return fail(request_line_too_long(limits_.max_request_line_bytes));
      if (lines_ > 0 && data.size() - fields_start_ > limits_.max_header_bytes)
        return fail(headers_too_large(limits_.max_header_bytes));
      return State::NeedMore;
    }
    std::size_t lf = static_cast<std::size_t>(static_cast<const char*>(found) - data.data());
    pos_ = lf + 1;
    if (lf == line_start_ || data[lf - 1] != '\r')
      return fail(bad_request("The request has a line that ends in LF without CR."));
    std::string_view line = data.substr(line_start_, lf - 1 - line_start_);
    line_start_ = pos_;
    if (lines_ == 0) {
      if (line.size() > limits_.max_request_line_bytes)
        return fail(request_line_too_long(limits_.max_request_line_bytes));
      if (line.empty()) return fail(bad_request("The request does not start with a request line."));
      fields_start_ = pos_;
      ++lines_;
      continue;
    }
    if (pos_ - fields_start_ > limits_.max_header_bytes)
      return fail(headers_too_large(limits_.max_header_bytes));
    if (line.empty()) {
      if (content_lengths_ > 0 && transfer_encodings_ > 0)
        return fail(bad_request("The request has both Content-Length and Transfer-Encoding."));
      return State::Complete;
    }
    ++lines_;
    if (State s = check_line(line); s == State::Failed) return s;
  }
  return State::NeedMore;
}

HeadScanner::State HeadScanner::check_line(std::string_view line) {
  if (line.front() == ' ' || line.front() == '\t')
    return fail(bad_request("The request folds a header field over lines (obs-fold)."));
  if (lines_ - 1 > limits_.max_header_count)
    return fail(too_many_headers(limits_.max_header_count));
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return State::NeedMore;  // the parser names the error
  std::string_view name = line.substr(0, colon);
  std::string_view value = trim(line.substr(colon + 1));
  if (iequals(name, "Content-Length")) {
    if (++content_lengths_ > 1)
      return fail(bad_request("The request has more than one Content-Length field."));
    if (!all_digits(value))
      return fail(bad_request("The request's Content-Length " + quoted(value) +
                              " is not a decimal number."));
  } else if (iequals(name, "Transfer-Encoding")) {
    if (++transfer_encodings_ > 1)
      return fail(bad_request("The request has more than one Transfer-Encoding field."));
    if (!iequals(value, "chunked"))
      return fail(bad_request("The request's Transfer-Encoding " + quoted(value) +
                              " is not supported; only 'chunked' is."));
  }
  fields_.add(std::string(name), std::string(value));
  return State::NeedMore;
}

}  // namespace kv::httpserver::detail
