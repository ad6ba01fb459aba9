#pragma once
// The vault core: a pure function of (state, request, clock) to response, with no sockets.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kv/localvault/backup_codec.hpp"
#include "kv/localvault/crypto.hpp"
#include "kv/localvault/http_message.hpp"
#include "kv/localvault/secret_model.hpp"
#include "kv/localvault/state_store.hpp"
#include "kv/localvault/token_service.hpp"

namespace kv::localvault {

/// Behaviour knobs of the secrets API (see docs/localvault.md).
struct VaultOptions {
  std::string default_base_url = "https://127.0.0.1";  // used when a request has no Host
  std::string recovery_level = "Recoverable+Purgeable";
  int recoverable_days = 90;
  std::int64_t delete_delay_ms = 300;   // "being deleted" window after DELETE
  std::int64_t recover_delay_ms = 300;  // "being recovered" window after recover
  std::int64_t purge_delay_ms = 300;    // window after purge in which restore and set get 409
  std::size_t max_body_bytes = 256 * 1024;
  std::string service_version = "localvault-0.1.0";
};

/// Where a name is in the soft-delete life cycle at a given instant.
enum class Phase { Absent, Active, Recovering, Deleting, Deleted, Purging };

/// Serves the token endpoint and the twelve secrets operations over an in-memory VaultState.
/// Not thread-safe: the adapter serialises calls.
class VaultService {
 public:
  /// Builds a service; `random` supplies version ids, request ids, nonces; `store` (optional)
  /// persists every change before it is acknowledged.
  VaultService(VaultOptions options, TokenService tokens, BackupCodec backups, RandomSource random,
               VaultState initial = {}, std::shared_ptr<StateStore> store = nullptr);

  /// Handles one request at wall-clock time `now_ms` (Unix milliseconds). A change is applied,
  /// persisted through the store, then answered; if persisting fails the change is rolled back
  /// and the answer is 507 (no space) or 500 with the cause.
  CoreResponse handle(const CoreRequest& request, std::int64_t now_ms);

  /// The current state, for persistence.
  const VaultState& state() const { return state_; }

  /// The life-cycle phase of `name` at `now_ms`.
  Phase phase_of(std::string_view name, std::int64_t now_ms) const;

  /// The options in force.
  const VaultOptions& options() const { return options_; }

  /// Per-request facts (time, vault address, paging), defined next to the operations.
  struct Call;

 private:
  CoreResponse dispatch(const CoreRequest& request, Call& call);
  // The identity platform's endpoints (token, discovery documents); nullopt for other paths.
  std::optional<CoreResponse> route_identity(const CoreRequest& request,
                                             const std::vector<std::string_view>& parts,
                                             Call& call);
  // Saves the current record and purge time of `key` in the call, once, before a change.
  void remember(Call& call, const std::string& key);
  // Puts back what remember() saved, newest first.
  void roll_back(Call& call);
  CoreResponse route_vault(const CoreRequest& request, Call& call);
  CoreResponse set_secret(Call& call, const std::string& name, const std::string& body);
  CoreResponse get_secret(Call& call, const std::string& name, const std::string& version);
  CoreResponse update_secret(Call& call, const std::string& name, const std::string& version,
                             const std::string& body);
  CoreResponse list_secrets(Call& call);
  CoreResponse list_versions(Call& call, const std::string& name);
  CoreResponse list_deleted(Call& call);
  CoreResponse delete_secret(Call& call, const std::string& name);
  CoreResponse get_deleted(Call& call, const std::string& name);
  CoreResponse purge_deleted(Call& call, const std::string& name);
  CoreResponse recover_deleted(Call& call, const std::string& name);
  CoreResponse backup_secret(Call& call, const std::string& name);
  CoreResponse restore_secret(Call& call, const std::string& body);

  VaultOptions options_;
  TokenService tokens_;
  BackupCodec backups_;
  RandomSource random_;
  VaultState state_;
  std::shared_ptr<StateStore> store_;
};

}  // namespace kv::localvault
