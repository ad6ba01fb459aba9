// Recording: every exchange that produced a response becomes one sanitized entry.
#include "kv/harness/recording_transport.hpp"

namespace kv::harness {

RecordingTransport::RecordingTransport(std::shared_ptr<http::Transport> inner,
                                       std::shared_ptr<const Sanitizer> sanitizer)
    : inner_(std::move(inner)), sanitizer_(std::move(sanitizer)) {
  if (!inner_) throw std::invalid_argument("RecordingTransport: the inner transport is null");
  if (!sanitizer_) sanitizer_ = std::make_shared<Sanitizer>();
}

http::Response RecordingTransport::send(const http::Request& request) {
  http::Response response = inner_->send(request);
  // Sanitized as it is copied, before it is stored anywhere, outside the lock.
  Entry entry = sanitizer_->record(request, response);
  {
    std::lock_guard lock(mutex_);
    // Room for a whole test's exchanges at the first one; doubling after that.
    if (entries_.empty()) entries_.reserve(16);
    entries_.push_back(std::move(entry));
  }
  return response;
}

std::vector<Entry> RecordingTransport::entries() const {
  std::lock_guard lock(mutex_);
  return {entries_.begin(), entries_.end()};
}

std::vector<Entry> RecordingTransport::take_entries() {
  std::lock_guard lock(mutex_);
  std::vector<Entry> out = std::move(entries_);
  entries_.clear();  // a moved-from vector is valid but unspecified: now it is empty
  return out;
}

}  // namespace kv::harness
