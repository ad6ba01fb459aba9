// The leak audit behind `kvharness check`: looks for what the sanitizer should have removed.
#include "kv/harness/audit.hpp"
#include "kv/harness/json_pointer.hpp"
#include "kv/harness/sanitizer.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <regex>

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
std::optional<std::string> real_vault_host(const std::string& value) {
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
    const std::string rest = value.substr(pos + 7);
    for (const char* suffix : kSuffixes) {
      if (rest.rfind(suffix, 0) != 0) continue;
      const std::string label = value.substr(begin, pos - begin);
      if (!is_placeholder_vault(label)) return label + ".vault." + suffix;
    }
  }
  return std::nullopt;
}

class Auditor {
 public:
  std::vector<Finding> findings;

  void text(const std::string& value, const std::string& pointer) {
    // Cheap substring checks first: these strings include multi-kilobyte backup blobs, and a
    // regex tried at every position of one costs seconds.
    static const std::regex jwt("eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*");
    static const std::regex local_vault("https?://(127\\.0\\.0\\.1|localhost|\\[::1\\]):[0-9]+");
    static const std::regex client_secret("client_secret=(?!Sanitized)[^&\\s\"]+");
    if (value.find("eyJ") != std::string::npos && std::regex_search(value, jwt)) {
      add(pointer, "jwt",
          "a bearer-token-like JWT appears here; sanitize it (Authorization, token "
          "bodies) and re-record");
    }
    if (value.find("client_secret=") != std::string::npos &&
        std::regex_search(value, client_secret)) {
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
    if (value.find("://") != std::string::npos && std::regex_search(value, local_vault)) {
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

  void headers(const http::Headers& headers, const std::string& pointer) {
    for (const auto& [name, value] : headers) {
      const std::string here = pointer + "/" + escape_pointer_token(name);
      const bool credential_header =
          http::iequals(name, "Authorization") || http::iequals(name, "Proxy-Authorization");
      const bool cookie = http::iequals(name, "Cookie") || http::iequals(name, "Set-Cookie");
      if ((credential_header || cookie) && value != "Sanitized") {
        add(here, credential_header ? "authorization" : "cookie",
            name + " is not \"Sanitized\"; the default sanitizer rules replace it");
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
