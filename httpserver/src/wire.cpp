#include "wire.hpp"

#include <ctime>
#include <string_view>

namespace kv::httpserver::detail {

namespace {
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

bool is_field_value(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Fields the server writes itself, whatever the handler put there.
bool is_framing_field(std::string_view name) {
  return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
         iequals(name, "Connection");
}
}  // namespace

bool serialize_response(const Response& response, const Framing& framing, std::string& out) {
  if (response.status < 200 || response.status > 599) return false;
  for (const Header& h : response.headers)
    if (!is_token(h.name) || !is_field_value(h.value)) return false;
  bool no_body = response.status == 204 || response.status == 304;
  std::size_t start = out.size();
  out.reserve(start + 256 + response.body.size());
  out += "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  const std::string_view reason = reason_phrase(response.status);
  out += reason.empty() ? std::string_view("Unknown") : reason;
  out += "\r\n";
  for (const Header& h : response.headers) {
    if (is_framing_field(h.name)) continue;
    out += h.name;
    out += ": ";
    out += h.value;
    out += "\r\n";
  }
  if (!response.headers.contains("Date")) out += "Date: " + http_date() + "\r\n";
  if (!no_body) out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  if (framing.close)
    out += "Connection: close\r\n";
  else if (framing.keep_alive_10)
    out += "Connection: keep-alive\r\n";
  out += "\r\n";
  if (!no_body && !framing.head) out += response.body;
  return true;
}

std::string http_date() {
  // One formatting per second and thread: the date changes far less often than requests come.
  thread_local std::time_t cached_at = 0;
  thread_local std::string cached;
  std::time_t now = std::time(nullptr);
  if (now != cached_at || cached.empty()) {
    std::tm parts{};
    gmtime_r(&now, &parts);
    char text[40];
    std::size_t n = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &parts);
    cached.assign(text, n);
    cached_at = now;
  }
  return cached;
}

}  // namespace kv::httpserver::detail
