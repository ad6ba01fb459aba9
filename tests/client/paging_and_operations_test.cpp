// List pages that follow nextLink, and the delete and recover long-running operations.
#include <catch2/catch.hpp>

#include "scripted_transport.hpp"

using kvtest::ClientFixture;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {
json item(const std::string& name) {
  return {{"id", "https://myvault.vault.azure.net/secrets/" + name},
          {"attributes", {{"enabled", true}, {"created", 1}, {"updated", 2}}},
          {"contentType", "text/plain"}};
}
}  // namespace

TEST_CASE("GetPropertiesOfSecrets follows nextLink across three pages") {
  ClientFixture f;
  f.transport->respond_json(200, {{"value", {item("a"), item("b")}},
                                  {"nextLink",
                                   "https://myvault.vault.azure.net:443/"
                                   "secrets?api-version=7.2&$skiptoken=eyJ+Tm/8=&maxresults=2"}});
  f.transport->respond_json(200, {{"value", {item("c")}}, {"nextLink", "/secrets?$skiptoken=p3"}});
  f.transport->respond_json(200, {{"value", json::array()}, {"nextLink", nullptr}});

  kv::GetPropertiesOfSecretsOptions options;
  options.MaxResults = 2;
  auto client = f.client();
  std::vector<std::string> names;
  int pages = 0;
  for (auto page = client.GetPropertiesOfSecrets(options); page.HasPage(); page.MoveToNextPage()) {
    ++pages;
    for (const auto& properties : page.Items) names.push_back(properties.Name);
  }
  CHECK(pages == 3);
  CHECK(names == std::vector<std::string>{"a", "b", "c"});

  auto requests = f.transport->requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].url == "https://myvault.vault.azure.net/secrets?api-version=7.5&maxresults=2");
  // Absolute: used verbatim but for the client's api-version.
  CHECK(requests[1].url ==
        "https://myvault.vault.azure.net:443/secrets?api-version=7.5&$skiptoken=eyJ+Tm/"
        "8=&maxresults=2");
  // Relative: resolved against the vault; it carried no api-version, so none is added.
  CHECK(requests[2].url == "https://myvault.vault.azure.net/secrets?$skiptoken=p3");
  for (const auto& request : requests) CHECK(request.method == "GET");
}

TEST_CASE("List items carry the base id, the name and no version") {
  ClientFixture f;
  f.transport->respond_json(200, {{"value", {item("a")}}});
  auto page = f.client().GetPropertiesOfSecrets();
  REQUIRE(page.Items.size() == 1);
  CHECK(page.Items[0].Name == "a");
  CHECK(page.Items[0].Version.empty());
  CHECK(page.Items[0].ContentType == "text/plain");
  CHECK_FALSE(page.NextPageToken.has_value());
  CHECK(f.transport->last().url == "https://myvault.vault.azure.net/secrets?api-version=7.5");
}

TEST_CASE("GetPropertiesOfSecretsVersions lists /secrets/{name}/versions with versioned ids") {
  ClientFixture f;
  json versioned = item("a");
  versioned["id"] = "https://myvault.vault.azure.net/secrets/a/v1";
  f.transport->respond_json(200, {{"value", {versioned}}});
  auto page = f.client().GetPropertiesOfSecretsVersions("a");
  CHECK(f.transport->last().url ==
        "https://myvault.vault.azure.net/secrets/a/versions?api-version=7.5");
  REQUIRE(page.Items.size() == 1);
  CHECK(page.Items[0].Version == "v1");
}

TEST_CASE("GetDeletedSecrets lists deleted items with their recovery data") {
  ClientFixture f;
  json deleted = item("gone");
  deleted["recoveryId"] = "https://myvault.vault.azure.net/deletedsecrets/gone";
  deleted["deletedDate"] = 100;
  deleted["scheduledPurgeDate"] = 200;
  f.transport->respond_json(
      200, {{"value", {deleted}},
            {"nextLink",
             "https://myvault.vault.azure.net/deletedsecrets?api-version=7.5&$skiptoken=x"}});
  f.transport->respond_json(200, {{"value", json::array()}});
  kv::GetDeletedSecretsOptions options;
  auto page = f.client().GetDeletedSecrets(options);
  CHECK(f.transport->last().url ==
        "https://myvault.vault.azure.net/deletedsecrets?api-version=7.5");
  REQUIRE(page.Items.size() == 1);
  CHECK(page.Items[0].Name == "gone");
  CHECK(page.Items[0].RecoveryId == "https://myvault.vault.azure.net/deletedsecrets/gone");
  CHECK(page.Items[0].DeletedOn == kvtest::at(100));
  CHECK(page.Items[0].ScheduledPurgeDate == kvtest::at(200));
  page.MoveToNextPage();
  CHECK(page.HasPage());
  CHECK(page.Items.empty());
  page.MoveToNextPage();
  CHECK_FALSE(page.HasPage());
  CHECK(f.transport->requests().size() == 2);
}

TEST_CASE("A NextPageToken in the options resumes listing from that link") {
  ClientFixture f;
  f.transport->respond_json(200, {{"value", json::array()}});
  kv::GetPropertiesOfSecretsOptions options;
  options.NextPageToken = "https://myvault.vault.azure.net/secrets?api-version=7.4&$skiptoken=abc";
  options.MaxResults = 5;  // the link already says how many
  f.client().GetPropertiesOfSecrets(options);
  CHECK(f.transport->last().url ==
        "https://myvault.vault.azure.net/secrets?api-version=7.5&$skiptoken=abc");
}

TEST_CASE("StartDeleteSecret is not done until a poll of the deleted secret answers 200") {
  ClientFixture f;
  f.transport->respond_json(200, kvtest::deleted_bundle("s", "v1"));
  f.transport->respond_json(404,
                            kvtest::error_body("SecretNotFound", "Deleted Secret not found: s"));
  f.transport->respond_json(404,
                            kvtest::error_body("SecretNotFound", "Deleted Secret not found: s"));
  json final_body = kvtest::deleted_bundle("s", "v1");
  final_body["deletedDate"] = 1629853999;
  f.transport->respond_json(200, final_body);

  auto client = f.client();
  kv::DeleteSecretOperation operation = client.StartDeleteSecret("s");
  auto requests = f.transport->requests();
  CHECK(requests.at(0).method == "DELETE");
  CHECK(requests.at(0).url == "https://myvault.vault.azure.net/secrets/s?api-version=7.5");
  CHECK_FALSE(operation.IsDone());
  CHECK(operation.Value().Name == "s");
  CHECK(operation.Value().DeletedOn == kvtest::at(1629853400));
  CHECK(operation.GetResumeToken() == "s");

  auto result = operation.PollUntilDone(2s);
  CHECK(operation.IsDone());
  requests = f.transport->requests();
  REQUIRE(requests.size() == 4);
  for (std::size_t i = 1; i < 4; ++i) {
    CHECK(requests[i].method == "GET");
    CHECK(requests[i].url == "https://myvault.vault.azure.net/deletedsecrets/s?api-version=7.5");
  }
  CHECK(f.clock->slept() == 4s);  // polls first, sleeps only between polls
  CHECK(result.Value.DeletedOn == kvtest::at(1629853999));
  CHECK(result.RawResponse->status == 200);
}

TEST_CASE("A delete poll answering 403 means done, and any other status is an error") {
  ClientFixture f;
  f.transport->respond_json(200, kvtest::deleted_bundle("s", "v1"));
  f.transport->respond_json(
      403, kvtest::error_body("Forbidden", "Operation get is not allowed on a disabled secret.",
                              "SecretDisabled"));
  auto operation = f.client().StartDeleteSecret("s");
  operation.PollUntilDone(1s);
  CHECK(operation.IsDone());
  CHECK(f.clock->slept() == 0s);

  ClientFixture g;
  g.transport->respond_json(200, kvtest::deleted_bundle("s", "v1"));
  g.transport->respond_json(400, kvtest::error_body("BadParameter", "nope"));
  auto failing = g.client().StartDeleteSecret("s");
  CHECK_THROWS_AS(failing.PollUntilDone(1s), kv::RequestFailedException);
  CHECK_FALSE(failing.IsDone());
}

TEST_CASE("A delete response without recoveryId (no soft delete) is done at once") {
  ClientFixture f;
  json body = kvtest::secret_bundle("s", "v1", "");
  body.erase("value");
  f.transport->respond_json(200, body);
  auto operation = f.client().StartDeleteSecret("s");
  CHECK(operation.IsDone());
  auto result = operation.PollUntilDone(2s);
  CHECK(f.transport->requests().size() == 1);
  CHECK(result.Value.Name == "s");
  CHECK_FALSE(result.Value.RecoveryId.HasValue());
}

TEST_CASE("StartRecoverDeletedSecret polls GET /secrets/{name} until 200") {
  ClientFixture f;
  json recovered = kvtest::secret_bundle("s", "v1", "");
  recovered.erase("value");
  f.transport->respond_json(200, recovered);
  f.transport->respond_json(
      404, kvtest::error_body("SecretNotFound",
                              "A secret with (name/id) s was not found in this key vault."));
  f.transport->respond_json(200, kvtest::secret_bundle("s", "v1", "x"));

  auto operation = f.client().StartRecoverDeletedSecret("s");
  auto requests = f.transport->requests();
  CHECK(requests.at(0).method == "POST");
  CHECK(requests.at(0).url ==
        "https://myvault.vault.azure.net/deletedsecrets/s/recover?api-version=7.5");
  CHECK(requests.at(0).body.empty());
  CHECK_FALSE(operation.IsDone());
  CHECK(operation.Value().Version == "v1");

  CHECK(operation.Poll().status == 404);
  CHECK_FALSE(operation.IsDone());
  CHECK(operation.Poll().status == 200);
  CHECK(operation.IsDone());
  requests = f.transport->requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[1].url == "https://myvault.vault.azure.net/secrets/s?api-version=7.5");
  CHECK(requests[2].url == "https://myvault.vault.azure.net/secrets/s?api-version=7.5");
  // Once done, polling again sends nothing.
  operation.PollUntilDone(1s);
  CHECK(f.transport->requests().size() == 3);
}
