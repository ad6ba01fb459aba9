// The headers of a recorded exchange, stored compactly: a fixture holds many of them, and the
// recorder copies two per exchange.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "kv/http.hpp"

namespace kv::harness {

/// Header fields as http::Headers keeps them (names compare case-insensitively, order, casing
/// and duplicates kept), held in one buffer: each field is its name's and its value's sizes
/// followed by their bytes. A list of n fields costs one allocation to build or copy, where n
/// fields of std::string pairs cost up to 1 + 2n. Field views stay valid until the list is next
/// changed.
class HeaderList {
 public:
  /// One field, viewing the list's buffer: `first` is the name, `second` the value.
  struct Field {
    std::string_view first;
    std::string_view second;
  };

  class Iterator {
   public:
    // Fields are made on access, so for the standard's older requirements this is an input
    // iterator; it is a forward iterator in C++20's sense.
    using iterator_concept = std::forward_iterator_tag;
    using iterator_category = std::input_iterator_tag;
    using value_type = Field;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Field;

    Iterator() = default;
    Field operator*() const { return field_at(*text_, offset_); }
    Iterator& operator++() {
      offset_ = next_offset(*text_, offset_);
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      ++*this;
      return before;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) { return a.offset_ == b.offset_; }

   private:
    friend class HeaderList;
    Iterator(const std::string* text, std::size_t offset) : text_(text), offset_(offset) {}
    const std::string* text_ = nullptr;
    std::size_t offset_ = 0;
  };

  HeaderList() = default;
  HeaderList(std::initializer_list<std::pair<std::string_view, std::string_view>> fields);
  /// The fields of `headers`, in their order.
  explicit HeaderList(const http::Headers& headers);
  /// The same fields as an http::Headers (what a replayed response carries).
  http::Headers to_http() const;

  /// Appends a field, keeping any existing one of the same name.
  void add(std::string_view name, std::string_view value);
  /// Replaces every field named `name` with one field, where the first of them was (or at the
  /// end when there was none).
  void set(std::string_view name, std::string_view value);
  /// Removes every field named `name`; returns how many were removed.
  std::size_t erase(std::string_view name);
  /// The first value of `name`, if present.
  std::optional<std::string> get(std::string_view name) const;
  /// The first value of `name` as a view, if present (no copy).
  std::optional<std::string_view> find(std::string_view name) const;
  bool contains(std::string_view name) const { return find(name).has_value(); }

  /// The field at `index` (< size()); found by walking the list.
  Field at(std::size_t index) const;
  Iterator begin() const { return {&text_, 0}; }
  Iterator end() const { return {&text_, text_.size()}; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear();
  /// Room for `fields` fields of `bytes` bytes of names and values in all.
  void reserve(std::size_t fields, std::size_t bytes);
  /// The bytes of the names and values of `fields`, any range of (name, value) pairs: what
  /// reserve() wants beside their count.
  template <class Fields>
  static std::size_t bytes_of(const Fields& fields) {
    std::size_t bytes = 0;
    for (const auto& [name, value] : fields) bytes += name.size() + value.size();
    return bytes;
  }

  /// Same fields in the same order (names compared as written).
  friend bool operator==(const HeaderList& a, const HeaderList& b) {
    return a.size_ == b.size_ && a.text_ == b.text_;
  }

 private:
  /// Each field: its name's size and its value's size (4 bytes each), then the name and value.
  static constexpr std::size_t kFieldHead = 8;
  static Field field_at(const std::string& text, std::size_t offset);
  static std::size_t next_offset(const std::string& text, std::size_t offset);
  /// Where the first field named `name` starts at or after `from`, or text_.size().
  std::size_t find_offset(std::string_view name, std::size_t from) const;
  /// True when `text` views this list's own buffer.
  bool views_own_text(std::string_view text) const;
  template <class Fields>
  void add_all(const Fields& fields) {
    reserve(fields.size(), bytes_of(fields));
    for (const auto& [name, value] : fields) add(name, value);
  }

  std::string text_;
  std::size_t size_ = 0;
};

}  // namespace kv::harness
