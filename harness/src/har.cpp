// HAR 1.2 export (http://www.softwareishard.com/blog/har-12-spec/).
#include "kv/harness/har.hpp"

#include <ctime>

#include "base64.hpp"
#include "kv/url.hpp"
#include "kv/version.hpp"

namespace kv::harness {

namespace {

nlohmann::json headers_json(const HeaderList& headers) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto [name, value] : headers) out.push_back({{"name", name}, {"value", value}});
  return out;
}

std::string mime_type(const HeaderList& headers) {
  return headers.get("Content-Type").value_or(std::string());
}

// HAR wants ISO 8601; the best time we have is the response's Date header.
std::string started_at(const Entry& entry, const std::string& fallback) {
  if (const auto date = entry.response_headers.get("Date")) {
    std::tm tm{};
    if (strptime(date->c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) != nullptr) {
      char buffer[32];
      std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
      return buffer;
    }
  }
  return fallback.empty() ? "1970-01-01T00:00:00.000Z" : fallback;
}

void put_text(nlohmann::json& object, const Body& body) {
  if (body.kind == Body::Kind::Binary) {
    object["text"] = detail::base64_encode(http::as_text(body.bytes));
    object["encoding"] = "base64";
  } else {
    object["text"] = std::string(http::as_text(body.bytes));
  }
}

}  // namespace

nlohmann::json export_har(const Fixture& fixture) {
  nlohmann::json entries = nlohmann::json::array();
  for (const Entry& e : fixture.entries) {
    nlohmann::json query = nlohmann::json::array();
    try {
      const Url url(e.request_uri);
      for (const auto& [name, value] : url.query()) {
        query.push_back({{"name", name}, {"value", value}});
      }
    } catch (const std::invalid_argument&) {
      // A URI the parser refuses still exports; only the query list stays empty.
    }
    nlohmann::json request = {{"method", e.request_method},
                              {"url", e.request_uri},
                              {"httpVersion", "HTTP/1.1"},
                              {"cookies", nlohmann::json::array()},
                              {"headers", headers_json(e.request_headers)},
                              {"queryString", std::move(query)},
                              {"headersSize", -1},
                              {"bodySize", static_cast<long long>(e.request_body.bytes.size())}};
    if (!e.request_body.empty()) {
      nlohmann::json post = {{"mimeType", mime_type(e.request_headers)}};
      put_text(post, e.request_body);
      request["postData"] = std::move(post);
    }
    nlohmann::json content = {{"size", static_cast<long long>(e.response_body.bytes.size())},
                              {"mimeType", mime_type(e.response_headers)}};
    put_text(content, e.response_body);
    const auto location = e.response_headers.find("Location");
    nlohmann::json response = {{"status", e.status_code},
                               {"statusText", std::string(http::reason_phrase(e.status_code))},
                               {"httpVersion", "HTTP/1.1"},
                               {"cookies", nlohmann::json::array()},
                               {"headers", headers_json(e.response_headers)},
                               {"content", std::move(content)},
                               {"redirectURL", location ? *location : std::string()},
                               {"headersSize", -1},
                               {"bodySize", static_cast<long long>(e.response_body.bytes.size())}};
    entries.push_back({{"startedDateTime", started_at(e, fixture.metadata.recorded_at)},
                       {"time", 0},
                       {"request", std::move(request)},
                       {"response", std::move(response)},
                       {"cache", nlohmann::json::object()},
                       {"timings", {{"send", 0}, {"wait", 0}, {"receive", 0}}}});
  }
  return {{"log",
           {{"version", "1.2"},
            {"creator", {{"name", "kvharness"}, {"version", kv::kVersion}}},
            {"entries", std::move(entries)}}}};
}

}  // namespace kv::harness
