// Challenge-based bearer authentication, as the official C++ SDK does it: a pre-emptive token for
// the default scope, then on a 401 challenge a token for the challenge's tenant and scope and one
// resend. The challenge and tokens are cached per pipeline (per SecretClient), never per process,
// so that recording and playback see identical traffic.
#include <map>
#include <mutex>
#include <optional>

#include "challenge.hpp"
#include "kv/errors.hpp"
#include "kv/url.hpp"
#include "pipeline.hpp"

namespace kv::detail {

namespace {

constexpr const char* kDefaultScope = "https://vault.azure.net/.default";
// Tokens are refreshed this long before they expire.
constexpr std::chrono::minutes kRefreshMargin{5};

bool is_loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "::1" || http::iequals(host, "localhost");
}

class BearerStage final : public Stage {
 public:
  BearerStage(std::shared_ptr<TokenCredential> credential, std::shared_ptr<Clock> clock,
              bool verify_resource, std::unique_ptr<Stage> next)
      : credential_(std::move(credential)),
        clock_(std::move(clock)),
        verify_resource_(verify_resource),
        next_(std::move(next)) {}

  http::Response send(const http::Request& request) override {
    Url url(request.url);
    if (url.scheme() != "https" && !is_loopback(url.host())) {
      throw AuthenticationException(
          "bearer token authentication requires https; refusing to send "
          "a token to " +
          request.url);
    }
    TokenRequestContext context = current_context();
    http::Request authorized = request;
    authorized.headers.set("Authorization", "Bearer " + token(context, /*force=*/false));
    http::Response response = next_->send(authorized);
    if (response.status != 401) return response;
    const std::string* header = response.headers.find("WWW-Authenticate");
    if (header == nullptr) return response;

    Challenge challenge = parse_challenge(*header);
    if (verify_resource_) verify(challenge, url);
    TokenRequestContext challenged{{challenge.scope}, challenge.tenant_id};
    {
      std::lock_guard lock(mutex_);
      challenge_ = challenged;
    }
    // The token just refused must not come back from the cache.
    authorized.headers.set("Authorization", "Bearer " + token(challenged, /*force=*/true));
    return next_->send(authorized);
  }

 private:
  TokenRequestContext current_context() {
    std::lock_guard lock(mutex_);
    if (challenge_) return *challenge_;
    return TokenRequestContext{{kDefaultScope}, ""};
  }

  static void verify(const Challenge& challenge, const Url& url) {
    std::string resource_host;
    try {
      resource_host = Url(challenge.resource).host();
    } catch (const std::invalid_argument&) {
      throw AuthenticationException("challenge resource '" + challenge.resource + "' is not a URL");
    }
    if (!host_matches(url.host(), resource_host)) {
      throw AuthenticationException(
          "challenge resource host '" + resource_host + "' does not match vault host '" +
          url.host() +
          "'; set SecretClientOptions::DisableChallengeResourceVerification to accept it");
    }
  }

  std::string token(const TokenRequestContext& context, bool force) {
    std::string key = context.TenantId + '\n';
    for (const auto& scope : context.Scopes) key += scope + ' ';
    // Held across GetToken so that concurrent requests share one token request.
    std::lock_guard lock(token_mutex_);
    auto it = tokens_.find(key);
    if (!force && it != tokens_.end() && clock_->now() + kRefreshMargin < it->second.ExpiresOn) {
      return it->second.Token;
    }
    AccessToken fresh = credential_->GetToken(context);
    std::string value = fresh.Token;
    tokens_[key] = std::move(fresh);
    return value;
  }

  std::shared_ptr<TokenCredential> credential_;
  std::shared_ptr<Clock> clock_;
  bool verify_resource_;
  std::unique_ptr<Stage> next_;
  std::mutex mutex_;
  std::optional<TokenRequestContext> challenge_;
  std::mutex token_mutex_;
  std::map<std::string, AccessToken> tokens_;
};

}  // namespace

std::unique_ptr<Stage> make_bearer_stage(std::shared_ptr<TokenCredential> credential,
                                         std::shared_ptr<Clock> clock, bool verify_resource,
                                         std::unique_ptr<Stage> next) {
  return std::make_unique<BearerStage>(std::move(credential), std::move(clock), verify_resource,
                                       std::move(next));
}

}  // namespace kv::detail
