// Fuzzes the fixture reader (parse_fixture: the fast scanner and its fallback to the document
// reader), then runs what every command does with a loaded fixture: the stored rules, the leak
// audit, lint, the HAR export and the writer. Input: the fixture text.
// Aborts when a fixture the reader accepted is not read back identically from its own writing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "kv/harness/audit.hpp"
#include "kv/harness/fixture.hpp"
#include "kv/harness/har.hpp"
#include "kv/harness/lint.hpp"
#include "kv/harness/playback_transport.hpp"

using namespace kv::harness;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Fixture fixture;
  try {
    fixture = parse_fixture(text, "fuzz.json");
  } catch (const FixtureError&) {
    return 0;  // refused with a diagnostic: what bad input should get
  }
  try {
    (void)fixture_match_rules(fixture, "fuzz.json");
    (void)fixture_sanitizer_rules(fixture, "fuzz.json");
  } catch (const RulesError&) {
  }
  (void)find_unsanitized(fixture);
  (void)lint_fixture(fixture, "fuzz.json");
  (void)export_har(fixture).dump(-1, ' ', false, Json::error_handler_t::replace);
  const std::string written =
      fixture_to_json(fixture).dump(2, ' ', false, Json::error_handler_t::replace);
  Fixture again;
  try {
    again = parse_fixture(written, "written.json");
  } catch (const FixtureError& e) {
    kv::fuzz::broken("a fixture's own writing reads back", e.what());
  }
  if (again.entries.size() != fixture.entries.size()) {
    kv::fuzz::broken("a fixture's own writing reads back with every entry", written);
  }
  return 0;
}
