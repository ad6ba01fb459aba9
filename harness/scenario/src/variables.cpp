// ${name} substitution. "$${" escapes a literal "${".
#include "kv/scenario/variables.hpp"

namespace kv::scenario {
namespace {

// Calls on_text for literal runs, on_name for each ${name} and on_unclosed with the offset of a
// "${" that no "}" closes (which then reads as literal text).
template <class OnText, class OnName, class OnUnclosed>
void scan(std::string_view text, OnText on_text, OnName on_name, OnUnclosed on_unclosed) {
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      on_text(std::string_view("${"));
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") == 0) {
      std::size_t close = text.find('}', i + 2);
      if (close != std::string_view::npos) {
        on_name(text.substr(i + 2, close - i - 2));
        i = close + 1;
        continue;
      }
      on_unclosed(i);
    }
    on_text(text.substr(i, 1));
    ++i;
  }
}

void collect(const nlohmann::json& value, std::vector<std::string>& names) {
  if (value.is_string()) {
    for (auto& n : referenced_variables(value.get_ref<const std::string&>())) names.push_back(n);
  } else if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      for (auto& n : referenced_variables(it.key())) names.push_back(n);
      collect(it.value(), names);
    }
  } else if (value.is_array()) {
    for (const auto& item : value) collect(item, names);
  }
}

}  // namespace

std::vector<std::string> referenced_variables(std::string_view text) {
  std::vector<std::string> names;
  scan(
      text, [](std::string_view) {}, [&](std::string_view name) { names.emplace_back(name); },
      [](std::size_t) {});
  return names;
}

std::optional<std::size_t> find_unclosed_reference(std::string_view text) {
  std::optional<std::size_t> found;
  scan(
      text, [](std::string_view) {}, [](std::string_view) {},
      [&](std::size_t at) {
        if (!found) found = at;
      });
  return found;
}

std::vector<std::string> referenced_variables_in(const nlohmann::json& value) {
  std::vector<std::string> names;
  collect(value, names);
  return names;
}

std::optional<std::string> Variables::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Variables::substitute(std::string_view text) const {
  std::string out;
  out.reserve(text.size());
  scan(
      text, [&](std::string_view literal) { out += literal; },
      [&](std::string_view name) {
        auto it = values_.find(std::string(name));
        if (it == values_.end()) {
          throw UnknownVariableError(std::string(name),
                                     "variable \"" + std::string(name) +
                                         "\" has no value here (it is neither defined in "
                                         "\"variables\" nor captured by a step that ran)");
        }
        out += it->second;
      },
      [](std::size_t) {});
  return out;
}

nlohmann::json Variables::substitute_json(const nlohmann::json& value) const {
  if (value.is_string()) return substitute(value.get_ref<const std::string&>());
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto it = value.begin(); it != value.end(); ++it)
      out[substitute(it.key())] = substitute_json(it.value());
    return out;
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) out.push_back(substitute_json(item));
    return out;
  }
  return value;
}

}  // namespace kv::scenario
