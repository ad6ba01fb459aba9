// Recording: every exchange that produced a response becomes one sanitized entry.
#include "kv/harness/recording_transport.hpp"

namespace kv::harness {

namespace {
std::string_view content_type(const http::Headers& headers) {
  const std::string* value = headers.find("Content-Type");
  return value ? std::string_view(*value) : std::string_view{};
}
}  // namespace

RecordingTransport::RecordingTransport(std::shared_ptr<http::Transport> inner,
                                       std::shared_ptr<const Sanitizer> sanitizer)
    : inner_(std::move(inner)), sanitizer_(std::move(sanitizer)) {
  if (!inner_) throw std::invalid_argument("RecordingTransport: the inner transport is null");
  if (!sanitizer_) sanitizer_ = std::make_shared<Sanitizer>();
}

http::Response RecordingTransport::send(const http::Request& request) {
  http::Response response = inner_->send(request);
  Entry entry;
  entry.request_uri = request.url;
  entry.request_method = request.method;
  entry.request_headers = request.headers;
  entry.request_body = Body::from_bytes(request.body, content_type(request.headers));
  entry.status_code = response.status;
  entry.response_headers = response.headers;
  entry.response_body = Body::from_bytes(response.body, content_type(response.headers));
  // Sanitize before the entry is stored anywhere, outside the lock.
  sanitizer_->sanitize(entry);
  {
    std::lock_guard lock(mutex_);
    entries_.push_back(std::move(entry));
  }
  return response;
}

std::vector<Entry> RecordingTransport::entries() const {
  std::lock_guard lock(mutex_);
  return entries_;
}

std::vector<Entry> RecordingTransport::take_entries() {
  std::lock_guard lock(mutex_);
  std::vector<Entry> out = std::move(entries_);
  entries_.clear();
  return out;
}

}  // namespace kv::harness
