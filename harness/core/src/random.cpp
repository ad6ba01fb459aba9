// Random lower-case alphanumeric text.
#include "kv/harness/internal/random.hpp"

#include <random>

namespace kv::harness {

std::string random_suffix(std::size_t length) {
  static thread_local std::mt19937_64 engine{std::random_device{}()};
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::uniform_int_distribution<std::size_t> pick(0, sizeof kChars - 2);
  std::string out;
  out.reserve(length);
  for (std::size_t i = 0; i < length; ++i) out += kChars[pick(engine)];
  return out;
}

}  // namespace kv::harness
