// Parsing the WWW-Authenticate Bearer challenge of Key Vault.
#include "challenge.hpp"

#include <map>

#include "kv/errors.hpp"
#include "kv/http.hpp"
#include "kv/url.hpp"

namespace kv::detail {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void skip_spaces(std::string_view& text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
}

[[noreturn]] void refuse(std::string_view header, const std::string& why) {
  throw AuthenticationException("cannot use the WWW-Authenticate challenge '" +
                                std::string(header) + "': " + why);
}

// Parameters of the challenge: name (lowercased) -> value, quotes removed.
std::map<std::string, std::string> parameters(std::string_view header, std::string_view text) {
  std::map<std::string, std::string> params;
  while (true) {
    skip_spaces(text);
    while (!text.empty() && text.front() == ',') {
      text.remove_prefix(1);
      skip_spaces(text);
    }
    if (text.empty()) return params;
    auto eq = text.find('=');
    if (eq == std::string_view::npos) refuse(header, "expected name=value");
    std::string name = lower(text.substr(0, eq));
    while (!name.empty() && name.back() == ' ') name.pop_back();
    text.remove_prefix(eq + 1);
    skip_spaces(text);
    std::string value;
    if (!text.empty() && text.front() == '"') {
      auto close = text.find('"', 1);
      if (close == std::string_view::npos) refuse(header, "unterminated quoted value");
      value = std::string(text.substr(1, close - 1));
      text.remove_prefix(close + 1);
    } else {
      auto comma = text.find(',');
      value = std::string(text.substr(0, comma));
      while (!value.empty() && value.back() == ' ') value.pop_back();
      text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma);
    }
    params.emplace(std::move(name), std::move(value));
  }
}

}  // namespace

Challenge parse_challenge(std::string_view header) {
  std::string_view text = header;
  skip_spaces(text);
  if (text.size() < 6 || !http::iequals(text.substr(0, 6), "Bearer") ||
      (text.size() > 6 && text[6] != ' ')) {
    refuse(header, "not a Bearer challenge");
  }
  auto params = parameters(header, text.substr(6));

  std::string authorization;
  for (const char* name : {"authorization", "authorization_uri"}) {
    auto it = params.find(name);
    if (it != params.end() && !it->second.empty()) {
      authorization = it->second;
      break;
    }
  }
  if (authorization.empty()) refuse(header, "no authorization parameter");
  Challenge challenge;
  try {
    const std::string path = Url(authorization).path();
    auto end = path.find('/', 1);
    challenge.tenant_id = path.substr(1, end == std::string::npos ? std::string::npos : end - 1);
  } catch (const std::invalid_argument&) {
    refuse(header, "authorization is not a URL");
  }
  if (challenge.tenant_id.empty()) refuse(header, "authorization has no tenant path segment");

  auto resource = params.find("resource");
  auto scope = params.find("scope");
  if (resource != params.end() && !resource->second.empty()) {
    std::string base = resource->second;
    if (!base.empty() && base.back() == '/') base.pop_back();
    challenge.resource = resource->second;
    challenge.scope = base + "/.default";
  } else if (scope != params.end() && !scope->second.empty()) {
    challenge.resource = scope->second;
    challenge.scope = scope->second;
  } else {
    refuse(header, "neither resource nor scope is given");
  }
  return challenge;
}

bool host_matches(std::string_view vault_host, std::string_view resource_host) {
  if (resource_host.empty() || resource_host.size() > vault_host.size()) return false;
  return http::iequals(vault_host.substr(vault_host.size() - resource_host.size()), resource_host);
}

}  // namespace kv::detail
