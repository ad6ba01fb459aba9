// Request routing, api-version and auth checks, and the headers every response carries.
#include "kv/localvault/vault_service.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <vector>

#include "kv/localvault/api_version.hpp"
#include "kv/localvault/encoding.hpp"
#include "kv/localvault/errors.hpp"
#include "kv/localvault/identity_platform.hpp"
#include "vault_call.hpp"

namespace kv::localvault {

namespace {
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  if (path.empty() || path.front() != '/') return parts;
  path.remove_prefix(1);
  while (true) {
    std::size_t slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

bool valid_host(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  for (char c : host)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
          c == '[' || c == ']'))
      return false;
  return true;
}

// Echoes only what can safely go back in a header.
bool printable_header_value(std::string_view v) {
  if (v.size() > 256) return false;
  for (char c : v)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

std::optional<std::string> decode_skiptoken(std::string_view token) {
  std::optional<std::string> raw = base64url_decode(token);
  if (!raw) return std::nullopt;
  nlohmann::json json = nlohmann::json::parse(*raw, nullptr, false);
  if (!json.is_object() || !json.contains("NextMarker") || !json["NextMarker"].is_string())
    return std::nullopt;
  return json["NextMarker"].get<std::string>();
}
}  // namespace

VaultService::VaultService(VaultOptions options, TokenService tokens, BackupCodec backups,
                           RandomSource random, VaultState initial,
                           std::shared_ptr<StateStore> store)
    : options_(std::move(options)),
      tokens_(std::move(tokens)),
      backups_(std::move(backups)),
      random_(std::move(random)),
      state_(std::move(initial)),
      store_(std::move(store)) {}

void VaultService::remember(Call& call, const std::string& key) {
  for (const Call::Saved& saved : call.saved)
    if (saved.key == key) return;
  Call::Saved saved{key, std::nullopt, std::nullopt};
  if (auto it = state_.secrets.find(key); it != state_.secrets.end()) saved.record = it->second;
  if (auto it = state_.purged_at_ms.find(key); it != state_.purged_at_ms.end())
    saved.purged_at_ms = it->second;
  call.saved.push_back(std::move(saved));
}

void VaultService::roll_back(Call& call) {
  for (auto it = call.saved.rbegin(); it != call.saved.rend(); ++it) {
    if (it->record)
      state_.secrets[it->key] = std::move(*it->record);
    else
      state_.secrets.erase(it->key);
    if (it->purged_at_ms)
      state_.purged_at_ms[it->key] = *it->purged_at_ms;
    else
      state_.purged_at_ms.erase(it->key);
  }
  call.saved.clear();
}

Phase VaultService::phase_of(std::string_view name, std::int64_t now_ms) const {
  std::string key = name_key(name);
  if (auto it = state_.secrets.find(key); it != state_.secrets.end()) {
    const SecretRecord& r = it->second;
    if (r.deleted)
      return now_ms < r.deleted_at_ms + options_.delete_delay_ms ? Phase::Deleting : Phase::Deleted;
    if (r.recovered_at_ms && now_ms < *r.recovered_at_ms + options_.recover_delay_ms)
      return Phase::Recovering;
    return Phase::Active;
  }
  if (auto it = state_.purged_at_ms.find(key);
      it != state_.purged_at_ms.end() && now_ms < it->second + options_.purge_delay_ms)
    return Phase::Purging;
  return Phase::Absent;
}

CoreResponse VaultService::handle(const CoreRequest& request, std::int64_t now_ms) {
  Call call;
  call.now_ms = now_ms;
  call.now_s = now_ms / 1000;
  auto host = request.headers.find("Host");
  if (host != request.headers.end() && valid_host(host->second)) {
    call.host = host->second;
    call.base_url = "https://" + call.host;
  } else {
    call.base_url = options_.default_base_url;
    call.host = call.base_url.substr(call.base_url.find("//") + 2);
  }
  CoreResponse response;
  try {
    response = request.body.size() > options_.max_body_bytes
                   ? errors::body_too_large(options_.max_body_bytes)
                   : dispatch(request, call);
  } catch (...) {
    // Memory must never hold what the store does not: an operation that fails half-way is undone.
    roll_back(call);
    throw;
  }
  if (response.state_changed && store_) {
    try {
      store_->persist(state_);
    } catch (const std::exception& e) {
      roll_back(call);
      response = errors::not_saved(e);
    }
  }
  // The headers the service puts on every response, errors included.
  response.headers["x-ms-request-id"] = random_guid(random_);
  if (auto id = request.headers.find("x-ms-client-request-id");
      id != request.headers.end() && printable_header_value(id->second))
    response.headers["x-ms-client-request-id"] = id->second;
  response.headers["x-ms-keyvault-service-version"] = options_.service_version;
  response.headers["x-ms-keyvault-region"] = "local";
  response.headers["Cache-Control"] = "no-cache";
  response.headers["Pragma"] = "no-cache";
  response.headers["Expires"] = "-1";
  response.headers["Strict-Transport-Security"] = "max-age=31536000;includeSubDomains";
  response.headers["X-Content-Type-Options"] = "nosniff";
  return response;
}

CoreResponse VaultService::dispatch(const CoreRequest& request, Call& call) {
  std::vector<std::string_view> parts = split_path(request.path);
  if (auto identity = route_identity(request, parts, call)) return std::move(*identity);
  if (parts.empty() || (parts[0] != "secrets" && parts[0] != "deletedsecrets"))
    return errors::unknown_path();

  // Auth comes before any body validation: SDK probes arrive without a token and without a body.
  if (tokens_.options().enabled) {
    auto auth = request.headers.find("Authorization");
    std::optional<std::string> refusal = auth == request.headers.end()
                                             ? std::optional<std::string>(errors::kMissingToken)
                                             : tokens_.verify(auth->second, call.host, call.now_s);
    if (refusal) {
      CoreResponse response = errors::unauthorized(*refusal);
      std::string host_only = call.host.substr(
          0, call.host.rfind(':') == std::string::npos ? call.host.size() : call.host.rfind(':'));
      if (!call.host.empty() && call.host.front() == '[')
        host_only = call.host.substr(0, call.host.find(']') + 1);
      response.headers["WWW-Authenticate"] = "Bearer authorization=\"" + call.base_url + "/" +
                                             tokens_.options().tenant + "\", resource=\"https://" +
                                             host_only + "\"";
      return response;
    }
  }

  auto version = request.query.find("api-version");
  if (version == request.query.end() || !is_supported_api_version(version->second))
    return errors::bad_parameter(
        "The specified version (" +
        errors::shortened(version == request.query.end() ? "" : version->second) +
        ") is not recognized. Consider using the latest supported version (" +
        std::string(kLatestApiVersion) + ").");
  call.api_version = version->second;
  call.render.base_url = call.base_url;
  call.render.recovery_level = options_.recovery_level;
  call.render.recoverable_days = options_.recoverable_days;
  call.render.with_recoverable_days = call.api_version != "7.0";
  return route_vault(request, call);
}

std::optional<CoreResponse> VaultService::route_identity(const CoreRequest& request,
                                                         const std::vector<std::string_view>& parts,
                                                         Call& call) {
  // The identity endpoints live on the same server, under /{tenant}/...; vault paths come first.
  if (parts.size() < 3 || parts.size() > 4 || parts[0] == "secrets" || parts[0] == "deletedsecrets")
    return std::nullopt;
  auto is = [&](std::initializer_list<std::string_view> tail) {
    return parts.size() == tail.size() + 1 &&
           std::equal(tail.begin(), tail.end(), parts.begin() + 1);
  };
  enum class Kind { TokenV1, TokenV2, DocumentV1, DocumentV2, Instance, Keys };
  Kind kind;
  if (is({"oauth2", "v2.0", "token"}))
    kind = Kind::TokenV2;
  else if (is({"oauth2", "token"}))
    kind = Kind::TokenV1;
  else if (is({"v2.0", ".well-known", "openid-configuration"}))
    kind = Kind::DocumentV2;
  else if (is({".well-known", "openid-configuration"}))
    kind = Kind::DocumentV1;
  else if (is({"discovery", "instance"}))
    kind = Kind::Instance;
  else if (is({"discovery", "v2.0", "keys"}) || is({"discovery", "keys"}))
    kind = Kind::Keys;
  else
    return std::nullopt;
  const bool token = kind == Kind::TokenV1 || kind == Kind::TokenV2;
  if (request.method != (token ? "POST" : "GET")) return errors::method_not_allowed(request.method);
  std::string tenant = percent_decode(parts[0], false);
  if (token)
    return tokens_.issue(request, tenant, call.now_s, random_,
                         kind == Kind::TokenV1 ? IdentityVersion::V1 : IdentityVersion::V2);
  // Instance discovery does not depend on the tenant (MSAL asks /common/...).
  if (kind == Kind::Instance)
    return instance_discovery(request, call.base_url, call.host, call.now_s, random_);
  const std::string& configured = tokens_.options().tenant;
  if (!iequals(tenant, configured))
    return unknown_tenant_document(call.base_url, tenant, call.now_s, random_);
  if (kind == Kind::Keys)
    // Tokens are signed with a secret HMAC key: there is no public key to publish.
    return identity_answer(200, nlohmann::ordered_json{{"keys", nlohmann::ordered_json::array()}});
  return identity_answer(200, openid_configuration(call.base_url, configured,
                                                   kind == Kind::DocumentV1 ? IdentityVersion::V1
                                                                            : IdentityVersion::V2));
}

CoreResponse VaultService::route_vault(const CoreRequest& request, Call& call) {
  std::vector<std::string_view> parts = split_path(request.path);
  const std::string& method = request.method;
  const bool deleted = parts[0] == "deletedsecrets";
  // Drop one trailing empty segment: "/secrets/" is "/secrets", "/secrets/x/" is latest of x.
  bool trailing_slash = parts.size() > 1 && parts.back().empty();
  if (trailing_slash) parts.pop_back();

  auto prepare_list = [&](std::string path) -> std::optional<CoreResponse> {
    call.list_path = std::move(path);
    if (auto m = request.query.find("maxresults"); m != request.query.end()) {
      int n = 0;
      auto [end, ec] = std::from_chars(m->second.data(), m->second.data() + m->second.size(), n);
      if (ec != std::errc{} || end != m->second.data() + m->second.size() || n < 1 || n > 25)
        return errors::bad_parameter("Invalid maxresults value '" + errors::shortened(m->second) +
                                     "': it must be an integer from 1 to 25.");
      call.max_results = n;
      call.max_results_given = true;
    }
    if (auto t = request.query.find("$skiptoken"); t != request.query.end()) {
      call.skip_marker = decode_skiptoken(t->second);
      if (!call.skip_marker) return errors::bad_parameter("The $skiptoken value is not valid.");
    }
    return std::nullopt;
  };

  if (parts.size() == 1) {
    if (method != "GET") return errors::method_not_allowed(method);
    if (auto error = prepare_list(deleted ? "/deletedsecrets" : "/secrets")) return *error;
    return deleted ? list_deleted(call) : list_secrets(call);
  }
  if (!deleted && parts.size() == 2 && parts[1] == "restore" && method == "POST")
    return restore_secret(call, request.body);

  std::string name = percent_decode(parts[1], false);
  if (!is_valid_secret_name(name))
    return errors::bad_parameter("The request URI contains an invalid name: " +
                                 errors::shortened(name));

  if (deleted) {
    if (parts.size() == 2) {
      if (method == "GET") return get_deleted(call, name);
      if (method == "DELETE") return purge_deleted(call, name);
      return errors::method_not_allowed(method);
    }
    if (parts.size() == 3 && parts[2] == "recover") {
      if (method != "POST") return errors::method_not_allowed(method);
      return recover_deleted(call, name);
    }
    return errors::unknown_path();
  }

  if (parts.size() == 2) {
    if (method == "PUT" && !trailing_slash) return set_secret(call, name, request.body);
    if (method == "GET") return get_secret(call, name, "");
    if (method == "PATCH") return update_secret(call, name, "", request.body);
    if (method == "DELETE" && !trailing_slash) return delete_secret(call, name);
    return errors::method_not_allowed(method);
  }
  // "/secrets/{name}/%2F" (an encoded "/") and "/secrets/{name}//" both mean the latest version.
  std::string segment = percent_decode(parts[2], false);
  bool latest_alias =
      (parts.size() == 3 && segment == "/") || (parts.size() == 3 && parts[2].empty());
  if (parts.size() == 3 && !latest_alias) {
    if (segment == "versions" && method == "GET") {
      if (auto error = prepare_list("/secrets/" + name + "/versions")) return *error;
      return list_versions(call, name);
    }
    if (segment == "backup" && method == "POST") return backup_secret(call, name);
    // No version id is long or has punctuation; such a segment names nothing (quoted short).
    bool plausible =
        segment.size() <= 64 && std::all_of(segment.begin(), segment.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) != 0;
        });
    if (!plausible && (method == "GET" || method == "PATCH"))
      return errors::secret_not_found(name + "/" + errors::shortened(segment));
    if (method == "GET") return get_secret(call, name, segment);
    if (method == "PATCH") return update_secret(call, name, segment, request.body);
    return errors::method_not_allowed(method);
  }
  if (latest_alias) {
    if (method == "GET") return get_secret(call, name, "");
    if (method == "PATCH") return update_secret(call, name, "", request.body);
    return errors::method_not_allowed(method);
  }
  return errors::unknown_path();
}

}  // namespace kv::localvault
