#pragma once
// Reading a whole file in tests and benchmarks.

#include <fstream>
#include <iterator>
#include <string>

namespace kv::localvault::testing {

/// Reads a whole file; empty when it does not exist.
inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace kv::localvault::testing
