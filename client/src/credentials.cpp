// ClientSecretCredential (OAuth2 client credentials) and StaticTokenCredential.
#include "kv/credentials.hpp"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "kv/curl_transport.hpp"
#include "kv/errors.hpp"
#include "kv/url.hpp"

namespace kv {

namespace {

constexpr const char* kDefaultAuthorityHost = "https://login.microsoftonline.com/";

std::string choose_authority(const std::string& configured) {
  if (!configured.empty()) return configured;
  const char* env = std::getenv("AZURE_AUTHORITY_HOST");
  if (env != nullptr && *env != '\0') return env;
  return kDefaultAuthorityHost;
}

std::string without_trailing_slashes(std::string text) {
  while (!text.empty() && text.back() == '/') text.pop_back();
  return text;
}

// Removes every occurrence of `secret` (raw and URL-encoded) from a message.
std::string redact(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (const std::string& form : {secret, url_encode(secret)}) {
    for (auto pos = text.find(form); pos != std::string::npos; pos = text.find(form, pos)) {
      text.replace(pos, form.size(), "***");
      pos += 3;
    }
  }
  return text;
}

std::optional<std::int64_t> seconds_field(const nlohmann::json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (it->is_number()) return static_cast<std::int64_t>(it->get<double>());
  if (it->is_string()) {
    const std::string& text = it->get_ref<const std::string&>();
    try {
      std::size_t used = 0;
      long long value = std::stoll(text, &used);
      if (used == text.size()) return value;
    } catch (const std::exception&) {
      // Reported below as a malformed field.
    }
  }
  throw AuthenticationException(std::string("token response field '") + name + "' is not a number");
}

}  // namespace

ClientSecretCredential::ClientSecretCredential(std::string tenantId, std::string clientId,
                                               std::string clientSecret,
                                               ClientSecretCredentialOptions options)
    : tenant_id_(std::move(tenantId)),
      client_id_(std::move(clientId)),
      client_secret_(std::move(clientSecret)),
      authority_host_(without_trailing_slashes(choose_authority(options.AuthorityHost))),
      transport_(std::move(options.Transport)),
      clock_(std::move(options.Clock)) {
  if (!transport_) transport_ = std::make_shared<http::CurlTransport>();
  if (!clock_) clock_ = SystemClock::instance();
}

std::string ClientSecretCredential::TokenEndpoint(const std::string& tenant) const {
  return authority_host_ + "/" + tenant + "/oauth2/v2.0/token";
}

AccessToken ClientSecretCredential::GetToken(const TokenRequestContext& context) {
  const std::string& tenant = context.TenantId.empty() ? tenant_id_ : context.TenantId;
  if (tenant.empty()) throw AuthenticationException("ClientSecretCredential: tenant id is empty");
  std::string scopes;
  for (const auto& scope : context.Scopes) {
    if (!scopes.empty()) scopes += ' ';
    scopes += scope;
  }

  http::Request request;
  request.method = "POST";
  request.url = TokenEndpoint(tenant);
  request.headers.set("Content-Type", "application/x-www-form-urlencoded");
  request.headers.set("Accept", "application/json");
  request.body = http::to_bytes(
      "grant_type=client_credentials&client_id=" + url_encode(client_id_) +
      "&client_secret=" + url_encode(client_secret_) + "&scope=" + url_encode(scopes));

  const auto requested_at = clock_->now();
  http::Response response = transport_->send(request);
  const std::string prefix =
      "ClientSecretCredential: POST " + request.url + " -> " + std::to_string(response.status);

  nlohmann::json body =
      nlohmann::json::parse(response.body_text(), nullptr, /*allow_exceptions=*/false);
  if (response.status != 200) {
    std::string detail;
    if (body.is_object()) {
      auto text = [&](const char* name) {
        auto it = body.find(name);
        return (it != body.end() && it->is_string()) ? it->get<std::string>() : std::string{};
      };
      detail = text("error");
      std::string description = text("error_description");
      if (!description.empty()) detail += (detail.empty() ? "" : ": ") + description;
    }
    if (detail.empty()) detail = "no OAuth2 error in the response body";
    for (char& c : detail) {
      if (c == '\r' || c == '\n') c = ' ';
    }
    throw AuthenticationException(redact(prefix + " " + detail, client_secret_));
  }
  // The body of a 200 holds a token: never quote it.
  if (!body.is_object()) throw AuthenticationException(prefix + ": response body is not JSON");
  auto token = body.find("access_token");
  if (token == body.end() || !token->is_string() || token->get_ref<const std::string&>().empty()) {
    throw AuthenticationException(prefix + ": response has no access_token");
  }
  AccessToken result;
  result.Token = token->get<std::string>();
  try {
    if (auto expires_in = seconds_field(body, "expires_in")) {
      result.ExpiresOn = requested_at + std::chrono::seconds(*expires_in);
    } else if (auto expires_on = seconds_field(body, "expires_on")) {
      result.ExpiresOn = std::chrono::system_clock::time_point(std::chrono::seconds(*expires_on));
    } else {
      throw AuthenticationException("token response has neither expires_in nor expires_on");
    }
  } catch (const AuthenticationException& e) {
    throw AuthenticationException(prefix + ": " + e.what());
  }
  return result;
}

StaticTokenCredential::StaticTokenCredential(std::string token,
                                             std::chrono::system_clock::time_point expiresOn)
    : token_{std::move(token), expiresOn} {}

AccessToken StaticTokenCredential::GetToken(const TokenRequestContext& /*context*/) {
  ++calls_;
  return token_;
}

}  // namespace kv
