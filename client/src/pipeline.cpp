// Pipeline assembly and the per-request headers.
#include "pipeline.hpp"

#include "kv/curl_transport.hpp"
#include "kv/version.hpp"

namespace kv::detail {

namespace {

class TransportStage final : public Stage {
 public:
  explicit TransportStage(std::shared_ptr<http::Transport> transport)
      : transport_(std::move(transport)) {}
  http::Response send(http::Request& request) override { return transport_->send(request); }

 private:
  std::shared_ptr<http::Transport> transport_;
};

const char* platform() {
#if defined(__linux__)
  return "Linux";
#elif defined(__APPLE__)
  return "macOS";
#elif defined(_WIN32)
  return "Windows";
#else
  return "unknown OS";
#endif
}

}  // namespace

std::unique_ptr<Stage> make_transport_stage(std::shared_ptr<http::Transport> transport) {
  return std::make_unique<TransportStage>(std::move(transport));
}

std::string make_uuid(const RandomSource& random) {
  unsigned char bytes[16];
  for (auto& byte : bytes) {
    int value = static_cast<int>(random() * 256.0);
    byte = static_cast<unsigned char>(value < 0 ? 0 : (value > 255 ? 255 : value));
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text(36, '-');
  std::size_t at = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) ++at;  // the dashes of 8-4-4-4-12
    text[at++] = kHex[bytes[i] >> 4];
    text[at++] = kHex[bytes[i] & 0x0F];
  }
  return text;
}

std::string user_agent(const std::string& application_id) {
  std::string agent =
      std::string("azsdk-cpp-kvharness/") + kVersion + " (C++20; " + platform() + ")";
  return application_id.empty() ? agent : application_id + " " + agent;
}

Pipeline::Pipeline(std::shared_ptr<TokenCredential> credential, const SecretClientOptions& options)
    : clock_(options.Clock ? options.Clock : SystemClock::instance()),
      random_(options.Random ? options.Random : default_random()),
      user_agent_(user_agent(options.ApplicationId)) {
  auto transport = options.Transport;
  if (!transport) transport = std::make_shared<http::CurlTransport>();
  auto bottom = make_transport_stage(std::move(transport));
  auto auth = make_bearer_stage(std::move(credential), clock_,
                                !options.DisableChallengeResourceVerification, std::move(bottom));
  head_ = make_retry_stage(options.Retry, clock_, random_, std::move(auth));
}

http::Response Pipeline::send(http::Request& request) const {
  if (!request.headers.contains("x-ms-client-request-id")) {
    request.headers.set("x-ms-client-request-id", make_uuid(random_));
  }
  request.headers.set("User-Agent", user_agent_);
  request.headers.set("Accept", "application/json");
  if (!request.headers.contains("Content-Type")) {
    request.headers.set("Content-Type", "application/json");
  }
  // The token must not outlive the send in the caller's request (errors and logs read it).
  struct RemoveAuthorization {
    http::Request& request;
    ~RemoveAuthorization() { request.headers.erase("Authorization"); }
  } guard{request};
  return head_->send(request);
}

}  // namespace kv::detail
