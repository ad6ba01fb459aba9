#pragma once
// Optional persistence of the vault state in one JSON file (--data FILE).

#include <optional>
#include <string>

#include "kv/localvault/secret_model.hpp"
#include "kv/localvault/state_store.hpp"

namespace kv::localvault {

/// Loads the state from `path`: nullopt when the file does not exist; throws std::runtime_error
/// naming the file and the problem when it exists but cannot be read.
std::optional<VaultState> load_state_file(const std::string& path);

/// Writes the state to `path` atomically; throws std::system_error naming the file.
void save_state_file(const std::string& path, const VaultState& state);

/// A StateStore that rewrites one JSON file atomically after every change (--data FILE).
class StateFileStore : public StateStore {
 public:
  /// Persists to `path`; nothing is written until the first change.
  explicit StateFileStore(std::string path) : path_(std::move(path)) {}

  /// Replaces the file with `state`; on failure the file keeps its previous content.
  void persist(const VaultState& state) override { save_state_file(path_, state); }

 private:
  std::string path_;
};

}  // namespace kv::localvault
