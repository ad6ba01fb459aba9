// Where a rules object comes from, named in its diagnostics. Kept apart from rules.hpp so that
// options structs can carry it without the rule model.
#pragma once

#include <string>

namespace kv::harness {

/// Where a rules object comes from, for diagnostics: the file and the JSON Pointer of the object
/// itself ("/rules" in a scenario, "/kvharness/matchRules" in a fixture, "" for a rules file).
struct RulesOrigin {
  std::string file = "rules";
  std::string pointer;
};

}  // namespace kv::harness
