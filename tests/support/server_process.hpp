#pragma once
// localvault processes for the tests and benchmarks, started by kv::harness's launcher (the one
// kvharness and users' tests use): port 0, a ready file, the certificate written out, stopped
// with SIGTERM. The arguments are exactly the test's: no identity is generated for it.

#include <string>
#include <vector>

#include "kv/harness/localvault.hpp"
#include "text_file.hpp"

namespace kv::localvault::testing {

using kv::harness::LocalVault;

/// Options that start `exe` with exactly `args`.
inline kv::harness::LocalVaultOptions launch(const std::string& exe,
                                             std::vector<std::string> args) {
  kv::harness::LocalVaultOptions options;
  options.executable = exe;
  options.arguments = std::move(args);
  options.generate_identity = false;
  return options;
}

}  // namespace kv::localvault::testing
