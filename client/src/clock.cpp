// The real clock, the virtual clock and the default random source.
#include "kv/clock.hpp"

#include <random>
#include <thread>

namespace kv {

Clock::time_point SystemClock::now() const {
  return std::chrono::system_clock::now();
}

void SystemClock::sleep_for(std::chrono::milliseconds duration) {
  if (duration.count() > 0) std::this_thread::sleep_for(duration);
}

std::shared_ptr<Clock> SystemClock::instance() {
  static const std::shared_ptr<Clock> clock = std::make_shared<SystemClock>();
  return clock;
}

ManualClock::ManualClock(time_point start) : now_(start) {}

Clock::time_point ManualClock::now() const {
  std::lock_guard lock(mutex_);
  return now_;
}

void ManualClock::sleep_for(std::chrono::milliseconds duration) {
  if (duration.count() < 0) return;
  std::lock_guard lock(mutex_);
  now_ += duration;
  slept_ += duration;
}

std::chrono::milliseconds ManualClock::slept() const {
  std::lock_guard lock(mutex_);
  return slept_;
}

RandomSource default_random() {
  // One engine per thread, seeded once: no lock on the path of every request id.
  return [] {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
  };
}

}  // namespace kv
