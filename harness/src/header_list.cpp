#include "kv/harness/header_list.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <stdexcept>

namespace kv::harness {

HeaderList::HeaderList(
    std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  std::size_t bytes = 0;
  for (const auto& [name, value] : fields) bytes += name.size() + value.size();
  reserve(fields.size(), bytes);
  for (const auto& [name, value] : fields) add(name, value);
}

HeaderList::HeaderList(const http::Headers& headers) {
  std::size_t bytes = 0;
  for (const auto& [name, value] : headers) bytes += name.size() + value.size();
  reserve(headers.size(), bytes);
  for (const auto& [name, value] : headers) add(name, value);
}

http::Headers HeaderList::to_http() const {
  http::Headers out;
  out.reserve(size());
  for (const auto [name, value] : *this) out.add(std::string(name), std::string(value));
  return out;
}

bool HeaderList::views_own_text(std::string_view text) const {
  // Compared as addresses: std::less gives a total order even across unrelated objects.
  const std::less<const char*> before;
  return !text.empty() && !text_.empty() && !before(text.data(), text_.data()) &&
         before(text.data(), text_.data() + text_.size());
}

std::uint32_t HeaderList::append(std::string_view text) {
  if (text_.size() + text.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("header fields of more than 4 GiB");
  }
  const auto at = static_cast<std::uint32_t>(text_.size());
  text_.append(text);
  return at;
}

void HeaderList::add(std::string_view name, std::string_view value) {
  if (views_own_text(name) || views_own_text(value)) {
    // Appending may move the buffer these view: copy them first.
    const std::string n(name), v(value);
    add(n, v);
    return;
  }
  Span span{};
  span.name_at = append(name);
  span.name_size = static_cast<std::uint32_t>(name.size());
  span.value_at = append(value);
  span.value_size = static_cast<std::uint32_t>(value.size());
  spans_.push_back(span);
}

void HeaderList::set(std::string_view name, std::string_view value) {
  if (views_own_text(name) || views_own_text(value)) {
    const std::string n(name), v(value);
    set(n, v);
    return;
  }
  auto first = std::find_if(spans_.begin(), spans_.end(), [&](const Span& s) {
    return http::iequals(std::string_view(text_).substr(s.name_at, s.name_size), name);
  });
  if (first == spans_.end()) {
    add(name, value);
    return;
  }
  const std::size_t index = static_cast<std::size_t>(first - spans_.begin());
  auto rest = std::remove_if(first + 1, spans_.end(), [&](const Span& s) {
    return http::iequals(std::string_view(text_).substr(s.name_at, s.name_size), name);
  });
  spans_.erase(rest, spans_.end());
  Span& span = spans_[index];
  // The same name and a value no longer than the old one are written over the old bytes.
  if (name.size() == span.name_size) {
    text_.replace(span.name_at, name.size(), name);
  } else {
    span.name_at = append(name);
    span.name_size = static_cast<std::uint32_t>(name.size());
  }
  if (value.size() <= span.value_size) {
    text_.replace(span.value_at, value.size(), value);
  } else {
    span.value_at = append(value);
  }
  span.value_size = static_cast<std::uint32_t>(value.size());
}

std::size_t HeaderList::erase(std::string_view name) {
  auto rest = std::remove_if(spans_.begin(), spans_.end(), [&](const Span& s) {
    return http::iequals(std::string_view(text_).substr(s.name_at, s.name_size), name);
  });
  const auto removed = static_cast<std::size_t>(spans_.end() - rest);
  spans_.erase(rest, spans_.end());
  if (spans_.empty()) text_.clear();
  return removed;
}

std::optional<std::string> HeaderList::get(std::string_view name) const {
  if (const auto value = find(name)) return std::string(*value);
  return std::nullopt;
}

std::optional<std::string_view> HeaderList::find(std::string_view name) const {
  for (const Span& s : spans_) {
    const std::string_view field = std::string_view(text_).substr(s.name_at, s.name_size);
    if (http::iequals(field, name)) return std::string_view(text_).substr(s.value_at, s.value_size);
  }
  return std::nullopt;
}

void HeaderList::clear() {
  text_.clear();
  spans_.clear();
}

void HeaderList::reserve(std::size_t fields, std::size_t bytes) {
  spans_.reserve(fields);
  text_.reserve(bytes);
}

bool operator==(const HeaderList& a, const HeaderList& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto [an, av] = a.at(i);
    const auto [bn, bv] = b.at(i);
    if (an != bn || av != bv) return false;
  }
  return true;
}

}  // namespace kv::harness
