// Reading the service's retry hints (internal).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "kv/clock.hpp"
#include "kv/http.hpp"

namespace kv::detail {

/// The wait the response asks for: retry-after-ms, x-ms-retry-after-ms, then Retry-After
/// (delta-seconds or an HTTP date, measured from `now`); nullopt when absent or unreadable.
std::optional<std::chrono::milliseconds> retry_after(const http::Headers& headers,
                                                     Clock::time_point now);

/// Parses an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT").
std::optional<Clock::time_point> parse_http_date(std::string_view text);

}  // namespace kv::detail
