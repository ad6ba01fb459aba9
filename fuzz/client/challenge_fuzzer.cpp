// Fuzzes the WWW-Authenticate Bearer challenge parser (client/src/challenge.cpp) and the host
// check. Input: the header value.
// Aborts when a parsed challenge has an empty scope.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "challenge.hpp"
#include "fuzz_support.hpp"
#include "kv/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  try {
    const kv::detail::Challenge challenge = kv::detail::parse_challenge(header);
    if (challenge.scope.empty()) kv::fuzz::broken("a parsed challenge has a scope", "");
    (void)kv::detail::host_matches("fakevault.vault.azure.net", challenge.resource);
  } catch (const kv::AuthenticationException&) {
  }
  return 0;
}
