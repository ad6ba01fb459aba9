// Origin rewriting, challenge rewriting and form fields for the proxy.
#include "proxy_rewrite.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "kv/http.hpp"
#include "kv/url.hpp"

namespace kv::harness::detail {

namespace {

void replace_all(std::string& text, std::string_view needle, std::string_view replacement) {
  std::size_t pos = 0;
  while ((pos = text.find(needle, pos)) != std::string::npos) {
    text.replace(pos, needle.size(), replacement);
    pos += replacement.size();
  }
}

std::string json_escaped_slashes(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '/') out += '\\';
    out += c;
  }
  return out;
}

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
}

// The quoted or bare parameters of a Bearer challenge, with the text between them kept as is.
struct ChallengePart {
  std::string before;  // separators and the scheme before this parameter
  std::string key;     // empty for trailing text
  std::string value;
  bool quoted = false;
};

std::vector<ChallengePart> split_challenge(std::string_view text) {
  std::vector<ChallengePart> parts;
  ChallengePart current;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_token_char(text[i])) {
      current.before += text[i++];
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && is_token_char(text[end])) ++end;
    if (end >= text.size() || text[end] != '=') {
      // The scheme ("Bearer") or another bare word.
      current.before.append(text.substr(i, end - i));
      i = end;
      continue;
    }
    current.key = std::string(text.substr(i, end - i));
    i = end + 1;
    if (i < text.size() && text[i] == '"') {
      current.quoted = true;
      ++i;
      while (i < text.size() && text[i] != '"') {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        current.value += text[i++];
      }
      if (i < text.size()) ++i;  // the closing quote
    } else {
      while (i < text.size() && text[i] != ',' && text[i] != ' ') current.value += text[i++];
    }
    parts.push_back(std::move(current));
    current = ChallengePart{};
  }
  if (!current.before.empty()) parts.push_back(std::move(current));
  return parts;
}

std::string join_challenge(const std::vector<ChallengePart>& parts) {
  std::string out;
  for (const auto& part : parts) {
    out += part.before;
    if (part.key.empty()) continue;
    out += part.key + "=";
    if (part.quoted) {
      out += '"';
      for (char c : part.value) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      out += '"';
    } else {
      out += part.value;
    }
  }
  return out;
}

// "https://host:port/rest" -> ("https://host:port", "/rest"); false when not absolute.
bool split_origin(std::string_view url, std::string& origin, std::string& rest) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return false;
  const auto path = url.find_first_of("/?#", scheme_end + 3);
  origin = std::string(url.substr(0, path));
  rest = path == std::string_view::npos ? std::string() : std::string(url.substr(path));
  return true;
}

}  // namespace

std::string origin_of(std::string_view url) {
  const Url parsed(url);
  std::string host = parsed.host();
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string origin = parsed.scheme() + "://" + host;
  if (parsed.port() != 0) origin += ":" + std::to_string(parsed.port());
  return origin;
}

void OriginRewriter::add(std::string_view from, std::string_view to) {
  if (from.empty() || from == to) return;
  std::vector<std::string> forms = {std::string(from)};
  // An origin without a port also appears with the default port spelled out.
  const Url parsed(from);
  if (parsed.port() == 0) {
    forms.push_back(std::string(from) + ":" + std::to_string(parsed.effective_port()));
  }
  for (const auto& form : forms) {
    pairs_.emplace_back(form, std::string(to));
    pairs_.emplace_back(json_escaped_slashes(form), json_escaped_slashes(to));
    pairs_.emplace_back(url_encode(form), url_encode(to));
  }
  std::stable_sort(pairs_.begin(), pairs_.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

std::string OriginRewriter::apply(std::string text) const {
  for (const auto& [from, to] : pairs_) {
    if (text.find(from) != std::string::npos) replace_all(text, from, to);
  }
  return text;
}

bool OriginRewriter::touches(std::string_view text) const {
  return std::any_of(pairs_.begin(), pairs_.end(), [&](const auto& pair) {
    return text.find(pair.first) != std::string_view::npos;
  });
}

bool is_hop_by_hop(std::string_view name) {
  static constexpr std::string_view kNames[] = {"Connection",
                                                "Keep-Alive",
                                                "Proxy-Connection",
                                                "Proxy-Authenticate",
                                                "Proxy-Authorization",
                                                "TE",
                                                "Trailer",
                                                "Transfer-Encoding",
                                                "Upgrade",
                                                "Content-Length",
                                                "Host",
                                                "Expect"};
  return std::any_of(std::begin(kNames), std::end(kNames),
                     [&](std::string_view hop) { return http::iequals(hop, name); });
}

std::string rewrite_challenge(std::string_view challenge, std::string_view authority_origin,
                              std::string_view resource, std::string* original_resource) {
  std::vector<ChallengePart> parts = split_challenge(challenge);
  for (auto& part : parts) {
    std::string origin, rest;
    if (http::iequals(part.key, "authorization") || http::iequals(part.key, "authorization_uri")) {
      if (split_origin(part.value, origin, rest)) part.value = std::string(authority_origin) + rest;
    } else if (http::iequals(part.key, "resource")) {
      if (original_resource != nullptr) *original_resource = part.value;
      if (!resource.empty()) part.value = std::string(resource);
    } else if (http::iequals(part.key, "scope")) {
      if (split_origin(part.value, origin, rest)) {
        if (original_resource != nullptr && original_resource->empty()) *original_resource = origin;
        if (!resource.empty()) part.value = std::string(resource) + rest;
      }
    }
  }
  return join_challenge(parts);
}

std::string challenge_tenant(std::string_view challenge) {
  for (const auto& part : split_challenge(challenge)) {
    if (!http::iequals(part.key, "authorization") && !http::iequals(part.key, "authorization_uri"))
      continue;
    std::string origin, rest;
    if (!split_origin(part.value, origin, rest) || rest.size() < 2) return {};
    return rest.substr(1, rest.find_first_of("/?#", 1) - 1);
  }
  return {};
}

std::string form_field(std::string_view form, std::string_view name) {
  std::size_t start = 0;
  while (start <= form.size()) {
    const std::size_t end = std::min(form.find('&', start), form.size());
    const std::string_view field = form.substr(start, end - start);
    const std::size_t equals = field.find('=');
    if (form_decode(field.substr(0, equals)) == name) {
      return equals == std::string_view::npos ? std::string()
                                              : form_decode(field.substr(equals + 1));
    }
    start = end + 1;
  }
  return {};
}

std::string replace_form_field(std::string_view form, std::string_view name,
                               std::string_view value) {
  std::string out;
  std::size_t start = 0;
  while (start <= form.size()) {
    const std::size_t end = std::min(form.find('&', start), form.size());
    const std::string_view field = form.substr(start, end - start);
    if (!out.empty() || start > 0) out += '&';
    const std::size_t equals = field.find('=');
    if (form_decode(field.substr(0, equals)) == name) {
      out.append(field.substr(0, equals)).append("=").append(url_encode(value));
    } else {
      out.append(field);
    }
    start = end + 1;
  }
  return out;
}

}  // namespace kv::harness::detail
