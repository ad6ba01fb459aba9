// kv::harness::Proxy in-process: its rewriting helpers, the control API with many recordings at
// once, playback's challenge, misses and identity answers, bad control calls, and the scenario
// runner's recordings replayed through it.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "in_process_vault.hpp"
#include "kv/curl_transport.hpp"
#include "kv/harness/internal/random.hpp"
#include "kv/harness/proxy.hpp"
#include "kv/url.hpp"
#include "proxy_identity.hpp"
#include "proxy_paths.hpp"
#include "proxy_rewrite.hpp"
#include "raw_tls_client.hpp"

namespace fs = std::filesystem;
using kv::harness::Mode;
using kv::harness::Proxy;
using kv::harness::ProxyOptions;
using nlohmann::json;

namespace {

// A plain HTTPS client of the proxy (libcurl, trusting the proxy's certificate in memory).
class Client {
 public:
  explicit Client(const Proxy& proxy)
      : url_(proxy.url()), transport_([&] {
          kv::http::CurlTransportOptions o;
          o.ca_pem = proxy.certificate_pem();
          return o;
        }()) {}

  kv::http::Response send(const std::string& method, const std::string& target,
                          const std::string& body = {}, kv::http::Headers headers = {}) {
    kv::http::Request request;
    request.method = method;
    request.url = url_ + target;
    request.headers = std::move(headers);
    if (!body.empty() && !request.headers.contains("Content-Type")) {
      request.headers.set("Content-Type", "application/json");
    }
    request.body = kv::http::to_bytes(body);
    return transport_.send(request);
  }

 private:
  std::string url_;
  kv::http::CurlTransport transport_;
};

std::string text(const kv::http::Response& r) {
  return std::string(r.body_text());
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("kvharness-proxy-test-" + kv::harness::random_suffix(10));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// A proxy recording into, and playing back from, `root`, with an in-process vault upstream.
ProxyOptions options_for(const fs::path& root, std::shared_ptr<kv::http::Transport> vault) {
  ProxyOptions o;
  o.recordings_root = root.string();
  o.upstream = "https://upstream.example";
  o.upstream_authority = "https://login.example";
  o.upstream_transport = std::move(vault);
  o.worker_threads = 4;
  o.log = [](const std::string&) {};
  return o;
}

std::string start(Client& client, const std::string& what, const std::string& file) {
  auto r = client.send("POST", "/" + what + "/Start", json{{"x-recording-file", file}}.dump());
  INFO(text(r));
  REQUIRE(r.status == 200);
  auto id = r.headers.get("x-recording-id");
  REQUIRE(id);
  return *id;
}

}  // namespace

TEST_CASE("Origins are replaced as written, with the default port, JSON-escaped and URL-encoded",
          "[proxy]") {
  kv::harness::detail::OriginRewriter rewriter;
  rewriter.add("https://vault.example", "https://127.0.0.1:5000");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"id":"https://vault.example/secrets/a"})",
       R"({"id":"https://127.0.0.1:5000/secrets/a"})"},
      {R"({"nextLink":"https://vault.example:443/secrets?x"})",
       R"({"nextLink":"https://127.0.0.1:5000/secrets?x"})"},
      {R"({"id":"https:\/\/vault.example\/secrets"})",
       R"({"id":"https:\/\/127.0.0.1:5000\/secrets"})"},
      {"u=https%3A%2F%2Fvault.example%2Fx", "u=https%3A%2F%2F127.0.0.1%3A5000%2Fx"},
      {"https://other.example/secrets", "https://other.example/secrets"},
  };
  for (const auto& [in, out] : cases) {
    INFO(in);
    CHECK(rewriter.apply(in) == out);
  }
  CHECK(kv::harness::detail::origin_of("https://Vault.Example:8443/secrets/a?x=1") ==
        "https://vault.example:8443");
}

TEST_CASE("A challenge's authorization is pointed at the proxy and its resource kept unless given",
          "[proxy]") {
  using kv::harness::detail::rewrite_challenge;
  struct Case {
    std::string challenge, resource, expected, original;
  };
  const std::vector<Case> cases = {
      {R"(Bearer authorization="https://login.example/tenant-1", resource="https://vault.azure.net")",
       "",
       R"(Bearer authorization="https://127.0.0.1:5000/tenant-1", resource="https://vault.azure.net")",
       "https://vault.azure.net"},
      {R"(Bearer authorization="https://fakevault.vault.azure.net/t", resource="https://fakevault.vault.azure.net")",
       "https://127.0.0.1",
       R"(Bearer authorization="https://127.0.0.1:5000/t", resource="https://127.0.0.1")",
       "https://fakevault.vault.azure.net"},
      {R"(Bearer authorization_uri="https://login.example/t/oauth2", scope="https://vault.azure.net/.default")",
       "",
       R"(Bearer authorization_uri="https://127.0.0.1:5000/t/oauth2", scope="https://vault.azure.net/.default")",
       "https://vault.azure.net"},
  };
  for (const auto& c : cases) {
    INFO(c.challenge);
    std::string original;
    CHECK(rewrite_challenge(c.challenge, "https://127.0.0.1:5000", c.resource, &original) ==
          c.expected);
    CHECK(original == c.original);
  }
  CHECK(kv::harness::detail::challenge_tenant(cases[0].challenge) == "tenant-1");
}

TEST_CASE("Form fields are read decoded and replaced by name", "[proxy]") {
  using kv::harness::detail::form_field;
  using kv::harness::detail::replace_form_field;
  const std::string form = "grant_type=client_credentials&client_secret=a%2Bb+c&scope=x";
  CHECK(form_field(form, "client_secret") == "a+b c");
  CHECK(form_field(form, "missing").empty());
  CHECK(replace_form_field(form, "client_secret", "n/w") ==
        "grant_type=client_credentials&client_secret=n%2Fw&scope=x");
}

TEST_CASE("Authority requests are told from vault requests by their path", "[proxy]") {
  using kv::harness::detail::AuthorityKind;
  using kv::harness::detail::classify_authority;
  const std::vector<std::pair<std::string, AuthorityKind>> cases = {
      {"/t1/oauth2/v2.0/token", AuthorityKind::TokenV2},
      {"/t1/oauth2/token", AuthorityKind::TokenV1},
      {"/t1/v2.0/.well-known/openid-configuration", AuthorityKind::OpenIdV2},
      {"/t1/.well-known/openid-configuration", AuthorityKind::OpenIdV1},
      {"/common/discovery/instance?api-version=1.1", AuthorityKind::InstanceDiscovery},
      {"/t1/discovery/v2.0/keys", AuthorityKind::Keys},
      {"/secrets/token?api-version=7.5", AuthorityKind::None},
      {"/secrets/a/oauth2?api-version=7.5", AuthorityKind::None},
  };
  for (const auto& [target, kind] : cases) {
    INFO(target);
    CHECK(classify_authority(target).kind == kind);
  }
}

TEST_CASE("Recording file names are confined to the recordings root", "[proxy]") {
  TempDir root;
  const std::string r = fs::weakly_canonical(root.path).string();
  using kv::harness::detail::resolve_recording_file;
  CHECK(resolve_recording_file(root.path, "tests/a") == fs::path(r) / "tests/a.json");
  CHECK(resolve_recording_file(root.path, r + "/b.json") == fs::path(r) / "b.json");
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"../x.json",
       "x-recording-file \"../x.json\" contains \"..\"; recording files stay inside "
       "the recordings root " +
           root.path.string()},
      {"/etc/passwd", "x-recording-file \"/etc/passwd\" is outside the recordings root " + r +
                          "; give a path relative to it"},
      {"", "x-recording-file is empty"},
  };
  for (const auto& [name, message] : refused) {
    INFO(name);
    try {
      resolve_recording_file(root.path, name);
      FAIL("accepted");
    } catch (const kv::harness::detail::RecordingPathError& e) {
      CHECK(std::string(e.what()) == message);
    }
  }
  fs::create_directory_symlink("/tmp", root.path / "out");
  CHECK_THROWS_AS(resolve_recording_file(root.path, "out/x.json"),
                  kv::harness::detail::RecordingPathError);
}

// Catch2's assertions are not thread-safe: each client thread writes what went wrong into its
// own string, and the test case checks those strings after joining.
TEST_CASE(
    "Eight recordings at once through one proxy each hold exactly their own exchanges, "
    "then replay at once",
    "[proxy]") {
  TempDir root;
  auto vault = std::make_shared<kv::test::InProcessVault>("https://upstream.example");
  constexpr int kTests = 8;
  // The test's exchanges through recording `id`: "" when every answer was the expected one.
  auto flow = [](Client& client, const std::string& id, int i, Mode mode) -> std::string {
    const std::string name = "parallel-" + std::to_string(i);
    kv::http::Headers h = {{"x-recording-id", id},
                           {"x-recording-mode", mode == Mode::Record ? "record" : "playback"},
                           {"Authorization", "Bearer t"}};
    for (int round = 0; round < 3; ++round) {
      const std::string value = "v" + std::to_string(i) + "-" + std::to_string(round);
      auto set = client.send("PUT", "/secrets/" + name + "?api-version=7.5",
                             json{{"value", value}}.dump(), h);
      if (set.status != 200) return "PUT answered " + text(set);
      // The id names the proxy, so that the client keeps talking to it.
      const std::string secret_id = json::parse(text(set))["id"].get<std::string>();
      if (secret_id.rfind("https://127.0.0.1:", 0) != 0) return "id " + secret_id;
      auto got = client.send("GET", "/secrets/" + name + "?api-version=7.5", {}, h);
      if (got.status != 200) return "GET answered " + text(got);
      if (json::parse(text(got))["value"] != value) return "GET gave " + text(got);
    }
    return {};
  };
  auto run_all = [&](const std::function<std::string(int)>& one) {
    std::vector<std::string> problems(kTests);
    std::vector<std::thread> threads;
    for (int i = 0; i < kTests; ++i) {
      threads.emplace_back([&, i] {
        try {
          problems[static_cast<std::size_t>(i)] = one(i);
        } catch (const std::exception& e) {
          problems[static_cast<std::size_t>(i)] = e.what();
        }
      });
    }
    for (auto& t : threads) t.join();
    for (int i = 0; i < kTests; ++i) {
      INFO("test " << i);
      CHECK(problems[static_cast<std::size_t>(i)] == "");
    }
  };
  {
    Proxy proxy(options_for(root.path, vault));
    run_all([&](int i) -> std::string {
      Client client(proxy);
      auto r = client.send("POST", "/Record/Start",
                           json{{"x-recording-file", "parallel/test-" + std::to_string(i)}}.dump());
      if (r.status != 200 || !r.headers.get("x-recording-id")) return "start: " + text(r);
      const std::string id = *r.headers.get("x-recording-id");
      std::string problem = flow(client, id, i, Mode::Record);
      if (!problem.empty()) return problem;
      auto stop = client.send("POST", "/Record/Stop", json{{"run", std::to_string(i)}}.dump(),
                              {{"x-recording-id", id}});
      return stop.status == 200 ? "" : "stop: " + text(stop);
    });
    CHECK(proxy.stop().size() == kTests);
  }
  for (int i = 0; i < kTests; ++i) {
    const auto fixture = kv::harness::load_fixture(
        (root.path / ("parallel/test-" + std::to_string(i) + ".json")).string());
    INFO("test " << i);
    REQUIRE(fixture.entries.size() == 6);
    for (const auto& entry : fixture.entries) {
      CHECK(entry.request_uri == "https://fakevault.vault.azure.net/secrets/parallel-" +
                                     std::to_string(i) + "?api-version=7.5");
      CHECK(*entry.request_headers.get("Authorization") == "Sanitized");
    }
    CHECK(fixture.variables.at("run") == std::to_string(i));
  }

  Proxy proxy(options_for(root.path, nullptr));
  run_all([&](int i) -> std::string {
    Client client(proxy);
    auto r = client.send("POST", "/Playback/Start",
                         json{{"x-recording-file", "parallel/test-" + std::to_string(i)}}.dump());
    if (r.status != 200 || !r.headers.get("x-recording-id")) return "start: " + text(r);
    if (json::parse(text(r)) != json{{"run", std::to_string(i)}}) return "variables " + text(r);
    const std::string id = *r.headers.get("x-recording-id");
    std::string problem = flow(client, id, i, Mode::Playback);
    if (!problem.empty()) return problem;
    auto stop = client.send("POST", "/Playback/Stop", {}, {{"x-recording-id", id}});
    if (stop.status != 200) return "stop: " + text(stop);
    return stop.headers.get("x-kvharness-unused-entries").value_or("") == "0"
               ? ""
               : "unused entries: " + text(stop);
  });
  for (const auto& report : proxy.stop()) CHECK(report.ok);
}

TEST_CASE("Bad control calls and unknown recordings get a clear error, and the proxy goes on",
          "[proxy]") {
  TempDir root;
  { std::ofstream(root.path / "broken.json") << "{\"Entries\": ["; }
  Proxy proxy(options_for(root.path,
                          std::make_shared<kv::test::InProcessVault>("https://upstream.example")));
  Client client(proxy);
  auto message = [](const kv::http::Response& r) {
    return json::parse(text(r))["error"]["message"].get<std::string>();
  };
  auto r = client.send("GET", "/secrets/a?api-version=7.5");
  CHECK(r.status == 400);
  CHECK(message(r) ==
        "kvharness proxy: no recording is open: send x-recording-id (from POST /Record/Start or "
        "/Playback/Start), or start the proxy with --mode and --fixture");
  r = client.send("GET", "/secrets/a?api-version=7.5", {}, {{"x-recording-id", "nope"}});
  CHECK(r.status == 404);
  CHECK(message(r) ==
        "kvharness proxy: no recording is open with x-recording-id nope (started "
        "with POST /Record/Start or /Playback/Start, not yet stopped)");
  r = client.send("POST", "/Record/Start", R"({"x-recording-file": "../escape"})");
  CHECK(r.status == 400);
  CHECK(message(r) ==
        "kvharness proxy: x-recording-file \"../escape\" contains \"..\"; recording files stay "
        "inside the recordings root " +
            root.path.string());
  r = client.send("POST", "/Record/Start", "[1,2]");
  CHECK(r.status == 400);
  CHECK(message(r) ==
        "kvharness proxy: /Record/Start: the body is not a JSON object such as "
        "{\"x-recording-file\": \"tests/name.json\"}");
  r = client.send("POST", "/Playback/Start", R"({"x-recording-file": "broken"})");
  CHECK(r.status == 400);
  CHECK(message(r).find((fs::weakly_canonical(root.path) / "broken.json").string()) !=
        std::string::npos);
  r = client.send("POST", "/Playback/Start", R"({"x-recording-file": "absent"})");
  CHECK(r.status == 404);
  CHECK(message(r).find("fixture not found: ") != std::string::npos);
  r = client.send("POST", "/Playback/Stop", {}, {{"x-recording-id", "nope"}});
  CHECK(r.status == 404);
  r = client.send("POST", "/Admin/AddSanitizer", "{}");
  CHECK(r.status == 501);
  CHECK(message(r) ==
        "kvharness proxy: POST /Admin/AddSanitizer is not supported; the control "
        "API here is POST /Record/Start, POST /Record/Stop, POST /Playback/Start, "
        "POST /Playback/Stop and GET /Admin/IsAlive (docs/proxy.md)");
  r = client.send("GET", "/Admin/IsAlive");
  CHECK(r.status == 200);
  // A recording in record mode refuses a playback request.
  const std::string id = start(client, "Record", "mode");
  r = client.send("GET", "/secrets/a?api-version=7.5", {},
                  {{"x-recording-id", id}, {"x-recording-mode", "playback"}});
  CHECK(r.status == 400);
  CHECK(message(r) ==
        "kvharness proxy: x-recording-mode is playback but recording " + id + " is in record mode");
  // One recording records one upstream, named by its first request.
  r = client.send(
      "GET", "/secrets/a?api-version=7.5", {},
      {{"x-recording-id", id}, {"x-recording-upstream-base-uri", "https://upstream.example/"}});
  CHECK(r.status == 404);  // the vault's own answer: no such secret
  r = client.send(
      "GET", "/secrets/a?api-version=7.5", {},
      {{"x-recording-id", id}, {"x-recording-upstream-base-uri", "https://other.example"}});
  CHECK(r.status == 400);
  CHECK(message(r) == "kvharness proxy: recording " + id +
                          " records https://upstream.example; this request names another "
                          "upstream, https://other.example (one recording records one vault)");
}

TEST_CASE(
    "Playback answers probes with the recorded challenge, tokens itself, and a miss with "
    "the explanation",
    "[proxy]") {
  TempDir root;
  const std::string fixture_path = (root.path / "probe.json").string();
  {
    auto vault = std::make_shared<kv::test::InProcessVault>("https://upstream.example");
    auto options = options_for(root.path, vault);
    options.default_mode = Mode::Record;
    options.default_fixture = fixture_path;
    Proxy proxy(options);
    Client client(proxy);
    vault->challenge_next();
    auto probe = client.send("GET", "/secrets/p?api-version=7.5");
    CHECK(probe.status == 401);
    CHECK(*probe.headers.get("WWW-Authenticate") ==
          "Bearer authorization=\"" + proxy.url() +
              "/00000000-0000-0000-0000-000000000000\", resource=\"https://vault.azure.net\"");
    CHECK(client
              .send("PUT", "/secrets/p?api-version=7.5", R"({"value":"x"})",
                    {{"Authorization", "Bearer t"}})
              .status == 200);
    auto reports = proxy.stop();
    REQUIRE(reports.size() == 1);
    CHECK(reports[0].ok);
    CHECK(reports[0].entries == 2);
  }
  auto options = options_for(root.path, nullptr);
  options.default_mode = Mode::Playback;
  options.default_fixture = fixture_path;
  Proxy proxy(options);
  Client client(proxy);
  auto token = client.send("POST", "/any-tenant/oauth2/v2.0/token",
                           "grant_type=client_credentials&client_id=c&client_secret=s&scope="
                           "https%3A%2F%2Fvault.azure.net%2F.default",
                           {{"Content-Type", "application/x-www-form-urlencoded"}});
  REQUIRE(token.status == 200);
  CHECK(json::parse(text(token))["token_type"] == "Bearer");
  auto openid = client.send("GET", "/any-tenant/v2.0/.well-known/openid-configuration");
  CHECK(json::parse(text(openid))["token_endpoint"] ==
        proxy.url() + "/any-tenant/oauth2/v2.0/token");
  auto probe = client.send("GET", "/secrets/p?api-version=7.5");
  CHECK(probe.status == 401);
  CHECK(*probe.headers.get("WWW-Authenticate") ==
        "Bearer authorization=\"" + proxy.url() +
            "/00000000-0000-0000-0000-000000000000\", resource=\"https://vault.azure.net\"");
  // A second probe: nothing recorded is left for it, so the proxy makes up the challenge.
  probe = client.send("GET", "/secrets/other?api-version=7.5");
  CHECK(probe.status == 401);
  auto miss = client.send("PUT", "/secrets/p?api-version=7.5", R"({"value":"edited"})",
                          {{"Authorization", "Bearer t"}});
  CHECK(miss.status == 400);
  CHECK(text(miss).rfind("kvharness playback: no recorded entry matches the request\n  fixture: " +
                             fixture_path + "\n  request: PUT /secrets/p?api-version=7.5",
                         0) == 0);
  CHECK(text(miss).find("body /value: recorded \"x\" | actual \"edited\"") != std::string::npos);
  auto reports = proxy.stop();
  REQUIRE(reports.size() == 1);
  CHECK_FALSE(reports[0].ok);
  CHECK(reports[0].misses == 1);  // the made-up challenge is not a miss
  CHECK(reports[0].unused == 1);
}

TEST_CASE("The scenario runner's recordings replay through the proxy for a plain HTTP client",
          "[proxy]") {
  int replayed = 0;
  for (const auto& file : fs::directory_iterator(fs::path(KV_SOURCE_DIR) / "recordings")) {
    if (file.path().extension() != ".json") continue;
    const auto fixture = kv::harness::load_fixture(file.path().string());
    ProxyOptions options;
    options.default_mode = Mode::Playback;
    options.default_fixture = file.path().string();
    options.log = [](const std::string&) {};
    Proxy proxy(options);
    Client client(proxy);
    for (const auto& entry : fixture.entries) {
      kv::http::Headers headers;
      for (const auto& [name, value] : entry.request_headers) {
        if (!kv::http::iequals(name, "Content-Length"))
          headers.add(std::string(name), std::string(value));
      }
      const std::string target(kv::url_target(entry.request_uri));
      auto r = client.send(entry.request_method, target,
                           std::string(kv::http::as_text(entry.request_body.bytes)), headers);
      INFO(file.path().filename().string() << ": " << entry.request_method << " " << target);
      CHECK(r.status == entry.status_code);
    }
    auto reports = proxy.stop();
    REQUIRE(reports.size() == 1);
    INFO(reports[0].message);
    CHECK(reports[0].ok);
    ++replayed;
  }
  CHECK(replayed >= 10);
}

TEST_CASE(
    "Malformed HTTP gets a clear refusal and a log line, and a client that goes away "
    "mid-request loses nothing already recorded",
    "[proxy]") {
  TempDir root;
  const std::string fixture_path = (root.path / "vanish.json").string();
  auto vault = std::make_shared<kv::test::InProcessVault>("https://upstream.example");
  auto options = options_for(root.path, vault);
  options.default_mode = Mode::Record;
  options.default_fixture = fixture_path;
  auto lines = std::make_shared<std::vector<std::string>>();
  auto lines_mutex = std::make_shared<std::mutex>();
  options.log = [lines, lines_mutex](const std::string& line) {
    std::lock_guard lock(*lines_mutex);
    lines->push_back(line);
  };
  Proxy proxy(options);
  kv::testing::TlsTrust trust(proxy.certificate_pem());
  {
    kv::testing::RawTlsClient raw(trust, proxy.port());
    REQUIRE(
        raw.send("GET /secrets/a?api-version=7.5 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
                 "Content-Length: 1\r\n\r\nx"));
    auto answer = raw.read_response();
    REQUIRE(answer);
    CHECK(answer->status == 400);
    CHECK(answer->body == "The request has more than one Content-Length field.\n");
  }
  {
    // A whole request, then the client vanishes before reading the answer.
    kv::testing::RawTlsClient raw(trust, proxy.port());
    const std::string body = R"({"value":"kept"})";
    REQUIRE(
        raw.send("PUT /secrets/kept?api-version=7.5 HTTP/1.1\r\nHost: x\r\nAuthorization: "
                 "Bearer t\r\nContent-Type: application/json\r\nContent-Length: " +
                 std::to_string(body.size()) + "\r\n\r\n" + body));
  }
  {
    // Half a request: nothing reaches the vault.
    kv::testing::RawTlsClient raw(trust, proxy.port());
    REQUIRE(
        raw.send("PUT /secrets/half?api-version=7.5 HTTP/1.1\r\nHost: x\r\nContent-Length: "
                 "100\r\n\r\n{\"va"));
  }
  // The vanished client's request is still answered upstream and recorded.
  for (int i = 0; i < 200 && vault->requests() < 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto reports = proxy.stop();
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].ok);
  const auto fixture = kv::harness::load_fixture(fixture_path);
  REQUIRE(fixture.entries.size() == 1);
  CHECK(fixture.entries[0].request_uri ==
        "https://fakevault.vault.azure.net/secrets/kept?api-version=7.5");
  std::lock_guard lock(*lines_mutex);
  CHECK(std::find(lines->begin(), lines->end(),
                  "refused a request: The request has more than one Content-Length field.") !=
        lines->end());
}

TEST_CASE("to_proxy_options checks what a command line gives the proxy", "[proxy]") {
  using kv::harness::ProxyCommandLine;
  using kv::harness::to_proxy_options;
  ProxyCommandLine line;
  line.mode = "record";
  line.fixture = "app.json";
  line.port = 5443;
  const ProxyOptions options = to_proxy_options(line);
  CHECK(options.default_mode == Mode::Record);
  CHECK(options.default_fixture == "app.json");
  CHECK(options.port == 5443);

  auto refused = [](ProxyCommandLine l, const std::string& message) {
    CHECK_THROWS_WITH(to_proxy_options(std::move(l)), message);
  };
  ProxyCommandLine port = line;
  port.port = 70000;
  refused(port, "--port must be 0..65535");
  ProxyCommandLine live = line;
  live.mode = "live";
  refused(live, "--mode live is not a proxy mode (record or playback)");
  ProxyCommandLine no_fixture = line;
  no_fixture.fixture.clear();
  refused(no_fixture, "--mode needs --fixture (control-API recordings choose their own)");
  ProxyCommandLine half = line;
  half.options.cert_file = "cert.pem";
  refused(half, "--cert and --key go together");
}

TEST_CASE("The proxy reads and parses its rules file when it starts; errors name the file",
          "[proxy]") {
  const fs::path dir = fs::temp_directory_path() / ("kv-proxy-rules-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string bad = (dir / "bad-rules.json").string();
  std::ofstream(bad) << R"({"sanitize": {"bodyKeys": 7}})";
  ProxyOptions options;
  options.rules_file = bad;
  try {
    Proxy proxy(options);
    FAIL("a proxy with a bad rules file started");
  } catch (const std::exception& e) {
    CHECK(std::string(e.what()).find(bad) != std::string::npos);
  }
  options.rules_file = (dir / "missing.json").string();
  CHECK_THROWS_WITH(Proxy(options),
                    options.rules_file + ": cannot open: No such file or directory");
  fs::remove_all(dir);
}
