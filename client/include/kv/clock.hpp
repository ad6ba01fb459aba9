// Injected time: every wait of the client (retry back-off, poll interval) goes through a Clock.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>

namespace kv {

/// Wall-clock time and sleeping, injectable so that tests and playback never wait.
class Clock {
 public:
  using time_point = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  /// The current time.
  virtual time_point now() const = 0;
  /// Waits for `duration` (or pretends to).
  virtual void sleep_for(std::chrono::milliseconds duration) = 0;
};

/// The real clock: system_clock and std::this_thread::sleep_for.
class SystemClock final : public Clock {
 public:
  time_point now() const override;
  void sleep_for(std::chrono::milliseconds duration) override;
  /// A process-wide shared instance.
  static std::shared_ptr<Clock> instance();
};

/// Virtual time: sleep_for advances now() instantly. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(time_point start = std::chrono::system_clock::from_time_t(1'700'000'000));
  time_point now() const override;
  void sleep_for(std::chrono::milliseconds duration) override;
  /// Moves time forward without sleeping.
  void advance(std::chrono::milliseconds duration) { sleep_for(duration); }
  /// Total time "slept" so far.
  std::chrono::milliseconds slept() const;

 private:
  mutable std::mutex mutex_;
  time_point now_;
  std::chrono::milliseconds slept_{0};
};

/// A source of uniform random numbers in [0, 1), used for jitter and request ids.
using RandomSource = std::function<double()>;

/// A thread-safe RandomSource: a per-thread engine seeded from std::random_device.
RandomSource default_random();

}  // namespace kv
