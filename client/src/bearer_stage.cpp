// Challenge-based bearer authentication, as the official C++ SDK does it: a pre-emptive token for
// the default scope, then on a 401 challenge a token for the challenge's tenant and scope and one
// resend. The challenge and tokens are cached per pipeline (per SecretClient), never per process,
// so that recording and playback see identical traffic.
#include <memory>
#include <mutex>
#include <vector>

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

  http::Response send(http::Request& request) override {
    check_url(request.url);
    request.headers.set("Authorization", authorization(nullptr));
    http::Response response = next_->send(request);
    if (response.status != 401) return response;
    const std::string* header = response.headers.find("WWW-Authenticate");
    if (header == nullptr) return response;

    Challenge challenge = parse_challenge(*header);
    if (verify_resource_) verify(challenge, Url(request.url));
    // The token just refused must not come back from the cache.
    request.headers.set("Authorization",
                        authorization(std::make_unique<TokenRequestContext>(
                            TokenRequestContext{{challenge.scope}, challenge.tenant_id})));
    return next_->send(request);
  }

 private:
  // A token, and the header value that carries it, for one request context.
  struct CachedToken {
    TokenRequestContext context;
    AccessToken token;
    std::string header;  // "Bearer <token>"
  };

  // Refuses to send a token over plain http. The URLs of one client share their scheme and
  // authority, so the last one found good answers for every URL that starts with it.
  void check_url(const std::string& url) {
    {
      std::lock_guard lock(mutex_);
      const std::size_t n = checked_origin_.size();
      if (n > 0 && url.compare(0, n, checked_origin_) == 0 &&
          (url.size() == n || url[n] == '/' || url[n] == '?' || url[n] == '#')) {
        return;
      }
    }
    Url parsed(url);
    if (parsed.scheme() != "https" && !is_loopback(parsed.host())) {
      throw AuthenticationException(
          "bearer token authentication requires https; refusing to send "
          "a token to " +
          url);
    }
    std::lock_guard lock(mutex_);
    checked_origin_ = url.substr(0, url.find_first_of("/?#", url.find("://") + 3));
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

  static bool same_context(const TokenRequestContext& a, const TokenRequestContext& b) {
    return a.TenantId == b.TenantId && a.Scopes == b.Scopes;
  }

  // The Authorization value: for a new `challenged` context (which then becomes the current one)
  // a fresh token; otherwise the current context's cached token unless it is about to expire.
  // The lock is held across GetToken so that concurrent requests share one token request.
  std::string authorization(std::unique_ptr<TokenRequestContext> challenged) {
    std::lock_guard lock(mutex_);
    const bool force = challenged != nullptr;
    if (challenged) challenge_ = std::move(challenged);
    const TokenRequestContext& context = challenge_ ? *challenge_ : default_context_;
    CachedToken* cached = nullptr;
    for (auto& entry : tokens_) {
      if (same_context(entry.context, context)) cached = &entry;
    }
    if (!force && cached && clock_->now() + kRefreshMargin < cached->token.ExpiresOn) {
      return cached->header;
    }
    AccessToken fresh = credential_->GetToken(context);
    if (!cached) cached = &tokens_.emplace_back(CachedToken{context, {}, {}});
    cached->header = "Bearer " + fresh.Token;
    cached->token = std::move(fresh);
    return cached->header;
  }

  std::shared_ptr<TokenCredential> credential_;
  std::shared_ptr<Clock> clock_;
  bool verify_resource_;
  std::unique_ptr<Stage> next_;
  const TokenRequestContext default_context_{{kDefaultScope}, ""};
  std::mutex mutex_;
  std::string checked_origin_;
  std::unique_ptr<TokenRequestContext> challenge_;
  // One entry per context ever used: the default one and at most a few challenged ones.
  std::vector<CachedToken> tokens_;
};

}  // namespace

std::unique_ptr<Stage> make_bearer_stage(std::shared_ptr<TokenCredential> credential,
                                         std::shared_ptr<Clock> clock, bool verify_resource,
                                         std::unique_ptr<Stage> next) {
  return std::make_unique<BearerStage>(std::move(credential), std::move(clock), verify_resource,
                                       std::move(next));
}

}  // namespace kv::detail
