// Skipping a Catch2 test case that cannot run here (a missing tool or ../shared), so that CTest
// shows it as Skipped rather than Passed.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>

namespace kv::test {

/// True when this process runs exactly the current test case, as CTest runs each discovered case.
inline bool running_alone() {
  const auto& specs = Catch::getCurrentContext().getConfig()->getTestsOrTags();
  return specs.size() == 1 && specs.front() == Catch::getResultCapture().getCurrentTestName();
}

}  // namespace kv::test

/// Ends the current test case as skipped, saying why. Run alone (under CTest) the process exits
/// 77, which the tests' SKIP_RETURN_CODE turns into "Skipped"; in a run of many cases it warns
/// and returns from the test case.
#define KV_SKIP(reason)                                \
  do {                                                 \
    if (::kv::test::running_alone()) {                 \
      std::cout << "SKIPPED: " << reason << std::endl; \
      std::_Exit(77);                                  \
    }                                                  \
    WARN("SKIPPED: " << reason);                       \
    return;                                            \
  } while (false)
