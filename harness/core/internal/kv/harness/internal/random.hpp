// Random names for recorded variables and throwaway identities.
#pragma once

#include <cstddef>
#include <string>

namespace kv::harness {

/// `length` random lower-case letters and digits (seeded per thread from std::random_device).
std::string random_suffix(std::size_t length);

}  // namespace kv::harness
