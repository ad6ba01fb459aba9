// An audit of a fixture for material that should have been sanitized (`kvharness check`).
#pragma once

#include <string>
#include <vector>

#include "kv/harness/fixture.hpp"

namespace kv::harness {

/// One suspicious place in a fixture. Never quotes the suspicious value itself.
struct Finding {
  std::string pointer;  ///< JSON Pointer into the fixture file, e.g.
                        ///< "/Entries/0/RequestHeaders/Authorization".
  std::string kind;     ///< "authorization", "jwt", "client-secret", "vault-host", "cookie".
  std::string message;  ///< What is wrong and what to do.
};

/// Finds Authorization/Cookie headers not "Sanitized", bearer-looking JWTs, client_secret= in
/// bodies, access tokens in JSON bodies and real-looking vault hosts (anything but
/// kFakeVaultHost and known placeholders).
std::vector<Finding> find_unsanitized(const Fixture& fixture);

}  // namespace kv::harness
