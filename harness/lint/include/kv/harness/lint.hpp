// Lint: a fixture read as a trace of the Key Vault secrets life cycle. A replay that passes only
// proves that the client agrees with the fixture; lint checks that the fixture agrees with what
// the service can say (docs/cli.md, "lint", lists the rules and what the model leaves alone).
#pragma once

#include <string>
#include <vector>

#include "kv/harness/diagnostic.hpp"
#include "kv/harness/fixture.hpp"

namespace kv::harness {

/// One lint rule: its stable id, the severity of its findings and what it checks.
struct LintRule {
  const char* id;
  Severity severity;
  const char* summary;
};

/// Every rule lint applies, in the order docs/cli.md lists them.
const std::vector<LintRule>& lint_rules();

/// The findings for `fixture` (loaded from `file`, which names it in every diagnostic), in entry
/// order. Each names the entry by JSON Pointer, the rule id, what was expected and what was found.
/// What a trace cannot know (a vault that held secrets before, sanitized values, requests that are
/// not secrets operations) yields no finding.
std::vector<Diagnostic> lint_fixture(const Fixture& fixture, const std::string& file);

/// True when `diagnostics` holds a finding at least as serious as `fail_at`: Severity::Error (the
/// default: errors fail) or Severity::Warning (`kvharness lint --strict`: warnings fail too).
bool lint_fails(const std::vector<Diagnostic>& diagnostics, Severity fail_at = Severity::Error);

}  // namespace kv::harness
