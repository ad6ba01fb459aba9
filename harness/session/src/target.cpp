// Mode and target resolution from the Azure SDK environment variables.
#include "kv/harness/target.hpp"

#include <cstdlib>
#include <stdexcept>

#include "kv/curl_transport.hpp"
#include "kv/url.hpp"

namespace kv::harness {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

}  // namespace

Mode resolve_mode(std::optional<Mode> explicit_mode) {
  if (explicit_mode) return *explicit_mode;
  const std::string text = env("AZURE_TEST_MODE");
  if (text.empty()) return Mode::Playback;
  try {
    return parse_mode(text);
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument("unknown mode \"" + text +
                                "\" (from AZURE_TEST_MODE); expected live, record or playback");
  }
}

VaultSettings VaultSettings::from_environment() {
  VaultSettings s;
  s.vault_url = env("AZURE_KEYVAULT_URL");
  s.tenant_id = env("AZURE_TENANT_ID");
  s.client_id = env("AZURE_CLIENT_ID");
  s.client_secret = env("AZURE_CLIENT_SECRET");
  s.authority_host = env("AZURE_AUTHORITY_HOST");
  return s;
}

std::string VaultTarget::description() const {
  return (localvault ? "the local vault at " : "the vault ") + vault_url;
}

bool uses_real_vault(const TargetOptions& options) {
  if (options.force_local_vault) return false;
  return !options.vault_url.empty() || !env("AZURE_KEYVAULT_URL").empty();
}

VaultTarget real_vault_target(const VaultSettings& settings) {
  std::string missing;
  if (settings.tenant_id.empty()) missing += " AZURE_TENANT_ID";
  if (settings.client_id.empty()) missing += " AZURE_CLIENT_ID";
  if (settings.client_secret.empty()) missing += " AZURE_CLIENT_SECRET";
  if (!missing.empty()) {
    throw std::runtime_error("using the vault " + settings.vault_url +
                             " needs a service principal; set" + missing);
  }
  try {
    (void)Url(settings.vault_url);
  } catch (const std::invalid_argument&) {
    throw std::runtime_error("the vault URL \"" + settings.vault_url +
                             "\" is not an absolute https URL such as "
                             "https://myvault.vault.azure.net");
  }
  auto transport = std::make_shared<http::CurlTransport>();
  ClientSecretCredentialOptions credential_options;
  credential_options.AuthorityHost = settings.authority_host;
  credential_options.Transport = transport;
  VaultTarget target;
  target.vault_url = settings.vault_url;
  target.transport = transport;
  target.credential = std::make_shared<ClientSecretCredential>(
      settings.tenant_id, settings.client_id, settings.client_secret, credential_options);
  target.secrets_to_redact = {settings.client_secret};
  return target;
}

VaultTarget local_vault_target(const LocalVaultOptions& options) {
  std::shared_ptr<LocalVault> vault;
  try {
    vault = std::make_shared<LocalVault>(options);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("cannot start the embedded local vault: ") + e.what());
  }
  http::CurlTransportOptions curl;
  curl.ca_pem = vault->certificate_pem();
  auto transport = std::make_shared<http::CurlTransport>(curl);
  VaultTarget target;
  target.vault_url = vault->url();
  target.transport = transport;
  if (!vault->client_secret().empty()) {
    ClientSecretCredentialOptions credential_options;
    credential_options.AuthorityHost = vault->url() + "/";
    credential_options.Transport = transport;
    target.credential = std::make_shared<ClientSecretCredential>(
        vault->tenant_id(), vault->client_id(), vault->client_secret(), credential_options);
    target.secrets_to_redact = {vault->client_secret()};
  } else {
    // Started with the caller's own identity arguments (e.g. --no-auth): any token will do.
    target.credential = std::make_shared<StaticTokenCredential>();
  }
  target.disable_challenge_verification = true;
  target.localvault = std::move(vault);
  return target;
}

VaultTarget open_target(const TargetOptions& options) {
  if (!uses_real_vault(options)) return local_vault_target(options.localvault);
  VaultSettings settings = VaultSettings::from_environment();
  if (!options.vault_url.empty()) settings.vault_url = options.vault_url;
  return real_vault_target(settings);
}

}  // namespace kv::harness
