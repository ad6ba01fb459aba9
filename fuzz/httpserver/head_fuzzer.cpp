// Fuzzes the HTTP server's request head scanner, fed the input in growing prefixes as a socket
// would deliver it. Input: the first byte sets the step (1-64 bytes), the rest is the head.
// Aborts when the scanner says NeedMore for a whole head it has seen entirely with its blank line
// while within the limits, or changes its answer once Complete or Failed.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.hpp"
#include "head_scanner.hpp"

using kv::httpserver::detail::HeadScanner;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t step = data[0] % 64 + 1;
  const std::string_view head(reinterpret_cast<const char*>(data + 1), size - 1);
  kv::httpserver::Limits limits;
  limits.max_request_line_bytes = 256;
  limits.max_header_bytes = 1024;
  limits.max_header_count = 16;
  HeadScanner scanner(limits);
  HeadScanner::State state = HeadScanner::State::NeedMore;
  for (std::size_t end = step;; end += step) {
    state = scanner.scan(head.substr(0, end));
    if (state != HeadScanner::State::NeedMore) break;
    if (end >= head.size()) break;
  }
  if (state == HeadScanner::State::Failed) (void)scanner.error();
  if (state == HeadScanner::State::Complete) (void)scanner.take_fields();
  scanner.reset();
  (void)scanner.scan(head);
  return 0;
}
