// What the Catch2 and GoogleTest glue's test objects offer over their TestSession, written once:
// the client, the session, the mode, recorded random names and the 409 retry. Each framework's
// test object adds only how it is opened and how a failure is reported.
#pragma once

#include <string>
#include <utility>

#include "kv/harness/test_session.hpp"

namespace kv::harness::glue {

/// CRTP base: `Test` provides `TestSession& held_session()` (and its const overload).
template <class Test>
class TestSessionAccess {
 public:
  kv::SecretClient& client() { return held().client(); }
  /// The test's session: mode, exchanges, clock, variables (TestSession::session() is the Session
  /// beneath it).
  TestSession& test_session() { return held(); }
  [[deprecated("use test_session()")]] TestSession& session() { return held(); }
  Mode mode() const { return static_cast<const Test&>(*this).held_session().mode(); }
  /// A random name recorded under `variable` (see TestSession::random_name()).
  std::string random_name(const std::string& variable, const std::string& prefix = "kvtest-") {
    return held().random_name(variable, prefix);
  }
  /// See TestSession::retry_while_conflict().
  template <class Operation>
  auto retry_while_conflict(Operation&& operation) {
    return held().retry_while_conflict(std::forward<Operation>(operation));
  }

 private:
  TestSession& held() { return static_cast<Test&>(*this).held_session(); }
};

}  // namespace kv::harness::glue
