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
  std::vector<Entry> out(std::make_move_iterator(entries_.begin()),
                         std::make_move_iterator(entries_.end()));
  entries_.clear();
  return out;
}

}  // namespace kv::harness
