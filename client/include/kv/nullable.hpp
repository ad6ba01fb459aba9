// kv::Nullable<T>: a value the service may leave out, told apart from an empty one.
#pragma once

#include <concepts>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace kv {

/// Thrown by Nullable::Value() (and the explicit conversion) when there is no value.
class NullValueError : public std::logic_error {
 public:
  NullValueError() : std::logic_error("kv::Nullable: Value() called on an absent value") {}
};

template <class T>
class Nullable;

namespace detail {
template <class T>
inline constexpr bool is_nullable = false;
template <class T>
inline constexpr bool is_nullable<Nullable<T>> = true;

// Types a Nullable<T> may be built from, besides another Nullable and std::nullopt.
template <class T, class U>
concept nullable_source = std::is_convertible_v<U&&, T> && !is_nullable<std::remove_cvref_t<U>> &&
                          !std::same_as<std::remove_cvref_t<U>, std::nullopt_t>;

// Types a Nullable<T> compares with by value.
template <class T, class U>
concept nullable_comparable =
    !is_nullable<U> && !std::same_as<U, std::nullopt_t> && requires(const T& t, const U& u) {
  { t == u } -> std::convertible_to<bool>;
};
}  // namespace detail

/// A value that may be absent, with the members of the official SDK's Azure::Nullable
/// (HasValue, Value, ValueOr, Reset, explicit operator bool). Compares with T (an absent value
/// equals no T), prints its value or nothing, and converts explicitly to T.
/// Note: for Nullable<bool>, `if (x)` asks whether a value is present; compare with true instead.
template <class T>
class Nullable {
 public:
  using ValueType = T;

  /// An absent value.
  constexpr Nullable() noexcept = default;
  /// An absent value.
  constexpr Nullable(std::nullopt_t) noexcept {}
  /// A present value.
  template <class U = T>
  requires detail::nullable_source<T, U>
  constexpr Nullable(U&& value) : value_(std::forward<U>(value)) {}

  /// Replaces the value (absent or not) by `value`.
  template <class U = T>
  requires detail::nullable_source<T, U>
  constexpr Nullable& operator=(U&& value) {
    value_ = std::forward<U>(value);
    return *this;
  }
  /// Makes the value absent.
  constexpr Nullable& operator=(std::nullopt_t) noexcept {
    value_.reset();
    return *this;
  }

  /// True when a value is present.
  constexpr bool HasValue() const noexcept { return value_.has_value(); }
  /// The value; throws NullValueError when absent.
  constexpr const T& Value() const& {
    if (!value_) throw NullValueError();
    return *value_;
  }
  /// The value; throws NullValueError when absent.
  constexpr T& Value() & {
    if (!value_) throw NullValueError();
    return *value_;
  }
  /// The value, moved out; throws NullValueError when absent.
  constexpr T&& Value() && {
    if (!value_) throw NullValueError();
    return std::move(*value_);
  }
  /// The value, or `fallback` when absent.
  template <class U>
  constexpr T ValueOr(U&& fallback) const& {
    return value_ ? *value_ : static_cast<T>(std::forward<U>(fallback));
  }
  /// Makes the value absent.
  constexpr void Reset() noexcept { value_.reset(); }

  /// True when a value is present (for Nullable<bool> too: this is not the value).
  constexpr explicit operator bool() const noexcept { return HasValue(); }
  /// The value; throws NullValueError when absent.
  constexpr const T& operator*() const& { return Value(); }
  /// The value; throws NullValueError when absent.
  constexpr T& operator*() & { return Value(); }
  /// The value's members; throws NullValueError when absent.
  constexpr const T* operator->() const { return &Value(); }
  /// The value's members; throws NullValueError when absent.
  constexpr T* operator->() { return &Value(); }

  /// The value as T (`std::string(secret.Value)`); throws NullValueError when absent. Not for
  /// bool, whose explicit conversion is the presence test above.
  constexpr explicit operator T() const requires(!std::same_as<T, bool>) { return Value(); }

 private:
  std::optional<T> value_;
};

/// Equal when both are absent, or both present with equal values.
template <class T, class U>
constexpr bool operator==(const Nullable<T>& a, const Nullable<U>& b) {
  if (a.HasValue() != b.HasValue()) return false;
  return !a.HasValue() || a.Value() == b.Value();
}

/// True when the value is present and equals `value`.
template <class T, class U>
requires detail::nullable_comparable<T, U>
constexpr bool operator==(const Nullable<T>& nullable, const U& value) {
  return nullable.HasValue() && nullable.Value() == value;
}

/// True when the value is absent.
template <class T>
constexpr bool operator==(const Nullable<T>& nullable, std::nullopt_t) noexcept {
  return !nullable.HasValue();
}

/// Prints the value, or nothing when it is absent.
template <class T>
requires requires(std::ostream& os, const T& value) {
  os << value;
}
std::ostream& operator<<(std::ostream& os, const Nullable<T>& nullable) {
  if (nullable.HasValue()) os << nullable.Value();
  return os;
}

}  // namespace kv
