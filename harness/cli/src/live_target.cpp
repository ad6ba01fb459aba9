// Live targets: credentials and transports for a real vault or the embedded localvault.
#include "live_target.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "kv/credentials.hpp"
#include "kv/curl_transport.hpp"

namespace kv::cli {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

}  // namespace

VaultSettings vault_settings_from_environment(const std::string& vault_url_flag) {
  VaultSettings s;
  s.vault_url = vault_url_flag.empty() ? env("AZURE_KEYVAULT_URL") : vault_url_flag;
  s.tenant_id = env("AZURE_TENANT_ID");
  s.client_id = env("AZURE_CLIENT_ID");
  s.client_secret = env("AZURE_CLIENT_SECRET");
  s.authority_host = env("AZURE_AUTHORITY_HOST");
  return s;
}

TargetHandle real_vault_target(const VaultSettings& settings) {
  std::string missing;
  if (settings.tenant_id.empty()) missing += " AZURE_TENANT_ID";
  if (settings.client_id.empty()) missing += " AZURE_CLIENT_ID";
  if (settings.client_secret.empty()) missing += " AZURE_CLIENT_SECRET";
  if (!missing.empty()) {
    throw std::runtime_error("recording against " + settings.vault_url +
                             " needs a service principal; set" + missing);
  }
  auto transport = std::make_shared<http::CurlTransport>();
  ClientSecretCredentialOptions credential_options;
  credential_options.AuthorityHost = settings.authority_host;
  credential_options.Transport = transport;
  TargetHandle handle;
  handle.target.vault_url = settings.vault_url;
  handle.target.transport = transport;
  handle.target.credential = std::make_shared<ClientSecretCredential>(
      settings.tenant_id, settings.client_id, settings.client_secret, credential_options);
  handle.target.secrets_to_redact = {settings.client_secret};
  return handle;
}

TargetHandle localvault_target(const LocalVaultOptions& options) {
  TargetHandle handle;
  handle.localvault = std::make_unique<LocalVaultProcess>(options);
  const LocalVaultProcess& lv = *handle.localvault;
  std::ifstream in(lv.certificate_file(), std::ios::binary);
  std::ostringstream pem;
  pem << in.rdbuf();
  if (pem.str().empty()) {
    throw std::runtime_error("localvault did not write its certificate to " +
                             lv.certificate_file());
  }
  http::CurlTransportOptions curl;
  curl.ca_pem = pem.str();
  auto transport = std::make_shared<http::CurlTransport>(curl);
  ClientSecretCredentialOptions credential_options;
  credential_options.AuthorityHost = lv.url() + "/";
  credential_options.Transport = transport;
  handle.target.vault_url = lv.url();
  handle.target.transport = transport;
  handle.target.credential = std::make_shared<ClientSecretCredential>(
      lv.tenant_id(), lv.client_id(), lv.client_secret(), credential_options);
  handle.target.disable_challenge_verification = true;
  handle.target.secrets_to_redact = {lv.client_secret()};
  return handle;
}

}  // namespace kv::cli
