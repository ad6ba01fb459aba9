// Variables of a running scenario and ${name} substitution.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace kv::scenario {

/// A ${name} that no variable defines at run time.
class UnknownVariableError : public std::runtime_error {
 public:
  UnknownVariableError(std::string name, std::string message)
      : std::runtime_error(std::move(message)), name_(std::move(name)) {}
  const std::string& name() const noexcept { return name_; }

 private:
  std::string name_;
};

/// The names referenced as ${name} in `text`, in order (duplicates kept). "$${" is a literal "${".
std::vector<std::string> referenced_variables(std::string_view text);
/// The offset of the first "${" in `text` that no "}" closes, if any.
std::optional<std::size_t> find_unclosed_reference(std::string_view text);
/// Every ${name} referenced anywhere in the strings of `value` (keys included).
std::vector<std::string> referenced_variables_in(const nlohmann::json& value);

/// The variables of one scenario run.
class Variables {
 public:
  void set(const std::string& name, std::string value) { values_[name] = std::move(value); }
  /// The value of `name`, if set.
  std::optional<std::string> get(const std::string& name) const;
  bool contains(const std::string& name) const { return values_.count(name) != 0; }
  /// Replaces every ${name} in `text`; throws UnknownVariableError for unset names.
  std::string substitute(std::string_view text) const;
  /// Substitutes in every string (and object key) of `value`.
  nlohmann::json substitute_json(const nlohmann::json& value) const;
  const std::map<std::string, std::string>& all() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace kv::scenario
