#pragma once
// Optional persistence of the vault state in one JSON file (--data FILE).

#include <optional>
#include <string>

#include "kv/localvault/secret_model.hpp"

namespace kv::localvault {

/// Loads the state from `path`: nullopt when the file does not exist; throws std::runtime_error
/// naming the file and the problem when it exists but cannot be read.
std::optional<VaultState> load_state_file(const std::string& path);

/// Writes the state to `path` atomically.
void save_state_file(const std::string& path, const VaultState& state);

}  // namespace kv::localvault
