#include "https_server.hpp"

#include <iostream>
#include <stdexcept>

#include "kv/localvault/errors.hpp"

namespace kv::localvault {

namespace {
CoreRequest to_core(const httpserver::Request& req) {
  CoreRequest core;
  core.method = req.method;
  split_target(req.target, core);
  for (const httpserver::Header& h : req.headers) core.headers.emplace(h.name, h.value);
  core.body = req.body;
  return core;
}

httpserver::Response to_wire(CoreResponse core) {
  httpserver::Response res;
  res.status = core.status;
  for (auto& [name, value] : core.headers) res.headers.add(name, std::move(value));
  res.body = std::move(core.body);
  return res;
}

// Requests the server refuses itself get the vault's error shape, as the service's do.
httpserver::Response vault_error(const httpserver::ErrorInfo& error, std::size_t body_limit) {
  if (error.kind == httpserver::ErrorKind::BodyTooLarge)
    return to_wire(errors::body_too_large(body_limit));
  std::string_view code = error.status == 400 ? "BadParameter" : std::string_view(error.code);
  return to_wire(errors::make(error.status, code, error.message));
}
}  // namespace

HttpsServer::HttpsServer(VaultService& service, const httpserver::TlsIdentity& identity,
                         ServeConfig config)
    : service_(service), identity_(identity), config_(std::move(config)) {}

HttpsServer::~HttpsServer() = default;

int HttpsServer::bind(const std::string& host, int port) {
  httpserver::ServerOptions options;
  options.host = host;
  options.port = static_cast<std::uint16_t>(port);
  options.worker_threads = config_.threads;
  options.limits = config_.limits;
  options.limits.max_body_bytes = config_.max_body_bytes;
  options.stop_signals = config_.stop_signals;
  std::size_t body_limit = config_.max_body_bytes;
  options.error_response = [body_limit](const httpserver::ErrorInfo& error) {
    return vault_error(error, body_limit);
  };
  server_ = std::make_unique<httpserver::Server>(
      std::move(options), identity_,
      [this](const httpserver::Request& request) { return handle(request); });
  return server_->port();
}

httpserver::Response HttpsServer::handle(const httpserver::Request& request) {
  try {
    CoreRequest core = to_core(request);
    CoreResponse response;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      response = service_.handle(core, config_.now_ms());
    }
    return to_wire(std::move(response));
  } catch (const std::exception& e) {
    std::cerr << "localvault: internal error: " << e.what() << std::endl;
    return to_wire(
        errors::make(500, "InternalServerError", "localvault failed to handle the request."));
  }
}

void HttpsServer::run() {
  if (!server_) throw std::logic_error("HttpsServer::run() before bind()");
  server_->run();
}

void HttpsServer::stop() {
  if (server_) server_->stop();
}

}  // namespace kv::localvault
