// OnceSlots (internal): n values, each made by the first caller that asks for it and kept; safe
// from any number of threads without a lock (a thread that loses the race drops its copy).
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <utility>

namespace kv::harness::detail {

template <class T>
class OnceSlots {
 public:
  OnceSlots() = default;
  explicit OnceSlots(std::size_t n) : size_(n), slots_(std::make_unique<std::atomic<T*>[]>(n)) {}
  OnceSlots(OnceSlots&& other) noexcept
      : size_(std::exchange(other.size_, 0)), slots_(std::move(other.slots_)) {}
  OnceSlots& operator=(OnceSlots&& other) noexcept {
    std::swap(size_, other.size_);
    std::swap(slots_, other.slots_);
    return *this;
  }
  OnceSlots(const OnceSlots&) = delete;
  OnceSlots& operator=(const OnceSlots&) = delete;
  ~OnceSlots() {
    for (std::size_t i = 0; i < size_; ++i) delete slots_[i].load(std::memory_order_relaxed);
  }

  /// Value `i` (< n), made by `make()` (returning a T) on the first call.
  template <class Make>
  const T& get(std::size_t i, Make make) const {
    std::atomic<T*>& slot = slots_[i];
    if (T* done = slot.load(std::memory_order_acquire)) return *done;
    auto made = std::make_unique<T>(make());
    T* expected = nullptr;
    if (slot.compare_exchange_strong(expected, made.get(), std::memory_order_acq_rel)) {
      return *made.release();
    }
    return *expected;  // another thread made it first
  }

 private:
  std::size_t size_ = 0;
  std::unique_ptr<std::atomic<T*>[]> slots_;
};

}  // namespace kv::harness::detail
