// The fixture: the recorded exchanges of one test, in the Azure SDK test-proxy recording format
// plus one metadata object of our own. Loading accepts the test-proxy, .NET SessionRecord and
// legacy azure-sdk-for-cpp recorder shapes; saving always writes the test-proxy shape.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kv/harness/diagnostic.hpp"
#include "kv/harness/header_list.hpp"
#include "kv/http.hpp"

namespace kv::harness {

/// JSON with key order preserved, so recorded bodies keep the service's field order.
using Json = nlohmann::ordered_json;

/// A request or response body as stored in a fixture.
struct Body {
  /// How the body is written: absent (null), embedded JSON, a text string, or base64.
  enum class Kind { None, Json, Text, Binary };
  Kind kind = Kind::None;
  /// The bytes on the wire (for Json: a serialisation of json(), as received or compact). Change
  /// a body only through the factories below, so that json() always describes these bytes.
  http::Bytes bytes;

  /// The parsed body when kind is Json (null otherwise). Parsed from `bytes` on first use, once,
  /// thread-safely: a playback that matches byte for byte never builds it.
  const Json& json() const;
  /// The parsed body to modify: moved out when no copy of this body shares it, else copied.
  /// Build the changed body with from_json().
  Json take_json();

  /// Classifies raw bytes by content type and content: JSON object/array, UTF-8 text, or binary.
  static Body from_bytes(http::Bytes bytes, std::string_view content_type);
  /// True when from_bytes() checks these bytes as JSON (a JSON or absent content type and an
  /// object or array): they become a JSON body exactly when they are valid JSON.
  static bool json_candidate(const http::Bytes& bytes, std::string_view content_type);
  /// A JSON body; `bytes` becomes its compact serialisation.
  static Body from_json(Json json);
  /// A JSON body from bytes already known to be a valid JSON object or array (a fixture reader's
  /// or the scanner's check); parsed only when json() is first asked for.
  static Body from_json_bytes(http::Bytes compact);
  /// A JSON body from bytes and their already parsed value (a sanitizer that changed nothing).
  static Body from_parsed(http::Bytes bytes, Json json);
  /// A text body.
  static Body from_text(std::string_view text);
  bool empty() const { return kind == Kind::None || bytes.empty(); }

  Body() = default;
  Body(const Body& other);
  Body(Body&& other) noexcept;
  Body& operator=(const Body& other);
  Body& operator=(Body&& other) noexcept;
  ~Body() = default;

 private:
  struct Parsed;
  /// Made by the first json() (a fixture of many bodies allocates nothing more per body at
  /// load); copies share it once it exists. Atomic: bodies of a shared fixture are read by
  /// many threads.
  mutable std::atomic<std::shared_ptr<Parsed>> parsed_;
};

/// One recorded HTTP exchange.
struct Entry {
  std::string request_uri;
  std::string request_method;
  HeaderList request_headers;
  Body request_body;
  /// False for recordings that never stored request bodies (legacy cpp recorder): body
  /// matching is skipped for such entries.
  bool request_body_recorded = true;
  int status_code = 0;
  HeaderList response_headers;
  Body response_body;
};

/// One exchange as a test sees it: which entry, what was asked and what status came back.
struct Exchange {
  std::size_t entry = 0;  ///< Index of the fixture entry (recorded or replayed).
  std::string method;
  std::string uri;  ///< The request URI as recorded (sanitized).
  int status = 0;
  std::string operation;  ///< The Key Vault operation ("GetSecret", ...), see classify_operation.
};

/// Our metadata, stored under the top-level key "kvharness" that other readers ignore.
struct FixtureMetadata {
  int format_version = 1;
  std::string tool_version;
  std::string api_version;
  /// What the service said about itself: the distinct x-ms-keyvault-service-version values of
  /// the responses, comma-separated; empty when none said (or an older fixture).
  std::string service_version;
  std::string recorded_at;  ///< RFC 3339 UTC.
  /// The sanitizer rules applied when recording (JSON, see docs/fixture-format.md).
  Json sanitizers = Json::array();
  /// sanitizer_set_digest(sanitizers) when recorded; empty in older fixtures.
  std::string sanitizers_digest;
  /// The match rules in force for this fixture (JSON, see docs/fixture-format.md).
  Json match_rules = Json::object();
};

/// Which file shape a fixture was read from.
enum class FixtureSource { TestProxy, LegacyCpp, InMemory };

/// A whole fixture: entries in recording order, variables, metadata.
struct Fixture {
  std::vector<Entry> entries;
  std::map<std::string, std::string> variables;
  FixtureMetadata metadata;
  /// True when the file carried our metadata object.
  bool has_metadata = false;
  FixtureSource source = FixtureSource::InMemory;
};

/// A fixture file could not be read or understood. what() is the diagnostic's message: the file,
/// the place (line and column, or a JSON Pointer such as "/Entries/2/StatusCode"), a stable id,
/// what was expected and what was found.
class FixtureError : public std::runtime_error {
 public:
  explicit FixtureError(Diagnostic diagnostic);
  const Diagnostic& diagnostic() const noexcept { return diagnostic_; }
  const std::string& file() const noexcept { return diagnostic_.file; }
  const std::string& where() const noexcept { return diagnostic_.where; }
  const std::string& expected() const noexcept { return diagnostic_.expected; }
  const std::string& found() const noexcept { return diagnostic_.found; }

 private:
  Diagnostic diagnostic_;
};

/// Reads a fixture file of any supported shape; throws FixtureError.
Fixture load_fixture(const std::string& path);
/// Parses fixture text; `name` is used in error messages in place of a file name.
Fixture parse_fixture(std::string_view text, const std::string& name);
/// A fixture opened for playback. Opening reads the metadata and the variables, checks the text
/// of every entry and keeps each entry's method, URI and place; the rest of an entry (headers,
/// bodies) is read from the text when first asked for. A large fixture so opens several times
/// faster than load_fixture() reads it and holds little more than its file (mapped, not copied),
/// while a test reads only the entries it replays. Immutable and thread-safe.
class OpenedFixture {
 public:
  /// A fixture already read: every entry at hand.
  explicit OpenedFixture(std::shared_ptr<const Fixture> fixture);
  ~OpenedFixture();
  OpenedFixture(const OpenedFixture&) = delete;
  OpenedFixture& operator=(const OpenedFixture&) = delete;

  /// The number of entries.
  std::size_t size() const;
  /// Entry `i` (< size()), read on first use; every call returns the same object.
  const Entry& entry(std::size_t i) const;
  /// Entry `i`'s method and URI, without reading the rest of it.
  std::string_view method(std::size_t i) const;
  std::string_view uri(std::size_t i) const;
  /// Metadata, variables, source; its `entries` are empty when they are read on first use.
  const Fixture& head() const;
  /// The whole fixture, every entry read: made by the first call, shared by later ones.
  std::shared_ptr<const Fixture> whole() const;
  /// True when entries are read on first use (not all read at opening).
  bool lazy() const { return lazy_ != nullptr; }

  struct Lazy;
  /// Internal: made by open_fixture().
  explicit OpenedFixture(std::unique_ptr<Lazy> lazy);

 private:
  std::shared_ptr<const Fixture> eager_;
  std::unique_ptr<Lazy> lazy_;
};

/// Opens a fixture file for playback, with load_fixture()'s errors: every entry is checked now,
/// so entry() never fails later. Files of 256 KiB or more are mapped and their entries read on
/// first use; smaller files, and shapes only the reference reader reads (the legacy recorder's),
/// are read whole. The file must not be rewritten in place while it is open (kvharness replaces
/// files by renaming a new one over them, which is safe).
std::shared_ptr<const OpenedFixture> open_fixture(const std::string& path);

namespace detail {
/// The reference reader that parse_fixture() falls back to: a whole document, then the
/// conversion. Slower; kept for every shape the fast reader does not read, and for tests that
/// check both agree.
Fixture parse_fixture_document(std::string_view text, const std::string& name);
/// open_fixture() of text held in memory, entries read on first use whatever its size (tests
/// compare this path with the others on small texts).
std::shared_ptr<const OpenedFixture> open_fixture_text(std::string text, const std::string& name);
}  // namespace detail

/// The fixture as JSON in the test-proxy shape with our metadata object.
Json fixture_to_json(const Fixture& fixture);
/// The pretty-printed file content (two-space indent, LF, trailing newline).
std::string serialize_fixture(const Fixture& fixture);
/// Writes the fixture atomically: temp file in the same folder, fsync, rename. On failure the
/// previous file is intact and std::runtime_error names the path and the system error.
void save_fixture(const Fixture& fixture, const std::string& path);

}  // namespace kv::harness
