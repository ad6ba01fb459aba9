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
#include <vector>

#include "kv/http.hpp"

namespace kv::harness {

/// Header fields as http::Headers keeps them (names compare case-insensitively, order, casing
/// and duplicates kept), held as one text buffer and one table of spans into it: a list of n
/// fields costs two allocations to build or copy, where n fields of std::string pairs cost up to
/// 2 + 2n. Field views stay valid until the list is next changed.
class HeaderList {
 public:
  /// One field, viewing the list's text: `first` is the name, `second` the value.
  struct Field {
    std::string_view first;
    std::string_view second;
  };

  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Field;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Field;

    Iterator() = default;
    Field operator*() const { return list_->at(index_); }
    Iterator& operator++() {
      ++index_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      ++index_;
      return before;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) { return a.index_ == b.index_; }

   private:
    friend class HeaderList;
    Iterator(const HeaderList* list, std::size_t index) : list_(list), index_(index) {}
    const HeaderList* list_ = nullptr;
    std::size_t index_ = 0;
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

  /// The field at `index` (< size()).
  Field at(std::size_t index) const {
    const Span& s = spans_[index];
    return {std::string_view(text_).substr(s.name_at, s.name_size),
            std::string_view(text_).substr(s.value_at, s.value_size)};
  }
  Iterator begin() const { return {this, 0}; }
  Iterator end() const { return {this, spans_.size()}; }
  std::size_t size() const { return spans_.size(); }
  bool empty() const { return spans_.empty(); }
  void clear();
  /// Room for `fields` fields of `bytes` bytes of names and values in all.
  void reserve(std::size_t fields, std::size_t bytes);

  /// Same fields in the same order (names compared as written).
  friend bool operator==(const HeaderList& a, const HeaderList& b);

 private:
  struct Span {
    std::uint32_t name_at;
    std::uint32_t name_size;
    std::uint32_t value_at;
    std::uint32_t value_size;
  };
  /// Appends `text` to text_, returning where it starts; `text` must not view text_.
  std::uint32_t append(std::string_view text);
  /// True when `text` views this list's own buffer.
  bool views_own_text(std::string_view text) const;

  std::string text_;  // names and values; set() and erase() may leave unused bytes behind
  std::vector<Span> spans_;
};

}  // namespace kv::harness
