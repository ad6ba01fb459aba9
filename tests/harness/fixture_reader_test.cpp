// The fast fixture reader against the reference (document) reader: the same fixtures from the
// same files, the same refusals, bounded nesting, and large files read through a mapping.
#include <catch2/catch.hpp>

#include <filesystem>
#include <optional>
#include <thread>

#include "kv/harness/fixture.hpp"
#include "skip.hpp"
#include "test_paths.hpp"

using namespace kv;
using namespace kv::harness;
namespace fs = std::filesystem;

namespace {

void check_same_body(const Body& fast, const Body& reference) {
  CHECK(fast.kind == reference.kind);
  if (fast.kind == Body::Kind::Json) {
    // Compared as JSON: the fast reader keeps the file's escapes ("\u00e9", "\/"), the
    // reference re-serialises.
    CHECK(fast.json() == reference.json());
  } else {
    CHECK(fast.bytes == reference.bytes);
  }
}

void check_same(const Fixture& fast, const Fixture& reference) {
  REQUIRE(fast.entries.size() == reference.entries.size());
  for (std::size_t i = 0; i < fast.entries.size(); ++i) {
    INFO("entry " << i);
    const Entry& a = fast.entries[i];
    const Entry& b = reference.entries[i];
    CHECK(a.request_uri == b.request_uri);
    CHECK(a.request_method == b.request_method);
    CHECK(a.request_headers == b.request_headers);
    check_same_body(a.request_body, b.request_body);
    CHECK(a.request_body_recorded == b.request_body_recorded);
    CHECK(a.status_code == b.status_code);
    CHECK(a.response_headers == b.response_headers);
    check_same_body(a.response_body, b.response_body);
  }
  CHECK(fast.variables == reference.variables);
  CHECK(fast.has_metadata == reference.has_metadata);
  CHECK(fast.metadata.api_version == reference.metadata.api_version);
  CHECK(fast.metadata.recorded_at == reference.metadata.recorded_at);
  CHECK(fast.metadata.sanitizers == reference.metadata.sanitizers);
  CHECK(fast.metadata.match_rules == reference.metadata.match_rules);
  CHECK(fast.source == reference.source);
}

std::vector<fs::path> json_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& item : fs::recursive_directory_iterator(dir)) {
    if (item.path().extension() == ".json") out.push_back(item.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The outcome of reading `text`: "ok" or the error message.
std::string outcome(std::string_view text, bool reference) {
  try {
    if (reference) {
      (void)detail::parse_fixture_document(text, "t.json");
    } else {
      (void)parse_fixture(text, "t.json");
    }
    return "ok";
  } catch (const FixtureError& e) {
    return e.what();
  }
}

// Entry `i` of a large fixture: secret s-i, 200, a JSON body whose value is `value_size` 'v's and
// i.
Entry secret_entry(int i, const char* method, std::size_t value_size) {
  Entry e;
  e.request_method = method;
  e.request_uri =
      "https://fakevault.vault.azure.net/secrets/s-" + std::to_string(i) + "?api-version=7.5";
  e.status_code = 200;
  e.response_headers.add("Content-Type", "application/json; charset=utf-8");
  e.response_body = Body::from_json(
      Json{{"value", std::string(value_size, 'v') + std::to_string(i)}, {"id", e.request_uri}});
  return e;
}

// Opens `text` lazily (detail::open_fixture_text) and checks it against parse_fixture(): the
// same refusal, or the same entries, method and URI views included.
void check_opened(const std::string& text) {
  std::string eager_error, lazy_error;
  std::optional<Fixture> eager;
  std::shared_ptr<const OpenedFixture> opened;
  try {
    eager = parse_fixture(text, "t.json");
  } catch (const FixtureError& e) {
    eager_error = e.what();
  }
  try {
    opened = detail::open_fixture_text(text, "t.json");
  } catch (const FixtureError& e) {
    lazy_error = e.what();
  }
  REQUIRE(lazy_error == eager_error);
  if (!eager) return;
  REQUIRE(opened->size() == eager->entries.size());
  for (std::size_t i = 0; i < opened->size(); ++i) {
    CHECK(opened->method(i) == eager->entries[i].request_method);
    CHECK(opened->uri(i) == eager->entries[i].request_uri);
  }
  check_same(*opened->whole(), *eager);
  CHECK(opened->head().variables == eager->variables);
}

}  // namespace

TEST_CASE("The fast reader reads every committed recording as the reference reader does",
          "[fixture][playback]") {
  int files = 0;
  for (const char* dir : {"recordings", "examples/recordings"}) {
    for (const auto& path : json_files(fs::path(KV_SOURCE_DIR) / dir)) {
      INFO(path.string());
      const std::string text = test::read_text(path);
      check_same(parse_fixture(text, path.string()),
                 detail::parse_fixture_document(text, path.string()));
      check_opened(text);
      ++files;
    }
  }
  CHECK(files >= 20);
}

TEST_CASE(
    "The fast reader reads every real recording as the reference reader does (needs ../shared)",
    "[fixture][playback][real]") {
  const auto dir = test::real_recordings();
  if (dir.empty()) KV_SKIP("../shared/real-recordings is missing (a fresh clone has no ../shared)");
  int files = 0;
  for (const auto& path : json_files(dir)) {
    INFO(path.string());
    const std::string text = test::read_text(path);
    check_same(parse_fixture(text, path.string()),
               detail::parse_fixture_document(text, path.string()));
    check_opened(text);
    ++files;
  }
  CHECK(files == 42);
}

TEST_CASE(
    "Bodies and strings the fast reader decodes are accepted and refused as nlohmann/json does",
    "[fixture][playback]") {
  // Each case is a response body placed in an otherwise valid fixture.
  const std::vector<std::string> bodies = {
      R"({"a":"plain"})",
      R"({"a":"esc \" \\ \/ \b \f \n \r \t"})",
      R"({"a":"\u00e9\u20ac\ud83d\ude00"})",
      R"({"a":"\ud83d"})",             // a lone high surrogate
      R"({"a":"\ude00"})",             // a lone low surrogate
      R"({"a":"\ud83d\u0041"})",       // a high surrogate without its low one
      R"({"a":"\x"})",                 // an unknown escape
      R"({"a":"\u12"})",               // a short \u escape
      "{\"a\":\"caf\xc3\xa9\"}",       // UTF-8
      "{\"a\":\"\xc3\"}",              // truncated UTF-8
      "{\"a\":\"\xed\xa0\x80\"}",      // an encoded surrogate
      "{\"a\":\"\xf4\x90\x80\x80\"}",  // beyond U+10FFFF
      "{\"a\":\"tab\there\"}",         // a raw control character
      R"({"a":[1,-0,0.5,1e3,-2.5E-3,123456789012345678901234567890]})",
      R"({"a":1e400})",
      R"({"a":01})",
      R"({"a":1.})",
      R"({"a":.5})",
      R"({"a":-})",
      R"({"a":tru})",
      R"({"a":[1,2,]})",
      R"({"a":1,})",
      R"({"a" 1})",
      R"([{"a":null},[],{}])",
  };
  for (const auto& body : bodies) {
    const std::string text =
        R"({"Entries":[{"RequestUri":"https://v/x","RequestMethod":"GET",)"
        R"("StatusCode":200,"ResponseHeaders":{"Content-Type":"application/json"},)"
        R"("ResponseBody":)" +
        body + "}]}";
    INFO(body);
    const std::string fast = outcome(text, false);
    const std::string reference = outcome(text, true);
    CHECK(fast == reference);
    if (fast == "ok") {
      check_same(parse_fixture(text, "t.json"), detail::parse_fixture_document(text, "t.json"));
    }
    check_opened(text);
  }
}

TEST_CASE("Pretty-printed JSON bodies are read as their compact bytes, strings untouched",
          "[fixture][playback]") {
  // Whitespace of every kind between tokens (runs longer and shorter than eight bytes, one space
  // after a colon, tabs, CR LF), none of it inside strings, escapes kept as written.
  const std::string pretty =
      "{\n          \"value\": \"two  spaces,\\ttab \\\" quote\",\r\n\t\"list\" : [ 1 ,  -2.5e3,"
      "\n                     true,null , { } , [ ]\n], \"id\":\"https://v/secrets/a b\"   }";
  const std::string compact =
      "{\"value\":\"two  spaces,\\ttab \\\" quote\",\"list\":[1,-2.5e3,true,null,{},[]],"
      "\"id\":\"https://v/secrets/a b\"}";
  const std::string text =
      R"({"Entries":[{"RequestUri":"https://v/x","RequestMethod":"PUT",)"
      R"("RequestHeaders":{"Content-Type":"application/json"},"RequestBody":)" +
      pretty + R"(,"StatusCode":200,"ResponseHeaders":{"Content-Type":"application/json"},)" +
      R"("ResponseBody":)" + pretty + "}]}";
  const Fixture fixture = parse_fixture(text, "t.json");
  REQUIRE(fixture.entries.size() == 1);
  CHECK(http::as_text(fixture.entries[0].request_body.bytes) == compact);
  CHECK(http::as_text(fixture.entries[0].response_body.bytes) == compact);
  CHECK(fixture.entries[0].response_body.json()["value"] == "two  spaces,\ttab \" quote");
  check_same(fixture, detail::parse_fixture_document(text, "t.json"));
}

TEST_CASE("Keys given twice are read as the reference reader reads them: the last one wins",
          "[fixture][playback]") {
  const std::string entry = R"({"RequestUri":"https://v/x","RequestMethod":"GET","StatusCode":200,)"
                            R"("ResponseHeaders":{"A":"1","B":"2","A":"3"},"ResponseBody":null})";
  const std::vector<std::string> texts = {
      // a header name twice (found by the fuzzer comparing both readers)
      R"({"Entries":[)" + entry + "]}",
      // a list of values is one key, not a repetition
      R"({"Entries":[{"RequestUri":"https://v/x","RequestMethod":"GET","StatusCode":200,)"
      R"("ResponseHeaders":{"Set-Cookie":["a=1","b=2"],"X":"y"}}]})",
      // a repeated name after an empty list
      R"({"Entries":[{"RequestUri":"https://v/x","RequestMethod":"GET","StatusCode":200,)"
      R"("ResponseHeaders":{"A":"1","A":[]}}]})",
      // the entries, the variables, the metadata twice
      R"({"Entries":[)" + entry + R"(],"Entries":[]})",
      R"({"Entries":[],"Variables":{"a":"1"},"Variables":{"b":"2"}})",
      R"({"Entries":[],"kvharness":{"formatVersion":1,"apiVersion":"7.4"},)"
      R"("kvharness":{"formatVersion":1}})",
  };
  for (const auto& text : texts) {
    INFO(text);
    REQUIRE(outcome(text, false) == outcome(text, true));
    if (outcome(text, false) == "ok") {
      check_same(parse_fixture(text, "t.json"), detail::parse_fixture_document(text, "t.json"));
    }
    check_opened(text);
  }
  const Fixture twice = parse_fixture(texts[0], "t.json");
  REQUIRE(twice.entries.size() == 1);
  CHECK(twice.entries[0].response_headers.size() == 2);
  CHECK(*twice.entries[0].response_headers.find("A") == "3");
  CHECK(parse_fixture(texts[1], "t.json").entries[0].response_headers.size() == 3);
}

TEST_CASE("Nesting deeper than the limit is refused with a diagnostic, not a crash",
          "[fixture][playback]") {
  for (const std::size_t depth : {300ul, 100'000ul}) {
    std::string body(depth, '[');
    body += std::string(depth, ']');
    const std::string text = R"({"Entries":[{"RequestUri":"https://v/x","RequestMethod":"GET",)"
                             R"("StatusCode":200,"ResponseBody":)" +
                             body + "}]}";
    try {
      (void)parse_fixture(text, "deep.json");
      FAIL("accepted");
    } catch (const FixtureError& e) {
      CHECK(e.diagnostic().id == "too-deep");
      CHECK(e.diagnostic().where == "line 1, column 348");
      CHECK(std::string(e.what()).rfind("deep.json: error at line 1, column 348 [too-deep]\n", 0) ==
            0);
    }
  }
  // Deep nesting in a part the fast reader hands to the reference reader is caught too.
  const std::string legacy =
      "{\"networkCallRecords\":" + std::string(100'000, '[') + std::string(100'000, ']') + "}";
  CHECK_THROWS_WITH(parse_fixture(legacy, "legacy.json"), Catch::Contains("[too-deep]"));
}

TEST_CASE("A large fixture is read through a mapping into the same entries",
          "[fixture][playback]") {
  test::ScratchDir dir("large-load");
  Fixture fixture;
  for (int i = 0; i < 4000; ++i) {
    Entry e = secret_entry(i, "GET", 200);
    e.request_headers.add("Accept", "application/json");
    fixture.entries.push_back(std::move(e));
  }
  const std::string path = dir.file("large.json");
  save_fixture(fixture, path);
  REQUIRE(fs::file_size(path) > (1u << 20));  // over the mapping threshold
  const Fixture loaded = load_fixture(path);
  check_same(loaded, detail::parse_fixture_document(test::read_text(path), path));
  CHECK(loaded.entries.back().response_body.json()["value"] == std::string(200, 'v') + "3999");
}

TEST_CASE("An opened fixture's entries, read on first use, are the entries the readers read",
          "[fixture][playback]") {
  // Each is one entry's members; the cases are those where checking an entry without reading it
  // could go wrong: escapes, lists of values, bodies whose acceptance depends on a header.
  const std::string json_type = R"("Content-Type":"application/json")";
  const std::vector<std::string> entries = {
      // escaped method and URI: decoded copies
      R"("RequestUri":"https:\/\/v\/secrets\/a\u00e9?x=1","RequestMethod":"G\u0045T")",
      // an escaped header name, and an escaped Content-Type value (read eagerly)
      R"("RequestUri":"https://v/x","RequestMethod":"GET","ResponseHeaders":{"X-\u0041":"1"})",
      R"("RequestUri":"https://v/x","RequestMethod":"GET","ResponseHeaders":)"
      R"({"Content-Type":"application\/json"},"ResponseBody":["a","b"])",
      // an array body: JSON with a JSON content type (any case, first of a list), else refused
      R"("RequestUri":"https://v/x","RequestMethod":"GET","ResponseHeaders":{)" + json_type +
          R"(},"ResponseBody":["a"])",
      R"("RequestUri":"https://v/x","RequestMethod":"GET","ResponseHeaders":)"
      R"({"content-type":["application/json","text/plain"]},"ResponseBody":["a"])",
      R"("RequestUri":"https://v/x","RequestMethod":"GET","ResponseHeaders":)"
      R"({"Content-Type":"text/plain"},"ResponseBody":["a"])",
      R"("RequestUri":"https://v/x","RequestMethod":"GET","ResponseBody":["a"])",
      // the headers given twice: the last list's Content-Type decides
      R"("RequestUri":"https://v/x","RequestMethod":"GET","ResponseHeaders":{)" + json_type +
          R"(},"ResponseHeaders":{"X":"1"},"ResponseBody":["a"])",
      R"("RequestUri":"https://v/x","RequestMethod":"PUT","RequestHeaders":{)" + json_type +
          R"(},"RequestBody":["a"])",
      // base64 bodies: good, bad, and a base64 encoding on a JSON value
      R"("RequestUri":"https://v/x","RequestMethod":"GET","ResponseBody":"aGVsbG8=",)"
      R"("ResponseBodyEncoding":"base64")",
      R"("RequestUri":"https://v/x","RequestMethod":"GET","ResponseBody":"a!b",)"
      R"("ResponseBodyEncoding":"base64")",
      R"("RequestUri":"https://v/x","RequestMethod":"GET","ResponseBody":{"a":1},)"
      R"("ResponseBodyEncoding":"base64")",
      R"("RequestUri":"https://v/x","RequestMethod":"GET","ResponseBody":"t",)"
      R"("ResponseBodyEncoding":"rot13")",
      // bodies of other types, a text body, an unrecorded request body
      R"("RequestUri":"https://v/x","RequestMethod":"GET","ResponseBody":12)",
      R"("RequestUri":"https://v/x","RequestMethod":"GET","ResponseBody":true)",
      R"("RequestUri":"https://v/x","RequestMethod":"GET","ResponseBody":"plain text")",
      R"("RequestUri":"https://v/x","RequestMethod":"POST","RequestBodyRecorded":false)",
      R"("RequestUri":"https://v/x","RequestMethod":"POST","RequestBodyRecorded":null)",
      // header values of the wrong type, an empty list, a name twice across keys
      R"("RequestUri":"https://v/x","RequestMethod":"GET","ResponseHeaders":{"A":1})",
      R"("RequestUri":"https://v/x","RequestMethod":"GET","ResponseHeaders":{"A":[]})",
      R"("RequestUri":"https://v/x","RequestMethod":"GET","ResponseHeaders":{"A":"1","A":["2"]})",
      R"("RequestUri":"https://v/x","RequestMethod":"GET","RequestHeaders":null)",
      // members missing or of the wrong type
      R"("RequestMethod":"GET")",
      R"("RequestUri":"https://v/x","RequestMethod":7)",
  };
  for (const auto& members : entries) {
    for (const char* status :
         {R"("StatusCode":200)", R"("StatusCode":"404")", R"("StatusCode":9)"}) {
      const std::string text = R"({"Variables":{"v":"1"},"Entries":[{)" + members + "," + status +
                               R"(},{"RequestUri":"https://v/y","RequestMethod":"GET",)"
                               R"("StatusCode":204}]})";
      INFO(text);
      check_opened(text);
    }
  }
  // Broken JSON: the same diagnostic as the readers give.
  check_opened(R"({"Entries":[{"RequestUri":"https://v/x","RequestMethod":"GET",}]})");
  check_opened(R"({"Entries":[{"RequestUri":"https://v/x\q","RequestMethod":"GET"}]})");
  check_opened(R"({"networkCallRecords":[]})");
}

TEST_CASE("A large fixture opens mapped, entries read on first use, once, from any thread",
          "[fixture][playback]") {
  test::ScratchDir dir("large-open");
  Fixture fixture;
  for (int i = 0; i < 2000; ++i) {
    Entry e = secret_entry(i, i % 2 ? "GET" : "PUT", 150);
    e.request_headers.add("Content-Type", "application/json");
    if (i % 2 == 0) e.request_body = Body::from_json(Json{{"value", "v" + std::to_string(i)}});
    fixture.entries.push_back(std::move(e));
  }
  fixture.variables["name"] = "s-1";
  const std::string path = dir.file("large.json");
  save_fixture(fixture, path);
  REQUIRE(fs::file_size(path) > (256u << 10));  // over the threshold of reading lazily
  const auto opened = open_fixture(path);
  CHECK(opened->lazy());
  REQUIRE(opened->size() == 2000);
  CHECK(opened->head().entries.empty());
  CHECK(opened->head().variables.at("name") == "s-1");
  CHECK(opened->method(1) == "GET");
  CHECK(opened->uri(1999) == fixture.entries[1999].request_uri);
  // Four threads read every entry in different orders: one object per entry.
  std::vector<std::vector<const Entry*>> seen(4, std::vector<const Entry*>(2000));
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t k = 0; k < 2000; ++k) {
        const std::size_t i = (k * 7 + t * 501) % 2000;
        seen[t][i] = &opened->entry(i);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (std::size_t i = 0; i < 2000; ++i) {
    INFO("entry " << i);
    for (std::size_t t = 1; t < 4; ++t) CHECK(seen[t][i] == seen[0][i]);
  }
  check_same(*opened->whole(), load_fixture(path));
  CHECK(opened->entry(4).request_body.json()["value"] == "v4");
  CHECK_THROWS_AS(opened->entry(2000), std::out_of_range);

  // A small file is read whole; a damaged large one gives load_fixture()'s diagnostic.
  const std::string small = dir.file("small.json");
  fixture.entries.resize(3);
  save_fixture(fixture, small);
  CHECK_FALSE(open_fixture(small)->lazy());
  std::string text = test::read_text(path);
  text.insert(text.find("\"StatusCode\"", text.size() / 2), ",");  // a syntax error halfway
  const std::string broken = dir.file("broken.json");
  test::write_text(broken, text);
  std::string expected;
  try {
    (void)load_fixture(broken);
  } catch (const FixtureError& e) {
    expected = e.what();
  }
  REQUIRE_FALSE(expected.empty());
  CHECK_THROWS_WITH(open_fixture(broken), expected);
}
