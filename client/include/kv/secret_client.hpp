// SecretClient: the Key Vault secrets API.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kv/clock.hpp"
#include "kv/credentials.hpp"
#include "kv/http.hpp"
#include "kv/models.hpp"
#include "kv/transport.hpp"

namespace kv {

/// A typed result with the raw HTTP response it came from.
template <class T>
struct Response {
  T Value;
  std::shared_ptr<const http::Response> RawResponse;
};

/// Retry policy limits (defaults as the Azure SDKs').
struct RetryOptions {
  int MaxRetries = 3;
  std::chrono::milliseconds RetryDelay{800};        ///< Base of the exponential back-off.
  std::chrono::milliseconds MaxRetryDelay{60'000};  ///< Cap of one wait.
  /// Statuses that are retried.
  std::vector<int> StatusCodes{408, 429, 500, 502, 503, 504};
};

/// Options of SecretClient.
struct SecretClientOptions {
  std::string ApiVersion = "7.5";
  RetryOptions Retry;
  /// The bottom of the pipeline; null means a CurlTransport with default options.
  std::shared_ptr<http::Transport> Transport;
  /// Time and sleeping for back-off and polling; null means SystemClock.
  std::shared_ptr<kv::Clock> Clock;
  /// Randomness for jitter and client request ids; empty means default_random().
  RandomSource Random;
  /// Skip the check that the challenge resource's host is a suffix of the vault host.
  bool DisableChallengeResourceVerification = false;
  /// Prefix for the User-Agent header (e.g. the application name).
  std::string ApplicationId;
};

/// Options of SetSecret.
struct SetSecretOptions {
  std::optional<std::string> ContentType;
  std::map<std::string, std::string> Tags;
  std::optional<bool> Enabled;
  std::optional<TimePoint> NotBefore;
  std::optional<TimePoint> ExpiresOn;
};

/// Options of the list operations.
struct GetPropertiesOfSecretsOptions {
  /// Continue from this page (a nextLink).
  std::optional<std::string> NextPageToken;
  /// Page size requested from the service (1-25); unset lets the service choose.
  std::optional<int> MaxResults;
};
using GetPropertiesOfSecretVersionsOptions = GetPropertiesOfSecretsOptions;
using GetDeletedSecretsOptions = GetPropertiesOfSecretsOptions;

class SecretClient;
namespace detail {
struct SecretClientImpl;
}  // namespace detail

/// One page of a list operation; MoveToNextPage() follows nextLink.
template <class Item>
class PagedResponse {
 public:
  std::vector<Item> Items;
  std::optional<std::string> NextPageToken;
  std::shared_ptr<const http::Response> RawResponse;

  /// True while this object holds a page (false after moving past the last one).
  bool HasPage() const { return has_page_; }
  /// Fetches the next page in place; after the last page HasPage() becomes false.
  void MoveToNextPage();

 private:
  friend class SecretClient;
  // Shared with the client, so that a page outlives the SecretClient object it came from.
  std::shared_ptr<const detail::SecretClientImpl> client_;
  bool has_page_ = true;
};
using SecretPropertiesPagedResponse = PagedResponse<SecretProperties>;
using DeletedSecretPagedResponse = PagedResponse<DeletedSecret>;

/// A long-running operation over a secret (delete or recover) completed by polling.
template <class T>
class SecretOperation {
 public:
  /// The result known so far (the initial response's until done).
  const T& Value() const { return value_; }
  bool IsDone() const { return done_; }
  /// Sends one poll request; returns its raw response.
  const http::Response& Poll();
  /// Polls every `interval` (through the client's Clock) until done; returns the final value.
  Response<T> PollUntilDone(std::chrono::milliseconds interval);
  /// The secret name, usable to resume the operation later.
  const std::string& GetResumeToken() const { return name_; }

 private:
  friend class SecretClient;
  // Shared with the client, so that an operation outlives the SecretClient object it came from.
  std::shared_ptr<const detail::SecretClientImpl> client_;
  std::string name_;
  T value_;
  bool done_ = false;
  bool recover_ = false;
  std::shared_ptr<const http::Response> last_;
};
/// Deleting a secret: polls GET /deletedsecrets/{name} (404 = running, 200/403 = done).
using DeleteSecretOperation = SecretOperation<DeletedSecret>;
/// Recovering a secret: polls GET /secrets/{name} (404 = running, 200/403 = done).
using RecoverDeletedSecretOperation = SecretOperation<SecretProperties>;

/// The Key Vault secrets client. Thread-safe; copies share one pipeline.
class SecretClient {
 public:
  SecretClient(const std::string& vaultUrl, std::shared_ptr<TokenCredential> credential,
               SecretClientOptions options = {});

  /// The vault URL this client talks to.
  const std::string& GetUrl() const;

  Response<KeyVaultSecret> GetSecret(const std::string& name,
                                     const std::string& version = "") const;
  Response<KeyVaultSecret> SetSecret(const std::string& name, const std::string& value) const;
  Response<KeyVaultSecret> SetSecret(const std::string& name, const std::string& value,
                                     const SetSecretOptions& options) const;
  /// PATCHes content type, tags and the enabled/nbf/exp attributes of properties.Name/Version.
  Response<SecretProperties> UpdateSecretProperties(const SecretProperties& properties) const;
  SecretPropertiesPagedResponse GetPropertiesOfSecrets(
      const GetPropertiesOfSecretsOptions& options = {}) const;
  SecretPropertiesPagedResponse GetPropertiesOfSecretsVersions(
      const std::string& name, const GetPropertiesOfSecretVersionsOptions& options = {}) const;
  DeletedSecretPagedResponse GetDeletedSecrets(const GetDeletedSecretsOptions& options = {}) const;
  Response<DeletedSecret> GetDeletedSecret(const std::string& name) const;
  DeleteSecretOperation StartDeleteSecret(const std::string& name) const;
  RecoverDeletedSecretOperation StartRecoverDeletedSecret(const std::string& name) const;
  Response<PurgedSecret> PurgeDeletedSecret(const std::string& name) const;
  Response<BackupSecretResult> BackupSecret(const std::string& name) const;
  Response<KeyVaultSecret> RestoreSecretBackup(const std::vector<std::uint8_t>& backup) const;

  using Impl = detail::SecretClientImpl;

 private:
  template <class>
  friend class PagedResponse;
  template <class>
  friend class SecretOperation;
  std::shared_ptr<Impl> impl_;
};

}  // namespace kv
