// kvharness for Catch2 (v2) tests: a session named after the running test, in the mode from
// AZURE_TEST_MODE, whose end (unused entries, a request that missed) fails the test with the
// harness's explanation. Header-only; include it in a Catch2 test file.
//
//   TEST_CASE("Backup and restore") {
//     auto t = kv::harness::catch2::open_test();   // recordings/<file>.Backup_and_restore.json
//     kv::SecretClient& client = t.client();
//     ...
//     t.finish();
//   }
#pragma once

// The glue follows the running test through a Catch2 listener, which needs Catch2's external
// interfaces: they are included only when asked for before catch.hpp is first included.
#if defined(TWOBLUECUBES_SINGLE_INCLUDE_CATCH_HPP_INCLUDED) && !defined(CATCH_REGISTER_LISTENER)
#error \
    "include <kv/harness/testing/catch2.hpp> before <catch2/catch.hpp>, or define CATCH_CONFIG_EXTERNAL_INTERFACES before including catch.hpp"
#endif
#ifndef CATCH_CONFIG_EXTERNAL_INTERFACES
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#endif
#include <catch2/catch.hpp>

#include <exception>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "kv/harness/test_session.hpp"
#include "kv/harness/testing/test_access.hpp"

namespace kv::harness::catch2 {
namespace detail {

/// What the listener knows of the running test case.
struct RunningTest {
  std::string file;
  std::string name;
  /// Sections entered, outermost first (the first is the test case itself).
  std::vector<std::string> sections;
  bool failed = false;
};

inline RunningTest& running_test() {
  static RunningTest test;
  return test;
}

/// Follows test cases, sections and failed assertions (registered once per translation unit
/// that includes this header; every instance writes the same state, so that is harmless).
class Listener : public Catch::TestEventListenerBase {
 public:
  using TestEventListenerBase::TestEventListenerBase;
  void testCaseStarting(const Catch::TestCaseInfo& info) override {
    RunningTest& t = running_test();
    t.file = info.lineInfo.file;
    t.name = info.name;
    t.sections.clear();
    t.failed = false;
    TestEventListenerBase::testCaseStarting(info);
  }
  void sectionStarting(const Catch::SectionInfo& info) override {
    running_test().sections.push_back(info.name);
    TestEventListenerBase::sectionStarting(info);
  }
  void sectionEnded(const Catch::SectionStats& stats) override {
    RunningTest& t = running_test();
    if (!t.sections.empty()) t.sections.pop_back();
    TestEventListenerBase::sectionEnded(stats);
  }
  bool assertionEnded(const Catch::AssertionStats& stats) override {
    if (!stats.assertionResult.isOk()) running_test().failed = true;
    return true;
  }
};

}  // namespace detail

/// The running test's fixture path: <dir>/<source file stem>.<test case[.section...]>.json.
inline std::string fixture_path(const std::string& dir = {}) {
  const detail::RunningTest& t = detail::running_test();
  std::string test = t.name;
  for (std::size_t i = 1; i < t.sections.size(); ++i) test += "." + t.sections[i];
  return fixture_path_for_test(std::filesystem::path(t.file).stem().string(), test, dir);
}

/// A test session for the running Catch2 test; finishing (explicitly or at the end of its scope)
/// turns a playback miss or unused entries into a test failure carrying the explanation.
class VaultTest : public glue::TestSessionAccess<VaultTest> {
 public:
  /// Opens the session for the running test (see open_test()).
  explicit VaultTest(TestOptions options = {}, const std::string& dir = {})
      : test_(fixture_path(dir), with_record_command(std::move(options))) {}
  VaultTest(const VaultTest&) = delete;
  VaultTest& operator=(const VaultTest&) = delete;
  /// Finishes unless the test is already failing or an exception is on its way out (then a
  /// recording is not saved: a failed run is no reference).
  ~VaultTest() {
    if (!test_.finished() && std::uncaught_exceptions() == 0 && !detail::running_test().failed) {
      finish();
    }
  }

  /// Ends the session; a failure is reported as a failed check with the harness's message.
  void finish() {
    try {
      test_.finish();
    } catch (const std::exception& e) {
      FAIL_CHECK(e.what());
    }
  }

 private:
  friend class glue::TestSessionAccess<VaultTest>;
  TestSession& held_session() { return test_; }
  const TestSession& held_session() const { return test_; }
  static TestOptions with_record_command(TestOptions options) {
    if (options.record_command.empty()) {
      options.record_command = record_command_for_test("\"" + detail::running_test().name + "\"");
    }
    return options;
  }

  TestSession test_;
};

/// Opens a session named after the running test, in the mode from AZURE_TEST_MODE.
inline VaultTest open_test(TestOptions options = {}, const std::string& dir = {}) {
  return VaultTest(std::move(options), dir);
}

}  // namespace kv::harness::catch2

namespace kv_harness_catch2 {
using Listener = kv::harness::catch2::detail::Listener;
}  // namespace kv_harness_catch2
using KvHarnessCatch2Listener = kv_harness_catch2::Listener;
CATCH_REGISTER_LISTENER(KvHarnessCatch2Listener)
