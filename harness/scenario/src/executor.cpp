// Operations → SecretClient calls → result documents. Result field names are the scenario
// format's (docs/scenario-format.md), flat: properties sit beside the value.
#include "kv/scenario/executor.hpp"

#include "dates.hpp"
#include "kv/base64url.hpp"
#include "kv/errors.hpp"

namespace kv::scenario {
namespace {

using nlohmann::json;

int status_of(const std::shared_ptr<const http::Response>& raw) {
  return raw ? raw->status : 0;
}

// Fields the answer did not carry stay out of the result, so that `{"absent": true}` holds for
// them and fails for a present empty value.
template <class T>
void put(json& out, const char* key, const Nullable<T>& value) {
  if (value) out[key] = *value;
}

void put_date(json& out, const char* key, const Nullable<TimePoint>& time) {
  if (time) out[key] = detail::format_date(*time);
}

json properties_json(const SecretProperties& p) {
  json out = json::object();
  out["name"] = p.Name;
  out["id"] = p.Id;
  out["version"] = p.Version;
  put(out, "contentType", p.ContentType);
  put(out, "enabled", p.Enabled);
  put_date(out, "notBefore", p.NotBefore);
  put_date(out, "expiresOn", p.ExpiresOn);
  put_date(out, "created", p.CreatedOn);
  put_date(out, "updated", p.UpdatedOn);
  put(out, "recoverableDays", p.RecoverableDays);
  put(out, "recoveryLevel", p.RecoveryLevel);
  out["tags"] = p.Tags;
  put(out, "managed", p.Managed);
  put(out, "keyId", p.KeyId);
  return out;
}

json secret_json(const KeyVaultSecret& s) {
  json out = properties_json(s.Properties);
  if (!s.Name.empty()) out["name"] = s.Name;
  if (!s.Id.empty()) out["id"] = s.Id;
  put(out, "value", s.Value);
  return out;
}

json deleted_json(const DeletedSecret& s) {
  json out = secret_json(s);
  put(out, "recoveryId", s.RecoveryId);
  put_date(out, "deletedOn", s.DeletedOn);
  put_date(out, "scheduledPurgeDate", s.ScheduledPurgeDate);
  return out;
}

std::string text_arg(const json& args, const char* key) {
  auto it = args.find(key);
  return it == args.end() ? std::string() : it->get<std::string>();
}

std::optional<TimePoint> date_arg(const json& args, const char* key) {
  auto it = args.find(key);
  if (it == args.end()) return std::nullopt;
  auto time = detail::parse_date(it->get<std::string>());
  if (!time) {
    throw ArgumentError(std::string("argument \"") + key + "\" is not a date like " +
                        "\"2030-01-01T00:00:00Z\": \"" + it->get<std::string>() + "\"");
  }
  return time;
}

std::optional<int> page_size(const json& args) {
  auto it = args.find("maxResults");
  if (it == args.end()) return std::nullopt;
  return it->get<int>();
}

template <class Page, class ToJson>
json collect_pages(Page page, ToJson to_json) {
  json items = json::array();
  json names = json::array();
  int pages = 0;
  int status = status_of(page.RawResponse);
  while (page.HasPage()) {
    ++pages;
    for (const auto& item : page.Items) {
      json j = to_json(item);
      names.push_back(j.value("name", ""));
      items.push_back(std::move(j));
    }
    page.MoveToNextPage();
  }
  return json{{"status", status},
              {"items", items},
              {"names", names},
              {"count", items.size()},
              {"pages", pages}};
}

}  // namespace

Executor::Executor(std::shared_ptr<const SecretClient> client, std::shared_ptr<Clock> clock)
    : client_(std::move(client)), clock_(std::move(clock)) {}

Outcome Executor::execute(Operation operation, const json& args) const {
  const SecretClient& client = *client_;
  const std::string name = text_arg(args, "name");
  const auto interval = std::chrono::milliseconds(args.value("pollIntervalMs", 1000));
  const bool wait = args.value("wait", true);
  Outcome outcome;
  try {
    switch (operation) {
      case Operation::Set: {
        SetSecretOptions options;
        if (args.contains("contentType")) options.ContentType = text_arg(args, "contentType");
        if (args.contains("tags"))
          options.Tags = args["tags"].get<std::map<std::string, std::string>>();
        if (args.contains("enabled")) options.Enabled = args["enabled"].get<bool>();
        options.NotBefore = date_arg(args, "notBefore");
        options.ExpiresOn = date_arg(args, "expiresOn");
        auto response = client.SetSecret(name, text_arg(args, "value"), options);
        outcome.result = secret_json(response.Value);
        outcome.result["status"] = status_of(response.RawResponse);
        break;
      }
      case Operation::Get: {
        auto response = client.GetSecret(name, text_arg(args, "version"));
        outcome.result = secret_json(response.Value);
        outcome.result["status"] = status_of(response.RawResponse);
        break;
      }
      case Operation::Update: {
        SecretProperties properties(name);
        properties.Version = text_arg(args, "version");
        if (args.contains("contentType")) properties.ContentType = text_arg(args, "contentType");
        if (args.contains("tags"))
          properties.Tags = args["tags"].get<std::map<std::string, std::string>>();
        if (args.contains("enabled")) properties.Enabled = args["enabled"].get<bool>();
        if (auto nbf = date_arg(args, "notBefore")) properties.NotBefore = *nbf;
        if (auto exp = date_arg(args, "expiresOn")) properties.ExpiresOn = *exp;
        auto response = client.UpdateSecretProperties(properties);
        outcome.result = properties_json(response.Value);
        outcome.result["status"] = status_of(response.RawResponse);
        break;
      }
      case Operation::List: {
        GetPropertiesOfSecretsOptions options;
        options.MaxResults = page_size(args);
        outcome.result = collect_pages(client.GetPropertiesOfSecrets(options), properties_json);
        break;
      }
      case Operation::ListVersions: {
        GetPropertiesOfSecretVersionsOptions options;
        options.MaxResults = page_size(args);
        outcome.result =
            collect_pages(client.GetPropertiesOfSecretsVersions(name, options), properties_json);
        break;
      }
      case Operation::ListDeleted: {
        GetDeletedSecretsOptions options;
        options.MaxResults = page_size(args);
        outcome.result = collect_pages(client.GetDeletedSecrets(options), deleted_json);
        break;
      }
      case Operation::Backup: {
        auto response = client.BackupSecret(name);
        outcome.result = json{{"status", status_of(response.RawResponse)},
                              {"backup", base64url_encode(response.Value.Secret)},
                              {"size", response.Value.Secret.size()}};
        break;
      }
      case Operation::Delete: {
        auto operation_handle = client.StartDeleteSecret(name);
        int status = 0;
        if (wait) {
          auto final = operation_handle.PollUntilDone(interval);
          outcome.result = deleted_json(final.Value);
          status = status_of(final.RawResponse);
        } else {
          outcome.result = deleted_json(operation_handle.Value());
        }
        outcome.result["done"] = operation_handle.IsDone();
        if (status != 0) outcome.result["status"] = status;
        break;
      }
      case Operation::GetDeleted: {
        auto response = client.GetDeletedSecret(name);
        outcome.result = deleted_json(response.Value);
        outcome.result["status"] = status_of(response.RawResponse);
        break;
      }
      case Operation::Purge: {
        auto response = client.PurgeDeletedSecret(name);
        outcome.result = json{{"status", status_of(response.RawResponse)}};
        break;
      }
      case Operation::Recover: {
        auto operation_handle = client.StartRecoverDeletedSecret(name);
        if (wait) {
          auto final = operation_handle.PollUntilDone(interval);
          outcome.result = properties_json(final.Value);
          outcome.result["status"] = status_of(final.RawResponse);
        } else {
          outcome.result = properties_json(operation_handle.Value());
        }
        outcome.result["done"] = operation_handle.IsDone();
        break;
      }
      case Operation::Restore: {
        std::vector<std::uint8_t> bytes;
        try {
          bytes = base64url_decode(text_arg(args, "backup"));
        } catch (const std::runtime_error& e) {
          throw ArgumentError(std::string("argument \"backup\" is not base64url text: ") +
                              e.what());
        }
        auto response = client.RestoreSecretBackup(bytes);
        outcome.result = secret_json(response.Value);
        outcome.result["status"] = status_of(response.RawResponse);
        break;
      }
      case Operation::Pause: {
        clock_->sleep_for(std::chrono::milliseconds(args.value("ms", 0)));
        outcome.result = json::object();
        break;
      }
    }
  } catch (const RequestFailedException& e) {
    outcome.result = json();
    outcome.error = ServiceError{e.StatusCode, e.ErrorCode, e.InnerErrorCode, e.Message};
  }
  return outcome;
}

}  // namespace kv::scenario
