// A semantic diff of two recordings, for reviewing a re-record: entries added, removed and
// changed, grouped by Key Vault operation.
#pragma once

#include <string>
#include <vector>

#include "kv/harness/fixture.hpp"

namespace kv::scenario {

/// What to consider a difference.
struct DiffOptions {
  /// Ignore what changes on every re-record: versions and other ids, dates, backup blobs, page
  /// tokens, request ids, and how many times a poll or retry repeated.
  bool ignore_volatile = true;
};

/// One difference between the recordings.
struct EntryChange {
  enum class Kind { Added, Removed, Changed };
  Kind kind = Kind::Changed;
  /// The Key Vault operation ("GetSecret").
  std::string operation;
  /// "GET /secrets/${secretName}" with recorded variables and ids normalized.
  std::string request;
  /// Entry indices in the old and new file (-1 when absent).
  int old_index = -1;
  int new_index = -1;
  /// For Changed: one line per differing field ("status: 200 → 404").
  std::vector<std::string> details;
};

/// The whole difference.
struct FixtureDiff {
  std::vector<EntryChange> changes;
  /// Variables present in one recording only ("+ name", "- name").
  std::vector<std::string> variable_changes;
  bool empty() const { return changes.empty() && variable_changes.empty(); }
};

/// Compares two fixtures. Each side's recorded variable values are replaced by ${name} first, so
/// a re-record with new random names compares equal.
FixtureDiff diff_fixtures(const harness::Fixture& old_fixture, const harness::Fixture& new_fixture,
                          const DiffOptions& options = {});
/// The report printed by `kvharness diff`.
std::string format_diff(const FixtureDiff& diff, const std::string& old_name,
                        const std::string& new_name);

}  // namespace kv::scenario
