// Where a test's traffic goes: the mode from the environment, and in live or record mode either a
// real vault (AZURE_KEYVAULT_URL with a service principal) or the embedded local vault.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kv/credentials.hpp"
#include "kv/harness/localvault.hpp"
#include "kv/harness/mode.hpp"
#include "kv/transport.hpp"

namespace kv::harness {

/// The mode in force: `explicit_mode` when set, else $AZURE_TEST_MODE (live, record or
/// playback, any case), else playback. Throws std::invalid_argument naming AZURE_TEST_MODE when
/// its value is not a mode.
Mode resolve_mode(std::optional<Mode> explicit_mode = std::nullopt);

/// A real vault and its service principal (the Azure SDKs' environment variable names).
struct VaultSettings {
  std::string vault_url;       ///< AZURE_KEYVAULT_URL
  std::string tenant_id;       ///< AZURE_TENANT_ID
  std::string client_id;       ///< AZURE_CLIENT_ID
  std::string client_secret;   ///< AZURE_CLIENT_SECRET
  std::string authority_host;  ///< AZURE_AUTHORITY_HOST (empty: the public cloud)

  /// Reads the five AZURE_* variables.
  static VaultSettings from_environment();
};

/// Where live and record traffic goes, and what keeps it alive.
struct VaultTarget {
  std::string vault_url;
  /// Reaches the vault and the token endpoint.
  std::shared_ptr<http::Transport> transport;
  std::shared_ptr<TokenCredential> credential;
  /// True for a vault on 127.0.0.1, whose challenge names vault.azure.net.
  bool disable_challenge_verification = false;
  /// Strings never to be written anywhere (the client secret).
  std::vector<std::string> secrets_to_redact;
  /// The embedded local vault, when this target is one (stopped when the last copy goes).
  std::shared_ptr<LocalVault> localvault;

  /// "the local vault at https://127.0.0.1:PORT" or "the vault https://NAME.vault.azure.net".
  std::string description() const;
};

/// How to choose a target.
struct TargetOptions {
  /// The vault; empty means $AZURE_KEYVAULT_URL, and when that is empty too, the embedded local
  /// vault. Credentials always come from the AZURE_* variables.
  std::string vault_url;
  /// Ignore AZURE_KEYVAULT_URL and always start the local vault.
  bool force_local_vault = false;
  /// How to start the local vault.
  LocalVaultOptions localvault;
};

/// True when `options` lead to a real vault (a URL given or in AZURE_KEYVAULT_URL).
bool uses_real_vault(const TargetOptions& options = {});

/// A real vault when one is configured, else a freshly started local vault. Throws
/// std::runtime_error naming the missing AZURE_* variables, or why localvault did not start.
VaultTarget open_target(const TargetOptions& options = {});
/// A real vault: ClientSecretCredential from `settings` over one CurlTransport.
VaultTarget real_vault_target(const VaultSettings& settings);
/// Starts localvault and builds a target that trusts its certificate in memory and gets tokens
/// from its token endpoint; its client secret is registered never to be written.
VaultTarget local_vault_target(const LocalVaultOptions& options = {});

}  // namespace kv::harness
