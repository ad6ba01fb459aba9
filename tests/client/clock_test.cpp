// Injected time and randomness.
#include <catch2/catch.hpp>

#include "kv/clock.hpp"

using namespace std::chrono_literals;

TEST_CASE("ManualClock advances instantly and counts what was slept") {
  kv::ManualClock clock;
  const auto start = clock.now();
  CHECK(start == std::chrono::system_clock::from_time_t(1'700'000'000));
  clock.sleep_for(1500ms);
  clock.advance(500ms);
  clock.sleep_for(-5ms);  // a negative wait is no wait
  CHECK(clock.now() - start == 2s);
  CHECK(clock.slept() == 2s);
}

TEST_CASE("SystemClock is shared and reads the system time") {
  auto clock = kv::SystemClock::instance();
  CHECK(clock == kv::SystemClock::instance());
  auto before = std::chrono::system_clock::now();
  auto now = clock->now();
  CHECK(now >= before);
  clock->sleep_for(0ms);
}

TEST_CASE("default_random yields values from 0 up to but excluding 1 that vary") {
  auto random = kv::default_random();
  double low = 1.0;
  double high = 0.0;
  for (int i = 0; i < 1000; ++i) {
    double value = random();
    REQUIRE(value >= 0.0);
    REQUIRE(value < 1.0);
    low = std::min(low, value);
    high = std::max(high, value);
  }
  CHECK(high - low > 0.5);
}
