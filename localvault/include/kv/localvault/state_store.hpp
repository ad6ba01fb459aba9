#pragma once
// Where the vault keeps its state between requests. A change is acknowledged only once the store
// has made it durable; when it cannot, the core rolls the change back and says why.

#include "kv/localvault/secret_model.hpp"

namespace kv::localvault {

/// Makes the whole vault state durable after each change; supplied by whoever runs the core.
class StateStore {
 public:
  virtual ~StateStore() = default;

  /// Makes `state` durable, or throws: std::system_error carries the errno of the failure
  /// (ENOSPC answers 507, anything else 500); any other std::exception answers 500.
  virtual void persist(const VaultState& state) = 0;
};

}  // namespace kv::localvault
