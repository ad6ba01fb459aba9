#pragma once
// What the fuzz targets share: reporting a broken invariant as a crash libFuzzer keeps.

#include <cstdio>
#include <cstdlib>
#include <string>

namespace kv::fuzz {

/// Prints the invariant and its evidence, then aborts so that the input is saved.
[[noreturn]] inline void broken(const char* invariant, const std::string& detail) {
  std::fprintf(stderr, "invariant broken: %s\n%s\n", invariant, detail.c_str());
  std::abort();
}

}  // namespace kv::fuzz
