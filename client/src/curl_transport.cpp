// CurlTransport: libcurl easy handles, pooled so that keep-alive connections are reused.
#include "kv/curl_transport.hpp"

#include <curl/curl.h>
#include <dlfcn.h>

#include <mutex>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace kv::http {

namespace {

// libcurl is loaded when the first CurlTransport is made, not when the program starts: playback,
// `kvharness check` and tests that never go live do not pay for loading libcurl and the thirty
// libraries it pulls in (about 30 ms of CPU per process on a small machine).
struct Curl {
  decltype(&curl_global_init) global_init = nullptr;
  decltype(&curl_easy_init) easy_init = nullptr;
  decltype(&curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&curl_easy_reset) easy_reset = nullptr;
  decltype(&curl_easy_setopt) easy_setopt = nullptr;
  decltype(&curl_easy_perform) easy_perform = nullptr;
  decltype(&curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&curl_easy_strerror) easy_strerror = nullptr;
  decltype(&curl_slist_append) slist_append = nullptr;
  decltype(&curl_slist_free_all) slist_free_all = nullptr;
};

Curl load_curl() {
  // Never closed: other libraries in the process may share the same libcurl.
  void* library = nullptr;
  std::string errors;
  for (const char* name : {"libcurl.so.4", "libcurl.so"}) {
    library = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (library != nullptr) break;
    if (const char* error = dlerror()) errors += std::string(errors.empty() ? "" : "; ") + error;
  }
  if (library == nullptr) {
    throw std::runtime_error("CurlTransport: libcurl could not be loaded (" + errors +
                             "); talking to a vault needs libcurl 7.x or 8.x (Debian: libcurl4)");
  }
  Curl api;
  auto bind = [&](auto& slot, const char* symbol) {
    void* address = dlsym(library, symbol);
    if (address == nullptr) {
      throw std::runtime_error(std::string("CurlTransport: the libcurl that was loaded has no ") +
                               symbol);
    }
    slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(address);
  };
  bind(api.global_init, "curl_global_init");
  bind(api.easy_init, "curl_easy_init");
  bind(api.easy_cleanup, "curl_easy_cleanup");
  bind(api.easy_reset, "curl_easy_reset");
  bind(api.easy_setopt, "curl_easy_setopt");
  bind(api.easy_perform, "curl_easy_perform");
  bind(api.easy_getinfo, "curl_easy_getinfo");
  bind(api.easy_strerror, "curl_easy_strerror");
  bind(api.slist_append, "curl_slist_append");
  bind(api.slist_free_all, "curl_slist_free_all");
  // Never cleaned up, for the same reason.
  if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    throw std::runtime_error("curl_global_init failed");
  }
  return api;
}

// Loaded once; a failure is retried by the next CurlTransport.
const Curl& curl_api() {
  static const Curl api = load_curl();
  return api;
}

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_api().easy_cleanup(handle); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_api().slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

struct Exchange {
  Response response;
  bool header_started = false;
};

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  std::string_view line = trim(std::string_view(data, size * count));
  if (line.rfind("HTTP/", 0) == 0) {
    // A new status line (after a 100 Continue or a proxy CONNECT) starts a fresh header block.
    exchange->response.headers.clear();
    exchange->response.reason.clear();
    auto first = line.find(' ');
    auto second = first == std::string_view::npos ? first : line.find(' ', first + 1);
    if (second != std::string_view::npos) exchange->response.reason = trim(line.substr(second + 1));
    exchange->header_started = true;
    return size * count;
  }
  auto colon = line.find(':');
  if (colon != std::string_view::npos && colon > 0) {
    exchange->response.headers.add(std::string(trim(line.substr(0, colon))),
                                   std::string(trim(line.substr(colon + 1))));
  }
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  auto* begin = reinterpret_cast<const std::uint8_t*>(data);
  exchange->response.body.insert(exchange->response.body.end(), begin, begin + size * count);
  return size * count;
}

}  // namespace

struct CurlTransport::Impl {
  CurlTransportOptions options;
  std::mutex mutex;
  std::vector<EasyHandle> idle;  // handles not in use, each with its live connections

  EasyHandle acquire() {
    {
      std::lock_guard lock(mutex);
      if (!idle.empty()) {
        EasyHandle handle = std::move(idle.back());
        idle.pop_back();
        // Reset clears options but keeps the connection cache, so the connection is reused.
        curl_api().easy_reset(handle.get());
        return handle;
      }
    }
    EasyHandle handle(curl_api().easy_init());
    if (!handle) throw std::runtime_error("curl_easy_init failed");
    return handle;
  }

  void release(EasyHandle handle) {
    std::lock_guard lock(mutex);
    idle.push_back(std::move(handle));
  }
};

CurlTransport::CurlTransport(CurlTransportOptions options) : impl_(std::make_unique<Impl>()) {
  (void)curl_api();  // a missing libcurl is reported here, not at the first request
  impl_->options = std::move(options);
}

CurlTransport::~CurlTransport() = default;

Response CurlTransport::send(const Request& request) {
  const Curl& api = curl_api();
  EasyHandle handle = impl_->acquire();
  CURL* curl = handle.get();
  const CurlTransportOptions& options = impl_->options;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  Exchange exchange;

  Slist headers;
  auto append = [&](const std::string& line) {
    curl_slist* grown = api.slist_append(headers.get(), line.c_str());
    if (grown == nullptr) throw std::runtime_error("curl_slist_append failed");
    (void)headers.release();
    headers.reset(grown);
  };
  for (const auto& [name, value] : request.headers) {
    // "Name;" is libcurl's spelling of a header with an empty value.
    append(value.empty() ? name + ";" : name + ": " + value);
  }
  // libcurl would otherwise wait for "100 Continue" before sending larger bodies.
  append("Expect:");

  auto set = [&](CURLoption option, auto value) {
    CURLcode code = api.easy_setopt(curl, option, value);
    if (code != CURLE_OK) {
      throw TransportError(code, api.easy_strerror(code), request.method, request.url);
    }
  };
  set(CURLOPT_ERRORBUFFER, error_buffer);
  set(CURLOPT_URL, request.url.c_str());
  set(CURLOPT_NOSIGNAL, 1L);
  // HTTP/1.1 keeps reason phrases and matches what the local vault and recordings speak.
  set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  set(CURLOPT_HTTPHEADER, headers.get());
  set(CURLOPT_HEADERFUNCTION, &on_header);
  set(CURLOPT_HEADERDATA, static_cast<void*>(&exchange));
  set(CURLOPT_WRITEFUNCTION, &on_body);
  set(CURLOPT_WRITEDATA, static_cast<void*>(&exchange));
  set(CURLOPT_SSL_VERIFYPEER, options.verify_tls ? 1L : 0L);
  set(CURLOPT_SSL_VERIFYHOST, options.verify_tls ? 2L : 0L);
  if (options.ca_bundle) set(CURLOPT_CAINFO, options.ca_bundle->c_str());
  curl_blob ca_blob{};
  if (options.ca_pem) {
    ca_blob.data = const_cast<char*>(options.ca_pem->data());
    ca_blob.len = options.ca_pem->size();
    ca_blob.flags = CURL_BLOB_NOCOPY;
    set(CURLOPT_CAINFO_BLOB, &ca_blob);
  }
  set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout.count()));
  if (options.proxy) set(CURLOPT_PROXY, options.proxy->c_str());

  if (request.method == "GET") {
    set(CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    set(CURLOPT_NOBODY, 1L);
  } else {
    set(CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
      request.method == "PATCH") {
    set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    set(CURLOPT_POSTFIELDS,
        request.body.empty() ? "" : reinterpret_cast<const char*>(request.body.data()));
  }

  CURLcode code = api.easy_perform(curl);
  if (code != CURLE_OK) {
    std::string detail = error_buffer[0] != '\0' ? error_buffer : api.easy_strerror(code);
    // The handle may hold a broken connection; drop it rather than pool it.
    throw TransportError(code, detail, request.method, request.url);
  }
  long status = 0;
  api.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  exchange.response.status = static_cast<int>(status);
  // The error buffer lives on this stack frame: detach it before the handle is pooled.
  api.easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  api.easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  impl_->release(std::move(handle));
  return std::move(exchange.response);
}

}  // namespace kv::http
