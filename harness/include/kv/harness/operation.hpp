// Names the Key Vault operation of a request, for diagnostics only (matching never uses it).
#pragma once

#include <string_view>

namespace kv::harness {

/// The Key Vault secrets operation of `method` + `url` ("SetSecret", "GetSecret",
/// "UpdateSecretProperties", "GetPropertiesOfSecrets", "GetPropertiesOfSecretVersions",
/// "GetDeletedSecrets", "GetDeletedSecret", "DeleteSecret", "PurgeDeletedSecret",
/// "RecoverDeletedSecret", "BackupSecret", "RestoreSecret", "GetToken"), or "Unknown".
/// `url` may be absolute or a path with query.
std::string_view classify_operation(std::string_view method, std::string_view url);

}  // namespace kv::harness
