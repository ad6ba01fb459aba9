#include "https_server.hpp"

#include <httplib.h>

#include <iostream>
#include <stdexcept>

#include "kv/localvault/errors.hpp"

namespace kv::localvault {

namespace {
CoreRequest to_core(const httplib::Request& req) {
  CoreRequest core;
  core.method = req.method;
  split_target(req.target, core);
  for (const auto& [name, value] : req.headers) core.headers.emplace(name, value);
  core.body = req.body;
  return core;
}

void to_wire(CoreResponse core, httplib::Response& res) {
  res.status = core.status;
  std::string content_type;
  for (auto& [name, value] : core.headers) {
    if (!HeaderNameLess{}(name, "Content-Type") && !HeaderNameLess{}("Content-Type", name)) {
      content_type = value;
      continue;
    }
    res.set_header(name, value);
  }
  if (!core.body.empty() || !content_type.empty())
    res.set_content(std::move(core.body), content_type.c_str());
}
}  // namespace

HttpsServer::HttpsServer(VaultService& service, const TlsIdentity& identity, ServeConfig config)
    : service_(service), config_(std::move(config)) {
  server_ = std::make_unique<httplib::SSLServer>(identity.certificate.get(), identity.key.get());
  if (!server_->is_valid())
    throw std::runtime_error("cannot set up TLS with the given certificate");
  int threads = config_.threads;
  server_->new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<std::size_t>(threads));
  };
  server_->set_tcp_nodelay(true);
  server_->set_keep_alive_max_count(100000);
  server_->set_keep_alive_timeout(30);
  // A client that announces a body and never sends it gets a quick 408-style close, not a hang.
  server_->set_read_timeout(2, 0);
  server_->set_payload_max_length(config_.max_body_bytes);

  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    CoreRequest core = to_core(req);
    CoreResponse response;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      response = service_.handle(core, config_.now_ms());
    }
    to_wire(std::move(response), res);
  };
  server_->Get(".*", handler);
  server_->Post(".*", handler);
  server_->Put(".*", handler);
  server_->Patch(".*", handler);
  server_->Delete(".*", handler);
  server_->Options(".*", handler);
  // Errors httplib raises itself (oversized body, unreadable request) still get the JSON shape.
  server_->set_error_handler([this](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    CoreResponse core = res.status == 413 ? errors::body_too_large(config_.max_body_bytes)
                                          : errors::bad_parameter("The request is malformed.");
    core.status = res.status;
    to_wire(std::move(core), res);
  });
  server_->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown error";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        std::cerr << "localvault: internal error: " << what << std::endl;
        CoreResponse core =
            errors::make(500, "InternalServerError", "localvault failed to handle the request.");
        to_wire(std::move(core), res);
      });
}

HttpsServer::~HttpsServer() = default;

int HttpsServer::bind(const std::string& host, int port) {
  if (port == 0) {
    int bound = server_->bind_to_any_port(host);
    if (bound <= 0) throw std::runtime_error("cannot bind to " + host + " on a free port");
    return bound;
  }
  if (!server_->bind_to_port(host, port))
    throw std::runtime_error("cannot bind to " + host + ":" + std::to_string(port));
  return port;
}

bool HttpsServer::run() {
  return server_->listen_after_bind();
}

void HttpsServer::stop() {
  server_->stop();
}

void HttpsServer::hold() {
  mutex_.lock();
}

}  // namespace kv::localvault
