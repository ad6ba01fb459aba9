// URL parsing and query manipulation.
#include "kv/url.hpp"

#include <algorithm>
#include <stdexcept>

#include "kv/http.hpp"

namespace kv {

namespace {

[[noreturn]] void malformed(std::string_view text, const std::string& why) {
  throw std::invalid_argument("malformed URL '" + std::string(text) + "': " + why);
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

Url::Url(std::string_view text) {
  auto sep = text.find("://");
  if (sep == std::string_view::npos) malformed(text, "expected scheme://host");
  scheme_ = lowercase(text.substr(0, sep));
  if (scheme_ != "http" && scheme_ != "https") malformed(text, "scheme must be http or https");
  std::string_view rest = text.substr(sep + 3);
  auto fragment = rest.find('#');
  if (fragment != std::string_view::npos) rest = rest.substr(0, fragment);

  auto authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) malformed(text, "user info is not supported");

  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) malformed(text, "unterminated IPv6 address");
    host_ = std::string(authority.substr(1, close - 1));
    // str() brackets a host exactly when it holds a ':'.
    if (host_.find(':') == std::string::npos || host_.find('[') != std::string::npos) {
      malformed(text, "an address in brackets must be an IPv6 address");
    }
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') malformed(text, "unexpected text after the IPv6 address");
      port_text = after.substr(1);
      if (port_text.empty()) malformed(text, "empty port");
    }
  } else {
    auto colon = authority.rfind(':');
    host_ = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) malformed(text, "empty port");
    }
  }
  if (host_.empty()) malformed(text, "empty host");
  // Outside brackets a host has no ':', '[' or ']': str() would bracket it into another URL.
  if (text[sep + 3] != '[' && host_.find_first_of(":[]") != std::string::npos) {
    malformed(text, "a host with ':', '[' or ']' must be an IPv6 address in brackets");
  }
  if (!port_text.empty()) {
    if (port_text.size() > 5 || !std::all_of(port_text.begin(), port_text.end(),
                                             [](char c) { return c >= '0' && c <= '9'; })) {
      malformed(text, "port must be a number");
    }
    port_ = std::stoi(std::string(port_text));
    if (port_ < 1 || port_ > 65535) malformed(text, "port must be 1-65535");
  }

  auto question = rest.find('?');
  std::string_view path = rest.substr(0, question);
  path_ = path.empty() ? "/" : std::string(path);
  if (question == std::string_view::npos) return;
  std::string_view query = rest.substr(question + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    // '+' stays '+': opaque tokens such as $skiptoken are base64 and must survive unchanged.
    std::string name = url_decode(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1));
    query_.emplace_back(std::move(name), std::move(value));
  }
}

std::vector<std::string> Url::path_segments() const {
  std::vector<std::string> segments;
  std::size_t start = 1;
  while (start <= path_.size()) {
    std::size_t slash = path_.find('/', start);
    if (slash == std::string::npos) slash = path_.size();
    if (slash > start) segments.push_back(url_decode(path_.substr(start, slash - start)));
    start = slash + 1;
  }
  return segments;
}

int Url::effective_port() const {
  if (port_ != 0) return port_;
  return scheme_ == "https" ? 443 : 80;
}

const std::string* Url::query_value(std::string_view name) const {
  for (const auto& [key, value] : query_) {
    if (key == name) return &value;
  }
  return nullptr;
}

void Url::set_query(std::string name, std::string value) {
  auto first = std::find_if(query_.begin(), query_.end(),
                            [&](const QueryParam& p) { return p.first == name; });
  if (first == query_.end()) {
    query_.emplace_back(std::move(name), std::move(value));
    return;
  }
  first->second = std::move(value);
  // A later duplicate would contradict the value just set.
  query_.erase(
      std::remove_if(first + 1, query_.end(), [&](const QueryParam& p) { return p.first == name; }),
      query_.end());
}

void Url::remove_query(std::string_view name) {
  query_.erase(std::remove_if(query_.begin(), query_.end(),
                              [&](const QueryParam& p) { return p.first == name; }),
               query_.end());
}

std::string Url::authority_url() const {
  std::string out = scheme_ + "://";
  if (host_.find(':') != std::string::npos) {
    out += "[" + host_ + "]";
  } else {
    out += host_;
  }
  if (port_ != 0) out += ":" + std::to_string(port_);
  return out;
}

std::string Url::str() const {
  std::string out = authority_url() + path_;
  char sep = '?';
  for (const auto& [key, value] : query_) {
    out += sep;
    out += url_encode(key);
    out += '=';
    out += url_encode(value);
    sep = '&';
  }
  return out;
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

namespace {

enum class Plus { Literal, Space };

std::string percent_decode(std::string_view text, Plus plus) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus == Plus::Space && c == '+') ? ' ' : c;
  }
  return out;
}

}  // namespace

std::string url_decode(std::string_view text) {
  return percent_decode(text, Plus::Literal);
}

std::string form_decode(std::string_view text) {
  return percent_decode(text, Plus::Space);
}

std::string_view url_target(std::string_view url) {
  std::size_t start = 0;
  if (const auto scheme = url.find("://"); scheme != std::string_view::npos) {
    start = url.find('/', scheme + 3);
    if (start == std::string_view::npos) {
      // "https://host?query" has an empty path: the target is the query alone.
      start = url.find('?', scheme + 3);
      if (start == std::string_view::npos) return "/";
    }
  }
  std::string_view target = url.substr(start);
  target = target.substr(0, target.find('#'));
  return target.empty() ? std::string_view("/") : target;
}

}  // namespace kv
