#pragma once
// Owns a POSIX file descriptor (internal to the core).

#include <unistd.h>

namespace kv::localvault::detail {

/// Closes the descriptor it holds (if any) when destroyed.
class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  /// The descriptor, -1 when none.
  int get() const { return fd_; }
  /// Closes now, so that the caller sees close errors (delayed write failures show up there).
  int close_now() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

}  // namespace kv::localvault::detail
