#include "kv/httpserver/message.hpp"

#include <algorithm>

#include "kv/httpserver/options.hpp"

namespace kv::httpserver {

bool iequals(std::string_view a, std::string_view b) {
  // ASCII folding without the locale lookups of std::tolower: header names are ASCII.
  auto fold = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [&](char x, char y) { return fold(x) == fold(y); });
}

Headers::Headers(std::initializer_list<Header> fields) : fields_(fields) {}

const std::string* Headers::find(std::string_view name) const {
  for (const Header& h : fields_)
    if (iequals(h.name, name)) return &h.value;
  return nullptr;
}

std::string Headers::get(std::string_view name, std::string_view fallback) const {
  const std::string* value = find(name);
  return value ? *value : std::string(fallback);
}

std::size_t Headers::count(std::string_view name) const {
  return static_cast<std::size_t>(std::count_if(
      fields_.begin(), fields_.end(), [&](const Header& h) { return iequals(h.name, name); }));
}

void Headers::add(std::string name, std::string value) {
  fields_.push_back({std::move(name), std::move(value)});
}

void Headers::set(std::string_view name, std::string value) {
  auto first = std::find_if(fields_.begin(), fields_.end(),
                            [&](const Header& h) { return iequals(h.name, name); });
  if (first == fields_.end()) {
    fields_.push_back({std::string(name), std::move(value)});
    return;
  }
  first->value = std::move(value);
  fields_.erase(std::remove_if(std::next(first), fields_.end(),
                               [&](const Header& h) { return iequals(h.name, name); }),
                fields_.end());
}

std::size_t Headers::erase(std::string_view name) {
  std::size_t before = fields_.size();
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                               [&](const Header& h) { return iequals(h.name, name); }),
                fields_.end());
  return before - fields_.size();
}

Response plain_text_error(const ErrorInfo& error) {
  Response response;
  response.status = error.status;
  response.headers.add("Content-Type", "text/plain; charset=utf-8");
  response.body = error.message + "\n";
  return response;
}

}  // namespace kv::httpserver
