// check's staleness and weakening findings: recordedAt older than --max-age, another
// api-version, a stored sanitizer set that does not match its digest; whole messages.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "kv/harness/sanitizer.hpp"
#include "kv/scenario/checker.hpp"

namespace fs = std::filesystem;
using kv::scenario::check_paths;
using kv::scenario::CheckOptions;

namespace {

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// scenarios/missing_secret.json and its recording, edited by `edit`, in a fresh folder that is
// the current directory while the object lives (the messages name relative paths).
struct Library {
  fs::path root;
  fs::path previous = fs::current_path();
  explicit Library(const std::function<void(nlohmann::ordered_json&)>& edit) {
    std::string pattern = (fs::temp_directory_path() / "kvharness-staleness-XXXXXX").string();
    root = mkdtemp(pattern.data());
    fs::create_directories(root / "scenarios");
    fs::create_directories(root / "recordings");
    const fs::path source = KV_SOURCE_DIR;
    fs::copy_file(source / "scenarios/missing_secret.json", root / "scenarios/missing_secret.json");
    auto fixture = nlohmann::ordered_json::parse(read(source / "recordings/missing_secret.json"));
    edit(fixture);
    std::ofstream(root / "recordings/missing_secret.json") << fixture.dump(2) << "\n";
    fs::current_path(root);
  }
  ~Library() {
    fs::current_path(previous);
    std::error_code ec;
    fs::remove_all(root, ec);
  }
};

// 2026-12-01T00:00:00Z.
const auto kNow = std::chrono::system_clock::from_time_t(1796083200);

std::string messages(const CheckOptions& options) {
  std::string out;
  for (const auto& d : check_paths({"scenarios"}, options).problems) out += d.message() + "\n";
  return out;
}

}  // namespace

TEST_CASE("check --max-age flags a recording older than the limit and leaves newer ones alone",
          "[scenario][check][staleness]") {
  Library library([](auto& f) { f["kvharness"]["recordedAt"] = "2026-08-23T00:00:00Z"; });
  CheckOptions options;
  options.now = kNow;
  CHECK(messages(options).empty());  // no --max-age: age is not checked
  options.max_age_days = 30;
  CHECK(messages(options) ==
        "recordings/missing_secret.json: error at /kvharness/recordedAt [stale-recording]\n"
        "  expected: recorded in the last 30 days (on or after 2026-11-01T00:00:00Z)\n"
        "  found:    2026-08-23T00:00:00Z (100 days ago)\n"
        "  hint:     re-record it, and check the drift first: kvharness verify\n");
  options.max_age_days = 100;
  CHECK(messages(options).empty());
}

TEST_CASE("check --max-age warns about a recording without a date",
          "[scenario][check][staleness]") {
  Library library([](auto& f) { f["kvharness"].erase("recordedAt"); });
  CheckOptions options;
  options.now = kNow;
  options.max_age_days = 30;
  const auto report = check_paths({"scenarios"}, options);
  CHECK(report.ok());
  CHECK(messages(options) ==
        "recordings/missing_secret.json: warning at /kvharness/recordedAt [unknown-age]\n"
        "  expected: a recordedAt date (checking --max-age 30)\n"
        "  found:    none\n"
        "  hint:     an older or foreign recording; re-record it to date it\n");
}

TEST_CASE(
    "check flags a recording made with another api-version than the client's or the one given",
    "[scenario][check][staleness]") {
  Library library([](auto& f) { f["kvharness"]["apiVersion"] = "7.4"; });
  CheckOptions options;
  CHECK(messages(options) ==
        "recordings/missing_secret.json: error at /kvharness/apiVersion [api-version-mismatch]\n"
        "  expected: api-version 7.5 (what the client sends by default)\n"
        "  found:    7.4\n"
        "  hint:     re-record it with the client's api-version, or check with --api-version\n");
  options.api_version = "7.4";
  CHECK(messages(options).empty());
  options.api_version = "2025-07-01";
  CHECK(messages(options).find("  expected: api-version 2025-07-01 (from --api-version)\n") !=
        std::string::npos);
}

TEST_CASE("A recording without a scenario is held to an api-version only when one is given",
          "[scenario][check][staleness]") {
  // Another program's recording (one made through kvharness proxy by an official SDK).
  Library library([](auto& f) { f["kvharness"]["apiVersion"] = "7.6-preview.2"; });
  fs::rename("recordings/missing_secret.json", "recordings/sdk-program.json");
  const std::string orphan =
      "recordings/sdk-program.json: error [orphan-recording]\n"
      "  expected: a scenario at scenarios/sdk-program.json\n"
      "  found:    none\n"
      "  hint:     delete the recording or add the scenario\n";
  auto check_recordings = [](const CheckOptions& options) {
    std::string out;
    for (const auto& d : check_paths({"recordings"}, options).problems) out += d.message() + "\n";
    return out;
  };
  CHECK(check_recordings({}) == orphan);
  CheckOptions options;
  options.api_version = "7.5";
  CHECK(check_recordings(options) ==
        "recordings/sdk-program.json: error at /kvharness/apiVersion [api-version-mismatch]\n"
        "  expected: api-version 7.5 (from --api-version)\n"
        "  found:    7.6-preview.2\n"
        "  hint:     re-record it with the client's api-version, or check with --api-version\n" +
            orphan);
}

TEST_CASE("Without metadata the api-version comes from the first request",
          "[scenario][check][staleness]") {
  Library library([](auto& f) {
    f.erase("kvharness");
    for (auto& e : f["Entries"]) {
      std::string uri = e["RequestUri"];
      e["RequestUri"] = uri.replace(uri.find("api-version=7.5"), 15, "api-version=7.3");
    }
  });
  CHECK(messages({}) ==
        "recordings/missing_secret.json: error at /Entries/0/RequestUri [api-version-mismatch]\n"
        "  expected: api-version 7.5 (what the client sends by default)\n"
        "  found:    7.3\n"
        "  hint:     re-record it with the client's api-version, or check with --api-version\n");
}

TEST_CASE("check reports a stored sanitizer set that does not match its digest",
          "[scenario][check][staleness]") {
  std::string digest;
  Library library([&](auto& f) {
    f["kvharness"]["sanitizersDigest"] =
        kv::harness::sanitizer_set_digest(f["kvharness"]["sanitizers"]);
    digest = f["kvharness"]["sanitizersDigest"];
    f["kvharness"]["sanitizers"]["bodyKeys"] = nlohmann::ordered_json::array();
  });
  nlohmann::ordered_json edited = nlohmann::ordered_json::parse(
      read("recordings/missing_secret.json"))["kvharness"]["sanitizers"];
  CHECK(messages({}) ==
        "recordings/missing_secret.json: error at /kvharness/sanitizersDigest "
        "[sanitizers-digest-mismatch]\n"
        "  expected: the digest of /kvharness/sanitizers: " +
            kv::harness::sanitizer_set_digest(edited) +
            "\n"
            "  found:    " +
            digest +
            "\n"
            "  hint:     the stored sanitizer set was edited by hand; re-record it\n");
}
