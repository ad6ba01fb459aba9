#include "kv/harness/header_list.hpp"

#include <cstring>
#include <functional>
#include <limits>
#include <stdexcept>

namespace kv::harness {

namespace {

std::uint32_t load_size(const std::string& text, std::size_t at) {
  std::uint32_t size = 0;
  std::memcpy(&size, text.data() + at, sizeof size);
  return size;
}

void store_size(std::string& text, std::size_t at, std::size_t size) {
  const auto value = static_cast<std::uint32_t>(size);
  std::memcpy(text.data() + at, &value, sizeof value);
}

std::uint32_t checked_size(std::string_view text) {
  if (text.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("a header name or value of more than 4 GiB");
  }
  return static_cast<std::uint32_t>(text.size());
}

}  // namespace

HeaderList::HeaderList(
    std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  add_all(fields);
}

HeaderList::HeaderList(const http::Headers& headers) {
  add_all(headers);
}

http::Headers HeaderList::to_http() const {
  http::Headers out;
  out.reserve(size());
  for (const auto [name, value] : *this) out.add(std::string(name), std::string(value));
  return out;
}

HeaderList::Field HeaderList::field_at(const std::string& text, std::size_t offset) {
  const std::uint32_t name_size = load_size(text, offset);
  const std::uint32_t value_size = load_size(text, offset + 4);
  const std::string_view all(text);
  return {all.substr(offset + kFieldHead, name_size),
          all.substr(offset + kFieldHead + name_size, value_size)};
}

std::size_t HeaderList::next_offset(const std::string& text, std::size_t offset) {
  return offset + kFieldHead + load_size(text, offset) + load_size(text, offset + 4);
}

HeaderList::Field HeaderList::at(std::size_t index) const {
  std::size_t offset = 0;
  for (; index > 0; --index) offset = next_offset(text_, offset);
  return field_at(text_, offset);
}

std::size_t HeaderList::find_offset(std::string_view name, std::size_t from) const {
  for (std::size_t offset = from; offset < text_.size(); offset = next_offset(text_, offset)) {
    if (load_size(text_, offset) == name.size() &&
        http::iequals(std::string_view(text_).substr(offset + kFieldHead, name.size()), name)) {
      return offset;
    }
  }
  return text_.size();
}

bool HeaderList::views_own_text(std::string_view text) const {
  // Compared as addresses: std::less gives a total order even across unrelated objects.
  const std::less<const char*> before;
  return !text.empty() && !text_.empty() && !before(text.data(), text_.data()) &&
         before(text.data(), text_.data() + text_.size());
}

void HeaderList::add(std::string_view name, std::string_view value) {
  if (views_own_text(name) || views_own_text(value)) {
    // Appending may move the buffer these view: copy them first.
    const std::string n(name), v(value);
    add(n, v);
    return;
  }
  const std::uint32_t sizes[2] = {checked_size(name), checked_size(value)};
  text_.append(reinterpret_cast<const char*>(sizes), sizeof sizes);
  text_.append(name);
  text_.append(value);
  ++size_;
}

void HeaderList::set(std::string_view name, std::string_view value) {
  if (views_own_text(name) || views_own_text(value)) {
    const std::string n(name), v(value);
    set(n, v);
    return;
  }
  const std::size_t first = find_offset(name, 0);
  if (first == text_.size()) {
    add(name, value);
    return;
  }
  // The fields of the name after the first go; then the first takes the new name and value, in
  // place (the bytes after it move when its size changes).
  for (std::size_t at = find_offset(name, next_offset(text_, first)); at < text_.size();
       at = find_offset(name, at)) {
    text_.erase(at, next_offset(text_, at) - at);
    --size_;
  }
  const std::uint32_t old_name = load_size(text_, first);
  const std::uint32_t old_value = load_size(text_, first + 4);
  text_.replace(first + kFieldHead + old_name, old_value, value);
  text_.replace(first + kFieldHead, old_name, name);
  store_size(text_, first, checked_size(name));
  store_size(text_, first + 4, checked_size(value));
}

std::size_t HeaderList::erase(std::string_view name) {
  std::size_t removed = 0;
  for (std::size_t at = find_offset(name, 0); at < text_.size(); at = find_offset(name, at)) {
    text_.erase(at, next_offset(text_, at) - at);
    ++removed;
  }
  size_ -= removed;
  return removed;
}

std::optional<std::string> HeaderList::get(std::string_view name) const {
  if (const auto value = find(name)) return std::string(*value);
  return std::nullopt;
}

std::optional<std::string_view> HeaderList::find(std::string_view name) const {
  const std::size_t at = find_offset(name, 0);
  if (at == text_.size()) return std::nullopt;
  return field_at(text_, at).second;
}

void HeaderList::clear() {
  text_.clear();
  size_ = 0;
}

void HeaderList::reserve(std::size_t fields, std::size_t bytes) {
  text_.reserve(fields * kFieldHead + bytes);
}

}  // namespace kv::harness
