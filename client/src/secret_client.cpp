// SecretClient: the Key Vault secrets operations on top of the pipeline.
#include "kv/secret_client.hpp"

#include <nlohmann/json.hpp>

#include "kv/base64url.hpp"
#include "kv/errors.hpp"
#include "kv/url.hpp"
#include "model_json.hpp"
#include "pipeline.hpp"

namespace kv {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxNameLength = 127;
// The headers the pipeline adds: request id, User-Agent, Accept, Content-Type, Authorization.
constexpr std::size_t kRequestHeaders = 5;

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  for (char c : name) {
    bool ok =
        (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
    if (!ok) return false;
  }
  return true;
}

void check_name(const std::string& name, const char* parameter) {
  if (valid_name(name)) return;
  std::string shown = name.size() > 140 ? name.substr(0, 140) + "..." : name;
  throw InvalidArgumentException(std::string(parameter) +
                                 ": a secret name must be 1-127 characters of 0-9, a-z, A-Z and "
                                 "'-' (got '" +
                                 shown + "')");
}

std::string describe(const http::Request& request, const http::Response& response) {
  return request.method + " " + request.url + " -> " + std::to_string(response.status);
}

// Reports a body that is not JSON. The position is nlohmann/json's (the service's answers were
// read with it before, and messages keep its numbering); the body itself is never quoted: the
// body of a secret response holds the secret value, which must never reach a message.
[[noreturn]] void throw_invalid_json(const http::Request& request, const http::Response& response,
                                     std::size_t reader_offset) {
  if (response.body.empty()) {
    throw std::runtime_error(describe(request, response) + ": response body is empty");
  }
  std::size_t byte = reader_offset + 1;
  try {
    const json accepted = json::parse(response.body_text());
    static_cast<void>(accepted);
  } catch (const json::parse_error& e) {
    byte = e.byte;
  } catch (const json::exception&) {
    // A number too large for a double: the reader's position (the number's first byte) says it.
  }
  throw std::runtime_error(describe(request, response) +
                           ": response body is not valid JSON (parse error at byte " +
                           std::to_string(byte) + ")");
}

// Reads the body of a successful response with one of the model readers (model_json.hpp).
template <class Read>
auto read_model(const http::Request& request, const http::Response& response, Read read) {
  try {
    return read(response.body_text());
  } catch (const detail::JsonSyntaxError& e) {
    throw_invalid_json(request, response, e.offset());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(describe(request, response) + ": " + e.what());
  }
}

bool starts_with(const std::string& text, std::string_view prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

// `Optional` is std::optional (SetSecretOptions) or kv::Nullable (SecretProperties).
template <template <class> class Optional>
json attributes_json(const Optional<bool>& enabled, const Optional<TimePoint>& nbf,
                     const Optional<TimePoint>& exp) {
  json attributes = json::object();
  if (enabled) attributes["enabled"] = *enabled;
  if (nbf) attributes["nbf"] = detail::to_unix_seconds(*nbf);
  if (exp) attributes["exp"] = detail::to_unix_seconds(*exp);
  return attributes;
}

json tags_json(const std::map<std::string, std::string>& tags) {
  json out = json::object();
  for (const auto& [key, value] : tags) out[key] = value;
  return out;
}

}  // namespace

struct detail::SecretClientImpl {
  std::string vault_url;  // scheme://host[:port][/prefix], no trailing slash
  std::string authority;  // scheme://host[:port]
  std::string api_version;
  std::string api_query;  // "?api-version=..."
  detail::Pipeline pipeline;

  SecretClientImpl(const std::string& url, std::shared_ptr<TokenCredential> credential,
                   const SecretClientOptions& options)
      : api_version(options.ApiVersion),
        api_query("?api-version=" + url_encode(options.ApiVersion)),
        pipeline(std::move(credential), options) {
    Url parsed;
    try {
      parsed = Url(url);
    } catch (const std::invalid_argument& e) {
      throw InvalidArgumentException(std::string("vaultUrl: ") + e.what());
    }
    if (!parsed.query().empty()) {
      throw InvalidArgumentException("vaultUrl: must not carry a query string (got '" + url + "')");
    }
    authority = parsed.authority_url();
    std::string path = parsed.path();
    while (!path.empty() && path.back() == '/') path.pop_back();
    vault_url = authority + path;
  }

  // The URL of the vault path made of `path` (already encoded), in one allocation.
  std::string url(std::initializer_list<std::string_view> path,
                  std::optional<int> max_results = std::nullopt) const {
    std::size_t size = vault_url.size() + api_query.size() + (max_results ? 24 : 0);
    for (std::string_view part : path) size += part.size();
    std::string out;
    out.reserve(size);
    out += vault_url;
    for (std::string_view part : path) out += part;
    out += api_query;
    if (max_results) out += "&maxresults=" + std::to_string(*max_results);
    return out;
  }

  // Replaces the value of api-version in a raw URL, leaving every other byte as it was.
  std::string with_client_api_version(const std::string& link) const {
    auto question = link.find('?');
    if (question == std::string::npos) return link;
    std::string out = link.substr(0, question + 1);
    std::string_view query = std::string_view(link).substr(question + 1);
    bool first = true;
    while (true) {
      auto amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      if (!first) out += '&';
      first = false;
      auto eq = pair.find('=');
      if (url_decode(pair.substr(0, eq)) == "api-version") {
        out += std::string(pair.substr(0, eq)) + "=" + url_encode(api_version);
      } else {
        out += pair;
      }
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
    return out;
  }

  std::string resolve_next_link(const std::string& link) const {
    if (starts_with(link, "https://") || starts_with(link, "http://")) {
      return with_client_api_version(link);
    }
    if (starts_with(link, "/")) return with_client_api_version(authority + link);
    return with_client_api_version(vault_url + "/" + link);
  }

  http::Request request(std::string method, std::string url) const {
    http::Request out;
    out.method = std::move(method);
    out.url = std::move(url);
    out.headers.reserve(kRequestHeaders);
    return out;
  }

  // Sends and accepts exactly `expected`; anything else becomes a RequestFailedException.
  std::shared_ptr<const http::Response> send(http::Request& request, int expected) const {
    auto response = std::make_shared<const http::Response>(pipeline.send(request));
    if (response->status != expected) throw RequestFailedException(request, *response);
    return response;
  }

  template <class Item>
  void fetch_page(const std::string& url, std::vector<Item>& items,
                  std::optional<std::string>& next,
                  std::shared_ptr<const http::Response>& raw) const {
    http::Request req = request("GET", url);
    raw = send(req, 200);
    detail::Page<Item> page;
    if constexpr (std::is_same_v<Item, DeletedSecret>) {
      page = read_model(req, *raw, detail::read_deleted_page);
    } else {
      page = read_model(req, *raw, detail::read_properties_page);
    }
    items = std::move(page.items);
    next = page.next_link.empty() ? std::nullopt
                                  : std::optional<std::string>(std::move(page.next_link));
  }

  // The first page of a listing: the one `options.NextPageToken` names, else the first of the
  // listing at `path` (`options.MaxResults` items at most).
  template <class Item>
  void fetch_first_page(const GetPropertiesOfSecretsOptions& options,
                        std::initializer_list<std::string_view> path, std::vector<Item>& items,
                        std::optional<std::string>& next,
                        std::shared_ptr<const http::Response>& raw) const {
    const std::string link = options.NextPageToken ? resolve_next_link(*options.NextPageToken)
                                                   : url(path, options.MaxResults);
    fetch_page(link, items, next, raw);
  }
};

SecretClient::SecretClient(const std::string& vaultUrl, std::shared_ptr<TokenCredential> credential,
                           SecretClientOptions options) {
  if (!credential) throw InvalidArgumentException("credential: must not be null");
  impl_ = std::make_shared<Impl>(vaultUrl, std::move(credential), options);
}

const std::string& SecretClient::GetUrl() const {
  return impl_->vault_url;
}

Response<KeyVaultSecret> SecretClient::GetSecret(const std::string& name,
                                                 const std::string& version) const {
  check_name(name, "name");
  http::Request req = impl_->request(
      "GET", version.empty() ? impl_->url({"/secrets/", name})
                             : impl_->url({"/secrets/", name, "/", url_encode(version)}));
  auto raw = impl_->send(req, 200);
  return {read_model(req, *raw, detail::read_secret), raw};
}

Response<KeyVaultSecret> SecretClient::SetSecret(const std::string& name,
                                                 const std::string& value) const {
  return SetSecret(name, value, SetSecretOptions{});
}

Response<KeyVaultSecret> SecretClient::SetSecret(const std::string& name, const std::string& value,
                                                 const SetSecretOptions& options) const {
  check_name(name, "name");
  json body = {{"value", value}};
  if (options.ContentType) body["contentType"] = *options.ContentType;
  json attributes = attributes_json(options.Enabled, options.NotBefore, options.ExpiresOn);
  if (!attributes.empty()) body["attributes"] = std::move(attributes);
  if (!options.Tags.empty()) body["tags"] = tags_json(options.Tags);
  http::Request req = impl_->request("PUT", impl_->url({"/secrets/", name}));
  req.body = http::to_bytes(body.dump());
  auto raw = impl_->send(req, 200);
  return {read_model(req, *raw, detail::read_secret), raw};
}

Response<SecretProperties> SecretClient::UpdateSecretProperties(
    const SecretProperties& properties) const {
  check_name(properties.Name, "properties.Name");
  if (properties.Version.empty()) {
    throw InvalidArgumentException(
        "properties.Version: must not be empty (UpdateSecretProperties updates one version)");
  }
  json body = json::object();
  if (properties.ContentType) body["contentType"] = *properties.ContentType;
  json attributes = attributes_json(properties.Enabled, properties.NotBefore, properties.ExpiresOn);
  if (!attributes.empty()) body["attributes"] = std::move(attributes);
  if (!properties.Tags.empty()) body["tags"] = tags_json(properties.Tags);
  http::Request req = impl_->request(
      "PATCH", impl_->url({"/secrets/", properties.Name, "/", url_encode(properties.Version)}));
  req.body = http::to_bytes(body.dump());
  auto raw = impl_->send(req, 200);
  return {read_model(req, *raw, detail::read_secret_properties), raw};
}

SecretPropertiesPagedResponse SecretClient::GetPropertiesOfSecrets(
    const GetPropertiesOfSecretsOptions& options) const {
  SecretPropertiesPagedResponse page;
  page.client_ = impl_;
  impl_->fetch_first_page(options, {"/secrets"}, page.Items, page.NextPageToken, page.RawResponse);
  return page;
}

SecretPropertiesPagedResponse SecretClient::GetPropertiesOfSecretsVersions(
    const std::string& name, const GetPropertiesOfSecretVersionsOptions& options) const {
  check_name(name, "name");
  SecretPropertiesPagedResponse page;
  page.client_ = impl_;
  impl_->fetch_first_page(options, {"/secrets/", name, "/versions"}, page.Items, page.NextPageToken,
                          page.RawResponse);
  return page;
}

DeletedSecretPagedResponse SecretClient::GetDeletedSecrets(
    const GetDeletedSecretsOptions& options) const {
  DeletedSecretPagedResponse page;
  page.client_ = impl_;
  impl_->fetch_first_page(options, {"/deletedsecrets"}, page.Items, page.NextPageToken,
                          page.RawResponse);
  return page;
}

Response<DeletedSecret> SecretClient::GetDeletedSecret(const std::string& name) const {
  check_name(name, "name");
  http::Request req = impl_->request("GET", impl_->url({"/deletedsecrets/", name}));
  auto raw = impl_->send(req, 200);
  return {read_model(req, *raw, detail::read_deleted_secret), raw};
}

DeleteSecretOperation SecretClient::StartDeleteSecret(const std::string& name) const {
  check_name(name, "name");
  http::Request req = impl_->request("DELETE", impl_->url({"/secrets/", name}));
  auto raw = impl_->send(req, 200);
  DeleteSecretOperation operation;
  operation.client_ = impl_;
  operation.name_ = name;
  operation.value_ = read_model(req, *raw, detail::read_deleted_secret);
  // Without soft delete there is no recovery id and nothing left to wait for.
  operation.done_ = operation.value_.RecoveryId.ValueOr("").empty();
  operation.last_ = raw;
  return operation;
}

RecoverDeletedSecretOperation SecretClient::StartRecoverDeletedSecret(
    const std::string& name) const {
  check_name(name, "name");
  http::Request req = impl_->request("POST", impl_->url({"/deletedsecrets/", name, "/recover"}));
  auto raw = impl_->send(req, 200);
  RecoverDeletedSecretOperation operation;
  operation.client_ = impl_;
  operation.name_ = name;
  operation.recover_ = true;
  operation.value_ = read_model(req, *raw, detail::read_secret_properties);
  operation.last_ = raw;
  return operation;
}

Response<PurgedSecret> SecretClient::PurgeDeletedSecret(const std::string& name) const {
  check_name(name, "name");
  http::Request req = impl_->request("DELETE", impl_->url({"/deletedsecrets/", name}));
  auto raw = impl_->send(req, 204);
  return {PurgedSecret{}, raw};
}

Response<BackupSecretResult> SecretClient::BackupSecret(const std::string& name) const {
  check_name(name, "name");
  http::Request req = impl_->request("POST", impl_->url({"/secrets/", name, "/backup"}));
  auto raw = impl_->send(req, 200);
  return {BackupSecretResult{read_model(req, *raw, detail::read_backup)}, raw};
}

Response<KeyVaultSecret> SecretClient::RestoreSecretBackup(
    const std::vector<std::uint8_t>& backup) const {
  if (backup.empty()) {
    throw InvalidArgumentException(
        "backup: must not be empty (pass the bytes returned by BackupSecret)");
  }
  http::Request req = impl_->request("POST", impl_->url({"/secrets/restore"}));
  // Written directly: the base64url alphabet needs no JSON escaping, and the blob is kilobytes.
  std::string body = R"({"value":")";
  body += base64url_encode(backup);
  body += R"("})";
  req.body = http::to_bytes(body);
  auto raw = impl_->send(req, 200);
  return {read_model(req, *raw, detail::read_secret), raw};
}

template <class Item>
void PagedResponse<Item>::MoveToNextPage() {
  if (!NextPageToken) {
    has_page_ = false;
    Items.clear();
    RawResponse.reset();
    return;
  }
  const auto& impl = *client_;
  std::string url = impl.resolve_next_link(*NextPageToken);
  impl.fetch_page(url, Items, NextPageToken, RawResponse);
}

template <class T>
const http::Response& SecretOperation<T>::Poll() {
  if (done_ && last_) return *last_;
  const auto& impl = *client_;
  http::Request req =
      impl.request("GET", impl.url({recover_ ? "/secrets/" : "/deletedsecrets/", name_}));
  auto raw = std::make_shared<const http::Response>(impl.pipeline.send(req));
  switch (raw->status) {
    case 404:  // not there yet: still running
      break;
    case 200:
      if constexpr (std::is_same_v<T, DeletedSecret>) {
        value_ = read_model(req, *raw, detail::read_deleted_secret);
      } else {
        value_ = read_model(req, *raw, detail::read_secret_properties);
      }
      done_ = true;
      break;
    case 403:  // disabled secret or no get permission: proves the state change anyway
      done_ = true;
      break;
    default:
      throw RequestFailedException(req, *raw);
  }
  last_ = raw;
  return *last_;
}

template <class T>
Response<T> SecretOperation<T>::PollUntilDone(std::chrono::milliseconds interval) {
  while (true) {
    Poll();
    if (done_) break;
    client_->pipeline.clock().sleep_for(interval);
  }
  return {value_, last_};
}

template class PagedResponse<SecretProperties>;
template class PagedResponse<DeletedSecret>;
template class SecretOperation<DeletedSecret>;
template class SecretOperation<SecretProperties>;

}  // namespace kv
