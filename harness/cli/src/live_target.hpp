// Where record and live runs send traffic: a real vault from AZURE_* settings, or an embedded
// localvault started for the occasion.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "kv/scenario/session_runner.hpp"
#include "localvault_process.hpp"

namespace kv::cli {

/// Settings of a real vault (flags override the AZURE_* environment variables).
struct VaultSettings {
  std::string vault_url;
  std::string tenant_id;
  std::string client_id;
  std::string client_secret;
  std::string authority_host;
};

/// Reads AZURE_KEYVAULT_URL, AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET and
/// AZURE_AUTHORITY_HOST; `vault_url_flag` wins over the environment when not empty.
VaultSettings vault_settings_from_environment(const std::string& vault_url_flag);

/// A target together with what keeps it alive (the localvault process, when embedded).
struct TargetHandle {
  scenario::LiveTarget target;
  std::unique_ptr<LocalVaultProcess> localvault;
};

/// A real vault target; throws std::runtime_error naming the missing AZURE_* variables.
TargetHandle real_vault_target(const VaultSettings& settings);
/// Starts localvault and builds a target that trusts its certificate and uses its token endpoint.
TargetHandle localvault_target(const LocalVaultOptions& options);

}  // namespace kv::cli
