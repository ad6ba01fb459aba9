// The leak audit behind `kvharness check`: looks for what the sanitizer should have removed.
#include "kv/harness/internal/audit.hpp"
#include "kv/harness/internal/json_pointer.hpp"
#include "kv/harness/sanitizer.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>

namespace kv::harness {

namespace {

// Placeholder vault names seen in the Azure SDK recordings, plus ours.
bool is_placeholder_vault(const std::string& label) {
  static const char* kKnown[] = {"fakevault", "REDACTED",  "REDACTED1", "vaultname", "fakekvurl",
                                 "Sanitized", "sanitized", "myvault",   "my-vault",  "localvault"};
  return std::any_of(std::begin(kKnown), std::end(kKnown),
                     [&](const char* k) { return label == k; });
}

// The first "<label>.vault.<cloud suffix>" in `value` whose label is not a placeholder.
std::optional<std::string> real_vault_host(std::string_view value) {
  static const char* kSuffixes[] = {"azure.net", "azure.cn", "usgovcloudapi.net",
                                    "microsoftazure.de"};
  auto label_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-';
  };
  for (std::size_t pos = value.find(".vault."); pos != std::string::npos;
       pos = value.find(".vault.", pos + 1)) {
    std::size_t begin = pos;
    while (begin > 0 && label_char(value[begin - 1])) --begin;
    if (begin == pos) continue;
    const std::string_view rest = value.substr(pos + 7);
    for (const char* suffix : kSuffixes) {
      if (rest.rfind(suffix, 0) != 0) continue;
      const std::string label(value.substr(begin, pos - begin));
      if (!is_placeholder_vault(label)) return label + ".vault." + suffix;
    }
  }
  return std::nullopt;
}

// The characters of a JWT segment (base64url).
bool is_base64url(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
}

// The end of the run of base64url characters starting at `from`.
std::size_t base64url_run_end(std::string_view value, std::size_t from) {
  while (from < value.size() && is_base64url(value[from])) ++from;
  return from;
}

// True when `value` holds "eyJ<8+ base64url>.eyJ<8+ base64url>." (the header and payload of a
// JWT). A scan, not a regex: these strings include backup blobs of hundreds of kilobytes, and
// std::regex recurses once per character and overflows the stack on them.
bool contains_jwt(std::string_view value) {
  std::size_t pos = value.find("eyJ");
  while (pos != std::string_view::npos) {
    const std::size_t header_end = base64url_run_end(value, pos + 3);
    if (header_end - pos >= 11 && header_end < value.size() && value[header_end] == '.' &&
        value.compare(header_end + 1, 3, "eyJ") == 0) {
      const std::size_t payload_end = base64url_run_end(value, header_end + 4);
      if (payload_end - (header_end + 4) >= 8 && payload_end < value.size() &&
          value[payload_end] == '.') {
        return true;
      }
    }
    // Every later "eyJ" inside this run ends at the same character, with a shorter header.
    pos = value.find("eyJ", header_end);
  }
  return false;
}

// True when `value` holds "client_secret=" followed by a value other than "Sanitized...".
bool contains_client_secret(std::string_view value) {
  static constexpr std::string_view kKey = "client_secret=";
  for (std::size_t pos = value.find(kKey); pos != std::string_view::npos;
       pos = value.find(kKey, pos + 1)) {
    const std::string_view rest = value.substr(pos + kKey.size());
    if (rest.empty() || rest.rfind("Sanitized", 0) == 0) continue;
    const char c = rest.front();
    if (c != '&' && c != '"' && std::isspace(static_cast<unsigned char>(c)) == 0) return true;
  }
  return false;
}

// True when `value` holds "http(s)://" and a loopback host with a port.
bool contains_local_vault(std::string_view value) {
  static constexpr std::string_view kHosts[] = {"127.0.0.1:", "localhost:", "[::1]:"};
  for (std::size_t pos = value.find("://"); pos != std::string_view::npos;
       pos = value.find("://", pos + 1)) {
    const bool http = (pos >= 4 && value.compare(pos - 4, 4, "http") == 0) ||
                      (pos >= 5 && value.compare(pos - 5, 5, "https") == 0);
    if (!http) continue;
    const std::string_view rest = value.substr(pos + 3);
    for (std::string_view host : kHosts) {
      if (rest.size() > host.size() && rest.compare(0, host.size(), host) == 0 &&
          std::isdigit(static_cast<unsigned char>(rest[host.size()])) != 0) {
        return true;
      }
    }
  }
  return false;
}

class Auditor {
 public:
  std::vector<Finding> findings;

  void text(std::string_view value, const std::string& pointer) {
    if (contains_jwt(value)) {
      add(pointer, "jwt",
          "a bearer-token-like JWT appears here; sanitize it (Authorization, token "
          "bodies) and re-record");
    }
    if (contains_client_secret(value)) {
      add(pointer, "client-secret",
          "a client_secret= parameter with a value appears here; token "
          "requests must never be recorded in clear text");
    }
    if (auto host = real_vault_host(value)) {
      add(pointer, "vault-host",
          "a real-looking vault host (\"" + *host +
              "\") appears here; "
              "record with the vault URL configured so it is replaced by " +
              std::string(kFakeVaultHost));
    }
    if (contains_local_vault(value)) {
      add(pointer, "vault-host",
          "a local vault address with a port appears here; it changes "
          "every run and should be replaced by " +
              std::string(kFakeVaultHost));
    }
  }

  void json(const Json& value, const std::string& pointer) {
    if (value.is_string()) {
      text(value.get<std::string>(), pointer);
    } else if (value.is_object()) {
      for (const auto& [key, child] : value.items()) {
        const std::string here = pointer + "/" + escape_pointer_token(key);
        const bool token_key = key == "access_token" || key == "refresh_token" ||
                               key == "id_token" || key == "client_secret";
        if (token_key && child.is_string() && child.get<std::string>() != "Sanitized") {
          add(here, "token", "\"" + key + "\" holds a value; token responses must be redacted");
          continue;
        }
        json(child, here);
      }
    } else if (value.is_array()) {
      for (std::size_t i = 0; i < value.size(); ++i)
        json(value[i], pointer + "/" + std::to_string(i));
    }
  }

  void headers(const HeaderList& headers, const std::string& pointer) {
    for (const auto& [name, value] : headers) {
      const std::string here = pointer + "/" + escape_pointer_token(name);
      const bool credential_header =
          http::iequals(name, "Authorization") || http::iequals(name, "Proxy-Authorization");
      const bool cookie = http::iequals(name, "Cookie") || http::iequals(name, "Set-Cookie");
      if ((credential_header || cookie) && value != "Sanitized") {
        add(here, credential_header ? "authorization" : "cookie",
            std::string(name) + " is not \"Sanitized\"; the default sanitizer rules replace it");
        continue;
      }
      text(value, here);
    }
  }

  void body(const Body& body, const std::string& pointer) {
    if (body.kind == Body::Kind::Json) {
      json(body.json(), pointer);
    } else if (body.kind == Body::Kind::Text) {
      text(std::string(http::as_text(body.bytes)), pointer);
    }
  }

 private:
  void add(const std::string& pointer, const char* kind, std::string message) {
    findings.push_back({pointer, kind, std::move(message)});
  }
};

}  // namespace

std::vector<Finding> find_unsanitized(const Fixture& fixture) {
  Auditor auditor;
  for (std::size_t i = 0; i < fixture.entries.size(); ++i) {
    const Entry& e = fixture.entries[i];
    const std::string base = "/Entries/" + std::to_string(i);
    auditor.text(e.request_uri, base + "/RequestUri");
    auditor.headers(e.request_headers, base + "/RequestHeaders");
    auditor.body(e.request_body, base + "/RequestBody");
    auditor.headers(e.response_headers, base + "/ResponseHeaders");
    auditor.body(e.response_body, base + "/ResponseBody");
  }
  for (const auto& [name, value] : fixture.variables) {
    auditor.text(value, "/Variables/" + escape_pointer_token(name));
  }
  return auditor.findings;
}

}  // namespace kv::harness
