// Retry with exponential back-off, jitter and the service's retry-after hints.
#include <algorithm>
#include <cmath>
#include <optional>

#include "pipeline.hpp"
#include "retry_after.hpp"

namespace kv::detail {

namespace {

class RetryStage final : public Stage {
 public:
  RetryStage(RetryOptions options, std::shared_ptr<Clock> clock, RandomSource random,
             std::unique_ptr<Stage> next)
      : options_(std::move(options)),
        clock_(std::move(clock)),
        random_(std::move(random)),
        next_(std::move(next)) {}

  http::Response send(http::Request& request) override {
    for (int attempt = 0;; ++attempt) {
      const bool last = attempt >= options_.MaxRetries;
      std::optional<http::Response> response;
      try {
        response = next_->send(request);
      } catch (const http::TransportError&) {
        if (last) throw;
        clock_->sleep_for(backoff(attempt));
        continue;
      }
      if (last || !retriable(response->status)) return std::move(*response);
      auto hinted = retry_after(response->headers, clock_->now());
      clock_->sleep_for(hinted ? *hinted : backoff(attempt));
    }
  }

 private:
  bool retriable(int status) const {
    return std::find(options_.StatusCodes.begin(), options_.StatusCodes.end(), status) !=
           options_.StatusCodes.end();
  }

  // RetryDelay * 2^attempt, scaled by a jitter factor in [0.8, 1.3), never above MaxRetryDelay.
  std::chrono::milliseconds backoff(int attempt) const {
    const double jitter = 0.8 + 0.5 * random_();
    const double base =
        static_cast<double>(options_.RetryDelay.count()) * std::ldexp(1.0, std::min(attempt, 30));
    const double capped =
        std::min(base * jitter, static_cast<double>(options_.MaxRetryDelay.count()));
    return std::chrono::milliseconds(static_cast<std::int64_t>(capped));
  }

  RetryOptions options_;
  std::shared_ptr<Clock> clock_;
  RandomSource random_;
  std::unique_ptr<Stage> next_;
};

}  // namespace

std::unique_ptr<Stage> make_retry_stage(RetryOptions options, std::shared_ptr<Clock> clock,
                                        RandomSource random, std::unique_ptr<Stage> next) {
  return std::make_unique<RetryStage>(std::move(options), std::move(clock), std::move(random),
                                      std::move(next));
}

}  // namespace kv::detail
