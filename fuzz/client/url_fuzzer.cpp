// Fuzzes kv::Url (the client's URL parser). Input: the URL text.
// Aborts when a URL that parsed does not parse again from its own str(), or changes doing so.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "kv/url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string once;
  try {
    once = kv::Url(text).str();
  } catch (const std::invalid_argument&) {
    return 0;
  }
  try {
    const std::string twice = kv::Url(once).str();
    if (twice != once) kv::fuzz::broken("Url(str()) keeps the URL", once + "\n" + twice);
  } catch (const std::invalid_argument& e) {
    kv::fuzz::broken("a URL's own str() parses", once + "\n" + e.what());
  }
  return 0;
}
