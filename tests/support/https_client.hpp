#pragma once
// A small HTTPS client for tests: cpp-httplib's SSL client trusting the server's certificate.

#include <httplib.h>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "server_process.hpp"

namespace kv::localvault::testing {

/// Status, headers and body of one response (status 0 when the connection failed).
struct WireResponse {
  int status = 0;
  httplib::Headers headers;
  std::string body;
  /// The body parsed as JSON.
  nlohmann::json json() const { return nlohmann::json::parse(body); }
};

/// Keeps one keep-alive connection to a localvault and optionally a bearer token.
class VaultClient {
 public:
  /// Connects to the server, verifying its certificate.
  explicit VaultClient(const LocalVault& server)
      : VaultClient(server.port(), server.certificate_file()) {}

  /// Connects to any HTTPS server on 127.0.0.1:`port` whose certificate is in `ca_file`.
  VaultClient(int port, const std::string& ca_file)
      : client_(std::make_unique<httplib::SSLClient>("127.0.0.1", port)) {
    // Writing to a server that was killed must fail the request, not end the test process.
    ::signal(SIGPIPE, SIG_IGN);
    client_->set_ca_cert_path(ca_file);
    client_->enable_server_certificate_verification(true);
    client_->set_keep_alive(true);
    client_->set_tcp_nodelay(true);
    client_->set_read_timeout(10, 0);
  }

  /// Fetches a token from the server's token endpoint and uses it from now on.
  void login(const std::string& tenant, const std::string& client_id, const std::string& secret,
             const std::string& scope = "https://vault.azure.net/.default") {
    httplib::Params form = {{"grant_type", "client_credentials"},
                            {"client_id", client_id},
                            {"client_secret", secret},
                            {"scope", scope}};
    auto result = client_->Post(("/" + tenant + "/oauth2/v2.0/token").c_str(), form);
    if (!result || result->status != 200) throw std::runtime_error("token request failed");
    token_ = nlohmann::json::parse(result->body)["access_token"].get<std::string>();
  }

  /// Sends a request; `body` is sent as JSON when not empty.
  WireResponse send(const std::string& method, const std::string& target,
                    const std::string& body = "", httplib::Headers headers = {}) {
    if (!token_.empty() && !headers.count("Authorization"))
      headers.emplace("Authorization", "Bearer " + token_);
    httplib::Result result{nullptr, httplib::Error::Unknown};
    if (method == "GET") {
      result = client_->Get(target.c_str(), headers);
    } else if (method == "DELETE") {
      result = client_->Delete(target.c_str(), headers);
    } else if (method == "PUT") {
      result = client_->Put(target.c_str(), headers, body, "application/json");
    } else if (method == "PATCH") {
      result = client_->Patch(target.c_str(), headers, body, "application/json");
    } else {
      result = client_->Post(target.c_str(), headers, body, "application/json");
    }
    WireResponse out;
    if (!result) return out;
    out.status = result->status;
    out.headers = result->headers;
    out.body = result->body;
    return out;
  }

 private:
  std::unique_ptr<httplib::SSLClient> client_;
  std::string token_;
};

}  // namespace kv::localvault::testing
