// retry-after-ms, x-ms-retry-after-ms and Retry-After.
#include "retry_after.hpp"

#include <array>
#include <charconv>
#include <string>

namespace kv::detail {

namespace {

std::optional<std::int64_t> parse_count(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

std::optional<Clock::time_point> parse_http_date(std::string_view text) {
  // "Sun, 06 Nov 1994 08:49:37 GMT": fixed positions after the comma.
  auto comma = text.find(", ");
  if (comma == std::string_view::npos) return std::nullopt;
  text.remove_prefix(comma + 2);
  if (text.size() != 24 || text.substr(20) != " GMT") return std::nullopt;
  static constexpr std::array<std::string_view, 12> kMonths{
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  unsigned month = 0;
  for (unsigned i = 0; i < kMonths.size(); ++i) {
    if (text.substr(3, 3) == kMonths[i]) month = i + 1;
  }
  auto day = parse_count(text.substr(0, 2));
  auto year = parse_count(text.substr(7, 4));
  auto hour = parse_count(text.substr(12, 2));
  auto minute = parse_count(text.substr(15, 2));
  auto second = parse_count(text.substr(18, 2));
  if (month == 0 || !day || !year || !hour || !minute || !second || text[2] != ' ' ||
      text[6] != ' ' || text[11] != ' ' || text[14] != ':' || text[17] != ':' || *day < 1 ||
      *day > 31 || *hour > 23 || *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  std::int64_t seconds = days_from_civil(*year, month, static_cast<unsigned>(*day)) * 86400 +
                         *hour * 3600 + *minute * 60 + *second;
  return Clock::time_point(std::chrono::seconds(seconds));
}

std::optional<std::chrono::milliseconds> retry_after(const http::Headers& headers,
                                                     Clock::time_point now) {
  for (const char* name : {"retry-after-ms", "x-ms-retry-after-ms"}) {
    if (const std::string* value = headers.find(name)) {
      if (auto ms = parse_count(*value)) return std::chrono::milliseconds(*ms);
    }
  }
  const std::string* value = headers.find("Retry-After");
  if (value == nullptr) return std::nullopt;
  if (auto seconds = parse_count(*value)) return std::chrono::seconds(*seconds);
  if (auto date = parse_http_date(*value)) {
    if (*date <= now) return std::chrono::milliseconds(0);
    return std::chrono::ceil<std::chrono::milliseconds>(*date - now);
  }
  return std::nullopt;
}

}  // namespace kv::detail
