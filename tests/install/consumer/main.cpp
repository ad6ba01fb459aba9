// Uses the installed kv::client offline: a SecretClient over an in-process transport.
#include <iostream>
#include <kv/secrets.hpp>
#include <kv/version.hpp>
#include <memory>

namespace {
// Answers every request with one secret, as a vault would.
class FixedTransport final : public kv::http::Transport {
 public:
  kv::http::Response send(const kv::http::Request& request) override {
    kv::http::Response response;
    if (request.method != "GET" || request.headers.get("Authorization") != "Bearer t") {
      response.status = 400;
      return response;
    }
    response.status = 200;
    response.body = kv::http::to_bytes(
        R"({"value":"installed-value","id":"https://v.vault.azure.net/secrets/s/1"})");
    return response;
  }
};
}  // namespace

int main() {
  kv::SecretClientOptions options;
  options.Transport = std::make_shared<FixedTransport>();
  kv::SecretClient client("https://v.vault.azure.net",
                          std::make_shared<kv::StaticTokenCredential>("t"), options);
  auto secret = client.GetSecret("s").Value;
  if (secret.Name != "s" || std::string(kv::kVersion).empty()) return 1;
  std::cout << "consumer got " << secret.Value << "\n";
  return 0;
}
