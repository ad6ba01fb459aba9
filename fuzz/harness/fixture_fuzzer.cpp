// Fuzzes the fixture reader (parse_fixture: the fast scanner and its fallback to the document
// reader), then runs what every command does with a loaded fixture: the stored rules, the leak
// audit, lint, the HAR export and the writer. Input: the fixture text.
// Aborts when a fixture the reader accepted is not read back identically from its own writing,
// when the fast reader and the reference (document) reader disagree about the input, or when the
// lazy opening (open_fixture: entries checked at opening, read on first use) disagrees with
// parse_fixture about whether the text is a fixture, what its error says, or what an entry holds;
// and when the recorder's one-pass sanitizing (Sanitizer::record) of an entry's exchange differs
// from sanitize() of the same exchange as an entry.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "kv/harness/fixture.hpp"
#include "kv/harness/har.hpp"
#include "kv/harness/internal/audit.hpp"
#include "kv/harness/lint.hpp"
#include "kv/harness/playback_transport.hpp"
#include "kv/harness/sanitizer.hpp"

using namespace kv::harness;

namespace {

bool same_body(const Body& a, const Body& b) {
  if (a.kind != b.kind) return false;
  // JSON bodies as values: the fast reader keeps the file's escapes, the reference re-serialises.
  return a.kind == Body::Kind::Json ? a.json() == b.json() : a.bytes == b.bytes;
}

bool same_entry(const Entry& a, const Entry& b) {
  return a.request_uri == b.request_uri && a.request_method == b.request_method &&
         a.request_headers == b.request_headers && a.status_code == b.status_code &&
         a.response_headers == b.response_headers &&
         a.request_body_recorded == b.request_body_recorded &&
         same_body(a.request_body, b.request_body) && same_body(a.response_body, b.response_body);
}

// The reference reader, which builds a whole document, on the same text: it must accept what the
// fast one accepts (save nesting beyond the limit, which only the fast one refuses) and read the
// same entries.
void compare_with_reference(std::string_view text, const Fixture* fast, bool too_deep) {
  Fixture reference;
  try {
    reference = detail::parse_fixture_document(text, "fuzz.json");
  } catch (const FixtureError&) {
    if (fast != nullptr)
      kv::fuzz::broken("the reference reader accepts what the fast one does", std::string(text));
    return;
  }
  if (fast == nullptr) {
    if (!too_deep)
      kv::fuzz::broken("the fast reader accepts what the reference one does", std::string(text));
    return;
  }
  if (fast->entries.size() != reference.entries.size()) {
    kv::fuzz::broken("both readers find the same entries", std::string(text));
  }
  for (std::size_t i = 0; i < fast->entries.size(); ++i) {
    if (!same_entry(fast->entries[i], reference.entries[i])) {
      kv::fuzz::broken("both readers read each entry alike", std::string(text));
    }
  }
}

// The lazy opening on the same text: the same verdict and message as parse_fixture (`error`, or
// empty when it accepted), and the same entries, read in reverse so that a later entry is read
// before an earlier one.
void compare_with_lazy(std::string_view text, const Fixture* eager, const std::string& error) {
  std::shared_ptr<const OpenedFixture> opened;
  try {
    opened = detail::open_fixture_text(std::string(text), "fuzz.json");
  } catch (const FixtureError& e) {
    if (eager != nullptr)
      kv::fuzz::broken("the lazy opening accepts what parse_fixture does", std::string(text));
    if (error != e.what())
      kv::fuzz::broken("the lazy opening refuses with parse_fixture's message", std::string(text));
    return;
  }
  if (eager == nullptr)
    kv::fuzz::broken("the lazy opening refuses what parse_fixture refuses", std::string(text));
  if (opened->size() != eager->entries.size())
    kv::fuzz::broken("the lazy opening finds every entry", std::string(text));
  for (std::size_t i = opened->size(); i-- > 0;) {
    const Entry& expected = eager->entries[i];
    if (opened->method(i) != expected.request_method || opened->uri(i) != expected.request_uri)
      kv::fuzz::broken("the lazy opening's method and URI are the entry's", std::string(text));
    if (!same_entry(opened->entry(i), expected))
      kv::fuzz::broken("the lazy opening reads each entry alike", std::string(text));
  }
  // Metadata and variables too: the whole fixture writes out as parse_fixture's does.
  if (opened->head().variables != eager->variables ||
      fixture_to_json(*opened->whole()) != fixture_to_json(*eager))
    kv::fuzz::broken("the lazy opening reads the metadata and variables", std::string(text));
}

std::string_view content_type(const kv::http::Headers& headers) {
  const std::string* value = headers.find("Content-Type");
  return value ? std::string_view(*value) : std::string_view();
}

// Each entry sent through both ways of sanitizing, with a vault host and a secret that the
// fuzzer can reach in any form.
void compare_recording(const Fixture& fixture, std::string_view text) {
  static const Sanitizer sanitizer([] {
    SanitizerOptions options;
    options.vault_url = "https://127.0.0.1:8443";
    options.secrets = {"s3cr3t-canary"};
    return options;
  }());
  for (std::size_t i = 0; i < fixture.entries.size() && i < 16; ++i) {
    const Entry& from = fixture.entries[i];
    kv::http::Request request;
    request.method = from.request_method;
    request.url = from.request_uri;
    request.headers = from.request_headers.to_http();
    request.body = from.request_body.bytes;
    kv::http::Response response;
    response.status = from.status_code;
    response.headers = from.response_headers.to_http();
    response.body = from.response_body.bytes;
    Entry expected;
    expected.request_method = request.method;
    expected.request_uri = request.url;
    expected.request_headers = HeaderList(request.headers);
    expected.request_body = Body::from_bytes(request.body, content_type(request.headers));
    expected.status_code = response.status;
    expected.response_headers = HeaderList(response.headers);
    expected.response_body = Body::from_bytes(response.body, content_type(response.headers));
    sanitizer.sanitize(expected);
    const Entry got = sanitizer.record(request, response);
    if (got.request_uri != expected.request_uri ||
        got.request_headers != expected.request_headers ||
        got.response_headers != expected.response_headers ||
        got.request_body.kind != expected.request_body.kind ||
        got.request_body.bytes != expected.request_body.bytes ||
        got.response_body.kind != expected.response_body.kind ||
        got.response_body.bytes != expected.response_body.bytes) {
      kv::fuzz::broken("recording an exchange sanitizes it as sanitize() does", std::string(text));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Fixture fixture;
  try {
    fixture = parse_fixture(text, "fuzz.json");
  } catch (const FixtureError& e) {
    compare_with_reference(text, nullptr, e.diagnostic().id == "too-deep");
    compare_with_lazy(text, nullptr, e.what());
    return 0;  // refused with a diagnostic: what bad input should get
  }
  compare_with_reference(text, &fixture, false);
  compare_with_lazy(text, &fixture, "");
  compare_recording(fixture, text);
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
