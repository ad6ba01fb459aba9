// Every response recorded from the real service (../shared/real-recordings) goes through the
// SecretClient operation that made it: successes parse into the right model, errors map to
// RequestFailedException with the recorded status and error code.
#include <algorithm>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include "skip.hpp"

#include "scripted_transport.hpp"

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct Exchange {
  std::string source;  // file and entry index, for failure messages
  std::string method;
  std::string url;
  kv::http::Response response;
};

kv::http::Headers read_headers(const json& object, const std::set<std::string>& skip = {}) {
  kv::http::Headers headers;
  for (const auto& [name, value] : object.items()) {
    if (skip.count(name)) continue;
    if (value.is_string()) headers.add(name, value.get<std::string>());
    if (value.is_array()) {
      for (const auto& part : value) headers.add(name, part.get<std::string>());
    }
  }
  return headers;
}

std::vector<Exchange> load(const fs::path& file) {
  std::ifstream in(file);
  json document = json::parse(in);
  std::vector<Exchange> out;
  if (auto entries = document.find("Entries"); entries != document.end()) {
    // Test-proxy format: JSON bodies are embedded as JSON.
    for (std::size_t i = 0; i < entries->size(); ++i) {
      const json& entry = (*entries)[i];
      Exchange exchange{file.string() + " Entries[" + std::to_string(i) + "]",
                        entry.at("RequestMethod"),
                        entry.at("RequestUri"),
                        {}};
      exchange.response.status = entry.at("StatusCode");
      exchange.response.headers = read_headers(entry.value("ResponseHeaders", json::object()));
      const json& body = entry.value("ResponseBody", json());
      if (!body.is_null()) {
        exchange.response.body =
            kv::http::to_bytes(body.is_string() ? body.get<std::string>() : body.dump());
      }
      out.push_back(std::move(exchange));
    }
  } else if (auto records = document.find("networkCallRecords"); records != document.end()) {
    // Legacy cpp recorder: the body is a JSON string, the status a string, headers inline.
    for (std::size_t i = 0; i < records->size(); ++i) {
      const json& record = (*records)[i];
      const json& response = record.at("Response");
      Exchange exchange{file.string() + " networkCallRecords[" + std::to_string(i) + "]",
                        record.at("Method"),
                        record.at("Url"),
                        {}};
      exchange.response.status = std::stoi(response.at("STATUS_CODE").get<std::string>());
      exchange.response.headers = read_headers(response, {"STATUS_CODE", "BODY"});
      exchange.response.body = kv::http::to_bytes(response.value("BODY", ""));
      out.push_back(std::move(exchange));
    }
  }
  return out;
}

std::vector<std::string> segments(const kv::Url& url) {
  std::vector<std::string> out;
  std::string path = url.path();
  std::size_t start = 1;
  while (start < path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

// The name the service put in the body, when the id survived sanitizing.
void check_name(const std::string& parsed, const std::string& expected, const std::string& id) {
  if (id.rfind("http", 0) == 0) {
    CHECK(kv::http::iequals(parsed, expected));
  } else {
    CHECK(parsed.empty());
  }
}

// Runs the operation that produced `exchange`; returns false when it is not a secrets request.
bool replay(const Exchange& exchange, const kv::http::Response& response) {
  kv::Url url(exchange.url);
  auto path = segments(url);
  if (path.empty() || (path[0] != "secrets" && path[0] != "deletedsecrets")) return false;

  kvtest::ClientFixture f;
  f.vault = url.authority_url();
  f.options.Retry.MaxRetries = 0;
  f.transport->respond(response.status, std::string(response.body_text()), response.headers);
  kv::SecretClient client = f.client();
  json body = json::parse(response.body_text(), nullptr, false);
  std::string id = body.is_object() ? body.value("id", "") : "";
  const std::string& m = exchange.method;
  const bool deleted = path[0] == "deletedsecrets";
  const std::size_t n = path.size();

  if (!deleted && m == "PUT" && n == 2) {
    check_name(client.SetSecret(path[1], "v").Value.Name, path[1], id);
  } else if (!deleted && m == "GET" && n == 1) {
    kv::GetPropertiesOfSecretsOptions options;
    if (url.query_value("$skiptoken")) options.NextPageToken = exchange.url;
    auto page = client.GetPropertiesOfSecrets(options);
    CHECK(page.Items.size() == body.at("value").size());
    for (const auto& item : page.Items) CHECK_FALSE(item.Name.empty());
  } else if (!deleted && m == "GET" && n == 3 && path[2] == "versions") {
    auto page = client.GetPropertiesOfSecretsVersions(path[1]);
    CHECK(page.Items.size() == body.at("value").size());
    for (const auto& item : page.Items) CHECK_FALSE(item.Version.empty());
  } else if (!deleted && m == "GET" && (n == 2 || n == 3)) {
    auto secret = client.GetSecret(path[1], n == 3 ? path[2] : "").Value;
    check_name(secret.Name, path[1], id);
    if (n == 3 && !secret.Name.empty()) CHECK(secret.Properties.Version == path[2]);
  } else if (!deleted && m == "PATCH" && n == 3) {
    kv::SecretProperties properties(path[1]);
    properties.Version = path[2];
    check_name(client.UpdateSecretProperties(properties).Value.Name, path[1], id);
  } else if (!deleted && m == "DELETE" && n == 2) {
    auto operation = client.StartDeleteSecret(path[1]);
    CHECK(kv::http::iequals(operation.Value().Name, path[1]));  // from recoveryId if need be
    CHECK(operation.Value().DeletedOn.HasValue());
  } else if (!deleted && m == "POST" && n == 2 && path[1] == "restore") {
    auto secret = client.RestoreSecretBackup({1, 2, 3}).Value;
    CHECK((secret.Name.empty() == (id.rfind("http", 0) != 0)));
  } else if (!deleted && m == "POST" && n == 3 && path[2] == "backup") {
    auto blob = client.BackupSecret(path[1]).Value.Secret;
    const std::string magic = "AzureKeyVaultSecretBackupV1.microsoft.com";
    REQUIRE(blob.size() > magic.size() + 1);
    CHECK(blob[0] == magic.size());
    CHECK(std::string(blob.begin() + 1, blob.begin() + 1 + magic.size()) == magic);
  } else if (deleted && m == "GET" && n == 1) {
    auto page = client.GetDeletedSecrets();
    CHECK(page.Items.size() == body.at("value").size());
    for (const auto& item : page.Items) CHECK_FALSE(item.RecoveryId.ValueOr("").empty());
  } else if (deleted && m == "GET" && n == 2) {
    auto secret = client.GetDeletedSecret(path[1]).Value;
    CHECK(kv::http::iequals(secret.Name, path[1]));
    CHECK(secret.ScheduledPurgeDate.HasValue());
  } else if (deleted && m == "DELETE" && n == 2) {
    client.PurgeDeletedSecret(path[1]);
  } else if (deleted && m == "POST" && n == 3 && path[2] == "recover") {
    check_name(client.StartRecoverDeletedSecret(path[1]).Value().Name, path[1], id);
  } else {
    FAIL("no operation for " << m << " " << exchange.url);
  }
  CHECK(f.transport->requests().size() == 1);
  CHECK(f.transport->last().method == m);
  return true;
}

std::vector<fs::path> recording_files() {
  std::vector<fs::path> files;
  const fs::path root = fs::path(KV_SHARED_DIR) / "real-recordings";
  if (!fs::exists(root)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("Every real recorded response replays through its operation (needs ../shared)") {
  auto files = recording_files();
  if (files.empty()) {
    KV_SKIP(KV_SHARED_DIR << "/real-recordings is missing (a fresh clone has no ../shared)");
  }
  int successes = 0;
  int errors = 0;
  int challenges = 0;
  for (const auto& file : files) {
    for (const auto& exchange : load(file)) {
      INFO(exchange.source << ": " << exchange.method << " " << exchange.url << " -> "
                           << exchange.response.status);
      kv::http::Response response = exchange.response;
      if (response.status == 401) {
        // The challenge itself is checked in the next test; here the 401 is returned as is.
        response.headers.erase("WWW-Authenticate");
      }
      if (response.status < 400) {
        if (replay(exchange, response)) ++successes;
        continue;
      }
      json body = json::parse(response.body_text());
      try {
        if (!replay(exchange, response)) continue;
        FAIL("no exception");
      } catch (const kv::RequestFailedException& e) {
        CHECK(e.StatusCode == response.status);
        CHECK(e.ErrorCode == body.at("error").at("code").get<std::string>());
        CHECK(e.Message == body.at("error").at("message").get<std::string>());
        ++errors;
        if (response.status == 401) ++challenges;
      }
    }
  }
  // The recordings hold 350 successful and 53 failed secrets exchanges (12 of them 401s): a lower
  // count means exchanges were silently skipped.
  CHECK(successes >= 350);
  CHECK(errors >= 53);
  CHECK(challenges >= 12);
}

TEST_CASE("Every real recorded 401 challenge is accepted for its vault (needs ../shared)") {
  auto files = recording_files();
  if (files.empty()) {
    KV_SKIP(KV_SHARED_DIR << "/real-recordings is missing (a fresh clone has no ../shared)");
  }
  int challenges = 0;
  for (const auto& file : files) {
    for (const auto& exchange : load(file)) {
      if (exchange.response.status != 401) continue;
      INFO(exchange.source);
      REQUIRE(exchange.response.headers.contains("WWW-Authenticate"));
      kvtest::ClientFixture f;
      f.vault = kv::Url(exchange.url).authority_url();
      f.transport->respond(401, std::string(exchange.response.body_text()),
                           exchange.response.headers);
      f.transport->respond_json(200, kvtest::secret_bundle("probe", "v", "x"));
      CHECK(f.client().GetSecret("probe").Value.Value == "x");
      CHECK(f.transport->requests().size() == 2);
      ++challenges;
    }
  }
  CHECK(challenges >= 12);
}
