// Key Vault secrets operation names from method and route, for diagnostics.
#include "kv/harness/operation.hpp"

#include <array>

#include "kv/http.hpp"
#include "kv/url.hpp"

namespace kv::harness {

std::string_view classify_operation(std::string_view method, std::string_view url) {
  std::string_view path = url_target(url);
  path = path.substr(0, path.find('?'));
  auto ends_with = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
  };
  if (ends_with("/oauth2/v2.0/token") || ends_with("/oauth2/token")) return "GetToken";
  // "/secrets/{name}/%2F" and "/secrets/{name}/" both mean the latest version.
  if (ends_with("/%2F") || ends_with("/%2f")) path.remove_suffix(3);
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);

  std::array<std::string_view, 4> segments{};
  std::size_t count = 0;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const std::size_t slash = path.find('/');
    if (count == segments.size()) return "Unknown";
    segments[count++] = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
  }
  auto is = [&](std::string_view m) { return http::iequals(method, m); };
  if (count == 0) return "Unknown";
  if (segments[0] == "secrets") {
    if (count == 1) return is("GET") ? "GetPropertiesOfSecrets" : "Unknown";
    if (count == 2) {
      if (segments[1] == "restore" && is("POST")) return "RestoreSecret";
      if (is("PUT")) return "SetSecret";
      if (is("GET")) return "GetSecret";
      if (is("DELETE")) return "DeleteSecret";
      if (is("PATCH")) return "UpdateSecretProperties";
      return "Unknown";
    }
    if (count == 3) {
      if (segments[2] == "backup" && is("POST")) return "BackupSecret";
      if (segments[2] == "versions" && is("GET")) return "GetPropertiesOfSecretVersions";
      if (is("GET")) return "GetSecret";
      if (is("PATCH")) return "UpdateSecretProperties";
    }
    return "Unknown";
  }
  if (segments[0] == "deletedsecrets") {
    if (count == 1) return is("GET") ? "GetDeletedSecrets" : "Unknown";
    if (count == 2) {
      if (is("GET")) return "GetDeletedSecret";
      if (is("DELETE")) return "PurgeDeletedSecret";
      return "Unknown";
    }
    if (count == 3 && segments[2] == "recover" && is("POST")) return "RecoverDeletedSecret";
  }
  return "Unknown";
}

}  // namespace kv::harness
