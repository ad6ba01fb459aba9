// kv::Nullable: the official SDK's members, comparisons, streaming and conversion; and the models
// telling an absent field from an empty one.
#include <catch2/catch.hpp>
#include <kv/secrets.hpp>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "scripted_transport.hpp"

using kv::Nullable;
using kvtest::ClientFixture;
using nlohmann::json;

namespace {
template <class T>
std::string printed(const T& value) {
  std::ostringstream out;
  out << "[" << value << "]";
  return out.str();
}
}  // namespace

TEST_CASE("A default Nullable is absent and its value is an error") {
  Nullable<std::string> absent;
  CHECK_FALSE(absent.HasValue());
  CHECK_FALSE(static_cast<bool>(absent));
  CHECK(absent.ValueOr("fallback") == "fallback");
  CHECK_THROWS_AS(absent.Value(), kv::NullValueError);
  CHECK_THROWS_WITH(absent.Value(), "kv::Nullable: Value() called on an absent value");
  CHECK_THROWS_AS(std::string(absent), kv::NullValueError);
}

TEST_CASE("A Nullable holding an empty string is present") {
  Nullable<std::string> empty = std::string();
  CHECK(empty.HasValue());
  CHECK(empty.Value().empty());
  CHECK(empty.ValueOr("fallback").empty());
  CHECK(empty == "");
  CHECK(empty != Nullable<std::string>());
}

TEST_CASE("Nullable compares with its value type, with another Nullable and with nullopt") {
  Nullable<std::string> value = "abc";
  Nullable<std::string> absent;
  CHECK(value == "abc");
  CHECK(value == std::string("abc"));
  CHECK("abc" == value);
  CHECK(value != "abd");
  CHECK(absent != "");
  CHECK(absent == std::nullopt);
  CHECK(value != std::nullopt);
  CHECK(value == Nullable<std::string>("abc"));
  CHECK(absent == Nullable<std::string>());
  CHECK(Nullable<int>(90) == 90);
  CHECK(Nullable<std::int32_t>(90) == 90L);
}

TEST_CASE("Nullable<bool> tests presence with operator bool and the value with ==") {
  Nullable<bool> no = false;
  Nullable<bool> absent;
  CHECK(static_cast<bool>(no));  // present
  CHECK(no == false);
  CHECK_FALSE(no == true);
  CHECK_FALSE(absent == false);
  CHECK_FALSE(absent == true);
  CHECK(absent.ValueOr(true));
}

TEST_CASE("Streaming a Nullable prints its value, or nothing when absent") {
  CHECK(printed(Nullable<std::string>("my secret value")) == "[my secret value]");
  CHECK(printed(Nullable<std::string>("")) == "[]");
  CHECK(printed(Nullable<std::string>()) == "[]");
  CHECK(printed(Nullable<int>(7)) == "[7]");
}

TEST_CASE("A Nullable converts explicitly to its value and is assigned, reset and moved") {
  Nullable<std::string> value;
  value = "first";
  CHECK(static_cast<std::string>(value) == "first");
  CHECK(std::string(value) == "first");
  CHECK(*value == "first");
  CHECK(value->size() == 5);
  value.Value() += "!";
  CHECK(value == "first!");
  std::string moved = std::move(value).Value();
  CHECK(moved == "first!");
  value.Reset();
  CHECK_FALSE(value.HasValue());
  value = std::string("again");
  value = std::nullopt;
  CHECK_FALSE(value.HasValue());
}

TEST_CASE(
    "A secret without a value in the answer has an absent Value, one with \"\" an empty one") {
  ClientFixture f;
  json restored = kvtest::secret_bundle("s", "v1", "ignored");
  restored.erase("value");
  f.transport->respond_json(200, restored);
  f.transport->respond_json(200, kvtest::secret_bundle("s", "v1", ""));
  auto client = f.client();

  auto without = client.RestoreSecretBackup({1, 2, 3}).Value;
  CHECK_FALSE(without.Value.HasValue());
  CHECK(without.Name == "s");
  auto empty = client.GetSecret("s").Value;
  REQUIRE(empty.Value.HasValue());
  CHECK(empty.Value == "");
}

TEST_CASE("Managed, KeyId, ContentType and the dates are absent when the answer omits them") {
  ClientFixture f;
  f.transport->respond_json(200, {{"id", "https://myvault.vault.azure.net/secrets/s/v1"}});
  auto secret = f.client().GetSecret("s").Value;
  const auto& p = secret.Properties;
  CHECK_FALSE(secret.Value.HasValue());
  CHECK_FALSE(p.Managed.HasValue());
  CHECK_FALSE(p.KeyId.HasValue());
  CHECK_FALSE(p.ContentType.HasValue());
  CHECK_FALSE(p.Enabled.HasValue());
  CHECK_FALSE(p.CreatedOn.HasValue());
  CHECK_FALSE(p.UpdatedOn.HasValue());
  CHECK_FALSE(p.RecoverableDays.HasValue());
  CHECK_FALSE(p.RecoveryLevel.HasValue());
  CHECK_FALSE(p.PreviousVersion.HasValue());
  CHECK(p.Tags.empty());
}

TEST_CASE("A deleted secret from a vault without soft delete has no recovery id or dates") {
  ClientFixture f;
  f.transport->respond_json(200,
                            {{"id", "https://myvault.vault.azure.net/secrets/s/v1"},
                             {"attributes", {{"enabled", true}, {"recoveryLevel", "Purgeable"}}}});
  auto deleted = f.client().GetDeletedSecret("s").Value;
  CHECK_FALSE(deleted.RecoveryId.HasValue());
  CHECK_FALSE(deleted.DeletedOn.HasValue());
  CHECK_FALSE(deleted.ScheduledPurgeDate.HasValue());
  CHECK(deleted.Name == "s");
}
