#pragma once
// Per-request facts shared by the routing and the operations of VaultService.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kv/localvault/secret_model.hpp"
#include "kv/localvault/vault_service.hpp"

namespace kv::localvault {

/// What one request knows beyond its body: time, vault address, api-version, paging.
struct VaultService::Call {
  std::int64_t now_ms = 0;
  std::int64_t now_s = 0;
  std::string host;      // "127.0.0.1:41234"
  std::string base_url;  // "https://127.0.0.1:41234"
  std::string api_version;
  std::string list_path;  // "/secrets", "/deletedsecrets", "/secrets/{name}/versions"
  int max_results = 25;
  bool max_results_given = false;
  std::optional<std::string> skip_marker;  // resume after this key
  RenderContext render;
  /// What one name held before this request changed it, so that the change can be undone.
  struct Saved {
    std::string key;
    std::optional<SecretRecord> record;
    std::optional<std::int64_t> purged_at_ms;
  };
  std::vector<Saved> saved;
};

}  // namespace kv::localvault
