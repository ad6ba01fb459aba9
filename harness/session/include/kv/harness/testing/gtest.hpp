// kvharness for GoogleTest: a session named after the running test (<Suite>.<Test>.json), in the
// mode from AZURE_TEST_MODE, whose end (unused entries, a request that missed) fails the test
// with the harness's explanation. Header-only.
//
//   class SeedFlow : public kv::harness::gtest::KeyVaultTest {};
//   TEST_F(SeedFlow, BackupAndRestore) {            // recordings/SeedFlow.BackupAndRestore.json
//     kv::SecretClient& client = this->client();
//     ...
//   }
#pragma once

#include <gtest/gtest.h>

#include <exception>
#include <optional>
#include <string>
#include <utility>

#include "kv/harness/test_session.hpp"
#include "kv/harness/testing/test_access.hpp"

namespace kv::harness::gtest {

/// The running test's fixture path: <dir>/<Suite>.<Test>.json.
inline std::string fixture_path(const std::string& dir = {}) {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info == nullptr) return fixture_path_for_test("NoTest", "NoTest", dir);
  return fixture_path_for_test(info->test_suite_name(), info->name(), dir);
}

namespace detail {

inline TestOptions with_record_command(TestOptions options) {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (options.record_command.empty() && info != nullptr) {
    options.record_command = record_command_for_test(std::string("--gtest_filter=") +
                                                     info->test_suite_name() + "." + info->name());
  }
  return options;
}

/// Ends `test` unless the test already failed (a failed run is no reference to save or check).
inline void finish(TestSession& test) {
  if (test.finished() || ::testing::Test::HasFailure()) return;
  try {
    test.finish();
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what();
  }
}

}  // namespace detail

/// A test session for the running test, for TEST(): finished at the end of its scope.
class VaultTest : public glue::TestSessionAccess<VaultTest> {
 public:
  explicit VaultTest(TestOptions options = {}, const std::string& dir = {})
      : test_(fixture_path(dir), detail::with_record_command(std::move(options))) {}
  VaultTest(const VaultTest&) = delete;
  VaultTest& operator=(const VaultTest&) = delete;
  ~VaultTest() {
    if (std::uncaught_exceptions() == 0) detail::finish(test_);
  }

  /// Ends the session now; a failure is reported with ADD_FAILURE and the harness's message.
  void finish() { detail::finish(test_); }

 private:
  friend class glue::TestSessionAccess<VaultTest>;
  TestSession& held_session() { return test_; }
  const TestSession& held_session() const { return test_; }
  TestSession test_;
};

/// Opens a session named after the running test, in the mode from AZURE_TEST_MODE.
inline VaultTest open_test(TestOptions options = {}, const std::string& dir = {}) {
  return VaultTest(std::move(options), dir);
}

/// A test fixture for TEST_F: opens the session in SetUp, finishes it in TearDown. Override
/// test_options() to change the options.
class KeyVaultTest : public ::testing::Test, public glue::TestSessionAccess<KeyVaultTest> {
 protected:
  /// The options every test of this fixture opens with.
  virtual TestOptions test_options() const { return {}; }
  void SetUp() override {
    test_.emplace(fixture_path(), detail::with_record_command(test_options()));
  }
  void TearDown() override {
    if (test_) detail::finish(*test_);
    test_.reset();
  }

 private:
  friend class glue::TestSessionAccess<KeyVaultTest>;
  TestSession& held_session() { return *test_; }
  const TestSession& held_session() const { return *test_; }
  std::optional<TestSession> test_;
};

}  // namespace kv::harness::gtest
